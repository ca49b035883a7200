/* PID 1 of the sandbox: a tiny init. It keeps only CAP_KILL (to forward signals to a
 * workload of another uid), is non-dumpable, and holds no fd but the sync socket. */
#include <errno.h>
#include <linux/capability.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <termios.h>

#include "caps.h"
#include "channel.h"
#include "idmap.h"
#include "init.h"
#include "sys.h"
#include "workload.h"

static const int forwarded[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH};

static void die(int sock, const char *what)
{
	msg_fail(sock, errno, "%s", what);
	_exit(125);
}

/* The terminal comes from the sandbox's own devpts; its master goes to the supervisor. The
 * peer is opened from the master (TIOCGPTPEER), never by a path the image could redirect. */
__attribute__((noinline)) static int open_tty(int sock)
{
	autoclose int master = open("/dev/pts/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (master < 0 || unlockpt(master) < 0)
		die(sock, "tty: opening /dev/pts/ptmx");
	int peer = ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY);
	if (peer < 0)
		die(sock, "tty: opening the terminal");
	struct msg m = {.type = MSG_PTY};
	if (msg_send(sock, &m, master) < 0)
		die(sock, "tty: passing the terminal to the supervisor");
	return peer;
}

/* /proc/1/cmdline would show the supervisor's command line, host paths included: blank the
 * argument area this process inherited and name it plainly. */
static void hide_cmdline(void)
{
	extern char *program_invocation_name;
	autoclose int fd = open("/proc/self/cmdline", O_RDONLY | O_CLOEXEC);
	char buf[4096];
	ssize_t len = fd >= 0 ? read(fd, buf, sizeof(buf)) : -1;
	if (len > 0 && (size_t)len > sizeof("ward-init") &&
	    memcmp(buf, program_invocation_name, strlen(program_invocation_name)) == 0) {
		memset(program_invocation_name, 0, (size_t)len);
		strcpy(program_invocation_name, "ward-init");
	}
	prctl(PR_SET_NAME, "ward-init", 0, 0, 0);
}

static int status_code(int status)
{
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* A workload that keeps CAP_SYS_ADMIN could remount a read-only volume writable or unmount
 * the masks over /proc. Started in a user namespace of its own (same ids) with a copy of
 * this mount namespace, it finds every mount ward made locked: flags cannot be cleared and
 * mounts cannot be taken off what they cover. Its own UTS namespace (a copy) keeps
 * sethostname working; the network and IPC namespaces stay init's, so capabilities over those
 * (NET_ADMIN, IPC_OWNER) do not reach them in this mode. */
static pid_t start_locked(const struct ward_spec *s, const struct ward_filter *f, int sock, int tty)
{
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
		return -1;
	struct clone_args args = {.flags = CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWUTS,
	                          .exit_signal = SIGCHLD};
	pid_t child = (pid_t)sys_clone3(&args);
	if (child == 0) {
		/* Its /proc files belong to root of the init namespace while it is not dumpable,
		 * out of init's reach; dumpable only until the maps are written. */
		char b = 0;
		close(sv[0]);
		if (prctl(PR_SET_DUMPABLE, 1, 0, 0, 0) < 0 || write(sv[1], &b, 1) != 1 ||
		    read(sv[1], &b, 1) != 1 || prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
			_exit(125); /* init reports why */
		close(sv[1]);
		workload_exec(s, f, sock, tty);
	}
	close(sv[1]);
	char b;
	struct ward_error e = {0};
	if (child > 0 && (read(sv[0], &b, 1) != 1 || idmap_write_identity(child, s, &e) < 0 ||
	                  write(sv[0], &b, 1) != 1)) {
		if (e.msg[0]) /* already ends in the cause */
			msg_fail(sock, 0, "init: the workload's nested %s", e.msg);
		else
			msg_fail(sock, errno, "init: the workload's nested user namespace");
		_exit(125);
	}
	close(sv[0]);
	return child;
}

void init_run(const struct ward_spec *s, const struct ward_filter *f, int sock)
{
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	for (size_t i = 0; i < sizeof(forwarded) / sizeof(forwarded[0]); i++)
		sigaddset(&set, forwarded[i]);
	sigprocmask(SIG_BLOCK, &set, NULL);
	/* A new session with no controlling terminal: TIOCSTI on an inherited tty fails. */
	if (setsid() < 0)
		die(sock, "init: setsid");
	hide_cmdline();
	int tty = s->tty ? open_tty(sock) : -1;

	pid_t child;
	if (s->capabilities & (1ULL << CAP_SYS_ADMIN)) {
		child = start_locked(s, f, sock, tty);
	} else {
		/* vfork: no page tables to copy. Safe here because the workload path never
		 * returns, gets its own fd table, fs state and signal state, and ends in execve
		 * or _exit. */
		child = vfork();
		if (child == 0)
			workload_exec(s, f, sock, tty);
	}
	if (child < 0)
		die(sock, "init: starting the workload");
	if (tty >= 0)
		close(tty);

	const uint64_t kill_only = 1ULL << CAP_KILL;
	if (caps_limit_bounding(kill_only) < 0 || caps_apply(kill_only, true) < 0 ||
	    prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		die(sock, "init: dropping privileges");
	if (sock > 3)
		close_range(3, (unsigned)sock - 1, 0);
	close_range((unsigned)sock + 1, ~0U, 0);

	for (;;) {
		siginfo_t si;
		if (sigwaitinfo(&set, &si) < 0)
			continue;
		if (si.si_signo != SIGCHLD) {
			kill(child, si.si_signo);
			continue;
		}
		int status;
		pid_t p;
		while ((p = waitpid(-1, &status, WNOHANG)) > 0) {
			if (p != child)
				continue;
			struct msg m = {.type = MSG_STATUS, .value = status};
			msg_send(sock, &m, -1);
			_exit(status_code(status));
		}
	}
}
