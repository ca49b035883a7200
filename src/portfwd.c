/* The port forwarder: a process of its own per sandbox, holding the published ports'
 * listening sockets (bound by the supervisor on the host) and relaying each accepted
 * connection to the sandbox with splice() through a pipe per direction, so the bytes never
 * enter user space. Root: it connects to the sandbox's veth address from the host. Rootless:
 * it first joins the sandbox's user and network namespaces, so the sockets it creates
 * belong to the sandbox's network and it connects to 127.0.0.1 there. */
#include <errno.h>
#include <grp.h>
#include <linux/capability.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <time.h>

#include "caps.h"
#include "net.h"
#include "portfwd_src.h"
#include "sys.h"

#define PIPE_BYTES (1024 * 1024) /* a bulk transfer's pipe grows to this */
#define MAX_CONNS  4096
#define CONNECT_MS 10000 /* for the sandbox to accept; then both ends are closed */
#define ACCEPTS    64    /* per listener and wake-up: one flood cannot starve the rest */
/* A client that vanished (no FIN, no RST) is found by keepalive: after 60 s idle, 6 probes
 * 10 s apart. Established connections have no idle timeout: long streams are legitimate. */
#define KEEPIDLE  60
#define KEEPINTVL 10
#define KEEPCNT   6

enum kind { LISTENER, END };

struct dir { /* bytes from one end to the other */
	int pipe[2];
	size_t pending, size; /* in the pipe; its capacity */
	bool eof, shut;
};

struct conn;
struct end {
	enum kind kind;
	int fd;
	struct conn *c; /* END */
	size_t target;  /* LISTENER: which publish */
};

struct conn {
	struct end outer, inner; /* the client's connection; ours to the sandbox */
	bool connecting;
	struct dir in, out; /* outer → inner, inner → outer */
	struct portfwd_src src;
	/* while connecting: in the queue of deadlines, oldest first (one timeout for all) */
	struct conn *prev, *next;
	int64_t deadline;
};

static int epfd;
static size_t nconns;
static struct portfwd_srcs *srcs;
static struct conn *head, *tail; /* connecting, by deadline */
static int spare = -1;           /* given up when out of fds, to take a connection and drop it */

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void connected(struct conn *c)
{
	if (!c->connecting)
		return;
	c->connecting = false;
	*(c->prev ? &c->prev->next : &head) = c->next;
	*(c->next ? &c->next->prev : &tail) = c->prev;
}

static void conn_close(struct conn *c)
{
	connected(c);
	portfwd_srcs_put(srcs, c->src);
	close(c->outer.fd);
	close(c->inner.fd);
	struct dir *d[2] = {&c->in, &c->out};
	for (int i = 0; i < 2; i++) {
		close(d[i]->pipe[0]);
		close(d[i]->pipe[1]);
	}
	free(c);
	nconns--;
}

/* Move what can move from SRC to DST; -1 when the connection broke. */
static int pump(struct dir *d, int src, int dst)
{
	for (;;) {
		bool progress = false;
		if (d->pending) {
			ssize_t n = splice(d->pipe[0], NULL, dst, NULL, d->pending,
			                   SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
			if (n > 0) {
				d->pending -= (size_t)n;
				progress = true;
			} else if (n < 0 && errno != EAGAIN) {
				return -1;
			}
		}
		/* a connection that fills its pipe is a bulk one: give it room */
		if (d->pending == d->size && d->size < PIPE_BYTES) {
			int got = fcntl(d->pipe[1], F_SETPIPE_SZ, PIPE_BYTES);
			if (got > 0)
				d->size = (size_t)got;
		}
		if (!d->eof && d->pending < d->size) {
			ssize_t n = splice(src, NULL, d->pipe[1], NULL, d->size - d->pending,
			                   SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
			if (n > 0) {
				d->pending += (size_t)n;
				progress = true;
			} else if (n == 0) {
				d->eof = progress = true;
			} else if (errno != EAGAIN) {
				return -1;
			}
		}
		if (!progress)
			break;
	}
	if (d->eof && !d->pending && !d->shut) {
		shutdown(dst, SHUT_WR);
		d->shut = true;
	}
	return 0;
}

static void conn_run(struct conn *c)
{
	if (c->connecting) {
		/* SO_ERROR is 0 while the connect is pending too: connected once it has a peer */
		int err = 0;
		socklen_t len = sizeof(err);
		struct sockaddr_storage peer;
		socklen_t plen = sizeof(peer);
		if (getsockopt(c->inner.fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
			err = errno;
		if (!err && getpeername(c->inner.fd, (struct sockaddr *)&peer, &plen) < 0)
			err = errno;
		if (err == ENOTCONN)
			return;
		if (err) {
			conn_close(c);
			return;
		}
		connected(c);
	}
	if (pump(&c->in, c->outer.fd, c->inner.fd) < 0 ||
	    pump(&c->out, c->inner.fd, c->outer.fd) < 0 || (c->in.shut && c->out.shut))
		conn_close(c);
}

static int make_pipe(struct dir *d)
{
	if (pipe2(d->pipe, O_NONBLOCK | O_CLOEXEC) < 0)
		return -1;
	int size = fcntl(d->pipe[1], F_GETPIPE_SZ);
	d->size = size > 0 ? (size_t)size : 65536;
	return 0;
}

static int watch(struct end *end)
{
	struct epoll_event ev = {.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET,
	                         .data.ptr = end};
	return epoll_ctl(epfd, EPOLL_CTL_ADD, end->fd, &ev);
}

/* Closing FD then resets the connection (RST): nothing of it stays on the host. */
static void abortive(int fd)
{
	struct linger l = {.l_onoff = 1, .l_linger = 0};
	setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof(l));
}

static void refuse(int fd)
{
	abortive(fd);
	close(fd);
}

static void keepalive(int fd)
{
	int on = 1, idle = KEEPIDLE, intvl = KEEPINTVL, cnt = KEEPCNT;
	setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &on, sizeof(on));
	setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &idle, sizeof(idle));
	setsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, &intvl, sizeof(intvl));
	setsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT, &cnt, sizeof(cnt));
}

static void on_accept(const struct end *l, const struct sockaddr_storage *targets)
{
	/* the listener is level-triggered: what is left wakes the next round */
	for (int round = 0; round < ACCEPTS; round++) {
		struct sockaddr_storage from;
		socklen_t fromlen = sizeof(from);
		int fd = accept4(l->fd, (struct sockaddr *)&from, &fromlen,
		                 SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0 && (errno == EMFILE || errno == ENFILE) && spare >= 0) {
			/* a listener left readable would spin the loop: refuse this one */
			close(spare);
			fd = accept4(l->fd, NULL, NULL, SOCK_CLOEXEC);
			if (fd >= 0)
				refuse(fd);
			spare = open("/dev/null", O_RDONLY | O_CLOEXEC);
			continue;
		}
		if (fd < 0)
			return;
		struct portfwd_src src = portfwd_src_of(&from);
		if (nconns >= MAX_CONNS || !portfwd_srcs_take(srcs, src)) {
			refuse(fd);
			continue;
		}
		const struct sockaddr_storage *t = &targets[l->target];
		struct conn *c = calloc(1, sizeof(*c));
		int in =
		    c ? socket(t->ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0) : -1;
		if (in < 0) {
			portfwd_srcs_put(srcs, src);
			free(c);
			refuse(fd);
			continue;
		}
		nconns++;
		*c = (struct conn){.outer = {.kind = END, .fd = fd, .c = c},
		                   .inner = {.kind = END, .fd = in, .c = c},
		                   .connecting = true,
		                   .in.pipe = {-1, -1},
		                   .out.pipe = {-1, -1},
		                   .src = src,
		                   .prev = tail,
		                   .deadline = now_ms() + CONNECT_MS};
		*(tail ? &tail->next : &head) = c;
		tail = c;
		keepalive(fd);
		/* room for a burst on the side that receives into the pipe and the side that
		 * sends from it: fewer wake-ups per megabyte */
		int buf = 4 << 20;
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &buf, sizeof(buf));
		setsockopt(in, SOL_SOCKET, SO_SNDBUF, &buf, sizeof(buf));
		socklen_t len = t->ss_family == AF_INET ? sizeof(struct sockaddr_in)
		                                        : sizeof(struct sockaddr_in6);
		if (make_pipe(&c->in) < 0 || make_pipe(&c->out) < 0 ||
		    (connect(in, (const struct sockaddr *)t, len) < 0 && errno != EINPROGRESS) ||
		    watch(&c->outer) < 0 || watch(&c->inner) < 0) {
			conn_close(c);
			continue;
		}
	}
}

/* Connections the sandbox has not accepted in time: both ends closed, the client's with a
 * reset (no orphan left waiting for its FIN). Returns the wait for epoll until the next
 * deadline, or -1 for none. */
static int expire(void)
{
	int64_t now = now_ms();
	while (head && head->deadline <= now) {
		abortive(head->outer.fd);
		conn_close(head);
	}
	return head ? (int)(head->deadline - now) : -1;
}

/* Keep only the listeners (and the namespaces, until joined). */
static void keep_fds(const int *keep, size_t n)
{
	unsigned next = 3;
	int sorted[WARD_MAX_PUBLISH + 2];
	memcpy(sorted, keep, n * sizeof(int));
	for (size_t i = 1; i < n; i++)
		for (size_t j = i; j > 0 && sorted[j - 1] > sorted[j]; j--) {
			int t = sorted[j];
			sorted[j] = sorted[j - 1];
			sorted[j - 1] = t;
		}
	for (size_t i = 0; i < n; i++) {
		if ((unsigned)sorted[i] > next)
			close_range(next, (unsigned)sorted[i] - 1, 0);
		next = (unsigned)sorted[i] + 1;
	}
	close_range(next, ~0U, 0);
}

static void join(int userns, int netns)
{
	if (userns >= 0 && setns(userns, CLONE_NEWUSER) < 0)
		_exit(1);
	if (netns >= 0 && setns(netns, CLONE_NEWNET) < 0)
		_exit(1);
	if (userns >= 0)
		close(userns);
	if (netns >= 0)
		close(netns);
}

static void drop_privileges(bool root)
{
	/* Root on the host: become nobody. Rootless, in the sandbox's user namespace: keep its
	 * root, whose capabilities go next. */
	if (caps_limit_bounding(0) < 0)
		_exit(1);
	if (root && (setgroups(0, NULL) < 0 || setresgid(65534, 65534, 65534) < 0 ||
	             setresuid(65534, 65534, 65534) < 0))
		_exit(1);
	if (caps_apply(0, !root) < 0 || prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		_exit(1);
}

static void forwarder_main(const struct portfwd *p)
{
	prctl(PR_SET_NAME, "ward-portfwd", 0, 0, 0);
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	signal(SIGPIPE, SIG_IGN);
	int keep[WARD_MAX_PUBLISH + 2];
	size_t nkeep = 0;
	for (size_t i = 0; i < p->n; i++)
		keep[nkeep++] = p->listen[i];
	if (p->userns >= 0)
		keep[nkeep++] = p->userns;
	if (p->netns >= 0)
		keep[nkeep++] = p->netns;
	keep_fds(keep, nkeep);
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	bool root = geteuid() == 0;
	spare = open("/dev/null", O_RDONLY | O_CLOEXEC);
	join(p->userns, p->netns);
	drop_privileges(root);
	/* a credential change clears the parent-death signal: armed again, then checked */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != p->parent)
		_exit(1);
	epfd = epoll_create1(EPOLL_CLOEXEC);
	struct end *listeners = calloc(p->n, sizeof(*listeners));
	uint64_t seed = 0;
	if (getrandom(&seed, sizeof(seed), GRND_NONBLOCK) < 0)
		seed = (uint64_t)now_ms() ^ (uint64_t)getpid() << 32;
	srcs = portfwd_srcs_new(seed);
	if (epfd < 0 || !listeners || !srcs)
		_exit(1);
	for (size_t i = 0; i < p->n; i++) {
		listeners[i] = (struct end){.kind = LISTENER, .fd = p->listen[i], .target = i};
		struct epoll_event ev = {.events = EPOLLIN, .data.ptr = &listeners[i]};
		if (epoll_ctl(epfd, EPOLL_CTL_ADD, p->listen[i], &ev) < 0)
			_exit(1);
	}
	for (;;) {
		struct epoll_event evs[64];
		int n = epoll_wait(epfd, evs, 64, expire());
		for (int i = 0; i < n; i++) {
			struct end *end = evs[i].data.ptr;
			if (end->kind == LISTENER)
				on_accept(end, p->targets);
		}
		/* An end's events run its whole connection; a connection closed by an earlier
		 * event of this batch must not be touched again. */
		for (int i = 0; i < n; i++) {
			struct end *end = evs[i].data.ptr;
			if (!end || end->kind != END)
				continue;
			struct conn *c = end->c;
			for (int k = i + 1; k < n; k++) {
				struct end *o = evs[k].data.ptr;
				if (o && o->kind == END && o->c == c)
					evs[k].data.ptr = NULL;
			}
			conn_run(c);
		}
	}
}

int portfwd_start(const struct portfwd *p, int *pidfd, struct ward_error *e)
{
	struct clone_args args = {
	    .flags = CLONE_PIDFD, .pidfd = (uint64_t)(uintptr_t)pidfd, .exit_signal = SIGCHLD};
	long pid = sys_clone3(&args);
	if (pid < 0) {
		ward_error_set(e, errno, "network: starting the port forwarder");
		return -1;
	}
	if (pid == 0) {
		if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != p->parent)
			_exit(1);
		forwarder_main(p);
	}
	return (int)pid;
}
