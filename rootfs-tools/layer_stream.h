/* One layer blob read as a tar stream: decompressed by libarchive (gzip and zstd only, in
 * process) on a second thread, its DiffID computed over the uncompressed bytes as they
 * pass, while the caller's thread parses tar and writes files. */
#ifndef WARD_LAYER_STREAM_H
#define WARD_LAYER_STREAM_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "digest.h"
#include "ward/error.h"

enum compression { COMP_NONE, COMP_GZIP, COMP_ZSTD };

#define LS_CHUNKS 8

struct ls_chunk {
	char *data;
	size_t len; /* 0 marks the end of the stream */
};

struct layer_stream {
	struct archive *outer, *inner;
	struct sha256 diff;
	uint64_t max_bytes; /* cap on uncompressed bytes */
	int pad_left;       /* zero bytes still owed after the real end (see .c) */
	bool at_end;        /* the consumer has seen the end */
	/* producer → consumer ring, under lock */
	pthread_t producer;
	bool started;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct ls_chunk ring[LS_CHUNKS];
	size_t head, count; /* filled chunks: ring[head..head+count) */
	int held;           /* chunk the consumer is reading, -1 none */
	bool cancel, failed;
	uint64_t consumed; /* compressed bytes read */
	/* A pipe (a pull's layer arriving) cannot be pread: its first bytes, read for the
	 * magic check, are handed to libarchive before the rest. */
	int fd;
	unsigned char first[4];
	size_t first_len;
	char *rbuf;
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
