/* Rootless egress: pasta (Debian's passt package) joins the sandbox's user and network
 * namespaces, puts a tap interface there with the host's addresses and routes, and carries
 * the sandbox's traffic through sockets of its own on the host. ward forwards no port
 * through it (-t/-u/-T/-U none) and keeps the gateway from meaning the host's loopback
 * (--no-map-gw). Its PID file is a pipe: pasta writes it once the namespace is configured,
 * which is when ward lets the sandbox go on. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/pidfd.h>
#include <sys/prctl.h>
#include <sys/wait.h>

#include "net.h"
#include "sys.h"

#define PASTA_WAIT_MS 10000
#define PASTA_DIRS    "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

bool pasta_installed(void)
{
	char path[64];
	for (const char *d = PASTA_DIRS; *d;) {
		size_t n = strcspn(d, ":");
		snprintf(path, sizeof(path), "%.*s/pasta", (int)n, d);
		if (access(path, X_OK) == 0)
			return true;
		d += n + (d[n] == ':');
	}
	return false;
}

static void pasta_exec(int userns, int netns, int ready, int devnull, pid_t parent)
{
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != parent)
		_exit(127);
	int fds[] = {userns, netns, ready};
	/* the three fds to 3, 4, 5 (above stdio, in any order they came) */
	for (int i = 0; i < 3; i++) {
		int moved = fcntl(fds[i], F_DUPFD_CLOEXEC, 10);
		if (moved < 0)
			_exit(127);
		fds[i] = moved;
	}
	for (int i = 0; i < 3; i++)
		if (dup2(fds[i], 3 + i) < 0)
			_exit(127);
	if (dup2(devnull, 0) < 0 || dup2(devnull, 1) < 0)
		_exit(127);
	close_range(6, ~0U, 0);
	/* pasta expects the default dispositions and an empty mask, not the supervisor's */
	signal(SIGPIPE, SIG_DFL);
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	char *argv[] = {"pasta",        "--config-net",
	                "--foreground", "--quiet",
	                "--userns",     "/proc/self/fd/3",
	                "--netns",      "/proc/self/fd/4",
	                "--pid",        "/proc/self/fd/5",
	                "--ns-ifname",  "eth0",
	                "--no-map-gw",  "-t",
	                "none",         "-u",
	                "none",         "-T",
	                "none",         "-U",
	                "none",         NULL};
	char *envp[] = {"PATH=" PASTA_DIRS, NULL};
	execvpe("pasta", argv, envp);
	_exit(127);
}

int pasta_start(int userns, int netns, int *pidfd, struct ward_error *e)
{
	int ready[2];
	if (pipe2(ready, O_CLOEXEC) < 0) {
		ward_error_set(e, errno, "network: egress: pipe");
		return -1;
	}
	autoclose int r = ready[0];
	autoclose int w = ready[1];
	autoclose int devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
	pid_t parent = getpid();
	struct clone_args args = {
	    .flags = CLONE_PIDFD, .pidfd = (uint64_t)(uintptr_t)pidfd, .exit_signal = SIGCHLD};
	long pid = devnull < 0 ? -1 : sys_clone3(&args);
	if (pid < 0) {
		ward_error_set(e, errno, "network: egress: starting pasta");
		return -1;
	}
	if (pid == 0)
		pasta_exec(userns, netns, w, devnull, parent);
	close(take_fd(&w));
	struct pollfd p = {.fd = r, .events = POLLIN};
	char buf[32];
	int got = poll(&p, 1, PASTA_WAIT_MS);
	if (got > 0 && read(r, buf, sizeof(buf)) > 0)
		return (int)pid;
	/* It exited or hangs: say how, leave nothing running. */
	siginfo_t si = {0};
	if (got == 0)
		pidfd_send_signal(*pidfd, SIGKILL, NULL, 0);
	while (waitid((idtype_t)P_PIDFD, (id_t)*pidfd, &si, WEXITED) < 0 && errno == EINTR)
		;
	close(*pidfd);
	*pidfd = -1;
	if (got == 0)
		ward_error_set(e, 0,
		               "network: egress: pasta did not configure the sandbox within %d s",
		               PASTA_WAIT_MS / 1000);
	else if (si.si_code == CLD_EXITED && si.si_status == 127)
		ward_error_set(e, 0,
		               "network: egress without root needs pasta (install Debian's passt "
		               "package)");
	else
		ward_error_set(e, 0,
		               "network: egress: pasta failed to configure the sandbox's network "
		               "(exit status %d; it needs /dev/net/tun open to users, mode 0666)",
		               si.si_status);
	return -1;
}
