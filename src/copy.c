/* Copying files and trees for ward cp / read / write: holes stay holes, hard links within
 * one copy stay links (out of a sandbox), a byte budget bounds what a copy writes, and a
 * name the workload may control is opened O_PATH and judged before any real open. */
#include <dirent.h>
#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "copy.h"
#include "sys.h"

#define IN_ROOT (RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS)

int copy_in_root(int rootfd, const char *path, int flags)
{
	/* openat2 refuses O_PATH with any flag an O_PATH open ignores */
	flags |= flags & O_PATH ? O_CLOEXEC : O_NOCTTY | O_CLOEXEC;
	return sys_openat2(rootfd, path, (uint64_t)flags, IN_ROOT);
}

const char *copy_kind(mode_t mode)
{
	switch (mode & S_IFMT) {
	case S_IFCHR:
		return "a character device";
	case S_IFBLK:
		return "a block device";
	case S_IFIFO:
		return "a fifo";
	case S_IFSOCK:
		return "a socket";
	default:
		return NULL;
	}
}

int copy_reopen(int pathfd, struct stat *st, const char *what, struct ward_error *e)
{
	autoclose int fd = pathfd;
	if (fd < 0 || fstat(fd, st) < 0)
		return ward_error_set(e, errno, "%s", what);
	const char *kind = copy_kind(st->st_mode);
	if (kind || S_ISLNK(st->st_mode)) {
		return ward_error_set(e, 0, "%s: %s; only files and directories are copied", what,
		                      kind ? kind : "a symlink");
	}
	char self[64];
	snprintf(self, sizeof(self), "/proc/self/fd/%d", fd);
	/* O_NONBLOCK: a lease the workload holds on the file fails the open instead of
	 * stalling it */
	int flags =
	    O_RDONLY | O_NOCTTY | O_NONBLOCK | O_CLOEXEC | (S_ISDIR(st->st_mode) ? O_DIRECTORY : 0);
	int real = open(self, flags);
	if (real >= 0)
		fcntl(real, F_SETFL, O_RDONLY);
	struct stat now;
	if (real < 0 || fstat(real, &now) < 0 || now.st_ino != st->st_ino ||
	    now.st_dev != st->st_dev) {
		ward_error_set(e, real < 0 ? errno : EIO, "%s", what);
		if (real >= 0)
			close(real);
		return -1;
	}
	return real;
}

void copy_temp_name(char out[40])
{
	uint64_t r = 0;
	if (getrandom(&r, sizeof(r), 0) != sizeof(r))
		r ^= (uint64_t)getpid() << 32 ^ (uint64_t)(uintptr_t)&r;
	snprintf(out, 40, ".ward-%016llx", (unsigned long long)r);
}

int copy_temp_file(int dir, char tmp[40], const char *what, struct ward_error *e)
{
	copy_temp_name(tmp);
	int fd =
	    openat(dir, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC, 0600);
	if (fd < 0)
		ward_error_set(e, errno, "%s: creating it", what);
	return fd;
}

void copy_format_size(uint64_t n, char *out, size_t len)
{
	static const char units[] = "kmgt"; /* as far as the size grammar goes */
	int u = -1;
	while (n && n % 1024 == 0 && u < 3) {
		n /= 1024;
		u++;
	}
	if (u < 0)
		snprintf(out, len, "%llu", (unsigned long long)n);
	else
		snprintf(out, len, "%llu%c", (unsigned long long)n, units[u]);
}

/* The first LIMIT bytes of IN (holes read as zeros) to OUT. */
int copy_stream(int in, int out, uint64_t limit, const char *what, struct ward_error *e)
{
	char buf[1 << 16];
	for (uint64_t done = 0; done < limit;) {
		size_t want = limit - done < sizeof(buf) ? (size_t)(limit - done) : sizeof(buf);
		ssize_t n = read(in, buf, want);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return ward_error_set(e, errno, "%s: reading", what);
		if (n == 0)
			break;
		if (write_all(out, buf, (size_t)n) < 0)
			return ward_error_set(e, errno, "%s: writing", what);
		done += (uint64_t)n;
	}
	return 0;
}

static int over_budget(struct copy *c, uint64_t n, const char *what, struct ward_error *e)
{
	if (n <= c->max - c->done) {
		c->done += n;
		return 0;
	}
	char cap[32];
	copy_format_size(c->max, cap, sizeof(cap));
	return ward_error_set(
	    e, EFBIG, "%s: the copy would pass --max-bytes %s; nothing was copied", what, cap);
}

/* Bytes [from, to) of IN at the same offsets of OUT. */
static int copy_range(struct copy *c, int in, int out, off_t from, off_t to, const char *what,
                      struct ward_error *e)
{
	char buf[1 << 16];
	while (from < to) {
		size_t want = (size_t)(to - from) < sizeof(buf) ? (size_t)(to - from) : sizeof(buf);
		ssize_t n = pread(in, buf, want, from);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return ward_error_set(e, errno, "%s: reading", what);
		if (n == 0)
			return 1; /* it shrank: the rest reads as a hole */
		if (over_budget(c, (uint64_t)n, what, e) < 0)
			return -1;
		for (ssize_t done = 0, w; done < n; done += w) {
			w = pwrite(out, buf + done, (size_t)(n - done), from + done);
			if (w < 0 && errno == EINTR) {
				w = 0;
				continue;
			}
			if (w <= 0)
				return ward_error_set(e, w < 0 ? errno : EIO, "%s: writing", what);
		}
		from += n;
	}
	return 0;
}

/* The data extents of IN's first SIZE bytes to OUT; holes are left as holes. */
static int copy_data(struct copy *c, int in, int out, off_t size, const char *what,
                     struct ward_error *e)
{
	for (off_t off = 0; off < size;) {
		off_t data = lseek(in, off, SEEK_DATA);
		if (data < 0 && errno == ENXIO)
			break; /* a hole up to the end */
		if (data < 0)
			data = off; /* no hole support: all of it is data */
		if (data >= size)
			break;
		off_t hole = lseek(in, data, SEEK_HOLE);
		if (hole < 0 || hole > size)
			hole = size;
		int rc = copy_range(c, in, out, data, hole, what, e);
		if (rc < 0)
			return -1;
		if (rc > 0)
			break;
		off = hole;
	}
	if (ftruncate(out, size) < 0)
		return ward_error_set(e, errno, "%s: setting its size", what);
	return 0;
}

static unsigned final_mode(const struct copy *c, const struct stat *st)
{
	unsigned mode = st->st_mode & 01777; /* never setuid or setgid */
	return c->to_host ? mode & ~(unsigned)c->umask & ~(unsigned)S_IWOTH : mode;
}

/* A new file next to NAME in DIR, renamed over NAME once complete. */
static int write_file(struct copy *c, int src, const struct stat *st, int dir, const char *name,
                      const char *what, struct ward_error *e)
{
	char tmp[40];
	autoclose int fd = copy_temp_file(dir, tmp, what, e);
	if (fd < 0)
		return -1;
	/* no further than the size seen at open: a file that keeps growing still ends */
	if (copy_data(c, src, fd, st->st_size, what, e) < 0)
		goto fail;
	if (fchmod(fd, final_mode(c, st)) < 0 || renameat(dir, tmp, dir, name) < 0) {
		ward_error_set(e, errno, "%s", what);
		goto fail;
	}
	return 0;
fail:
	unlinkat(dir, tmp, 0);
	return -1;
}

int copy_make_dir(int dir, const char *name, unsigned mode, bool *made, const char *what,
                  struct ward_error *e)
{
	bool new = mkdirat(dir, name, (mode & 01777) | 0700) == 0;
	if (!new &&errno != EEXIST)
		return ward_error_set(e, errno, "%s", what);
	if (made)
		*made = new;
	int fd = openat(dir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		ward_error_set(e, errno == ELOOP ? ENOTDIR : errno, "%s", what);
	return fd;
}

static int make_link(int dir, const char *name, int linkfd, const char *what, struct ward_error *e)
{
	char target[4097];
	ssize_t len = readlinkat(linkfd, "", target, sizeof(target) - 1);
	if (len < 0)
		return 0; /* gone meanwhile */
	target[len] = 0;
	if (symlinkat(target, dir, name) == 0)
		return 0;
	if (errno == EEXIST && unlinkat(dir, name, 0) == 0 && symlinkat(target, dir, name) == 0)
		return 0;
	return ward_error_set(e, errno, "%s", what);
}

/* A second name of a file this copy has made already: linked, not copied again. */
static int linked(struct copy *c, const struct stat *st, int ddir, const char *dname,
                  const char *rel)
{
	if (!c->links || c->top < 0 || !rel || S_ISDIR(st->st_mode) || st->st_nlink < 2)
		return 0;
	const char *first = copy_links_find(c->links, st->st_dev, st->st_ino);
	if (first && linkat(c->top, first, ddir, dname, 0) == 0)
		return 1;
	if (!first)
		copy_links_add(c->links, st->st_dev, st->st_ino, rel);
	return 0;
}

static void skipped(const struct copy *c, const char *what, const char *why)
{
	if (c->o && c->o->skipped)
		c->o->skipped(what, why, c->o->arg);
}

/* One entry NAME of the open directory SRC into the open directory DST. */
static int copy_child(struct copy *c, int src, int dst, const char *name, const char *what,
                      const char *rel, int depth, struct ward_error *e)
{
	autoclose int pathfd = openat(src, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	struct stat st;
	/* gone meanwhile: skipped; out of fds or memory: the copy fails */
	if (pathfd < 0 && errno == ENOENT)
		return 0;
	if (pathfd < 0 || fstat(pathfd, &st) < 0)
		return ward_error_set(e, errno, "%s", what);
	if (S_ISLNK(st.st_mode))
		return make_link(dst, name, pathfd, what, e);
	const char *kind = copy_kind(st.st_mode);
	if (kind) {
		skipped(c, what, kind);
		return 0;
	}
	autoclose int fd = copy_reopen(take_fd(&pathfd), &st, what, e);
	if (fd < 0 && (e->err == EACCES || e->err == EPERM)) {
		/* rootless: another container user's file; said, and the rest goes on */
		skipped(c, what, "not readable by the caller");
		return 0;
	}
	if (fd < 0)
		return -1;
	return copy_entry(c, fd, &st, dst, name, what, rel, depth, e);
}

/* Every entry of the open directory SRC into the open directory DST. */
static int copy_children(struct copy *c, int src, int dst, const char *what, const char *rel,
                         int depth, struct ward_error *e)
{
	enum { LEN = 4200 };
	/* on the heap: 256 levels of these would take a small stack */
	autofree char *sub = malloc(LEN);
	autofree char *subrel = malloc(LEN);
	if (!sub || !subrel)
		return ward_error_set(e, ENOMEM, "%s", what);
	int fd = fcntl(src, F_DUPFD_CLOEXEC, 0);
	DIR *d = fd < 0 ? NULL : fdopendir(fd);
	if (!d) {
		ward_error_set(e, errno, "%s", what);
		if (fd >= 0)
			close(fd);
		return -1;
	}
	int rc = 0;
	struct dirent *de;
	while (rc == 0 && (de = readdir(d))) {
		const char *n = de->d_name;
		if (!strcmp(n, ".") || !strcmp(n, ".."))
			continue;
		snprintf(sub, LEN, "%s/%s", what, n);
		/* a path too long to keep is no link's target (a cut one could name another) */
		const char *r = NULL;
		if (rel && snprintf(subrel, LEN, "%s%s%s", rel, *rel ? "/" : "", n) < LEN)
			r = subrel;
		rc = copy_child(c, src, dst, n, sub, r, depth, e);
	}
	closedir(d);
	return rc;
}

int copy_entry(struct copy *c, int src, const struct stat *st, int ddir, const char *dname,
               const char *what, const char *rel, int depth, struct ward_error *e)
{
	if (S_ISREG(st->st_mode))
		return linked(c, st, ddir, dname, rel)
		           ? 0
		           : write_file(c, src, st, ddir, dname, what, e);
	if (!S_ISDIR(st->st_mode))
		return 0;
	if (depth >= COPY_MAX_DEPTH)
		return ward_error_set(e, 0, "%s: more than %d directories deep", what,
		                      COPY_MAX_DEPTH);
	bool made;
	autoclose int dst = copy_make_dir(ddir, dname, 0700, &made, what, e);
	if (dst < 0 || copy_children(c, src, dst, what, rel, depth + 1, e) < 0)
		return -1;
	/* the final mode once filled (a read-only directory could not have been); one that was
	 * there already keeps its own */
	if (made && fchmod(dst, final_mode(c, st)) < 0)
		return ward_error_set(e, errno, "%s", what);
	return 0;
}

int copy_split_path(const char *path, char *dir, size_t dlen, char *name, size_t nlen)
{
	char a[4096], b[4096];
	if (snprintf(a, sizeof(a), "%s", path) >= (int)sizeof(a))
		return -1;
	memcpy(b, a, sizeof(a));
	const char *base = basename(a);
	if (!*base || !strcmp(base, "/") || !strcmp(base, ".") || !strcmp(base, ".."))
		return -1;
	if (snprintf(name, nlen, "%s", base) >= (int)nlen)
		return -1;
	snprintf(dir, dlen, "%s", dirname(b));
	return 0;
}
