/* ward cp / read / write on a sandbox's root fd. Nothing the workload controls is ever
 * followed out of the root: paths inside go through openat2(RESOLVE_IN_ROOT), entries below
 * a copied directory are opened one name at a time with O_NOFOLLOW, each decision is taken
 * on the opened fd (not on a name that can be swapped), and files are written to a new
 * inode that is renamed into place. */
#include <dirent.h>
#include <errno.h>
#include <fnmatch.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>

#include "sys.h"
#include "ward.h"

#define IN_ROOT (RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS)

static int in_root(int rootfd, const char *path, int flags)
{
	return sys_openat2(rootfd, path, (uint64_t)(flags | O_CLOEXEC), IN_ROOT);
}

/* Up to LIMIT bytes of IN (until its end) to OUT. */
static int copy_bytes(int in, int out, uint64_t limit, const char *what, struct ward_error *e)
{
	char buf[1 << 16];
	for (uint64_t done = 0; done < limit;) {
		size_t want = limit - done < sizeof(buf) ? (size_t)(limit - done) : sizeof(buf);
		ssize_t n = read(in, buf, want);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			ward_error_set(e, errno, "%s: reading", what);
			return -1;
		}
		if (n == 0)
			break;
		if (write_all(out, buf, (size_t)n) < 0) {
			ward_error_set(e, errno, "%s: writing", what);
			return -1;
		}
		done += (uint64_t)n;
	}
	return 0;
}

/* A new file next to NAME in DIR, renamed over NAME once complete. */
static int write_new(int dir, const char *name, int in, uint64_t limit, unsigned mode,
                     const char *what, struct ward_error *e)
{
	char tmp[40];
	uint64_t r = 0;
	getrandom(&r, sizeof(r), 0);
	snprintf(tmp, sizeof(tmp), ".ward-%016llx", (unsigned long long)r);
	autoclose int fd =
	    openat(dir, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0) {
		ward_error_set(e, errno, "%s: creating it", what);
		return -1;
	}
	if (copy_bytes(in, fd, limit, what, e) < 0)
		goto fail;
	if (fchmod(fd, mode & 01777) < 0 || renameat(dir, tmp, dir, name) < 0) {
		ward_error_set(e, errno, "%s", what);
		goto fail;
	}
	return 0;
fail:
	unlinkat(dir, tmp, 0);
	return -1;
}

/* A directory NAME in DIR, made if missing; never a symlink to one. */
static int make_dir(int dir, const char *name, unsigned mode, const char *what,
                    struct ward_error *e)
{
	if (mkdirat(dir, name, (mode & 01777) | 0700) < 0 && errno != EEXIST) {
		ward_error_set(e, errno, "%s", what);
		return -1;
	}
	int fd = openat(dir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		ward_error_set(e, errno == ELOOP ? ENOTDIR : errno, "%s", what);
	return fd;
}

static int make_link(int dir, const char *name, const char *target, const char *what,
                     struct ward_error *e)
{
	if (symlinkat(target, dir, name) == 0)
		return 0;
	if (errno == EEXIST && unlinkat(dir, name, 0) == 0 && symlinkat(target, dir, name) == 0)
		return 0;
	ward_error_set(e, errno, "%s", what);
	return -1;
}

static int copy_fd(int src, const struct stat *st, int ddir, const char *dname, const char *what,
                   struct ward_error *e);

/* Every entry of the open directory SRC into the open directory DST. */
static int copy_children(int src, int dst, const char *what, struct ward_error *e)
{
	DIR *d = fdopendir(dup(src));
	if (!d) {
		ward_error_set(e, errno, "%s", what);
		return -1;
	}
	int rc = 0;
	struct dirent *de;
	while (rc == 0 && (de = readdir(d))) {
		const char *n = de->d_name;
		if (!strcmp(n, ".") || !strcmp(n, ".."))
			continue;
		char sub[4200];
		snprintf(sub, sizeof(sub), "%s/%s", what, n);
		struct stat st;
		if (fstatat(src, n, &st, AT_SYMLINK_NOFOLLOW) < 0)
			continue; /* gone meanwhile */
		if (S_ISLNK(st.st_mode)) {
			char target[4097];
			ssize_t len = readlinkat(src, n, target, sizeof(target) - 1);
			if (len < 0)
				continue;
			target[len] = 0;
			rc = make_link(dst, n, target, sub, e);
			continue;
		}
		autoclose int fd = openat(src, n, O_RDONLY | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0 || fstat(fd, &st) < 0)
			continue; /* swapped for a symlink, a device refused, or gone */
		rc = copy_fd(fd, &st, dst, n, sub, e);
	}
	closedir(d);
	return rc;
}

/* What the fd is now decides: files and directories are copied, the rest skipped. */
static int copy_fd(int src, const struct stat *st, int ddir, const char *dname, const char *what,
                   struct ward_error *e)
{
	unsigned mode = st->st_mode & 01777; /* never setuid or setgid */
	if (S_ISREG(st->st_mode)) {
		int fl = fcntl(src, F_GETFL);
		if (fl >= 0)
			fcntl(src, F_SETFL, fl & ~O_NONBLOCK);
		/* no further than the size seen at open: a file that keeps growing still ends */
		return write_new(ddir, dname, src, (uint64_t)st->st_size, mode, what, e);
	}
	if (!S_ISDIR(st->st_mode))
		return 0;
	autoclose int dst = make_dir(ddir, dname, mode, what, e);
	return dst < 0 ? -1 : copy_children(src, dst, what, e);
}

/* The directory and last name of PATH; "/" and names ending in "." are refused. */
static int split_path(const char *path, char *dir, size_t dlen, char *name, size_t nlen)
{
	char a[4096], b[4096];
	if (snprintf(a, sizeof(a), "%s", path) >= (int)sizeof(a))
		return -1;
	memcpy(b, a, sizeof(a));
	const char *base = basename(a);
	if (!*base || !strcmp(base, "/") || !strcmp(base, ".") || !strcmp(base, ".."))
		return -1;
	snprintf(dir, dlen, "%s", dirname(b));
	snprintf(name, nlen, "%s", base);
	return 0;
}

/* The directory holding PATH inside the root, and PATH's last name in NAME. */
static int parent_in_root(int rootfd, const char *path, char *name, size_t nlen,
                          struct ward_error *e)
{
	char dir[4096];
	if (split_path(path, dir, sizeof(dir), name, nlen) < 0) {
		ward_error_set(e, 0, "%s: expected a path to a file or directory", path);
		return -1;
	}
	int d = in_root(rootfd, dir, O_PATH | O_DIRECTORY);
	if (d < 0)
		ward_error_set(e, errno, "%s: its directory", path);
	return d;
}

int ward_file_read(int rootfd, const char *path, int out, struct ward_error *e)
{
	autoclose int fd = in_root(rootfd, path, O_RDONLY | O_NONBLOCK);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) < 0) {
		ward_error_set(e, errno, "%s", path);
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		ward_error_set(e, 0, "%s: not a regular file", path);
		return -1;
	}
	fcntl(fd, F_SETFL, O_RDONLY);
	/* no further than the size seen at open: a file that keeps growing still ends */
	return copy_bytes(fd, out, (uint64_t)st.st_size, path, e);
}

int ward_file_write(int rootfd, const char *path, int in, unsigned mode, struct ward_error *e)
{
	char name[256];
	autoclose int d = parent_in_root(rootfd, path, name, sizeof(name), e);
	return d < 0 ? -1 : write_new(d, name, in, UINT64_MAX, mode, path, e);
}

/* FD (just opened from PATH) if it is a regular file or a directory, else -1 and closed. */
static int file_or_dir(int fd, const char *path, struct stat *st, struct ward_error *e)
{
	if (fd < 0 || fstat(fd, st) < 0) {
		ward_error_set(e, errno, "%s", path);
	} else if (!S_ISREG(st->st_mode) && !S_ISDIR(st->st_mode)) {
		ward_error_set(e, 0, "%s: not a file or directory", path);
	} else {
		return fd;
	}
	if (fd >= 0)
		close(fd);
	return -1;
}

/* Host side: open a source (following the user's own symlinks) and copy it. */
static int copy_host(const char *host, int ddir, const char *dname, const char *what,
                     struct ward_error *e)
{
	struct stat st;
	autoclose int fd = file_or_dir(open(host, O_RDONLY | O_NONBLOCK | O_CLOEXEC), host, &st, e);
	return fd < 0 ? -1 : copy_fd(fd, &st, ddir, dname, what, e);
}

/* The directory REL's parents inside DEST, made as needed; returns the innermost. */
static int make_parents(int dest, const char *rel, const char *what, struct ward_error *e)
{
	int cur = fcntl(dest, F_DUPFD_CLOEXEC, 0);
	char buf[4096];
	snprintf(buf, sizeof(buf), "%s", rel);
	char *slash, *p = buf;
	while (cur >= 0 && (slash = strchr(p, '/'))) {
		*slash = 0;
		int next = make_dir(cur, p, 0755, what, e);
		close(cur);
		cur = next;
		p = slash + 1;
	}
	return cur;
}

struct matches {
	char **host, **rel;
	size_t n;
};

static int add_match(struct matches *m, const char *host, const char *rel)
{
	char **h = realloc(m->host, (m->n + 1) * sizeof(char *));
	if (h)
		m->host = h;
	char **r = realloc(m->rel, (m->n + 1) * sizeof(char *));
	if (r)
		m->rel = r;
	if (!h || !r || !(m->host[m->n] = strdup(host)))
		return -1;
	if (!(m->rel[m->n] = strdup(rel))) {
		free(m->host[m->n]);
		return -1;
	}
	m->n++;
	return 0;
}

/* Match components PAT[0..] below the host directory HOST (shown as REL). */
static int glob_walk(const char *host, const char *rel, char **pat, size_t np, struct matches *m)
{
	bool any_depth = !strcmp(pat[0], "**");
	if (any_depth && np > 1 && glob_walk(host, rel, pat + 1, np - 1, m) < 0)
		return -1;
	DIR *d = opendir(host);
	if (!d)
		return 0;
	int rc = 0;
	struct dirent *de;
	while (rc == 0 && (de = readdir(d))) {
		const char *n = de->d_name;
		if (!strcmp(n, ".") || !strcmp(n, ".."))
			continue;
		bool last = np == 1;
		/* a trailing ** is everything below: each entry here, copied whole */
		if (!any_depth && fnmatch(pat[0], n, FNM_PERIOD) != 0)
			continue;
		char h[4200], r[4200];
		snprintf(h, sizeof(h), "%s/%s", host, n);
		snprintf(r, sizeof(r), "%s%s%s", rel, *rel ? "/" : "", n);
		struct stat st;
		bool dir = lstat(h, &st) == 0 && S_ISDIR(st.st_mode);
		if (last)
			rc = add_match(m, h, r);
		else if (dir)
			rc = glob_walk(h, r, any_depth ? pat : pat + 1, any_depth ? np : np - 1, m);
	}
	closedir(d);
	return rc;
}

static bool is_pattern(const char *s)
{
	return strpbrk(s, "*?[") != NULL;
}

static int expand(const char *pattern, struct matches *m, struct ward_error *e)
{
	char buf[4096], *comps[256];
	size_t n = 0;
	snprintf(buf, sizeof(buf), "%s", pattern);
	for (char *save = NULL, *c = strtok_r(buf, "/", &save); c && n < 256;
	     c = strtok_r(NULL, "/", &save))
		comps[n++] = c;
	size_t fixed = 0;
	while (fixed < n && !is_pattern(comps[fixed]))
		fixed++;
	char base[4096] = "";
	size_t off = 0;
	if (pattern[0] == '/' || fixed == 0)
		off = (size_t)snprintf(base, sizeof(base), "%s", pattern[0] == '/' ? "" : ".");
	for (size_t i = 0; i < fixed; i++)
		off += (size_t)snprintf(base + off, sizeof(base) - off, "%s%s",
		                        i || pattern[0] == '/' ? "/" : "", comps[i]);
	size_t before = m->n;
	if (glob_walk(base, "", comps + fixed, n - fixed, m) < 0) {
		ward_error_set(e, ENOMEM, "%s", pattern);
		return -1;
	}
	if (m->n == before) {
		ward_error_set(e, 0, "%s: matches nothing", pattern);
		return -1;
	}
	return 0;
}

static void matches_free(struct matches *m)
{
	for (size_t i = 0; i < m->n; i++)
		free(m->host[i]), free(m->rel[i]);
	free(m->host);
	free(m->rel);
}

int ward_copy_in(int rootfd, char *const *sources, size_t n, const char *dest, struct ward_error *e)
{
	autoclose int ddir = in_root(rootfd, dest, O_RDONLY | O_DIRECTORY);
	if (ddir < 0 && errno != ENOENT && errno != ENOTDIR) {
		ward_error_set(e, errno, "%s", dest);
		return -1;
	}
	bool plain = n == 1 && !is_pattern(sources[0]);
	if (ddir < 0) {
		/* a new name: one plain source is copied to it, several go into a new directory */
		char name[256];
		autoclose int parent = parent_in_root(rootfd, dest, name, sizeof(name), e);
		if (parent < 0)
			return -1;
		if (plain)
			return copy_host(sources[0], parent, name, dest, e);
		if ((ddir = make_dir(parent, name, 0755, dest, e)) < 0)
			return -1;
	}
	struct matches m = {0};
	int rc = 0;
	for (size_t i = 0; rc == 0 && i < n; i++) {
		if (is_pattern(sources[i])) {
			rc = expand(sources[i], &m, e);
			continue;
		}
		char a[4096];
		snprintf(a, sizeof(a), "%s", sources[i]);
		const char *base = basename(a);
		if (!*base || !strcmp(base, "/") || !strcmp(base, ".") || !strcmp(base, "..")) {
			ward_error_set(e, 0, "%s: name the file or directory to copy", sources[i]);
			rc = -1;
		} else if (add_match(&m, sources[i], base) < 0) {
			ward_error_set(e, ENOMEM, "%s", sources[i]);
			rc = -1;
		}
	}
	for (size_t i = 0; rc == 0 && i < m.n; i++) {
		char what[4200];
		snprintf(what, sizeof(what), "%s/%s", dest, m.rel[i]);
		autoclose int parent = make_parents(ddir, m.rel[i], what, e);
		const char *slash = strrchr(m.rel[i], '/');
		rc = parent < 0
		         ? -1
		         : copy_host(m.host[i], parent, slash ? slash + 1 : m.rel[i], what, e);
	}
	matches_free(&m);
	return rc;
}

int ward_copy_out(int rootfd, const char *src, const char *hostdest, struct ward_error *e)
{
	char sdir[4096], sname[256];
	if (split_path(src, sdir, sizeof(sdir), sname, sizeof(sname)) < 0) {
		ward_error_set(e, 0, "%s: name the file or directory to copy", src);
		return -1;
	}
	struct stat st;
	autoclose int fd = file_or_dir(in_root(rootfd, src, O_RDONLY | O_NONBLOCK), src, &st, e);
	if (fd < 0)
		return -1;
	/* into HOSTDEST when it is a directory, else HOSTDEST is the new name */
	autoclose int ddir = open(hostdest, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	const char *dname = sname;
	char hdir[4096], hname[256];
	if (ddir < 0) {
		if (split_path(hostdest, hdir, sizeof(hdir), hname, sizeof(hname)) < 0 ||
		    (ddir = open(hdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
			ward_error_set(e, errno, "%s", hostdest);
			return -1;
		}
		dname = hname;
	}
	return copy_fd(fd, &st, ddir, dname, hostdest, e);
}
