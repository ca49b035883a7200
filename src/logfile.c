/* The sandbox log's records (format in logfile.h): the supervisor's relay from the pipes,
 * rotation, and reading records back. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "logfile.h"

struct header {
	uint64_t time_ns;
	uint32_t len;
	uint8_t stream, flags;
	uint16_t magic;
};
_Static_assert(sizeof(struct header) == 16, "log record header");

static int open_log(struct log_relay *lr)
{
	lr->fd = openat(lr->dirfd, LOG_FILE, O_WRONLY | O_CREAT | O_APPEND | O_NOFOLLOW | O_CLOEXEC,
	                0600);
	struct stat sb;
	lr->size = lr->fd >= 0 && fstat(lr->fd, &sb) == 0 ? (uint64_t)sb.st_size : 0;
	return lr->fd;
}

static int64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void append(struct log_relay *lr, int stream, bool partial, int64_t t, const char *data,
                   size_t len)
{
	char buf[sizeof(struct header) + LOG_RECORD_MAX];
	struct header h = {.time_ns = (uint64_t)t,
	                   .len = (uint32_t)len,
	                   .stream = (uint8_t)stream,
	                   .flags = partial ? LOG_PARTIAL : 0,
	                   .magic = LOG_MAGIC};
	if (lr->fd < 0 || len == 0 || len > LOG_RECORD_MAX)
		return;
	if (lr->size > 0 && lr->size + sizeof(h) + len > LOG_FILE_MAX) {
		/* the newest 2 * LOG_FILE_MAX bytes stay: readers go on from log.1 to log */
		renameat(lr->dirfd, LOG_FILE, lr->dirfd, LOG_FILE_OLD);
		close(lr->fd);
		if (open_log(lr) < 0)
			return;
	}
	memcpy(buf, &h, sizeof(h));
	memcpy(buf + sizeof(h), data, len);
	ssize_t n;
	while ((n = write(lr->fd, buf, sizeof(h) + len)) < 0 && errno == EINTR)
		;
	if (n > 0)
		lr->size += (uint64_t)n;
}

/* One record per line; what follows the last newline is a partial record. */
static void lines(struct log_relay *lr, int stream, const char *p, size_t n)
{
	int64_t t = now_ns();
	while (n > 0) {
		const char *nl = memchr(p, '\n', n);
		size_t len = nl ? (size_t)(nl - p) + 1 : n;
		append(lr, stream, !nl, t, p, len);
		p += len;
		n -= len;
	}
}

void log_relay_open(struct log_relay *lr, int dirfd)
{
	int out[2] = {-1, -1}, err[2] = {-1, -1};
	*lr = (struct log_relay){.dirfd = dirfd, .fd = -1, .pipe = {-1, -1}};
	if (pipe2(out, O_CLOEXEC | O_NONBLOCK) < 0 || pipe2(err, O_CLOEXEC | O_NONBLOCK) < 0 ||
	    open_log(lr) < 0) {
		for (int i = 0; i < 2; i++) {
			if (out[i] >= 0)
				close(out[i]);
			if (err[i] >= 0)
				close(err[i]);
		}
		if (lr->fd >= 0)
			close(lr->fd);
		lr->fd = -1;
		return;
	}
	/* the writers block as a terminal would when the supervisor falls behind */
	fcntl(out[1], F_SETFL, 0);
	fcntl(err[1], F_SETFL, 0);
	dup2(out[1], 1);
	dup2(err[1], 2);
	close(out[1]);
	close(err[1]);
	lr->pipe[0] = out[0];
	lr->pipe[1] = err[0];
}

void log_relay_read(struct log_relay *lr, int stream)
{
	char buf[LOG_RECORD_MAX];
	int fd = lr->pipe[stream - 1];
	/* a bounded number of reads per wake-up: the control socket must not starve */
	for (int i = 0; fd >= 0 && i < 16; i++) {
		ssize_t n = read(fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return;
		log_relay_write(lr, stream, buf, (size_t)n);
	}
}

void log_relay_write(struct log_relay *lr, int stream, const char *data, size_t len)
{
	lines(lr, stream, data, len);
	if (lr->tap)
		lr->tap(lr->tap_arg, stream, data, len);
}

void log_relay_note(struct log_relay *lr, const char *text)
{
	if (lr->fd >= 0)
		lines(lr, 2, text, strnlen(text, LOG_RECORD_MAX));
	else
		fputs(text, stderr);
}

void log_relay_flush(struct log_relay *lr)
{
	char buf[LOG_RECORD_MAX];
	for (int s = 0; s < 2; s++) {
		ssize_t n;
		while (lr->pipe[s] >= 0 &&
		       ((n = read(lr->pipe[s], buf, sizeof(buf))) > 0 || (n < 0 && errno == EINTR)))
			if (n > 0)
				log_relay_write(lr, s + 1, buf, (size_t)n);
	}
}

void log_relay_detach(struct log_relay *lr)
{
	if (lr->pipe[0] < 0)
		return;
	log_relay_flush(lr);
	int null = open("/dev/null", O_WRONLY | O_CLOEXEC);
	if (null >= 0) {
		dup2(null, 1);
		dup2(null, 2);
		close(null);
	}
}

void log_relay_close(struct log_relay *lr)
{
	log_relay_flush(lr);
	for (int s = 0; s < 2; s++)
		if (lr->pipe[s] >= 0)
			close(lr->pipe[s]);
	if (lr->fd >= 0)
		close(lr->fd);
	lr->pipe[0] = lr->pipe[1] = lr->fd = -1;
}

#define READ_BUF (4 * (sizeof(struct header) + LOG_RECORD_MAX))

static int each(char *buf, int fd, off_t *off, int (*fn)(const struct log_record *, void *),
                void *arg)
{
	size_t have = 0, pos = 0;
	off_t base = *off; /* file offset of buf[0] */
	for (;;) {
		if (have - pos < sizeof(struct header) + LOG_RECORD_MAX) {
			/* keep the unparsed tail, refill behind it */
			memmove(buf, buf + pos, have - pos);
			base += (off_t)pos;
			have -= pos;
			pos = 0;
			ssize_t n = pread(fd, buf + have, READ_BUF - have, base + (off_t)have);
			if (n < 0 && errno == EINTR)
				continue;
			if (n < 0)
				return -1;
			have += (size_t)n;
		}
		struct header h;
		if (have - pos < sizeof(h))
			return 0;
		memcpy(&h, buf + pos, sizeof(h));
		if (h.magic != LOG_MAGIC || (h.stream != 1 && h.stream != 2) || h.len == 0 ||
		    h.len > LOG_RECORD_MAX) {
			errno = EBADMSG;
			return -1;
		}
		if (have - pos < sizeof(h) + h.len)
			return 0; /* being written */
		struct log_record r = {.time_ns = (int64_t)h.time_ns,
		                       .stream = h.stream,
		                       .partial = h.flags & LOG_PARTIAL,
		                       .len = h.len,
		                       .data = buf + pos + sizeof(h)};
		pos += sizeof(h) + h.len;
		*off = base + (off_t)pos;
		int rc = fn(&r, arg);
		if (rc)
			return rc;
	}
}

int log_each(int fd, off_t *off, int (*fn)(const struct log_record *, void *), void *arg)
{
	char *buf = malloc(READ_BUF);
	if (!buf)
		return -1;
	int rc = each(buf, fd, off, fn, arg);
	int err = errno;
	free(buf);
	errno = err;
	return rc;
}
