/* Child side: the sandbox's root filesystem and the switch into it. */
#ifndef WARD_ROOTFS_H
#define WARD_ROOTFS_H

#include <stdbool.h>
#include <stdint.h>

#include "ward/error.h"

/* A host directory that always exists; the sandbox's private tmpfs is mounted over it in the
 * sandbox's own mount namespace only, so the host never sees anything there. It holds the
 * root's layers and the overlay volumes' layers until pivot_root. */
#define ROOTFS_SCRATCH "/tmp"

/* Mount the root (IDMAPPED: a detached idmapped tree from the supervisor, or -1 to clone
 * PATH, which must still be ROOTDIRFD) with a writable layer unless READ_ONLY. SCRATCH: the
 * scratch tmpfs is wanted even when READ_ONLY (overlay volumes). Returns an O_PATH fd of the
 * new root, or -1 with E filled. DISK, when not 0, caps the
 * writable layer's bytes (and inodes, one per 8 KiB). LAYER_IN (-1: none): a saved layer
 * (tar) restored into the writable layer before the overlay is mounted. UPPER (NULL: not
 * wanted) gets the writable layer's upper directory (O_RDONLY), -1 when READ_ONLY. */
int rootfs_assemble(const char *path, int rootdirfd, int idmapped, bool read_only, bool scratch,
                    uint64_t disk, int layer_in, int *upper, struct ward_error *e);

/* Make ROOTFD the root and detach the host's tree; -1 with E filled. */
int rootfs_pivot(int rootfd, struct ward_error *e);

#endif
