/* The HTTP core's own pieces, shared by http.c (libmicrohttpd), reply.c (what a handler
 * calls), listen.c and the fuzz target: a request's parsed parts and its one reply, kept
 * apart from MHD so that the router and the reply functions run without a connection. */
#ifndef WARD_SERVE_HTTP_H
#define WARD_SERVE_HTTP_H

#include <stdbool.h>
#include <stddef.h>

#include "serve.h"

struct http_kv {
	char *key, *value;
};

enum http_reply_kind { HTTP_NONE, HTTP_BUFFER, HTTP_STREAM, HTTP_HIJACK };

struct http_reply {
	enum http_reply_kind kind;
	int status;
	char type[96];
	char *data; /* HTTP_BUFFER (malloc'ed) */
	size_t len;
	int fd; /* HTTP_STREAM: read until EOF */
	api_hijack_fn fn;
	void *arg;
	void (*free_arg)(void *);
};

/* What r->conn points to. */
struct http_conn {
	struct http_kv *query, *headers;
	size_t n_query, n_headers;
	struct http_reply reply;
	char *path;                     /* the decoded path without its version prefix */
	char *extra_name, *extra_value; /* api_reply_header's */
};

/* Parse "a=1&b=x%20y" into C's query (decoded, '+' as a space). */
int http_parse_query(struct http_conn *c, const char *qs);
int http_add_kv(struct http_kv **v, size_t *n, const char *key, const char *value);
/* Strip a "/vX.Y" prefix of PATH into c->path and *MINOR; 0, or -1 with the reply made (400)
 * for a version ward does not speak. */
int http_split_version(struct api_req *r, struct http_conn *c, const char *path);
/* Free what C holds (a reply never sent included: its fd closed, its arg freed). */
void http_conn_release(struct http_conn *c);

/* The MHD daemon of this process (no listen socket of its own). */
int http_start(struct serve *srv, struct ward_error *e);
/* Hand it an accepted connection (taken). */
int http_add_connection(int fd);
/* Connections open now. */
unsigned http_open_connections(void);

#endif
