/* Applying image layers to a directory, treating every byte of them as hostile. */
#ifndef WARD_UNPACK_H
#define WARD_UNPACK_H

#include <stdbool.h>
#include <stdint.h>

#include "dirtimes.h"
#include "layer_stream.h"
#include "ward/error.h"

struct unpack_layer {
	int fd; /* the verified blob, read from its start */
	enum compression comp;
	const char *diff_id; /* the config's rootfs.diff_ids[i] */
	const char *digest;  /* for messages */
	uint64_t size;       /* compressed size, for progress */
	size_t number;       /* its place in the image (from 1), for messages; 0: in LAYERS */
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

/* The same onto a tree already holding the layers below (made by tree_link): ST is not
 * reset (the limits count what every call of one import applied), and TIMES (those of the
 * directories already there) are set at the end before the layers' own, then freed. Nothing
 * in the tree is ever written in place: an entry that replaces a non-directory unlinks it
 * first, since its inode may be shared with other trees. */
int unpack_layers_onto(int rootfd, const struct unpack_layer *layers, size_t n,
                       const struct unpack_limits *lim, struct unpack_stats *st,
                       struct dirtimes *times, unpack_progress_fn progress, void *parg,
                       struct ward_error *e);
/* The extended attributes an unpack keeps. */
bool unpack_xattr_allowed(const char *name);

/* Remove NAME under DIRFD and everything below it, never following a symlink. */
int remove_tree(int dirfd, const char *name);
/* Everything in the directory DIRFD, which stays. */
int remove_contents(int dirfd);

#endif
