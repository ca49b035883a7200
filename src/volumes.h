/* Volumes: host paths shown inside the sandbox. */
#ifndef WARD_VOLUMES_H
#define WARD_VOLUMES_H

#include "spec.h"

/* Supervisor, before the clone: open every host path (FDS gets one fd per volume). For root
 * callers each fd is already a detached, nosuid/nodev(/ro), idmapped mount. */
int volumes_open(const struct ward_spec *s, int *fds, struct ward_error *e);
void volumes_close(int *fds, size_t n);

/* Child, first thing in its mount namespace: rootless, replace each fd by a clone of the
 * host path in this namespace (open_tree() clones only the caller's own mounts). */
int volumes_prepare(const struct ward_spec *s, int *fds, struct ward_error *e);

/* Any overlay volume? (They keep their layers in the scratch tmpfs, rootfs.h.) */
bool volumes_any_overlay(const struct ward_spec *s);

/* Child, before pivot_root: mount each volume on its target inside ROOTFD (overlay volumes'
 * upper layers go to the supervisor over SOCK). -1 with E filled. */
int volumes_attach(const struct ward_spec *s, int rootfd, const int *fds, int sock,
                   struct ward_error *e);

#endif
