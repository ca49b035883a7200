/* A directory tree written as tar entries, walked through fds without following symlinks:
 * for ward image pack, and for the changes of overlay volumes (an overlayfs upper layer,
 * whose whiteouts become OCI .wh. entries). Reproducible: entries sorted by name, no host
 * fields (names of owners, atime, ctime, device and inode numbers), whole-second mtimes. */
#ifndef WARD_TREE_TAR_H
#define WARD_TREE_TAR_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "tar_writer.h"

struct tree_tar {
	struct tar_writer tw;
	/* Owner as written down; NULL keeps the ids as stat() shows them. Also maps the root
	 * id of a v3 file capability. */
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
	bool clamp;    /* mtimes after clamp_to are written as clamp_to (SOURCE_DATE_EPOCH) */
	int64_t clamp_to;
	int64_t newest; /* the newest mtime written */
};

/* Every entry below DIRFD, sorted by name, named PREFIX/name ("." for none). User xattrs
 * (but user.overlay.*) and security.capability go along as SCHILY.xattr records. */
int tree_tar_children(struct tree_tar *t, int dirfd, const char *prefix);
/* Frees the hardlink table, and the writer if tar_write_end was not reached. */
void tree_tar_free(struct tree_tar *t);

#endif
