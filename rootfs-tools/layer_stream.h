/* One layer blob read as a tar stream: decompressed by libarchive (gzip and zstd only, in
 * process), its DiffID computed over the uncompressed bytes as they pass. */
#ifndef WARD_LAYER_STREAM_H
#define WARD_LAYER_STREAM_H

#include <stdbool.h>
#include <stdint.h>

#include "digest.h"
#include "ward.h"

enum compression { COMP_NONE, COMP_GZIP, COMP_ZSTD };

struct layer_stream {
	struct archive *outer, *inner;
	struct sha256 diff;
	uint64_t bytes, max_bytes; /* uncompressed bytes read, and the cap on them */
	int pad_left;              /* zero bytes still owed after the real end (see .c) */
	bool at_end, over_limit;
	int err; /* the outer archive's errno when it failed */
	char errmsg[256];
};

int layer_stream_open(struct layer_stream *ls, int fd, enum compression c, uint64_t max_bytes,
                      struct ward_error *e);
/* Reads what is left after the tar's end, then compares the DiffID with WANT. */
int layer_stream_finish(struct layer_stream *ls, const char *want, struct ward_error *e);
/* Compressed bytes consumed so far. */
uint64_t layer_stream_consumed(struct layer_stream *ls);
void layer_stream_close(struct layer_stream *ls);

#endif
