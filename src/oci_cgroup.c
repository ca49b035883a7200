/* The OCI container's cgroup directories: where linux.cgroupsPath puts them in each mounted
 * hierarchy (oci_cgroup_hier.c finds those), making them. Resources: oci_cgroup_res.c;
 * processes in them and the end: oci_cgroup_proc.c. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cgroup_util.h"
#include "oci_cgroup_int.h"
#include "sys.h"

/* runc's CleanPath: "." and ".." resolved as if from "/", so a relative path cannot climb
 * out; "" when nothing is left. */
static void clean_path(const char *in, char *out, size_t len)
{
	size_t o = 0;
	out[0] = 0;
	for (const char *p = in; *p;) {
		size_t l = strcspn(p, "/");
		if (l == 2 && !strncmp(p, "..", 2)) {
			while (o > 0 && out[--o] != '/')
				;
			out[o] = 0;
		} else if (l && !(l == 1 && *p == '.') && o + l + 2 < len) {
			o += (size_t)snprintf(out + o, len - o, "/%.*s", (int)l, p);
		}
		p += l + (p[l] == '/');
	}
}

static int copy_cpuset(const char *dir)
{
	char parent[512];
	snprintf(parent, sizeof(parent), "%s", dir);
	*strrchr(parent, '/') = 0;
	const char *files[] = {"cpuset.cpus", "cpuset.mems"};
	for (size_t i = 0; i < 2; i++) {
		char path[600], v[256] = "";
		snprintf(path, sizeof(path), "%s/%s", parent, files[i]);
		FILE *f = fopen(path, "re");
		if (f && !fgets(v, sizeof(v), f))
			v[0] = 0;
		if (f)
			fclose(f);
		v[strcspn(v, "\n")] = 0;
		if (cg_write(dir, files[i], "%s", v) < 0)
			return -1;
	}
	return 0;
}

/* v2: each controller the parent has, enabled for its children (runc does the same); a
 * parent with processes of its own refuses, and the limit's write says so later. */
static void enable_all(const char *dir)
{
	char path[600], line[512];
	snprintf(path, sizeof(path), "%s/cgroup.controllers", dir);
	FILE *f = fopen(path, "re");
	if (!f)
		return;
	if (fgets(line, sizeof(line), f))
		for (char *s = NULL, *t = strtok_r(line, " \n", &s); t;
		     t = strtok_r(NULL, " \n", &s))
			cg_write(dir, "cgroup.subtree_control", "+%s", t);
	fclose(f);
}

/* Make DIR below the mount MNT, parents first, noting in MADE the topmost directory this
 * call made ("" when all existed). New v1 cpuset directories start empty: they get their
 * parent's CPUs and memory nodes, as v1 requires before any task can join. */
static int make_dirs(const struct oci_cg_hier *h, const char *dir, char *made, size_t mlen)
{
	size_t ml = strlen(h->mnt);
	bool cpuset = h->ctrls[0] && oci_cg_has_token(h->ctrls, "cpuset");
	bool v2 = !h->ctrls[0] && oci_cg_pure_v2();
	made[0] = 0;
	char cur[512];
	for (const char *p = dir + ml; *p;) {
		p += strcspn(p + 1, "/") + 1;
		snprintf(cur, sizeof(cur), "%.*s", (int)(p - dir), dir);
		if (v2) {
			char parent[512];
			snprintf(parent, sizeof(parent), "%s", cur);
			*strrchr(parent, '/') = 0;
			enable_all(parent);
		}
		if (mkdir(cur, 0755) < 0) {
			if (errno == EEXIST)
				continue;
			return -1;
		}
		if (!made[0])
			snprintf(made, mlen, "%s", cur);
		if (cpuset && copy_cpuset(cur) < 0)
			return -1;
	}
	return 0;
}

/* Remove DIR and every directory above it up to and including TOP. */
static void unmake(const char *dir, const char *top)
{
	char cur[512];
	snprintf(cur, sizeof(cur), "%s", dir);
	size_t tl = strlen(top);
	while (strlen(cur) >= tl) {
		if (rmdir(cur) < 0 && errno != ENOENT)
			return;
		char *s = strrchr(cur, '/');
		if (!s)
			return;
		*s = 0;
	}
}

static int resolve(const char *cgroups_path, const char *id, char *inner, size_t len, bool *abs,
                   struct ward_error *e)
{
	const char *p = cgroups_path && *cgroups_path ? cgroups_path : id;
	const char *c = strchr(p, ':');
	if (c && strchr(c + 1, ':') && !strchr(p, '/'))
		return ward_error_set(e, 0,
		                      "linux.cgroupsPath: \"%s\" is systemd's slice:prefix:name "
		                      "form; ward drives cgroupfs only (no --systemd-cgroup)",
		                      p);
	*abs = p[0] == '/';
	clean_path(p, inner, len);
	if (!inner[0])
		return ward_error_set(e, 0, "linux.cgroupsPath: \"%s\" names no cgroup of its own",
		                      p);
	return 0;
}

int oci_cgroup_create(struct oci_cgroup *cg, const char *cgroups_path, const char *id,
                      const struct oci_resources *r, struct ward_error *e)
{
	memset(cg, 0, sizeof(*cg));
	char inner[384];
	bool abs = false;
	if (resolve(cgroups_path, id, inner, sizeof(inner), &abs, e) < 0)
		return -1;
	struct oci_cg_hier h[OCI_CG_V1_MAX + 1];
	size_t n = oci_cg_hierarchies(h, OCI_CG_V1_MAX + 1);
	if (!n)
		return ward_error_set(e, 0, "cgroup: this host has no cgroup hierarchy mounted");
	char made[OCI_CG_V1_MAX + 1][512], dirs[OCI_CG_V1_MAX + 1][512];
	bool rootless = !host_root();
	size_t i;
	for (i = 0; i < n; i++) {
		char base[512];
		snprintf(base, sizeof(base), "%s", h[i].own);
		/* v2: the caller's own cgroup holds processes, so no controller can be enabled
		 * below it; runc goes one up */
		if (!abs && !h[i].ctrls[0] && strlen(base) > strlen(h[i].mnt))
			*strrchr(base, '/') = 0;
		if ((size_t)snprintf(dirs[i], sizeof(dirs[i]), "%s%s", abs ? h[i].mnt : base,
		                     inner) >= sizeof(dirs[i])) {
			ward_error_set(e, ENAMETOOLONG, "linux.cgroupsPath: \"%s\"", inner);
			goto fail;
		}
		if (make_dirs(&h[i], dirs[i], made[i], sizeof(made[i])) == 0)
			continue;
		int err = errno;
		if (made[i][0])
			unmake(dirs[i], made[i]);
		if (rootless && (err == EACCES || err == EPERM || err == EROFS)) {
			dirs[i][0] = made[i][0] = 0;
			continue;
		}
		ward_error_set(e, err, "cgroup: creating %s", dirs[i]);
		goto fail;
	}
	for (i = 0; i < n; i++) {
		if (!dirs[i][0])
			continue;
		memcpy(h[i].ctrls[0] ? cg->v1[cg->n_v1++] : cg->v2, dirs[i], sizeof(dirs[i]));
	}
	if (oci_cg_write(cg, r, true, e) == 0)
		return 0;
fail:
	for (size_t k = 0; k < i && k < n; k++)
		if (made[k][0])
			unmake(dirs[k], made[k]);
	memset(cg, 0, sizeof(*cg));
	return -1;
}

int oci_cgroup_apply(const struct oci_cgroup *cg, const struct oci_resources *r,
                     struct ward_error *e)
{
	return oci_cg_write(cg, r, false, e);
}
