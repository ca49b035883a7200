/* Child side, last steps before the workload runs: stdio, rlimits, identity, capabilities,
 * no_new_privs (not with --allow-setuid), fds, then execve. Every failure is reported with the step
 * that failed. */
#include <errno.h>
#include <grp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <termios.h>

#include "caps.h"
#include "idmap.h"
#include "channel.h"
#include "sys.h"
#include "workload.h"

static const char *env_get(char *const *env, const char *name)
{
	size_t n = strlen(name);
	for (size_t i = 0; env[i]; i++)
		if (strncmp(env[i], name, n) == 0 && env[i][n] == '=')
			return env[i] + n + 1;
	return NULL;
}

/* execvpe() searches the supervisor's PATH; the sandbox's own environment decides here.
 * Returns the errno worth reporting: ENOENT if nothing was found anywhere. */
static int exec_search(char *const *argv, char *const *env)
{
	const char *cmd = argv[0];
	if (strchr(cmd, '/')) {
		execve(cmd, argv, env);
		return errno;
	}
	const char *path = env_get(env, "PATH");
	if (!path)
		path = "/usr/local/bin:/usr/bin:/bin";
	int best = ENOENT;
	char buf[4096];
	for (const char *p = path;; p++) {
		const char *end = strchrnul(p, ':');
		int n =
		    snprintf(buf, sizeof(buf), "%.*s/%s", (int)(end - p), end == p ? "." : p, cmd);
		if (n > 0 && (size_t)n < sizeof(buf)) {
			execve(buf, argv, env);
			if (errno != ENOENT && errno != ENOTDIR)
				best = errno;
		}
		if (!*end)
			break;
		p = end;
	}
	return best;
}

static int setup_stdio(const struct ward_spec *s, int tty, struct ward_error *e)
{
	if (tty >= 0) {
		/* The workload owns a session on the sandbox's terminal. */
		if (setsid() < 0 || ioctl(tty, TIOCSCTTY, 0) < 0)
			return ward_error_set(e, errno, "tty: making the terminal controlling");
		for (int i = 0; i < 3; i++)
			if (dup2(tty, i) < 0)
				return ward_error_set(e, errno, "tty: attaching stdio");
		if (tty > 2)
			close(tty);
		return 0;
	}
	/* an exec'd command: its own process group, so that its timeout reaches what it started */
	if (s->resident)
		setpgid(0, 0);
	if (!s->interactive) {
		int null = open("/dev/null", O_RDONLY | O_CLOEXEC);
		if (null < 0 || dup2(null, 0) < 0)
			return ward_error_set(e, errno, "stdin: opening /dev/null");
		close(null);
	}
	return 0;
}

/* The terminal comes from the sandbox's own devpts; its master goes to the supervisor. The
 * peer is opened from the master (TIOCGPTPEER), never by a path the image could redirect. */
__attribute__((noinline)) int workload_open_tty(int sock, bool interactive, struct ward_error *e)
{
	autoclose int master = open("/dev/pts/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (master < 0 || unlockpt(master) < 0)
		return ward_error_set(e, errno, "tty: opening /dev/pts/ptmx");
	int peer = ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY);
	if (peer < 0)
		return ward_error_set(e, errno, "tty: opening the terminal");
	struct termios t;
	if (!interactive && tcgetattr(peer, &t) == 0) {
		t.c_oflag &= ~(tcflag_t)ONLCR;
		tcsetattr(peer, TCSANOW, &t);
	}
	struct msg m = {.type = MSG_PTY};
	if (msg_send(sock, &m, master) < 0) {
		ward_error_set(e, errno, "tty: passing the terminal to the supervisor");
		close(peer);
		return -1;
	}
	return peer;
}

/* Every step up to execve, in order; -1 with E filled. */
static int workload_setup(const struct ward_spec *s, const struct ward_filter *f, int tty,
                          struct ward_error *e)
{
	sigset_t all;
	sigemptyset(&all);
	sigprocmask(SIG_SETMASK, &all, NULL);
	if (setup_stdio(s, tty, e) < 0)
		return -1;
	for (size_t i = 0; i < s->n_rlimits; i++) {
		struct rlimit rl = {.rlim_cur = s->rlimits[i].soft, .rlim_max = s->rlimits[i].hard};
		if (setrlimit(s->rlimits[i].resource, &rl) < 0)
			return ward_error_set(
			    e, errno, "--rlimit %s: cannot raise the hard limit above the host's",
			    rlimit_name(s->rlimits[i].resource));
	}
	if (caps_limit_bounding(s->capabilities) < 0)
		return ward_error_set(e, errno, "capabilities: limiting the bounding set");
	/* --allow-setuid: without no_new_privs, seccomp() needs CAP_SYS_ADMIN in the sandbox's
	 * user namespace, which only container root still holds here; the filter then has to
	 * let the last steps through (set*id, capset, chdir, close_range, execve). */
	if (s->allow_setuid && filter_load(f) < 0)
		return ward_error_set(e, errno, "seccomp: loading the filter (--allow-setuid)");
	/* setgroups is denied in a single-id rootless namespace; nothing to drop there. */
	if (setgroups(0, NULL) < 0 && errno != EPERM)
		return ward_error_set(e, errno, "user: clearing supplementary groups");
	if (setresgid(s->gid, s->gid, s->gid) < 0)
		return ward_error_set(e, errno, "user: setting the gid");
	if (setresuid(s->uid, s->uid, s->uid) < 0)
		return ward_error_set(e, errno, "user: setting the uid");
	if (caps_apply(s->capabilities, s->uid == 0) < 0)
		return ward_error_set(e, errno, "capabilities: setting the workload's set");
	if (!s->allow_setuid && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return ward_error_set(e, errno, "no_new_privs");
	if (chdir(s->cwd ? s->cwd : "/") < 0)
		return ward_error_set(e, errno, "--workdir %s", s->cwd ? s->cwd : "/");
	/* Everything above 2 goes at execve; the sync socket stays until then to report. */
	if (close_range(3, ~0U, CLOSE_RANGE_CLOEXEC) < 0)
		return ward_error_set(e, errno, "closing inherited fds");
	/* a test seam (WARD_FAULT_AT=workload): a created sandbox's commands stop here, with
	 * the fds they hold up to execve */
	if (s->resident)
		fault_point("workload");
	/* Last: from here on only what the policy allows. */
	if (!s->allow_setuid && filter_load(f) < 0)
		return ward_error_set(e, errno, "seccomp: loading the filter");
	return 0;
}

void workload_exec(const struct ward_spec *s, const struct ward_filter *f, int sock, int tty)
{
	/* after vfork: on the stack, filled by snprintf, sent by msg_fail_exit */
	struct ward_error e = {0};
	if (workload_setup(s, f, tty, &e) < 0)
		msg_fail_exit(sock, 125, &e);
	int err = exec_search(s->argv, s->env);
	if (err == ENOENT)
		ward_error_set(&e, 0, "%s: command not found in the sandbox's root or PATH",
		               s->argv[0]);
	else
		ward_error_set(&e, err, "%s", s->argv[0]);
	msg_fail_exit(sock, err == ENOENT ? 127 : 126, &e);
}

/* A workload that keeps CAP_SYS_ADMIN could remount a read-only volume writable or unmount
 * the masks over /proc. Started in a user namespace of its own (same ids) with a copy of
 * this mount namespace, it finds every mount ward made locked: flags cannot be cleared and
 * mounts cannot be taken off what they cover. Its own UTS namespace (a copy) keeps
 * sethostname working; the network and IPC namespaces stay init's, so capabilities over those
 * (NET_ADMIN, IPC_OWNER) do not reach them in this mode. */
pid_t workload_spawn_locked(const struct ward_spec *s, const struct ward_filter *f, int sock,
                            int tty, uint64_t flags, int *pidfd, struct ward_error *e)
{
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
		return ward_error_set(e, errno, "the workload's nested user namespace");
	struct clone_args args = {.flags = CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWUTS | flags,
	                          .exit_signal = SIGCHLD};
	if (flags & CLONE_PARENT)
		args.exit_signal = 0; /* clone3 takes the caller's then; it refuses any other */
	if (pidfd) {
		args.flags |= CLONE_PIDFD;
		args.pidfd = (uint64_t)(uintptr_t)pidfd;
	}
	pid_t child = (pid_t)sys_clone3(&args);
	if (child == 0) {
		/* Its /proc files belong to root of the init namespace while it is not dumpable,
		 * out of init's reach; dumpable only until the maps are written. Its pid is
		 * reported as the sandbox's /proc knows it (the exec helper's clone returns the
		 * host's), so that no host /proc is needed to write them. */
		pid_t self = getpid();
		char b = 0;
		close(sv[0]);
		if (prctl(PR_SET_DUMPABLE, 1, 0, 0, 0) < 0 ||
		    write(sv[1], &self, sizeof(self)) != sizeof(self) || read(sv[1], &b, 1) != 1 ||
		    prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
			_exit(125); /* the parent reports why */
		close(sv[1]);
		workload_exec(s, f, sock, tty);
	}
	int err = errno;
	close(sv[1]);
	autoclose int parent = sv[0];
	if (child < 0)
		return ward_error_set(e, err, "the workload's nested user namespace");
	pid_t inside = 0;
	ssize_t n = read(parent, &inside, sizeof(inside));
	if (n != sizeof(inside) || inside <= 0)
		return ward_error_set(
		    e, n < 0 ? errno : 0,
		    "the workload's nested user namespace: its process ended early");
	struct ward_error ids = {0};
	if (idmap_write_identity(inside, &s->idmaps, &ids) < 0) {
		ward_error_set(e, 0, "the workload's nested %s", ids.msg); /* ends in the cause */
		e->err = ids.err;
		return -1;
	}
	char b = 0;
	if (write(parent, &b, 1) != 1)
		return ward_error_set(e, errno, "the workload's nested user namespace");
	return child;
}
