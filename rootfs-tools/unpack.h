/* Applying image layers to a directory, treating every byte of them as hostile. */
#ifndef WARD_UNPACK_H
#define WARD_UNPACK_H

#include <stdint.h>

#include "layer_stream.h"
#include "ward/error.h"

struct unpack_layer {
	int fd; /* the verified blob, read from its start */
	enum compression comp;
	const char *diff_id; /* the config's rootfs.diff_ids[i] */
	const char *digest;  /* for messages */
	uint64_t size;       /* compressed size, for progress */
};

struct unpack_limits {
	uint64_t max_bytes;   /* uncompressed, all layers together */
	uint64_t max_entries; /* all layers together */
};

struct unpack_stats {
	uint64_t entries, bytes;
	uint64_t devices; /* device nodes not created */
	uint64_t xattrs;  /* extended attributes dropped */
	uint64_t owners;  /* entries whose owner could not be mapped, left to container root */
};

/* Called now and then with compressed bytes done of TOTAL. */
typedef void (*unpack_progress_fn)(void *arg, size_t layer, size_t n_layers, uint64_t done,
                                   uint64_t total);

/* Apply LAYERS in order onto the empty directory ROOTFD. On failure the message names the
 * layer, the entry and the reason; the directory is left for the caller to delete. */
int unpack_layers(int rootfd, const struct unpack_layer *layers, size_t n,
                  const struct unpack_limits *lim, struct unpack_stats *st,
                  unpack_progress_fn progress, void *parg, struct ward_error *e);

/* Remove NAME under DIRFD and everything below it, never following a symlink. */
int remove_tree(int dirfd, const char *name);
/* Everything in the directory DIRFD, which stays. */
int remove_contents(int dirfd);

#endif
