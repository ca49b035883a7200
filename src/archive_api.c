/* ward_sandbox_stat, ward_sandbox_tar_out and ward_sandbox_tar_in: a sandbox's files as tar
 * streams (docker cp through the API). Out: the path is resolved inside the root and walked
 * through fds (tree_tar) without following symlinks. In: the archive is unpacked, names
 * checked, into a private host directory, then copied in with ward_sandbox_copy_in's rules. */
#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <errno.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "copy.h"
#include "sandbox.h"
#include "sys.h"
#include "tree_tar.h"
#include "unpack.h"

/* PATH inside SB: its root, and PATH made absolute against its working directory. */
static int resolve(struct ward_sandbox *sb, const char *path, int *rootfd, uid_t *uid, gid_t *gid,
                   char **full, struct ward_error *e)
{
	char *cwd = NULL;
	if (sb_root(sb, rootfd, uid, gid, NULL, &cwd, e) < 0)
		return -1;
	int rc = path[0] == '/' ? ((*full = strdup(path)) ? 0 : -1)
	                        : asprintf(full, "%s/%s", cwd ? cwd : "/", path);
	free(cwd);
	if (rc < 0) {
		close(*rootfd);
		return ward_error_set(e, ENOMEM, "%s", path);
	}
	return 0;
}

static void base_name(const char *path, char *out, size_t len)
{
	size_t n = strlen(path);
	while (n > 1 && path[n - 1] == '/')
		n--;
	size_t b = n;
	while (b > 0 && path[b - 1] != '/')
		b--;
	if (n == 1 && path[0] == '/')
		snprintf(out, len, "/");
	else
		snprintf(out, len, "%.*s", (int)(n - b), path + b);
}

int ward_sandbox_stat(struct ward_sandbox *sb, const char *path, struct ward_path_stat *st,
                      struct ward_error *e)
{
	int rootfd;
	uid_t uid;
	gid_t gid;
	char *full;
	*st = (struct ward_path_stat){0};
	if (resolve(sb, path, &rootfd, &uid, &gid, &full, e) < 0)
		return -1;
	autoclose int fd = copy_in_root(rootfd, full, O_PATH | O_NOFOLLOW);
	struct stat sbuf;
	int rc = 0;
	if (fd < 0 || fstat(fd, &sbuf) < 0) {
		rc = ward_error_set(e, errno, "%s", path);
	} else {
		base_name(full, st->name, sizeof(st->name));
		st->size = (uint64_t)sbuf.st_size;
		st->mode = sbuf.st_mode;
		st->mtime_ms = (int64_t)sbuf.st_mtim.tv_sec * 1000 + sbuf.st_mtim.tv_nsec / 1000000;
		if (S_ISLNK(sbuf.st_mode)) {
			ssize_t n =
			    readlinkat(fd, "", st->link_target, sizeof(st->link_target) - 1);
			st->link_target[n > 0 ? n : 0] = 0;
		}
	}
	close(rootfd);
	free(full);
	return rc;
}

/* Owners as the sandbox sees them: host ids from its root's on. */
struct owner_map {
	uid_t uid;
	gid_t gid;
};

static uint32_t owner(const struct tree_tar *t, uint32_t id, bool is_gid)
{
	const struct owner_map *m = t->arg;
	uint32_t base = is_gid ? m->gid : m->uid;
	return id >= base ? id - base : id;
}

static int sink(void *arg, const void *buf, size_t len)
{
	return write_all(*(int *)arg, buf, len);
}

/* The top entry, then (a directory) what is below it. */
static int tar_top(struct tree_tar *t, int pathfd, const char *name, const char *what,
                   struct ward_error *e)
{
	struct stat st;
	if (fstat(pathfd, &st) < 0)
		return ward_error_set(e, errno, "%s", what);
	struct archive_entry *en = archive_entry_new();
	if (!en)
		return ward_error_set(e, ENOMEM, "%s", what);
	archive_entry_copy_pathname(en, name);
	archive_entry_set_filetype(en, st.st_mode & S_IFMT);
	archive_entry_set_perm(en, st.st_mode & 07777);
	archive_entry_set_uid(en, owner(t, st.st_uid, false));
	archive_entry_set_gid(en, owner(t, st.st_gid, true));
	archive_entry_set_mtime(en, st.st_mtim.tv_sec, 0);
	int fd = -1, rc = 0;
	if (S_ISLNK(st.st_mode)) {
		char target[4097];
		ssize_t n = readlinkat(pathfd, "", target, sizeof(target) - 1);
		target[n < 0 ? 0 : n] = 0;
		archive_entry_copy_symlink(en, target);
		close(pathfd);
	} else {
		fd = copy_reopen(pathfd, &st, what, e);
		if (fd < 0) {
			archive_entry_free(en);
			return -1;
		}
		if (S_ISREG(st.st_mode))
			archive_entry_set_size(en, st.st_size);
	}
	if (tar_write_entry(&t->tw, en) < 0)
		rc = ward_error_set(e, errno, "%s: writing the archive", what);
	archive_entry_free(en);
	if (rc == 0 && fd >= 0 && S_ISREG(st.st_mode)) {
		char buf[65536];
		ssize_t n;
		uint64_t left = (uint64_t)st.st_size;
		while (rc == 0 && left && (n = read(fd, buf, sizeof(buf))) > 0) {
			size_t k = (uint64_t)n > left ? (size_t)left : (size_t)n;
			if (tar_write_data(&t->tw, buf, k) < 0)
				rc = ward_error_set(e, errno, "%s: writing the archive", what);
			left -= k;
		}
	} else if (rc == 0 && fd >= 0 && S_ISDIR(st.st_mode)) {
		char prefix[300];
		snprintf(prefix, sizeof(prefix), "./%s", name);
		if (tree_tar_children(t, fd, prefix) < 0)
			rc = ward_error_set(e, 0, "%s: %s", what, t->err);
	}
	if (fd >= 0)
		close(fd);
	return rc;
}

int ward_sandbox_tar_out(struct ward_sandbox *sb, const char *path, int out, struct ward_error *e)
{
	int rootfd;
	struct owner_map m;
	char *full;
	if (resolve(sb, path, &rootfd, &m.uid, &m.gid, &full, e) < 0)
		return -1;
	/* the tar writer converts names from the locale's charset: UTF-8 names */
	locale_t utf8 = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0);
	locale_t old = utf8 ? uselocale(utf8) : (locale_t)0;
	char name[256];
	base_name(full, name, sizeof(name));
	if (!strcmp(name, "/"))
		strcpy(name, ".");
	struct tree_tar t = {.tw = {.sink = sink, .arg = &out}, .owner = owner, .arg = &m};
	int fd = copy_in_root(rootfd, full, O_PATH | O_NOFOLLOW);
	int rc = fd < 0 ? ward_error_set(e, errno, "%s", path) : tar_top(&t, fd, name, path, e);
	if (rc == 0 && tar_write_end(&t.tw) < 0)
		rc = ward_error_set(e, errno, "%s: writing the archive", path);
	tree_tar_free(&t);
	if (utf8) {
		uselocale(old);
		freelocale(utf8);
	}
	close(rootfd);
	free(full);
	return rc;
}

/* An entry's name made relative and checked: no "..", nothing empty. */
static int clean_name(const char *in, char *out, size_t len)
{
	while (*in == '/')
		in++;
	size_t n = 0;
	const char *p = in;
	while (*p) {
		const char *end = strchrnul(p, '/');
		size_t k = (size_t)(end - p);
		if (k == 2 && !strncmp(p, "..", 2))
			return -1;
		if (k && !(k == 1 && *p == '.')) {
			if (n + k + 2 > len)
				return -1;
			if (n)
				out[n++] = '/';
			memcpy(out + n, p, k);
			n += k;
		}
		p = *end ? end + 1 : end;
	}
	out[n] = 0;
	return n ? 0 : 1; /* 1: the top itself ("./") */
}

#define BENEATH (RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS)

/* NAME's parent under TOP (missing directories made), never through a symlink; *LEAF its
 * last component. */
static int parent_dir(int top, char *name, const char **leaf)
{
	char *slash = strrchr(name, '/');
	if (!slash) {
		*leaf = name;
		return fcntl(top, F_DUPFD_CLOEXEC, 0);
	}
	*slash = 0;
	*leaf = slash + 1;
	int fd = fcntl(top, F_DUPFD_CLOEXEC, 0);
	for (char *p = name; fd >= 0 && *p;) {
		char *end = strchrnul(p, '/');
		char c = *end;
		*end = 0;
		if (mkdirat(fd, p, 0700) < 0 && errno != EEXIST) {
			close(fd);
			fd = -1;
		} else {
			int next = sys_openat2(fd, p, O_PATH | O_DIRECTORY | O_CLOEXEC, BENEATH);
			close(fd);
			fd = next;
		}
		*end = c;
		p = c ? end + 1 : end;
	}
	*slash = '/';
	return fd;
}

/* One entry under TOP: a directory, a file (its data from A), a symlink or a hard link. */
static int make_entry(struct archive *a, struct archive_entry *en, int top, char *name,
                      const char *hardlink)
{
	const char *leaf;
	autoclose int dir = parent_dir(top, name, &leaf);
	if (dir < 0)
		return -1;
	mode_t type = archive_entry_filetype(en);
	mode_t perm = archive_entry_perm(en) & 07777;
	if (type == AE_IFDIR) {
		if (mkdirat(dir, leaf, 0700) < 0 && errno != EEXIST)
			return -1;
		return fchmodat(dir, leaf, perm | 0700, 0);
	}
	if (unlinkat(dir, leaf, 0) < 0 && errno != ENOENT)
		return -1;
	if (hardlink) {
		char target[4096];
		snprintf(target, sizeof(target), "%s", hardlink);
		const char *tleaf;
		autoclose int tdir = parent_dir(top, target, &tleaf);
		return tdir < 0 ? -1 : linkat(tdir, tleaf, dir, leaf, 0);
	}
	if (type == AE_IFLNK)
		return symlinkat(archive_entry_symlink(en) ? archive_entry_symlink(en) : "", dir,
		                 leaf);
	autoclose int fd =
	    openat(dir, leaf, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return -1;
	const void *buf;
	size_t len;
	int64_t off;
	int r;
	while ((r = archive_read_data_block(a, &buf, &len, &off)) == ARCHIVE_OK)
		if (pwrite(fd, buf, len, off) != (ssize_t)len)
			return -1;
	if (r != ARCHIVE_EOF) {
		errno = EIO;
		return -1;
	}
	struct timespec ts[2] = {{.tv_nsec = UTIME_OMIT}, {.tv_sec = archive_entry_mtime(en)}};
	if (ftruncate(fd, archive_entry_size(en)) < 0 || fchmod(fd, perm) < 0)
		return -1;
	futimens(fd, ts);
	return 0;
}

static int unpack(int in, int top, struct ward_error *e)
{
	struct archive *a = archive_read_new();
	if (!a)
		return ward_error_set(e, ENOMEM, "archive");
	int rc = 0, got;
	archive_read_support_format_tar(a);
	if (archive_read_open_fd(a, in, 65536) != ARCHIVE_OK) {
		rc = ward_error_set(e, 0, "archive: %s", archive_error_string(a));
		goto out;
	}
	struct archive_entry *en;
	while ((got = archive_read_next_header(a, &en)) == ARCHIVE_OK) {
		char name[4096], target[4096];
		const char *orig = archive_entry_pathname(en);
		orig = orig ? orig : "";
		int c = clean_name(orig, name, sizeof(name));
		if (c < 0) {
			rc = ward_error_set(
			    e, 0, "archive entry %s: a name going up (..) is refused", orig);
			break;
		}
		mode_t type = archive_entry_filetype(en);
		const char *hl = archive_entry_hardlink(en);
		if (hl && clean_name(hl, target, sizeof(target)) != 0) {
			rc = ward_error_set(e, 0, "archive entry %s: a hard link to %s is refused",
			                    orig, hl);
			break;
		}
		if (c == 1 || (!hl && type != AE_IFREG && type != AE_IFDIR && type != AE_IFLNK))
			continue; /* the top itself; devices, fifos and sockets are not made */
		if (make_entry(a, en, top, name, hl ? target : NULL) < 0) {
			rc = ward_error_set(e, errno, "archive entry %s", orig);
			break;
		}
	}
	if (rc == 0 && got != ARCHIVE_EOF)
		rc = ward_error_set(e, 0, "archive: %s", archive_error_string(a));
out:
	archive_read_free(a);
	return rc;
}

int ward_sandbox_tar_in(struct ward_sandbox *sb, const char *dir, int in, struct ward_error *e)
{
	struct ward_path_stat st;
	if (ward_sandbox_stat(sb, dir, &st, e) < 0)
		return -1;
	char tmp[] = "/tmp/ward-tar-in.XXXXXX";
	if (!mkdtemp(tmp))
		return ward_error_set(e, errno, "a private directory for the archive");
	int top = open(tmp, O_PATH | O_DIRECTORY | O_CLOEXEC);
	int rc = top < 0 ? ward_error_set(e, errno, "%s", tmp) : unpack(in, top, e);
	if (top >= 0)
		close(top);
	char **src = NULL;
	size_t n = 0;
	DIR *d = rc == 0 ? opendir(tmp) : NULL;
	struct dirent *de;
	while (d && (de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		char **v = realloc(src, (n + 2) * sizeof(*src));
		if (!v || asprintf(&v[n], "%s/%s", tmp, de->d_name) < 0) {
			src = v ? v : src;
			rc = ward_error_set(e, ENOMEM, "archive");
			break;
		}
		src = v;
		n++;
	}
	if (d)
		closedir(d);
	/* the target itself must be a directory (a symlink to one inside is followed there) */
	if (rc == 0 && n) {
		char probe[4300];
		snprintf(probe, sizeof(probe), "%s/.", dir);
		if (ward_sandbox_stat(sb, probe, &st, e) < 0 || !S_ISDIR(st.mode))
			rc = ward_error_set(e, ENOTDIR, "%s: not a directory", dir);
	}
	if (rc == 0 && n) {
		char dest[4300];
		snprintf(dest, sizeof(dest), "%s/", dir);
		rc = ward_sandbox_copy_in(sb, src, n, dest, e);
	}
	for (size_t i = 0; i < n; i++)
		free(src[i]);
	free(src);
	char *slash = strrchr(tmp, '/');
	*slash = 0;
	autoclose int parent = open(tmp, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (parent >= 0)
		remove_tree(parent, slash + 1);
	return rc;
}
