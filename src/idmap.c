/* User namespace id maps: choosing them for the caller and writing them for a child. */
#include <errno.h>
#include <pwd.h>
#include <sched.h>
#include <sys/socket.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "idmap.h"
#include "sys.h"
#include "ward/ward.h"

#define NEWUIDMAP "/usr/bin/newuidmap"
#define NEWGIDMAP "/usr/bin/newgidmap"

int subid_lookup(const char *file, const char *name, uint32_t id, uint32_t *start, uint32_t *count,
                 struct ward_error *e)
{
	FILE *f = fopen(file, "re");
	if (!f) {
		if (errno == ENOENT)
			return 1;
		ward_error_set(e, errno, "%s", file);
		return -1;
	}
	char line[512], idtext[16];
	snprintf(idtext, sizeof(idtext), "%u", id);
	int rc = 1;
	while (fgets(line, sizeof(line), f)) {
		char *save = NULL, *who = strtok_r(line, ":\n", &save);
		char *s = strtok_r(NULL, ":\n", &save), *c = strtok_r(NULL, ":\n", &save);
		if (!who || !s || !c)
			continue;
		if (strcmp(who, idtext) != 0 && (!name || strcmp(who, name) != 0))
			continue;
		char *end1, *end2;
		errno = 0;
		unsigned long vs = strtoul(s, &end1, 10), vc = strtoul(c, &end2, 10);
		if (errno || *end1 || *end2 || vc == 0 || vs > UINT32_MAX || vc > UINT32_MAX - vs)
			continue;
		*start = (uint32_t)vs;
		*count = (uint32_t)vc;
		rc = 0;
		break;
	}
	fclose(f);
	return rc;
}

static bool ranges_overlap(uint32_t a, uint32_t alen, uint32_t b, uint32_t blen)
{
	return a < b + (uint64_t)blen && b < a + (uint64_t)alen;
}

/* The root range must not hand container ids to a host user or to someone's rootless
 * containers; /etc/subuid is the register of the latter. */
static int check_root_range(uint32_t base, struct ward_error *e)
{
	if (base == 0 || (uint64_t)base + WARD_IDMAP_SIZE > UINT32_MAX) {
		ward_error_set(e, 0, "id map base %u: must be 1..%u", base,
		               UINT32_MAX - WARD_IDMAP_SIZE);
		return -1;
	}
	static const char *const files[] = {"/etc/subuid", "/etc/subgid"};
	for (size_t i = 0; i < 2; i++) {
		FILE *f = fopen(files[i], "re");
		if (!f)
			continue;
		char line[512];
		while (fgets(line, sizeof(line), f)) {
			char who[256];
			unsigned long s, c;
			if (sscanf(line, "%255[^:]:%lu:%lu", who, &s, &c) == 3 && s <= UINT32_MAX &&
			    c <= UINT32_MAX &&
			    ranges_overlap(base, WARD_IDMAP_SIZE, (uint32_t)s, (uint32_t)c)) {
				ward_error_set(e, 0,
				               "id map base %u: overlaps %s's range %lu+%lu in %s; "
				               "choose another with --idmap-base",
				               base, who, s, c, files[i]);
				fclose(f);
				return -1;
			}
		}
		fclose(f);
	}
	return 0;
}

/* Rootless with subordinate ids: the caller's id appears as container id ID, the ids
 * below and above it come from the subordinate range in order. Returns the lines used. */
static size_t around_caller(struct ward_idmap *m, uint32_t id, uint32_t caller, uint32_t sub,
                            uint32_t count)
{
	size_t n = 0;
	if (id)
		m[n++] = (struct ward_idmap){0, sub, id};
	m[n++] = (struct ward_idmap){id, caller, 1};
	uint32_t rest = count - id, room = WARD_IDMAP_SIZE - 1 - id;
	if (rest && room)
		m[n++] = (struct ward_idmap){id + 1, sub + id, rest < room ? rest : room};
	return n;
}

int idmaps_default(struct ward_idmaps *m, uint32_t root_base, uint32_t user_id,
                   struct ward_error *e)
{
	uid_t uid = geteuid();
	gid_t gid = getegid();
	*m = (struct ward_idmaps){0};
	if (uid == 0) {
		if (check_root_range(root_base, e) < 0)
			return -1;
		m->uid_map[0] = m->gid_map[0] = (struct ward_idmap){0, root_base, WARD_IDMAP_SIZE};
		m->n_uid_map = m->n_gid_map = 1;
		return 0;
	}
	m->uid_map[0] = (struct ward_idmap){0, uid, 1};
	m->gid_map[0] = (struct ward_idmap){0, gid, 1};
	m->n_uid_map = m->n_gid_map = 1;

	bool helpers = access(NEWUIDMAP, X_OK) == 0 && access(NEWGIDMAP, X_OK) == 0;
	if (user_id != 0 && !helpers)
		return ward_error_set(e, 0,
		                      "SANDBOX_USER_ID %u: rootless, mapping your uid to it needs "
		                      "newuidmap/newgidmap (package uidmap) and a range in "
		                      "/etc/subuid and /etc/subgid for the other ids",
		                      user_id);
	if (!helpers)
		return 0;
	struct passwd *pw = getpwuid(uid);
	const char *name = pw ? pw->pw_name : NULL;
	uint32_t us, uc, gs, gc;
	if (subid_lookup("/etc/subuid", name, uid, &us, &uc, NULL) != 0 ||
	    subid_lookup("/etc/subgid", name, uid, &gs, &gc, NULL) != 0) {
		if (user_id == 0)
			return 0;
		return ward_error_set(
		    e, 0,
		    "SANDBOX_USER_ID %u: rootless, the ids other than yours come "
		    "from /etc/subuid and /etc/subgid, which have no range for %s",
		    user_id, name ? name : "you");
	}
	m->use_newidmap = true;
	if (user_id && (uc < user_id || gc < user_id))
		return ward_error_set(
		    e, 0,
		    "SANDBOX_USER_ID %u: your subordinate ranges (%u uids, %u gids) "
		    "are too small to map the ids below it",
		    user_id, uc, gc);
	m->n_uid_map = around_caller(m->uid_map, user_id, uid, us, uc);
	m->n_gid_map = around_caller(m->gid_map, user_id, gid, gs, gc);
	return 0;
}

static int format_map(char *buf, size_t len, const struct ward_idmap *m, size_t n)
{
	size_t off = 0;
	for (size_t i = 0; i < n; i++) {
		int w = snprintf(buf + off, len - off, "%u %u %u\n", m[i].inside, m[i].outside,
		                 m[i].count);
		if (w < 0 || (size_t)w >= len - off)
			return -1;
		off += (size_t)w;
	}
	return 0;
}

static int write_proc_file(pid_t pid, const char *name, const char *text, struct ward_error *e)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/%s", pid, name);
	autoclose int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text)) {
		ward_error_set(e, errno, "user namespace: writing %s", name);
		return -1;
	}
	return 0;
}

/* newuidmap/newgidmap take "PID inside outside count ..." as arguments. */
static pid_t spawn_helper(const char *helper, pid_t pid, const struct ward_idmap *m, size_t n)
{
	char args[WARD_MAX_IDMAPS * 3 + 3][16];
	char *argv[WARD_MAX_IDMAPS * 3 + 3];
	size_t a = 0;
	argv[a++] = (char *)helper;
	snprintf(args[a], sizeof(args[a]), "%d", pid);
	argv[a] = args[a], a++;
	for (size_t i = 0; i < n; i++) {
		uint32_t v[3] = {m[i].inside, m[i].outside, m[i].count};
		for (int k = 0; k < 3; k++) {
			snprintf(args[a], sizeof(args[a]), "%u", v[k]);
			argv[a] = args[a], a++;
		}
	}
	argv[a] = NULL;
	pid_t child = vfork();
	if (child == 0) {
		execv(helper, argv);
		_exit(127);
	}
	return child;
}

static int wait_helper(pid_t child, const char *helper, struct ward_error *e)
{
	int status;
	while (waitpid(child, &status, 0) < 0)
		if (errno != EINTR) {
			ward_error_set(e, errno, "user namespace: waiting for %s", helper);
			return -1;
		}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		ward_error_set(e, 0,
		               "user namespace: %s refused the map (exit %d); check your ranges in "
		               "/etc/subuid and /etc/subgid",
		               helper,
		               WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
		return -1;
	}
	return 0;
}

uint32_t idmap_to_host(const struct ward_idmap *m, size_t n, uint32_t id)
{
	for (size_t i = 0; i < n; i++)
		if (id >= m[i].inside && id - m[i].inside < m[i].count)
			return m[i].outside + (id - m[i].inside);
	return UINT32_MAX;
}

int idmap_userns(const char *uid_map, const char *gid_map, struct ward_error *e)
{
	/* A helper unshares, says so, and waits while its maps are written and its namespace
	 * is opened; the open fd keeps the namespace after the helper is gone. */
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) {
		ward_error_set(e, errno, "user namespace for an idmapped mount");
		return -1;
	}
	pid_t p = fork();
	if (p == 0) {
		char b = 0;
		close(sv[1]);
		if (unshare(CLONE_NEWUSER) < 0 || write(sv[0], &b, 1) < 0 || read(sv[0], &b, 1) < 0)
			_exit(1);
		_exit(0);
	}
	close(sv[0]);
	int fd = -1;
	char b, path[64];
	snprintf(path, sizeof(path), "/proc/%d/ns/user", p);
	if (p < 0 || read(sv[1], &b, 1) != 1)
		ward_error_set(e, p < 0 ? errno : ECHILD, "user namespace for an idmapped mount");
	else if (write_proc_file(p, "uid_map", uid_map, e) == 0 &&
	         write_proc_file(p, "gid_map", gid_map, e) == 0 &&
	         (fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		ward_error_set(e, errno, "user namespace for an idmapped mount: %s", path);
	close(sv[1]);
	if (p > 0)
		waitpid(p, NULL, 0);
	return fd;
}

static int write_maps(pid_t pid, const struct ward_idmap *u, size_t nu, const struct ward_idmap *g,
                      size_t ng, bool deny_setgroups, struct ward_error *e)
{
	char buf[256];
	if (format_map(buf, sizeof(buf), u, nu) < 0 || write_proc_file(pid, "uid_map", buf, e) < 0)
		return -1;
	if (deny_setgroups && write_proc_file(pid, "setgroups", "deny", e) < 0)
		return -1;
	if (format_map(buf, sizeof(buf), g, ng) < 0 || write_proc_file(pid, "gid_map", buf, e) < 0)
		return -1;
	return 0;
}

int idmap_write(pid_t pid, const struct ward_idmaps *s, struct ward_error *e)
{
	if (s->use_newidmap) {
		/* Both helpers run at once: each is a setuid exec, the slowest step of a start. */
		pid_t u = spawn_helper(NEWUIDMAP, pid, s->uid_map, s->n_uid_map);
		pid_t g = spawn_helper(NEWGIDMAP, pid, s->gid_map, s->n_gid_map);
		if (u < 0 || g < 0) {
			ward_error_set(e, errno, "user namespace: starting newuidmap");
			if (u > 0)
				waitpid(u, NULL, 0);
			if (g > 0)
				waitpid(g, NULL, 0);
			return -1;
		}
		int ru = wait_helper(u, NEWUIDMAP, e);
		int rg = wait_helper(g, NEWGIDMAP, ru < 0 ? NULL : e);
		return ru < 0 || rg < 0 ? -1 : 0;
	}
	/* An unprivileged caller may only map its own gid after giving up setgroups. */
	return write_maps(pid, s->uid_map, s->n_uid_map, s->gid_map, s->n_gid_map, geteuid() != 0,
	                  e);
}

int idmap_write_identity(pid_t pid, const struct ward_idmaps *s, struct ward_error *e)
{
	struct ward_idmap u[WARD_MAX_IDMAPS], g[WARD_MAX_IDMAPS];
	for (size_t i = 0; i < s->n_uid_map; i++)
		u[i] = (struct ward_idmap){s->uid_map[i].inside, s->uid_map[i].inside,
		                           s->uid_map[i].count};
	for (size_t i = 0; i < s->n_gid_map; i++)
		g[i] = (struct ward_idmap){s->gid_map[i].inside, s->gid_map[i].inside,
		                           s->gid_map[i].count};
	return write_maps(pid, u, s->n_uid_map, g, s->n_gid_map, false, e);
}
