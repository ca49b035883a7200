/* ward cp (in) / write on a sandbox's root fd (copy_out.c copies out). Nothing the workload
 * controls is ever followed out of the root: paths inside go through openat2(RESOLVE_IN_ROOT),
 * entries below a copied directory are opened one name at a time with O_NOFOLLOW, each decision is
 * taken on the opened fd (not on a name that can be swapped), and files are written to a new inode
 * that is renamed into place. */
#include <dirent.h>
#include <errno.h>
#include <fnmatch.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "copy.h"
#include "sys.h"

/* A new file next to NAME in DIR from the stream IN, renamed over NAME once complete. */
static int write_new(int dir, const char *name, int in, unsigned mode, const char *what,
                     struct ward_error *e)
{
	char tmp[40];
	autoclose int fd = copy_temp_file(dir, tmp, what, e);
	if (fd < 0)
		return -1;
	if (copy_stream(in, fd, UINT64_MAX, what, e) < 0)
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

/* DIR inside the root, made with its missing parents (0755, the caller's fs ids) when
 * PARENTS. Each prefix is resolved from the root again (RESOLVE_IN_ROOT), so a symlink among
 * them, planted or swapped in meanwhile, leads somewhere inside the root, never out. */
static int dir_in_root(int rootfd, const char *dir, bool parents, const char *what,
                       struct ward_error *e)
{
	int d = copy_in_root(rootfd, dir, O_PATH | O_DIRECTORY);
	if (d >= 0 || errno != ENOENT || !parents)
		return d >= 0 ? d : ward_error_set(e, errno, "%s: directory %s", what, dir);
	char buf[4096];
	size_t len = strlen(dir);
	if (len >= sizeof(buf))
		return ward_error_set(e, ENAMETOOLONG, "%s", what);
	memcpy(buf, dir, len + 1);
	int cur = copy_in_root(rootfd, "/", O_PATH | O_DIRECTORY);
	for (size_t i = 0; cur >= 0 && i < len;) {
		while (buf[i] == '/')
			i++;
		size_t end = i;
		while (end < len && buf[end] != '/')
			end++;
		if (end == i)
			break;
		buf[end] = 0;
		int next = copy_in_root(rootfd, buf, O_PATH | O_DIRECTORY);
		if (next < 0 && errno == ENOENT) {
			if (mkdirat(cur, buf + i, 0755) == 0) {
				/* 0755 whatever the caller's umask */
				int fd = openat(cur, buf + i,
				                O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
				if (fd >= 0) {
					fchmod(fd, 0755);
					close(fd);
				}
			} else if (errno != EEXIST) {
				ward_error_set(e, errno, "%s: making directory %s", what, buf);
				close(cur);
				return -1;
			}
			next = copy_in_root(rootfd, buf, O_PATH | O_DIRECTORY);
		}
		if (next < 0)
			ward_error_set(e, errno, "%s: directory %s", what, buf);
		close(cur);
		cur = next;
		buf[end] = '/';
		i = end;
	}
	return cur;
}

/* The directory holding PATH inside the root, and PATH's last name in NAME. */
static int parent_in_root(int rootfd, const char *path, char *name, size_t nlen,
                          struct ward_error *e)
{
	char dir[4096];
	if (copy_split_path(path, dir, sizeof(dir), name, nlen) < 0)
		return ward_error_set(e, 0, "%s: expected a path to a file or directory", path);
	return dir_in_root(rootfd, dir, false, path, e);
}

int ward_file_write_flags(int rootfd, const char *path, int in, unsigned mode, unsigned flags,
                          struct ward_error *e)
{
	if (flags & ~WARD_FILE_PARENTS)
		return ward_error_set(e, EINVAL, "write %s: unknown flags %#x", path, flags);
	char dir[4096], name[256];
	if (copy_split_path(path, dir, sizeof(dir), name, sizeof(name)) < 0)
		return ward_error_set(e, 0, "%s: expected a path to a file or directory", path);
	autoclose int d = dir_in_root(rootfd, dir, flags & WARD_FILE_PARENTS, path, e);
	return d < 0 ? -1 : write_new(d, name, in, mode, path, e);
}

int ward_file_write(int rootfd, const char *path, int in, unsigned mode, struct ward_error *e)
{
	return ward_file_write_flags(rootfd, path, in, mode, 0, e);
}

/* Host side: open a source (following the user's own symlinks) and copy it. */
static int copy_host(struct copy *c, const char *host, int ddir, const char *dname,
                     const char *what, struct ward_error *e)
{
	struct stat st;
	autoclose int fd = copy_reopen(open(host, O_PATH | O_CLOEXEC), &st, host, e);
	return fd < 0 ? -1 : copy_entry(c, fd, &st, ddir, dname, what, "", 0, e);
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
		int next = copy_make_dir(cur, p, 0755, NULL, what, e);
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

/* One pattern's walk on the host. */
struct glob {
	const char *pattern;
	struct matches *m;
	struct ward_error *e;
};

/* Match components PAT[0..] below the host directory HOST (shown as REL), DEPTH directories
 * below where the pattern starts. */
static int glob_walk(struct glob *g, const char *host, const char *rel, char **pat, size_t np,
                     int depth)
{
	if (depth > COPY_MAX_DEPTH)
		return ward_error_set(g->e, 0, "%s: more than %d directories deep at %s",
		                      g->pattern, COPY_MAX_DEPTH, host);
	bool any_depth = !strcmp(pat[0], "**");
	if (any_depth && np > 1 && glob_walk(g, host, rel, pat + 1, np - 1, depth) < 0)
		return -1;
	DIR *d = opendir(host);
	/* what is not there or not readable matches nothing, as in a shell; running out of
	 * fds or memory is no answer about the tree */
	if (!d && (errno == ENOENT || errno == ENOTDIR || errno == EACCES))
		return 0;
	if (!d)
		return ward_error_set(g->e, errno, "%s: %s", g->pattern, host);
	int rc = 0;
	struct dirent *de;
	/* on the heap: 256 levels of these would take a small stack */
	enum { LEN = 4200 };
	autofree char *h = malloc(LEN);
	autofree char *r = malloc(LEN);
	if (!h || !r)
		rc = ward_error_set(g->e, ENOMEM, "%s", g->pattern);
	while (rc == 0 && (de = readdir(d))) {
		const char *n = de->d_name;
		if (!strcmp(n, ".") || !strcmp(n, ".."))
			continue;
		bool last = np == 1;
		/* a trailing ** is everything below: each entry here, copied whole */
		if (!any_depth && fnmatch(pat[0], n, FNM_PERIOD) != 0)
			continue;
		if (snprintf(h, LEN, "%s/%s", host, n) >= LEN ||
		    snprintf(r, LEN, "%s%s%s", rel, *rel ? "/" : "", n) >= LEN) {
			rc = ward_error_set(g->e, ENAMETOOLONG, "%s: %s/%s", g->pattern, host, n);
			break;
		}
		struct stat st;
		bool dir = lstat(h, &st) == 0 && S_ISDIR(st.st_mode);
		if (last && add_match(g->m, h, r) < 0)
			rc = ward_error_set(g->e, ENOMEM, "%s", g->pattern);
		else if (!last && dir)
			rc = glob_walk(g, h, r, any_depth ? pat : pat + 1, any_depth ? np : np - 1,
			               depth + 1);
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
	struct glob g = {.pattern = pattern, .m = m, .e = e};
	if (glob_walk(&g, base, "", comps + fixed, n - fixed, 0) < 0)
		return -1;
	return m->n == before ? ward_error_set(e, 0, "%s: matches nothing", pattern) : 0;
}

static void matches_free(struct matches *m)
{
	for (size_t i = 0; i < m->n; i++)
		free(m->host[i]), free(m->rel[i]);
	free(m->host);
	free(m->rel);
}

/* Every source, patterns expanded, before anything is made in the sandbox. */
static int collect(char *const *sources, size_t n, struct matches *m, struct ward_error *e)
{
	for (size_t i = 0; i < n; i++) {
		if (is_pattern(sources[i])) {
			if (expand(sources[i], m, e) < 0)
				return -1;
			continue;
		}
		char a[4096];
		snprintf(a, sizeof(a), "%s", sources[i]);
		const char *base = basename(a);
		if (!*base || !strcmp(base, "/") || !strcmp(base, ".") || !strcmp(base, ".."))
			return ward_error_set(e, 0, "%s: name the file or directory to copy",
			                      sources[i]);
		if (add_match(m, sources[i], base) < 0)
			return ward_error_set(e, ENOMEM, "%s", sources[i]);
	}
	return 0;
}

int ward_copy_in(int rootfd, char *const *sources, size_t n, const char *dest, struct ward_error *e)
{
	/* into the sandbox, bounded by its own --disk */
	struct copy c = {.max = UINT64_MAX, .top = -1};
	autoclose int ddir = copy_in_root(rootfd, dest, O_RDONLY | O_DIRECTORY);
	if (ddir < 0 && errno != ENOENT && errno != ENOTDIR)
		return ward_error_set(e, errno, "%s", dest);
	bool plain = n == 1 && !is_pattern(sources[0]);
	char name[256];
	autoclose int parent = -1;
	if (ddir < 0) {
		/* a new name: one plain source is copied to it, several go into a new directory */
		if ((parent = parent_in_root(rootfd, dest, name, sizeof(name), e)) < 0)
			return -1;
		if (plain)
			return copy_host(&c, sources[0], parent, name, dest, e);
	}
	struct matches m = {0};
	int rc = collect(sources, n, &m, e);
	if (rc == 0 && ddir < 0 && (ddir = copy_make_dir(parent, name, 0755, NULL, dest, e)) < 0)
		rc = -1;
	for (size_t i = 0; rc == 0 && i < m.n; i++) {
		char what[4200];
		snprintf(what, sizeof(what), "%s/%s", dest, m.rel[i]);
		autoclose int dir = make_parents(ddir, m.rel[i], what, e);
		const char *slash = strrchr(m.rel[i], '/');
		rc = dir < 0 ? -1
		             : copy_host(&c, m.host[i], dir, slash ? slash + 1 : m.rel[i], what, e);
	}
	matches_free(&m);
	return rc;
}
