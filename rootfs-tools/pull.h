/* Registry pull and push: a reference's manifest, config and layers into the store, and an
 * image's blobs and manifest out to a registry. */
#ifndef WARD_PULL_H
#define WARD_PULL_H

#include "manifest.h"
#include "registry.h"
#include "store.h"
#include "ward/image.h"

/* REF from its registry into ST, named (registry_ref_name) once every blob is verified and
 * the tree unpacked. The name goes to NAME_OUT, the manifest's descriptor to MD. */
int image_pull(struct store *st, const char *ref, const struct ward_registry_opts *o,
               char name_out[WARD_IMAGE_NAME_MAX], struct descriptor *md, struct ward_error *e);
/* The store's image IMAGE to DEST ([HOST[:PORT]/]REPO[:TAG]; NULL: IMAGE's own name). */
int image_push(struct store *st, const char *image, const char *dest,
               const struct ward_registry_opts *o, struct ward_error *e);
/* The registry client's options for O. */
struct registry_opts pull_registry_opts(const struct ward_context *c,
                                        const struct ward_registry_opts *o, enum registry_access a);

/* Layers downloading (pull_feed.c): up to four at once over REG, each into tmp/ as a
 * partial file that a later pull resumes, committed when its digest matches. The feed's
 * open(i) is a pipe fed from layer i's partial file as it grows. */
struct downloads;
int downloads_start(struct store *st, struct registry *reg, const struct manifest *m, bool quiet,
                    struct downloads **out, struct ward_error *e);
int downloads_open(void *arg, size_t i, struct ward_error *e);
int downloads_finish(void *arg, bool abort, struct ward_error *e);
/* The first download's failure, if one failed (-1, E set). */
int downloads_error(struct downloads *d, struct ward_error *e);
/* Finishes (aborting) if needed, and frees. */
void downloads_free(struct downloads *d);

#endif
