/* The progress relay of progress.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "progress.h"

/* The end of the relay's input: written by the caller once the helper has exited, since a
 * process forked meanwhile by another thread may hold the pipe open and EOF never come. */
#define END_MARK "\x04"

static void *relay(void *arg)
{
	struct progress_relay *r = arg;
	char buf[512];
	size_t len = 0;
	bool done = false;
	sem_post(&r->ready);
	while (!done) {
		ssize_t n = read(r->rfd, buf + len, sizeof(buf) - 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
		buf[len] = 0;
		/* Only the last complete line of a batch matters: the others are out of date. */
		const char *last = NULL;
		char *line = buf, *nl;
		while (!done && (nl = strchr(line, '\n'))) {
			*nl = 0;
			if (!strcmp(line, END_MARK))
				done = true;
			else
				last = line;
			line = nl + 1;
		}
		if (last)
			context_log(r->ctx, WARD_LOG_PROGRESS, "%s", last);
		len -= (size_t)(line - buf);
		memmove(buf, line, len);
		if (len == sizeof(buf) - 1)
			len = 0; /* a line too long to be ours */
	}
	return NULL;
}

void progress_relay_start(struct progress_relay *r, const struct ward_context *c)
{
	int p[2];
	*r = (struct progress_relay){.ctx = c, .rfd = -1, .wfd = -1};
	if (!c || !c->log || pipe2(p, O_CLOEXEC) < 0)
		return;
	r->rfd = p[0];
	r->wfd = p[1];
	fcntl(r->wfd, F_SETFL, O_NONBLOCK); /* a slow log never holds up the helper */
	if (sem_init(&r->ready, 0, 0) < 0 || pthread_create(&r->thread, NULL, relay, r) != 0) {
		close(p[0]);
		close(p[1]);
		r->rfd = r->wfd = -1;
		return;
	}
	/* The caller forks next: the thread must be past its start (where it allocates, and a
	 * sanitizer's allocator would stay locked in the child) and waiting in read(). */
	while (sem_wait(&r->ready) < 0 && errno == EINTR)
		;
	r->running = true;
}

void progress_send(int wfd, const char *fmt, ...)
{
	if (wfd < 0)
		return;
	char line[256];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(line, sizeof(line) - 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n > sizeof(line) - 2)
		n = sizeof(line) - 2;
	line[n++] = '\n';
	/* One write under PIPE_BUF: lines never interleave; a full pipe drops the update. */
	if (write(wfd, line, (size_t)n) < 0)
		return;
}

void progress_relay_stop(struct progress_relay *r)
{
	if (!r->running)
		return;
	/* Every helper has exited: the mark comes after all they wrote. */
	fcntl(r->wfd, F_SETFL, 0);
	if (write(r->wfd, END_MARK "\n", 2) != 2) {
		close(r->wfd); /* then only EOF ends it */
		r->wfd = -1;
	}
	pthread_join(r->thread, NULL);
	if (r->wfd >= 0)
		close(r->wfd);
	close(r->rfd);
	sem_destroy(&r->ready);
	r->running = false;
	context_log(r->ctx, WARD_LOG_PROGRESS, "%s", "");
}
