/* GET /containers/{id}/logs: ward_sandbox_logs on a thread of its own into pipes, sent as
 * Docker's multiplexed frames (a TTY container: raw) through a streamed reply. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "containers.h"

/* The thread that reads the log: it owns SB and the write ends OUT and ERR (equal: closed
 * once). */
struct producer {
	struct ward_sandbox *sb;
	struct ward_log_opts o;
	int out, err;
};

static void *producer(void *arg)
{
	struct producer *p = arg;
	struct ward_error e;
	ward_sandbox_logs(p->sb, &p->o, p->out, p->err, &e);
	ward_sandbox_close(p->sb);
	close(p->out);
	if (p->err != p->out)
		close(p->err);
	free(p);
	return NULL;
}

/* The thread that frames: it owns the read ends RD (-1: a stream not asked for) and STREAM,
 * the reply's pipe. */
struct muxer {
	int rd[2];
	int stream;
};

/* Frames from both pipes into the reply until both end (or the client went away: then the
 * producer sees EPIPE on its next write). */
static void *muxer(void *arg)
{
	struct muxer *m = arg;
	char buf[32768];
	int open = (m->rd[0] >= 0) + (m->rd[1] >= 0);
	bool failed = false;
	while (open && !failed) {
		struct pollfd p[2] = {{.fd = m->rd[0], .events = POLLIN},
		                      {.fd = m->rd[1], .events = POLLIN}};
		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		for (int s = 0; s < 2 && !failed; s++) {
			if (m->rd[s] < 0 || !p[s].revents)
				continue;
			ssize_t n = read(m->rd[s], buf, sizeof(buf));
			if (n > 0)
				failed = api_write_frame(m->stream, s + 1, buf, (size_t)n) < 0;
			else if (n == 0 || errno != EINTR) {
				close(m->rd[s]);
				m->rd[s] = -1;
				open--;
			}
		}
	}
	for (int s = 0; s < 2; s++)
		if (m->rd[s] >= 0)
			close(m->rd[s]);
	close(m->stream);
	free(m);
	return NULL;
}

static bool detached(void *(*fn)(void *), void *arg)
{
	pthread_t t;
	pthread_attr_t a;
	pthread_attr_init(&a);
	pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED);
	bool ok = pthread_create(&t, &a, fn, arg) == 0;
	pthread_attr_destroy(&a);
	return ok;
}

/* since/until: unix seconds, maybe with a fraction. */
static int64_t unix_ms(const char *s)
{
	if (!s || !*s)
		return 0;
	char *end;
	double v = strtod(s, &end);
	return *end || v < 0 ? -1 : (int64_t)(v * 1000);
}

static int options(struct api_req *r, struct ward_log_opts *o, bool *out, bool *err)
{
	const char *tail = api_query(r, "tail");
	*out = api_query_bool(r, "stdout", false);
	*err = api_query_bool(r, "stderr", false);
	o->follow = api_query_bool(r, "follow", false);
	o->timestamps = api_query_bool(r, "timestamps", false);
	o->since_ms = unix_ms(api_query(r, "since"));
	o->tail = -1;
	if (!*out && !*err) {
		api_reply_error(r, 400, "Bad parameters: you must choose at least one stream");
		return -1;
	}
	if (o->since_ms < 0) {
		api_reply_error(r, 400, "since %s: expected unix seconds", api_query(r, "since"));
		return -1;
	}
	if (unix_ms(api_query(r, "until")) != 0) {
		api_reply_error(r, 400, "until: not supported by ward");
		return -1;
	}
	if (tail && *tail && strcmp(tail, "all")) {
		char *end;
		long n = strtol(tail, &end, 10);
		if (*end || n < 0) {
			api_reply_error(r, 400, "tail %s: expected a number or all", tail);
			return -1;
		}
		o->tail = n;
	}
	return 0;
}

static bool is_tty(struct api_req *r, struct ward_sandbox *sb, bool *tty)
{
	struct ward_sandbox_info info;
	struct ward_error e;
	if (ward_sandbox_inspect(sb, &info, &e) < 0) {
		api_reply_ward_error(r, 500, &e);
		return false;
	}
	json_t *cfg = ctr_docker_config(&info);
	*tty = json_is_true(json_object_get(json_object_get(cfg, "Config"), "Tty"));
	json_decref(cfg);
	ward_sandbox_info_release(&info);
	return true;
}

static void close_all(int *fd, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (fd[i] >= 0)
			close(fd[i]);
}

void ctr_logs(struct api_req *r)
{
	struct producer *p = calloc(1, sizeof(*p));
	struct muxer *m = calloc(1, sizeof(*m));
	bool out, err, tty;
	/* reply read, reply write, stdout read, stdout write, stderr read, stderr write */
	int fd[6] = {-1, -1, -1, -1, -1, -1};
	if (!p || !m) {
		free(p);
		free(m);
		return api_reply_error(r, 500, "out of memory");
	}
	if (options(r, &p->o, &out, &err) < 0 || !(p->sb = ctr_open(r, r->arg[0])) ||
	    !is_tty(r, p->sb, &tty))
		goto fail;
	bool ok = pipe2(fd, O_CLOEXEC) == 0;
	for (int s = 0; s < 2 && ok; s++) {
		bool want = s == 0 ? out : err;
		if (tty) /* raw: straight into the reply */
			fd[3 + 2 * s] = want ? dup(fd[1]) : open("/dev/null", O_WRONLY | O_CLOEXEC);
		else if (want)
			ok = pipe2(fd + 2 + 2 * s, O_CLOEXEC) == 0;
		else
			fd[3 + 2 * s] = open("/dev/null", O_WRONLY | O_CLOEXEC);
		ok = ok && fd[3 + 2 * s] >= 0;
	}
	if (!ok) {
		api_reply_error(r, 500, "logs: %s", strerror(errno));
		goto fail;
	}
	p->out = fd[3];
	p->err = fd[5];
	m->rd[0] = fd[2];
	m->rd[1] = fd[4];
	m->stream = fd[1];
	if (!detached(producer, p)) {
		api_reply_error(r, 500, "logs: no thread");
		goto fail;
	}
	/* the producer owns p, fd[3] and fd[5] now */
	if (tty) {
		close(fd[1]);
		free(m);
	} else if (!detached(muxer, m)) {
		close_all(fd, 3);
		close(fd[4]);
		free(m);
		return api_reply_error(r, 500, "logs: no thread");
	}
	api_reply_stream(r, 200,
	                 tty ? "application/vnd.docker.raw-stream"
	                     : "application/vnd.docker.multiplexed-stream",
	                 fd[0]);
	return;
fail:
	close_all(fd, 6);
	if (p->sb)
		ward_sandbox_close(p->sb);
	free(p);
	free(m);
}
