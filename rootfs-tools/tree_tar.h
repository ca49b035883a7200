/* A directory tree written as tar entries, walked through fds without following symlinks:
 * for ward image pack, and for the changes of overlay volumes (an overlayfs upper layer,
 * whose whiteouts become OCI .wh. entries). */
#ifndef WARD_TREE_TAR_H
#define WARD_TREE_TAR_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "tar_writer.h"

struct tree_tar {
	struct tar_writer tw;
	/* Owner as written down; NULL keeps the ids as stat() shows them. */
	uint32_t (*owner)(const struct tree_tar *t, uint32_t id, bool is_gid);
	void *arg;
	bool overlay_upper; /* 0/0 character devices and opaque directories are whiteouts */
	struct tree_tar_link {
		dev_t dev;
		ino_t ino;
		char *path;
	} * links;
	size_t n_links;
	char err[256]; /* what failed, when a call returns -1 */
};

/* Every entry below DIRFD, sorted by name, named PREFIX/name ("." for none). */
int tree_tar_children(struct tree_tar *t, int dirfd, const char *prefix);
void tree_tar_free(struct tree_tar *t);

#endif
