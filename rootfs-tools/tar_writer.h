/* A small POSIX tar (ustar + pax extended headers) writer for ward image pack. libarchive's
 * writer would drag every archive format it knows into the static ward binary. */
#ifndef WARD_TAR_WRITER_H
#define WARD_TAR_WRITER_H

#include <stdint.h>
#include <sys/types.h>

struct tar_writer {
	/* Receives every byte of the archive, in order; returns 0 or -1. */
	int (*sink)(void *arg, const void *buf, size_t len);
	void *arg;
};

struct tar_header {
	const char *path;     /* relative, no leading "./" */
	const char *linkname; /* symlink target or hardlink name, else NULL */
	char type;            /* '0' file, '1' hardlink, '2' symlink, '5' dir, '6' fifo */
	uint32_t mode, uid, gid;
	uint64_t size;
	int64_t mtime;
};

int tar_write_header(struct tar_writer *w, const struct tar_header *h);
/* File data: then tar_write_pad() once the header's size bytes are written. */
int tar_write_data(struct tar_writer *w, const void *buf, size_t len);
int tar_write_pad(struct tar_writer *w, uint64_t size);
/* The two zero blocks that end an archive. */
int tar_write_end(struct tar_writer *w);

#endif
