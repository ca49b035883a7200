/* User namespace id maps: lookups, writing a child's maps, and throwaway namespaces used
 * only to carry a mapping (for idmapped mounts). */
#ifndef WARD_IDMAP_H
#define WARD_IDMAP_H

#include <sys/types.h>

#include "spec.h"

/* The host id of container id ID under map M, or UINT32_MAX when ID is not mapped. */
uint32_t idmap_to_host(const struct ward_idmap *m, size_t n, uint32_t id);

int idmap_write(pid_t pid, const struct ward_spec *s, struct ward_error *e);

/* From inside the sandbox: maps for a user namespace nested in it, each of its ids as
 * itself (for a workload that keeps CAP_SYS_ADMIN), written through the /proc of the
 * caller's mount namespace, where PID is the process's pid in the sandbox. */
int idmap_write_identity(pid_t pid, const struct ward_spec *s, struct ward_error *e);

/* A user namespace with these uid_map and gid_map texts, held by no process: an fd for
 * mount_setattr(MOUNT_ATTR_IDMAP). Needs privilege over the ids it maps. */
int idmap_userns(const char *uid_map, const char *gid_map, struct ward_error *e);

#endif
