/* Paths inside an OCI container's root: resolved without leaving it (symlinks followed as if
 * the root were /, magic links refused), missing ones created; and the small helpers the
 * root's pieces share. Internal to oci_rootfs and its files. */
#ifndef WARD_OCI_PATHS_H
#define WARD_OCI_PATHS_H

#include <stdbool.h>

#include "oci.h"

enum oci_make { OCI_MAKE_NONE, OCI_MAKE_DIR, OCI_MAKE_FILE };

/* An O_PATH fd on PATH below ROOTFD, resolved as if ROOTFD were /. Missing components are
 * made directories; a missing last one is made as MAKE says. -1 with errno. */
int oci_path_open(int rootfd, const char *path, enum oci_make make);

/* The parent directory of PATH (made if missing) as an O_PATH fd, and PATH's last component
 * in NAME (NAME_MAX + 1 bytes). -1 with errno (EINVAL for "/" or a name of "..") . */
int oci_path_parent(int rootfd, const char *path, char *name);

/* "/proc/self/fd/N" for mount(2)'s paths: the exact inode FD is open on. */
struct oci_fdpath {
	char s[32];
};
struct oci_fdpath oci_fdpath(int fd);

/* A bind remount of the mount at PATH with FLAGS; in a user namespace the flags the kernel
 * locked on SOURCE's mount (nosuid, nodev, noexec, rdonly, atime) are kept. */
int oci_remount(const char *path, unsigned long flags, const char *source);

/* Whether the container has a namespace of TYPE other than the host's. */
bool oci_has_ns(const struct oci_config *o, int type);

#endif
