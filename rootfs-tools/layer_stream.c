/* Two libarchive readers in a row: the outer one only decompresses (raw format) on a
 * producer thread, the inner one parses tar from the chunks it hands over. The producer
 * hashes the DiffID as it goes, so unpacking is one pass over the blob and decompression
 * overlaps with the file writes (as tar -xz's two processes do). */
#include <archive.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "layer_stream.h"

#define CHUNK (1u << 20)

/* Some writers (umoci 0.4 insert) end a layer without block padding or end-of-archive
 * blocks. Go readers accept that; libarchive would drop the last file's data. Zeros past
 * the real end complete the stream; they are not hashed, so the DiffID stays honest. */
#define TAIL_PAD 1536
static const char zeros[TAIL_PAD];

static void fail(struct layer_stream *ls, const char *msg)
{
	snprintf(ls->errmsg, sizeof(ls->errmsg), "%s", msg ? msg : "read error");
	ls->failed = true;
}

/* Fill free chunks with decompressed bytes until the end, an error or a cancel. */
static void *produce(void *arg)
{
	struct layer_stream *ls = arg;
	uint64_t total = 0;
	size_t slot = 0;
	for (;;) {
		pthread_mutex_lock(&ls->lock);
		while (!ls->cancel && (ls->count == LS_CHUNKS || (int)slot == ls->held))
			pthread_cond_wait(&ls->cond, &ls->lock);
		bool cancel = ls->cancel;
		pthread_mutex_unlock(&ls->lock);
		if (cancel)
			return NULL;
		struct ls_chunk *c = &ls->ring[slot];
		size_t len = 0;
		while (len < CHUNK) {
			la_ssize_t n = archive_read_data(ls->outer, c->data + len, CHUNK - len);
			if (n < 0) {
				pthread_mutex_lock(&ls->lock);
				fail(ls, archive_error_string(ls->outer));
				pthread_cond_broadcast(&ls->cond);
				pthread_mutex_unlock(&ls->lock);
				return NULL;
			}
			if (n == 0)
				break;
			len += (size_t)n;
		}
		total += len;
		sha256_update(&ls->diff, c->data, len);
		pthread_mutex_lock(&ls->lock);
		if (total > ls->max_bytes)
			fail(ls, "uncompressed layer over the import size cap");
		c->len = len;
		ls->count++;
		ls->consumed = (uint64_t)archive_filter_bytes(ls->outer, -1);
		pthread_cond_broadcast(&ls->cond);
		pthread_mutex_unlock(&ls->lock);
		if (len == 0 || ls->failed)
			return NULL;
		slot = (slot + 1) % LS_CHUNKS;
	}
}

/* The next chunk for the tar reader; the one it had goes back to the producer. */
static ssize_t next_chunk(struct layer_stream *ls, const void **buf)
{
	pthread_mutex_lock(&ls->lock);
	if (ls->held >= 0) {
		ls->held = -1;
		pthread_cond_broadcast(&ls->cond);
	}
	while (ls->count == 0 && !ls->failed)
		pthread_cond_wait(&ls->cond, &ls->lock);
	ssize_t n = -1;
	if (ls->count) {
		struct ls_chunk *c = &ls->ring[ls->head];
		ls->held = (int)ls->head;
		ls->head = (ls->head + 1) % LS_CHUNKS;
		ls->count--;
		*buf = c->data;
		n = (ssize_t)c->len;
	}
	pthread_mutex_unlock(&ls->lock);
	return n;
}

static ssize_t inner_read(struct archive *a, void *arg, const void **buf)
{
	struct layer_stream *ls = arg;
	if (!ls->at_end) {
		ssize_t n = next_chunk(ls, buf);
		if (n > 0)
			return n;
		if (n < 0) {
			archive_set_error(a, EIO, "%s", ls->errmsg);
			return -1;
		}
		ls->at_end = true;
		ls->pad_left = TAIL_PAD;
	}
	*buf = zeros;
	ssize_t n = ls->pad_left;
	ls->pad_left = 0;
	return n;
}

static la_ssize_t pipe_read(struct archive *a, void *arg, const void **buf)
{
	(void)a;
	struct layer_stream *ls = arg;
	if (ls->first_len) {
		*buf = ls->first;
		la_ssize_t n = (la_ssize_t)ls->first_len;
		ls->first_len = 0;
		return n;
	}
	ssize_t n;
	while ((n = read(ls->fd, ls->rbuf, CHUNK)) < 0 && errno == EINTR)
		;
	*buf = ls->rbuf;
	return n;
}

/* The first LEN bytes of a pipe, kept for pipe_read: fewer only at its end. */
static ssize_t read_head(struct layer_stream *ls, size_t len)
{
	size_t got = 0;
	while (got < len) {
		ssize_t n = read(ls->fd, ls->first + got, len - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	ls->first_len = got;
	return (ssize_t)got;
}

int layer_stream_open(struct layer_stream *ls, int fd, enum compression c, uint64_t max_bytes,
                      struct ward_error *e)
{
	memset(ls, 0, sizeof(*ls));
	ls->max_bytes = max_bytes;
	ls->held = -1;
	pthread_mutex_init(&ls->lock, NULL);
	pthread_cond_init(&ls->cond, NULL);
	sha256_init(&ls->diff);
	/* The media type names the one filter enabled, and the blob must start with its magic:
	 * nothing is sniffed beyond that, and no external program is ever a candidate. */
	static const unsigned char gz[] = {0x1f, 0x8b}, zst[] = {0x28, 0xb5, 0x2f, 0xfd};
	unsigned char magic[4] = {0};
	ls->fd = fd;
	ssize_t got = pread(fd, magic, 4, 0);
	bool piped = got < 0 && errno == ESPIPE;
	if (piped && !(ls->rbuf = malloc(CHUNK))) {
		ward_error_set(e, ENOMEM, "reading layer");
		return -1;
	}
	if (piped && (got = read_head(ls, 4)) >= 0)
		memcpy(magic, ls->first, 4);
	bool ok = c == COMP_NONE ||
	          (got == 4 && (c == COMP_GZIP ? !memcmp(magic, gz, 2) : !memcmp(magic, zst, 4)));
	if (!ok) {
		ward_error_set(e, 0, "the blob is not %s as its media type says",
		               c == COMP_GZIP ? "gzip" : "zstd");
		return -1;
	}
	for (int i = 0; i < LS_CHUNKS; i++)
		if (!(ls->ring[i].data = malloc(CHUNK))) {
			ward_error_set(e, ENOMEM, "reading layer");
			return -1;
		}
	ls->outer = archive_read_new();
	ls->inner = archive_read_new();
	if (!ls->outer || !ls->inner) {
		ward_error_set(e, ENOMEM, "reading layer");
		return -1;
	}
	archive_read_support_format_raw(ls->outer);
	if (c == COMP_GZIP)
		archive_read_support_filter_gzip(ls->outer);
	else if (c == COMP_ZSTD)
		archive_read_support_filter_zstd(ls->outer);
	struct archive_entry *entry;
	if ((piped ? archive_read_open(ls->outer, ls, NULL, pipe_read, NULL)
	           : archive_read_open_fd(ls->outer, fd, 1 << 20)) != ARCHIVE_OK ||
	    archive_read_next_header(ls->outer, &entry) != ARCHIVE_OK) {
		ward_error_set(e, 0, "%s", archive_error_string(ls->outer));
		return -1;
	}
	if (pthread_create(&ls->producer, NULL, produce, ls) != 0) {
		ward_error_set(e, 0, "reading layer: no thread");
		return -1;
	}
	ls->started = true;
	archive_read_support_format_tar(ls->inner);
	if (archive_read_open(ls->inner, ls, NULL, inner_read, NULL) != ARCHIVE_OK) {
		ward_error_set(e, 0, "%s", archive_error_string(ls->inner));
		return -1;
	}
	return 0;
}

int layer_stream_finish(struct layer_stream *ls, const char *want, struct ward_error *e)
{
	const void *buf;
	while (!ls->at_end && inner_read(ls->inner, ls, &buf) > 0)
		;
	if (!ls->at_end) {
		ward_error_set(e, 0, "%s", ls->errmsg);
		return -1;
	}
	pthread_join(ls->producer, NULL);
	ls->started = false;
	char got[DIGEST_LEN + 1];
	sha256_final(&ls->diff, got);
	if (strcmp(got, want) != 0) {
		ward_error_set(e, 0, "uncompressed content is %s, the image config says %s", got,
		               want);
		return -1;
	}
	return 0;
}

uint64_t layer_stream_consumed(struct layer_stream *ls)
{
	pthread_mutex_lock(&ls->lock);
	uint64_t n = ls->consumed;
	pthread_mutex_unlock(&ls->lock);
	return n;
}

void layer_stream_close(struct layer_stream *ls)
{
	if (ls->started) {
		pthread_mutex_lock(&ls->lock);
		ls->cancel = true;
		pthread_cond_broadcast(&ls->cond);
		pthread_mutex_unlock(&ls->lock);
		pthread_join(ls->producer, NULL);
		ls->started = false;
	}
	if (ls->inner)
		archive_read_free(ls->inner);
	if (ls->outer)
		archive_read_free(ls->outer);
	ls->inner = ls->outer = NULL;
	for (int i = 0; i < LS_CHUNKS; i++)
		free(ls->ring[i].data);
	memset(ls->ring, 0, sizeof(ls->ring));
	free(ls->rbuf);
	ls->rbuf = NULL;
	pthread_mutex_destroy(&ls->lock);
	pthread_cond_destroy(&ls->cond);
}
