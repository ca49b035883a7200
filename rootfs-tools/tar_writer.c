#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "tar_writer.h"

#define BLOCK 512

static const char zeros[2 * BLOCK];

/* LEN-1 octal digits and a NUL; callers keep V in range (bigger values go to pax). */
static void octal(char *field, size_t len, uint64_t v)
{
	field[len - 1] = 0;
	for (size_t i = len - 1; i-- > 0; v >>= 3)
		field[i] = (char)('0' + (v & 7));
}

/* One pax record "LEN key=value\n", LEN counting itself. */
static int pax_record(char *buf, size_t cap, size_t *used, const char *key, const char *value)
{
	size_t body = strlen(key) + strlen(value) + 3; /* ' ', '=', '\n' */
	size_t len = body + 1;
	while (snprintf(NULL, 0, "%zu", len) + body != len)
		len++;
	if (*used + len >= cap)
		return -1;
	snprintf(buf + *used, cap - *used, "%zu %s=%s\n", len, key, value);
	*used += len;
	return 0;
}

static int raw_header(struct tar_writer *w, const char *name, const char *linkname, char type,
                      uint32_t mode, uint32_t uid, uint32_t gid, uint64_t size, int64_t mtime)
{
	unsigned char h[BLOCK] = {0};
	snprintf((char *)h, 100, "%s", name);
	octal((char *)h + 100, 8, mode & 07777);
	octal((char *)h + 108, 8, uid);
	octal((char *)h + 116, 8, gid);
	octal((char *)h + 124, 12, size);
	octal((char *)h + 136, 12, (uint64_t)(mtime < 0 ? 0 : mtime));
	h[156] = (unsigned char)type;
	if (linkname)
		strncpy((char *)h + 157, linkname, 100);
	memcpy(h + 257, "ustar", 6);
	memcpy(h + 263, "00", 2);
	memset(h + 148, ' ', 8);
	unsigned sum = 0;
	for (int i = 0; i < BLOCK; i++)
		sum += h[i];
	snprintf((char *)h + 148, 8, "%06o", sum);
	return w->sink(w->arg, h, BLOCK);
}

int tar_write_header(struct tar_writer *w, const struct tar_header *h)
{
	char pax[16384];
	size_t used = 0;
	char num[32];
	bool long_path = strlen(h->path) >= 100,
	     long_link = h->linkname && strlen(h->linkname) >= 100;
	if (long_path && pax_record(pax, sizeof(pax), &used, "path", h->path) < 0)
		return -1;
	if (long_link && pax_record(pax, sizeof(pax), &used, "linkpath", h->linkname) < 0)
		return -1;
	if (h->size > 077777777777ull) {
		snprintf(num, sizeof(num), "%llu", (unsigned long long)h->size);
		pax_record(pax, sizeof(pax), &used, "size", num);
	}
	if (h->uid > 07777777) {
		snprintf(num, sizeof(num), "%u", h->uid);
		pax_record(pax, sizeof(pax), &used, "uid", num);
	}
	if (h->gid > 07777777) {
		snprintf(num, sizeof(num), "%u", h->gid);
		pax_record(pax, sizeof(pax), &used, "gid", num);
	}
	if (used && (raw_header(w, "PaxHeader", NULL, 'x', 0644, 0, 0, used, h->mtime) < 0 ||
	             w->sink(w->arg, pax, used) < 0 || tar_write_pad(w, used) < 0))
		return -1;
	return raw_header(w, h->path, h->linkname, h->type, h->mode, h->uid > 07777777 ? 0 : h->uid,
	                  h->gid > 07777777 ? 0 : h->gid, h->size > 077777777777ull ? 0 : h->size,
	                  h->mtime);
}

int tar_write_data(struct tar_writer *w, const void *buf, size_t len)
{
	return w->sink(w->arg, buf, len);
}

int tar_write_pad(struct tar_writer *w, uint64_t size)
{
	size_t rem = (size_t)(size % BLOCK);
	return rem ? w->sink(w->arg, zeros, BLOCK - rem) : 0;
}

int tar_write_end(struct tar_writer *w)
{
	return w->sink(w->arg, zeros, sizeof(zeros));
}
