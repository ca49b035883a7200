/* The supervisor of one persistent sandbox: started by ward create, detached from it, alive
 * as long as the sandbox. It holds the init's pidfd, the cgroup, the compiled filter and the
 * control socket, answers exec, root, network, stop, kill and wait requests, and at the end records
 * the outcome (persistent) or removes the sandbox's state. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/pidfd.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>

#include "control.h"
#include "exec.h"
#include "idmap.h"
#include "image.h"
#include "layer.h"
#include "logfile.h"
#include "sandbox.h"
#include "sandbox_attach.h"
#include "sys.h"

#define MAX_CONNS 256

struct conn {
	int fd;
	bool busy;    /* running an exec */
	bool waiting; /* asked for stop, kill or wait: answered at the end */
	struct exec_job job;
	struct ward_spec x; /* the exec's spec: argv and env owned here */
	uint64_t t0, deadline, oom0;
	bool timed_out;
};

struct sup {
	struct run r;
	struct state *st;
	struct sandbox_record *rec;
	int dirfd, listen;
	struct conn c[MAX_CONNS];
	size_t n;
	bool stopping, paused;
	bool discard; /* rm -f: the sandbox goes, its writable layer is not saved */
	uint64_t stop_deadline, life_deadline;
	struct log_relay log; /* init's stdout and stderr into the log */
	struct attach_set at; /* the main command's terminal or stdin; attached clients */
};

static json_t *error_reply(const char *msg, int code)
{
	return json_pack("{s:s, s:s, s:i}", "event", "error", "message", msg, "exitCode", code);
}

/* Read only where a memory limit can kill: an exec's start pays nothing otherwise. */
static uint64_t oom_kills(const struct run *r)
{
	return r->s->limits.memory ? cgroup_oom_kills(&r->cg) : 0;
}

static void conn_close(struct sup *sp, struct conn *c)
{
	exec_job_close(&c->job);
	exec_spec_free(&c->x);
	if (c->fd >= 0)
		close(c->fd);
	*c = sp->c[--sp->n];
}

static int exec_request(struct sup *sp, struct conn *c, json_t *q, int *fds, size_t nfds)
{
	struct ward_error e = {0};
	unsigned timeout = 0;
	exec_spec_from_json(sp->r.s, q, &c->x, &timeout, &e);
	if (!e.msg[0] && !c->x.tty && nfds != 3)
		ward_error_set(&e, 0, "exec: expected three fds for stdio");
	int stdio[3] = {-1, -1, -1};
	for (size_t i = 0; i < nfds && i < 3; i++)
		stdio[i] = fds[i];
	c->oom0 = oom_kills(&sp->r);
	c->t0 = now_ms();
	if (e.msg[0] || exec_spawn(&sp->r, &c->x, stdio, &c->job, &e) < 0) {
		ctl_send(c->fd, error_reply(e.msg, 125), NULL, 0);
		return -1;
	}
	c->busy = true;
	c->deadline = timeout ? c->t0 + (uint64_t)timeout * 1000 : 0;
	json_t *started = json_pack("{s:s, s:i}", "event", "started", "pid", (int)c->job.pid);
	ctl_send(c->fd, started, &c->job.master, c->job.master >= 0);
	if (c->job.master >= 0) {
		close(c->job.master);
		c->job.master = -1;
	}
	return 0;
}

static void job_message(struct conn *c)
{
	struct msg m;
	int fd = -1;
	if (msg_recv(c->job.sock, &m, &fd) != 1) {
		close(c->job.sock);
		c->job.sock = -1;
		return;
	}
	if (fd >= 0)
		close(fd);
	exec_job_note(&c->job, &m);
}

/* The command ended: its status to the client, which then closes. */
static void job_done(struct sup *sp, struct conn *c)
{
	siginfo_t si = {0};
	while (waitid((idtype_t)P_PIDFD, (id_t)c->job.pidfd, &si, WEXITED) < 0 && errno == EINTR)
		;
	while (c->job.sock >= 0) {
		struct pollfd p = {.fd = c->job.sock, .events = POLLIN};
		if (poll(&p, 1, 0) <= 0)
			break;
		job_message(c);
	}
	int sig = si.si_code == CLD_EXITED ? 0 : si.si_status;
	int code = sig ? 128 + sig : si.si_status;
	bool oom = sig == SIGKILL && !c->timed_out && oom_kills(&sp->r) > c->oom0;
	const char *err = c->job.failed ? c->job.fail.text : ""; /* as the command's side said */
	if (c->job.failed)
		code = c->job.fail.type == MSG_EXEC_FAIL ? c->job.fail.value : 125;
	json_t *o = json_pack("{s:s, s:i, s:i, s:b, s:b, s:I}", "event", "exit", "exitCode", code,
	                      "signal", sig, "timedOut", c->timed_out, "oomKilled", oom,
	                      "durationMs", (json_int_t)(now_ms() - c->t0));
	if (err[0])
		json_object_set_new(o, "error", json_string(err));
	ctl_send(c->fd, o, NULL, 0);
	conn_close(sp, c);
}

/* Frozen processes take SIGTERM only once thawed (v1: not even SIGKILL): ending a paused
 * sandbox thaws it first. */
static void thaw(struct sup *sp)
{
	struct ward_error e = {0};
	if (!sp->paused || cgroup_freeze(&sp->r.cg, false, &e) < 0)
		return;
	sp->paused = false;
	sp->rec->status = SB_RUNNING;
	state_write(sp->dirfd, sp->rec, &e);
}

/* pause / unpause: the record says so once the kernel has done it. */
static void pause_request(struct sup *sp, struct conn *c, bool on)
{
	struct ward_error e = {0};
	if (sp->stopping)
		ward_error_set(&e, 0, "%s: the sandbox is stopping", on ? "pause" : "unpause");
	else if (sp->paused == on)
		ward_error_set(&e, 0, "%s", on ? "already paused" : "not paused");
	else if (cgroup_freeze(&sp->r.cg, on, &e) == 0) {
		sp->paused = on;
		sp->rec->status = on ? SB_PAUSED : SB_RUNNING;
		state_write(sp->dirfd, sp->rec, &e);
	}
	ctl_send(c->fd, e.msg[0] ? error_reply(e.msg, 125) : json_pack("{s:b}", "ok", 1), NULL, 0);
}

static void begin_stop(struct sup *sp, unsigned grace_s)
{
	thaw(sp);
	uint64_t deadline = now_ms() + (uint64_t)grace_s * 1000;
	if (sp->stopping && sp->stop_deadline <= deadline)
		return;
	sp->stopping = true;
	sp->stop_deadline = deadline;
	if (grace_s == 0)
		run_kill(&sp->r);
	else
		pidfd_send_signal(sp->r.pidfd, SIGTERM, NULL, 0);
}

static void root_request(struct sup *sp, struct conn *c)
{
	const struct ward_spec *s = sp->r.s;
	int fd = sp->r.rootfd;
	json_t *o =
	    json_pack("{s:b, s:I, s:I, s:I, s:s}", "ok", 1, "uid",
	              (json_int_t)idmap_to_host(s->idmaps.uid_map, s->idmaps.n_uid_map, 0), "gid",
	              (json_int_t)idmap_to_host(s->idmaps.gid_map, s->idmaps.n_gid_map, 0), "disk",
	              (json_int_t)s->limits.disk, "cwd", s->cwd ? s->cwd : "/");
	ctl_send(c->fd, o, &fd, 1);
}

static void record_network(struct sandbox_record *rec, const struct net *n)
{
	memcpy(rec->ports, n->bound, sizeof(rec->ports));
	rec->n_ports = n->n_bound;
	rec->egress = n->egress;
	if (n->veth) {
		net_ntoa(n->subnet + 2, rec->address);
		snprintf(rec->host_if, sizeof(rec->host_if), "%s", n->host_if);
	}
}

/* Egress on or off; loopback and published ports stay. The record says so at once. */
static void network_request(struct sup *sp, struct conn *c, bool on)
{
	struct ward_error e = {0};
	struct run *r = &sp->r;
	int rc = on ? net_connect(&r->net, r->pid, r->ns[NS_NET], r->ns[NS_USER], &e)
	            : net_disconnect(&r->net, &e);
	record_network(sp->rec, &r->net);
	/* done, but a record that says otherwise misleads inspect and port: the caller hears */
	struct ward_error we = {0};
	if (state_write(sp->dirfd, sp->rec, &we) < 0 && rc == 0) {
		e = we;
		rc = -1;
	}
	ctl_send(c->fd, rc < 0 ? error_reply(e.msg, 125) : json_pack("{s:b}", "ok", 1), NULL, 0);
}

/* A signal for init alone, answered at once: one that init does not die of (an idle init
 * passes SIGTERM and the like on to everything inside, and lives) ends nothing. */
static void signal_request(struct sup *sp, struct conn *c, json_t *q)
{
	json_int_t sig = json_integer_value(json_object_get(q, "signal"));
	char msg[64];
	if (sig <= 0 || sig >= 65) {
		snprintf(msg, sizeof(msg), "kill: signal %lld: expected 1 to 64", (long long)sig);
		ctl_send(c->fd, error_reply(msg, 125), NULL, 0);
	} else if (pidfd_send_signal(sp->r.pidfd, (int)sig, NULL, 0) < 0) {
		snprintf(msg, sizeof(msg), "kill: signal %lld: %s", (long long)sig,
		         strerror(errno));
		ctl_send(c->fd, error_reply(msg, 125), NULL, 0);
	} else {
		ctl_send(c->fd, json_pack("{s:b}", "ok", 1), NULL, 0);
	}
}

/* The writable layer as it is now, to the client's fd (ward commit of a running sandbox). */
static void layer_request(struct sup *sp, struct conn *c, int *fds, size_t nfds)
{
	struct ward_error e = {0};
	if (nfds != 1)
		ward_error_set(&e, 0, "layer: expected one fd");
	else if (sp->r.upper < 0)
		ward_error_set(&e, 0, "it has no writable layer (--read-only or --rm)");
	else
		layer_export(sp->r.userns, sp->r.upper, fds[0], &e);
	ctl_send(c->fd, e.msg[0] ? error_reply(e.msg, 125) : json_pack("{s:b}", "ok", 1), NULL, 0);
}

static void request(struct sup *sp, struct conn *c)
{
	json_t *q;
	int fds[CTL_MAX_FDS];
	size_t nfds;
	int got = ctl_recv(c->fd, &q, fds, &nfds);
	if (got <= 0) {
		if (!c->busy) {
			conn_close(sp, c);
			return;
		}
		/* the client went away: so does its command */
		kill(-c->job.pid, SIGKILL);
		close(c->fd);
		c->fd = -1;
		return;
	}
	const char *op = json_string_value(json_object_get(q, "op"));
	op = op ? op : "";
	if (!strcmp(op, "signal") && c->busy) {
		int sig = (int)json_integer_value(json_object_get(q, "signo"));
		if (sig > 0 && sig < 65)
			kill(-c->job.pid, sig);
	} else if (c->busy || c->waiting) {
		ctl_send(c->fd, error_reply("one request at a time", 125), NULL, 0);
	} else if (!strcmp(op, "exec") && sp->stopping) {
		ctl_send(c->fd, error_reply("exec: the sandbox is stopping", 125), NULL, 0);
	} else if (!strcmp(op, "exec") && sp->paused) {
		char msg[128];
		snprintf(msg, sizeof(msg), "sandbox %s is paused; ward unpause it first",
		         sp->rec->name[0] ? sp->rec->name : sp->rec->id);
		ctl_send(c->fd, error_reply(msg, 125), NULL, 0);
	} else if (!strcmp(op, "exec")) {
		exec_request(sp, c, q, fds, nfds);
	} else if (!strcmp(op, "pause") || !strcmp(op, "unpause")) {
		pause_request(sp, c, !strcmp(op, "pause"));
	} else if (!strcmp(op, "attach")) {
		attach_add(&sp->at, c->fd, q, fds, nfds);
		c->fd = -1; /* the connection is the attached client's now */
		conn_close(sp, c);
	} else if (!strcmp(op, "resize")) {
		attach_resize(&sp->at, c->fd, q);
	} else if (!strcmp(op, "root")) {
		root_request(sp, c);
	} else if (!strcmp(op, "layer")) {
		layer_request(sp, c, fds, nfds);
	} else if (!strcmp(op, "connect") || !strcmp(op, "disconnect")) {
		network_request(sp, c, !strcmp(op, "connect"));
	} else if (!strcmp(op, "kill") && json_object_get(q, "signal")) {
		signal_request(sp, c, q);
	} else if (!strcmp(op, "wait")) {
		c->waiting = true;
	} else if (!strcmp(op, "stop") || !strcmp(op, "kill")) {
		c->waiting = true;
		if (json_is_true(json_object_get(q, "discard")))
			sp->discard = true;
		json_int_t t = json_integer_value(json_object_get(q, "time"));
		begin_stop(sp, !strcmp(op, "kill") ? 0 : (unsigned)(t < 0 ? 0 : t));
	} else {
		ctl_send(c->fd, error_reply("unknown request", 125), NULL, 0);
	}
	for (size_t i = 0; i < nfds; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	json_decref(q);
}

static void accept_conn(struct sup *sp)
{
	int fd = accept4(sp->listen, NULL, NULL, SOCK_CLOEXEC);
	if (fd < 0)
		return;
	struct ucred cred;
	socklen_t len = sizeof(cred);
	/* the socket's directory is closed to others already; this is the second lock */
	if (sp->n == MAX_CONNS || getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0 ||
	    (cred.uid != geteuid() && cred.uid != 0)) {
		close(fd);
		return;
	}
	sp->c[sp->n++] = (struct conn){.fd = fd, .job = {.pidfd = -1, .sock = -1, .master = -1}};
}

static void on_signal(struct sup *sp)
{
	struct signalfd_siginfo si;
	while (read(sp->r.sigfd, &si, sizeof(si)) == sizeof(si))
		if (si.ssi_signo == SIGTERM || si.ssi_signo == SIGINT)
			begin_stop(sp, 10);
}

static int next_timeout(const struct sup *sp)
{
	uint64_t t = now_ms(), next = 0;
	if (sp->life_deadline)
		next = sp->life_deadline;
	if (sp->stopping && (!next || sp->stop_deadline < next))
		next = sp->stop_deadline;
	for (size_t i = 0; i < sp->n; i++)
		if (sp->c[i].busy && sp->c[i].deadline && !sp->c[i].timed_out &&
		    (!next || sp->c[i].deadline < next))
			next = sp->c[i].deadline;
	if (!next)
		return -1;
	return next <= t ? 0 : (int)(next - t);
}

static void check_deadlines(struct sup *sp)
{
	uint64_t t = now_ms();
	if ((sp->life_deadline && t >= sp->life_deadline) ||
	    (sp->stopping && t >= sp->stop_deadline)) {
		sp->r.timed_out |= sp->life_deadline && t >= sp->life_deadline;
		thaw(sp);
		run_kill(&sp->r);
	}
	for (size_t i = 0; i < sp->n; i++) {
		struct conn *c = &sp->c[i];
		if (c->busy && c->deadline && !c->timed_out && t >= c->deadline) {
			c->timed_out = true;
			kill(-c->job.pid, SIGKILL);
		}
	}
}

static bool any_busy(const struct sup *sp)
{
	for (size_t i = 0; i < sp->n; i++)
		if (sp->c[i].busy)
			return true;
	return false;
}

static void serve(struct sup *sp)
{
	bool idle = !sp->r.s->argv || !sp->r.s->argv[0];
	for (;;) {
		/* stopping an idle sandbox: done once the execs are */
		if (sp->stopping && idle && !any_busy(sp))
			run_kill(&sp->r);
		enum { FIXED = 6 };
		struct pollfd pfd[FIXED + 2 * MAX_CONNS + ATTACH_POLL], apfd[ATTACH_POLL];
		bool held = attach_blocked(&sp->at); /* an attached client is behind */
		size_t n = 0;
		pfd[n++] = (struct pollfd){.fd = sp->r.pidfd, .events = POLLIN};
		pfd[n++] = (struct pollfd){.fd = sp->r.sigfd, .events = POLLIN};
		pfd[n++] = (struct pollfd){.fd = sp->r.sock, .events = POLLIN};
		pfd[n++] = (struct pollfd){.fd = sp->listen, .events = POLLIN};
		pfd[n++] = (struct pollfd){.fd = held ? -1 : sp->log.pipe[0], .events = POLLIN};
		pfd[n++] = (struct pollfd){.fd = held ? -1 : sp->log.pipe[1], .events = POLLIN};
		for (size_t i = 0; i < sp->n; i++) {
			pfd[n++] = (struct pollfd){.fd = sp->c[i].fd, .events = POLLIN};
			pfd[n++] = (struct pollfd){.fd = sp->c[i].busy ? sp->c[i].job.pidfd : -1,
			                           .events = POLLIN};
		}
		size_t used = attach_fds(&sp->at, apfd);
		memcpy(pfd + n, apfd, used * sizeof(*apfd));
		int ready = poll(pfd, n + used, next_timeout(sp));
		if (ready < 0 && errno != EINTR) { /* never a supervisor gone with its sandbox up */
			fprintf(stderr, "ward: supervisor: poll: %s; stopping the sandbox\n",
			        strerror(errno));
			run_kill(&sp->r);
			return;
		}
		check_deadlines(sp);
		if (ready <= 0)
			continue;
		memcpy(apfd, pfd + n, used * sizeof(*apfd));
		if (pfd[2].revents)
			run_on_message(&sp->r);
		if (pfd[1].revents)
			on_signal(sp);
		if (pfd[3].revents)
			accept_conn(sp);
		for (int k = 0; k < 2; k++)
			if (pfd[4 + k].fd >= 0 && pfd[4 + k].revents)
				log_relay_read(&sp->log, k + 1);
		attach_io(&sp->at, apfd);
		/* from the end: closing a connection moves the last one into its place */
		for (size_t i = (n - FIXED) / 2; i-- > 0;) {
			struct conn *c = &sp->c[i];
			short in = pfd[FIXED + 2 * i].revents,
			      done = pfd[FIXED + 1 + 2 * i].revents;
			if (c->busy && c->job.sock >= 0) {
				struct pollfd p = {.fd = c->job.sock, .events = POLLIN};
				if (poll(&p, 1, 0) > 0)
					job_message(c);
			}
			if (done)
				job_done(sp, c);
			else if (in && c->fd >= 0)
				request(sp, c);
		}
		if (pfd[0].revents)
			return;
	}
}

/* After the init: its processes are gone with its pid namespace; execs still report. */
static void finish_execs(struct sup *sp)
{
	for (size_t i = sp->n; i-- > 0;) {
		struct conn *c = &sp->c[i];
		if (c->busy) {
			kill(-c->job.pid, SIGKILL);
			job_done(sp, c);
		}
	}
}

static int listen_ctl(struct sup *sp, struct ward_error *e)
{
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	state_file(sp->st, sp->rec->id, "ctl", a.sun_path, sizeof(a.sun_path));
	/* the last run's socket: no one listens there (this supervisor holds the lock) */
	unlinkat(sp->dirfd, "ctl", 0);
	sp->listen = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (sp->listen < 0 || bind(sp->listen, (struct sockaddr *)&a, sizeof(a)) < 0 ||
	    listen(sp->listen, 64) < 0) {
		ward_error_set(e, errno, "control socket %s/sandboxes/%s/ctl", sp->st->path,
		               sp->rec->id);
		return -1;
	}
	return 0;
}

static int64_t wall_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static uint64_t ns_inode(int fd)
{
	struct stat sb;
	return fd >= 0 && fstat(fd, &sb) == 0 ? (uint64_t)sb.st_ino : 0;
}

static void record_running(struct sup *sp)
{
	struct sandbox_record *rec = sp->rec;
	const struct run *r = &sp->r;
	rec->status = SB_RUNNING;
	rec->started = (int64_t)wall_ms();
	rec->finished = 0;
	rec->exit_code = 0;
	rec->reason[0] = 0;
	rec->supervisor = getpid();
	rec->supervisor_start = proc_start_time(rec->supervisor);
	rec->init = r->pid;
	rec->init_start = proc_start_time(r->pid);
	rec->ns_user = ns_inode(r->ns[0]);
	rec->ns_mnt = ns_inode(r->ns[1]);
	rec->ns_pid = ns_inode(r->ns[2]);
	rec->ns_net = ns_inode(r->ns[3]);
	rec->n_cgroups = 0;
	if (r->cg.path[0])
		snprintf(rec->cgroups[rec->n_cgroups++], sizeof(rec->cgroups[0]), "%s", r->cg.path);
	for (size_t i = 0; i < r->cg.n_v1 && rec->n_cgroups < STATE_MAX_CG; i++)
		snprintf(rec->cgroups[rec->n_cgroups++], sizeof(rec->cgroups[0]), "%s",
		         r->cg.v1[i]);
	record_network(rec, &r->net);
}

/* Wait for init's MSG_READY; false when the sandbox failed to come up. */
static bool wait_ready(struct run *r)
{
	while (!r->ready && !r->failed && r->sock >= 0) {
		struct pollfd p[2] = {{.fd = r->sock, .events = POLLIN},
		                      {.fd = r->pidfd, .events = POLLIN}};
		if (poll(p, 2, -1) < 0 && errno != EINTR)
			return false;
		if (p[0].revents)
			run_on_message(r);
		else if (p[1].revents)
			return false;
	}
	return r->ready && !r->failed;
}

static int tell(int ready, const char *text)
{
	return ready >= 0 ? write_all(ready, text, strlen(text)) : 0;
}

/* The writable layer into the sandbox's directory, replacing the one saved before only once
 * complete: a stop killed halfway leaves the previous one (and a .new that the next look at
 * the state root removes). */
static void save_layer(struct sup *sp)
{
	const struct run *r = &sp->r;
	if (r->upper < 0)
		return;
	struct ward_error e = {0};
	int fd = openat(sp->dirfd, STATE_LAYER ".new",
	                O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		ward_error_set(&e, errno, "creating %s.new", STATE_LAYER);
	else if (layer_export(r->userns, r->upper, fd, &e) == 0 && fsync(fd) < 0)
		ward_error_set(&e, errno, "writing %s.new", STATE_LAYER);
	if (fd >= 0)
		close(fd);
	fault_point("saved");
	if (!e.msg[0] && renameat(sp->dirfd, STATE_LAYER ".new", sp->dirfd, STATE_LAYER) < 0)
		ward_error_set(&e, errno, "renaming %s.new", STATE_LAYER);
	if (e.msg[0]) {
		unlinkat(sp->dirfd, STATE_LAYER ".new", 0);
		fprintf(stderr, "ward: saving the writable layer: %s; the one saved before stays\n",
		        e.msg);
	}
}

void sandbox_supervise(const struct ward_spec *s, struct state *st, int dirfd, int lockfd,
                       struct sandbox_record *rec, int ready, bool fresh)
{
	const struct sandbox_record prior = *rec;
	prctl(PR_SET_NAME, "ward-supervisor", 0, 0, 0);
	cgroup_place_supervisor();
	struct sup sp = {.st = st, .rec = rec, .dirfd = dirfd, .listen = -1};
	log_relay_open(&sp.log, dirfd);
	attach_init(&sp.at, &sp.log);
	/* writing to an attached client that went away: EPIPE, not the end of the supervisor
	 * (blocked, not ignored: commands start with an empty mask, never inherit SIG_IGN) */
	sigset_t pipe_set;
	sigemptyset(&pipe_set);
	sigaddset(&pipe_set, SIGPIPE);
	sigprocmask(SIG_BLOCK, &pipe_set, NULL);
	struct ward_result res = {.reason = WARD_SETUP_ERROR, .exit_code = 125};
	struct ward_error e = {0};
	int rc = s->interactive && !s->tty ? attach_stdin_prepare(&sp.at, &e) : 0;
	if (rc == 0)
		rc = run_start(&sp.r, st->ctx, s, &res, &e);
	attach_stdin_started(&sp.at);
	if (rc == 0) {
		if (!wait_ready(&sp.r)) {
			run_kill(&sp.r);
			run_collect(&sp.r, &res);
			rc = -1;
			if (sp.r.failed) /* as the sandbox's side worded it */
				msg_error(&sp.r.fail, &e);
			else
				ward_error_set(&e, 0, "the sandbox's init ended during setup");
		}
	}
	if (rc == 0) {
		attach_set_master(&sp.at, sp.r.tty.master);
		sp.r.tty.master = -1;
		record_running(&sp);
	}
	if (rc == 0 && (listen_ctl(&sp, &e) < 0 || state_write(dirfd, rec, &e) < 0)) {
		run_kill(&sp.r);
		run_collect(&sp.r, &res);
		rc = -1;
	}
	fault_point("recorded");
	/* A ward create killed before it could print the id leaves no sandbox behind. */
	if (rc == 0 && tell(ready, "ok\n") < 0) {
		run_kill(&sp.r);
		run_collect(&sp.r, &res);
		rc = -1;
		ward_error_set(&e, 0, "ward create ended before the sandbox was ready; removed");
	}
	bool announced = rc == 0;
	if (rc == 0) {
		close(ready);
		ready = -1;
		sp.life_deadline = s->timeout_s ? sp.r.t0 + (uint64_t)s->timeout_s * 1000 : 0;
		serve(&sp);
		run_collect(&sp.r, &res);
		finish_execs(&sp);
		log_relay_flush(&sp.log);
		attach_end(&sp.at, res.exit_code);
		if (!s->auto_remove && !sp.discard) {
			fault_point("saving");
			save_layer(&sp);
		}
	}
	attach_end(&sp.at, res.exit_code); /* nothing left, after a start that failed */
	log_relay_detach(&sp.log);
	rc = run_end(&sp.r, rc, &res, &e);
	if (rc < 0) {
		const char *msg = e.msg; /* already ends in its cause */
		if (ready >= 0) {
			tell(ready, "error ");
			tell(ready, msg);
			tell(ready, "\n");
		} else {
			/* the sandbox's CMD failed after create returned: its log says why */
			char line[sizeof(e.msg) + 8];
			snprintf(line, sizeof(line), "ward: %s\n", msg);
			log_relay_note(&sp.log, line);
		}
	}
	log_relay_close(&sp.log); /* complete before whoever follows it hears of the end */
	if (sp.listen >= 0)
		close(sp.listen);
	/* the end, as the record or its removal; then whoever waits for it hears */
	fault_point("removing");
	state_lock(st, true);
	rec->status = SB_STOPPED;
	/* unlocked, not only closed: a child forked for the teardown (the veth's removal) may
	 * hold a copy of the descriptor a while, and the sandbox would look alive to rm */
	flock(lockfd, LOCK_UN);
	close(lockfd);
	if (announced && !s->auto_remove) {
		rec->finished = (int64_t)wall_ms();
		rec->exit_code = res.exit_code;
		snprintf(rec->reason, sizeof(rec->reason), "%s", ward_reason_name(res.reason));
		state_write(dirfd, rec, &e);
	} else if (!announced && !fresh) {
		state_write(dirfd, &prior, &e); /* a failed start leaves it as it was */
	} else {
		state_remove(st, rec, &e);
	}
	state_unlock(st);
	for (size_t i = sp.n; i-- > 0;) {
		if (sp.c[i].waiting)
			ctl_send(sp.c[i].fd,
			         json_pack("{s:b, s:i}", "ok", 1, "exitCode", res.exit_code), NULL,
			         0);
		conn_close(&sp, &sp.c[i]);
	}
	_exit(rc == 0 ? 0 : 125);
}
