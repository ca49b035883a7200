/* The calls that talk to a running sandbox's supervisor: exec, stop, kill, wait, rm, root,
 * network, resize. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>

#include "cgroup.h"
#include "control.h"
#include "sandbox.h"
#include "sys.h"
#include "tty.h"

/* Connect to ID's control socket; -1 with errno. */
static int connect_ctl(const struct state *st, const char *id)
{
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	state_file(st, id, "ctl", a.sun_path, sizeof(a.sun_path));
	int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd >= 0 && connect(fd, (struct sockaddr *)&a, sizeof(a)) == 0)
		return fd;
	int err = errno;
	if (fd >= 0)
		close(fd);
	errno = err;
	return -1;
}

/* The record of SB; a record gone reads as the sandbox gone. */
static int read_record(struct state *st, const struct ward_sandbox *sb, struct sandbox_record *rec,
                       struct ward_error *e)
{
	int got = state_read(st, sb->id, rec, e);
	if (got == 0 || got == STATE_DAMAGED)
		return got;
	if (e && e->err == ENOENT)
		ward_error_set(e, 0, "sandbox %s: no such sandbox (see ward ps --all)", sb->ref);
	return -1;
}

/* The supervisor of SB, connected; rec gets its record. */
static int connect_sandbox(struct state *st, const struct ward_sandbox *sb,
                           struct sandbox_record *rec, struct ward_error *e)
{
	const char *ref = sb->ref;
	if (state_open(st, sb->ctx, e) < 0 || read_record(st, sb, rec, e) < 0)
		return -1;
	if (rec->status == SB_STOPPED)
		return ward_error_set(
		    e, 0, "sandbox %s is stopped (%s, exit code %d); ward start it first", ref,
		    rec->reason, rec->exit_code);
	if (rec->status == SB_CREATED)
		return ward_error_set(
		    e, 0, "sandbox %s is created, not started; ward start it first", ref);
	int fd = connect_ctl(st, sb->id);
	if (fd >= 0)
		return fd;
	int err = errno;
	if (!state_alive(st, sb->id)) {
		state_collect(st);
		return ward_error_set(
		    e, 0, "sandbox %s: its supervisor is gone; it was cleaned up (see ward ps -a)",
		    ref);
	}
	return ward_error_set(e, err, "sandbox %s: %s", ref,
	                      rec->status == SB_CREATING ? "still being created"
	                                                 : "connecting to its supervisor");
}

/* connect_sandbox without the state kept open. */
static int connect_ref(const struct ward_sandbox *sb, struct ward_error *e)
{
	struct state st;
	struct sandbox_record rec;
	int sock = connect_sandbox(&st, sb, &rec, e);
	state_close(&st);
	return sock;
}

static json_t *exec_request(const struct ward_exec_opts *o)
{
	json_t *argv = json_array(), *env = json_array();
	for (size_t i = 0; o->argv[i]; i++)
		json_array_append_new(argv, json_string(o->argv[i]));
	for (size_t i = 0; o->env && o->env[i]; i++)
		json_array_append_new(env, json_string(o->env[i]));
	json_t *q =
	    json_pack("{s:s, s:o, s:o, s:b, s:b, s:i}", "op", "exec", "argv", argv, "env", env,
	              "tty", o->tty, "interactive", o->interactive, "timeout", (int)o->timeout_s);
	if (q && o->cwd)
		json_object_set_new(q, "cwd", json_string(o->cwd));
	if (q && o->user)
		json_object_set_new(q, "user", json_string(o->user));
	return q;
}

/* Keep up to max bytes of what the command writes; count the rest. Returns false at EOF. */
static bool drain(int fd, struct ward_exec_result *res, int i, size_t max)
{
	char buf[65536];
	ssize_t n = read(fd, buf, sizeof(buf));
	if (n < 0)
		return errno == EINTR || errno == EAGAIN;
	if (n == 0)
		return false;
	res->total[i] += (size_t)n;
	size_t keep = res->len[i] < max ? max - res->len[i] : 0;
	keep = keep < (size_t)n ? keep : (size_t)n;
	if (keep) {
		char *p = realloc(res->out[i], res->len[i] + keep + 1);
		if (!p)
			return true;
		memcpy(p + res->len[i], buf, keep);
		res->out[i] = p;
		res->len[i] += keep;
		p[res->len[i]] = 0;
	}
	return true;
}

static int exit_event(json_t *m, struct ward_exec_result *res, struct ward_error *e)
{
	res->exit_code = (int)json_integer_value(json_object_get(m, "exitCode"));
	res->signal = (int)json_integer_value(json_object_get(m, "signal"));
	res->timed_out = json_is_true(json_object_get(m, "timedOut"));
	res->oom_killed = json_is_true(json_object_get(m, "oomKilled"));
	res->duration_ms = (uint64_t)json_integer_value(json_object_get(m, "durationMs"));
	const char *err = json_string_value(json_object_get(m, "error"));
	if (!err)
		err = json_string_value(json_object_get(m, "message"));
	if (err) {
		ward_error_set(e, 0, "%s", err);
		return -1;
	}
	return 0;
}

/* The pty is MASTER now (-1: no more); a size asked before applies. */
static void winsize_attach(struct exec_winsize *w, int master)
{
	if (!w)
		return;
	pthread_mutex_lock(&w->mu);
	w->master = master;
	struct winsize ws = {.ws_row = w->rows, .ws_col = w->cols};
	if (master >= 0 && w->rows)
		ioctl(master, TIOCSWINSZ, &ws);
	pthread_mutex_unlock(&w->mu);
}

static const int forwarded[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGWINCH};

/* Relay signals and the terminal, drain captured output, until the exit event. */
static int wait_exit(int sock, int master, const struct ward_exec_opts *o,
                     struct ward_exec_result *res, struct ward_error *e)
{
	sigset_t set, old;
	sigemptyset(&set);
	for (size_t i = 0; i < sizeof(forwarded) / sizeof(forwarded[0]); i++)
		sigaddset(&set, forwarded[i]);
	sigprocmask(SIG_BLOCK, &set, &old);
	autoclose int sigfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	struct tty_relay tty;
	tty_relay_init(&tty);
	if (master >= 0) {
		/* the relay runs between the exec's stdin and stdout and the pty */
		tty.in = o->stdio[0];
		tty.out = o->stdio[1];
		tty_relay_start(&tty, master, o->interactive);
		winsize_attach(o->winsize, master);
	}
	int cap[2] = {o->capture[0], o->capture[1]};
	int rc = 1;
	while (rc == 1) {
		struct pollfd p[6] = {{.fd = sock, .events = POLLIN},
		                      {.fd = sigfd, .events = POLLIN},
		                      {.fd = cap[0], .events = POLLIN},
		                      {.fd = cap[1], .events = POLLIN}};
		int nt = tty_relay_fds(&tty, p + 4);
		if (poll(p, (nfds_t)(4 + nt), -1) < 0 && errno != EINTR)
			break;
		for (int i = 0; i < 2; i++)
			if (cap[i] >= 0 && p[2 + i].revents &&
			    !drain(cap[i], res, i, o->max_output))
				cap[i] = -1;
		tty_relay_io(&tty, p + 4, nt);
		struct signalfd_siginfo si;
		while (p[1].revents && read(sigfd, &si, sizeof(si)) == sizeof(si)) {
			if (si.ssi_signo == SIGWINCH) {
				tty_relay_resize(&tty);
				continue;
			}
			ctl_send(
			    sock,
			    json_pack("{s:s, s:i}", "op", "signal", "signo", (int)si.ssi_signo),
			    NULL, 0);
		}
		if (!p[0].revents)
			continue;
		json_t *m;
		int fds[CTL_MAX_FDS];
		size_t nfds;
		if (ctl_recv(sock, &m, fds, &nfds) != 1) {
			ward_error_set(e, 0,
			               "exec: the sandbox's supervisor went away (the sandbox "
			               "was stopped or killed)");
			res->exit_code = 125;
			rc = -1;
			break;
		}
		for (size_t i = 0; i < nfds; i++)
			close(fds[i]);
		const char *ev = json_string_value(json_object_get(m, "event"));
		if (ev && !strcmp(ev, "exit"))
			rc = exit_event(m, res, e);
		json_decref(m);
	}
	/* what the command wrote before it ended; writers it left behind are not waited for */
	for (int i = 0; i < 2; i++) {
		if (cap[i] < 0)
			continue;
		fcntl(cap[i], F_SETFL, O_NONBLOCK);
		for (;;) {
			errno = 0;
			if (!drain(cap[i], res, i, o->max_output) || errno == EAGAIN)
				break;
		}
	}
	winsize_attach(o->winsize, -1);
	tty_relay_end(&tty);
	sigprocmask(SIG_SETMASK, &old, NULL);
	return rc;
}

int sb_exec(const struct ward_sandbox *sb, const struct ward_exec_opts *o,
            struct ward_exec_result *res, struct ward_error *e)
{
	*res = (struct ward_exec_result){.exit_code = 125};
	struct state st;
	struct sandbox_record rec;
	autoclose int sock = connect_sandbox(&st, sb, &rec, e);
	state_close(&st);
	if (sock < 0)
		return -1;
	if (rec.status == SB_PAUSED) /* the supervisor refuses too; this names it as asked */
		return ward_error_set(e, 0, "sandbox %s is paused; ward unpause it first", sb->ref);
	json_t *q = exec_request(o);
	if (ctl_send(sock, q, o->stdio, o->tty ? 0 : 3) < 0) {
		ward_error_set(e, errno, "exec: sending the request");
		return -1;
	}
	json_t *m;
	int fds[CTL_MAX_FDS];
	size_t nfds;
	if (ctl_recv(sock, &m, fds, &nfds) != 1) {
		ward_error_set(e, errno, "exec: no answer from the sandbox's supervisor");
		return -1;
	}
	const char *ev = json_string_value(json_object_get(m, "event"));
	int master = -1;
	for (size_t i = 0; i < nfds; i++) {
		if (master < 0 && o->tty)
			master = fds[i];
		else
			close(fds[i]);
	}
	int rc;
	if (ev && !strcmp(ev, "started")) {
		rc = wait_exit(sock, master, o, res, e);
	} else {
		rc = exit_event(m, res, e) < 0 ? -1 : 0;
		if (master >= 0)
			close(master);
	}
	json_decref(m);
	return rc;
}

/* Send Q and wait until the supervisor closes the connection: it has finished. */
static int request_end(int sock, json_t *q, struct ward_error *e)
{
	if (ctl_send(sock, q, NULL, 0) < 0) {
		ward_error_set(e, errno, "sending the request");
		return -1;
	}
	for (;;) {
		json_t *m;
		int fds[CTL_MAX_FDS];
		size_t nfds;
		int got = ctl_recv(sock, &m, fds, &nfds);
		for (size_t i = 0; i < nfds; i++)
			close(fds[i]);
		json_decref(m);
		if (got <= 0)
			return 0;
	}
}

int sb_stop(const struct ward_sandbox *sb, unsigned grace_s, struct ward_error *e)
{
	autoclose int sock = connect_ref(sb, e);
	if (sock < 0)
		return -1;
	return request_end(sock, json_pack("{s:s, s:i}", "op", "stop", "time", (int)grace_s), e);
}

/* One request (with FD, unless -1), one answer: {"ok": true} or an error event with its
 * message. */
static int request_ok_fd(const struct ward_sandbox *sb, json_t *q, int fd, struct ward_error *e)
{
	autoclose int sock = connect_ref(sb, e);
	if (sock < 0) {
		json_decref(q);
		return -1;
	}
	if (ctl_send(sock, q, &fd, fd >= 0) < 0)
		return ward_error_set(e, errno, "sandbox %s: sending the request", sb->ref);
	json_t *m = NULL;
	int fds[CTL_MAX_FDS];
	size_t nfds;
	int got = ctl_recv(sock, &m, fds, &nfds);
	for (size_t i = 0; i < nfds; i++)
		close(fds[i]);
	const char *msg = json_string_value(json_object_get(m, "message"));
	int rc = got > 0 && json_is_true(json_object_get(m, "ok")) ? 0 : -1;
	if (rc < 0)
		ward_error_set(e, 0, "sandbox %s: %s", sb->ref,
		               msg ? msg : "its supervisor did not answer");
	json_decref(m);
	return rc;
}

static int request_ok(const struct ward_sandbox *sb, json_t *q, struct ward_error *e)
{
	return request_ok_fd(sb, q, -1, e);
}

int sb_layer(const struct ward_sandbox *sb, int out, struct ward_error *e)
{
	return request_ok_fd(sb, json_pack("{s:s}", "op", "layer"), out, e);
}

int sb_kill(const struct ward_sandbox *sb, int sig, struct ward_error *e)
{
	if (sig <= 0 || sig >= 65)
		return ward_error_set(e, 0, "kill %s: signal %d: expected 1 to 64", sb->ref, sig);
	if (sig == SIGKILL) {
		autoclose int sock = connect_ref(sb, e);
		if (sock < 0)
			return -1;
		return request_end(sock, json_pack("{s:s}", "op", "kill"), e);
	}
	return request_ok(sb, json_pack("{s:s, s:i}", "op", "kill", "signal", sig), e);
}

/* Ask SB's supervisor to answer once the sandbox has ended: 1 with *code, 0 when it went
 * away without an answer (it was ending: its record says how), -1 when unreachable. */
static int wait_supervisor(struct state *st, const struct ward_sandbox *sb, int *code)
{
	autoclose int sock = connect_ctl(st, sb->id);
	if (sock < 0 || ctl_send(sock, json_pack("{s:s}", "op", "wait"), NULL, 0) < 0)
		return -1;
	json_t *m;
	int fds[CTL_MAX_FDS];
	size_t nfds;
	int got;
	while ((got = ctl_recv(sock, &m, fds, &nfds)) < 0 && errno == EINTR)
		;
	for (size_t i = 0; i < nfds; i++)
		close(fds[i]);
	json_t *c = got > 0 ? json_object_get(m, "exitCode") : NULL;
	int rc = json_is_integer(c) ? 1 : 0;
	if (rc)
		*code = (int)json_integer_value(c);
	json_decref(m);
	return rc;
}

int sb_wait(const struct ward_sandbox *sb, int *exit_code, struct ward_error *e)
{
	struct state st;
	int code = 0, rc = -1;
	bool gone_before = false;
	if (state_open(&st, sb->ctx, e) < 0)
		goto out;
	for (;;) {
		struct sandbox_record rec;
		/* under the lock: a supervisor that is ending has recorded its end, or not begun */
		state_lock(&st, false);
		int r = read_record(&st, sb, &rec, e);
		state_unlock(&st);
		if (r < 0)
			break;
		if (rec.status == SB_STOPPED) {
			code = rec.exit_code;
			rc = 0;
			break;
		}
		if (rec.status == SB_CREATED && !state_alive(&st, sb->id)) {
			/* not started yet: until someone starts it (as docker wait) */
			struct timespec ts = {0, 100 * 1000 * 1000};
			nanosleep(&ts, NULL);
			continue;
		}
		int got = wait_supervisor(&st, sb, &code);
		if (got == 1) {
			rc = 0;
			break;
		}
		/* gone: ended (its record says so now) or died (twice in a row says so) */
		bool gone = got < 0 && !state_alive(&st, sb->id);
		if (gone && gone_before) {
			state_collect(&st);
			ward_error_set(e, 0,
			               "sandbox %s: its supervisor is gone; it was cleaned up (see "
			               "ward ps -a)",
			               sb->ref);
			break;
		}
		gone_before = gone;
		/* being created, or between closing its socket and recording its end */
		struct timespec ts = {0, 10 * 1000 * 1000};
		if (!gone)
			nanosleep(&ts, NULL);
	}
out:
	state_close(&st);
	if (rc == 0 && exit_code)
		*exit_code = code;
	return rc;
}

int sb_rm(const struct ward_sandbox *sb, bool force, struct ward_error *e)
{
	struct state st;
	const char *id = sb->id, *ref = sb->ref;
	struct sandbox_record rec;
	int rc = -1;
	if (state_open(&st, sb->ctx, e) < 0)
		goto out;
	int got = read_record(&st, sb, &rec, e);
	if (got < 0) {
		/* A damaged record names nothing to trust or signal: with -f, and its supervisor
		 * gone, only its directory goes (and the names that led to it). */
		if (!force || got != STATE_DAMAGED || state_alive(&st, id))
			goto out;
		state_lock(&st, true);
		state_remove_dir(&st, id);
		state_unlock(&st);
		state_collect(&st);
		cgroup_sweep_all(); /* its cgroups are named by nothing left to trust */
		rc = 0;
		goto out;
	}
	if (state_alive(&st, id)) {
		if (!force) {
			ward_error_set(e, 0, "sandbox %s is %s; ward stop it first, or rm -f", ref,
			               sandbox_status_name(rec.status));
			goto out;
		}
		autoclose int sock = connect_ctl(&st, id);
		if (sock < 0) {
			ward_error_set(e, errno, "sandbox %s: connecting to its supervisor", ref);
			goto out;
		}
		/* going: saving its writable layer first would only cost time and disk */
		if (request_end(sock, json_pack("{s:s, s:b}", "op", "kill", "discard", 1), e) < 0)
			goto out;
	}
	state_lock(&st, true);
	struct sandbox_record cur;
	struct ward_error ignored;
	if (state_read(&st, id, &cur, &ignored) == 0 && !state_alive(&st, id))
		state_remove(&st, &cur, e);
	state_unlock(&st);
	rc = 0;
out:
	state_close(&st);
	return rc;
}

int sb_root(const struct ward_sandbox *sb, int *rootfd, uid_t *uid, gid_t *gid, uint64_t *disk,
            char **cwd, struct ward_error *e)
{
	const char *ref = sb->ref;
	autoclose int sock = connect_ref(sb, e);
	if (sock < 0)
		return -1;
	json_t *m;
	int fds[CTL_MAX_FDS];
	size_t nfds = 0;
	if (ctl_send(sock, json_pack("{s:s}", "op", "root"), NULL, 0) < 0 ||
	    ctl_recv(sock, &m, fds, &nfds) != 1) {
		ward_error_set(e, errno, "sandbox %s: asking its supervisor for the root", ref);
		return -1;
	}
	*uid = (uid_t)json_integer_value(json_object_get(m, "uid"));
	*gid = (gid_t)json_integer_value(json_object_get(m, "gid"));
	json_int_t d = json_integer_value(json_object_get(m, "disk"));
	if (disk)
		*disk = d > 0 ? (uint64_t)d : 0;
	const char *dir = json_string_value(json_object_get(m, "cwd"));
	char *wd = cwd ? strdup(dir && dir[0] == '/' ? dir : "/") : NULL;
	json_decref(m);
	for (size_t i = 1; i < nfds; i++)
		close(fds[i]);
	if (nfds == 0 || (cwd && !wd)) {
		if (nfds)
			close(fds[0]);
		free(wd);
		return ward_error_set(e, nfds ? ENOMEM : 0, "sandbox %s: %s", ref,
		                      nfds ? "its working directory"
		                           : "its supervisor gave no root");
	}
	if (cwd)
		*cwd = wd;
	*rootfd = fds[0];
	return 0;
}

int sb_network(const struct ward_sandbox *sb, bool egress, struct ward_error *e)
{
	return request_ok(sb, json_pack("{s:s}", "op", egress ? "connect" : "disconnect"), e);
}

int sb_resize(const struct ward_sandbox *sb, unsigned rows, unsigned cols, struct ward_error *e)
{
	return request_ok(sb,
	                  json_pack("{s:s, s:I, s:I}", "op", "resize", "rows", (json_int_t)rows,
	                            "cols", (json_int_t)cols),
	                  e);
}

int sb_pause(const struct ward_sandbox *sb, bool on, struct ward_error *e)
{
	return request_ok(sb, json_pack("{s:s}", "op", on ? "pause" : "unpause"), e);
}

int sb_wait_conn(const struct ward_sandbox *sb, int *fd, struct ward_error *e)
{
	struct state st;
	struct sandbox_record rec;
	*fd = -1;
	int rc = state_open(&st, sb->ctx, e) < 0 || read_record(&st, sb, &rec, e) < 0 ? -1 : 0;
	if (rc == 0 && rec.status != SB_STOPPED && rec.status != SB_CREATED) {
		*fd = connect_ctl(&st, sb->id);
		if (*fd >= 0 && ctl_send(*fd, json_pack("{s:s}", "op", "wait"), NULL, 0) < 0) {
			close(*fd);
			*fd = -1;
		}
	}
	state_close(&st);
	return rc;
}
