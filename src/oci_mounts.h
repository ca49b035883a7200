/* The pieces of an OCI container's root (oci_rootfs.c calls them, in runc's order). */
#ifndef WARD_OCI_MOUNTS_H
#define WARD_OCI_MOUNTS_H

#include <stdbool.h>

#include "oci.h"

/* o->mounts[I] onto its destination below ROOTFD; errors name it ("config.json: mounts[4]
 * /proc (proc): ..."). */
int oci_mount_one(int rootfd, const struct oci_config *o, size_t i, bool in_userns,
                  struct ward_error *e);

/* M is a read-only tmpfs or /dev: mounted writable, made read-only once the root is entered
 * (runc's finalizeRootfs). */
bool oci_readonly_later(const struct oci_mount *m);

/* A "cgroup" mount M: cgroup2 on a pure-v2 host, else a tmpfs holding the v1 hierarchies;
 * with the host's cgroup namespace only the container's own cgroups are bound in. */
int oci_cgroup_mount(int rootfd, const struct oci_config *o, const struct oci_mount *m,
                     bool in_userns, struct ward_error *e);

/* /dev is ward's to fill unless a bind mount provides it. */
bool oci_dev_is_ours(const struct oci_config *o);
/* linux.devices and the default ones (null, zero, full, random, urandom, tty), then the /dev
 * links. */
int oci_devices_setup(int rootfd, const struct oci_config *o, bool in_userns, struct ward_error *e);

/* After pivot_root: linux.sysctl written under /proc/sys (oci_sysctl_check, before any
 * mount, refuses keys that would change the host's namespaces), linux.readonlyPaths and
 * linux.maskedPaths. */
int oci_sysctl_check(const struct oci_config *o, struct ward_error *e);
int oci_sysctl_apply(const struct oci_config *o, struct ward_error *e);
int oci_readonly_paths(const struct oci_config *o, struct ward_error *e);
int oci_masked_paths(const struct oci_config *o, struct ward_error *e);

#endif
