/* ward serve: the Docker Engine API on a unix socket, as a thin front end over libward (only
 * include/ward/ is used). This header is the seam between the HTTP layer (http.c, router.c,
 * listen.c, worker.c) and the endpoint groups (system.c, containers*.c, exec.c, attach.c,
 * images.c, networks.c, archive.c). */
#ifndef WARD_SERVE_H
#define WARD_SERVE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "ward/ward.h"

/* The API version ward speaks (the newest) and the oldest it accepts. */
#define API_VERSION_MAJOR 1
#define API_VERSION_MINOR 41
#define API_MIN_MINOR     24
/* Bounds on what a client may send. */
#define API_MAX_BODY    (4u << 20) /* a request body (JSON, or a tar for PUT archive: see below) */
#define API_MAX_HEADERS (64u << 10)

/* One server process; every request it serves comes from its own uid (listen.c hands other
 * uids' connections to a server of theirs). */
struct serve {
	struct ward_context *ctx; /* the caller's context, as the CLI makes it */
	struct ward_store *store; /* opened once, shared by every request */
	const char *socket_path;
	struct exec_table *execs; /* exec.c: exec instances live in the server's memory */
	/* The settings ctx was made from (NULL: the defaults), for api_worker's fresh one. */
	const char *state_dir, *store_dir, *policy_dir;
};

struct api_req {
	struct serve *srv;
	const char *method; /* "GET", "POST", "PUT", "DELETE", "HEAD" */
	const char *path;   /* decoded, without the /vX.Y prefix: "/containers/abc/json" */
	const char *arg[3]; /* the route's {captures} in order, decoded ("{name}" may hold '/') */
	unsigned minor; /* the version asked in the path (1.41 → 41), else API_VERSION_MINOR */
	uid_t uid;      /* the client (SO_PEERCRED): always the server's own uid */
	pid_t pid;
	const char *body; /* the whole body, NUL-terminated ("" when none) */
	size_t body_len;
	/* PUT /containers/{id}/archive: the body as a stream (a pipe fed while the handler
	 * runs; the server closes it after the handler: do not), else -1 */
	int body_fd;
	void *conn; /* http.c's */
	bool replied;
};

/* The query parameter KEY (decoded), or NULL. */
const char *api_query(const struct api_req *r, const char *key);
/* KEY as a boolean the way Docker reads one: 1/true/True/yes → true, 0/false/False/no → false,
 * absent or empty → DFLT. */
bool api_query_bool(const struct api_req *r, const char *key, bool dflt);
/* KEY as an integer; absent → DFLT; not a number → -1 with a 400 already replied. */
int api_query_long(struct api_req *r, const char *key, long dflt, long *out);
/* A request header, or NULL. */
const char *api_header(const struct api_req *r, const char *name);
/* The body as a JSON object (new reference); on a bad body NULL with a 400 already replied.
 * An empty body, or null, is {}. */
json_t *api_body_json(struct api_req *r);

/* Each handler replies exactly once with one of these. */
/* BODY (stolen) as application/json. */
void api_reply_json(struct api_req *r, int status, json_t *body);
/* No body (204, 304, or 200/201 with an empty body). */
void api_reply_empty(struct api_req *r, int status);
/* Raw bytes with a content type ("text/plain" for /_ping's "OK"). */
void api_reply_raw(struct api_req *r, int status, const char *type, const void *data, size_t len);
/* {"message": "..."}: the one-line error a client prints. */
void api_reply_error(struct api_req *r, int status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* A ward_error mapped to a status: "no such ..." → 404, "already|in use|is running|not running"
 * → 409, anything else → STATUS (use 500 for host failures, 400 for bad input). */
void api_reply_ward_error(struct api_req *r, int status, const struct ward_error *e);
/* A streamed body: the server sends what is read from FD (taken, closed at EOF) as a chunked
 * response of TYPE until EOF. The handler starts whoever writes the other end (a thread or a
 * process) before returning; a client that goes away makes that writer see EPIPE. */
void api_reply_stream(struct api_req *r, int status, const char *type, int fd);

/* One more header on the reply (before or after the api_reply_* call): GET/HEAD
 * /containers/{id}/archive's X-Docker-Container-Path-Stat. NAME and VALUE are copied. */
void api_reply_header(struct api_req *r, const char *name, const char *value);

/* A hijacked connection (attach, exec start). With "Upgrade: tcp" the server answers 101 and
 * FN gets the raw socket: IN reads what the client sends (stdin), OUT writes to it. Without
 * an upgrade FN gets IN = -1 and OUT a pipe whose other end is sent as a 200 stream. TYPE is
 * "application/vnd.docker.raw-stream" (a TTY) or "application/vnd.docker.multiplexed-stream".
 * FN runs on a thread of its own; the connection closes when it returns, then FREE(ARG). */
typedef void (*api_hijack_fn)(int in, int out, void *arg);
void api_reply_hijack(struct api_req *r, const char *type, api_hijack_fn fn, void *arg,
                      void (*free_arg)(void *));

/* Docker's frame for a multiplexed stream: 8 bytes (STREAM 1 stdout / 2 stderr, 0, 0, 0,
 * big-endian length) then the data. Returns 0, or -1 when FD failed (errno set). */
int api_write_frame(int fd, int stream, const void *data, size_t len);

/* Work that forks (a sandbox start: its supervisor is forked; a pull) must not run on a
 * server thread, whose process holds other clients' sockets and locks: api_worker runs
 * FN(srv, IN, &OUT, PROGRESS_FD, e) in a process of its own (fds beyond 0-2, the
 * result pipe and PROGRESS_FD closed; a fresh context and store from the server's settings)
 * and returns its result: 0 with *OUT (new reference, may be NULL), or -1 with E.
 * PROGRESS_FD (-1: none) is passed down for FN to write progress to; a supervisor FN forks
 * (a sandbox start) inherits it and holds it open while the sandbox lives: pass -1 there. */
typedef int (*api_worker_fn)(struct serve *srv, json_t *in, json_t **out, int progress_fd,
                             struct ward_error *e);
int api_worker(struct serve *srv, api_worker_fn fn, json_t *in, json_t **out, int progress_fd,
               struct ward_error *e);
/* Forks the worker parent that api_worker's jobs are forked from: call once, while the
 * server has a single thread, after SRV holds its settings. */
int api_worker_start(const struct serve *srv, struct ward_error *e);

/* The routes. PATTERN: "/containers/{}/json" ({} captures one segment; a trailing "{*}"
 * captures the rest, slashes included, as image names need). The version prefix is
 * stripped before matching; HEAD matches a GET route unless a HEAD one exists. */
typedef void (*api_handler)(struct api_req *r);
struct api_route {
	const char *method;
	const char *pattern;
	api_handler fn;
};
/* Each group's table, ended by {0}; router.c walks them in this order. */
extern const struct api_route api_routes_system[];     /* system.c */
extern const struct api_route api_routes_containers[]; /* containers*.c */
extern const struct api_route api_routes_exec[];       /* exec.c, attach.c */
extern const struct api_route api_routes_images[];     /* images.c */
extern const struct api_route api_routes_networks[];   /* networks.c */
extern const struct api_route api_routes_archive[];    /* archive.c */
/* Route R: the handler replies, or 404/405 with Docker's message ("page not found"). */
void api_dispatch(struct api_req *r);

/* Run FN(ARG) on a detached thread of its own: 0, or the error number (nothing started). */
int api_thread(void *(*fn)(void *), void *arg);

/* Docker's time format (RFC 3339, nanoseconds, UTC) of unix milliseconds, into BUF. */
const char *api_time(int64_t ms, char buf[40]);

#endif
