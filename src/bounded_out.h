/* A tar written out of a tmpfs (the writable layer, overlay volumes' changes) to a host
 * file, bounded by what that tmpfs really holds. Sparse files are written whole, so without
 * the bound one with a huge apparent size (truncate -s 1P) would fill the host's disk. */
#ifndef WARD_BOUNDED_OUT_H
#define WARD_BOUNDED_OUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct bounded_out {
	int fd;
	uint64_t written, bound;
	bool over; /* the bound stopped it */
};

/* The bound for a tar of the tmpfs holding DIRFD: its used bytes, plus headers for each of
 * its inodes (0 if it cannot be read: nothing is written). */
uint64_t bounded_out_limit(int dirfd);
/* A tar_writer sink (arg: struct bounded_out): EFBIG past the bound. */
int bounded_out_sink(void *arg, const void *buf, size_t len);
/* ERR (what the walk said) made into the message, naming the bound when it was hit. */
void bounded_out_message(const struct bounded_out *o, const char *err, char *out, size_t len);

#endif
