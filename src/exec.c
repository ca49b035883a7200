/* ward exec, supervisor side: start one command inside a running sandbox.
 *
 * The supervisor forks a helper straight into the sandbox's cgroup (CLONE_INTO_CGROUP; v1
 * hierarchies are joined by the helper). The helper turns non-dumpable, joins every
 * namespace of the sandbox through the fds init passed up when it became ready (setns;
 * a pidfd would do for root, but joining by pidfd needs ptrace rights over init, which is
 * not dumpable, so rootless callers have none), and clones the command with
 * CLONE_PARENT, so the supervisor is its parent and gets its pidfd and exact wait status.
 * The command then takes the same steps as the sandbox's workload: same capabilities,
 * user, no_new_privs, seccomp filter, only fds 0-2. The helper never opens the host's
 * /proc, so no process that becomes the command holds it: a command that keeps
 * CAP_SYS_ADMIN has its nested maps written through the sandbox's /proc (workload.c). */
#include <errno.h>
#include <sched.h>
#include <linux/capability.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <termios.h>

#include "exec.h"
#include "sys.h"
#include "workload.h"

/* The helper's steps up to the command's clone; -1 with E filled. *SOCK moves to fd 3. */
static pid_t helper_setup(const struct run *r, const struct ward_spec *x, const int stdio[3],
                          int *sock, int *pidfd, struct ward_error *e)
{
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
		return ward_error_set(e, errno, "exec: prctl(PR_SET_DUMPABLE)");
	/* stdio first; then, above every fd that may be renumbered and from there to fixed
	 * places, the socket (3) and the sandbox's namespaces (4...); nothing else of the
	 * supervisor's and no host /proc: the command is cloned from this process */
	for (int i = 0; i < 3 && !x->tty; i++)
		if (stdio[i] >= 0 && dup2(stdio[i], i) < 0)
			return ward_error_set(e, errno, "exec: stdio");
	int hi[1 + NS_COUNT];
	hi[0] = fcntl(*sock, F_DUPFD_CLOEXEC, 64);
	for (size_t i = 0; i < NS_COUNT; i++)
		hi[1 + i] = r->ns[i] >= 0 ? fcntl(r->ns[i], F_DUPFD_CLOEXEC, 64) : -1;
	for (int i = 0; i < 1 + NS_COUNT; i++)
		if (hi[i] < 0 || dup3(hi[i], 3 + i, O_CLOEXEC) < 0)
			return ward_error_set(e, errno, "exec: fds");
	*sock = 3;
	close_range(3 + 1 + NS_COUNT, ~0U, 0);
	if (cgroup_attach(&r->cg, getpid(), e) < 0)
		return ward_error_prefix(e, "exec");
	for (int i = 0; i < NS_COUNT; i++) {
		if (setns(4 + i, ns_flags[i]) < 0)
			return ward_error_set(e, errno, "exec: joining the sandbox's %s namespace",
			                      ns_names[i]);
		close(4 + i);
		/* container root from here: a nested user namespace must be owned by a mapped id */
		if (i == NS_USER && (setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0))
			return ward_error_set(e, errno, "exec: becoming root in the sandbox");
	}
	int tty = -1;
	if (x->tty && (tty = workload_open_tty(*sock, x->interactive, e)) < 0)
		return -1;
	if (x->capabilities & (1ULL << CAP_SYS_ADMIN))
		return workload_spawn_locked(x, &r->filter, *sock, tty, CLONE_PARENT, pidfd, e);
	struct clone_args a = {.flags = CLONE_PARENT | CLONE_PIDFD,
	                       .pidfd = (uint64_t)(uintptr_t)pidfd};
	pid_t pid = (pid_t)sys_clone3(&a);
	if (pid == 0)
		workload_exec(x, &r->filter, *sock, tty);
	return pid < 0 ? ward_error_set(e, errno, "exec: starting the command") : pid;
}

__attribute__((noreturn)) static void helper(const struct run *r, const struct ward_spec *x,
                                             const int stdio[3], int sock)
{
	struct ward_error e = {0};
	int pidfd = -1;
	pid_t pid = helper_setup(r, x, stdio, &sock, &pidfd, &e);
	if (pid < 0)
		msg_fail_exit(sock, 125, &e);
	struct msg m = {.type = MSG_EXEC_PID, .value = pid};
	msg_send(sock, &m, pidfd);
	_exit(0);
}

int exec_spawn(const struct run *r, const struct ward_spec *x, const int stdio[3],
               struct exec_job *job, struct ward_error *e)
{
	*job = (struct exec_job){.pidfd = -1, .master = -1, .sock = -1};
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		return ward_error_set(e, errno, "exec: socketpair");
	struct clone_args a = {.exit_signal = SIGCHLD};
	if (r->cg.fd >= 0) {
		a.flags |= CLONE_INTO_CGROUP;
		a.cgroup = (uint64_t)r->cg.fd;
	}
	pid_t h = (pid_t)sys_clone3(&a);
	if (h == 0) {
		close(sv[0]);
		helper(r, x, stdio, sv[1]);
	}
	close(sv[1]);
	if (h < 0) {
		ward_error_set(e, errno, "exec: forking the helper");
		close(sv[0]);
		return -1;
	}
	job->sock = sv[0];
	/* The helper answers within a few system calls: the pty (with -t), then the command's
	 * pidfd or why it failed. */
	int rc = -1;
	for (;;) {
		struct msg m;
		int fd = -1;
		if (msg_recv(job->sock, &m, &fd) != 1) {
			if (!job->failed)
				ward_error_set(e, EPIPE, "exec: the helper died");
			break;
		}
		if (m.type == MSG_PTY && job->master < 0) {
			job->master = fd;
			continue;
		}
		if (m.type == MSG_EXEC_PID && fd >= 0) {
			job->pidfd = fd;
			job->pid = m.value;
			rc = 0;
			break;
		}
		if (fd >= 0)
			close(fd);
		/* the helper's failure ends the stream; the command's is kept for its exit */
		exec_job_note(job, &m);
	}
	if (rc < 0 && job->failed)
		msg_error(&job->fail, e);
	while (waitpid(h, NULL, 0) < 0 && errno == EINTR)
		;
	if (rc < 0)
		exec_job_close(job);
	return rc;
}

void exec_job_note(struct exec_job *job, const struct msg *m)
{
	if ((m->type == MSG_FAIL || m->type == MSG_EXEC_FAIL) && !job->failed) {
		job->failed = true;
		job->fail = *m;
	}
}

void exec_job_close(struct exec_job *job)
{
	int *fds[] = {&job->pidfd, &job->master, &job->sock};
	for (size_t i = 0; i < 3; i++) {
		if (*fds[i] >= 0)
			close(*fds[i]);
		*fds[i] = -1;
	}
}
