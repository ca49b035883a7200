/* Finding and opening ward's own directories without trusting another user's. */
#include <errno.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "sys.h"
#include "userdir.h"

#define MAX_LINKS 40

struct walk {
	const char *what;
	int fd;          /* the directory reached so far (O_PATH) */
	struct stat cur; /* and its inode, checked before anything is looked up in it */
	char at[PATH_MAX];
	int links;
};

static bool trusted_owner(uid_t uid)
{
	return uid == 0 || uid == geteuid();
}

/* A directory looked into: root's or the caller's, and if others may write it, sticky, so
 * that they cannot replace what root or the caller keeps there (whose owner the next step
 * checks). */
static int check_parent(const struct walk *w, struct ward_error *e)
{
	if (!trusted_owner(w->cur.st_uid)) {
		ward_error_set(e, 0, "%s: %s belongs to uid %u, who could replace what is in it",
		               w->what, w->at, (unsigned)w->cur.st_uid);
		return -1;
	}
	if ((w->cur.st_mode & 022) && !(w->cur.st_mode & S_ISVTX)) {
		ward_error_set(e, 0, "%s: %s is writable by others (mode %03o)", w->what, w->at,
		               (unsigned)(w->cur.st_mode & 07777));
		return -1;
	}
	return 0;
}

static int enter(struct walk *w, int fd, struct ward_error *e)
{
	if (fstat(fd, &w->cur) < 0) {
		ward_error_set(e, errno, "%s: %s", w->what, w->at);
		close(fd);
		return -1;
	}
	if (w->fd >= 0)
		close(w->fd);
	w->fd = fd;
	return 0;
}

static int walk(struct walk *w, const char *text, bool make, struct ward_error *e);

/* A symlink is followed only when root or the caller made it (its directory is checked). */
static int follow(struct walk *w, int fd, const struct stat *st, bool make, struct ward_error *e)
{
	if (!trusted_owner(st->st_uid)) {
		ward_error_set(e, 0, "%s: the symlink %s belongs to uid %u", w->what, w->at,
		               (unsigned)st->st_uid);
		return -1;
	}
	if (++w->links > MAX_LINKS) {
		ward_error_set(e, ELOOP, "%s: %s", w->what, w->at);
		return -1;
	}
	autofree char *target = malloc(PATH_MAX);
	ssize_t n = target ? readlinkat(fd, "", target, PATH_MAX - 1) : -1;
	if (n <= 0) {
		ward_error_set(e, errno, "%s: reading the symlink %s", w->what, w->at);
		return -1;
	}
	target[n] = 0;
	char *slash = strrchr(w->at, '/'); /* the link's directory is where it is resolved */
	slash[slash == w->at ? 1 : 0] = 0;
	return walk(w, target, make, e);
}

static int step(struct walk *w, const char *name, bool make, struct ward_error *e)
{
	if (check_parent(w, e) < 0)
		return -1;
	size_t n = strlen(w->at);
	int room = (int)(sizeof(w->at) - n);
	if (!strcmp(name, "..")) {
		char *slash = strrchr(w->at, '/');
		slash[slash == w->at ? 1 : 0] = 0;
	} else if (snprintf(w->at + n, (size_t)room, "%s%s", n > 1 ? "/" : "", name) >= room) {
		ward_error_set(e, ENAMETOOLONG, "%s", w->what);
		return -1;
	}
	int fd = openat(w->fd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT && make) {
		if (mkdirat(w->fd, name, 0700) < 0 && errno != EEXIST) {
			ward_error_set(e, errno, "%s: making %s", w->what, w->at);
			return -1;
		}
		fd = openat(w->fd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	}
	struct stat st;
	if (fd < 0 || fstat(fd, &st) < 0) {
		ward_error_set(e, errno, "%s: %s", w->what, w->at);
		if (fd >= 0)
			close(fd);
		return -1;
	}
	if (S_ISLNK(st.st_mode)) {
		int rc = follow(w, fd, &st, make, e);
		close(fd);
		return rc;
	}
	if (!S_ISDIR(st.st_mode)) {
		ward_error_set(e, ENOTDIR, "%s: %s", w->what, w->at);
		close(fd);
		return -1;
	}
	return enter(w, fd, e);
}

static int walk(struct walk *w, const char *text, bool make, struct ward_error *e)
{
	if (text[0] == '/') {
		int fd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
		strcpy(w->at, "/");
		if (fd < 0 || enter(w, fd, e) < 0) {
			ward_error_set(e, errno, "%s: /", w->what);
			return -1;
		}
	}
	autofree char *copy = strdup(text);
	if (!copy) {
		ward_error_set(e, errno, "%s", w->what);
		return -1;
	}
	char *save = NULL;
	for (char *name = strtok_r(copy, "/", &save); name; name = strtok_r(NULL, "/", &save))
		if (strcmp(name, ".") && step(w, name, make, e) < 0)
			return -1;
	return 0;
}

int userdir_check_owned(int fd, const char *what, struct ward_error *e)
{
	struct stat st;
	if (fstat(fd, &st) < 0) {
		ward_error_set(e, errno, "%s", what);
		return -1;
	}
	if (st.st_uid != geteuid()) {
		ward_error_set(e, 0,
		               "%s belongs to uid %u, not to you (uid %u); refusing to trust it",
		               what, (unsigned)st.st_uid, (unsigned)geteuid());
		return -1;
	}
	if (st.st_mode & 022) {
		ward_error_set(e, 0, "%s is writable by others (mode %03o); refusing to trust it",
		               what, (unsigned)(st.st_mode & 0777));
		return -1;
	}
	return 0;
}

int userdir_open(const char *what, const char *base, const char *sub, bool make_base,
                 struct ward_error *e)
{
	if (base[0] != '/') {
		ward_error_set(e, 0, "%s: %s is not an absolute path", what, base);
		return -1;
	}
	struct walk *w = calloc(1, sizeof(*w));
	if (!w) {
		ward_error_set(e, errno, "%s", what);
		return -1;
	}
	*w = (struct walk){.what = what, .fd = -1};
	int fd = -1;
	if (walk(w, base, make_base, e) == 0 && (!sub || walk(w, sub, true, e) == 0)) {
		if (userdir_check_owned(w->fd, what, e) == 0 &&
		    (fd = openat(w->fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
			ward_error_set(e, errno, "%s", what);
	}
	if (w->fd >= 0)
		close(w->fd);
	free(w);
	return fd;
}

/* Where the caller's directory of a kind may be, in order. */
struct place {
	const char *var; /* the variable it came from, named when it is skipped */
	char base[PATH_MAX];
	const char *sub;
	bool make_base, skippable;
};

static size_t add(struct place *p, size_t n, const char *var, const char *base, const char *sub,
                  bool make_base, bool skippable)
{
	if (!base || base[0] != '/' || strlen(base) >= sizeof(p[n].base))
		return n; /* relative XDG directories are to be ignored */
	for (size_t i = 0; i < n; i++)
		if (!strcmp(p[i].base, base) && !strcmp(p[i].sub, sub))
			return n;
	p[n] =
	    (struct place){.var = var, .sub = sub, .make_base = make_base, .skippable = skippable};
	strcpy(p[n].base, base);
	return n + 1;
}

static size_t places(enum userdir_kind kind, struct place *p, const char *home)
{
	static const char *const root[] = {"/run", "/var/lib", "/var/cache"};
	static const char *const subs[] = {"ward", "ward", "ward/seccomp"};
	static const char *const xdg[] = {"XDG_STATE_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME"};
	static const char *const in_home[] = {".local/state/ward", ".local/share/ward",
	                                      ".cache/ward/seccomp"};
	if (geteuid() == 0)
		return add(p, 0, NULL, root[kind], subs[kind], false, false);
	size_t n = 0;
	if (kind == USERDIR_STATE) {
		/* the runtime directory, made by the login manager; never a shared /tmp name */
		char run[64];
		struct stat st;
		snprintf(run, sizeof(run), "/run/user/%u", (unsigned)geteuid());
		n = add(p, n, "XDG_RUNTIME_DIR", getenv("XDG_RUNTIME_DIR"), "ward", false, true);
		if (lstat(run, &st) == 0)
			n = add(p, n, NULL, run, "ward", false, true);
	}
	n = add(p, n, xdg[kind], getenv(xdg[kind]), subs[kind], true, true);
	return add(p, n, NULL, home, in_home[kind], false, false);
}

int userdir_default(const struct ward_context *c, enum userdir_kind kind, const char *what,
                    const char *env, char *path, size_t len, bool warn, struct ward_error *e)
{
	const char *home = getenv("HOME");
	if (geteuid() != 0 && (!home || home[0] != '/')) {
		struct passwd *pw = getpwuid(geteuid());
		home = pw && pw->pw_dir[0] == '/' ? pw->pw_dir : NULL;
		if (!home) {
			ward_error_set(e, 0, "%s: no home directory; set %s", what, env);
			return -1;
		}
	}
	struct place *p = calloc(5, sizeof(*p));
	size_t n = p ? places(kind, p, home) : 0;
	int fd = -1;
	for (size_t i = 0; i < n && fd < 0; i++) {
		char full[PATH_MAX + 64];
		snprintf(full, sizeof(full), "%s/%s", p[i].base, p[i].sub);
		char name[PATH_MAX + 96];
		snprintf(name, sizeof(name), "%s %s", what, full);
		if (strlen(full) >= len)
			ward_error_set(e, 0, "%s: longer than %zu bytes; set %s to a shorter path",
			               name, len - 1, env);
		else
			fd = userdir_open(name, p[i].base, p[i].sub, p[i].make_base, e);
		if (fd >= 0)
			strcpy(path, full);
		else if (i + 1 < n && p[i].skippable && warn)
			context_log(c, WARD_LOG_WARNING, "%s%s%s", p[i].var ? p[i].var : "",
			            p[i].var ? " skipped: " : "skipped: ", e->msg);
	}
	if (!p)
		ward_error_set(e, errno, "%s", what);
	else if (fd < 0 && !strstr(e->msg, env)) {
		size_t used = strlen(e->msg);
		snprintf(e->msg + used, sizeof(e->msg) - used, " (or set %s)", env);
	}
	free(p);
	return fd;
}
