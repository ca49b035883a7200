/* A tree made from another by hard links: the store's tree of an image starts as its parent
 * chain's tree (the image minus its top layer) and only the top layer is unpacked into it.
 * Files are shared inodes from then on, so nothing may ever write into an existing
 * non-directory of a tree (unpack.c replaces instead). */
#ifndef WARD_TREE_LINK_H
#define WARD_TREE_LINK_H

#include "dirtimes.h"
#include "ward/error.h"

/* Fill the empty directory DST with SRC's tree: directories recreated with their owner,
 * mode and extended attributes (their times go to TIMES, to be set once everything is
 * written), every other entry hard-linked, copied where the link count or the filesystem
 * forbids a link. Never follows a symlink. Runs in the store's user namespace. */
int tree_link(int src, int dst, struct dirtimes *times, struct ward_error *e);

#endif
