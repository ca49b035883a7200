/* POST /containers/{id}/attach (hijacked) and /containers/{id}/resize, over
 * ward_sandbox_attach and ward_sandbox_resize. A TTY container's stream is raw; otherwise its
 * stdout and stderr come through pipes that a second thread frames (api_write_frame). */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "attach.h"
#include "serve.h"

struct ctr_attach {
	struct ward_sandbox *sb;
	struct ward_attach_opts o;
	bool tty;
};

int attach_open_container(struct api_req *r, const char *ref, struct ward_sandbox **sb)
{
	struct ward_error e = {0};
	if (*ref == '/')
		ref++;
	if (ward_sandbox_open(r->srv->ctx, ref, sb, &e) == 0)
		return 0;
	if (strstr(e.msg, "no such"))
		api_reply_error(r, 404, "No such container: %s", ref);
	else
		api_reply_ward_error(r, 500, &e);
	return -1;
}

/* Config.Tty as ward keeps it: the spec's tty. */
static bool container_tty(struct ward_sandbox *sb)
{
	struct ward_sandbox_info info;
	struct ward_error e = {0};
	if (ward_sandbox_inspect(sb, &info, &e) < 0)
		return false;
	json_t *config = info.config ? json_loads(info.config, 0, NULL) : NULL;
	bool tty = json_is_true(json_object_get(config, "tty"));
	json_decref(config);
	ward_sandbox_info_release(&info);
	return tty;
}

struct framer {
	int pipe[2]; /* stdout, stderr read ends */
	int out;
};

/* Frames until both pipes end, or the client can no longer be written (then the pipes are
 * closed, which ends the attach). */
static void *frame_main(void *p)
{
	struct framer *f = p;
	char buf[32768];
	bool failed = false;
	while (!failed && (f->pipe[0] >= 0 || f->pipe[1] >= 0)) {
		struct pollfd pfd[3] = {{.fd = f->pipe[0], .events = POLLIN},
		                        {.fd = f->pipe[1], .events = POLLIN},
		                        {.fd = f->out}};
		if (poll(pfd, 3, -1) < 0 && errno != EINTR)
			break;
		if (pfd[2].revents & (POLLERR | POLLHUP))
			failed = true;
		for (int k = 0; k < 2 && !failed; k++) {
			if (!pfd[k].revents)
				continue;
			ssize_t n = read(f->pipe[k], buf, sizeof(buf));
			if (n > 0)
				failed = api_write_frame(f->out, k + 1, buf, (size_t)n) < 0;
			else if (n == 0 || (errno != EINTR && errno != EAGAIN)) {
				close(f->pipe[k]);
				f->pipe[k] = -1;
			}
		}
	}
	for (int k = 0; k < 2; k++)
		if (f->pipe[k] >= 0)
			close(f->pipe[k]);
	return NULL;
}

static void attach_run(int in, int out, void *arg)
{
	struct ctr_attach *a = arg;
	struct ward_attach_opts o = a->o;
	struct ward_error e = {0};
	if (in < 0)
		o.in = false;
	if (a->tty) {
		ward_sandbox_attach(a->sb, &o, in, out, out, NULL, &e);
		return;
	}
	int po[2], pe[2];
	if (pipe2(po, O_CLOEXEC) < 0)
		return;
	if (pipe2(pe, O_CLOEXEC) < 0) {
		close(po[0]);
		close(po[1]);
		return;
	}
	struct framer f = {.pipe = {po[0], pe[0]}, .out = out};
	pthread_t t;
	if (pthread_create(&t, NULL, frame_main, &f) != 0) {
		close(po[0]);
		close(pe[0]);
	} else {
		ward_sandbox_attach(a->sb, &o, in, po[1], pe[1], NULL, &e);
	}
	close(po[1]);
	close(pe[1]);
	pthread_join(t, NULL);
}

static void attach_free(void *arg)
{
	struct ctr_attach *a = arg;
	ward_sandbox_close(a->sb);
	free(a);
}

void attach_handler(struct api_req *r)
{
	struct ward_sandbox *sb;
	if (attach_open_container(r, r->arg[0], &sb) < 0)
		return;
	struct ctr_attach *a = calloc(1, sizeof(*a));
	if (!a) {
		ward_sandbox_close(sb);
		api_reply_error(r, 500, "out of memory");
		return;
	}
	a->sb = sb;
	a->tty = container_tty(sb);
	a->o = (struct ward_attach_opts){.in = api_query_bool(r, "stdin", false),
	                                 .out = api_query_bool(r, "stdout", false),
	                                 .err = api_query_bool(r, "stderr", false),
	                                 .logs = api_query_bool(r, "logs", false),
	                                 .stream = api_query_bool(r, "stream", false)};
	const char *keys = api_query(r, "detachKeys");
	if (keys && *keys) {
		attach_free(a);
		api_reply_error(r, 400, "detachKeys: not supported by ward");
		return;
	}
	api_reply_hijack(r,
	                 a->tty ? "application/vnd.docker.raw-stream"
	                        : "application/vnd.docker.multiplexed-stream",
	                 attach_run, a, attach_free);
}

void resize_handler(struct api_req *r)
{
	long h, w;
	if (api_query_long(r, "h", 0, &h) < 0 || api_query_long(r, "w", 0, &w) < 0)
		return;
	if (h < 0 || w < 0 || h > 65535 || w > 65535) {
		api_reply_error(r, 400, "resize: h and w must be 0 to 65535");
		return;
	}
	struct ward_sandbox *sb;
	if (attach_open_container(r, r->arg[0], &sb) < 0)
		return;
	struct ward_error e = {0};
	if (ward_sandbox_resize(sb, (unsigned)h, (unsigned)w, &e) < 0)
		api_reply_ward_error(r, 409, &e);
	else
		api_reply_empty(r, 200);
	ward_sandbox_close(sb);
}
