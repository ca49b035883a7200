/* A request's parts before routing: the query string, the /vX.Y prefix. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "http.h"

int http_add_kv(struct http_kv **v, size_t *n, const char *key, const char *value)
{
	struct http_kv *t = realloc(*v, (*n + 1) * sizeof(**v));
	if (!t)
		return -1;
	*v = t;
	t[*n].key = strdup(key);
	t[*n].value = strdup(value ? value : "");
	if (!t[*n].key || !t[*n].value) {
		free(t[*n].key);
		free(t[*n].value);
		return -1;
	}
	(*n)++;
	return 0;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* S[0..LEN) decoded into a new string: %XX, and '+' as a space. */
static char *decode(const char *s, size_t len)
{
	char *out = malloc(len + 1), *o = out;
	if (!out)
		return NULL;
	for (size_t i = 0; i < len; i++) {
		int hi, lo;
		if (s[i] == '+')
			*o++ = ' ';
		else if (s[i] == '%' && i + 2 < len && (hi = hexval(s[i + 1])) >= 0 &&
		         (lo = hexval(s[i + 2])) >= 0) {
			*o++ = (char)(hi * 16 + lo);
			i += 2;
		} else
			*o++ = s[i];
	}
	*o = '\0';
	return out;
}

int http_parse_query(struct http_conn *c, const char *qs)
{
	while (qs && *qs) {
		size_t len = strcspn(qs, "&");
		const char *eq = memchr(qs, '=', len);
		size_t klen = eq ? (size_t)(eq - qs) : len;
		char *k = decode(qs, klen);
		char *v = eq ? decode(eq + 1, len - klen - 1) : strdup("");
		int rc = k && v && *k ? http_add_kv(&c->query, &c->n_query, k, v) : 0;
		free(k);
		free(v);
		if (rc < 0)
			return -1;
		qs += len + (qs[len] == '&');
	}
	return 0;
}

int http_split_version(struct api_req *r, struct http_conn *c, const char *path)
{
	r->minor = API_VERSION_MINOR;
	const char *rest = path;
	if (path[0] == '/' && path[1] == 'v' && path[2] >= '0' && path[2] <= '9') {
		char *end;
		unsigned long major = strtoul(path + 2, &end, 10), minor = 0;
		if (*end == '.' && end[1] >= '0' && end[1] <= '9')
			minor = strtoul(end + 1, &end, 10);
		else
			end = NULL; /* "/v1/..." is a path, not a version */
		if (end && (*end == '/' || *end == '\0')) {
			if (major > API_VERSION_MAJOR ||
			    (major == API_VERSION_MAJOR && minor > API_VERSION_MINOR)) {
				api_reply_error(
				    r, 400,
				    "client version %lu.%lu is too new. Maximum supported "
				    "API version is %d.%d",
				    major, minor, API_VERSION_MAJOR, API_VERSION_MINOR);
				return -1;
			}
			if (major < API_VERSION_MAJOR || minor < API_MIN_MINOR) {
				api_reply_error(
				    r, 400,
				    "client version %lu.%lu is too old. Minimum supported "
				    "API version is %d.%d, please upgrade your client to "
				    "a newer version",
				    major, minor, API_VERSION_MAJOR, API_MIN_MINOR);
				return -1;
			}
			r->minor = (unsigned)minor;
			rest = end;
		}
	}
	free(c->path);
	c->path = strdup(*rest ? rest : "/");
	r->path = c->path;
	return c->path ? 0 : -1;
}

static void free_kv(struct http_kv *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].key);
		free(v[i].value);
	}
	free(v);
}

void http_conn_release(struct http_conn *c)
{
	free_kv(c->query, c->n_query);
	free_kv(c->headers, c->n_headers);
	free(c->path);
	free(c->extra_name);
	free(c->extra_value);
	struct http_reply *p = &c->reply;
	free(p->data);
	if (p->kind == HTTP_STREAM && p->fd >= 0)
		close(p->fd);
	if (p->kind == HTTP_HIJACK && p->free_arg)
		p->free_arg(p->arg);
	*c = (struct http_conn){0};
	c->reply.fd = -1;
}
