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

/* A detached recursive clone of the mount tree at FD with MOUNT_ATTR_* flags ATTR set on
 * every mount of it. Returns the mount fd or -1 with errno. */
int clone_tree(int fd, unsigned attr);

/* clone_tree(), attached on TARGETFD: bind mounts and read-only remounts. */
int bind_fd(int fd, int targetfd, unsigned attr);

/* open() PATH again with FLAGS (O_PATH added) and insist it is the inode EXPECT is open on;
 * ESTALE if it was replaced. For the child, whose open_tree() can only clone mounts of its
 * own mount namespace while the supervisor's fds point into the host's. */
int reopen_same(const char *path, int flags, int expect);

#endif
