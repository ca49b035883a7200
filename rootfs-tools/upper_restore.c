/* Saved writable layer → overlayfs upper directory. The tar was written by ward from the
 * sandbox's own upper layer, but its names, link targets and xattrs are the workload's, so
 * it is read like any layer: parents resolved beneath UPPER without following a symlink,
 * the last component made with *at() calls that never follow it, metadata set on fds. */
#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>

#include "sys.h"
#include "dirtimes.h"
#include "upper_restore.h"

#define RESOLVE_FLAGS                                                                              \
	(RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV)
#define BUF_SIZE (1 << 16)

struct restore {
	int upper;
	int tarfd;
	off_t off;
	char *buf;
	struct dirtimes times; /* directories' times, set last (their children change them) */
};

static ssize_t read_cb(struct archive *a, void *arg, const void **buf)
{
	struct restore *r = arg;
	ssize_t n;
	while ((n = pread(r->tarfd, r->buf, BUF_SIZE, r->off)) < 0 && errno == EINTR)
		;
	if (n < 0) {
		archive_set_error(a, errno, "reading the saved layer");
		return -1;
	}
	r->off += n;
	*buf = r->buf;
	return n;
}

/* A refusal of the input: errno 0, so the message has no strerror part. */
static int refuse(const char **why, const char *msg)
{
	errno = 0;
	*why = msg;
	return -1;
}

/* "a/./b//c" → "a/b/c"; ".." refused. */
static int clean_path(const char *in, char *out, const char **why)
{
	size_t n = 0;
	for (const char *p = in; *p;) {
		while (*p == '/')
			p++;
		const char *end = strchrnul(p, '/');
		size_t len = (size_t)(end - p);
		if (len == 2 && p[0] == '.' && p[1] == '.')
			return refuse(why, "path leaves the layer (..)");
		if (len > NAME_MAX || n + len + 2 > PATH_MAX)
			return refuse(why, "path too long");
		if (len && !(len == 1 && p[0] == '.')) {
			if (n)
				out[n++] = '/';
			memcpy(out + n, p, len);
			n += len;
		}
		p = end;
	}
	out[n] = 0;
	return 0;
}

/* The directory DIR (relative, "" for UPPER itself) as an O_PATH fd. */
static int open_parent(struct restore *r, const char *dir)
{
	return sys_openat2(r->upper, *dir ? dir : ".", O_PATH | O_DIRECTORY | O_CLOEXEC,
	                   RESOLVE_FLAGS);
}

/* user.overlay.* (and trusted.overlay.*) would steer the overlay mounted over this layer. */
static bool own_xattr(const char *name)
{
	return !strncmp(name, "user.overlay.", 13) || !strncmp(name, "trusted.overlay.", 16);
}

static bool full(int err)
{
	return err == ENOSPC || err == EDQUOT;
}

/* Owner, xattrs, then the mode (a chown clears set-id bits). An id the sandbox's maps no
 * longer have leaves container root; an xattr the filesystem refuses is dropped. */
static int set_meta(int fd, struct archive_entry *en, const char **why)
{
	la_int64_t uid = archive_entry_uid(en), gid = archive_entry_gid(en);
	if (uid < 0 || gid < 0 || uid >= UINT32_MAX || gid >= UINT32_MAX)
		return refuse(why, "owner id out of range");
	if (fchown(fd, (uid_t)uid, (gid_t)gid) < 0 && errno != EINVAL)
		return *why = "setting the owner", -1;
	const char *name;
	const void *value;
	size_t size;
	archive_entry_xattr_reset(en);
	while (archive_entry_xattr_next(en, &name, &value, &size) == ARCHIVE_OK)
		if (!own_xattr(name) && fsetxattr(fd, name, value, size, 0) < 0 && full(errno))
			return *why = "setting an extended attribute", -1;
	if (fchmod(fd, archive_entry_perm(en) & 07777) < 0)
		return *why = "setting the mode", -1;
	return 0;
}

static void entry_mtime(struct archive_entry *en, struct timespec ts[2])
{
	ts[0] = ts[1] = (struct timespec){archive_entry_mtime(en), archive_entry_mtime_nsec(en)};
}

static int remember_dir(struct restore *r, const char *path, struct archive_entry *en)
{
	struct timespec ts[2];
	entry_mtime(en, ts);
	return dirtimes_add(&r->times, path, ts[1]);
}

static int add_file(struct archive *a, struct archive_entry *en, int pfd, const char *name,
                    const char **why)
{
	la_int64_t size = archive_entry_size(en);
	if (size < 0)
		return refuse(why, "negative size");
	autoclose int fd =
	    openat(pfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return *why = errno == EEXIST ? "duplicate entry" : "creating the file", -1;
	const void *buf;
	size_t len;
	la_int64_t off;
	int rc;
	while ((rc = archive_read_data_block(a, &buf, &len, &off)) == ARCHIVE_OK) {
		/* no overflow: OFF comes from the workload's sparse map */
		if (off < 0 || (la_int64_t)len > size || off > size - (la_int64_t)len)
			return refuse(why, "data longer than its header says");
		for (size_t done = 0; done < len;) {
			ssize_t w =
			    pwrite(fd, (const char *)buf + done, len - done, off + (off_t)done);
			if (w < 0)
				return *why = "writing", -1;
			done += (size_t)w;
		}
	}
	if (rc != ARCHIVE_EOF)
		return refuse(why, archive_error_string(a) ? archive_error_string(a) : "reading");
	if (ftruncate(fd, size) < 0) /* a sparse file may end in a hole */
		return *why = "writing", -1;
	struct timespec ts[2];
	entry_mtime(en, ts);
	if (set_meta(fd, en, why) < 0)
		return -1;
	return futimens(fd, ts) < 0 ? (*why = "setting times", -1) : 0;
}

static int add_dir(struct restore *r, struct archive_entry *en, int pfd, const char *name,
                   const char *path, const char **why)
{
	struct stat st;
	if (mkdirat(pfd, name, 0700) < 0 &&
	    !(errno == EEXIST && fstatat(pfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
	      S_ISDIR(st.st_mode)))
		return *why = "creating the directory", -1;
	autoclose int fd = openat(pfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return *why = "opening the directory", -1;
	if (set_meta(fd, en, why) < 0)
		return -1;
	return remember_dir(r, path, en) < 0 ? refuse(why, "out of memory") : 0;
}

static int add_hardlink(struct restore *r, struct archive_entry *en, int pfd, const char *name,
                        const char **why)
{
	char target[PATH_MAX];
	if (clean_path(archive_entry_hardlink(en), target, why) < 0)
		return -1;
	char *slash = strrchr(target, '/');
	const char *tname = slash ? slash + 1 : target;
	if (slash)
		*slash = 0;
	autoclose int tpfd = open_parent(r, slash ? target : "");
	struct stat st;
	if (!*tname || tpfd < 0 || fstatat(tpfd, tname, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return refuse(why, "hard link target missing");
	if (S_ISDIR(st.st_mode) || S_ISLNK(st.st_mode))
		return refuse(why, "hard link to a directory or symlink");
	/* flags 0: a final symlink would be linked as itself, and it was just ruled out */
	if (linkat(tpfd, tname, pfd, name, 0) < 0)
		return *why = errno == EEXIST ? "duplicate entry" : "creating the hard link", -1;
	return 0;
}

/* Symlinks and fifos: metadata by name, never following the new entry. */
static int add_other(struct archive_entry *en, int pfd, const char *name, const char **why)
{
	mode_t type = archive_entry_filetype(en);
	if (type == AE_IFLNK) {
		const char *target = archive_entry_symlink(en);
		if (!target || !*target || strlen(target) >= PATH_MAX)
			return refuse(why, "bad symlink target");
		if (symlinkat(target, pfd, name) < 0)
			return *why = errno == EEXIST ? "duplicate entry" : "creating the symlink",
			       -1;
	} else if (type == AE_IFIFO) {
		if (mknodat(pfd, name, S_IFIFO | 0600, 0) < 0)
			return *why = errno == EEXIST ? "duplicate entry" : "creating the fifo", -1;
	} else {
		return 0; /* devices and sockets are never part of a layer */
	}
	la_int64_t uid = archive_entry_uid(en), gid = archive_entry_gid(en);
	if (uid < 0 || gid < 0 || uid >= UINT32_MAX || gid >= UINT32_MAX)
		return refuse(why, "owner id out of range");
	if (fchownat(pfd, name, (uid_t)uid, (gid_t)gid, AT_SYMLINK_NOFOLLOW) < 0 && errno != EINVAL)
		return *why = "setting the owner", -1;
	if (type == AE_IFIFO && fchmodat(pfd, name, archive_entry_perm(en) & 0777, 0) < 0)
		return *why = "setting the mode", -1;
	struct timespec ts[2];
	entry_mtime(en, ts);
	utimensat(pfd, name, ts, AT_SYMLINK_NOFOLLOW);
	return 0;
}

/* .wh.NAME → a whiteout device NAME; .wh..wh..opq → its directory is opaque. */
static int whiteout(int pfd, const char *name, const char **why)
{
	if (!strcmp(name, ".wh..wh..opq")) {
		autoclose int fd = openat(pfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (fd < 0 || fsetxattr(fd, "user.overlay.opaque", "y", 1, 0) < 0)
			return *why = "marking the directory opaque", -1;
		return 0;
	}
	if (!strncmp(name, ".wh..wh.", 8))
		return 0; /* other aufs metadata: meaningless here */
	const char *target = name + 4;
	if (!*target || !strcmp(target, ".") || !strcmp(target, ".."))
		return refuse(why, "malformed whiteout");
	if (mknodat(pfd, target, S_IFCHR | 0, makedev(0, 0)) < 0)
		return *why = errno == EEXIST ? "duplicate entry" : "creating the whiteout", -1;
	return 0;
}

static int apply(struct restore *r, struct archive *a, struct archive_entry *en, const char **why)
{
	char path[PATH_MAX];
	const char *raw = archive_entry_pathname(en);
	if (!raw)
		return refuse(why, "entry without a name");
	if (clean_path(raw, path, why) < 0)
		return -1;
	bool is_dir = archive_entry_filetype(en) == AE_IFDIR && !archive_entry_hardlink(en);
	if (!*path) { /* the layer's root: the upper directory itself */
		if (!is_dir)
			return refuse(why, "refusing to replace the root directory");
		autoclose int fd = openat(r->upper, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (fd < 0 || set_meta(fd, en, why) < 0 || remember_dir(r, "", en) < 0)
			return *why = *why ? *why : "the root directory", -1;
		return 0;
	}
	char *slash = strrchr(path, '/');
	const char *name = slash ? slash + 1 : path;
	char dir[PATH_MAX];
	snprintf(dir, sizeof(dir), "%.*s", slash ? (int)(slash - path) : 0, path);
	/* Parents come before their entries in a layer ward wrote: one missing is refused. */
	autoclose int pfd = open_parent(r, dir);
	if (pfd < 0)
		return *why = errno == ENOENT ? "its directory is not in the layer"
		                              : "resolving its directory",
		       -1;
	if (!strncmp(name, ".wh.", 4))
		return whiteout(pfd, name, why);
	if (archive_entry_hardlink(en))
		return add_hardlink(r, en, pfd, name, why);
	if (is_dir)
		return add_dir(r, en, pfd, name, path, why);
	if (archive_entry_filetype(en) == AE_IFREG)
		return add_file(a, en, pfd, name, why);
	return add_other(en, pfd, name, why);
}

int upper_restore(int upper, int tarfd, struct ward_error *e)
{
	struct restore r = {.upper = upper, .tarfd = tarfd, .buf = malloc(BUF_SIZE)};
	struct archive *a = archive_read_new();
	int rc = 0;
	if (!a || !r.buf) {
		rc = ward_error_set(e, ENOMEM, "saved writable layer");
		goto out;
	}
	archive_read_support_format_tar(a);
	if (archive_read_open(a, &r, NULL, read_cb, NULL) != ARCHIVE_OK) {
		rc = ward_error_set(e, archive_errno(a) > 0 ? archive_errno(a) : 0,
		                    "saved writable layer: %s", archive_error_string(a));
		goto out;
	}
	struct archive_entry *en;
	int got;
	while ((got = archive_read_next_header(a, &en)) == ARCHIVE_OK || got == ARCHIVE_WARN) {
		const char *why = NULL;
		if (apply(&r, a, en, &why) < 0) {
			int err = errno;
			const char *name = archive_entry_pathname(en);
			rc = ward_error_set(e, err, "saved writable layer: entry '%.200s': %s",
			                    name ? name : "?", why ? why : "failed");
			goto out;
		}
	}
	if (got != ARCHIVE_EOF) {
		rc = ward_error_set(e, 0, "saved writable layer: %s", archive_error_string(a));
		goto out;
	}
	dirtimes_apply(&r.times, r.upper, RESOLVE_FLAGS);
out:
	if (a)
		archive_read_free(a);
	dirtimes_free(&r.times);
	free(r.buf);
	return rc;
}
