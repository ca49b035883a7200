/* rootfs-tools: image references in, read-only root filesystem trees and image defaults
 * out. The launcher never sees a manifest; the CLI glues the two together. */
#ifndef WARD_IMAGE_H
#define WARD_IMAGE_H

#include <stdbool.h>
#include <stdint.h>

#include "context.h"
#include "ward/image.h"

struct ward_image {
	char name[WARD_IMAGE_NAME_MAX]; /* NAME:TAG in the store */
	char id[80];                    /* the manifest digest */
	char *rootfs;                   /* the unpacked tree: never modified */
	char **env, **entrypoint, **cmd;
	char *workdir, *user;
	int tree_lock; /* held (shared) while a sandbox uses the tree: prune skips it */
	struct ward_image_config config; /* ward_image_config's answer */
};

/* The public store handle: the context that names the store. */
struct ward_store {
	const struct ward_context *ctx;
};

struct ward_image_opts {
	const struct ward_context *ctx; /* the store directory and the log */
	const char *name;               /* import under this NAME[:TAG] instead of the default */
	enum ward_pull_policy pull;     /* image_open: a registry reference not in the store */
	const struct ward_registry_opts *reg; /* may be NULL */
};

/* Import REF (oci:, oci-archive:, docker-archive:) into the store and unpack it. The name
 * it was stored under goes to NAME_OUT. */
int image_import(const char *ref, const struct ward_image_opts *o,
                 char name_out[WARD_IMAGE_NAME_MAX], struct ward_error *e);
/* A store name or id, or a reference to import or pull (O->pull) first: ready to run. */
int image_open(const char *ref, const struct ward_image_opts *o, struct ward_image *img,
               struct ward_error *e);
void image_close(struct ward_image *img);

int image_list(const struct ward_context *c, struct ward_image_info **out, size_t *n,
               struct ward_error *e);
/* Take names off; then everything nothing names is collected. */
int image_remove(const struct ward_context *c, char *const *refs, size_t n, struct ward_error *e);
/* Delete blobs and trees no name refers to, and leftovers of killed imports. */
int image_prune(const struct ward_context *c, uint64_t *freed_trees, uint64_t *freed_blobs,
                struct ward_error *e);

/* USER ("name|uid[:group|gid]", from -u or an image's config) as ids: names looked up in
 * the root's own /etc/passwd and /etc/group, opened inside ROOTFS. Without a group, the
 * user's passwd group, or the uid itself for a uid passwd does not list. */
int image_root_user(const char *rootfs, const char *user, uint32_t *uid, uint32_t *gid,
                    struct ward_error *e);

/* Pack DIR as a one-layer image named NAME; CONFIG is a JSON object of config fields
 * (Env, Cmd, Entrypoint, WorkingDir, User) or NULL. ID_OUT (may be NULL): the id. */
int image_pack(const char *dir, const char *name, const char *config_json,
               const struct ward_image_opts *o, char id_out[80], struct ward_error *e);

/* REF (a store name or id) also named NAME[:TAG]; a name taken moves to it. */
int image_tag(const char *ref, const char *name, const struct ward_image_opts *o,
              struct ward_error *e);
/* REF's history, newest first (see ward_image_history). */
int image_history(const char *ref, const struct ward_image_opts *o, struct ward_image_layer **out,
                  size_t *n, struct ward_error *e);

#endif
