/* The sandbox's cgroups: a place for every process of the sandbox, so that all of them can
 * be limited, measured and killed at once. One interface, two backends (cgroup v2; v1 for
 * hybrid and legacy hosts); nothing outside cgroup*.c knows which is in use. */
#ifndef WARD_CGROUP_H
#define WARD_CGROUP_H

#include <sys/types.h>

#include "spec.h"

#define CGROUP_V1_MAX 6

struct cgroup_ops;

struct cgroup {
	const struct cgroup_ops *ops; /* the backend holding the limits, NULL when none */
	int fd;                       /* v2 directory for CLONE_INTO_CGROUP, -1 when none */
	char path[256];               /* v2 directory of the sandbox, "" when none */
	bool v2_limits;               /* limits and usage live in path */
	char v1[CGROUP_V1_MAX][256];  /* v1 directories of the sandbox, one per hierarchy */
	size_t n_v1;
};

bool limits_requested(const struct ward_limits *l);

/* Persistent sandboxes' supervisors (root callers): moved out of the cgroup of whoever ran
 * ward create, so that stopping that (a CI job, a service) does not take the sandbox, into
 * one cgroup all of them share (no limits: it is not a sandbox's). Best effort. */
#define CGROUP_SUPERVISORS "supervisors"
/* Remove the cgroups of every supervisor that died (named after their pids). */
void cgroup_sweep_all(void);
void cgroup_place_supervisor(void);

/* An empty handle, safe to destroy. */
void cgroup_none(struct cgroup *cg);

/* Create the sandbox's cgroup(s) and write the limits. Without limits, a grouping cgroup
 * where the host lets ward make one, else none. With limits, refuses (naming what is
 * missing) when they cannot be enforced, unless l->best_effort. Removes leftovers of
 * supervisors that died. */
int cgroup_create(struct cgroup *cg, const struct ward_limits *l, struct ward_error *e);

/* Put PID into the v1 hierarchies (v2 placement happens at clone time). */
int cgroup_attach(const struct cgroup *cg, pid_t pid, struct ward_error *e);

/* The child must make its own cgroup namespace after cgroup_attach (v1 placement). */
bool cgroup_late_namespace(const struct cgroup *cg);

/* Counters for the run result. */
void cgroup_usage(const struct cgroup *cg, struct ward_result *res);

/* Processes the memory limit has killed so far (0 without one). */
uint64_t cgroup_oom_kills(const struct cgroup *cg);

/* Freeze (ON) or thaw every process of the sandbox; returns once the kernel says it is done.
 * Where the sandbox has no freezer, -1 with e saying what is missing. */
int cgroup_freeze(const struct cgroup *cg, bool on, struct ward_error *e);

/* Kill whatever is still inside and remove every directory. */
void cgroup_destroy(struct cgroup *cg);

/* The cgroup v2 directory delegated to this process (its own, or the one above the leaf
 * ward moved it into), when it may write there. */
bool cgroup_delegated(char *out, size_t len);

/* Where the cgroup v2 hierarchy is mounted, or NULL. */
const char *cgroup_v2_root(void);
/* True when /sys/fs/cgroup is a pure v2 mount. */
bool cgroup_pure_v2(void);

#endif
