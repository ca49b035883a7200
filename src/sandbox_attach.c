/* Supervisor side of attach (sandbox_attach.h): the main command's terminal or stdin, relayed
 * to and from every attached client, with what it writes recorded in the log first. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "control.h"
#include "sandbox_attach.h"
#include "sys.h"

#define INBUF_MAX (64u << 10)

static uint64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static json_t *error_reply(const char *msg)
{
	return json_pack("{s:s, s:s, s:i}", "event", "error", "message", msg, "exitCode", 125);
}

static int buf_add(struct attach_buf *b, const char *p, size_t n)
{
	if (b->len + n > b->cap) {
		size_t cap = b->cap ? b->cap : 16384;
		while (cap < b->len + n)
			cap *= 2;
		char *q = realloc(b->p, cap);
		if (!q)
			return -1;
		b->p = q;
		b->cap = cap;
	}
	memcpy(b->p + b->len, p, n);
	b->len += n;
	return 0;
}

static void buf_drop(struct attach_buf *b, size_t n)
{
	memmove(b->p, b->p + n, b->len - n);
	b->len -= n;
}

static void buf_free(struct attach_buf *b)
{
	free(b->p);
	*b = (struct attach_buf){0};
}

/* As much of B as FD takes now; false when FD failed. */
static bool buf_flush(struct attach_buf *b, int fd)
{
	while (b->len) {
		ssize_t w = write(fd, b->p, b->len);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return errno == EAGAIN;
		buf_drop(b, (size_t)w);
	}
	return true;
}

static void client_close(struct attach_client *c)
{
	if (c->ctl >= 0)
		close(c->ctl);
	if (c->in >= 0)
		close(c->in);
	for (int i = 0; i < 2; i++) {
		if (c->out[i] >= 0)
			close(c->out[i]);
		buf_free(&c->pend[i]);
	}
}

static void client_remove(struct attach_set *a, size_t i)
{
	client_close(&a->c[i]);
	a->c[i] = a->c[--a->n];
}

/* What the command wrote, to each client that wants STREAM (a terminal: one stream). */
static void tap(void *arg, int stream, const char *data, size_t len)
{
	struct attach_set *a = arg;
	for (size_t i = 0; i < a->n; i++) {
		struct attach_client *c = &a->c[i];
		int k = stream - 1;
		if (a->master >= 0 && c->out[0] < 0)
			k = 1;
		if (c->dead || c->out[k] < 0)
			continue;
		struct attach_buf *b = &c->pend[k];
		size_t off = 0;
		int err = EAGAIN;
		while (b->len == 0 && off < len) {
			ssize_t w = write(c->out[k], data + off, len - off);
			if (w < 0 && errno == EINTR)
				continue;
			if (w < 0) {
				err = errno;
				break;
			}
			off += (size_t)w;
		}
		if (off < len && (err != EAGAIN || buf_add(b, data + off, len - off) < 0))
			c->dead = true;
	}
}

void attach_init(struct attach_set *a, struct log_relay *log)
{
	*a = (struct attach_set){.master = -1, .stdin_w = -1, .log = log};
	log->tap = tap;
	log->tap_arg = a;
}

int attach_stdin_prepare(struct attach_set *a, struct ward_error *e)
{
	int p[2];
	if (pipe2(p, O_CLOEXEC) < 0)
		return ward_error_set(e, errno, "-i: making the command's stdin");
	if (dup2(p[0], 0) < 0) {
		close(p[0]);
		close(p[1]);
		return ward_error_set(e, errno, "-i: making the command's stdin");
	}
	close(p[0]);
	fcntl(p[1], F_SETFL, O_NONBLOCK);
	a->stdin_w = p[1];
	return 0;
}

void attach_stdin_started(struct attach_set *a)
{
	if (a->stdin_w < 0)
		return;
	int null = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (null >= 0) {
		dup2(null, 0);
		close(null);
	}
}

void attach_set_master(struct attach_set *a, int master)
{
	a->master = master;
	if (master >= 0)
		fcntl(master, F_SETFL, fcntl(master, F_GETFL) | O_NONBLOCK);
}

void attach_add(struct attach_set *a, int ctl, json_t *q, int *fds, size_t nfds)
{
	bool want[3] = {json_is_true(json_object_get(q, "in")),
	                json_is_true(json_object_get(q, "out")),
	                json_is_true(json_object_get(q, "err"))};
	size_t need = (size_t)want[0] + want[1] + want[2];
	if (nfds != need || a->n == ATTACH_MAX) {
		ctl_send(ctl,
		         error_reply(a->n == ATTACH_MAX ? "attach: too many clients attached"
		                                        : "attach: expected one fd per stream"),
		         NULL, 0);
		close(ctl);
		return;
	}
	struct attach_client *c = &a->c[a->n++];
	*c = (struct attach_client){.ctl = ctl, .in = -1, .out = {-1, -1}};
	size_t k = 0;
	int *slot[3] = {&c->in, &c->out[0], &c->out[1]};
	for (int i = 0; i < 3; i++) {
		if (!want[i])
			continue;
		*slot[i] = fds[k];
		fds[k++] = -1;
		fcntl(*slot[i], F_SETFL, fcntl(*slot[i], F_GETFL) | O_NONBLOCK);
	}
	/* everything before this point is in the log, everything after comes live */
	struct stat sb = {0};
	if (a->log->fd >= 0)
		fstat(a->log->fd, &sb);
	bool input = a->master >= 0 || a->stdin_w >= 0;
	json_t *o =
	    json_pack("{s:b, s:b, s:b, s:I, s:I}", "ok", 1, "tty", a->master >= 0, "stdin", input,
	              "logIno", (json_int_t)sb.st_ino, "logSize", (json_int_t)sb.st_size);
	if (!input && c->in >= 0) {
		close(c->in);
		c->in = -1;
	}
	if (ctl_send(ctl, o, NULL, 0) < 0)
		c->dead = true;
}

void attach_resize(struct attach_set *a, int ctl, json_t *q)
{
	json_int_t rows = json_integer_value(json_object_get(q, "rows"));
	json_int_t cols = json_integer_value(json_object_get(q, "cols"));
	struct winsize ws = {.ws_row = (unsigned short)rows, .ws_col = (unsigned short)cols};
	json_t *o;
	if (a->master < 0)
		o = error_reply("resize: the sandbox's command has no terminal (ward create -t)");
	else if (rows < 0 || cols < 0 || rows > 65535 || cols > 65535)
		o = error_reply("resize: rows and columns must be 0 to 65535");
	else if (ioctl(a->master, TIOCSWINSZ, &ws) < 0)
		o = error_reply("resize: setting the terminal's size failed");
	else
		o = json_pack("{s:b}", "ok", 1);
	ctl_send(ctl, o, NULL, 0);
}

bool attach_blocked(const struct attach_set *a)
{
	for (size_t i = 0; i < a->n; i++)
		if (!a->c[i].dead && (a->c[i].pend[0].len || a->c[i].pend[1].len))
			return true;
	return false;
}

static void reap(struct attach_set *a)
{
	for (size_t i = a->n; i-- > 0;)
		if (a->c[i].dead)
			client_remove(a, i);
}

size_t attach_fds(struct attach_set *a, struct pollfd *pfd)
{
	reap(a);
	bool blocked = attach_blocked(a);
	for (size_t i = 0; i < ATTACH_POLL; i++)
		pfd[i] = (struct pollfd){.fd = -1};
	if (a->master >= 0 && !a->master_eof && !blocked)
		pfd[0] = (struct pollfd){.fd = a->master, .events = POLLIN};
	int target = a->master >= 0 ? a->master : a->stdin_w;
	if (target >= 0 && a->inbuf.len)
		pfd[1] = (struct pollfd){.fd = target, .events = POLLOUT};
	for (size_t i = 0; i < a->n; i++) {
		struct attach_client *c = &a->c[i];
		struct pollfd *p = pfd + 2 + 4 * i;
		p[0] = (struct pollfd){.fd = c->ctl, .events = POLLIN};
		if (c->in >= 0 && a->inbuf.len < INBUF_MAX)
			p[1] = (struct pollfd){.fd = c->in, .events = POLLIN};
		for (int k = 0; k < 2; k++)
			if (c->out[k] >= 0)
				p[2 + k] = (struct pollfd){.fd = c->out[k],
				                           .events = c->pend[k].len ? POLLOUT : 0};
	}
	return 2 + 4 * a->n;
}

static void read_master(struct attach_set *a)
{
	char buf[LOG_RECORD_MAX];
	for (int i = 0; i < 16 && !attach_blocked(a); i++) {
		ssize_t n = read(a->master, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return;
		if (n <= 0) { /* EIO: no process holds the terminal any more */
			a->master_eof = true;
			return;
		}
		log_relay_write(a->log, 1, buf, (size_t)n);
	}
}

static void flush_input(struct attach_set *a)
{
	int target = a->master >= 0 ? a->master : a->stdin_w;
	if (target < 0) {
		a->inbuf.len = 0;
		return;
	}
	if (!buf_flush(&a->inbuf, target)) {
		a->inbuf.len = 0; /* the command closed its stdin */
		if (a->master < 0) {
			close(a->stdin_w);
			a->stdin_w = -1;
		}
		return;
	}
	if (!a->inbuf.len && a->close_stdin && a->stdin_w >= 0) {
		close(a->stdin_w);
		a->stdin_w = -1;
	}
}

static void client_input(struct attach_set *a, struct attach_client *c)
{
	char buf[16384];
	size_t room = INBUF_MAX - a->inbuf.len;
	ssize_t n = read(c->in, buf, room < sizeof(buf) ? room : sizeof(buf));
	if (n > 0) {
		buf_add(&a->inbuf, buf, (size_t)n);
		return;
	}
	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	close(c->in);
	c->in = -1;
	/* Docker's StdinOnce: the first attached input that ends ends the command's stdin */
	if (a->master < 0 && !a->stdin_once) {
		a->stdin_once = true;
		a->close_stdin = true;
	}
}

void attach_io(struct attach_set *a, const struct pollfd *pfd)
{
	if (pfd[0].fd >= 0 && pfd[0].revents)
		read_master(a);
	for (size_t i = a->n; i-- > 0;) {
		struct attach_client *c = &a->c[i];
		const struct pollfd *p = pfd + 2 + 4 * i;
		if (p[0].fd >= 0 && p[0].revents) {
			json_t *q = NULL;
			int fds[CTL_MAX_FDS];
			size_t nfds = 0;
			if (ctl_recv(c->ctl, &q, fds, &nfds) <= 0)
				c->dead = true; /* detached */
			json_decref(q);
			for (size_t k = 0; k < nfds; k++)
				close(fds[k]);
		}
		if (!c->dead && p[1].fd >= 0 && p[1].revents && c->in >= 0)
			client_input(a, c);
		for (int k = 0; k < 2 && !c->dead; k++)
			if (p[2 + k].fd >= 0 && (p[2 + k].revents & (POLLOUT | POLLERR | POLLHUP)))
				c->dead = !buf_flush(&c->pend[k], c->out[k]) ||
				          (p[2 + k].revents & POLLERR);
		if (c->dead)
			client_remove(a, i);
	}
	flush_input(a);
}

/* The last output out to each client, for a bounded time: a client that reads nothing
 * does not keep the sandbox from ending. */
static void flush_clients(struct attach_set *a)
{
	uint64_t deadline = now_ms() + 5000;
	for (;;) {
		struct pollfd p[2 * ATTACH_MAX];
		nfds_t n = 0;
		for (size_t i = 0; i < a->n; i++)
			for (int k = 0; k < 2; k++)
				if (!a->c[i].dead && a->c[i].pend[k].len)
					p[n++] = (struct pollfd){.fd = a->c[i].out[k],
					                         .events = POLLOUT};
		uint64_t t = now_ms();
		if (!n || t >= deadline || poll(p, n, (int)(deadline - t)) <= 0)
			return;
		for (size_t i = 0; i < a->n; i++)
			for (int k = 0; k < 2; k++)
				if (!a->c[i].dead && a->c[i].pend[k].len &&
				    !buf_flush(&a->c[i].pend[k], a->c[i].out[k]))
					a->c[i].dead = true;
	}
}

void attach_end(struct attach_set *a, int exit_code)
{
	if (a->master >= 0 && !a->master_eof) {
		struct pollfd p = {.fd = a->master, .events = POLLIN};
		while (!a->master_eof && poll(&p, 1, 0) > 0) {
			flush_clients(a);
			read_master(a);
		}
	}
	flush_clients(a);
	for (size_t i = a->n; i-- > 0;) {
		struct attach_client *c = &a->c[i];
		/* the output ends first, then the exit code on the connection */
		for (int k = 0; k < 2; k++)
			if (c->out[k] >= 0) {
				close(c->out[k]);
				c->out[k] = -1;
			}
		if (!c->dead)
			ctl_send(c->ctl,
			         json_pack("{s:s, s:i}", "event", "exit", "exitCode", exit_code),
			         NULL, 0);
		client_remove(a, i);
	}
	a->log->tap = NULL;
	if (a->master >= 0)
		close(a->master);
	if (a->stdin_w >= 0)
		close(a->stdin_w);
	a->master = a->stdin_w = -1;
	buf_free(&a->inbuf);
}
