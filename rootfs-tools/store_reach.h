/* Reachability in the store: what prune keeps, and what ls reports. */
#ifndef WARD_STORE_REACH_H
#define WARD_STORE_REACH_H

#include "image.h"
#include "store.h"

struct pathset;

/* The ChainIDs of every prefix of C's layers: OUT[i] (of C->n_diff_ids) names the tree of
 * layers 1..i+1, the tree its image shares with every image built on the same layers. */
void image_chain_ids(const struct image_config *c, char (*out)[DIGEST_LEN + 1]);
/* Everything reachable from D: its blobs into BLOBS, its tree and every prefix tree below
 * it (ChainID hex) into TREES; INFO (may be NULL) gets its layers, size and unpacked. */
void store_mark(struct store *st, struct descriptor d, struct pathset *blobs, struct pathset *trees,
                struct ward_image_info *info, int depth);
/* Every tree a named image needs, as ChainID hex, into TREES. */
/* What every image INDEX names reaches: its blobs and trees (each prefix tree too). */
void store_mark_index(struct store *st, json_t *index, struct pathset *blobs,
                      struct pathset *trees);
int store_named_trees(struct store *st, struct pathset *trees, struct ward_error *e);

#endif
