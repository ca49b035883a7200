/* Child side: the sandbox's root filesystem and the switch into it. */
#ifndef WARD_ROOTFS_H
#define WARD_ROOTFS_H

#include <stdbool.h>

/* Mount the root (IDMAPPED: a detached idmapped tree from the supervisor, or -1 to clone
 * PATH, which must still be ROOTDIRFD) with a writable layer unless READ_ONLY. Returns an
 * O_PATH fd of the new root; on failure reports over SOCK and returns -1. */
int rootfs_assemble(const char *path, int rootdirfd, int idmapped, bool read_only, int sock);

/* Make ROOTFD the root and detach the host's tree. */
int rootfs_pivot(int rootfd, int sock);

#endif
