/* fd-based mount operations: every mount lands on a target held as an fd that was resolved
 * inside the root, never on a path re-resolved later. */
#ifndef WARD_FSUTIL_H
#define WARD_FSUTIL_H

#include <stdint.h>

/* Open PATH below ROOTFD without leaving it and without following any symlink. */
int open_in_root(int rootfd, const char *path, int flags);

/* Like open_in_root for a directory; if missing and CREATE, make it first (mode 0755). */
int open_dir_in_root(int rootfd, const char *path, int create);

/* New detached filesystem: TYPE with "key=value" or "flag" options (NULL-terminated), and
 * MOUNT_ATTR_* flags. Returns the mount fd or -1 with errno. */
int fs_new(const char *type, const char *const *opts, unsigned attr);

/* Attach the detached mount MNTFD on TARGETFD. */
int mount_on(int mntfd, int targetfd);

/* Clone the mount at FD (recursively if RECURSIVE), set ATTR on the clone, attach it on
 * TARGETFD. Used for bind mounts and read-only remounts. */
int bind_fd(int fd, int targetfd, unsigned attr, int recursive);

#endif
