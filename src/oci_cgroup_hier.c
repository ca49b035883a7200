/* The cgroup hierarchies this host has mounted, and where the caller sits in each: what
 * the OCI container's cgroups are placed by (/proc/self/cgroup, /proc/self/mountinfo). */
#include <stdio.h>
#include <string.h>
#include <sys/vfs.h>

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

/* The mount of the hierarchy /proc/self/cgroup calls CTRLS (v2 when ""): mount point and
 * the mount's root within the hierarchy. */
static bool find_mount(const char *ctrls, char *mnt, size_t mlen, char *root, size_t rlen)
{
	char first[64];
	snprintf(first, sizeof(first), "%.*s", (int)strcspn(ctrls, ","), ctrls);
	FILE *f = fopen("/proc/self/mountinfo", "re");
	if (!f)
		return false;
	char line[1024];
	bool found = false;
	while (!found && fgets(line, sizeof(line), f)) {
		char r[256], m[256], type[32], src[64], opts[512];
		const char *dash = strstr(line, " - ");
		if (!dash || sscanf(line, "%*s %*s %*s %255s %255s", r, m) != 2 ||
		    sscanf(dash + 3, "%31s %63s %511s", type, src, opts) != 3)
			continue;
		if (first[0] ? strcmp(type, "cgroup") || !oci_cg_has_token(opts, first)
		             : strcmp(type, "cgroup2"))
			continue;
		snprintf(mnt, mlen, "%s", m);
		snprintf(root, rlen, "%s", r);
		found = true;
	}
	fclose(f);
	return found;
}

size_t oci_cg_hierarchies(struct oci_cg_hier *h, size_t max)
{
	FILE *f = fopen("/proc/self/cgroup", "re");
	if (!f)
		return 0;
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
		if (!find_mount(c, mnt, sizeof(mnt), root, sizeof(root)))
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
	if (v2) {
		snprintf(h[n].mnt, sizeof(h[n].mnt), "%s", v2mnt);
		h[n].ctrls[0] = 0;
		snprintf(h[n].own, sizeof(h[n].own), "%s", v2own);
		n++;
	}
	return n;
}

bool oci_cg_v1_mounted(const char *ctrl)
{
	char mnt[256], root[256];
	return find_mount(ctrl, mnt, sizeof(mnt), root, sizeof(root));
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
