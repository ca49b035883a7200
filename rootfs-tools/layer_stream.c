/* Two libarchive readers in a row: the outer one only decompresses (raw format), the inner
 * one parses tar from what the outer hands over. The hand-over is where the DiffID is
 * hashed, in the same pass that unpacks. */
#include <archive.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "layer_stream.h"

/* Some writers (umoci 0.4 insert) end a layer without block padding or end-of-archive
 * blocks. Go readers accept that; libarchive would drop the last file's data. Zeros past
 * the real end complete the stream; they are not hashed, so the DiffID stays honest. */
#define TAIL_PAD 1536
static const char zeros[TAIL_PAD];

static ssize_t inner_read(struct archive *a, void *arg, const void **buf)
{
	(void)a;
	struct layer_stream *ls = arg;
	if (!ls->at_end) {
		const void *block;
		size_t size;
		la_int64_t offset;
		int r = archive_read_data_block(ls->outer, &block, &size, &offset);
		if (r == ARCHIVE_OK) {
			ls->bytes += size;
			if (ls->bytes > ls->max_bytes) {
				ls->over_limit = true;
				archive_set_error(a, EFBIG,
				                  "uncompressed layer larger than %llu bytes",
				                  (unsigned long long)ls->max_bytes);
				return -1;
			}
			sha256_update(&ls->diff, block, size);
			*buf = block;
			return (ssize_t)size;
		}
		if (r != ARCHIVE_EOF) {
			ls->err = archive_errno(ls->outer);
			snprintf(ls->errmsg, sizeof(ls->errmsg), "%s",
			         archive_error_string(ls->outer) ? archive_error_string(ls->outer)
			                                         : "read error");
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

int layer_stream_open(struct layer_stream *ls, int fd, enum compression c, uint64_t max_bytes,
                      struct ward_error *e)
{
	memset(ls, 0, sizeof(*ls));
	ls->max_bytes = max_bytes;
	sha256_init(&ls->diff);
	ls->outer = archive_read_new();
	ls->inner = archive_read_new();
	if (!ls->outer || !ls->inner) {
		ward_error_set(e, ENOMEM, "reading layer");
		return -1;
	}
	/* The media type names the one filter enabled, and the blob must start with its magic:
	 * nothing is sniffed beyond that, and no external program is ever a candidate. */
	static const unsigned char gz[] = {0x1f, 0x8b}, zst[] = {0x28, 0xb5, 0x2f, 0xfd};
	unsigned char magic[4] = {0};
	bool ok =
	    c == COMP_NONE || (pread(fd, magic, 4, 0) == 4 &&
	                       (c == COMP_GZIP ? !memcmp(magic, gz, 2) : !memcmp(magic, zst, 4)));
	if (!ok) {
		ward_error_set(e, 0, "the blob is not %s as its media type says",
		               c == COMP_GZIP ? "gzip" : "zstd");
		return -1;
	}
	archive_read_support_format_raw(ls->outer);
	if (c == COMP_GZIP)
		archive_read_support_filter_gzip(ls->outer);
	else if (c == COMP_ZSTD)
		archive_read_support_filter_zstd(ls->outer);
	struct archive_entry *entry;
	if (archive_read_open_fd(ls->outer, fd, 1 << 20) != ARCHIVE_OK ||
	    archive_read_next_header(ls->outer, &entry) != ARCHIVE_OK) {
		ward_error_set(e, 0, "%s", archive_error_string(ls->outer));
		return -1;
	}
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
		ward_error_set(e, ls->err, "%s",
		               ls->over_limit ? "uncompressed layer over the size cap"
		                              : ls->errmsg);
		return -1;
	}
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
	return (uint64_t)archive_filter_bytes(ls->outer, -1);
}

void layer_stream_close(struct layer_stream *ls)
{
	if (ls->inner)
		archive_read_free(ls->inner);
	if (ls->outer)
		archive_read_free(ls->outer);
	ls->inner = ls->outer = NULL;
}
