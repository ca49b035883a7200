/* netprobe: static TCP helpers for the network tests and benchmarks, usable inside a
 * sandbox and on the host alike.
 *   echo-server PORT [ADDR]          echo every connection (a process each); "listening"
 *   sink-server PORT                 read and discard every connection
 *   hello-server PORT TEXT           write TEXT to every connection and close it
 *   pong-server PORT                 one connection at a time: echo one byte, close (no
 *                                    fork, for round-trip timing)
 *   connect ADDR PORT                "connected" (and what the server says within 1 s) and
 *                                    0, or the error and 1 (2 s timeout)
 *   echo-check ADDR PORT BYTES CONNS CONNS connections at once, each sends BYTES of a
 *                                    pattern and must get exactly them back
 *   send ADDR PORT MB                bulk transfer to a sink; prints MB/s
 *   rtt ADDR PORT N                  N times connect, 1 byte echoed, close; prints mean us
 *   stall-server PORT                listen (backlog 1) and never accept; "listening"
 *   flood ADDR PORT N [FROM]         open N connections (from address FROM) and keep them;
 *                                    "held K after S s" each time the number the server has
 *                                    not closed or reset settles at a new value */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static struct sockaddr_in addr_of(const char *ip, const char *port)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(port))};
	if (inet_pton(AF_INET, ip, &a.sin_addr) != 1) {
		fprintf(stderr, "netprobe: bad address %s\n", ip);
		exit(2);
	}
	return a;
}

static int serve(const char *port, const char *ip, bool echo, const char *hello)
{
	struct sockaddr_in a = addr_of(ip ? ip : "0.0.0.0", port);
	int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(fd, 512) < 0)
		return perror("netprobe: bind"), 1;
	signal(SIGCHLD, SIG_IGN);
	printf("listening\n");
	fflush(stdout);
	static char buf[1 << 16];
	for (;;) {
		int c = accept(fd, NULL, NULL);
		if (c < 0 || fork() != 0) {
			if (c >= 0)
				close(c);
			continue;
		}
		close(fd);
		if (hello) {
			ssize_t len = (ssize_t)strlen(hello);
			_exit(write(c, hello, (size_t)len) == len ? 0 : 1);
		}
		ssize_t n;
		while ((n = read(c, buf, sizeof(buf))) > 0) {
			for (ssize_t off = 0; echo && off < n;) {
				ssize_t w = write(c, buf + off, (size_t)(n - off));
				if (w <= 0)
					_exit(1);
				off += w;
			}
		}
		_exit(0);
	}
}

/* A connected socket (from address FROM, if not NULL) or -1 (error printed unless QUIET),
 * within 2 s. */
static int dial_from(const char *ip, const char *port, const char *from, bool quiet)
{
	struct sockaddr_in a = addr_of(ip, port);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	struct sockaddr_in f = addr_of(from ? from : "0.0.0.0", "0");
	if (from && bind(fd, (struct sockaddr *)&f, sizeof(f)) < 0) {
		perror("netprobe: bind");
		exit(2);
	}
	int r = connect(fd, (struct sockaddr *)&a, sizeof(a));
	if (r < 0 && errno == EINPROGRESS) {
		struct pollfd p = {.fd = fd, .events = POLLOUT};
		int err = ETIMEDOUT;
		socklen_t len = sizeof(err);
		if (poll(&p, 1, 2000) == 1)
			getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
		r = err ? -1 : 0;
		errno = err;
	}
	if (r < 0) {
		if (!quiet)
			printf("%s\n", strerror(errno));
		close(fd);
		return -1;
	}
	fcntl(fd, F_SETFL, 0);
	return fd;
}

static int dial(const char *ip, const char *port, bool quiet)
{
	return dial_from(ip, port, NULL, quiet);
}

static unsigned char pattern(size_t i)
{
	return (unsigned char)((i * 7 + i / 251) & 0xff);
}

/* Send BYTES and read them back at the same time (poll), checking every byte. */
static int echo_one(const char *ip, const char *port, size_t bytes)
{
	int fd = dial(ip, port, false);
	if (fd < 0)
		return 1;
	fcntl(fd, F_SETFL, O_NONBLOCK);
	size_t sent = 0, got = 0;
	static unsigned char out[1 << 16], in[1 << 16];
	while (got < bytes) {
		struct pollfd p = {.fd = fd, .events = POLLIN | (sent < bytes ? POLLOUT : 0)};
		if (poll(&p, 1, 10000) <= 0)
			return fprintf(stderr, "netprobe: stalled at %zu/%zu\n", got, bytes), 1;
		if (sent < bytes && (p.revents & POLLOUT)) {
			size_t n = bytes - sent < sizeof(out) ? bytes - sent : sizeof(out);
			for (size_t i = 0; i < n; i++)
				out[i] = pattern(sent + i);
			ssize_t w = write(fd, out, n);
			if (w > 0)
				sent += (size_t)w;
			if (sent == bytes)
				shutdown(fd, SHUT_WR);
		}
		if (p.revents & (POLLIN | POLLHUP)) {
			ssize_t n = read(fd, in, sizeof(in));
			if (n == 0)
				return fprintf(stderr, "netprobe: EOF at %zu/%zu\n", got, bytes), 1;
			for (ssize_t i = 0; i < n; i++)
				if (in[i] != pattern(got + (size_t)i))
					return fprintf(stderr, "netprobe: byte %zu differs\n",
					               got + (size_t)i),
					       1;
			if (n > 0)
				got += (size_t)n;
		}
	}
	char extra;
	fcntl(fd, F_SETFL, 0);
	if (read(fd, &extra, 1) != 0)
		return fprintf(stderr, "netprobe: more bytes than sent\n"), 1;
	close(fd);
	return 0;
}

static int echo_check(const char *ip, const char *port, size_t bytes, int conns)
{
	for (int i = 0; i < conns; i++)
		if (fork() == 0)
			_exit(echo_one(ip, port, bytes));
	int failed = 0, st;
	while (wait(&st) > 0)
		failed += !WIFEXITED(st) || WEXITSTATUS(st);
	printf("%d/%d connections echoed %zu bytes exactly\n", conns - failed, conns, bytes);
	return failed ? 1 : 0;
}

static int send_bulk(const char *ip, const char *port, long mb)
{
	int fd = dial(ip, port, false);
	if (fd < 0)
		return 1;
	static char buf[1 << 17];
	memset(buf, 'x', sizeof(buf));
	double t0 = now();
	long total = mb << 20;
	for (long left = total; left > 0;) {
		ssize_t w = write(fd, buf, left < (long)sizeof(buf) ? (size_t)left : sizeof(buf));
		if (w <= 0)
			return perror("netprobe: write"), 1;
		left -= w;
	}
	shutdown(fd, SHUT_WR);
	char c;
	while (read(fd, &c, 1) > 0) /* the sink closes after reading everything */
		;
	printf("%.0f MB/s\n", (double)mb / (now() - t0));
	return 0;
}

static int rtt(const char *ip, const char *port, int n)
{
	double t0 = now();
	for (int i = 0; i < n; i++) {
		int fd = dial(ip, port, false);
		char c = 'x';
		if (fd < 0 || write(fd, &c, 1) != 1 || read(fd, &c, 1) != 1)
			return fprintf(stderr, "netprobe: round trip %d failed\n", i), 1;
		close(fd);
	}
	printf("%.1f us\n", (now() - t0) / n * 1e6);
	return 0;
}

static int pong(const char *port)
{
	struct sockaddr_in a = addr_of("0.0.0.0", port);
	int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(fd, 512) < 0)
		return perror("netprobe: bind"), 1;
	printf("listening\n");
	fflush(stdout);
	for (;;) {
		int c = accept(fd, NULL, NULL);
		char b;
		if (c >= 0 && read(c, &b, 1) == 1 && write(c, &b, 1) == 1)
			shutdown(c, SHUT_WR);
		if (c >= 0)
			close(c);
	}
}

static int stall(const char *port)
{
	struct sockaddr_in a = addr_of("0.0.0.0", port);
	int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(fd, 1) < 0)
		return perror("netprobe: bind"), 1;
	printf("listening\n");
	fflush(stdout);
	for (;;)
		pause();
}

/* Connections still open: neither closed nor reset by the server (it sends nothing). */
static int held(struct pollfd *p, int n)
{
	int k = 0;
	for (int i = 0; i < n; i++)
		p[i].revents = 0;
	poll(p, (nfds_t)n, 0);
	for (int i = 0; i < n; i++)
		k += p[i].fd >= 0 && !(p[i].revents & (POLLIN | POLLHUP | POLLERR | POLLRDHUP));
	return k;
}

static int flood(const char *ip, const char *port, int n, const char *from)
{
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	double t0 = now();
	struct pollfd *p = calloc((size_t)n, sizeof(*p));
	if (!p)
		return 1;
	for (int i = 0; i < n; i++)
		p[i] = (struct pollfd){.fd = dial_from(ip, port, from, true), .events = POLLRDHUP};
	/* a value counts once it has held for half a second */
	int last = -1, shown = -1;
	for (int same = 0;; usleep(100000)) {
		int k = held(p, n);
		same = k == last ? same + 1 : 0;
		last = k;
		if (same == 5 && k != shown) {
			printf("held %d after %.1f s\n", k, now() - t0);
			fflush(stdout);
			shown = k;
		}
	}
}

int main(int argc, char **argv)
{
	const char *c = argc > 1 ? argv[1] : "";
	if (!strcmp(c, "echo-server") && argc > 2)
		return serve(argv[2], argc > 3 ? argv[3] : NULL, true, NULL);
	if (!strcmp(c, "sink-server") && argc > 2)
		return serve(argv[2], NULL, false, NULL);
	if (!strcmp(c, "pong-server") && argc > 2)
		return pong(argv[2]);
	if (!strcmp(c, "hello-server") && argc > 3)
		return serve(argv[2], NULL, false, argv[3]);
	if (!strcmp(c, "connect") && argc > 3) {
		int fd = dial(argv[2], argv[3], false);
		if (fd < 0)
			return 1;
		printf("connected\n");
		char buf[256];
		struct pollfd p = {.fd = fd, .events = POLLIN};
		ssize_t n = poll(&p, 1, 1000) == 1 ? read(fd, buf, sizeof(buf)) : 0; /* a hello */
		if (n > 0)
			printf("%.*s\n", (int)n, buf);
		return 0;
	}
	if (!strcmp(c, "echo-check") && argc > 5)
		return echo_check(argv[2], argv[3], strtoul(argv[4], NULL, 0), atoi(argv[5]));
	if (!strcmp(c, "send") && argc > 4)
		return send_bulk(argv[2], argv[3], atol(argv[4]));
	if (!strcmp(c, "rtt") && argc > 4)
		return rtt(argv[2], argv[3], atoi(argv[4]));
	if (!strcmp(c, "stall-server") && argc > 2)
		return stall(argv[2]);
	if (!strcmp(c, "flood") && argc > 4)
		return flood(argv[2], argv[3], atoi(argv[4]), argc > 5 ? argv[5] : NULL);
	fprintf(stderr, "usage: see the comment at the top of netprobe.c\n");
	return 2;
}
