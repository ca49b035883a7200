/* cgroup v2 backend: one directory, limits in its interface files, cgroup.kill. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "cgroup_backend.h"
#include "cgroup_util.h"
#include "sys.h"

/* Controllers the limits need, as named in cgroup.controllers. */
static void needed(const struct ward_limits *l, const char **list, size_t *n)
{
	*n = 0;
	list[(*n)++] = "memory";
	list[(*n)++] = "pids";
	if (l->cpu_quota || l->cpu_weight)
		list[(*n)++] = "cpu";
	if (l->cpuset[0])
		list[(*n)++] = "cpuset";
	if (l->n_io)
		list[(*n)++] = "io";
}

static bool offers(const char *dir, const char *ctrl)
{
	char path[512], line[512];
	snprintf(path, sizeof(path), "%s/cgroup.controllers", dir);
	FILE *f = fopen(path, "re");
	bool found = false;
	if (f && fgets(line, sizeof(line), f))
		for (char *save = NULL, *t = strtok_r(line, " \n", &save); t;
		     t = strtok_r(NULL, " \n", &save))
			found |= !strcmp(t, ctrl);
	if (f)
		fclose(f);
	return found;
}

static int enable(const char *dir, const char **list, size_t n, struct ward_error *e)
{
	for (size_t i = 0; i < n; i++) {
		if (!offers(dir, list[i])) {
			ward_error_set(
			    e, 0,
			    "resource limits: the cgroup v2 tree at %s does not offer the %s "
			    "controller (see 'ward doctor')",
			    dir, list[i]);
			return -1;
		}
		if (cg_write(dir, "cgroup.subtree_control", "+%s", list[i]) < 0) {
			int err = errno;
			const char *why =
			    err == EBUSY   ? " (other processes live there; start ward in "
			                     "a cgroup of its own, e.g. a systemd scope)"
			    : err == EPERM ? " (the delegation withholds this controller; "
			                     "systemd hands out cpu, memory, pids and io)"
			                   : "";
			ward_error_set(e, err, "resource limits: enabling %s in %s%s", list[i], dir,
			               why);
			return -1;
		}
	}
	return 0;
}

static int limit(const char *dir, const char *file, struct ward_error *e, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int limit(const char *dir, const char *file, struct ward_error *e, const char *fmt, ...)
{
	char text[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	if (cg_write(dir, file, "%s", text) < 0) {
		ward_error_set(e, errno, "resource limits: writing '%s' to %s/%s", text, dir, file);
		return -1;
	}
	return 0;
}

static int create(struct cgroup *cg, const char *root, const struct ward_limits *l,
                  struct ward_error *e)
{
	const char *list[8];
	size_t n;
	needed(l, list, &n);
	char parent[384];
	snprintf(parent, sizeof(parent), "%s/ward", root);
	if (enable(root, list, n, e) < 0 || cg_make(parent, cg->path, sizeof(cg->path), e) < 0 ||
	    enable(parent, list, n, e) < 0)
		return -1;
	cg->v2_limits = true;
	const char *d = cg->path;
	if (l->memory) {
		int64_t swap = l->swap < 0 ? 0 : l->swap;
		/* An OOM kill takes the whole sandbox, not one process of it. */
		if (limit(d, "memory.max", e, "%llu", (unsigned long long)l->memory) < 0 ||
		    limit(d, "memory.oom.group", e, "1") < 0)
			return -1;
		if (cg_write(d, "memory.swap.max", "%lld", (long long)swap) < 0 && swap > 0) {
			ward_error_set(e, errno,
			               "--memory-swap: this kernel has no swap accounting");
			return -1;
		}
	}
	if (l->pids && limit(d, "pids.max", e, "%llu", (unsigned long long)l->pids) < 0)
		return -1;
	if (l->cpu_quota && limit(d, "cpu.max", e, "%llu %llu", (unsigned long long)l->cpu_quota,
	                          (unsigned long long)l->cpu_period) < 0)
		return -1;
	if (l->cpu_weight && limit(d, "cpu.weight", e, "%u", l->cpu_weight) < 0)
		return -1;
	if (l->cpuset[0] && limit(d, "cpuset.cpus", e, "%s", l->cpuset) < 0)
		return -1;
	for (size_t i = 0; i < l->n_io; i++) {
		const struct ward_io_limit *io = &l->io[i];
		char text[200];
		int k = snprintf(text, sizeof(text), "%u:%u", io->major, io->minor);
		if (io->rbps)
			k += snprintf(text + k, sizeof(text) - (size_t)k, " rbps=%llu",
			              (unsigned long long)io->rbps);
		if (io->wbps)
			k += snprintf(text + k, sizeof(text) - (size_t)k, " wbps=%llu",
			              (unsigned long long)io->wbps);
		if (io->riops)
			k += snprintf(text + k, sizeof(text) - (size_t)k, " riops=%llu",
			              (unsigned long long)io->riops);
		if (io->wiops)
			snprintf(text + k, sizeof(text) - (size_t)k, " wiops=%llu",
			         (unsigned long long)io->wiops);
		if (limit(d, "io.max", e, "%s", text) < 0)
			return -1;
	}
	char leaf[320];
	snprintf(leaf, sizeof(leaf), "%s/" CGROUP_SANDBOX_LEAF, d);
	if (enable(d, list, n, e) < 0)
		return -1;
	if (mkdir(leaf, 0755) < 0) {
		ward_error_set(e, errno, "cgroup: creating %s", leaf);
		return -1;
	}
	cg->fd = open(leaf, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (cg->fd < 0) {
		ward_error_set(e, errno, "cgroup: opening %s", leaf);
		return -1;
	}
	return 0;
}

static uint64_t oom_kills(const struct cgroup *cg)
{
	uint64_t v = 0;
	cg_read_u64(cg->path, "memory.events", "oom_kill", &v);
	return v;
}

static void usage(const struct cgroup *cg, struct ward_result *res)
{
	uint64_t v;
	res->have_usage = true;
	res->oom_kills = oom_kills(cg);
	/* Kernels differ in where a refused fork is counted: the limiting cgroup, or the one
	 * the fork happened in. */
	char leaf[320];
	snprintf(leaf, sizeof(leaf), "%s/" CGROUP_SANDBOX_LEAF, cg->path);
	if (cg_read_u64(cg->path, "pids.events", "max", &v) == 0)
		res->pids_limit_hits = v;
	if (cg_read_u64(leaf, "pids.events", "max", &v) == 0 && v > res->pids_limit_hits)
		res->pids_limit_hits = v;
	if (cg_read_u64(cg->path, "memory.peak", NULL, &v) == 0)
		res->memory_peak = v;
	if (cg_read_u64(cg->path, "cpu.stat", "usage_usec", &v) == 0)
		res->cpu_usec = v;
}

/* Processes are placed at clone time (CLONE_INTO_CGROUP into cg->fd), and cg->path is all
 * there is to remove. */
const struct cgroup_ops cgroup_v2_ops = {
    .name = "v2",
    .create = create,
    .usage = usage,
    .oom_kills = oom_kills,
};
