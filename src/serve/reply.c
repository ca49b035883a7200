/* What a handler reads from its request and the one reply it makes, recorded in the
 * connection (struct http_conn) for http.c to send: nothing here knows libmicrohttpd. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "http.h"

static const char *lookup(const struct http_kv *v, size_t n, const char *key, bool nocase)
{
	for (size_t i = 0; i < n; i++)
		if (nocase ? !strcasecmp(v[i].key, key) : !strcmp(v[i].key, key))
			return v[i].value;
	return NULL;
}

const char *api_query(const struct api_req *r, const char *key)
{
	const struct http_conn *c = r->conn;
	return lookup(c->query, c->n_query, key, false);
}

const char *api_header(const struct api_req *r, const char *name)
{
	const struct http_conn *c = r->conn;
	return lookup(c->headers, c->n_headers, name, true);
}

bool api_query_bool(const struct api_req *r, const char *key, bool dflt)
{
	const char *v = api_query(r, key);
	if (!v || !*v)
		return dflt;
	/* Docker: anything but 0/false/no/none (any case) is true */
	return strcasecmp(v, "0") && strcasecmp(v, "false") && strcasecmp(v, "no") &&
	       strcasecmp(v, "none");
}

int api_query_long(struct api_req *r, const char *key, long dflt, long *out)
{
	const char *v = api_query(r, key);
	if (!v || !*v) {
		*out = dflt;
		return 0;
	}
	char *end;
	errno = 0;
	long n = strtol(v, &end, 10);
	if (errno || *end || end == v) {
		api_reply_error(r, 400, "invalid value for %s: %s", key, v);
		return -1;
	}
	*out = n;
	return 0;
}

json_t *api_body_json(struct api_req *r)
{
	if (r->body_len == 0)
		return json_object();
	json_error_t je;
	json_t *j = json_loadb(r->body, r->body_len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &je);
	if (json_is_null(j)) { /* what docker commit sends without a config: as Docker, none */
		json_decref(j);
		return json_object();
	}
	if (!j) {
		api_reply_error(r, 400, "invalid JSON body: %s (at %d:%d)", je.text, je.line,
		                je.column);
		return NULL;
	}
	if (!json_is_object(j)) {
		json_decref(j);
		api_reply_error(r, 400, "invalid JSON body: not an object");
		return NULL;
	}
	return j;
}

/* The reply slot, or NULL when the handler replied already (a bug: the first reply wins). */
static struct http_reply *slot(struct api_req *r)
{
	struct http_conn *c = r->conn;
	if (r->replied || c->reply.kind != HTTP_NONE)
		return NULL;
	r->replied = true;
	return &c->reply;
}

void api_reply_header(struct api_req *r, const char *name, const char *value)
{
	struct http_conn *c = r->conn;
	free(c->extra_name);
	free(c->extra_value);
	c->extra_name = strdup(name);
	c->extra_value = strdup(value);
}

void api_reply_raw(struct api_req *r, int status, const char *type, const void *data, size_t len)
{
	struct http_reply *p = slot(r);
	if (!p)
		return;
	*p = (struct http_reply){.kind = HTTP_BUFFER, .status = status, .fd = -1};
	snprintf(p->type, sizeof(p->type), "%s", type ? type : "");
	if (len && (p->data = malloc(len))) {
		memcpy(p->data, data, len);
		p->len = len;
	}
}

void api_reply_empty(struct api_req *r, int status)
{
	api_reply_raw(r, status, NULL, NULL, 0);
}

void api_reply_json(struct api_req *r, int status, json_t *body)
{
	char *s = body ? json_dumps(body, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;
	json_decref(body);
	if (!s) {
		api_reply_raw(r, 500, "application/json", "{\"message\":\"out of memory\"}\n", 28);
		return;
	}
	size_t n = strlen(s);
	struct http_reply *p = slot(r);
	if (!p) {
		free(s);
		return;
	}
	*p = (struct http_reply){.kind = HTTP_BUFFER, .status = status, .fd = -1};
	strcpy(p->type, "application/json");
	/* Docker ends its JSON bodies with a newline */
	char *t = realloc(s, n + 2);
	if (t) {
		t[n] = '\n';
		s = t;
		n++;
	}
	p->data = s;
	p->len = n;
}

void api_reply_error(struct api_req *r, int status, const char *fmt, ...)
{
	char msg[1200];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	api_reply_json(r, status, json_pack("{s:s}", "message", msg));
}

void api_reply_ward_error(struct api_req *r, int status, const struct ward_error *e)
{
	const char *m = e->msg;
	if (strcasestr(m, "no such "))
		status = 404;
	else if (strstr(m, "already") || strstr(m, "in use") || strstr(m, "is running") ||
	         strstr(m, "not running"))
		status = 409;
	api_reply_error(r, status, "%s", m);
}

void api_reply_stream(struct api_req *r, int status, const char *type, int fd)
{
	struct http_reply *p = slot(r);
	if (!p) {
		close(fd);
		return;
	}
	*p = (struct http_reply){.kind = HTTP_STREAM, .status = status, .fd = fd};
	snprintf(p->type, sizeof(p->type), "%s", type ? type : "application/octet-stream");
}

void api_reply_hijack(struct api_req *r, const char *type, api_hijack_fn fn, void *arg,
                      void (*free_arg)(void *))
{
	struct http_reply *p = slot(r);
	if (!p) {
		if (free_arg)
			free_arg(arg);
		return;
	}
	*p = (struct http_reply){.kind = HTTP_HIJACK,
	                         .status = 200,
	                         .fd = -1,
	                         .fn = fn,
	                         .arg = arg,
	                         .free_arg = free_arg};
	snprintf(p->type, sizeof(p->type), "%s", type ? type : "application/vnd.docker.raw-stream");
}

static int write_full(int fd, const void *data, size_t len)
{
	const char *p = data;
	while (len) {
		ssize_t n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int api_write_frame(int fd, int stream, const void *data, size_t len)
{
	unsigned char h[8] = {(unsigned char)stream,
	                      0,
	                      0,
	                      0,
	                      (unsigned char)(len >> 24),
	                      (unsigned char)(len >> 16),
	                      (unsigned char)(len >> 8),
	                      (unsigned char)len};
	if (len > 0xffffffffu) {
		errno = EMSGSIZE;
		return -1;
	}
	return write_full(fd, h, sizeof(h)) == 0 && write_full(fd, data, len) == 0 ? 0 : -1;
}

const char *api_time(int64_t ms, char buf[40])
{
	if (ms <= 0) { /* Docker's zero time */
		strcpy(buf, "0001-01-01T00:00:00Z");
		return buf;
	}
	time_t t = (time_t)(ms / 1000);
	struct tm tm;
	gmtime_r(&t, &tm);
	size_t n = strftime(buf, 40, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf + n, 40 - n, ".%09ldZ", (long)(ms % 1000) * 1000000L);
	return buf;
}
