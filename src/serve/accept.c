/* The accept loop: each connection's peer (SO_PEERCRED) decides who serves it. The
 * server's own uid → its HTTP server; on a root server, another uid (the socket's group let
 * it connect) → a child server running as that uid (uidserver.c), so that no client gets
 * more than the CLI would give it as itself. */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "context.h"
#include "http.h"
#include "listen.h"
#include "uidserver.h"

static volatile sig_atomic_t stop_sig;

static void on_stop(int sig)
{
	stop_sig = sig;
}

static void install_signals(void)
{
	struct sigaction sa = {.sa_handler = on_stop}; /* no SA_RESTART: poll returns */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

static time_t now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec;
}

/* A client this server may not serve: a 403, then the door, once its request is read (closing
 * a unix socket with unread data makes the client see a reset instead of the answer). */
static void *refuse_main(void *arg)
{
	int fd = (int)(intptr_t)arg;
	struct ucred uc = {0};
	socklen_t len = sizeof(uc);
	getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &uc, &len);
	char msg[256], resp[512], buf[4096];
	snprintf(msg, sizeof(msg), "{\"message\":\"uid %u: this server serves uid %u only\"}\n",
	         (unsigned)uc.uid, (unsigned)geteuid());
	int n = snprintf(resp, sizeof(resp),
	                 "HTTP/1.1 403 Forbidden\r\nContent-Type: application/json\r\n"
	                 "Content-Length: %zu\r\nConnection: close\r\n\r\n%s",
	                 strlen(msg), msg);
	struct timeval tv = {.tv_sec = 2};
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (write(fd, resp, (size_t)n) == n) {
		shutdown(fd, SHUT_WR);
		for (int i = 0; i < 64 && read(fd, buf, sizeof(buf)) > 0; i++)
			;
	}
	close(fd);
	return NULL;
}

static void refuse(int fd)
{
	pthread_t t;
	pthread_attr_t a;
	pthread_attr_init(&a);
	pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED);
	if (pthread_create(&t, &a, refuse_main, (void *)(intptr_t)fd) != 0)
		close(fd);
	pthread_attr_destroy(&a);
}

static int started(struct serve *srv, bool *http_up)
{
	struct ward_error e = {0};
	if (*http_up)
		return 0;
	if (http_start(srv, &e) < 0) {
		serve_log("%s", e.msg);
		return -1;
	}
	*http_up = true;
	return 0;
}

static void handle(struct serve *srv, int fd, bool *http_up)
{
	struct ucred uc;
	socklen_t len = sizeof(uc);
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &uc, &len) < 0) {
		close(fd);
		return;
	}
	if (uc.uid == geteuid()) {
		if (started(srv, http_up) < 0 || http_add_connection(fd) < 0)
			serve_log("a connection could not be served");
		return;
	}
	if (geteuid() != 0) {
		refuse(fd);
		return;
	}
	uidserver_pass(srv, uc.uid, fd);
}

/* In-flight requests finish (for a few seconds) before the process goes. */
static int drain(struct listener *l)
{
	listen_close(l);
	uidserver_stop_all();
	for (int i = 0; i < 100 && http_open_connections() > 0; i++)
		usleep(100 * 1000);
	fflush(NULL);
	_exit(0); /* threads blocked in a stream must not hold the exit */
}

int accept_loop(struct serve *srv, struct listener *l, long idle_timeout)
{
	bool http_up = false;
	time_t last = now();
	install_signals();
	while (!stop_sig) {
		struct pollfd p = {.fd = l->fd, .events = POLLIN};
		int n = poll(&p, 1, 1000);
		uidserver_reap();
		if (n < 0 && errno != EINTR) {
			serve_log("poll: %s", strerror(errno));
			return 125;
		}
		if (http_open_connections() > 0 || uidserver_count() > 0)
			last = now();
		if (n <= 0) {
			if (idle_timeout > 0 && now() - last >= idle_timeout) {
				serve_log("idle for %ld s: exiting", idle_timeout);
				listen_close(l);
				fflush(NULL);
				_exit(0);
			}
			continue;
		}
		int fd = accept4(l->fd, NULL, NULL, SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno != EINTR && errno != EAGAIN && errno != ECONNABORTED)
				serve_log("accept: %s", strerror(errno));
			if (errno == EMFILE || errno == ENFILE)
				usleep(100 * 1000);
			continue;
		}
		last = now();
		handle(srv, fd, &http_up);
	}
	return drain(l);
}
