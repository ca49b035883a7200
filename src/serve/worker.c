/* api_worker: work that forks runs in a process of its own, so that what it forks (a
 * sandbox's supervisor) is never the server's child and never inherits other clients'
 * sockets. Those processes are forked by the worker parent, which the server forks once at
 * its start while it has one thread: a child forked by a threaded process inherits every
 * lock another thread held at that moment (glibc's locale lock, which strerror takes, hung a
 * supervisor's setlocale forever), a child of the single-threaded worker parent none.
 * A job crosses as one message (FN, and the fds: the result pipe, IN as a memfd, PROGRESS_FD);
 * the result comes back once, as a JSON line on the pipe. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "context.h"

static int parent_sock = -1; /* the server's end */

static bool write_all(int fd, const char *s, size_t len)
{
	for (size_t off = 0; off < len;) {
		ssize_t w = write(fd, s + off, len - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return false;
		off += (size_t)w;
	}
	return true;
}

static void write_line(int fd, json_t *j)
{
	char *s = j ? json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;
	json_decref(j);
	if (!s)
		s = strdup("{\"error\":\"worker: out of memory\"}");
	/* ended by a newline (compact JSON has none): a supervisor FN forked holds this pipe
	 * open too (libward's supervisor keeps its caller's fds), so EOF would come late */
	char *t = s ? realloc(s, strlen(s) + 2) : NULL;
	if (!t) {
		free(s);
		return;
	}
	s = strcat(t, "\n");
	write_all(fd, s, strlen(s));
	free(s);
}

static json_t *read_json(int fd)
{
	/* a memfd: its size is what was written */
	off_t size = lseek(fd, 0, SEEK_END);
	char *buf = size >= 0 ? malloc((size_t)size + 1) : NULL;
	size_t got = 0;
	while (buf && got < (size_t)size) {
		ssize_t n = pread(fd, buf + got, (size_t)size - got, (off_t)got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	json_t *j = buf ? json_loadb(buf, got, JSON_DECODE_ANY, NULL) : NULL;
	free(buf);
	return j;
}

struct job_msg {
	api_worker_fn fn; /* the same address in the worker parent: a fork, not an exec */
	bool progress;    /* a third fd: PROGRESS_FD */
};

static void __attribute__((noreturn))
run_job(const struct serve *parent, const struct job_msg *m, const int *fds)
{
	int res = fds[0], progress_fd = m->progress ? fds[2] : -1;
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	signal(SIGPIPE, SIG_DFL);
	prctl(PR_SET_PDEATHSIG, 0);
	json_t *in = read_json(fds[1]);
	close(fds[1]);
	struct serve s = *parent;
	struct ward_error e = {0};
	json_t *out = NULL;
	int rc = in ? serve_open(&s, &e) : ward_error_set(&e, 0, "worker: unreadable job");
	if (rc == 0)
		rc = m->fn(&s, in, &out, progress_fd, &e);
	json_decref(in);
	if (rc < 0) {
		json_decref(out);
		write_line(res, json_pack("{s:s,s:i}", "error", e.msg[0] ? e.msg : "failed",
		                          "errno", e.err));
	} else {
		write_line(res, json_pack("{s:o?}", "ok", out));
	}
	_exit(0);
}

/* Jobs running: their result pipes, for a line when one dies without its own. */
struct running {
	pid_t pid;
	int res;
};

static void reap(int sfd, struct running **v, size_t *n)
{
	struct signalfd_siginfo si;
	while (read(sfd, &si, sizeof(si)) > 0)
		;
	int status;
	pid_t pid;
	while ((pid = waitpid(-1, &status, WNOHANG)) > 0)
		for (size_t i = 0; i < *n; i++) {
			if ((*v)[i].pid != pid)
				continue;
			/* a job writes its result and exits 0; anything else gets a line (the
			 * server reads the first) */
			if (WIFSIGNALED(status))
				write_line((*v)[i].res,
				           json_pack("{s:s+}", "error", "worker: killed by signal ",
				                     strsignal(WTERMSIG(status))));
			else if (WEXITSTATUS(status) != 0)
				write_line(
				    (*v)[i].res,
				    json_pack("{s:s}", "error", "worker: ended without a result"));
			close((*v)[i].res);
			(*v)[i] = (*v)[--*n];
			break;
		}
}

static void __attribute__((noreturn)) parent_main(const struct serve *srv, int sock)
{
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	prctl(PR_SET_NAME, "ward-serve-jobs");
	close_range(3, (unsigned)sock - 1, 0);
	close_range((unsigned)sock + 1, ~0u, 0);
	sigset_t chld;
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	sigprocmask(SIG_BLOCK, &chld, NULL);
	int sfd = signalfd(-1, &chld, SFD_NONBLOCK | SFD_CLOEXEC);
	struct running *v = NULL;
	size_t n = 0;
	for (;;) {
		struct pollfd p[2] = {{.fd = sock, .events = POLLIN},
		                      {.fd = sfd, .events = POLLIN}};
		if (poll(p, 2, -1) < 0 && errno != EINTR)
			_exit(1);
		if (p[1].revents)
			reap(sfd, &v, &n);
		if (!p[0].revents)
			continue;
		struct job_msg m;
		int fds[3] = {-1, -1, -1};
		char cbuf[CMSG_SPACE(sizeof(fds))];
		struct iovec iov = {&m, sizeof(m)};
		struct msghdr mh = {.msg_iov = &iov,
		                    .msg_iovlen = 1,
		                    .msg_control = cbuf,
		                    .msg_controllen = sizeof(cbuf)};
		ssize_t got = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC);
		if (got == 0)
			_exit(0); /* the server is gone */
		if (got < 0) {
			if (errno == EINTR)
				continue;
			_exit(1);
		}
		struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
		size_t nfds =
		    c && c->cmsg_type == SCM_RIGHTS ? (c->cmsg_len - CMSG_LEN(0)) / sizeof(int) : 0;
		if (nfds > 3)
			nfds = 3;
		if (nfds)
			memcpy(fds, CMSG_DATA(c), nfds * sizeof(int));
		struct running *t = realloc(v, (n + 1) * sizeof(*v));
		if (got != sizeof(m) || nfds != 2u + m.progress || !t) {
			v = t ? t : v;
			for (size_t i = 0; i < nfds; i++)
				close(fds[i]);
			continue; /* the server sees EOF: "ended without a result" */
		}
		v = t;
		pid_t pid = fork();
		if (pid == 0) {
			close(sock);
			close(sfd);
			for (size_t i = 0; i < n; i++)
				close(v[i].res);
			run_job(srv, &m, fds);
		}
		if (pid > 0)
			v[n++] = (struct running){pid, fds[0]};
		else
			close(fds[0]);
		close(fds[1]);
		if (m.progress)
			close(fds[2]);
	}
}

int api_worker_start(const struct serve *srv, struct ward_error *e)
{
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		return ward_error_set(e, errno, "worker parent: socketpair");
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0) {
		int err = errno;
		close(sv[0]);
		close(sv[1]);
		return ward_error_set(e, err, "worker parent: fork");
	}
	if (pid == 0) {
		close(sv[0]);
		parent_main(srv, sv[1]);
	}
	close(sv[1]);
	parent_sock = sv[0];
	return 0;
}

/* The result line (up to its newline, or EOF when nobody is left to write). */
static char *read_line(int fd)
{
	size_t len = 0, cap = 4096;
	char *buf = malloc(cap);
	while (buf) {
		if (len + 1 == cap) {
			char *t = realloc(buf, cap *= 2);
			if (!t)
				break;
			buf = t;
		}
		ssize_t n = read(fd, buf + len, cap - len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		char *nl = n > 0 ? memchr(buf + len, '\n', (size_t)n) : NULL;
		len += n > 0 ? (size_t)n : 0;
		if (n <= 0 || nl) {
			buf[nl ? (size_t)(nl - buf) : len] = '\0';
			return buf;
		}
	}
	free(buf);
	return NULL;
}

static int result(const char *text, json_t **out, struct ward_error *e)
{
	json_t *j = text && *text ? json_loads(text, 0, NULL) : NULL;
	json_t *err = json_object_get(j, "error");
	int rc = -1;
	if (json_is_string(err)) {
		ward_error_set(e, 0, "%s", json_string_value(err));
		if (e)
			e->err = (int)json_integer_value(json_object_get(j, "errno"));
	} else if (json_is_object(j) && json_object_get(j, "ok")) {
		json_t *ok = json_object_get(j, "ok");
		*out = json_is_null(ok) ? NULL : json_incref(ok);
		rc = 0;
	} else {
		ward_error_set(e, 0, "worker: ended without a result");
	}
	json_decref(j);
	return rc;
}

/* IN as a memfd the job reads whole (a job may be larger than one message). */
static int job_input(json_t *in, struct ward_error *e)
{
	char *s = json_dumps(in, JSON_COMPACT | JSON_ENCODE_ANY);
	int fd = s ? memfd_create("ward-serve-job", MFD_CLOEXEC) : -1;
	if (fd >= 0 && !write_all(fd, s, strlen(s))) {
		close(fd);
		fd = -1;
	}
	free(s);
	if (fd < 0)
		ward_error_set(e, errno, "worker: the job's input");
	return fd;
}

int api_worker(struct serve *srv, api_worker_fn fn, json_t *in, json_t **out, int progress_fd,
               struct ward_error *e)
{
	(void)srv; /* the worker parent has the server's settings as they were at the start */
	*out = NULL;
	int p[2];
	if (pipe2(p, O_CLOEXEC) < 0)
		return ward_error_set(e, errno, "worker: pipe");
	int infd = job_input(in, e);
	if (infd < 0) {
		close(p[0]);
		close(p[1]);
		return -1;
	}
	struct job_msg m = {.fn = fn, .progress = progress_fd >= 0};
	int fds[3] = {p[1], infd, progress_fd};
	size_t nfds = 2u + m.progress;
	char cbuf[CMSG_SPACE(sizeof(fds))];
	memset(cbuf, 0, sizeof(cbuf));
	struct iovec iov = {&m, sizeof(m)};
	struct msghdr mh = {.msg_iov = &iov,
	                    .msg_iovlen = 1,
	                    .msg_control = cbuf,
	                    .msg_controllen = CMSG_SPACE(nfds * sizeof(int))};
	struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(nfds * sizeof(int));
	memcpy(CMSG_DATA(c), fds, nfds * sizeof(int));
	ssize_t sent;
	while ((sent = sendmsg(parent_sock, &mh, MSG_NOSIGNAL)) < 0 && errno == EINTR)
		;
	int err = errno;
	close(p[1]);
	close(infd);
	if (sent < 0) {
		close(p[0]);
		return ward_error_set(e, err, "worker: the worker parent is gone");
	}
	char *text = read_line(p[0]);
	close(p[0]);
	int rc = result(text, out, e);
	free(text);
	return rc;
}
