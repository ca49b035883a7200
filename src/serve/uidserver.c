/* A root server serves another uid through a child that became that uid (its groups, its
 * HOME and runtime directory, libward's defaults for it) and gets that uid's connections
 * over a socketpair (SCM_RIGHTS). Reused while alive; it exits once idle. */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "context.h"
#include "http.h"
#include "uidserver.h"

#define MAX_CHILDREN 64
#define CHILD_IDLE_S 60

static struct child {
	uid_t uid;
	pid_t pid;
	int sock;
} kids[MAX_CHILDREN];
static unsigned n_kids;

static int become(uid_t uid, struct ward_error *e)
{
	struct passwd *pw = getpwuid(uid);
	if (!pw)
		return ward_error_set(e, 0, "uid %u: not in the user database", (unsigned)uid);
	if (initgroups(pw->pw_name, pw->pw_gid) < 0 ||
	    setresgid(pw->pw_gid, pw->pw_gid, pw->pw_gid) < 0 || setresuid(uid, uid, uid) < 0)
		return ward_error_set(e, errno, "uid %u: dropping to it", (unsigned)uid);
	static const char *const drop[] = {
	    "WARD_STATE_DIR", "WARD_STORE",        "WARD_POLICY_DIR", "XDG_STATE_HOME",
	    "XDG_DATA_HOME",  "XDG_CACHE_HOME",    "XDG_CONFIG_HOME", "XDG_RUNTIME_DIR",
	    "DOCKER_CONFIG",  "REGISTRY_AUTH_FILE"};
	for (size_t i = 0; i < sizeof(drop) / sizeof(drop[0]); i++)
		unsetenv(drop[i]);
	setenv("HOME", pw->pw_dir, 1);
	setenv("USER", pw->pw_name, 1);
	setenv("LOGNAME", pw->pw_name, 1);
	char run[64];
	struct stat st;
	snprintf(run, sizeof(run), "/run/user/%u", (unsigned)uid);
	if (stat(run, &st) == 0 && st.st_uid == uid)
		setenv("XDG_RUNTIME_DIR", run, 1);
	if (chdir("/") < 0)
		return ward_error_set(e, errno, "chdir /");
	return 0;
}

static int recv_fd(int sock)
{
	char data;
	char ctl[CMSG_SPACE(sizeof(int))];
	struct iovec iov = {.iov_base = &data, .iov_len = 1};
	struct msghdr m = {
	    .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl, .msg_controllen = sizeof(ctl)};
	ssize_t n = recvmsg(sock, &m, MSG_CMSG_CLOEXEC);
	if (n <= 0)
		return n == 0 ? -2 : -1;
	struct cmsghdr *c = CMSG_FIRSTHDR(&m);
	if (!c || c->cmsg_type != SCM_RIGHTS || c->cmsg_len != CMSG_LEN(sizeof(int)))
		return -1;
	int fd;
	memcpy(&fd, CMSG_DATA(c), sizeof(fd));
	return fd;
}

static time_t now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec;
}

void uidserver_child_run(const char *socket_path, int sock)
{
	struct ward_error e = {0};
	struct serve s = {.socket_path = socket_path};
	if (serve_open(&s, &e) < 0 || api_worker_start(&s, &e) < 0 || http_start(&s, &e) < 0) {
		serve_log("uid %u: %s", (unsigned)getuid(), e.msg);
		_exit(1);
	}
	time_t last = now();
	bool parent_gone = false;
	for (;;) {
		struct pollfd p = {.fd = sock, .events = POLLIN};
		int n = parent_gone ? poll(NULL, 0, 1000) : poll(&p, 1, 1000);
		if (http_open_connections() > 0)
			last = now();
		if (n > 0) {
			int fd = recv_fd(sock);
			if (fd >= 0) {
				last = now();
				http_add_connection(fd);
			} else if (fd == -2) {
				parent_gone = true;
			}
		}
		if (http_open_connections() == 0 && (parent_gone || now() - last >= CHILD_IDLE_S))
			_exit(0);
	}
}

/* The fork becomes UID and executes ward-serve afresh (uidserver_child_run on fd 3): no
 * memory of the root server's (other clients' requests, credentials) stays in a process the
 * user may trace, and, its ids unchanged by that exec, it is dumpable, as the user's own
 * server would be (a rootless start opens its children's /proc files as the user). */
static void __attribute__((noreturn)) child_exec(struct serve *parent, uid_t uid, int sock)
{
	struct ward_error e = {0};
	signal(SIGTERM, SIG_DFL);
	signal(SIGINT, SIG_DFL);
	signal(SIGPIPE, SIG_DFL);
	/* the pair on fd 3 without close-on-exec; fds above 3 were closed by spawn */
	int moved = sock == 3 ? fcntl(3, F_SETFD, 0) : dup2(sock, 3);
	int exe = moved < 0 ? -1 : open("/proc/self/exe", O_PATH | O_CLOEXEC);
	if (exe < 0 || become(uid, &e) < 0) {
		serve_log("uid %u: %s", (unsigned)uid, e.msg[0] ? e.msg : strerror(errno));
		_exit(1);
	}
	char *const argv[] = {"ward-serve", "--uid-child", (char *)parent->socket_path, NULL};
	syscall(SYS_execveat, exe, "", argv, environ, AT_EMPTY_PATH);
	serve_log("uid %u: executing ward-serve: %s", (unsigned)uid, strerror(errno));
	_exit(1);
}

static int spawn(struct serve *srv, uid_t uid)
{
	if (n_kids == MAX_CHILDREN)
		return -1;
	int sp[2];
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp) < 0)
		return -1;
	pid_t pid = fork();
	if (pid == 0) {
		close(sp[0]);
		/* only the pair: not the listening socket nor other clients' connections */
		for (int fd = 3; fd < 1024; fd++)
			if (fd != sp[1])
				close(fd);
		child_exec(srv, uid, sp[1]);
	}
	close(sp[1]);
	if (pid < 0) {
		close(sp[0]);
		return -1;
	}
	kids[n_kids] = (struct child){.uid = uid, .pid = pid, .sock = sp[0]};
	return (int)n_kids++;
}

static int send_fd(int sock, int fd)
{
	char data = 'c';
	char ctl[CMSG_SPACE(sizeof(int))];
	memset(ctl, 0, sizeof(ctl));
	struct iovec iov = {.iov_base = &data, .iov_len = 1};
	struct msghdr m = {
	    .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl, .msg_controllen = sizeof(ctl)};
	struct cmsghdr *c = CMSG_FIRSTHDR(&m);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &fd, sizeof(fd));
	return sendmsg(sock, &m, MSG_NOSIGNAL) == 1 ? 0 : -1;
}

static void drop_kid(unsigned i)
{
	close(kids[i].sock);
	kids[i] = kids[--n_kids];
}

void uidserver_pass(struct serve *srv, uid_t uid, int fd)
{
	for (int tries = 0; tries < 2; tries++) {
		int k = -1;
		for (unsigned i = 0; i < n_kids; i++)
			if (kids[i].uid == uid)
				k = (int)i;
		if (k < 0 && (k = spawn(srv, uid)) < 0)
			break;
		if (send_fd(kids[k].sock, fd) == 0) {
			close(fd);
			return;
		}
		drop_kid((unsigned)k); /* it is exiting: a new one */
	}
	serve_log("uid %u: no server for it", (unsigned)uid);
	close(fd);
}

void uidserver_reap(void)
{
	for (unsigned i = 0; i < n_kids;) {
		if (waitpid(kids[i].pid, NULL, WNOHANG) == kids[i].pid)
			drop_kid(i);
		else
			i++;
	}
}

unsigned uidserver_count(void)
{
	return n_kids;
}

void uidserver_stop_all(void)
{
	for (unsigned i = 0; i < n_kids; i++)
		kill(kids[i].pid, SIGTERM);
}
