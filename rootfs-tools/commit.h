/* ward commit's store side: a new image from a base image (or a root directory) and one more
 * layer, the sandbox's changes as an OCI tar. */
#ifndef WARD_COMMIT_H
#define WARD_COMMIT_H

#include "ward/error.h"
#include "ward/image.h"

struct image_commit_config {
	char *const *env, *const *entrypoint, *const *cmd;
	const char *workdir, *user;
};

/* A new image NAME[:TAG]: BASE's layers (a store name or id; NULL: ROOTFS packed as the
 * first layer) plus the uncompressed OCI tar layer read from LAYER_FD (from offset 0), with
 * CFG as its config (fields NULL: the base's) and one history entry (created_by
 * "ward commit", COMMENT). ID_OUT gets the new manifest's digest. */
int store_commit(struct ward_store *st, const char *base, const char *rootfs, int layer_fd,
                 const char *name, const char *comment, const struct image_commit_config *cfg,
                 char id_out[80], struct ward_error *e);

#endif
