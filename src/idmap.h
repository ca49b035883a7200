/* User namespace id maps (struct ward_idmaps): choosing them for the caller, lookups,
 * writing a child's maps, and throwaway namespaces used only to carry a mapping (for
 * idmapped mounts). Shared by the launcher and rootfs-tools; needs nothing but the error
 * type. */
#ifndef WARD_IDMAP_H
#define WARD_IDMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "ward/error.h"

/* One line of a user or group map: container ids [inside, inside+count) appear as host
 * ids [outside, outside+count). */
struct ward_idmap {
	uint32_t inside;
	uint32_t outside;
	uint32_t count;
};

#define WARD_MAX_IDMAPS 4

/* The uid and gid maps of one user namespace, and how they get written. */
struct ward_idmaps {
	struct ward_idmap uid_map[WARD_MAX_IDMAPS], gid_map[WARD_MAX_IDMAPS];
	size_t n_uid_map, n_gid_map;
	bool use_newidmap; /* rootless with subordinate ids: go through newuidmap/newgidmap */
};

/* The maps for the calling user (see README: "Identity"). Root: container ids 0..65535 at
 * host ROOT_BASE (checked against /etc/subuid and /etc/subgid). Rootless: the caller is
 * container USER_ID (0: root), the other ids come from its subordinate ranges when
 * newuidmap/newgidmap are installed. */
int idmaps_default(struct ward_idmaps *m, uint32_t root_base, uint32_t user_id,
                   struct ward_error *e);

/* The host id of container id ID under map M, or UINT32_MAX when ID is not mapped. */
uint32_t idmap_to_host(const struct ward_idmap *m, size_t n, uint32_t id);

int idmap_write(pid_t pid, const struct ward_idmaps *m, struct ward_error *e);

/* From inside the sandbox: maps for a user namespace nested in it, each of its ids as
 * itself (for a workload that keeps CAP_SYS_ADMIN), written through the /proc of the
 * caller's mount namespace, where PID is the process's pid in the sandbox. */
int idmap_write_identity(pid_t pid, const struct ward_idmaps *m, struct ward_error *e);

/* A user namespace with these uid_map and gid_map texts, held by no process: an fd for
 * mount_setattr(MOUNT_ATTR_IDMAP). Needs privilege over the ids it maps. */
int idmap_userns(const char *uid_map, const char *gid_map, struct ward_error *e);

#endif
