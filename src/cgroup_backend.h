/* What a cgroup backend implements; only cgroup.c calls these, through the table the
 * handle points at. */
#ifndef WARD_CGROUP_BACKEND_H
#define WARD_CGROUP_BACKEND_H

#include "cgroup.h"

struct cgroup_ops {
	const char *name;
	/* Make the sandbox's directories and write the limits. ROOT: v2, the tree or the
	 * delegated cgroup to work under; v1, the v2 tree the sandbox is also grouped on, or
	 * NULL (then v1 makes a freezer directory for pause). */
	int (*create)(struct cgroup *cg, const char *root, const struct ward_limits *l,
	              struct ward_error *e);
	/* Put PID into the sandbox's cgroups; NULL when placement happens at clone time. */
	int (*attach)(const struct cgroup *cg, pid_t pid, struct ward_error *e);
	/* Counters for the run result. */
	void (*usage)(const struct cgroup *cg, struct ward_result *res);
	/* Processes the memory limit has killed so far. */
	uint64_t (*oom_kills)(const struct cgroup *cg);
	/* Freeze or thaw through the backend's own freezer; NULL when it has none (v2: cgroup.c
	 * freezes cg->path, where every sandbox cgroup has cgroup.freeze). */
	int (*freeze)(const struct cgroup *cg, bool on, struct ward_error *e);
	/* Remove the backend's own directories (cg->path is removed by cgroup.c); may be NULL. */
	void (*destroy)(struct cgroup *cg);
	/* The child makes its own cgroup namespace after attach (placement after the clone). */
	bool late_namespace;
};

extern const struct cgroup_ops cgroup_v1_ops, cgroup_v2_ops;

#endif
