/* A container's process from clone3 to execve: namespaces joined, root built, hooks, the
 * terminal, then held until start. Up to the hand-over it reports to create over the sync
 * socket and dies with it; after, it is on its own (the engine adopts it). */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "channel.h"
#include "child.h"
#include "container.h"
#include "container_create.h"
#include "container_harden.h"
#include "oci_hooks.h"
#include "oci_rootfs.h"
#include "sys.h"

/* The next GO from create, with the fd it carries (or -1). */
static int wait_go(int sock, struct msg *m)
{
	int fd = -1;
	if (msg_recv(sock, m, &fd) != 1 || m->type != MSG_GO)
		_exit(125); /* create failed and reports it */
	return fd;
}

static void arm_parent_death(int sock)
{
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0)
		_exit(125);
	struct pollfd p = {.fd = sock, .events = POLLIN};
	if (poll(&p, 1, 0) > 0 && (p.revents & POLLHUP))
		_exit(125);
}

static int join_namespaces(const struct container_launch *l, struct ward_error *e)
{
	const struct oci_config *o = l->s->oci;
	for (size_t i = 0; i < o->n_ns; i++) {
		/* the pid namespace was joined by the clone (container_create.c) */
		if (!o->ns[i].path || l->nsfd[i] < 0 || o->ns[i].type == CLONE_NEWPID)
			continue;
		if (setns(l->nsfd[i], o->ns[i].type) < 0)
			return ward_error_set(e, errno, "linux.namespaces[%zu]: joining %s", i,
			                      o->ns[i].path);
		close(l->nsfd[i]);
	}
	return 0;
}

static int names(const struct ward_spec *s, int new_ns, struct ward_error *e)
{
	const struct oci_config *o = s->oci;
	bool uts = new_ns & CLONE_NEWUTS;
	if ((s->hostname || o->domainname) && !uts) {
		bool joined = false;
		for (size_t i = 0; i < o->n_ns; i++)
			joined |= o->ns[i].type == CLONE_NEWUTS;
		if (!joined)
			return ward_error_set(e, 0,
			                      "hostname: setting it needs a private UTS namespace "
			                      "(linux.namespaces has no \"uts\")");
	}
	if (s->hostname && sethostname(s->hostname, strlen(s->hostname)) < 0)
		return ward_error_set(e, errno, "hostname %s", s->hostname);
	if (o->domainname && setdomainname(o->domainname, strlen(o->domainname)) < 0)
		return ward_error_set(e, errno, "domainname %s", o->domainname);
	return 0;
}

/* A working directory the root lacks is made, as runc makes it (inside the root now). */
static int make_cwd(const char *cwd, struct ward_error *e)
{
	char buf[4096];
	if (snprintf(buf, sizeof(buf), "%s", cwd) >= (int)sizeof(buf))
		return ward_error_set(e, ENAMETOOLONG, "process.cwd");
	for (char *p = buf + 1;; p++) {
		if (*p && *p != '/')
			continue;
		char saved = *p;
		*p = 0;
		if (mkdir(buf, 0755) < 0 && errno != EEXIST)
			return ward_error_set(e, errno, "process.cwd %s: making %s", cwd, buf);
		*p = saved;
		if (!saved)
			return 0;
	}
}

/* Everything up to the point where the process waits for start; -1 with E filled. */
static int setup(const struct container_launch *l, int sock, int *tty, struct ward_error *e)
{
	const struct ward_spec *s = l->s;
	const struct oci_config *o = s->oci;
	struct msg go;
	int idmapped_root = wait_go(sock, &go);
	pid_t host_pid = (pid_t)go.value;
	if (l->late_cgroupns && unshare(CLONE_NEWCGROUP) < 0)
		return ward_error_set(e, errno, "cgroup namespace");
	if (join_namespaces(l, e) < 0)
		return -1;
	if (l->new_ns & CLONE_NEWUSER) {
		if (setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0)
			return ward_error_set(e, errno, "user namespace: becoming its root");
		arm_parent_death(sock);
	}
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
		return ward_error_set(e, errno, "prctl(PR_SET_DUMPABLE)");
	if (names(s, l->new_ns, e) < 0)
		return -1;
	/* a network namespace of its own has its loopback up, as runc brings it up */
	if ((l->new_ns & CLONE_NEWNET) && loopback_up(e) < 0)
		return -1;
	/* its own user namespace, or the runtime's (rootless podman's): no mknod there */
	bool in_userns = l->userns || !l->host_root;
	if (idmapped_root >= 0 && harden_root_attach(o->root_path, idmapped_root, e) < 0)
		return -1;
	if ((l->new_ns & CLONE_NEWNS) && oci_rootfs_prepare(o, in_userns, e) < 0)
		return -1;
	/* the runtime's hooks run now, in create's namespaces */
	struct msg m = {.type = MSG_HOOKS};
	if (msg_send(sock, &m, -1) < 0)
		return ward_error_set(e, errno, "reporting to create");
	int stray = wait_go(sock, &go);
	if (stray >= 0)
		close(stray);
	if (o->n_hooks[OCI_HOOK_CREATE_CONTAINER]) {
		char *state = container_state_json(l->id, "created", host_pid, o->bundle,
		                                   o->annotations, o->root_path, "", 0, false);
		int rc = oci_hooks_run(o, OCI_HOOK_CREATE_CONTAINER, state ? state : "{}", e);
		free(state);
		if (rc < 0)
			return -1;
	}
	if ((l->new_ns & CLONE_NEWNS) && oci_rootfs_enter(o, l->no_pivot, e) < 0)
		return -1;
	if (s->cwd && make_cwd(s->cwd, e) < 0)
		return -1;
	if (s->tty) {
		int master = -1;
		*tty = container_tty_open(s, &master, e);
		if (*tty < 0)
			return -1;
		struct msg p = {.type = MSG_PTY};
		int rc = msg_send(sock, &p, master);
		close(master);
		if (rc < 0)
			return ward_error_set(e, errno, "process.terminal: passing the terminal");
	}
	return container_proc_find(s, e);
}

/* Blocks until start writes to the fifo. The process holds it read-write (create opens it
 * so): a start killed between its open and its write leaves no end-of-file, and the next
 * start still finds the process waiting. */
static bool wait_start(int fifo)
{
	struct pollfd p = {.fd = fifo, .events = POLLIN};
	char b;
	for (;;) {
		if (poll(&p, 1, -1) < 0 && errno != EINTR)
			return false;
		ssize_t n = read(fifo, &b, 1);
		if (n == 1)
			return true;
		if (n == 0 || (errno != EAGAIN && errno != EINTR))
			return false;
	}
}

/* With a terminal, the process's stdio is the pty: create's own stdio (the engine's pipes,
 * which it reads until every writer is gone) must not stay open in it. */
static void drop_caller_stdio(void)
{
	int null = open("/dev/null", O_RDWR | O_CLOEXEC);
	for (int i = 0; i < 3 && null >= 0; i++)
		dup2(null, i);
	if (null > 2)
		close(null);
}

void container_child(const struct container_launch *l, int sock)
{
	arm_parent_death(sock);
	if (l->s->tty)
		drop_caller_stdio();
	struct ward_error e = {0};
	int tty = -1;
	if (setup(l, sock, &tty, &e) < 0)
		msg_fail_exit(sock, 125, &e);
	struct msg ready = {.type = MSG_READY};
	struct msg go;
	if (msg_send(sock, &ready, -1) < 0)
		_exit(125);
	int stray = wait_go(sock, &go);
	if (stray >= 0)
		close(stray);
	/* create recorded this process: from here it outlives create */
	prctl(PR_SET_PDEATHSIG, 0);
	struct msg ack = {.type = MSG_STATUS};
	if (msg_send(sock, &ack, -1) < 0)
		_exit(125);
	close(sock);
	if (!wait_start(l->fifo))
		_exit(125);
	close(l->fifo);
	/* start's write woke this process on start's own CPU (a fifo wakes synchronously):
	 * let start exit before this one runs the container, or the engine waits for both */
	sched_yield();
	const struct ward_spec *s = l->s;
	const struct oci_config *o = s->oci;
	int code = 1;
	if (o->n_hooks[OCI_HOOK_START_CONTAINER]) {
		char *state = container_state_json(l->id, "running", 1, o->bundle, o->annotations,
		                                   o->root_path, "", 0, false);
		int rc = oci_hooks_run(o, OCI_HOOK_START_CONTAINER, state ? state : "{}", &e);
		free(state);
		if (rc < 0)
			goto fail;
	}
	if (container_proc_setup(s, &l->filter, tty, l->preserve_fds, &e) == 0)
		container_proc_exec(s, &code, &e);
fail:
	/* nobody listens any more: the error goes where the process's stderr goes */
	dprintf(2, "ward-runc: %s\n", e.msg);
	_exit(code);
}
