/* cgroup v1 backend, for hybrid and legacy hosts: one directory per controller hierarchy. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "cgroup_backend.h"
#include "cgroup_util.h"
#include "sys.h"

#define V1 "/sys/fs/cgroup/"

/* The sandbox's directory in hierarchy CTRL (created on first use; hierarchies mounted
 * together, such as cpu,cpuacct, share one). */
static const char *dir_for(struct cgroup *cg, const char *ctrl, struct ward_error *e)
{
	char mount[PATH_MAX], parent[PATH_MAX + 8];
	snprintf(parent, sizeof(parent), V1 "%s", ctrl);
	if (!realpath(parent, mount)) {
		ward_error_set(
		    e, 0,
		    "resource limits: this host has no cgroup v1 %s controller and no cgroup "
		    "v2 tree that offers it (see 'ward doctor')",
		    ctrl);
		return NULL;
	}
	snprintf(parent, sizeof(parent), "%s/ward", mount);
	size_t plen = strlen(parent);
	for (size_t i = 0; i < cg->n_v1; i++)
		if (!strncmp(cg->v1[i], parent, plen) && cg->v1[i][plen] == '/')
			return cg->v1[i];
	if (cg->n_v1 == CGROUP_V1_MAX) {
		ward_error_set(e, 0, "resource limits: more than %d cgroup v1 hierarchies",
		               CGROUP_V1_MAX);
		return NULL;
	}
	char *out = cg->v1[cg->n_v1];
	if (cg_make(parent, out, sizeof(cg->v1[0]), e) < 0)
		return NULL;
	cg->n_v1++;
	/* A new cpuset directory starts with no CPUs and no memory nodes: inherit them. */
	if (!strcmp(ctrl, "cpuset")) {
		char cpus[256] = "", mems[256] = "", path[PATH_MAX + 32];
		snprintf(path, sizeof(path), "%s/cpuset.cpus", mount);
		FILE *f = fopen(path, "re");
		if (f && !fgets(cpus, sizeof(cpus), f))
			cpus[0] = 0;
		if (f)
			fclose(f);
		snprintf(path, sizeof(path), "%s/cpuset.mems", mount);
		f = fopen(path, "re");
		if (f && !fgets(mems, sizeof(mems), f))
			mems[0] = 0;
		if (f)
			fclose(f);
		cpus[strcspn(cpus, "\n")] = mems[strcspn(mems, "\n")] = 0;
		cg_write(parent, "cpuset.cpus", "%s", cpus);
		cg_write(parent, "cpuset.mems", "%s", mems);
		cg_write(out, "cpuset.cpus", "%s", cpus);
		cg_write(out, "cpuset.mems", "%s", mems);
	}
	return out;
}

static int limit(const char *dir, const char *file, const char *text, struct ward_error *e)
{
	if (cg_write(dir, file, "%s", text) < 0) {
		ward_error_set(e, errno, "resource limits: writing '%s' to %s/%s", text, dir, file);
		return -1;
	}
	return 0;
}

static int memory(struct cgroup *cg, const struct ward_limits *l, struct ward_error *e)
{
	const char *d = dir_for(cg, "memory", e);
	if (!d)
		return -1;
	if (!l->memory)
		return 0;
	char v[32];
	snprintf(v, sizeof(v), "%llu", (unsigned long long)l->memory);
	if (limit(d, "memory.limit_in_bytes", v, e) < 0)
		return -1;
	uint64_t swap = l->swap < 0 ? 0 : (uint64_t)l->swap;
	snprintf(v, sizeof(v), "%llu", (unsigned long long)(l->memory + swap));
	char path[512];
	snprintf(path, sizeof(path), "%s/memory.memsw.limit_in_bytes", d);
	if (access(path, F_OK) == 0)
		return limit(d, "memory.memsw.limit_in_bytes", v, e);
	/* No swap accounting: keep the sandbox out of swap as far as v1 allows. */
	if (swap == 0)
		return limit(d, "memory.swappiness", "0", e);
	ward_error_set(e, 0,
	               "--memory-swap: this kernel has no cgroup v1 swap accounting "
	               "(boot with swapaccount=1)");
	return -1;
}

static int cpu(struct cgroup *cg, const struct ward_limits *l, struct ward_error *e)
{
	if (!l->cpu_quota && !l->cpu_weight)
		return 0;
	const char *d = dir_for(cg, "cpu", e);
	if (!d)
		return -1;
	char v[32];
	if (l->cpu_quota) {
		snprintf(v, sizeof(v), "%llu", (unsigned long long)l->cpu_period);
		if (limit(d, "cpu.cfs_period_us", v, e) < 0)
			return -1;
		snprintf(v, sizeof(v), "%llu", (unsigned long long)l->cpu_quota);
		if (limit(d, "cpu.cfs_quota_us", v, e) < 0)
			return -1;
	}
	if (l->cpu_weight) {
		/* v2's weight 100 is v1's 1024 shares */
		unsigned long shares = (unsigned long)l->cpu_weight * 1024 / 100;
		snprintf(v, sizeof(v), "%lu", shares < 2 ? 2 : shares);
		if (limit(d, "cpu.shares", v, e) < 0)
			return -1;
	}
	return 0;
}

static int blkio(struct cgroup *cg, const struct ward_limits *l, struct ward_error *e)
{
	if (!l->n_io)
		return 0;
	const char *d = dir_for(cg, "blkio", e);
	if (!d)
		return -1;
	for (size_t i = 0; i < l->n_io; i++) {
		const struct ward_io_limit *io = &l->io[i];
		const struct {
			const char *file;
			uint64_t v;
		} rules[] = {
		    {"blkio.throttle.read_bps_device", io->rbps},
		    {"blkio.throttle.write_bps_device", io->wbps},
		    {"blkio.throttle.read_iops_device", io->riops},
		    {"blkio.throttle.write_iops_device", io->wiops},
		};
		for (size_t k = 0; k < 4; k++) {
			char v[64];
			snprintf(v, sizeof(v), "%u:%u %llu", io->major, io->minor,
			         (unsigned long long)rules[k].v);
			if (rules[k].v && limit(d, rules[k].file, v, e) < 0)
				return -1;
		}
	}
	return 0;
}

static int create(struct cgroup *cg, const char *root, const struct ward_limits *l,
                  struct ward_error *e)
{
	/* memory, pids and cpuacct are always made: they say what the sandbox used. */
	if (memory(cg, l, e) < 0)
		return -1;
	const char *d = dir_for(cg, "pids", e);
	if (!d)
		return -1;
	char v[32];
	snprintf(v, sizeof(v), "%llu", (unsigned long long)l->pids);
	if (l->pids && limit(d, "pids.max", v, e) < 0)
		return -1;
	if (cpu(cg, l, e) < 0 || !dir_for(cg, "cpuacct", e))
		return -1;
	if (l->cpuset[0]) {
		d = dir_for(cg, "cpuset", e);
		if (!d || limit(d, "cpuset.cpus", l->cpuset, e) < 0)
			return -1;
	}
	if (blkio(cg, l, e) < 0)
		return -1;
	/* Without a v2 tree to group on (ROOT, legacy hosts), pause needs the v1 freezer. */
	if (!root && access(V1 "freezer", F_OK) == 0 && !dir_for(cg, "freezer", e))
		return -1;
	return 0;
}

static const char *find(const struct cgroup *cg, const char *ctrl)
{
	char mount[PATH_MAX], link[64];
	snprintf(link, sizeof(link), V1 "%s", ctrl);
	if (!realpath(link, mount))
		return NULL;
	size_t n = strlen(mount);
	for (size_t i = 0; i < cg->n_v1; i++)
		if (!strncmp(cg->v1[i], mount, n) && cg->v1[i][n] == '/')
			return cg->v1[i];
	return NULL;
}

static uint64_t oom_kills(const struct cgroup *cg)
{
	uint64_t v = 0;
	const char *d = find(cg, "memory");
	if (d)
		cg_read_u64(d, "memory.oom_control", "oom_kill", &v);
	return v;
}

static void usage(const struct cgroup *cg, struct ward_result *res)
{
	uint64_t v;
	const char *d;
	res->have_usage = true;
	res->oom_kills = oom_kills(cg);
	if ((d = find(cg, "memory"))) {
		if (cg_read_u64(d, "memory.max_usage_in_bytes", NULL, &v) == 0)
			res->memory_peak = v;
	}
	if ((d = find(cg, "pids")) && cg_read_u64(d, "pids.events", "max", &v) == 0)
		res->pids_limit_hits = v;
	if ((d = find(cg, "cpuacct")) && cg_read_u64(d, "cpuacct.usage", NULL, &v) == 0)
		res->cpu_usec = v / 1000;
}

/* Processes are written into each hierarchy after the clone. */
static int attach(const struct cgroup *cg, pid_t pid, struct ward_error *e)
{
	for (size_t i = 0; i < cg->n_v1; i++)
		if (cg_write(cg->v1[i], "cgroup.procs", "%d", pid) < 0)
			return ward_error_set(e, errno, "cgroup: moving the sandbox into %s",
			                      cg->v1[i]);
	return 0;
}

/* v1 has no notification: freezer.state reads FREEZING until every task is frozen. */
static int freeze(const struct cgroup *cg, bool on, struct ward_error *e)
{
	const char *what = on ? "pause" : "unpause";
	const char *d = find(cg, "freezer");
	if (!d)
		return ward_error_set(e, 0,
		                      "%s: no freezer: this sandbox has no cgroup v1 freezer "
		                      "directory (see 'ward doctor')",
		                      what);
	if (cg_write(d, "freezer.state", on ? "FROZEN" : "THAWED") < 0)
		return ward_error_set(e, errno, "%s: writing %s/freezer.state", what, d);
	char path[512], state[32];
	snprintf(path, sizeof(path), "%s/freezer.state", d);
	for (int i = 0; i < 10000; i++) {
		FILE *f = fopen(path, "re");
		bool got = f && fgets(state, sizeof(state), f);
		if (f)
			fclose(f);
		if (got && !strncmp(state, on ? "FROZEN" : "THAWED", 6))
			return 0;
		nanosleep(&(struct timespec){.tv_nsec = 1000 * 1000}, NULL);
	}
	return ward_error_set(e, ETIMEDOUT, "%s: %s stayed %s", what, d,
	                      on ? "FREEZING" : "frozen");
}

static void destroy(struct cgroup *cg)
{
	for (size_t i = 0; i < cg->n_v1; i++)
		cg_remove(cg->v1[i]);
	cg->n_v1 = 0;
}

const struct cgroup_ops cgroup_v1_ops = {
    .name = "v1",
    .create = create,
    .attach = attach,
    .usage = usage,
    .oom_kills = oom_kills,
    .freeze = freeze,
    .destroy = destroy,
    .late_namespace = true,
};
