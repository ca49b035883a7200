/* One OCI hook: a fork and exec with the state on stdin (a memfd: never blocks on a hook
 * that does not read), stdout and stderr read into bounded buffers, waited for through a
 * pidfd up to its timeout. Once the hook has exited its pipes are drained, not waited on:
 * a daemon it left behind holding them does not keep us. */
#include <errno.h>
#include <linux/close_range.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "oci_hooks.h"
#include "sys.h"

#define OUT_MAX 4096

struct capture {
	char buf[OUT_MAX];
	size_t len;
};

static const char *const kind_names[OCI_HOOK_KINDS] = {
    [OCI_HOOK_PRESTART] = "prestart",
    [OCI_HOOK_CREATE_RUNTIME] = "createRuntime",
    [OCI_HOOK_CREATE_CONTAINER] = "createContainer",
    [OCI_HOOK_START_CONTAINER] = "startContainer",
    [OCI_HOOK_POSTSTART] = "poststart",
    [OCI_HOOK_POSTSTOP] = "poststop",
};

const char *oci_hook_kind_name(enum oci_hook_kind kind)
{
	return (unsigned)kind < OCI_HOOK_KINDS ? kind_names[kind] : "unknown";
}

/* Keeps the last OUT_MAX bytes: the end of the output is what explains a failure. */
static void capture_read(int fd, struct capture *c, bool *open)
{
	char tmp[1024]; /* smaller than OUT_MAX: after the drop it always fits */
	ssize_t n = read(fd, tmp, sizeof(tmp));
	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	if (n <= 0) {
		*open = false;
		return;
	}
	size_t k = (size_t)n;
	if (c->len + k > OUT_MAX) {
		size_t drop = c->len + k - OUT_MAX;
		drop = drop > c->len ? c->len : drop;
		memmove(c->buf, c->buf + drop, c->len - drop);
		c->len -= drop;
	}
	memcpy(c->buf + c->len, tmp, k);
	c->len += k;
}

/* The last non-empty line, at most 300 bytes of it. */
static void last_line(const struct capture *c, char *out, size_t size)
{
	size_t end = c->len;
	while (end > 0 && (c->buf[end - 1] == '\n' || c->buf[end - 1] == '\r'))
		end--;
	size_t start = end;
	while (start > 0 && c->buf[start - 1] != '\n')
		start--;
	size_t n = end - start;
	n = n > 300 ? 300 : n;
	n = n >= size ? size - 1 : n;
	memcpy(out, c->buf + start, n);
	out[n] = '\0';
}

/* In the child, between fork and exec: async-signal-safe calls only. */
static __attribute__((noreturn)) void exec_hook(const struct oci_hook *h, int in, int out, int err,
                                                int report)
{
	char *const path_only[] = {h->path, NULL};
	char *const no_env[] = {NULL};
	sigset_t all;
	sigemptyset(&all);
	sigprocmask(SIG_SETMASK, &all, NULL);
	signal(SIGPIPE, SIG_DFL);
	setpgid(0, 0);
	/* above 3 first: with our stdio closed, one of them may sit on 0..3 */
	int fds[4] = {in, out, err, report}, rfd = report;
	for (int i = 0; i < 4; i++)
		if ((fds[i] = fcntl(fds[i], F_DUPFD, 10)) < 0)
			goto fail;
	for (int i = 0; i < 4; i++)
		if (dup2(fds[i], i) < 0)
			goto fail;
	rfd = 3;
	if (fcntl(3, F_SETFD, FD_CLOEXEC) < 0)
		goto fail;
	close_range(4, ~0U, 0);
	execve(h->path, h->args ? h->args : path_only, h->env ? h->env : no_env);
fail:;
	int e = errno;
	(void)!write(rfd, &e, sizeof(e));
	_exit(127);
}

static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

struct run {
	struct capture out, err;
	int status;
	bool timed_out;
	int exec_errno;
};

/* Reads the hook's output until it exits or its time is up (then kills its group). */
static void supervise(const struct oci_hook *h, pid_t pid, int pidfd, int out, int err,
                      struct run *r)
{
	long long deadline = h->timeout_s > 0 ? now_ms() + h->timeout_s * 1000LL : -1;
	bool out_open = true, err_open = true, exited = false;
	while (!exited) {
		struct pollfd p[3] = {{pidfd, POLLIN, 0},
		                      {out_open ? out : -1, POLLIN, 0},
		                      {err_open ? err : -1, POLLIN, 0}};
		long long left = deadline < 0 ? -1 : deadline - now_ms();
		if (deadline >= 0 && left <= 0) {
			kill(-pid, SIGKILL);
			kill(pid, SIGKILL);
			r->timed_out = true;
			break;
		}
		if (poll(p, 3, left < 0 ? -1 : (int)left) < 0 && errno != EINTR)
			break;
		if (p[1].revents)
			capture_read(out, &r->out, &out_open);
		if (p[2].revents)
			capture_read(err, &r->err, &err_open);
		exited = p[0].revents != 0;
	}
	/* what is already in the pipes; a grandchild keeping them open is not waited for */
	while (out_open && (poll(&(struct pollfd){out, POLLIN, 0}, 1, 0) > 0))
		capture_read(out, &r->out, &out_open);
	while (err_open && (poll(&(struct pollfd){err, POLLIN, 0}, 1, 0) > 0))
		capture_read(err, &r->err, &err_open);
	while (waitpid(pid, &r->status, 0) < 0 && errno == EINTR)
		;
}

static int run_one(const struct oci_hook *h, const char *state, struct run *r, struct ward_error *e)
{
	autoclose int in = memfd_create("oci-state", MFD_CLOEXEC);
	if (in < 0 || write_all(in, state, strlen(state)) < 0 || lseek(in, 0, SEEK_SET) < 0)
		return ward_error_set(e, errno, "passing the state");
	int o[2] = {-1, -1}, er[2] = {-1, -1}, rep[2] = {-1, -1};
	if (pipe2(o, O_CLOEXEC | O_NONBLOCK) < 0 || pipe2(er, O_CLOEXEC | O_NONBLOCK) < 0 ||
	    pipe2(rep, O_CLOEXEC) < 0) {
		int err = errno;
		for (int i = 0; i < 2; i++) {
			closep(&o[i]);
			closep(&er[i]);
			closep(&rep[i]);
		}
		return ward_error_set(e, err, "pipe");
	}
	/* the hook's ends blocking: a hook may not expect O_NONBLOCK on its stdout */
	fcntl(o[1], F_SETFL, 0);
	fcntl(er[1], F_SETFL, 0);
	pid_t pid = fork();
	if (pid == 0)
		exec_hook(h, in, o[1], er[1], rep[1]);
	int fork_errno = errno;
	close(o[1]);
	close(er[1]);
	close(rep[1]);
	autoclose int out = o[0], err = er[0], report = rep[0];
	if (pid < 0)
		return ward_error_set(e, fork_errno, "fork");
	autoclose int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (pidfd < 0) {
		int pe = errno;
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		return ward_error_set(e, pe, "pidfd_open");
	}
	supervise(h, pid, pidfd, out, err, r);
	if (read(report, &r->exec_errno, sizeof(r->exec_errno)) != sizeof(r->exec_errno))
		r->exec_errno = 0;
	return 0;
}

static int verdict(const struct oci_hook *h, const struct run *r, struct ward_error *e)
{
	char line[320];
	last_line(r->err.len ? &r->err : &r->out, line, sizeof(line));
	const char *sep = line[0] ? ": " : "";
	if (r->exec_errno)
		return ward_error_set(e, r->exec_errno, "could not be executed");
	if (r->timed_out)
		return ward_error_set(e, 0, "timed out after %d s (killed)%s%s", h->timeout_s, sep,
		                      line);
	if (WIFSIGNALED(r->status))
		return ward_error_set(e, 0, "killed by signal %d%s%s", WTERMSIG(r->status), sep,
		                      line);
	if (WIFEXITED(r->status) && WEXITSTATUS(r->status) != 0)
		return ward_error_set(e, 0, "exited with %d%s%s", WEXITSTATUS(r->status), sep,
		                      line);
	return 0;
}

int oci_hooks_run(const struct oci_config *o, enum oci_hook_kind kind, const char *state_json,
                  struct ward_error *e)
{
	if ((unsigned)kind >= OCI_HOOK_KINDS)
		return ward_error_set(e, EINVAL, "hooks: unknown kind %d", (int)kind);
	for (size_t i = 0; i < o->n_hooks[kind]; i++) {
		const struct oci_hook *h = &o->hooks[kind][i];
		struct run *r = calloc(1, sizeof(*r));
		if (!r)
			return ward_error_set(e, ENOMEM, "hooks");
		int rc = run_one(h, state_json ? state_json : "", r, e);
		if (rc == 0)
			rc = verdict(h, r, e);
		free(r);
		if (rc < 0)
			return ward_error_prefix(e, "hooks.%s[%zu] %s", kind_names[kind], i,
			                         h->path);
	}
	return 0;
}
