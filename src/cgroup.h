/* The sandbox's own cgroup: a place to put every process of the sandbox so that all of them
 * can be killed at once and nothing is left when ward goes. */
#ifndef WARD_CGROUP_H
#define WARD_CGROUP_H

#include "ward.h"

struct cgroup {
	int fd; /* directory fd of the sandbox's cgroup directory, -1 when none */
	char path[256];
};

/* Create the sandbox's cgroup where the host lets ward make one (a writable cgroup v2
 * hierarchy); otherwise leave cg->fd at -1 and succeed. Removes leftovers of supervisors
 * that died. */
int cgroup_create(struct cgroup *cg, struct ward_error *e);

/* Kill whatever is still inside and remove the cgroup. */
void cgroup_destroy(struct cgroup *cg);

/* Where ward keeps its cgroups on this host, or NULL when it cannot. */
const char *cgroup_v2_root(void);

#endif
