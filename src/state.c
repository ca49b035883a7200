/* The state root: opening it safely, reserving ids and names, finding sandboxes. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>

#include "state.h"
#include "sys.h"
#include "userdir.h"

static int open_subdir(int parent, const char *name, const char *root, struct ward_error *e)
{
	if (mkdirat(parent, name, 0700) < 0 && errno != EEXIST) {
		ward_error_set(e, errno, "state directory %s/%s", root, name);
		return -1;
	}
	int fd = openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	char what[300];
	snprintf(what, sizeof(what), "state directory %s/%s", root, name);
	if (fd < 0) {
		ward_error_set(e, errno, "%s", what);
		return -1;
	}
	if (state_check_owned(fd, what, e) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

int state_open(struct state *st, const struct ward_context *c, struct ward_error *e)
{
	*st = (struct state){.root = -1, .boxes = -1, .names = -1, .lock = -1, .ctx = c};
	const char *env = c ? c->state_dir : NULL;
	if (env && *env) {
		char what[sizeof(st->path) + 32];
		if (strlen(env) >= sizeof(st->path)) {
			ward_error_set(
			    e, 0, "state directory %s: longer than %zu bytes; use a shorter path",
			    env, sizeof(st->path) - 1);
			return -1;
		}
		strcpy(st->path, env);
		snprintf(what, sizeof(what), "state directory %s", env);
		/* made if missing, but not its parent: a mistyped path is not made */
		char base[sizeof(st->path)];
		size_t n = strlen(strcpy(base, env));
		while (n > 1 && base[n - 1] == '/')
			base[--n] = 0;
		char *slash = strrchr(base, '/');
		if (slash && slash[1]) {
			*slash = 0;
			st->root =
			    userdir_open(what, slash == base ? "/" : base, slash + 1, false, e);
		} else
			st->root = userdir_open(what, base, NULL, false, e);
	} else
		st->root = userdir_default(c, USERDIR_STATE, "state directory", "WARD_STATE_DIR",
		                           st->path, sizeof(st->path), true, e);
	if (st->root < 0)
		return -1;
	if ((st->boxes = open_subdir(st->root, "sandboxes", st->path, e)) < 0 ||
	    (st->names = open_subdir(st->root, "names", st->path, e)) < 0)
		goto fail;
	st->lock = openat(st->root, "lock", O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (st->lock < 0) {
		ward_error_set(e, errno, "state lock %s/lock", st->path);
		goto fail;
	}
	return 0;
fail:
	state_close(st);
	return -1;
}

void state_close(struct state *st)
{
	int *fds[] = {&st->root, &st->boxes, &st->names, &st->lock};
	for (size_t i = 0; i < 4; i++) {
		if (*fds[i] >= 0)
			close(*fds[i]);
		*fds[i] = -1;
	}
}

int state_lock(struct state *st, bool exclusive)
{
	int rc;
	while ((rc = flock(st->lock, exclusive ? LOCK_EX : LOCK_SH)) < 0 && errno == EINTR)
		;
	return rc;
}

void state_unlock(struct state *st)
{
	flock(st->lock, LOCK_UN);
}

void state_file(const struct state *st, const char *id, const char *file, char *out, size_t len)
{
	snprintf(out, len, "/proc/self/fd/%d/sandboxes/%s/%s", st->root, id, file);
}

static bool valid_name(const char *n)
{
	size_t len = strlen(n);
	if (len == 0 || len > STATE_NAME_MAX || n[0] == '.' || n[0] == '-')
		return false;
	for (const char *p = n; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || *p == '_' || *p == '.' || *p == '-'))
			return false;
	return true;
}

/* A lock file that appears already locked: made unnamed, locked, then linked in, so that
 * no other command ever finds it free while its sandbox is being created. */
static int make_lock(int dirfd, struct ward_error *e)
{
	int fd = openat(dirfd, ".", O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	char proc[64];
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	if (fd < 0 || flock(fd, LOCK_EX | LOCK_NB) < 0 ||
	    linkat(AT_FDCWD, proc, dirfd, "lock", AT_SYMLINK_FOLLOW) < 0) {
		ward_error_set(e, errno, "state: creating a sandbox's lock");
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

DIR *state_dir_stream(int parent, const char *name)
{
	int fd = openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	if (!d && fd >= 0)
		close(fd);
	return d;
}

static void remove_dir(int parent, const char *name)
{
	DIR *d = state_dir_stream(parent, name);
	struct dirent *de;
	while (d && (de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			unlinkat(dirfd(d), de->d_name, 0);
	if (d)
		closedir(d);
	unlinkat(parent, name, AT_REMOVEDIR);
}

int state_reserve(struct state *st, struct sandbox_record *rec, int *lockfd, struct ward_error *e)
{
	if (rec->name[0] && !valid_name(rec->name)) {
		ward_error_set(e, 0,
		               "--name %s: use up to %d letters, digits, '_', '.' and '-', not "
		               "starting with '.' or '-'",
		               rec->name, STATE_NAME_MAX);
		return -1;
	}
	char tmp[32];
	for (int attempt = 0;; attempt++) {
		unsigned char r[STATE_ID_LEN / 2];
		if (getrandom(r, sizeof(r), 0) != (ssize_t)sizeof(r)) {
			ward_error_set(e, errno, "state: choosing an id");
			return -1;
		}
		for (size_t i = 0; i < sizeof(r); i++)
			sprintf(rec->id + 2 * i, "%02x", r[i]);
		struct stat sb;
		if (fstatat(st->boxes, rec->id, &sb, AT_SYMLINK_NOFOLLOW) == 0 && attempt < 8)
			continue;
		snprintf(tmp, sizeof(tmp), ".new-%s", rec->id);
		if (mkdirat(st->boxes, tmp, 0700) == 0)
			break;
		if (errno != EEXIST || attempt >= 8) {
			ward_error_set(e, errno, "state: creating %s/sandboxes/%s", st->path, tmp);
			return -1;
		}
	}
	int dirfd = openat(st->boxes, tmp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dirfd < 0 || (*lockfd = make_lock(dirfd, e)) < 0 || state_write(dirfd, rec, e) < 0)
		goto fail;
	if (rec->name[0] && symlinkat(rec->id, st->names, rec->name) < 0) {
		if (errno == EEXIST)
			ward_error_set(e, 0, "--name %s: the name is taken", rec->name);
		else
			ward_error_set(e, errno, "state: recording the name %s", rec->name);
		goto fail;
	}
	if (renameat(st->boxes, tmp, st->boxes, rec->id) < 0) {
		ward_error_set(e, errno, "state: creating %s/sandboxes/%s", st->path, rec->id);
		if (rec->name[0])
			unlinkat(st->names, rec->name, 0);
		goto fail;
	}
	return dirfd;
fail:
	if (dirfd >= 0)
		close(dirfd);
	if (*lockfd >= 0)
		close(*lockfd);
	*lockfd = -1;
	remove_dir(st->boxes, tmp);
	return -1;
}

static bool is_id(const char *s)
{
	if (strlen(s) != STATE_ID_LEN)
		return false;
	for (const char *p = s; *p; p++)
		if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
			return false;
	return true;
}

int state_resolve(struct state *st, const char *ref, char id[STATE_ID_LEN + 1],
                  struct ward_error *e)
{
	char link[64];
	ssize_t n = valid_name(ref) ? readlinkat(st->names, ref, link, sizeof(link) - 1) : -1;
	if (n > 0) {
		link[n] = 0;
		if (is_id(link)) {
			strcpy(id, link);
			return 0;
		}
	}
	size_t len = strlen(ref), found = 0;
	DIR *d = state_dir_stream(st->boxes, ".");
	if (!d) /* out of fds, say: no answer about the sandbox */
		return ward_error_set(e, errno, "sandbox %s: reading %s/sandboxes", ref, st->path);
	struct dirent *de;
	while (len && (de = readdir(d)))
		if (is_id(de->d_name) && !strncmp(de->d_name, ref, len) && found++ == 0)
			strcpy(id, de->d_name);
	closedir(d);
	if (found == 1)
		return 0;
	if (found > 1)
		ward_error_set(e, 0,
		               "sandbox %s: the prefix matches %zu sandboxes; give more of the id",
		               ref, found);
	else
		ward_error_set(e, 0, "sandbox %s: no such sandbox (see ward ps --all)", ref);
	return -1;
}

bool state_alive(struct state *st, const char *id)
{
	char path[96];
	snprintf(path, sizeof(path), "%s/lock", id);
	autoclose int fd = openat(st->boxes, path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return false;
	if (flock(fd, LOCK_SH | LOCK_NB) == 0)
		return false;
	return errno == EWOULDBLOCK;
}

int state_each(struct state *st, int (*fn)(const struct sandbox_record *, void *), void *arg)
{
	DIR *d = state_dir_stream(st->boxes, ".");
	if (!d)
		return -1;
	struct dirent *de;
	int rc = 0;
	while (rc == 0 && (de = readdir(d))) {
		if (!is_id(de->d_name))
			continue;
		struct sandbox_record rec;
		struct ward_error e = {0};
		if (state_read(st, de->d_name, &rec, &e) < 0) {
			if (e.err != ENOENT)
				context_log(st->ctx, WARD_LOG_WARNING, "%s", e.msg);
			continue;
		}
		rc = fn(&rec, arg);
	}
	closedir(d);
	return rc;
}

/* Renamed out of the way first: one killed while emptying it leaves a .gone- entry, which
 * (like .new-) exists only under the state root's lock and is removed by the next
 * collection, never a half-emptied sandbox directory that no command could trust. */
void state_remove_dir(struct state *st, const char *id)
{
	char gone[32];
	snprintf(gone, sizeof(gone), ".gone-%s", id);
	if (id[0] != '.' && renameat(st->boxes, id, st->boxes, gone) == 0)
		id = gone;
	fault_point("emptying");
	remove_dir(st->boxes, id);
}
