/* The link walk of tree_link.h. Everything goes through directory fds opened with
 * O_NOFOLLOW, and non-directories are linked with linkat(..., 0): a symlink is linked as
 * itself, never followed. */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>

#include "sys.h"
#include "tree_link.h"
#include "unpack.h"

struct walk {
	struct dirtimes *times;
	struct ward_error *e;
	char path[PATH_MAX + NAME_MAX + 2]; /* the entry at hand, relative to the root */
};

static int fail(struct walk *w, const char *what)
{
	return ward_error_set(w->e, errno, "linking the parent tree: '%s': %s",
	                      *w->path ? w->path : "/", what);
}

/* The attributes an unpack keeps (everything else was dropped on the way in). */
static int copy_xattrs(int from, int to)
{
	char names[65536];
	ssize_t len = flistxattr(from, names, sizeof(names));
	if (len < 0)
		return errno == ENOTSUP ? 0 : -1;
	for (ssize_t off = 0; off < len; off += (ssize_t)strlen(names + off) + 1) {
		const char *name = names + off;
		char value[65536];
		if (!unpack_xattr_allowed(name))
			continue;
		ssize_t n = fgetxattr(from, name, value, sizeof(value));
		if (n < 0 || fsetxattr(to, name, value, (size_t)n, 0) < 0)
			return -1;
	}
	return 0;
}

/* Owner, attributes, then mode (a chown clears set-id bits). */
static int copy_meta(int from, int to, const struct stat *st)
{
	if (fchown(to, st->st_uid, st->st_gid) < 0 || copy_xattrs(from, to) < 0 ||
	    fchmod(to, st->st_mode & 07777) < 0)
		return -1;
	return 0;
}

static int copy_data(int in, int out)
{
	char buf[1 << 16];
	for (;;) {
		ssize_t n = read(in, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return (int)n;
		if (write_all(out, buf, (size_t)n) < 0)
			return -1;
	}
}

/* The fallback when a link is refused (too many links to one inode, another
 * filesystem): a new entry with the same content and metadata. */
static int copy_entry(int sdir, int ddir, const char *name, const struct stat *st)
{
	struct timespec ts[2] = {st->st_atim, st->st_mtim};
	if (S_ISREG(st->st_mode)) {
		autoclose int in = openat(sdir, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
		autoclose int out =
		    in < 0 ? -1
		           : openat(ddir, name,
		                    O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (out < 0 || copy_data(in, out) < 0 || copy_meta(in, out, st) < 0 ||
		    futimens(out, ts) < 0)
			return -1;
		return 0;
	}
	if (S_ISLNK(st->st_mode)) {
		char target[PATH_MAX + 1];
		ssize_t n = readlinkat(sdir, name, target, sizeof(target) - 1);
		if (n < 0)
			return -1;
		target[n] = 0;
		if (symlinkat(target, ddir, name) < 0)
			return -1;
	} else if (S_ISFIFO(st->st_mode)) {
		if (mkfifoat(ddir, name, 0600) < 0 ||
		    fchmodat(ddir, name, st->st_mode & 07777, 0) < 0)
			return -1;
	} else {
		return 0; /* nothing else is ever unpacked */
	}
	if (fchownat(ddir, name, st->st_uid, st->st_gid, AT_SYMLINK_NOFOLLOW) < 0 ||
	    utimensat(ddir, name, ts, AT_SYMLINK_NOFOLLOW) < 0)
		return -1;
	return 0;
}

static int walk_dir(struct walk *w, int sdir, int ddir, size_t len);

static int link_entry(struct walk *w, int sdir, int ddir, const char *name, size_t len)
{
	size_t nlen = strlen(name);
	if (len + 1 + nlen >= sizeof(w->path)) {
		errno = ENAMETOOLONG;
		return fail(w, "path too long");
	}
	size_t end = len;
	if (len)
		w->path[end++] = '/';
	memcpy(w->path + end, name, nlen + 1);
	end += nlen;
	struct stat st;
	if (fstatat(sdir, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return fail(w, "reading");
	if (!S_ISDIR(st.st_mode)) {
		if (linkat(sdir, name, ddir, name, 0) == 0)
			return 0;
		if (errno != EMLINK && errno != EXDEV && errno != EPERM)
			return fail(w, "linking");
		return copy_entry(sdir, ddir, name, &st) < 0 ? fail(w, "copying") : 0;
	}
	if (mkdirat(ddir, name, 0700) < 0)
		return fail(w, "creating the directory");
	autoclose int s = openat(sdir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	autoclose int d = openat(ddir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (s < 0 || d < 0)
		return fail(w, "opening the directory");
	if (walk_dir(w, s, d, end) < 0)
		return -1;
	w->path[end] = 0;
	if (copy_meta(s, d, &st) < 0)
		return fail(w, "copying the directory's owner, mode or attributes");
	if (dirtimes_add(w->times, w->path, st.st_mtim) < 0) {
		errno = ENOMEM;
		return fail(w, "remembering its time");
	}
	return 0;
}

static int walk_dir(struct walk *w, int sdir, int ddir, size_t len)
{
	/* A new open file description: the walk's offset is its own. */
	int fd = openat(sdir, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d = fd < 0 ? NULL : fdopendir(fd);
	if (!d) {
		if (fd >= 0)
			close(fd);
		w->path[len] = 0;
		return fail(w, "listing the directory");
	}
	int rc = 0;
	for (;;) {
		errno = 0;
		struct dirent *de = readdir(d);
		if (!de) {
			if (errno) {
				w->path[len] = 0;
				rc = fail(w, "listing the directory");
			}
			break;
		}
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if ((rc = link_entry(w, sdir, ddir, de->d_name, len)) < 0)
			break;
	}
	closedir(d);
	return rc;
}

int tree_link(int src, int dst, struct dirtimes *times, struct ward_error *e)
{
	struct walk *w = calloc(1, sizeof(*w));
	if (!w)
		return ward_error_set(e, ENOMEM, "linking the parent tree");
	*w = (struct walk){.times = times, .e = e};
	struct stat st;
	int rc = walk_dir(w, src, dst, 0);
	w->path[0] = 0;
	if (rc == 0 && (fstat(src, &st) < 0 || copy_meta(src, dst, &st) < 0))
		rc = fail(w, "copying the root's owner, mode or attributes");
	if (rc == 0 && dirtimes_add(times, "", st.st_mtim) < 0) {
		errno = ENOMEM;
		rc = fail(w, "remembering its time");
	}
	free(w);
	return rc;
}
