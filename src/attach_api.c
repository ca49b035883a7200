/* ward_sandbox_attach and ward_sandbox_resize: the caller's side. The supervisor gets pipes
 * (sandbox_attach.c) and answers with the log's position at that moment: what came before
 * is read back from the log (a sandbox waited for from created, or LOGS), what comes after
 * arrives on the pipes. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "control.h"
#include "logfile.h"
#include "sandbox.h"
#include "sys.h"

/* A point in the log: (the file's inode, an offset), or its very beginning. */
struct logpos {
	bool all;
	ino_t ino;
	off_t off;
};

struct attach {
	struct ward_sandbox *sb;
	const struct ward_attach_opts *o;
	struct state st;
	int dirfd;
	int user[3]; /* the caller's in, out, err (-1: not wanted) */
	bool tty;
	bool gone; /* the caller's side can no longer be written */
};

/* To the caller's fd without SIGPIPE where it is a socket (a server's connection). */
static int put(struct attach *a, int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
		if (w < 0 && errno == ENOTSOCK)
			w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0) {
			a->gone = true;
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static int out_fd(const struct attach *a, int stream)
{
	if (a->tty)
		return a->user[1] >= 0 ? a->user[1] : a->user[2];
	return a->user[stream];
}

struct replay {
	struct attach *a;
	const off_t *off;
	off_t end;
	bool bounded;
};

static int replay_record(const struct log_record *r, void *arg)
{
	struct replay *p = arg;
	if (p->bounded && *p->off > p->end)
		return 1;
	int fd = out_fd(p->a, r->stream);
	return fd >= 0 && put(p->a, fd, r->data, r->len) < 0 ? -1 : 0;
}

static struct logpos log_now(int dirfd)
{
	struct stat sb;
	if (fstatat(dirfd, LOG_FILE, &sb, AT_SYMLINK_NOFOLLOW) < 0)
		return (struct logpos){.all = true};
	return (struct logpos){.ino = sb.st_ino, .off = sb.st_size};
}

/* The log's records from FROM up to TO (bounded) or its end, to the caller. */
static void replay(struct attach *a, struct logpos from, struct logpos to, bool bounded)
{
	static const char *const files[] = {LOG_FILE_OLD, LOG_FILE};
	bool started = from.all;
	for (size_t i = 0; i < 2 && !a->gone; i++) {
		autoclose int fd = openat(a->dirfd, files[i], O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
		struct stat sb;
		if (fd < 0 || fstat(fd, &sb) < 0)
			continue;
		off_t off = 0;
		if (!started && sb.st_ino != from.ino)
			continue;
		if (!started)
			off = from.off;
		started = true;
		bool last = bounded && sb.st_ino == to.ino;
		struct replay p = {.a = a, .off = &off, .end = to.off, .bounded = last};
		log_each(fd, &off, replay_record, &p);
		if (last)
			break;
	}
}

static int read_status(struct attach *a, struct sandbox_record *rec, struct ward_error *e)
{
	int got = state_read(&a->st, a->sb->id, rec, e);
	if (got == 0 || got == STATE_DAMAGED)
		return 0;
	if (e->err == ENOENT)
		ward_error_set(e, 0, "sandbox %s: no such sandbox (see ward ps --all)", a->sb->ref);
	return -1;
}

/* Until REC leaves STATUS: inotify on its directory (the record is replaced by a rename),
 * re-read at least every quarter second. 1 when the caller went away meanwhile. */
static int wait_change(struct attach *a, struct sandbox_record *rec, enum sandbox_status status,
                       struct ward_error *e)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/self/fd/%d", a->dirfd);
	autoclose int ino = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
	if (ino >= 0)
		inotify_add_watch(ino, path,
		                  IN_MOVED_TO | IN_CREATE | IN_CLOSE_WRITE | IN_DELETE_SELF);
	for (;;) {
		if (read_status(a, rec, e) < 0)
			return -1;
		if (rec->status != status)
			return 0;
		struct pollfd p[3] = {
		    {.fd = ino, .events = POLLIN}, {.fd = a->user[1]}, {.fd = a->user[2]}};
		if (poll(p, 3, 250) > 0) {
			if ((p[1].revents | p[2].revents) & (POLLERR | POLLHUP))
				return 1;
			char buf[4096];
			while (ino >= 0 && read(ino, buf, sizeof(buf)) > 0)
				;
		}
	}
}

/* Its control socket (CONNECT), or just the end; -1 once it has stopped (REC then says so),
 * or with E. */
static int connect_running(struct attach *a, struct sandbox_record *rec, bool connect_it,
                           struct ward_error *e)
{
	for (int i = 0; i < 3000; i++) {
		struct sockaddr_un sa = {.sun_family = AF_UNIX};
		state_file(&a->st, a->sb->id, "ctl", sa.sun_path, sizeof(sa.sun_path));
		int fd = connect_it ? socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0) : -1;
		if (fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0)
			return fd;
		if (fd >= 0)
			close(fd);
		/* between its last answer and the record that says stopped */
		if (!state_alive(&a->st, a->sb->id))
			state_collect(&a->st);
		if (read_status(a, rec, e) < 0)
			return -1;
		if (rec->status == SB_STOPPED || rec->status == SB_CREATED)
			return -1;
		struct timespec tick = {0, 10 * 1000 * 1000};
		nanosleep(&tick, NULL);
	}
	return ward_error_set(e, 0, "attach %s: its supervisor does not answer", a->sb->ref);
}

/* Relay until the command ends or the caller goes. */
struct relay {
	int ctl, in_w, out_r[2];
	bool in_open;
	char pend[16384];
	size_t npend;
	int exit_code;
};

static void relay_output(struct attach *a, struct relay *r, int k)
{
	char buf[65536];
	ssize_t n = read(r->out_r[k], buf, sizeof(buf));
	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	if (n > 0) {
		int fd = out_fd(a, k + 1);
		if (fd >= 0)
			put(a, fd, buf, (size_t)n);
		return;
	}
	close(r->out_r[k]);
	r->out_r[k] = -1;
}

static void relay_input(struct attach *a, struct relay *r, bool readable, bool writable)
{
	if (readable) {
		ssize_t n = read(a->user[0], r->pend + r->npend, sizeof(r->pend) - r->npend);
		if (n > 0)
			r->npend += (size_t)n;
		else if (n == 0 || (errno != EINTR && errno != EAGAIN))
			r->in_open = false;
	}
	if (writable && r->npend) {
		ssize_t w = send(r->in_w, r->pend, r->npend, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (w > 0) {
			memmove(r->pend, r->pend + w, r->npend - (size_t)w);
			r->npend -= (size_t)w;
		} else if (w < 0 && errno != EAGAIN && errno != EINTR) {
			r->npend = 0; /* the sandbox takes no more */
			r->in_open = false;
		}
	}
	if (!r->in_open && !r->npend && r->in_w >= 0) {
		close(r->in_w); /* its end: the supervisor sees EOF */
		r->in_w = -1;
	}
}

static void relay_ctl(struct relay *r)
{
	json_t *m = NULL;
	int fds[CTL_MAX_FDS];
	size_t nfds = 0;
	int got = ctl_recv(r->ctl, &m, fds, &nfds);
	for (size_t i = 0; i < nfds; i++)
		close(fds[i]);
	if (got > 0 && json_object_get(m, "exitCode"))
		r->exit_code = (int)json_integer_value(json_object_get(m, "exitCode"));
	if (got <= 0) {
		close(r->ctl);
		r->ctl = -1;
	}
	json_decref(m);
}

static void relay(struct attach *a, struct relay *r)
{
	while (!a->gone && (r->ctl >= 0 || r->out_r[0] >= 0 || r->out_r[1] >= 0)) {
		struct pollfd p[7] = {
		    {.fd = r->ctl, .events = POLLIN},
		    {.fd = r->out_r[0], .events = POLLIN},
		    {.fd = r->out_r[1], .events = POLLIN},
		    {.fd = r->in_open && r->npend < sizeof(r->pend) ? a->user[0] : -1,
		     .events = POLLIN},
		    {.fd = r->npend ? r->in_w : -1, .events = POLLOUT},
		    {.fd = a->user[1]},
		    {.fd = a->user[2]},
		};
		if (poll(p, 7, -1) < 0 && errno != EINTR)
			break;
		if ((p[5].revents | p[6].revents) & (POLLERR | POLLHUP))
			a->gone = true;
		for (int k = 0; k < 2; k++)
			if (p[1 + k].revents)
				relay_output(a, r, k);
		if (p[3].revents || p[4].revents || !r->in_open)
			relay_input(a, r, p[3].revents, p[4].revents);
		/* the exit code comes after the output pipes were closed: read on to their EOF */
		if (p[0].revents)
			relay_ctl(r);
	}
}

static int request(struct attach *a, struct relay *r, struct logpos *to, struct ward_error *e)
{
	const struct ward_attach_opts *o = a->o;
	int in[2] = {-1, -1}, out[2] = {-1, -1}, err[2] = {-1, -1};
	int send_fds[3];
	size_t n = 0;
	int rc = -1;
	if ((o->in && socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, in) < 0) ||
	    (o->out && pipe2(out, O_CLOEXEC) < 0) || (o->err && pipe2(err, O_CLOEXEC) < 0)) {
		ward_error_set(e, errno, "attach %s: making its pipes", a->sb->ref);
		goto out;
	}
	if (o->in)
		send_fds[n++] = in[1];
	if (o->out)
		send_fds[n++] = out[1];
	if (o->err)
		send_fds[n++] = err[1];
	json_t *q = json_pack("{s:s, s:b, s:b, s:b}", "op", "attach", "in", o->in, "out", o->out,
	                      "err", o->err);
	if (ctl_send(r->ctl, q, send_fds, n) < 0) {
		ward_error_set(e, errno, "attach %s: sending the request", a->sb->ref);
		goto out;
	}
	json_t *m = NULL;
	int fds[CTL_MAX_FDS];
	size_t nfds = 0;
	int got = ctl_recv(r->ctl, &m, fds, &nfds);
	for (size_t i = 0; i < nfds; i++)
		close(fds[i]);
	const char *msg = json_string_value(json_object_get(m, "message"));
	if (got <= 0) { /* accepted while it ended: no answer, the record will say */
		rc = 1;
		goto out;
	}
	if (!json_is_true(json_object_get(m, "ok"))) {
		ward_error_set(e, 0, "attach %s: %s", a->sb->ref,
		               msg ? msg : "its supervisor did not answer");
		json_decref(m);
		goto out;
	}
	a->tty = json_is_true(json_object_get(m, "tty"));
	r->in_open = o->in && a->user[0] >= 0 && json_is_true(json_object_get(m, "stdin"));
	*to = (struct logpos){.ino = (ino_t)json_integer_value(json_object_get(m, "logIno")),
	                      .off = (off_t)json_integer_value(json_object_get(m, "logSize"))};
	json_decref(m);
	r->in_w = in[0], in[0] = -1;
	r->out_r[0] = out[0], out[0] = -1;
	r->out_r[1] = err[0], err[0] = -1;
	if (!r->in_open && r->in_w >= 0) {
		close(r->in_w);
		r->in_w = -1;
	}
	rc = 0;
out:
	for (int i = 0; i < 2; i++) {
		if (in[i] >= 0)
			close(in[i]);
		if (out[i] >= 0)
			close(out[i]);
		if (err[i] >= 0)
			close(err[i]);
	}
	return rc;
}

static int attach(struct attach *a, int *exit_code, struct ward_error *e)
{
	const struct ward_attach_opts *o = a->o;
	struct sandbox_record rec;
	struct logpos from = {.all = o->logs};
	bool waited = false;
	if (read_status(a, &rec, e) < 0)
		return -1;
	if (rec.status == SB_CREATED && o->stream) {
		/* docker run: attached before the start; what it writes first is in the log */
		if (!o->logs)
			from = log_now(a->dirfd);
		int got = wait_change(a, &rec, SB_CREATED, e);
		if (got != 0)
			return got < 0 ? -1 : 0;
		waited = true;
	}
	if (rec.status == SB_STOPPED && !waited && !o->logs)
		return ward_error_set(
		    e, 0, "attach %s: the sandbox is stopped; ward start it first", a->sb->ref);
	struct relay r = {.ctl = -1, .in_w = -1, .out_r = {-1, -1}, .exit_code = -1};
	if (o->stream && rec.status != SB_STOPPED && rec.status != SB_CREATED)
		r.ctl = connect_running(a, &rec, true, e);
	if (r.ctl < 0 && e->msg[0])
		return -1;
	if (r.ctl < 0) {
	ended: /* never started, or ended already: its log tells */
		if (o->logs || waited)
			replay(a, from, (struct logpos){0}, false);
		if (rec.status == SB_STOPPED && exit_code)
			*exit_code = rec.exit_code;
		return 0;
	}
	struct logpos to = {0};
	int rc = request(a, &r, &to, e);
	if (rc == 1) {
		close(r.ctl);
		r.ctl = -1;
		if (connect_running(a, &rec, false, e) < 0 && e->msg[0])
			return -1;
		goto ended;
	}
	if (rc == 0 && (o->logs || waited))
		replay(a, from, to, true);
	if (rc == 0)
		relay(a, &r);
	if (rc == 0 && exit_code)
		*exit_code = a->gone ? -1 : r.exit_code;
	if (r.ctl >= 0)
		close(r.ctl);
	if (r.in_w >= 0)
		close(r.in_w);
	for (int k = 0; k < 2; k++)
		if (r.out_r[k] >= 0)
			close(r.out_r[k]);
	return rc;
}

int ward_sandbox_attach(struct ward_sandbox *sb, const struct ward_attach_opts *o, int in, int out,
                        int err, int *exit_code, struct ward_error *e)
{
	struct ward_error ignored;
	if (!e)
		e = &ignored;
	e->msg[0] = 0;
	if (exit_code)
		*exit_code = -1;
	struct attach a = {.sb = sb,
	                   .o = o,
	                   .dirfd = -1,
	                   .user = {o->in ? in : -1, o->out ? out : -1, o->err ? err : -1}};
	if (state_open(&a.st, sb->ctx, e) < 0)
		return -1;
	a.dirfd = openat(a.st.boxes, sb->id, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	int rc = -1;
	if (a.dirfd < 0 && errno == ENOENT)
		ward_error_set(e, 0, "sandbox %s: no such sandbox (see ward ps --all)", sb->ref);
	else if (a.dirfd < 0)
		ward_error_set(e, errno, "attach %s", sb->ref);
	else if (state_check_owned(a.dirfd, "its state directory", e) == 0)
		rc = attach(&a, exit_code, e);
	if (a.dirfd >= 0)
		close(a.dirfd);
	state_close(&a.st);
	return rc;
}

int ward_sandbox_resize(struct ward_sandbox *sb, unsigned rows, unsigned cols, struct ward_error *e)
{
	if (rows > 65535 || cols > 65535)
		return ward_error_set(e, 0, "resize %s: rows and columns must be 0 to 65535",
		                      sb->ref);
	return sb_resize(sb, rows, cols, e);
}
