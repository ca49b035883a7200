/* Layer application. Every operation is relative to the root fd: an entry's parent is
 * resolved with openat2(RESOLVE_IN_ROOT) (in-image symlinks work, none leads out), the
 * final component is created with *at() calls that never follow it, and metadata is set
 * on fds. Whiteouts follow the OCI rules: they hide lower layers only, never what the same
 * layer adds, whatever the order of entries. A tree's non-directories may be inodes shared
 * with other trees (tree_link.c): they are never opened for writing nor given new metadata;
 * an entry at their path unlinks them and creates its own. Directories are the tree's own. */
#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>

#include "pathset.h"
#include "sys.h"
#include "dirtimes.h"
#include "unpack.h"

#define MAX_PATH_LEN 4095

/* A refusal of the input, not a failed system call: no errno in the message. */
static int refuse(const char **why, const char *msg)
{
	errno = 0;
	*why = msg;
	return -1;
}

struct ctx {
	int rootfd;
	struct pathset added;   /* entries of this layer: a second one is a duplicate */
	struct pathset touched; /* entries of this layer and their parents: whiteout-proof */
	struct dirtimes times;  /* directory times, set once every layer is in */
	const struct unpack_limits *lim;
	struct unpack_stats *st;
	char cached_dir[MAX_PATH_LEN + 1]; /* the last parent opened, usually the next one too */
	int cached_fd;
};

/* Entry names as written are relative to the root, with or without "/" or "./" in front;
 * ".." is refused rather than clamped: no real image needs it. */
static int clean_path(const char *in, char *out, const char **why)
{
	size_t n = 0;
	const char *p = in;
	while (*p) {
		while (*p == '/')
			p++;
		const char *end = strchrnul(p, '/');
		size_t len = (size_t)(end - p);
		if (len == 0 || (len == 1 && p[0] == '.')) {
			p = end;
			continue;
		}
		if (len == 2 && p[0] == '.' && p[1] == '.') {
			return refuse(why, "path leaves the root (..)");
		}
		if (len > NAME_MAX || n + len + 1 > MAX_PATH_LEN) {
			return refuse(why, "path too long");
		}
		if (n)
			out[n++] = '/';
		memcpy(out + n, p, len);
		n += len;
		p = end;
	}
	out[n] = 0;
	return 0;
}

static void invalidate_parent(struct ctx *c)
{
	if (c->cached_fd >= 0)
		close(c->cached_fd);
	c->cached_fd = -1;
	c->cached_dir[0] = 0;
}

static int open_dir(struct ctx *c, const char *dir)
{
	return sys_openat2(c->rootfd, dir, O_PATH | O_DIRECTORY | O_CLOEXEC,
	                   RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS);
}

/* Parents an archive leaves out are made as root-owned 0755 directories. */
static int make_parents(struct ctx *c, char *dir)
{
	for (char *slash = dir;; slash++) {
		slash = strchrnul(slash, '/');
		char saved = *slash;
		*slash = 0;
		int fd = open_dir(c, dir);
		if (fd < 0 && errno == ENOENT) {
			char *base = strrchr(dir, '/');
			autoclose int pfd = -1;
			if (base)
				*base = 0;
			pfd = base ? open_dir(c, dir) : dup(c->rootfd);
			if (base)
				*base = '/';
			if (pfd >= 0 && mkdirat(pfd, base ? base + 1 : dir, 0755) == 0)
				fd = open_dir(c, dir);
		}
		*slash = saved;
		if (fd < 0)
			return -1;
		close(fd);
		if (!saved)
			return 0;
	}
}

/* The parent directory of an entry, made if missing; -1 with errno. The root's own fd
 * comes back for top-level entries; callers never close what this returns. */
static int parent_fd(struct ctx *c, char *dir, bool create)
{
	if (!*dir)
		return c->rootfd;
	if (c->cached_fd >= 0 && strcmp(dir, c->cached_dir) == 0)
		return c->cached_fd;
	int fd = open_dir(c, dir);
	if (fd < 0 && errno == ENOENT && create && make_parents(c, dir) == 0)
		fd = open_dir(c, dir);
	if (fd < 0)
		return -1;
	invalidate_parent(c);
	c->cached_fd = fd;
	snprintf(c->cached_dir, sizeof(c->cached_dir), "%s", dir);
	return fd;
}

int remove_tree(int dirfd, const char *name)
{
	struct stat st;
	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT ? 0 : -1;
	if (!S_ISDIR(st.st_mode))
		return unlinkat(dirfd, name, 0) < 0 && errno != ENOENT ? -1 : 0;
	int fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	DIR *d = fd < 0 ? NULL : fdopendir(fd);
	if (!d) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	int rc = 0;
	struct dirent *de;
	while (rc == 0 && (de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			rc = remove_tree(fd, de->d_name);
	closedir(d);
	return rc == 0 && unlinkat(dirfd, name, AT_REMOVEDIR) < 0 ? -1 : rc;
}

static int remove_lower(struct ctx *c, int pfd, const char *path, const char *name);

/* Hide the lower children of the directory DIRFD (at PATH). */
static int remove_lower_children(struct ctx *c, int dirfd, const char *path)
{
	DIR *d = fdopendir(dup(dirfd));
	if (!d)
		return -1;
	/* Names first, removal after: readdir over a directory being changed may skip. */
	char **names = NULL;
	size_t n = 0;
	struct dirent *de;
	int rc = 0;
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, "..")) {
			char **grown = realloc(names, (n + 1) * sizeof(*names));
			if (!grown || !(grown[n] = strdup(de->d_name))) {
				names = grown ? grown : names;
				rc = -1;
				break;
			}
			names = grown;
			n++;
		}
	closedir(d);
	char child[MAX_PATH_LEN + NAME_MAX + 2];
	for (size_t i = 0; i < n; i++) {
		snprintf(child, sizeof(child), "%s%s%s", path, *path ? "/" : "", names[i]);
		if (rc == 0)
			rc = remove_lower(c, dirfd, child, names[i]);
		free(names[i]);
	}
	free(names);
	return rc;
}

int remove_contents(int dirfd)
{
	DIR *d = fdopendir(dup(dirfd));
	if (!d)
		return -1;
	rewinddir(d); /* the dup shares DIRFD's offset: an earlier walk left it at the end */
	int rc = 0;
	struct dirent *de;
	while (rc == 0 && (de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			rc = remove_tree(dirfd, de->d_name);
	closedir(d);
	return rc;
}

/* Hide what lower layers have at PATH (NAME under PFD): all of it, or, where this layer
 * created PATH or something below it, only the lower children. */
static int remove_lower(struct ctx *c, int pfd, const char *path, const char *name)
{
	if (!pathset_has(&c->touched, path)) {
		int rc = remove_tree(pfd, name);
		invalidate_parent(c); /* it may have been inside; PFD may be it: close after */
		return rc;
	}
	autoclose int fd = openat(pfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOTDIR || errno == ELOOP || errno == ENOENT ? 0 : -1;
	return remove_lower_children(c, fd, path);
}

/* .wh.NAME hides NAME; .wh..wh..opq hides every lower child of its directory. */
static int whiteout(struct ctx *c, char *dir, const char *name, const char **why)
{
	bool opaque = strcmp(name, ".wh..wh..opq") == 0;
	if (!opaque && strncmp(name, ".wh..wh.", 8) == 0)
		return 0; /* other aufs metadata: meaningless here */
	const char *target = name + 4;
	if (!opaque && (!*target || !strcmp(target, ".") || !strcmp(target, ".."))) {
		return refuse(why, "malformed whiteout");
	}
	int pfd = parent_fd(c, dir, false);
	if (pfd < 0)
		return errno == ENOENT ? 0 : (*why = "resolving its directory", -1);
	char path[MAX_PATH_LEN + NAME_MAX + 2];
	if (opaque) {
		autoclose int dfd = openat(pfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (dfd < 0 || remove_lower_children(c, dfd, dir) < 0)
			return *why = "applying the opaque whiteout", -1;
		return 0;
	}
	snprintf(path, sizeof(path), "%s%s%s", dir, *dir ? "/" : "", target);
	if (remove_lower(c, pfd, path, target) < 0)
		return *why = "applying the whiteout", -1;
	return 0;
}

bool unpack_xattr_allowed(const char *name)
{
	/* user.overlay.* would steer the sandbox's overlay mount (userxattr); trusted.* and
	 * security.* other than file capabilities are the host's business. */
	if (strncmp(name, "user.", 5) == 0)
		return strncmp(name, "user.overlay.", 13) != 0;
	return strcmp(name, "security.capability") == 0;
}

/* Owner, extended attributes, then mode (a chown clears set-id bits), on an open fd. */
static int set_meta(struct ctx *c, int fd, struct archive_entry *en, const char **why)
{
	la_int64_t uid = archive_entry_uid(en), gid = archive_entry_gid(en);
	if (uid < 0 || gid < 0 || uid >= UINT32_MAX || gid >= UINT32_MAX)
		return refuse(why, "owner id out of range");
	if (fchown(fd, (uid_t)uid, (gid_t)gid) < 0) {
		if (errno != EINVAL)
			return *why = "setting the owner", -1;
		c->st->owners++;
	}
	const char *name;
	const void *value;
	size_t size;
	archive_entry_xattr_reset(en);
	while (archive_entry_xattr_next(en, &name, &value, &size) == ARCHIVE_OK) {
		if (!unpack_xattr_allowed(name) || fsetxattr(fd, name, value, size, 0) < 0)
			c->st->xattrs++;
	}
	if (fchmod(fd, archive_entry_perm(en) & 07777) < 0)
		return *why = "setting the mode", -1;
	return 0;
}

static void entry_times(struct archive_entry *en, struct timespec ts[2])
{
	ts[1] = (struct timespec){archive_entry_mtime(en), archive_entry_mtime_nsec(en)};
	ts[0] = archive_entry_atime_is_set(en)
	            ? (struct timespec){archive_entry_atime(en), archive_entry_atime_nsec(en)}
	            : ts[1];
}

static int remember_dir_time(struct ctx *c, const char *path, struct archive_entry *en)
{
	struct timespec ts[2];
	entry_times(en, ts);
	return dirtimes_add(&c->times, path, ts[1]);
}

static int write_data(struct archive *a, int fd, la_int64_t size, const char **why)
{
	const void *buf;
	size_t len;
	la_int64_t off, end = 0;
	int r;
	while ((r = archive_read_data_block(a, &buf, &len, &off)) == ARCHIVE_OK) {
		if (off + (la_int64_t)len > size)
			return refuse(why, "data longer than its header says");
		for (size_t done = 0; done < len;) {
			ssize_t w =
			    pwrite(fd, (const char *)buf + done, len - done, off + (off_t)done);
			if (w < 0)
				return *why = "writing", -1;
			done += (size_t)w;
		}
		end = off + (la_int64_t)len;
	}
	if (r != ARCHIVE_EOF)
		return refuse(why, archive_error_string(a) ? archive_error_string(a) : "reading");
	/* A sparse file may end in a hole. */
	if (end < size && ftruncate(fd, size) < 0)
		return *why = "writing", -1;
	return 0;
}

static int add_regular(struct ctx *c, struct archive *a, struct archive_entry *en, int pfd,
                       const char *name, const char **why)
{
	la_int64_t size = archive_entry_size(en);
	if (size < 0 || (uint64_t)size > c->lim->max_bytes - c->st->bytes)
		return refuse(why, "file larger than the import size cap");
	c->st->bytes += (uint64_t)size;
	autoclose int fd =
	    openat(pfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return *why = "creating the file", -1;
	if (size > 0 && write_data(a, fd, size, why) < 0)
		return -1;
	struct timespec ts[2];
	entry_times(en, ts);
	if (set_meta(c, fd, en, why) < 0 || futimens(fd, ts) < 0)
		return *why = *why ? *why : "setting times", -1;
	return 0;
}

static int add_hardlink(struct ctx *c, struct archive_entry *en, int pfd, const char *name,
                        const char **why)
{
	char target[MAX_PATH_LEN + 1];
	if (clean_path(archive_entry_hardlink(en), target, why) < 0)
		return -1;
	if (!*target)
		return refuse(why, "hardlink to the root directory");
	/* Resolved inside the root; O_NOFOLLOW leaves a final symlink as itself, refused. */
	autoclose int tfd = sys_openat2(c->rootfd, target, O_PATH | O_NOFOLLOW | O_CLOEXEC,
	                                RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS);
	struct stat st;
	if (tfd < 0 || fstat(tfd, &st) < 0)
		return refuse(why, "hardlink target missing");
	if (S_ISLNK(st.st_mode))
		return refuse(why, "hardlink to a symlink");
	if (S_ISDIR(st.st_mode))
		return refuse(why, "hardlink to a directory");
	/* A new name for the target's inode: its content and metadata stay as they are. */
	struct stat old;
	if (fstatat(pfd, name, &old, AT_SYMLINK_NOFOLLOW) == 0) {
		if (old.st_ino == st.st_ino && old.st_dev == st.st_dev)
			return 0;
		if (remove_tree(pfd, name) < 0)
			return *why = "replacing the existing entry", -1;
	}
	char proc[64];
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", tfd);
	if (linkat(AT_FDCWD, proc, pfd, name, AT_SYMLINK_FOLLOW) < 0)
		return *why = "creating the hardlink", -1;
	return 0;
}

static int add_dir(struct ctx *c, struct archive_entry *en, int pfd, const char *name,
                   const char *path, const char **why)
{
	struct stat st;
	bool merge = fstatat(pfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode);
	if (!merge) {
		if (remove_tree(pfd, name) < 0 || mkdirat(pfd, name, 0700) < 0)
			return *why = "creating the directory", -1;
	}
	autoclose int fd = openat(pfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return *why = "opening the directory", -1;
	if (set_meta(c, fd, en, why) < 0)
		return -1;
	if (remember_dir_time(c, path, en) < 0)
		return refuse(why, "out of memory");
	return 0;
}

static int add_other(struct ctx *c, struct archive_entry *en, int pfd, const char *name,
                     const char **why)
{
	mode_t type = archive_entry_filetype(en);
	if (type == AE_IFCHR || type == AE_IFBLK || type == AE_IFSOCK) {
		c->st->devices++; /* never from an image: the sandbox's /dev is ward's */
		return 0;
	}
	if (remove_tree(pfd, name) < 0)
		return *why = "replacing the existing entry", -1;
	if (type == AE_IFLNK) {
		const char *target = archive_entry_symlink(en);
		if (!target || !*target || strlen(target) > MAX_PATH_LEN)
			return refuse(why, "bad symlink target");
		if (symlinkat(target, pfd, name) < 0)
			return *why = "creating the symlink", -1;
	} else if (type == AE_IFIFO) {
		if (mkfifoat(pfd, name, 0600) < 0)
			return *why = "creating the fifo", -1;
	} else {
		return refuse(why, "unknown entry type");
	}
	la_int64_t uid = archive_entry_uid(en), gid = archive_entry_gid(en);
	if (uid < 0 || gid < 0 || uid >= UINT32_MAX || gid >= UINT32_MAX)
		return refuse(why, "owner id out of range");
	if (fchownat(pfd, name, (uid_t)uid, (gid_t)gid, AT_SYMLINK_NOFOLLOW) < 0) {
		if (errno != EINVAL)
			return *why = "setting the owner", -1;
		c->st->owners++;
	}
	if (type == AE_IFIFO && fchmodat(pfd, name, archive_entry_perm(en) & 0777, 0) < 0)
		return *why = "setting the mode", -1;
	struct timespec ts[2];
	entry_times(en, ts);
	utimensat(pfd, name, ts, AT_SYMLINK_NOFOLLOW);
	return 0;
}

/* Record PATH and its parents as this layer's, so its whiteouts leave them alone. */
static int mark_touched(struct ctx *c, const char *path)
{
	char buf[MAX_PATH_LEN + 1];
	snprintf(buf, sizeof(buf), "%s", path);
	for (;;) {
		int r = pathset_add(&c->touched, buf);
		if (r <= 0)
			return r; /* already there, and so are its parents */
		char *slash = strrchr(buf, '/');
		if (!slash)
			return 0;
		*slash = 0;
	}
}

static int apply_entry(struct ctx *c, struct archive *a, struct archive_entry *en, const char **why)
{
	char path[MAX_PATH_LEN + 1];
	const char *raw = archive_entry_pathname(en);
	if (!raw)
		return refuse(why, "entry without a name");
	if (clean_path(raw, path, why) < 0)
		return -1;
	bool is_dir = archive_entry_filetype(en) == AE_IFDIR && !archive_entry_hardlink(en);
	if (!*path) {
		if (!is_dir)
			return refuse(why, "refusing to replace the root directory");
		autoclose int fd = openat(c->rootfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (fd < 0 || set_meta(c, fd, en, why) < 0 || remember_dir_time(c, "", en) < 0)
			return *why = *why ? *why : "root directory", -1;
		return 0;
	}
	char *slash = strrchr(path, '/');
	char *name = slash ? slash + 1 : path;
	char dir[MAX_PATH_LEN + 1];
	snprintf(dir, sizeof(dir), "%.*s", slash ? (int)(slash - path) : 0, path);
	for (char *p = dir; *p; p = strchrnul(p, '/'), p += !!*p)
		if (strncmp(p, ".wh.", 4) == 0)
			return refuse(why, "whiteout used as a directory");
	if (strncmp(name, ".wh.", 4) == 0)
		return whiteout(c, dir, name, why);

	int added = pathset_add(&c->added, path);
	if (added < 0 || mark_touched(c, path) < 0)
		return refuse(why, "out of memory");
	if (added == 0)
		return refuse(why, "duplicate entry");
	int pfd = parent_fd(c, dir, true);
	if (pfd < 0)
		return *why = "its parent directory cannot be made", -1;
	if (archive_entry_hardlink(en))
		return add_hardlink(c, en, pfd, name, why);
	if (is_dir)
		return add_dir(c, en, pfd, name, path, why);
	if (archive_entry_filetype(en) == AE_IFREG) {
		/* Replaced, never rewritten: the old inode may be another tree's too. */
		if (remove_tree(pfd, name) < 0)
			return *why = "replacing the existing entry", -1;
		return add_regular(c, a, en, pfd, name, why);
	}
	return add_other(c, en, pfd, name, why);
}

static int apply_layer(struct ctx *c, const struct unpack_layer *l, size_t i, size_t n,
                       unpack_progress_fn progress, void *parg, struct ward_error *e)
{
	struct layer_stream ls;
	char short_digest[20];
	size_t no = l->number ? l->number : i + 1;
	snprintf(short_digest, sizeof(short_digest), "%.19s", l->digest);
	if (layer_stream_open(&ls, l->fd, l->comp, c->lim->max_bytes - c->st->bytes, e) < 0) {
		ward_error_prefix(e, "layer %zu (%s)", no, short_digest);
		layer_stream_close(&ls);
		return -1;
	}
	struct archive_entry *en;
	int r, rc = 0;
	while ((r = archive_read_next_header(ls.inner, &en)) == ARCHIVE_OK || r == ARCHIVE_WARN) {
		const char *why = NULL;
		if (++c->st->entries > c->lim->max_entries) {
			ward_error_set(e, 0, "layer %zu (%s): more than %llu entries", no,
			               short_digest, (unsigned long long)c->lim->max_entries);
			rc = -1;
			break;
		}
		if (apply_entry(c, ls.inner, en, &why) < 0) {
			int err = errno;
			const char *name = archive_entry_pathname(en);
			ward_error_set(e, err, "layer %zu (%s): entry '%.200s': %s", no,
			               short_digest, name ? name : "?", why ? why : "failed");
			rc = -1;
			break;
		}
		if (progress && (c->st->entries & 255) == 0)
			progress(parg, i, n, layer_stream_consumed(&ls), l->size);
	}
	if (rc == 0 && r != ARCHIVE_EOF) {
		ward_error_set(e, 0, "layer %zu (%s): %s", no, short_digest,
		               ls.errmsg[0] ? ls.errmsg : archive_error_string(ls.inner));
		rc = -1;
	}
	if (rc == 0 && layer_stream_finish(&ls, l->diff_id, e) < 0) {
		ward_error_prefix(e, "layer %zu (%s)", no, short_digest);
		rc = -1;
	}
	if (progress && rc == 0)
		progress(parg, i, n, l->size, l->size);
	layer_stream_close(&ls);
	return rc;
}

int unpack_layers_onto(int rootfd, const struct unpack_layer *layers, size_t n,
                       const struct unpack_limits *lim, struct unpack_stats *st,
                       struct dirtimes *times, unpack_progress_fn progress, void *parg,
                       struct ward_error *e)
{
	struct ctx c = {.rootfd = rootfd, .lim = lim, .st = st, .cached_fd = -1};
	if (times) {
		c.times = *times;
		*times = (struct dirtimes){0};
	}
	int rc = 0;
	for (size_t i = 0; rc == 0 && i < n; i++) {
		rc = apply_layer(&c, &layers[i], i, n, progress, parg, e);
		pathset_clear(&c.added);
		pathset_clear(&c.touched);
		invalidate_parent(&c);
	}
	if (rc == 0)
		dirtimes_apply(&c.times, rootfd, RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS);
	dirtimes_free(&c.times);
	return rc;
}

int unpack_layers(int rootfd, const struct unpack_layer *layers, size_t n,
                  const struct unpack_limits *lim, struct unpack_stats *st,
                  unpack_progress_fn progress, void *parg, struct ward_error *e)
{
	memset(st, 0, sizeof(*st));
	return unpack_layers_onto(rootfd, layers, n, lim, st, NULL, progress, parg, e);
}
