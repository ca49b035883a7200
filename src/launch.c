/* Supervisor side of one start: clone3 into fresh namespaces, write the id maps, hand over
 * the idmapped root, then relay signals and terminal I/O, enforce the timeout and report
 * how the workload ended. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/pidfd.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>

#include "cgroup.h"
#include "changes.h"
#include "filter.h"
#include "channel.h"
#include "child.h"
#include "idmap.h"
#include "launch.h"
#include "sys.h"
#include "tty.h"
#include "volumes.h"
#include "spec.h"

#define NS_FLAGS                                                                                   \
	(CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWIPC | CLONE_NEWUTS | CLONE_NEWNET | \
	 CLONE_NEWCGROUP)

static const int relayed[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH};

uint64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* A tree already owned by the container range (an unpacked image) needs no idmapping: its
 * owner is container root as it is. */
static bool range_owned(const struct ward_spec *s, int rootdirfd)
{
	struct stat st;
	return fstat(rootdirfd, &st) == 0 && st.st_uid == s->idmaps.uid_map[0].outside &&
	       st.st_gid == s->idmaps.gid_map[0].outside;
}

/* Root callers: the supervisor clones DIR's mount and, unless the tree is already owned by
 * the container range, idmaps it for the child's user namespace. Only the host-side process
 * has privilege over the filesystem, and the child then needs no path to DIR (whose parents
 * may be closed to the container's ids). */
static int root_tree(const struct ward_spec *s, int rootdirfd, pid_t pid, struct ward_error *e)
{
	autoclose int m =
	    open_tree(rootdirfd, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH);
	if (m < 0)
		return ward_error_set(e, errno, "--rootfs %s: cloning the directory's mount",
		                      s->rootfs);
	if (range_owned(s, rootdirfd))
		return take_fd(&m);
	autoclose int userns = ns_open(pid, "user", e);
	if (userns < 0)
		return -1;
	struct mount_attr a = {.attr_set = MOUNT_ATTR_IDMAP, .userns_fd = (uint64_t)userns};
	if (mount_setattr(m, "", AT_EMPTY_PATH, &a, sizeof(a)) < 0)
		return ward_error_set(
		    e, errno,
		    "--rootfs %s: its filesystem cannot be idmapped (needs a kernel and "
		    "filesystem with idmapped mounts; ward will not run it as host root)",
		    s->rootfs);
	return take_fd(&m);
}

static int start_child(struct run *r, int rootdirfd, struct ward_error *e)
{
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		return ward_error_set(e, errno, "creating the sync socket");
	struct clone_args args = {
	    .flags = NS_FLAGS | CLONE_PIDFD,
	    .pidfd = (uint64_t)(uintptr_t)&r->pidfd,
	    .exit_signal = SIGCHLD,
	};
	if (r->cg.fd >= 0) {
		args.flags |= CLONE_INTO_CGROUP;
		args.cgroup = (uint64_t)r->cg.fd;
	}
	/* v1 placement happens after the clone: the child makes its cgroup namespace then. */
	if (cgroup_late_namespace(&r->cg))
		args.flags &= ~(uint64_t)CLONE_NEWCGROUP;
	long pid = sys_clone3(&args);
	if (pid < 0) {
		int err = errno;
		close(sv[0]);
		close(sv[1]);
		if (err == ENOSPC)
			return ward_error_set(
			    e, err,
			    "creating a user namespace: user.max_user_namespaces (%ld) is 0 or "
			    "used up; raise it with sysctl (see 'ward doctor')",
			    read_long_file("/proc/sys/user/max_user_namespaces"));
		if (err == EPERM)
			return ward_error_set(
			    e, err,
			    "creating a user namespace: this host forbids it (sysctl "
			    "kernel.unprivileged_userns_clone or an AppArmor/SELinux "
			    "restriction; see 'ward doctor')");
		return ward_error_set(e, err, "creating namespaces");
	}
	if (pid == 0) {
		close(sv[0]);
		child_main(r->s, &r->filter, r->volfds, sv[1], rootdirfd);
	}
	close(sv[1]);
	r->sock = sv[0];
	r->pid = (pid_t)pid;
	return 0;
}

void run_kill(struct run *r)
{
	if (r->pidfd >= 0)
		pidfd_send_signal(r->pidfd, SIGKILL, NULL, 0);
}

void run_on_message(struct run *r)
{
	struct msg m;
	int fd = -1;
	int got = msg_recv(r->sock, &m, &fd);
	if (got <= 0) {
		close(r->sock);
		r->sock = -1;
		return;
	}
	switch (m.type) {
	case MSG_PTY:
		if (fd >= 0 && r->tty.master < 0) {
			/* a persistent sandbox's terminal: its supervisor relays it
			 * (sandbox_attach.c) */
			if (r->s->resident)
				r->tty.master = fd;
			else
				tty_relay_start(&r->tty, fd, r->s->interactive);
			fd = -1;
		}
		break;
	case MSG_UPPER:
		if (m.value == -1 && r->s->keep_upper && r->upper < 0) {
			r->upper = fd;
			fd = -1;
		} else if (r->uppers && m.value >= 0 && (size_t)m.value < r->s->n_volumes &&
		           r->uppers[m.value] < 0) {
			r->uppers[m.value] = fd;
			fd = -1;
		}
		break;
	case MSG_NS:
		if (m.value >= 0 && m.value < NS_COUNT && r->ns[m.value] < 0) {
			r->ns[m.value] = fd;
			fd = -1;
		}
		break;
	case MSG_READY:
		r->ready = true;
		if (r->rootfd < 0) {
			r->rootfd = fd;
			fd = -1;
		}
		break;
	case MSG_STATUS:
		r->have_status = true;
		r->status = m.value;
		break;
	case MSG_FAIL:
	case MSG_EXEC_FAIL:
		if (!r->failed) {
			r->failed = true;
			r->fail = m;
		}
		break;
	}
	if (fd >= 0)
		close(fd);
}

static void on_signal(struct run *r)
{
	struct signalfd_siginfo si;
	while (read(r->sigfd, &si, sizeof(si)) == sizeof(si)) {
		if (si.ssi_signo == SIGWINCH)
			tty_relay_resize(&r->tty);
		pidfd_send_signal(r->pidfd, (int)si.ssi_signo, NULL, 0);
	}
}

void run_supervise(struct run *r, uint64_t deadline, int cancelfd)
{
	for (;;) {
		struct pollfd pfd[6];
		int n = 0;
		pfd[n++] = (struct pollfd){.fd = r->pidfd, .events = POLLIN};
		pfd[n++] = (struct pollfd){.fd = r->sigfd, .events = POLLIN};
		pfd[n++] = (struct pollfd){.fd = r->sock, .events = POLLIN};
		pfd[n++] = (struct pollfd){.fd = r->canceled ? -1 : cancelfd, .events = POLLIN};
		int ntty = tty_relay_fds(&r->tty, pfd + n);
		int timeout = -1;
		if (deadline && !r->timed_out) {
			uint64_t t = now_ms();
			timeout = t >= deadline ? 0 : (int)(deadline - t);
		}
		int ready = poll(pfd, (nfds_t)(n + ntty), timeout);
		if (ready < 0 && errno != EINTR)
			break;
		if (ready == 0 && deadline && !r->timed_out) {
			r->timed_out = true;
			run_kill(r);
			continue;
		}
		if (r->sock >= 0 && pfd[2].revents)
			run_on_message(r);
		if (pfd[3].revents) {
			r->canceled = true;
			run_kill(r);
		}
		if (pfd[1].revents)
			on_signal(r);
		tty_relay_io(&r->tty, pfd + n, ntty);
		if (pfd[0].revents)
			return;
	}
}

void run_collect(struct run *r, struct ward_result *res)
{
	siginfo_t si = {0};
	while (waitid((idtype_t)P_PIDFD, (id_t)r->pidfd, &si, WEXITED) < 0 && errno == EINTR)
		;
	/* Messages sent just before the exit are still queued. */
	while (r->sock >= 0) {
		struct pollfd p = {.fd = r->sock, .events = POLLIN};
		if (poll(&p, 1, 0) <= 0)
			break;
		run_on_message(r);
	}
	int status;
	if (r->have_status)
		status = r->status;
	else if (si.si_code == CLD_EXITED)
		status = W_EXITCODE(si.si_status, 0);
	else
		status = si.si_status; /* killed by a signal */
	if (WIFEXITED(status)) {
		res->reason = WARD_EXITED;
		res->exit_code = WEXITSTATUS(status);
	} else {
		res->reason = WARD_SIGNALED;
		res->signal = WTERMSIG(status);
		res->exit_code = 128 + res->signal;
	}
	if (r->timed_out || r->canceled) {
		res->reason = r->timed_out ? WARD_TIMEOUT : WARD_CANCELED;
		res->signal = SIGKILL;
		res->exit_code = 128 + SIGKILL;
	}
}

/* The child's failure, as the child worded it. */
static int report_failure(const struct run *r, struct ward_result *res, struct ward_error *e)
{
	res->reason = WARD_SETUP_ERROR;
	res->signal = 0;
	res->exit_code = r->fail.type == MSG_EXEC_FAIL ? r->fail.value : 125;
	return msg_error(&r->fail, e);
}

/* No cgroup can hold the limits (rootless, nothing delegated) and the caller accepted
 * rlimits instead: the closest each limit has, and a note of what is not enforced. */
static void best_effort_limits(struct ward_spec *s, struct ward_result *res)
{
	const struct ward_limits *l = &s->limits;
	struct {
		bool on;
		int res;
		uint64_t v;
	} map[] = {
	    {l->memory != 0, RLIMIT_AS, l->memory},
	    {l->pids != 0, RLIMIT_NPROC, l->pids},
	};
	for (size_t i = 0; i < 2; i++) {
		if (!map[i].on || s->n_rlimits == WARD_MAX_RLIMITS)
			continue;
		s->rlimits[s->n_rlimits++] = (struct ward_rlimit){
		    .resource = map[i].res, .soft = map[i].v, .hard = map[i].v};
	}
	snprintf(res->limits_note, sizeof(res->limits_note),
	         "best-effort: memory as RLIMIT_AS, pids as RLIMIT_NPROC%s",
	         l->cpu_quota || l->cpu_weight || l->cpuset[0] || l->n_io
	             ? "; cpu, cpuset and io limits are not enforced"
	             : "");
}

static int block_signals(sigset_t *old)
{
	sigset_t set;
	sigemptyset(&set);
	for (size_t i = 0; i < sizeof(relayed) / sizeof(relayed[0]); i++)
		sigaddset(&set, relayed[i]);
	if (sigprocmask(SIG_BLOCK, &set, old) < 0)
		return -1;
	return signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
}

static int changes_prepare(struct run *r, struct ward_error *e)
{
	r->uppers = malloc((r->s->n_volumes + 1) * sizeof(int));
	if (!r->uppers)
		return ward_error_set(e, ENOMEM, "--changes");
	for (size_t i = 0; i < r->s->n_volumes; i++)
		r->uppers[i] = -1;
	return (r->changes = changes_open(r->s, e)) < 0 ? -1 : 0;
}

/* Everything up to the GO message; on failure the sandbox is gone and r holds only what
 * run_end releases. */
int run_start(struct run *r, const struct ward_context *c, const struct ward_spec *s,
              struct ward_result *res, struct ward_error *e)
{
	*r = (struct run){.ctx = c,
	                  .s = s,
	                  .sock = -1,
	                  .pidfd = -1,
	                  .sigfd = -1,
	                  .upper = -1,
	                  .userns = -1,
	                  .changes = -1,
	                  .rootdirfd = -1,
	                  .rootfd = -1,
	                  .t0 = now_ms()};
	*res = (struct ward_result){.reason = WARD_SETUP_ERROR, .exit_code = 125};
	tty_relay_init(&r->tty);
	cgroup_none(&r->cg);
	net_init(&r->net);
	for (size_t i = 0; i < NS_COUNT; i++)
		r->ns[i] = -1;
	if (ward_spec_validate(s, e) < 0)
		return -1;
	r->rootdirfd = open(s->rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (r->rootdirfd < 0)
		return ward_error_set(e, errno, "--rootfs %s", s->rootfs);
	if (filter_prepare(c, s, &r->filter, e) < 0)
		return -1;
	r->have_filter = true;
	if (cgroup_create(&r->cg, &s->limits, e) < 0)
		return -1;
	r->sigfd = block_signals(&r->oldmask);
	if (r->sigfd < 0)
		return ward_error_set(e, errno, "setting up signal relay");
	r->eff = *s;
	if (net_prepare(&r->net, &r->eff, e) < 0)
		return -1;
	r->volfds = calloc(s->n_volumes + 1, sizeof(int));
	if (!r->volfds || volumes_open(s, r->volfds, e) < 0) {
		free(r->volfds);
		r->volfds = NULL;
		return -1;
	}
	/* the first volume, if a directory, is the workspace: the default working directory */
	struct stat first;
	if (!r->eff.cwd && r->eff.n_volumes && fstat(r->volfds[0], &first) == 0 &&
	    S_ISDIR(first.st_mode))
		r->eff.cwd = r->eff.volumes[0].container;
	if (limits_requested(&s->limits) && !r->cg.v2_limits && !r->cg.n_v1)
		best_effort_limits(&r->eff, res);
	r->s = &r->eff;
	if (s->changes && (changes_prepare(r, e) < 0))
		return -1;
	fault_point("start");
	if (start_child(r, r->rootdirfd, e) < 0)
		return -1;
	fault_point("cloned");
	int idmapped = -1;
	if (((s->changes || s->keep_upper) && (r->userns = ns_open(r->pid, "user", e)) < 0) ||
	    cgroup_attach(&r->cg, r->pid, e) < 0 || idmap_write(r->pid, &s->idmaps, e) < 0 ||
	    net_attach(&r->net, r->s, r->pid, e) < 0 ||
	    (s->idmapped_root && (idmapped = root_tree(s, r->rootdirfd, r->pid, e)) < 0)) {
		run_kill(r);
		run_collect(r, res);
		return -1;
	}
	fault_point("network");
	struct msg go = {.type = MSG_GO, .value = cgroup_late_namespace(&r->cg)};
	int sent = msg_send(r->sock, &go, idmapped);
	if (idmapped >= 0)
		close(idmapped);
	if (sent < 0) {
		ward_error_set(e, errno, "starting the sandbox");
		run_kill(r);
		run_collect(r, res);
		return -1;
	}
	fault_point("running");
	return 0;
}

/* After the init exited: usage, the outcome, --changes; then release everything. */
int run_end(struct run *r, int rc, struct ward_result *res, struct ward_error *e)
{
	const struct ward_spec *s = r->s;
	fault_point("ended");
	if (rc == 0) {
		cgroup_usage(&r->cg, res);
		if (res->oom_kills && res->reason == WARD_SIGNALED && res->signal == SIGKILL)
			res->reason = WARD_OOM;
		rc = r->failed ? report_failure(r, res, e) : 0;
		if (rc == 0 && s->changes &&
		    changes_export(s, r->userns, r->uppers, r->changes, e) < 0) {
			res->exit_code = 125;
			rc = -1;
		}
	}
	if (r->uppers) {
		volumes_close(r->uppers, s->n_volumes);
		free(r->uppers);
	}
	if (r->upper >= 0)
		close(r->upper);
	if (r->userns >= 0)
		close(r->userns);
	if (r->changes >= 0) {
		close(r->changes);
		if (rc < 0) /* nothing half-written stays behind */
			unlink(s->changes);
	}
	tty_relay_end(&r->tty);
	memcpy(res->ports, r->net.bound, sizeof(res->ports));
	res->n_ports = r->net.n_bound;
	net_release(&r->net);
	fault_point("released");
	cgroup_destroy(&r->cg);
	if (r->have_filter)
		filter_free(&r->filter);
	if (r->volfds) {
		volumes_close(r->volfds, s->n_volumes);
		free(r->volfds);
	}
	if (r->rootfd >= 0)
		close(r->rootfd);
	for (size_t i = 0; i < NS_COUNT; i++)
		if (r->ns[i] >= 0)
			close(r->ns[i]);
	if (r->rootdirfd >= 0)
		close(r->rootdirfd);
	if (r->sock >= 0)
		close(r->sock);
	if (r->pidfd >= 0)
		close(r->pidfd);
	if (r->sigfd >= 0) {
		close(r->sigfd);
		sigprocmask(SIG_SETMASK, &r->oldmask, NULL);
	}
	if (rc < 0 && res->reason != WARD_SETUP_ERROR)
		res->reason = WARD_SETUP_ERROR, res->exit_code = 125;
	res->duration_ms = now_ms() - r->t0;
	res->memory_limit = s->limits.memory;
	res->pids_limit = s->limits.pids;
	res->timeout_s = s->timeout_s;
	return rc;
}
