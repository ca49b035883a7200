/* Tar output through libarchive's pax writer (restricted pax: plain ustar headers, pax
 * records only where ustar cannot say it: long names, big ids, xattrs). Only the pax format
 * is referenced, never the format table, so the static binary gets no other archive format. */
#ifndef WARD_TAR_WRITER_H
#define WARD_TAR_WRITER_H

#include <stdbool.h>
#include <stddef.h>

struct archive_entry;

struct tar_writer {
	/* Receives every byte of the archive, in order; returns 0 or -1. */
	int (*sink)(void *arg, const void *buf, size_t len);
	void *arg;
	struct archive *a; /* opened by the first entry (or the end) */
	int sink_errno;    /* the sink's first failure */
	bool freeing;      /* tar_writer_free: nothing more is written */
};

/* One entry's header; its data follows with tar_write_data (short data is zero-padded). */
int tar_write_entry(struct tar_writer *w, struct archive_entry *en);
int tar_write_data(struct tar_writer *w, const void *buf, size_t len);
/* The end of the archive; the writer is freed (also on failure). */
int tar_write_end(struct tar_writer *w);
/* Frees a writer that did not reach its end. */
void tar_writer_free(struct tar_writer *w);
/* What the last failed call of W ran into. */
const char *tar_writer_error(const struct tar_writer *w);

#endif
