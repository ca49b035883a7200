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

/* ward create returns once this arrives. The root goes to the supervisor for ward cp, read
 * and write: an fd, so files are reached through this mount namespace's tree without the
 * supervisor joining it. */
static int report_ready(int sock, struct ward_error *e)
{
	/* Its namespaces, for ward exec to join: opened by init itself, as only root may open
	 * another process's (init is not dumpable), and before any workload ran. */
	for (size_t i = 0; i < NS_COUNT; i++) {
		char path[32];
		snprintf(path, sizeof(path), "/proc/self/ns/%s", ns_names[i]);
		autoclose int fd = open(path, O_RDONLY | O_CLOEXEC);
		struct msg m = {.type = MSG_NS, .value = (int)i};
		if (fd < 0 || msg_send(sock, &m, fd) < 0)
			return ward_error_set(e, errno, "init: passing its namespaces");
	}
	autoclose int root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	struct msg m = {.type = MSG_READY};
	if (root < 0 || msg_send(sock, &m, root) < 0)
		return ward_error_set(e, errno, "init: reporting readiness");
	return 0;
}

static int status_code(int status)
{
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

int init_run(const struct ward_spec *s, const struct ward_filter *f, int sock, struct ward_error *e)
{
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	for (size_t i = 0; i < sizeof(forwarded) / sizeof(forwarded[0]); i++)
		sigaddset(&set, forwarded[i]);
	sigprocmask(SIG_BLOCK, &set, NULL);
	/* A new session with no controlling terminal: TIOCSTI on an inherited tty fails. */
	if (setsid() < 0)
		return ward_error_set(e, errno, "init: setsid");
	hide_cmdline();
	/* a persistent sandbox's terminal keeps the usual CR LF: clients attach and detach */
	int tty = s->tty ? workload_open_tty(sock, s->interactive || s->resident, e) : -1;
	if (s->tty && tty < 0)
		return -1;
	if (s->resident && report_ready(sock, e) < 0)
		return -1;

	pid_t child = 0;
	if (!s->argv || !s->argv[0]) {
		/* idle: the sandbox runs only what ward exec starts */
	} else if (s->capabilities & (1ULL << CAP_SYS_ADMIN)) {
		if ((child = workload_spawn_locked(s, f, sock, tty, 0, NULL, e)) < 0)
			return -1;
	} else {
		/* vfork: no page tables to copy. Safe here because the workload path never
		 * returns, gets its own fd table, fs state and signal state, and ends in execve
		 * or _exit. */
		child = vfork();
		if (child == 0)
			workload_exec(s, f, sock, tty);
		if (child < 0)
			return ward_error_set(e, errno, "init: starting the workload");
	}
	if (tty >= 0)
		close(tty);

	const uint64_t kill_only = 1ULL << CAP_KILL;
	if (caps_limit_bounding(kill_only) < 0 || caps_apply(kill_only, true) < 0 ||
	    prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return ward_error_set(e, errno, "init: dropping privileges");
	if (sock > 3)
		close_range(3, (unsigned)sock - 1, 0);
	close_range((unsigned)sock + 1, ~0U, 0);

	for (;;) {
		siginfo_t si;
		if (sigwaitinfo(&set, &si) < 0)
			continue;
		if (si.si_signo != SIGCHLD) {
			/* Idle, a stop's SIGTERM goes to everything the execs left running. */
			kill(child ? child : -1, si.si_signo);
			continue;
		}
		int status;
		pid_t p;
		while ((p = waitpid(-1, &status, WNOHANG)) > 0) {
			if (p != child || !child)
				continue;
			struct msg m = {.type = MSG_STATUS, .value = status};
			msg_send(sock, &m, -1);
			_exit(status_code(status));
		}
	}
}
