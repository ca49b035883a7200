/* The cgroup interface: choosing a backend (through its ops table), grouping-only cgroups,
 * delegation, and the supervisors' cgroup. */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <time.h>

#include "cgroup_backend.h"
#include "cgroup_util.h"
#include "sys.h"

#ifndef CGROUP2_SUPER_MAGIC
#define CGROUP2_SUPER_MAGIC 0x63677270
#endif

const char *cgroup_v2_root(void)
{
	static const char *const candidates[] = {"/sys/fs/cgroup", "/sys/fs/cgroup/unified"};
	for (size_t i = 0; i < 2; i++) {
		struct statfs sf;
		if (statfs(candidates[i], &sf) == 0 && sf.f_type == CGROUP2_SUPER_MAGIC)
			return candidates[i];
	}
	return NULL;
}

bool cgroup_pure_v2(void)
{
	struct statfs sf;
	return statfs("/sys/fs/cgroup", &sf) == 0 && sf.f_type == CGROUP2_SUPER_MAGIC;
}

bool limits_requested(const struct ward_limits *l)
{
	return l->memory || l->swap >= 0 || l->pids || l->cpu_quota || l->cpu_weight ||
	       l->cpuset[0] || l->n_io;
}

/* The v2 directory used for grouping only (hybrid hosts' controller-less unified tree, or a
 * rootless caller's delegated cgroup): one place to kill and to freeze. Best effort. */
static void group_only(struct cgroup *cg)
{
	const char *root = cgroup_v2_root();
	char parent[400], mine[384];
	if (root && geteuid() == 0)
		snprintf(parent, sizeof(parent), "%s/ward", root);
	else if (cgroup_delegated(mine, sizeof(mine)))
		snprintf(parent, sizeof(parent), "%s/ward", mine);
	else
		return;
	if (cg_make(parent, cg->path, sizeof(cg->path), NULL) < 0)
		return;
	cg->fd = open(cg->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC); /* clone3 refuses O_PATH */
	if (cg->fd < 0) {
		rmdir(cg->path);
		cg->path[0] = 0;
	}
}

bool cgroup_delegated(char *out, size_t len)
{
	const char *root = cgroup_v2_root();
	FILE *f = fopen("/proc/self/cgroup", "re");
	char line[320];
	bool ok = false;
	while (root && f && fgets(line, sizeof(line), f)) {
		if (strncmp(line, "0::", 3) != 0)
			continue;
		line[strcspn(line, "\n")] = 0;
		if ((size_t)snprintf(out, len, "%s%.*s", root, 300, line + 3) >= len)
			continue;
		/* An earlier ward moved this process into the leaf: the delegation is above it. */
		char *leaf = strrchr(out, '/');
		if (leaf && !strcmp(leaf, "/ward-leaf"))
			*leaf = 0;
		ok = access(out, W_OK) == 0;
	}
	if (f)
		fclose(f);
	return ok;
}

/* cgroup v2 lets a cgroup hold processes or hand controllers to its children, not both. A
 * delegated cgroup (a systemd scope) holds the caller's own processes, ward among them: move
 * every one of them into a leaf, as other delegation-aware tools do. The leaf lives as long
 * as the delegation. */
static int leave_for_leaf(const char *mine, struct ward_error *e)
{
	char leaf[512], procs[512];
	snprintf(leaf, sizeof(leaf), "%s/ward-leaf", mine);
	snprintf(procs, sizeof(procs), "%s/cgroup.procs", mine);
	if (mkdir(leaf, 0755) < 0 && errno != EEXIST) {
		ward_error_set(e, errno, "resource limits: creating %s", leaf);
		return -1;
	}
	for (int round = 0; round < 20; round++) {
		FILE *f = fopen(procs, "re");
		long pid;
		int moved = 0;
		while (f && fscanf(f, "%ld", &pid) == 1)
			moved += cg_write(leaf, "cgroup.procs", "%ld", pid) == 0;
		if (f)
			fclose(f);
		if (!moved)
			return 0;
	}
	ward_error_set(e, EBUSY, "resource limits: processes keep appearing in %s", mine);
	return -1;
}

void cgroup_sweep_all(void)
{
	char dir[384];
	const char *root = cgroup_v2_root();
	if (root && geteuid() == 0) {
		snprintf(dir, sizeof(dir), "%s/ward", root);
		cg_sweep(dir);
	} else if (cgroup_delegated(dir, sizeof(dir) - 5)) {
		strcat(dir, "/ward");
		cg_sweep(dir);
	}
	DIR *d = geteuid() == 0 ? opendir("/sys/fs/cgroup") : NULL;
	struct dirent *de;
	while (d && (de = readdir(d))) {
		if (de->d_name[0] == '.' || !strcmp(de->d_name, "unified"))
			continue;
		snprintf(dir, sizeof(dir), "/sys/fs/cgroup/%s/ward", de->d_name);
		cg_sweep(dir);
	}
	if (d)
		closedir(d);
}

void cgroup_place_supervisor(void)
{
	const char *root = cgroup_v2_root();
	char dir[160];
	if (!root || geteuid() != 0)
		return;
	snprintf(dir, sizeof(dir), "%s/ward", root);
	mkdir(dir, 0755);
	snprintf(dir, sizeof(dir), "%s/ward/" CGROUP_SUPERVISORS, root);
	if (mkdir(dir, 0755) < 0 && errno != EEXIST)
		return;
	cg_write(dir, "cgroup.procs", "0");
}

void cgroup_none(struct cgroup *cg)
{
	memset(cg, 0, sizeof(*cg));
	cg->fd = -1;
}

/* Run BACKEND's create; the handle points at it from the start, so that a failure halfway
 * is undone by cgroup_destroy. */
static int backend_create(struct cgroup *cg, const struct cgroup_ops *backend, const char *root,
                          const struct ward_limits *l, struct ward_error *e)
{
	cg->ops = backend;
	return backend->create(cg, root, l, e);
}

int cgroup_create(struct cgroup *cg, const struct ward_limits *l, struct ward_error *e)
{
	cgroup_none(cg);
	if (!limits_requested(l)) {
		group_only(cg);
		return 0;
	}
	int rc;
	if (geteuid() != 0) {
		char mine[384];
		if (!cgroup_delegated(mine, sizeof(mine))) {
			if (l->best_effort)
				return 0;
			ward_error_set(
			    e, 0,
			    "resource limits: rootless ward needs a cgroup v2 subtree delegated "
			    "to you (e.g. systemd-run --user --scope -p Delegate=yes ward ...), "
			    "and this session has none; or pass --limits best-effort for "
			    "rlimits only");
			return -1;
		}
		rc = leave_for_leaf(mine, e);
		if (rc == 0)
			rc = backend_create(cg, &cgroup_v2_ops, mine, l, e);
	} else if (cgroup_pure_v2()) {
		rc = backend_create(cg, &cgroup_v2_ops, "/sys/fs/cgroup", l, e);
	} else {
		/* Hybrid: limits on the v1 controllers, grouping and kill on the unified tree. */
		rc = backend_create(cg, &cgroup_v1_ops, cgroup_v2_root(), l, e);
		if (rc == 0)
			group_only(cg);
	}
	if (rc < 0) {
		cgroup_destroy(cg);
		if (l->best_effort)
			return 0;
	}
	return rc;
}

int cgroup_attach(const struct cgroup *cg, pid_t pid, struct ward_error *e)
{
	return cg->ops && cg->ops->attach ? cg->ops->attach(cg, pid, e) : 0;
}

bool cgroup_late_namespace(const struct cgroup *cg)
{
	return cg->ops && cg->ops->late_namespace;
}

void cgroup_usage(const struct cgroup *cg, struct ward_result *res)
{
	if (cg->ops)
		cg->ops->usage(cg, res);
}

uint64_t cgroup_oom_kills(const struct cgroup *cg)
{
	return cg->ops ? cg->ops->oom_kills(cg) : 0;
}

int cgroup_freeze(const struct cgroup *cg, bool on, struct ward_error *e)
{
	if (cg->path[0])
		return cg_freeze_v2(cg->path, on, e);
	if (cg->ops && cg->ops->freeze)
		return cg->ops->freeze(cg, on, e);
	if (geteuid() != 0)
		return ward_error_set(
		    e, 0,
		    "%s: no freezer: rootless ward freezes through a cgroup v2 subtree delegated "
		    "to you (e.g. systemd-run --user --scope -p Delegate=yes ward create ...), "
		    "and this sandbox was created without one (see 'ward doctor')",
		    on ? "pause" : "unpause");
	return ward_error_set(e, 0,
	                      "%s: no freezer: this host has neither a cgroup v2 tree nor a "
	                      "cgroup v1 freezer hierarchy (see 'ward doctor')",
	                      on ? "pause" : "unpause");
}

void cgroup_destroy(struct cgroup *cg)
{
	if (cg->fd >= 0)
		close(cg->fd);
	cg->fd = -1;
	if (cg->path[0])
		cg_remove(cg->path);
	if (cg->ops && cg->ops->destroy)
		cg->ops->destroy(cg);
	cg->ops = NULL;
	cg->path[0] = 0;
	cg->n_v1 = 0;
	cg->v2_limits = false;
}
