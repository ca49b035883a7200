/* The cgroup hierarchies this host has mounted, and where the caller sits in each: what
 * the OCI container's cgroups are placed by (/proc/self/cgroup, /proc/self/mountinfo). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/vfs.h>
#include <time.h>

#include <linux/magic.h>

#include "oci_cgroup_int.h"

bool oci_cg_pure_v2(void)
{
	struct statfs s;
	return statfs("/sys/fs/cgroup", &s) == 0 && s.f_type == CGROUP2_SUPER_MAGIC;
}

bool oci_cg_has_token(const char *list, const char *tok)
{
	size_t n = strlen(tok);
	for (const char *p = list; p; p = strchr(p, ',')) {
		p += *p == ',';
		if (!strncmp(p, tok, n) && (p[n] == ',' || !p[n]))
			return true;
	}
	return false;
}

/* The cgroup mounts of /proc/self/mountinfo: "ROOT MOUNTPOINT TYPE OPTIONS" lines. */
static char *cgroup_mounts(void)
{
	FILE *f = fopen("/proc/self/mountinfo", "re");
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);
	char line[1024];
	while (f && out && fgets(line, sizeof(line), f)) {
		char r[256], m[256], type[32], src[64], opts[512];
		const char *dash = strstr(line, " - ");
		if (dash && sscanf(line, "%*s %*s %*s %255s %255s", r, m) == 2 &&
		    sscanf(dash + 3, "%31s %63s %511s", type, src, opts) == 3 &&
		    !strncmp(type, "cgroup", 6))
			fprintf(out, "%s %s %s %s\n", r, m, type, opts);
	}
	if (f)
		fclose(f);
	if (out)
		fclose(out);
	return buf;
}

/* The mount of the hierarchy /proc/self/cgroup calls CTRLS (v2 when ""), among MOUNTS:
 * mount point and the mount's root within the hierarchy. */
static bool find_mount(const char *mounts, const char *ctrls, char *mnt, size_t mlen, char *root,
                       size_t rlen)
{
	char first[64];
	snprintf(first, sizeof(first), "%.*s", (int)strcspn(ctrls, ","), ctrls);
	for (const char *p = mounts; p && *p; p = strchr(p, '\n') + 1) {
		char r[256], m[256], type[32], opts[512];
		if (sscanf(p, "%255s %255s %31s %511s", r, m, type, opts) != 4)
			break;
		if (first[0] ? strcmp(type, "cgroup") || !oci_cg_has_token(opts, first)
		             : strcmp(type, "cgroup2"))
			continue;
		snprintf(mnt, mlen, "%s", m);
		snprintf(root, rlen, "%s", r);
		return true;
	}
	return false;
}

static size_t scan(struct oci_cg_hier *h, size_t max)
{
	FILE *f = fopen("/proc/self/cgroup", "re");
	if (!f)
		return 0;
	char *mounts = cgroup_mounts();
	char line[1024];
	size_t n = 0;
	bool v2 = false;
	char v2own[512] = "", v2mnt[256] = "";
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = 0;
		char *c = strchr(line, ':'), *p = c ? strchr(c + 1, ':') : NULL;
		if (!p)
			continue;
		*p++ = 0;
		c++;
		char mnt[256], root[256];
		if (!find_mount(mounts, c, mnt, sizeof(mnt), root, sizeof(root)))
			continue;
		/* the part of our path below the mount's root (a cgroup namespace's mount) */
		size_t rl = strcmp(root, "/") ? strlen(root) : 0;
		const char *rel = strncmp(p, root, rl) ? p : p + rl;
		if (!*c) {
			v2 = true;
			snprintf(v2mnt, sizeof(v2mnt), "%s", mnt);
			snprintf(v2own, sizeof(v2own), "%s%s", mnt, rel);
			continue;
		}
		bool dup = false;
		for (size_t i = 0; i < n; i++)
			dup |= !strcmp(h[i].mnt, mnt);
		if (dup || n + 1 >= max)
			continue;
		snprintf(h[n].mnt, sizeof(h[n].mnt), "%s", mnt);
		snprintf(h[n].ctrls, sizeof(h[n].ctrls), "%s", c);
		snprintf(h[n].own, sizeof(h[n].own), "%s%s", mnt, rel);
		n++;
	}
	fclose(f);
	free(mounts);
	if (v2) {
		snprintf(h[n].mnt, sizeof(h[n].mnt), "%s", v2mnt);
		h[n].ctrls[0] = 0;
		snprintf(h[n].own, sizeof(h[n].own), "%s", v2own);
		n++;
	}
	return n;
}

/* One call of ward-runc asks many times (each file of each hierarchy): the scan reads
 * mountinfo once per hierarchy, so its answer is kept for a second (a library caller living
 * longer sees a mount made later). */
size_t oci_cg_hierarchies(struct oci_cg_hier *h, size_t max)
{
	static struct oci_cg_hier cache[OCI_CG_V1_MAX + 1];
	static size_t n_cache;
	static struct timespec at;
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (!n_cache || now.tv_sec - at.tv_sec > 1) {
		n_cache = scan(cache, OCI_CG_V1_MAX + 1);
		at = now;
	}
	size_t n = n_cache < max ? n_cache : max;
	memcpy(h, cache, n * sizeof(*h));
	return n;
}

bool oci_cg_v1_mounted(const char *ctrl)
{
	struct oci_cg_hier h[OCI_CG_V1_MAX + 1];
	size_t n = oci_cg_hierarchies(h, OCI_CG_V1_MAX + 1);
	for (size_t i = 0; i < n; i++)
		if (h[i].ctrls[0] && oci_cg_has_token(h[i].ctrls, ctrl))
			return true;
	return false;
}

const char *oci_cg_v1_dir(const struct oci_cgroup *cg, const char *ctrl)
{
	struct oci_cg_hier h[OCI_CG_V1_MAX + 1];
	size_t n = oci_cg_hierarchies(h, OCI_CG_V1_MAX + 1);
	for (size_t i = 0; i < n; i++) {
		if (!h[i].ctrls[0] || !oci_cg_has_token(h[i].ctrls, ctrl))
			continue;
		size_t l = strlen(h[i].mnt);
		for (size_t k = 0; k < cg->n_v1; k++)
			if (!strncmp(cg->v1[k], h[i].mnt, l) && cg->v1[k][l] == '/')
				return cg->v1[k];
	}
	return NULL;
}
