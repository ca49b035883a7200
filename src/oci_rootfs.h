/* The container's root in OCI mode, as runc's libcontainer builds it: the config's mounts,
 * devices and /dev links, pivot_root, then sysctl, readonly and masked paths. Child side. */
#ifndef WARD_OCI_ROOTFS_H
#define WARD_OCI_ROOTFS_H

#include <stdbool.h>

#include "oci.h"

/* In the container's new mount namespace, as root there (id maps written, setresuid(0)
 * done), before the createContainer hooks: / made rslave (or per rootfsPropagation), the
 * root bound onto itself (a mount point for pivot_root), every mount of o->mounts in order,
 * linux.devices, and the /dev links (/dev/ptmx -> pts/ptmx, /dev/fd, stdin, stdout, stderr,
 * core if /proc/kcore) when /dev is ward's to fill; cwd left in the root (a host path).
 * IN_USERNS: the container has its own user namespace (devices are then bind-mounted from
 * the host's nodes, as mknod is refused there). */
int oci_rootfs_prepare(const struct oci_config *o, bool in_userns, struct ward_error *e);
/* pivot_root into it (NO_PIVOT: MS_MOVE + chroot), the old root detached; then sysctl,
 * maskedPaths, readonlyPaths, root.readonly, rootfsPropagation, as runc orders them. */
int oci_rootfs_enter(const struct oci_config *o, bool no_pivot, struct ward_error *e);

#endif
