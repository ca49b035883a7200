/* The cgroups of an OCI container (ward oci), as runc's cgroupfs driver makes them: one
 * directory per mounted v1 hierarchy plus one in the unified tree, at linux.cgroupsPath, with
 * linux.resources written into them. Unlike ward's own sandboxes (cgroup.c), the engine picks
 * the place (a Kubernetes pod's cgroup, say) and the limits. */
#ifndef WARD_OCI_CGROUP_H
#define WARD_OCI_CGROUP_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "oci.h"
#include "ward/error.h"

#define OCI_CG_V1_MAX 16

struct oci_cgroup {
	char v2[512]; /* unified-tree directory, "" when none */
	char v1[OCI_CG_V1_MAX]
	       [512]; /* one directory per v1 hierarchy, e.g. /sys/fs/cgroup/memory/P */
	size_t n_v1;
};

/* The container's cgroup at CGROUPS_PATH, as runc reads it: absolute, from each hierarchy's
 * root; relative, under the caller's own cgroup (v2: under its parent, where controllers can
 * be enabled); NULL or "", ID relative, as runc does. "slice:prefix:name" (systemd's form) is
 * refused. Made in every hierarchy (existing parents reused) and R written, with runc's
 * default device rules after R's. Rootless: a hierarchy ward cannot write to is left out,
 * and refused only when R asks for something in it. On failure nothing made is left. */
int oci_cgroup_create(struct oci_cgroup *cg, const char *cgroups_path, const char *id,
                      const struct oci_resources *r, struct ward_error *e);
/* update: write what R sets (devices only when R has a devices list). */
int oci_cgroup_apply(const struct oci_cgroup *cg, const struct oci_resources *r,
                     struct ward_error *e);
/* PID into every hierarchy. */
int oci_cgroup_attach(const struct oci_cgroup *cg, pid_t pid, struct ward_error *e);
/* Every process inside, sub-cgroups included (*PIDS malloc'd, the caller frees). */
int oci_cgroup_pids(const struct oci_cgroup *cg, pid_t **pids, size_t *n, struct ward_error *e);
/* v1 freezer, else v2 cgroup.freeze; returns once the kernel says it is done. */
int oci_cgroup_freeze(const struct oci_cgroup *cg, bool on, struct ward_error *e);
bool oci_cgroup_frozen(const struct oci_cgroup *cg);
/* SIG to every process inside: cgroup.kill for SIGKILL where the kernel has it, else each
 * pid with the cgroup frozen meanwhile (no fork escapes). A paused container stays paused,
 * except for SIGKILL. */
int oci_cgroup_signal_all(const struct oci_cgroup *cg, int sig, struct ward_error *e);
/* Kill what is left, wait (bounded) until empty, remove the leaf (and sub-cgroups) in each
 * hierarchy; parents stay. */
void oci_cgroup_destroy(const struct oci_cgroup *cg);

/* For the container's record: {"v2": DIR, "v1": [DIR...]}. load checks each DIR is under
 * /sys/fs/cgroup. */
json_t *oci_cgroup_save(const struct oci_cgroup *cg);
int oci_cgroup_load(struct oci_cgroup *cg, json_t *saved, struct ward_error *e);

/* runc's conversions to cgroup v2 values: v1 shares (2..262144) to cpu.weight (1..10000);
 * v1 memory+swap to memory.swap.max (-1: "max"; 0: leave alone). */
uint64_t oci_cg_shares_to_weight(uint64_t shares);
int oci_cg_swap_v2(int64_t memory_swap, int64_t memory, int64_t *out, struct ward_error *e);

#endif
