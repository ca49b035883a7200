/* ward_container_exec: a process started inside a running container, as runc exec does it:
 * a helper joins the container's namespaces (through a pidfd of its process) and clones the
 * new process as the caller's child, which the caller places in the container's cgroup
 * before it goes on. With detach, the caller returns and the process is the engine's. */
#include <errno.h>
#include <jansson.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/pidfd.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "channel.h"
#include "container.h"
#include "sys.h"
#include "ward/container.h"

/* The exec's spec: its Process over the container's seccomp filter. */
static int exec_spec(const struct ward_spec *c, const char *process_json, struct ward_spec *x,
                     struct ward_error *e)
{
	spec_init(x);
	x->oci = calloc(1, sizeof(*x->oci));
	if (!x->oci)
		return ward_error_set(e, ENOMEM, "exec");
	oci_resources_init(&x->oci->resources);
	json_error_t je;
	json_t *p = json_loads(process_json, 0, &je);
	if (!json_is_object(p)) {
		json_decref(p);
		return ward_error_set(e, 0, "--process: not a JSON object (%s)", je.text);
	}
	int rc = oci_process_parse(p, "process", x, x->oci, e);
	json_decref(p);
	if (rc < 0)
		return -1;
	if (c->oci->seccomp && !(x->oci->seccomp = strdup(c->oci->seccomp)))
		return ward_error_set(e, ENOMEM, "exec");
	x->oci->seccomp_flags = c->oci->seccomp_flags;
	x->oci->harden = c->oci->harden;
	return 0;
}

struct exec_ctx {
	const struct ward_spec *x;
	struct container_filters filter;
	unsigned preserve_fds;
	int pidfd; /* the container's process */
	int ns;    /* CLONE_NEW* to join */
	int sock;
};

__attribute__((noreturn)) static void exec_process(const struct exec_ctx *c)
{
	struct ward_error e = {0};
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	struct msg go;
	int fd = -1;
	if (msg_recv(c->sock, &go, &fd) != 1 || go.type != MSG_GO)
		_exit(125);
	int tty = -1;
	if (c->x->tty) {
		int master = -1;
		tty = container_tty_open(c->x, &master, &e);
		if (tty < 0)
			msg_fail_exit(c->sock, 125, &e);
		struct msg m = {.type = MSG_PTY};
		int rc = msg_send(c->sock, &m, master);
		close(master);
		if (rc < 0)
			_exit(125);
	}
	prctl(PR_SET_PDEATHSIG, 0);
	int code = 125;
	if (container_proc_setup(c->x, &c->filter, tty, c->preserve_fds, &e) == 0)
		container_proc_exec(c->x, &code, &e);
	msg_fail_exit(c->sock, code, &e);
}

/* The helper: into the namespaces, then the process as a child of the caller. */
__attribute__((noreturn)) static void exec_helper(const struct exec_ctx *c, int pidpipe)
{
	/* inherited by the clone: no process of the container may open its /proc/PID/exe (the
	 * ward binary) in the moment before it would have said so itself */
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	if (setns(c->pidfd, c->ns) < 0)
		_exit(errno == EPERM ? 3 : 2);
	struct clone_args args = {.flags = CLONE_PARENT, .exit_signal = 0};
	pid_t pid = (pid_t)sys_clone3(&args);
	if (pid == 0)
		exec_process(c);
	if (pid < 0 || write(pidpipe, &pid, sizeof(pid)) != sizeof(pid))
		_exit(4);
	_exit(0);
}

static int spawn(struct exec_ctx *c, pid_t *out, struct ward_error *e)
{
	int p[2];
	if (pipe2(p, O_CLOEXEC) < 0)
		return ward_error_set(e, errno, "exec");
	pid_t helper = fork();
	if (helper == 0) {
		close(p[0]);
		exec_helper(c, p[1]);
	}
	close(p[1]);
	int status = 0;
	while (helper > 0 && waitpid(helper, &status, 0) < 0 && errno == EINTR)
		;
	pid_t pid = 0;
	ssize_t n = read(p[0], &pid, sizeof(pid));
	close(p[0]);
	if (helper < 0 || n != sizeof(pid) || pid <= 0)
		return ward_error_set(
		    e, helper < 0 ? errno : 0, "exec: joining the container's namespaces failed%s",
		    WIFEXITED(status) && WEXITSTATUS(status) == 3 ? " (permission denied)" : "");
	*out = pid;
	return 0;
}

/* After the clone: cgroup, oom score, GO, the terminal, then the outcome of its execve. */
static int follow(const struct container_record *r, const struct ward_container_exec_opts *o,
                  const struct ward_spec *x, pid_t pid, int sock, struct ward_error *e)
{
	if (r->have_cgroup && oci_cgroup_attach(&r->cg, pid, e) < 0)
		return -1;
	if (x->oci->oom_score_adj_set) {
		char path[64];
		snprintf(path, sizeof(path), "/proc/%d/oom_score_adj", pid);
		FILE *f = fopen(path, "we");
		if (!f || fprintf(f, "%d", x->oci->oom_score_adj) < 0 || fclose(f) != 0)
			return ward_error_set(e, errno, "process.oomScoreAdj");
	}
	struct msg go = {.type = MSG_GO};
	if (msg_send(sock, &go, -1) < 0)
		return ward_error_set(e, errno, "exec: its process ended early");
	for (;;) {
		struct msg m;
		int fd = -1;
		int got = msg_recv(sock, &m, &fd);
		if (got <= 0)
			return 0; /* the socket closed at execve */
		if (m.type == MSG_PTY) {
			if (container_console_pass(o->console_socket, fd, "exec --tty", e) < 0)
				return -1;
			continue;
		}
		if (fd >= 0)
			close(fd);
		if (m.type == MSG_FAIL || m.type == MSG_EXEC_FAIL)
			return msg_error(&m, e);
	}
}

int ward_container_exec(const char *dir, const struct ward_container_exec_opts *o, int *status,
                        struct ward_error *e)
{
	struct container_record r;
	if (container_record_load(dir, &r, e) < 0)
		return -1;
	enum container_status st = container_status_of(dir, &r);
	if (st != CONTAINER_RUNNING && st != CONTAINER_CREATED)
		return ward_error_set(e, 0, "container %s is %s: exec needs a running one", r.id,
		                      container_status_name(st));
	struct ward_spec c, x;
	if (container_spec_load(dir, &c, e) < 0)
		return -1;
	struct exec_ctx ctx = {.x = &x,
	                       .preserve_fds = o->preserve_fds,
	                       .sock = -1,
	                       .ns = r.ns_types & ~CLONE_NEWTIME};
	int sv[2] = {-1, -1};
	pid_t pid = 0;
	int rc = exec_spec(&c, o->process_json, &x, e);
	if (rc == 0)
		rc = container_filter(&x, &ctx.filter, e);
	if (rc == 0 && (ctx.pidfd = container_pidfd(&r)) < 0)
		rc = ward_error_set(e, 0, "container %s: its process has ended", r.id);
	if (rc == 0 && socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		rc = ward_error_set(e, errno, "exec: the sync socket");
	ctx.sock = sv[1];
	if (rc == 0)
		rc = spawn(&ctx, &pid, e);
	if (sv[1] >= 0)
		close(sv[1]);
	if (rc == 0)
		rc = follow(&r, o, &x, pid, sv[0], e);
	if (rc == 0 && o->pid_file) {
		char tmp[4200];
		snprintf(tmp, sizeof(tmp), "%s.ward-tmp", o->pid_file);
		FILE *f = fopen(tmp, "we");
		if (!f || fprintf(f, "%d", pid) < 0 || fclose(f) != 0 ||
		    rename(tmp, o->pid_file) < 0)
			rc = ward_error_set(e, errno, "--pid-file %s", o->pid_file);
	}
	if (rc < 0 && pid > 0) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
	} else if (rc == 0 && o->detach) {
		*status = pid;
	} else if (rc == 0) {
		int ws = 0;
		while (waitpid(pid, &ws, 0) < 0 && errno == EINTR)
			;
		*status = WIFEXITED(ws) ? WEXITSTATUS(ws) : 128 + WTERMSIG(ws);
	}
	if (sv[0] >= 0)
		close(sv[0]);
	if (ctx.pidfd > 0)
		close(ctx.pidfd);
	container_filter_free(&ctx.filter);
	spec_clear(&x);
	spec_clear(&c);
	return rc;
}
