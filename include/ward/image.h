/* ward/image.h: the image store (an OCI image layout) and images ready to run. */
#ifndef WARD_IMAGE_H_PUBLIC
#define WARD_IMAGE_H_PUBLIC

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ward/context.h"
#include "ward/error.h"

#define WARD_IMAGE_NAME_MAX 256

struct ward_store;
struct ward_image;

/* The context's store (made when missing); progress and notes go to the context's log. */
int ward_store_open(struct ward_context *c, struct ward_store **out, struct ward_error *e);
void ward_store_close(struct ward_store *st);

/* Import REF (oci:DIR[:TAG], oci-archive:FILE[:TAG], docker-archive:FILE[:NAME:TAG]) and
 * unpack it, under NAME (NAME[:TAG], NULL: the reference's); the stored name goes to NAME_OUT
 * (may be NULL). */
int ward_image_import(struct ward_store *st, const char *ref, const char *name,
                      char name_out[WARD_IMAGE_NAME_MAX], struct ward_error *e);

/* A store name or id, or a reference imported first: ready to run (its tree is kept from
 * prune while open). */
int ward_image_open(struct ward_store *st, const char *ref, struct ward_image **out,
                    struct ward_error *e);
void ward_image_close(struct ward_image *img);

/* An open image's name, id and config; valid while it is open. */
struct ward_image_config {
	const char *name;   /* NAME:TAG in the store (opened by id: a name it has) */
	const char *id;     /* the manifest digest */
	const char *rootfs; /* the unpacked tree: never modified */
	char *const *env, *const *entrypoint, *const *cmd; /* NULL-terminated, may be NULL */
	const char *workdir, *user;                        /* may be NULL */
};
const struct ward_image_config *ward_image_config(const struct ward_image *img);

struct ward_image_info {
	char name[WARD_IMAGE_NAME_MAX];
	char id[80];
	uint64_t size; /* compressed, all layers */
	unsigned layers;
	bool unpacked;
};
/* Every name in the store; *out is malloc'ed. */
int ward_image_list(struct ward_store *st, struct ward_image_info **out, size_t *n,
                    struct ward_error *e);
/* Take names (or ids) off; then everything nothing names is collected. */
int ward_image_remove(struct ward_store *st, char *const *refs, size_t n, struct ward_error *e);
/* Delete blobs and trees no name refers to, and leftovers of killed imports. */
int ward_image_prune(struct ward_store *st, uint64_t *freed_trees, uint64_t *freed_blobs,
                     struct ward_error *e);
/* Pack DIR as a one-layer image named NAME; CONFIG_JSON is a JSON object of config fields
 * (Env, Cmd, Entrypoint, WorkingDir, User) or NULL. The same DIR packed twice gives the same
 * id (ID_OUT, may be NULL). */
int ward_image_pack(struct ward_store *st, const char *dir, const char *name,
                    const char *config_json, char id_out[80], struct ward_error *e);
/* Name REF (a name or id in the store) also NAME[:TAG] (a name taken is moved). */
int ward_image_tag(struct ward_store *st, const char *ref, const char *name, struct ward_error *e);

/* One entry of an image's history, newest first. */
struct ward_image_layer {
	char digest[80]; /* the layer's blob, "" for an entry that made no layer */
	uint64_t size;   /* bytes of the blob */
	int64_t created_ms;
	char *created_by; /* may be NULL */
	char *comment;    /* may be NULL */
};
int ward_image_history(struct ward_store *st, const char *ref, struct ward_image_layer **out,
                       size_t *n, struct ward_error *e);
void ward_image_history_free(struct ward_image_layer *v, size_t n);

#endif
