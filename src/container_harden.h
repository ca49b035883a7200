/* The user namespace run.ward.harden adds to a container that has none. */
#ifndef WARD_CONTAINER_HARDEN_H
#define WARD_CONTAINER_HARDEN_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "oci.h"

/* A free private range of 65536 host ids for container ID: *SLOT (1..; 0 means none) and the
 * host id its root maps to. */
int harden_range_take(const char *id, unsigned *slot, uint32_t *base, struct ward_error *e);
void harden_range_release(unsigned slot);
/* Create side: ROOT cloned and idmapped for PID's user namespace (a detached mount fd). */
int harden_root_tree(const char *root, pid_t pid, struct ward_error *e);
/* Child side: TREE mounted over ROOT in the container's mount namespace (closed). */
int harden_root_attach(const char *root, int tree, struct ward_error *e);

#endif
