/* The HTTP server: libmicrohttpd, a thread per connection, connections handed in by
 * listen.c. A request is assembled (headers, query, body), routed, and its recorded reply
 * (reply.c) turned into an MHD response here. */
#include <errno.h>
#include <fcntl.h>
#include <microhttpd.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "http.h"

static struct MHD_Daemon *daemon_;
static struct serve *srv_;
static atomic_uint open_conns;

struct hreq {
	struct http_conn c;
	struct api_req r;
	char *body;
	size_t len;
	bool too_big, queued;
	int pipe_w; /* a streamed body (PUT archive): where uploads go, else -1 */
	pthread_t th;
};

unsigned http_open_connections(void)
{
	return atomic_load(&open_conns);
}

static enum MHD_Result collect(void *cls, enum MHD_ValueKind kind, const char *key,
                               const char *value)
{
	struct http_conn *c = cls;
	if (kind == MHD_HEADER_KIND)
		http_add_kv(&c->headers, &c->n_headers, key, value);
	else
		http_add_kv(&c->query, &c->n_query, key, value);
	return MHD_YES;
}

static void add_docker_headers(struct MHD_Response *resp, const char *type)
{
	MHD_add_response_header(resp, "Api-Version", "1.41");
	MHD_add_response_header(resp, "Docker-Experimental", "false");
	MHD_add_response_header(resp, "Ostype", "linux");
	MHD_add_response_header(resp, "Server", "ward/" WARD_VERSION " (linux)");
	if (type && *type)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, type);
}

static ssize_t read_fd(void *cls, uint64_t pos, char *buf, size_t max)
{
	(void)pos;
	int fd = (int)(intptr_t)cls;
	for (;;) {
		ssize_t n = read(fd, buf, max);
		if (n < 0 && errno == EINTR)
			continue;
		if (n == 0)
			return MHD_CONTENT_READER_END_OF_STREAM;
		return n < 0 ? MHD_CONTENT_READER_END_WITH_ERROR : n;
	}
}

static void close_fd(void *cls)
{
	close((int)(intptr_t)cls);
}

static struct MHD_Response *stream_response(struct MHD_Connection *conn, int fd)
{
	/* a stream may stay quiet for long (logs -f): no idle timeout on it */
	MHD_set_connection_option(conn, MHD_CONNECTION_OPTION_TIMEOUT, 0u);
	return MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 64 * 1024, read_fd,
	                                         (void *)(intptr_t)fd, close_fd);
}

struct hijack {
	api_hijack_fn fn;
	void *arg;
	void (*free_arg)(void *);
	int in, out;
	struct MHD_UpgradeResponseHandle *urh;
};

static void *hijack_main(void *p)
{
	struct hijack *h = p;
	h->fn(h->in, h->out, h->arg);
	if (h->urh) {
		close(h->out);
		MHD_upgrade_action(h->urh, MHD_UPGRADE_ACTION_CLOSE);
	} else
		close(h->out);
	if (h->free_arg)
		h->free_arg(h->arg);
	free(h);
	return NULL;
}

static int start_detached(void *(*fn)(void *), void *arg)
{
	pthread_t t;
	pthread_attr_t a;
	pthread_attr_init(&a);
	pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED);
	int rc = pthread_create(&t, &a, fn, arg);
	pthread_attr_destroy(&a);
	return rc;
}

static void upgraded(void *cls, struct MHD_Connection *conn, void *con_cls, const char *extra_in,
                     size_t extra_in_size, MHD_socket sock, struct MHD_UpgradeResponseHandle *urh)
{
	(void)conn;
	(void)con_cls;
	(void)extra_in;
	struct hijack *h = cls;
	if (extra_in_size) /* the client did not wait for the 101; its first bytes are lost */
		fprintf(stderr, "ward serve: %zu bytes sent before the upgrade dropped\n",
		        extra_in_size);
	int fl = fcntl(sock, F_GETFL);
	if (fl >= 0)
		fcntl(sock, F_SETFL, fl & ~O_NONBLOCK);
	h->in = sock;
	h->out = fcntl(sock, F_DUPFD_CLOEXEC, 3);
	h->urh = urh;
	if (h->out < 0 || start_detached(hijack_main, h) != 0) {
		if (h->out >= 0)
			close(h->out);
		MHD_upgrade_action(urh, MHD_UPGRADE_ACTION_CLOSE);
		if (h->free_arg)
			h->free_arg(h->arg);
		free(h);
	}
}

static bool wants_upgrade(const struct api_req *r)
{
	const char *u = api_header(r, "Upgrade"), *c = api_header(r, "Connection");
	return u && strcasestr(u, "tcp") && c && strcasestr(c, "upgrade");
}

/* The hijack reply: a 101 and the raw socket, or a 200 stream fed from a pipe. */
static struct MHD_Response *hijack_response(struct hreq *q, struct MHD_Connection *conn,
                                            unsigned *status)
{
	struct http_reply *p = &q->c.reply;
	struct hijack *h = calloc(1, sizeof(*h));
	if (!h)
		return NULL;
	*h = (struct hijack){.fn = p->fn, .arg = p->arg, .free_arg = p->free_arg, .in = -1};
	if (wants_upgrade(&q->r)) {
		struct MHD_Response *resp = MHD_create_response_for_upgrade(upgraded, h);
		if (!resp) {
			free(h);
			return NULL;
		}
		MHD_add_response_header(resp, "Upgrade", "tcp");
		p->kind = HTTP_NONE; /* the upgrade owns fn's arg now */
		*status = MHD_HTTP_SWITCHING_PROTOCOLS;
		return resp;
	}
	int fds[2];
	if (pipe2(fds, O_CLOEXEC) < 0) {
		free(h);
		return NULL;
	}
	h->out = fds[1];
	if (start_detached(hijack_main, h) != 0) {
		close(fds[0]);
		close(fds[1]);
		free(h);
		return NULL;
	}
	p->kind = HTTP_NONE;
	*status = 200;
	return stream_response(conn, fds[0]);
}

static enum MHD_Result queue(struct hreq *q, struct MHD_Connection *conn)
{
	struct http_reply *p = &q->c.reply;
	struct MHD_Response *resp = NULL;
	unsigned status = (unsigned)p->status;
	q->queued = true;
	if (p->kind == HTTP_NONE)
		api_reply_error(&q->r, 500, "no reply");
	if (p->kind == HTTP_BUFFER) {
		resp = MHD_create_response_from_buffer(p->len, p->data, MHD_RESPMEM_MUST_FREE);
		if (resp)
			p->data = NULL;
	} else if (p->kind == HTTP_STREAM) {
		resp = stream_response(conn, p->fd);
		if (resp)
			p->fd = -1;
	} else if (p->kind == HTTP_HIJACK) {
		resp = hijack_response(q, conn, &status);
	}
	if (!resp)
		return MHD_NO;
	add_docker_headers(resp, p->type);
	if (q->c.extra_name && q->c.extra_value)
		MHD_add_response_header(resp, q->c.extra_name, q->c.extra_value);
	enum MHD_Result rc = MHD_queue_response(conn, status, resp);
	MHD_destroy_response(resp);
	return rc;
}

static bool streams_body(const struct hreq *q)
{
	const char *p = q->r.path;
	size_t n = strlen(p);
	return !strcmp(q->r.method, "PUT") && !strncmp(p, "/containers/", 12) && n > 20 &&
	       !strcmp(p + n - 8, "/archive") && !memchr(p + 12, '/', n - 20);
}

static void *dispatch_main(void *p)
{
	struct hreq *q = p;
	api_dispatch(&q->r);
	close(q->r.body_fd);
	q->r.body_fd = -1;
	return NULL;
}

static void peer(struct api_req *r, struct MHD_Connection *conn)
{
	const union MHD_ConnectionInfo *ci =
	    MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
	struct ucred uc;
	socklen_t len = sizeof(uc);
	if (ci && getsockopt(ci->connect_fd, SOL_SOCKET, SO_PEERCRED, &uc, &len) == 0) {
		r->uid = uc.uid;
		r->pid = uc.pid;
	}
}

/* The first call for a request: its parts; a streamed body starts its handler now. */
static enum MHD_Result begin(struct MHD_Connection *conn, const char *url, const char *method,
                             void **con_cls)
{
	struct hreq *q = calloc(1, sizeof(*q));
	if (!q)
		return MHD_NO;
	*con_cls = q;
	q->c.reply.fd = -1;
	q->pipe_w = -1;
	q->r = (struct api_req){
	    .srv = srv_, .method = method, .body = "", .body_fd = -1, .conn = &q->c};
	peer(&q->r, conn);
	MHD_get_connection_values(conn, MHD_HEADER_KIND, collect, &q->c);
	MHD_get_connection_values(conn, MHD_GET_ARGUMENT_KIND, collect, &q->c);
	if (http_split_version(&q->r, &q->c, url) < 0)
		return q->r.replied ? queue(q, conn) : MHD_NO;
	const char *cl = api_header(&q->r, "Content-Length");
	bool big = cl && strtoull(cl, NULL, 10) > API_MAX_BODY;
	if (streams_body(q)) {
		int fds[2];
		if (pipe2(fds, O_CLOEXEC) < 0)
			return MHD_NO;
		q->r.body_fd = fds[0];
		q->pipe_w = fds[1];
		if (pthread_create(&q->th, NULL, dispatch_main, q) != 0) {
			close(fds[0]);
			close(fds[1]);
			q->pipe_w = q->r.body_fd = -1;
			return MHD_NO;
		}
	} else if (big) {
		api_reply_error(&q->r, 413, "request body larger than %u bytes", API_MAX_BODY);
		return queue(q, conn);
	}
	return MHD_YES;
}

static void upload(struct hreq *q, const char *data, size_t n)
{
	if (q->pipe_w >= 0) {
		while (n) { /* a handler that stopped reading: the rest is dropped (EPIPE) */
			ssize_t w = write(q->pipe_w, data, n);
			if (w < 0 && errno == EINTR)
				continue;
			if (w <= 0)
				break;
			data += w;
			n -= (size_t)w;
		}
		return;
	}
	if (q->too_big || q->len + n > API_MAX_BODY) {
		q->too_big = true;
		free(q->body);
		q->body = NULL;
		q->len = 0;
		return;
	}
	char *t = realloc(q->body, q->len + n + 1);
	if (!t) {
		q->too_big = true;
		return;
	}
	memcpy(t + q->len, data, n);
	q->body = t;
	q->len += n;
	t[q->len] = '\0';
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_size, void **con_cls)
{
	(void)cls;
	(void)version;
	struct hreq *q = *con_cls;
	if (!q)
		return begin(conn, url, method, con_cls);
	if (q->queued) { /* replied before the body: drop it */
		*upload_size = 0;
		return MHD_YES;
	}
	if (*upload_size) {
		upload(q, upload_data, *upload_size);
		*upload_size = 0;
		return MHD_YES;
	}
	if (q->pipe_w >= 0) {
		close(q->pipe_w);
		q->pipe_w = -1;
		pthread_join(q->th, NULL);
	} else if (q->too_big) {
		api_reply_error(&q->r, 413, "request body larger than %u bytes", API_MAX_BODY);
	} else {
		if (q->body) {
			q->r.body = q->body;
			q->r.body_len = q->len;
		}
		api_dispatch(&q->r);
	}
	return queue(q, conn);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
	(void)cls;
	(void)conn;
	(void)toe;
	struct hreq *q = *con_cls;
	if (!q)
		return;
	if (q->pipe_w >= 0) { /* the client went away mid-upload */
		close(q->pipe_w);
		pthread_join(q->th, NULL);
	}
	http_conn_release(&q->c);
	free(q->body);
	free(q);
	*con_cls = NULL;
}

static void on_connection(void *cls, struct MHD_Connection *conn, void **socket_context,
                          enum MHD_ConnectionNotificationCode toe)
{
	(void)cls;
	(void)conn;
	(void)socket_context;
	if (toe == MHD_CONNECTION_NOTIFY_STARTED)
		atomic_fetch_add(&open_conns, 1);
	else
		atomic_fetch_sub(&open_conns, 1);
}

int http_start(struct serve *srv, struct ward_error *e)
{
	srv_ = srv;
	unsigned flags = MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD |
	                 MHD_USE_POLL | MHD_USE_ITC | MHD_USE_NO_LISTEN_SOCKET | MHD_ALLOW_UPGRADE;
	daemon_ = MHD_start_daemon(
	    flags, 0, NULL, NULL, on_request, NULL, MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL,
	    MHD_OPTION_NOTIFY_CONNECTION, on_connection, NULL, MHD_OPTION_CONNECTION_MEMORY_LIMIT,
	    (size_t)API_MAX_HEADERS + 32 * 1024, MHD_OPTION_CONNECTION_TIMEOUT, 60u,
	    MHD_OPTION_CONNECTION_LIMIT, 4000u, MHD_OPTION_END);
	if (!daemon_)
		return ward_error_set(e, errno, "the HTTP server (libmicrohttpd) did not start");
	return 0;
}

int http_add_connection(int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	memset(&ss, 0, sizeof(ss));
	if (getsockname(fd, (struct sockaddr *)&ss, &len) < 0 || len < sizeof(sa_family_t))
		len = sizeof(sa_family_t);
	if (MHD_add_connection(daemon_, fd, (struct sockaddr *)&ss, len) != MHD_YES) {
		/* MHD closes FD itself on failure */
		return -1;
	}
	return 0;
}
