/* api_worker: work that forks runs in a child process of its own, so that what it forks (a
 * sandbox's supervisor) is never the server's child, and never inherits other clients'
 * sockets. The result crosses back once, as JSON on a pipe. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "context.h"

static void close_others(int a, int b)
{
	if (a > b) {
		int t = a;
		a = b;
		b = t;
	}
	unsigned lo = 3;
	int keep[2] = {a, b};
	for (int i = 0; i < 2; i++) {
		if (keep[i] < 3 || (unsigned)keep[i] < lo)
			continue;
		if ((unsigned)keep[i] > lo)
			close_range(lo, (unsigned)keep[i] - 1, 0);
		lo = (unsigned)keep[i] + 1;
	}
	close_range(lo, ~0u, 0);
}

static void write_result(int fd, json_t *j)
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
	for (size_t off = 0, n = strlen(s); off < n;) {
		ssize_t w = write(fd, s + off, n - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			break;
		off += (size_t)w;
	}
	free(s);
}

static void __attribute__((noreturn))
child(struct serve *parent, api_worker_fn fn, json_t *in, int res, int progress_fd)
{
	close_others(res, progress_fd);
	signal(SIGCHLD, SIG_DFL);
	signal(SIGPIPE, SIG_DFL);
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	struct serve s = *parent;
	struct ward_error e = {0};
	json_t *out = NULL;
	int rc = serve_open(&s, &e);
	if (rc == 0)
		rc = fn(&s, in, &out, progress_fd, &e);
	if (rc < 0) {
		json_decref(out);
		write_result(res, json_pack("{s:s,s:i}", "error", e.msg[0] ? e.msg : "failed",
		                            "errno", e.err));
	} else {
		write_result(res, json_pack("{s:o?}", "ok", out));
	}
	_exit(0);
}

/* The result line (up to its newline, or EOF when the worker died). */
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
		bool end = n <= 0 || memchr(buf + len, '\n', (size_t)n);
		len += n > 0 ? (size_t)n : 0;
		if (end) {
			buf[len] = '\0';
			return buf;
		}
	}
	free(buf);
	return NULL;
}

static int result(const char *text, int status, json_t **out, struct ward_error *e)
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
	} else if (WIFSIGNALED(status)) {
		ward_error_set(e, 0, "worker: killed by signal %d", WTERMSIG(status));
	} else {
		ward_error_set(e, 0, "worker: ended without a result (status %d)",
		               WIFEXITED(status) ? WEXITSTATUS(status) : -1);
	}
	json_decref(j);
	return rc;
}

int api_worker(struct serve *srv, api_worker_fn fn, json_t *in, json_t **out, int progress_fd,
               struct ward_error *e)
{
	int p[2];
	*out = NULL;
	if (pipe2(p, O_CLOEXEC) < 0)
		return ward_error_set(e, errno, "worker: pipe");
	pid_t pid = fork();
	if (pid < 0) {
		int err = errno;
		close(p[0]);
		close(p[1]);
		return ward_error_set(e, err, "worker: fork");
	}
	if (pid == 0) {
		close(p[0]);
		child(srv, fn, in, p[1], progress_fd);
	}
	close(p[1]);
	char *text = read_line(p[0]);
	close(p[0]);
	int status = 0;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	int rc = result(text, status, out, e);
	free(text);
	return rc;
}
