/* Small helpers of the registry client: a growing buffer, URLs (origins, Location
 * resolution) and base64. */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <sys/stat.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "registry_int.h"
#include "sys.h"

int membuf_append(void *arg, const void *p, size_t n)
{
	struct membuf *m = arg;
	if (m->len + n + 1 > m->cap) {
		size_t cap = m->cap ? m->cap : 4096;
		while (cap < m->len + n + 1)
			cap *= 2;
		char *b = realloc(m->buf, cap);
		if (!b)
			return -1;
		m->buf = b;
		m->cap = cap;
	}
	memcpy(m->buf + m->len, p, n);
	m->len += n;
	m->buf[m->len] = 0;
	return 0;
}

size_t url_origin_len(const char *url)
{
	size_t s;
	if (!strncasecmp(url, "https://", 8))
		s = 8;
	else if (!strncasecmp(url, "http://", 7))
		s = 7;
	else
		return 0;
	size_t n = strcspn(url + s, "/?#");
	return n ? s + n : 0;
}

bool url_same_origin(const char *a, const char *b)
{
	size_t la = url_origin_len(a), lb = url_origin_len(b);
	return la && la == lb && !strncasecmp(a, b, la);
}

int url_resolve(const char *base, const char *loc, char *out, size_t len)
{
	size_t scheme = strcspn(loc, ":/?#");
	int n;
	if (url_origin_len(loc))
		n = snprintf(out, len, "%s", loc);
	else if (loc[scheme] == ':')
		return -1; /* another scheme */
	else if (loc[0] == '/' && loc[1] == '/')
		n = snprintf(out, len, "%.*s%s", (int)(strstr(base, "//") - base), base, loc);
	else if (loc[0] == '/')
		n = snprintf(out, len, "%.*s%s", (int)url_origin_len(base), base, loc);
	else {
		size_t o = url_origin_len(base), end = o + strcspn(base + o, "?#"), dir = end;
		while (dir > o && base[dir - 1] != '/')
			dir--;
		n = dir > o ? snprintf(out, len, "%.*s%s", (int)dir, base, loc)
		            : snprintf(out, len, "%.*s/%s", (int)o, base, loc);
	}
	if (n < 0 || (size_t)n >= len || !url_origin_len(out))
		return -1;
	for (const char *p = out; *p; p++)
		if ((unsigned char)*p <= ' ' || *p == 0x7f)
			return -1;
	return 0;
}

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

void base64_encode(const void *in, size_t n, char *out)
{
	const unsigned char *p = in;
	size_t o = 0;
	for (size_t i = 0; i < n; i += 3) {
		unsigned v = (unsigned)p[i] << 16 | (i + 1 < n ? (unsigned)p[i + 1] << 8 : 0) |
		             (i + 2 < n ? p[i + 2] : 0);
		out[o++] = b64[v >> 18 & 63];
		out[o++] = b64[v >> 12 & 63];
		out[o++] = i + 1 < n ? b64[v >> 6 & 63] : '=';
		out[o++] = i + 2 < n ? b64[v & 63] : '=';
	}
	out[o] = 0;
}

int base64_decode(const char *in, char *out, size_t cap, size_t *n)
{
	unsigned v = 0;
	int bits = 0;
	size_t o = 0;
	for (const char *p = in; *p && *p != '='; p++) {
		const char *k = strchr(b64, *p);
		if (!k || !*p)
			return -1;
		v = v << 6 | (unsigned)(k - b64);
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if (o + 1 >= cap)
				return -1;
			out[o++] = (char)(v >> bits & 255);
		}
	}
	out[o] = 0;
	*n = o;
	return 0;
}

char *read_small(const char *path, size_t max, size_t *len)
{
	int fd autoclose = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) < 0)
		return NULL;
	if (!S_ISREG(st.st_mode) || (uint64_t)st.st_size > max) {
		errno = S_ISREG(st.st_mode) ? EFBIG : EINVAL;
		return NULL;
	}
	char *buf = malloc((size_t)st.st_size + 1);
	size_t n = 0;
	while (buf && n < (size_t)st.st_size) {
		ssize_t r = read(fd, buf + n, (size_t)st.st_size - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		n += (size_t)r;
	}
	if (buf)
		buf[n] = 0;
	*len = n;
	return buf;
}
