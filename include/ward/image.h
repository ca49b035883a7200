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

/* Import REF (oci:DIR[:TAG], oci-archive:FILE[:TAG], docker-archive:FILE[:NAME:TAG],
 * docker://REF: a pull) and
 * unpack it, under NAME (NAME[:TAG], NULL: the reference's); the stored name goes to NAME_OUT
 * (may be NULL). */
int ward_image_import(struct ward_store *st, const char *ref, const char *name,
                      char name_out[WARD_IMAGE_NAME_MAX], struct ward_error *e);

/* A store name or id, or a reference imported first: ready to run (its tree is kept from
 * prune while open). A registry reference not in the store is pulled (as
 * ward_image_open_pull with WARD_PULL_MISSING). */
int ward_image_open(struct ward_store *st, const char *ref, struct ward_image **out,
                    struct ward_error *e);
void ward_image_close(struct ward_image *img);

/* Registries (the OCI distribution protocol, over HTTPS; plain HTTP for loopback and hosts
 * listed as insecure). Credentials come from the files docker and podman keep (see
 * ward-login(1)); progress and notes go to the context's log. */
enum ward_pull_policy { WARD_PULL_MISSING, WARD_PULL_ALWAYS, WARD_PULL_NEVER };
struct ward_registry_opts {
	const char *platform;  /* OS/ARCH[/VARIANT] from an index; NULL: this host's */
	const char *cert_dir;  /* a directory of *.crt (and client *.cert + *.key), or NULL */
	const char *auth_file; /* credentials file, NULL: the default lookup */
	const char *creds;     /* USER[:PASS], or NULL */
	bool no_tls_verify;    /* any host: no certificate check, plain HTTP allowed */
	bool quiet;            /* no progress */
};
/* Pull REF ([HOST[:PORT]/]REPO[:TAG][@sha256:HEX], short names as Docker resolves them) into
 * the store, its layers downloaded in parallel and unpacked while they arrive; an interrupted
 * pull resumes. The stored name ("python:3.12", "127.0.0.1:5000/app:1") goes to NAME_OUT
 * (may be NULL). O may be NULL. */
int ward_image_pull(struct ward_store *st, const char *ref, const struct ward_registry_opts *o,
                    char name_out[WARD_IMAGE_NAME_MAX], struct ward_error *e);
/* Push the store's IMAGE (name or id) to DEST ([HOST[:PORT]/]REPO[:TAG]; NULL: IMAGE's own
 * name): the blobs the registry lacks, then the manifest. */
int ward_image_push(struct ward_store *st, const char *image, const char *dest,
                    const struct ward_registry_opts *o, struct ward_error *e);
/* Check USER and PASSWORD against REGISTRY and store them in the auth file; logout forgets. */
int ward_registry_login(struct ward_context *c, const char *registry, const char *user,
                        const char *password, const struct ward_registry_opts *o,
                        struct ward_error *e);
int ward_registry_logout(struct ward_context *c, const char *registry,
                         const struct ward_registry_opts *o, struct ward_error *e);
/* ward_image_open with a pull policy: MISSING pulls a registry reference not in the store
 * (what ward_image_open does), ALWAYS pulls first, NEVER only looks in the store. */
int ward_image_open_pull(struct ward_store *st, const char *ref, enum ward_pull_policy policy,
                         const struct ward_registry_opts *o, struct ward_image **out,
                         struct ward_error *e);

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
