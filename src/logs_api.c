/* ward_sandbox_logs: the sandbox's log records (logfile.h) back as its stdout and stderr,
 * filtered by time and count, optionally timestamped, and followed until it stops: inotify
 * on its directory says when records come, a "wait" on its supervisor when it has ended. */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <time.h>

#include "logfile.h"
#include "sandbox.h"
#include "sys.h"

struct emit {
	const struct ward_log_opts *o;
	int fd[2];
	int64_t since_ns;
	long skip;    /* lines to leave out (--tail) */
	long lines;   /* lines begun so far (from since_ns on) */
	bool mid[2];  /* the stream's last record did not end its line: no timestamp */
	bool show[2]; /* whether the stream's current line is written */
	bool write_failed;
};

/* Lines from since_ns on, counted where they begin: a record after a partial one of its
 * stream continues that line. */
static int count(const struct log_record *r, void *arg)
{
	struct emit *m = arg;
	if (r->time_ns >= m->since_ns) {
		m->lines += !m->mid[r->stream - 1];
		m->mid[r->stream - 1] = r->partial;
	}
	return 0;
}

static int emit(const struct log_record *r, void *arg)
{
	struct emit *m = arg;
	int s = r->stream - 1;
	if (r->time_ns < m->since_ns)
		return 0;
	bool stamp = m->o->timestamps && !m->mid[s];
	if (!m->mid[s])
		m->show[s] = m->lines++ >= m->skip;
	m->mid[s] = r->partial;
	if (!m->show[s])
		return 0;
	if (stamp) {
		char ts[48];
		struct tm tm;
		time_t sec = (time_t)(r->time_ns / 1000000000);
		gmtime_r(&sec, &tm);
		size_t k = strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%S", &tm);
		snprintf(ts + k, sizeof(ts) - k, ".%09ldZ ", (long)(r->time_ns % 1000000000));
		if (write_all(m->fd[s], ts, strlen(ts)) < 0)
			goto failed;
	}
	if (write_all(m->fd[s], r->data, r->len) == 0)
		return 0;
failed:
	m->write_failed = true;
	return -1;
}

/* FILE of the sandbox's directory through FN from *OFF; a file not there has no records. */
static int read_file(int dirfd, const char *file, off_t *off, int *keep,
                     int (*fn)(const struct log_record *, void *), struct emit *m)
{
	int fd = openat(dirfd, file, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? 0 : -1;
	int rc = log_each(fd, off, fn, m);
	int err = errno;
	if (keep && rc == 0)
		*keep = fd;
	else
		close(fd);
	errno = err;
	return rc;
}

/* What the follower holds: the current log file, where it got to. */
struct cursor {
	int fd;
	off_t off;
};

/* New records; after a rotation, the rest of the old file first, then the new one. */
static int advance(int dirfd, struct cursor *c, struct emit *m)
{
	struct stat now, held;
	if (c->fd >= 0 && log_each(c->fd, &c->off, emit, m) < 0)
		return -1;
	if (fstatat(dirfd, LOG_FILE, &now, AT_SYMLINK_NOFOLLOW) < 0)
		return 0;
	if (c->fd >= 0 && fstat(c->fd, &held) == 0 && held.st_ino == now.st_ino)
		return 0;
	/* what came between the read above and the rename is in the old file still */
	if (c->fd >= 0 && log_each(c->fd, &c->off, emit, m) < 0)
		return -1;
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	c->off = 0;
	return read_file(dirfd, LOG_FILE, &c->off, &c->fd, emit, m);
}

static int follow(int dirfd, int ino, int waitfd, struct cursor *c, struct emit *m)
{
	for (;;) {
		struct pollfd p[2] = {{.fd = ino, .events = POLLIN},
		                      {.fd = waitfd, .events = POLLIN}};
		if (poll(p, 2, -1) < 0 && errno != EINTR)
			return -1;
		if (p[0].revents) {
			char buf[4096];
			while (read(ino, buf, sizeof(buf)) > 0)
				;
		}
		if (advance(dirfd, c, m) < 0)
			return -1;
		/* the supervisor answers a wait only once its last records are written */
		if (p[1].revents)
			return 0;
	}
}

static int logs(struct ward_sandbox *sb, int dirfd, const struct ward_log_opts *o, int out, int err,
                struct ward_error *e)
{
	struct emit m = {.o = o, .fd = {out, err}};
	m.since_ns = o->since_ms > 0 ? o->since_ms * 1000000 : 0;
	int ino = -1, waitfd = -1, rc = -1;
	struct cursor c = {.fd = -1};
	if (o->follow) {
		/* both before the first read, so nothing written meanwhile is missed */
		char path[64];
		snprintf(path, sizeof(path), "/proc/self/fd/%d", dirfd);
		ino = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
		if (ino < 0 ||
		    inotify_add_watch(ino, path, IN_MODIFY | IN_CREATE | IN_MOVED_TO) < 0) {
			ward_error_set(e, errno, "logs %s: watching its log", sb->ref);
			goto out;
		}
		if (sb_wait_conn(sb, &waitfd, e) < 0)
			goto out;
	}
	off_t off = 0;
	if (o->tail >= 0) {
		if (read_file(dirfd, LOG_FILE_OLD, &off, NULL, count, &m) < 0 ||
		    (off = 0, read_file(dirfd, LOG_FILE, &off, NULL, count, &m)) < 0)
			goto fail;
		m.skip = m.lines > o->tail ? m.lines - o->tail : 0;
		m.lines = 0;
		m.mid[0] = m.mid[1] = false;
	}
	off = 0;
	if (read_file(dirfd, LOG_FILE_OLD, &off, NULL, emit, &m) < 0 ||
	    read_file(dirfd, LOG_FILE, &c.off, &c.fd, emit, &m) < 0)
		goto fail;
	if (waitfd >= 0 && follow(dirfd, ino, waitfd, &c, &m) < 0)
		goto fail;
	rc = 0;
	goto out;
fail:;
	int why = errno;
	ward_error_set(e, why, "logs %s: %s", sb->ref,
	               m.write_failed   ? "writing its output"
	               : why == EBADMSG ? "its log is damaged"
	                                : "reading its log");
out:
	if (c.fd >= 0)
		close(c.fd);
	if (ino >= 0)
		close(ino);
	if (waitfd >= 0)
		close(waitfd);
	return rc;
}

int ward_sandbox_logs(struct ward_sandbox *sb, const struct ward_log_opts *o, int out, int err,
                      struct ward_error *e)
{
	struct state st;
	if (state_open(&st, sb->ctx, e) < 0)
		return -1;
	int dirfd = openat(st.boxes, sb->id, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	int rc = -1;
	if (dirfd < 0 && errno == ENOENT)
		ward_error_set(e, 0, "sandbox %s: no such sandbox (see ward ps --all)", sb->ref);
	else if (dirfd < 0)
		ward_error_set(e, errno, "logs %s", sb->ref);
	else if (state_check_owned(dirfd, "its state directory", e) == 0)
		rc = logs(sb, dirfd, o, out, err, e);
	if (dirfd >= 0)
		close(dirfd);
	state_close(&st);
	return rc;
}
