/* The steps of an import, shared by import, run, pack and the store commands. */
#ifndef WARD_IMPORT_H
#define WARD_IMPORT_H

#include "image.h"
#include "source.h"

/* Follow indexes from D to this platform's manifest; D becomes the manifest's. */
int resolve_manifest(struct store *st, struct source *src, struct descriptor *d,
                     struct ward_error *e);
/* Parse the manifest MD and its config, fetched into the store, and the layers too if
 * LAYERS. */
int load_image(struct store *st, struct source *src, const struct descriptor *md,
               struct manifest *m, struct image_config *c, bool layers, struct ward_error *e);
/* Layers that reach the store while they are unpacked (a layout directory's copier, a
 * pull's downloads). */
struct layer_feed {
	/* Layer I's blob bytes for the unpack, in order (a file, or a pipe fed while it
	 * downloads); the unpack closes it. Called only for layers that are unpacked. */
	int (*open)(void *arg, size_t i, struct ward_error *e);
	/* Every layer verified in the store, or the first failure: before a new tree is
	 * named, and at the end of ensure_tree in every case (a second call returns 0 at
	 * once). ABORT: the tree failed; only stop what still runs. */
	int (*finish)(void *arg, bool abort, struct ward_error *e);
	void *arg;
};

/* The unpacked tree of the image (unpacked now if missing); its path to PATH. Layers come
 * from FEED when given, else from the store's blobs. */
int ensure_tree(struct store *st, const struct manifest *m, const struct image_config *c,
                const struct layer_feed *feed, char **path, struct ward_error *e);
int store_remove_tree(struct store *st, const char *name, struct ward_error *e);
/* NAME now means the manifest MD. */
int tag_image(struct store *st, const char *name, const struct descriptor *md,
              struct ward_error *e);
int import_ref(struct store *st, const struct image_ref *ref, const char *name,
               struct descriptor *md, char *name_out, size_t name_len, struct ward_error *e);
/* The entry of INDEX that TEXT names: NAME[:TAG] (":latest" implied), or an id (the
 * manifest digest, or a prefix of at least 6 hex digits matching one image). */
int index_find(struct store *st, json_t *index, const char *text, size_t *pos, bool *by_id,
               struct ward_error *e);
/* TEXT (a store name or id) → its index entry's descriptor and name. */
int store_lookup(struct store *st, const char *text, struct descriptor *d, char *name,
                 struct ward_error *e);
/* docker save output → an OCI manifest in the store (D); NAME gets its RepoTag. */
int docker_convert(struct store *st, struct source *src, const char *tag, struct descriptor *d,
                   char *name, size_t name_len, struct ward_error *e);

#endif
