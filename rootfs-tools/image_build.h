/* Images made here (pack, commit): a layer from a tree, and a config + manifest + name. */
#ifndef WARD_IMAGE_BUILD_H
#define WARD_IMAGE_BUILD_H

#include <jansson.h>
#include <stdint.h>

#include "store.h"

/* SOURCE_DATE_EPOCH as seconds (*SET false when it is not set). */
int source_date_epoch(int64_t *t, bool *set, struct ward_error *e);
/* "2026-12-07T03:00:00Z" */
void rfc3339(int64_t t, char out[32]);

/* DIR as one uncompressed tar layer blob (its digest is its DiffID), owners as the
 * sandbox sees them; *NEWEST gets the newest mtime written (clamped to SOURCE_DATE_EPOCH). */
int pack_layer(struct store *st, const char *dir, struct descriptor *layer, int64_t *newest,
               struct ward_error *e);

/* CONFIG (a full image config, its rootfs.diff_ids matching LAYERS) and a manifest over it
 * into the store, the tree unpacked, NAME (normalized) given to it; ID_OUT (may be NULL)
 * gets the manifest digest. */
int image_store_new(struct store *st, json_t *config, const struct descriptor *layers, size_t n,
                    const char *name, char id_out[80], struct ward_error *e);

#endif
