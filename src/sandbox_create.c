/* ward_sandbox_create, caller side: reserve the sandbox in the state root, fork its supervisor,
 * wait until it reports the sandbox ready (or why not). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <time.h>

#include "cgroup.h"
#include "digest.h"
#include "sandbox.h"
#include "spec_json.h"
#include "sys.h"

static void hash_strv(struct sha256 *h, char *const *v)
{
	for (size_t i = 0; v && v[i]; i++)
		sha256_update(h, v[i], strlen(v[i]) + 1);
	sha256_update(h, "\n", 1);
}

static void hash_str(struct sha256 *h, const char *s)
{
	sha256_update(h, s ? s : "", s ? strlen(s) + 1 : 0);
	sha256_update(h, "\n", 1);
}

/* What --persistent compares: everything that shapes the sandbox. */
static void spec_hash(const struct ward_spec *s, char out[DIGEST_LEN + 1])
{
	struct sha256 h;
	sha256_init(&h);
	hash_strv(&h, s->argv);
	hash_strv(&h, s->env);
	hash_str(&h, s->cwd);
	hash_str(&h, s->rootfs);
	hash_str(&h, s->hostname);
	if (s->hosts) /* the hash of a spec without stays what it was */
		hash_strv(&h, s->hosts);
	hash_str(&h, s->policy);
	for (size_t i = 0; i < s->n_volumes; i++) {
		hash_str(&h, s->volumes[i].host);
		hash_str(&h, s->volumes[i].container);
		sha256_update(&h, &s->volumes[i].mode, sizeof(s->volumes[i].mode));
	}
	for (size_t i = 0; i < s->n_tmpfs; i++) {
		hash_str(&h, s->tmpfs[i].container);
		uint64_t v[3] = {s->tmpfs[i].size, s->tmpfs[i].mode, s->tmpfs[i].noexec};
		sha256_update(&h, v, sizeof(v));
	}
	const struct ward_limits *l = &s->limits;
	uint64_t v[] = {s->uid,
	                s->gid,
	                s->read_only,
	                s->capabilities,
	                s->seccomp_unconfined,
	                s->allow_setid_volumes,
	                s->timeout_s,
	                s->user_id_set,
	                s->user_id,
	                s->root_idmap_base,
	                l->memory,
	                (uint64_t)l->swap,
	                l->pids,
	                l->cpu_quota,
	                l->cpu_period,
	                l->cpu_weight,
	                l->disk,
	                l->best_effort,
	                s->n_rlimits,
	                l->n_io};
	sha256_update(&h, v, sizeof(v));
	hash_str(&h, l->cpuset);
	for (size_t i = 0; i < s->n_rlimits; i++) {
		uint64_t r[3] = {(uint64_t)s->rlimits[i].resource, s->rlimits[i].soft,
		                 s->rlimits[i].hard};
		sha256_update(&h, r, sizeof(r));
	}
	uint64_t net[] = {s->network, s->n_publish, s->n_dns};
	sha256_update(&h, net, sizeof(net));
	for (size_t i = 0; i < s->n_publish; i++) {
		hash_str(&h, s->publish[i].addr);
		uint64_t p[2] = {s->publish[i].host_port, s->publish[i].port};
		sha256_update(&h, p, sizeof(p));
	}
	for (size_t i = 0; i < s->n_dns; i++)
		hash_str(&h, s->dns[i]);
	for (size_t i = 0; i < l->n_io; i++) {
		const struct ward_io_limit *io = &l->io[i];
		uint64_t r[6] = {io->major, io->minor, io->rbps, io->wbps, io->riops, io->wiops};
		sha256_update(&h, r, sizeof(r));
	}
	sha256_final(&h, out);
}

/* With --persistent --name: the sandbox of that name, if its spec is the same (running, or
 * stopped or created: ward_sandbox_create starts it again). */
static int existing(struct state *st, const struct ward_spec *o, const char *hash,
                    char id[STATE_ID_LEN + 1], struct ward_error *e)
{
	char link[64];
	ssize_t n = readlinkat(st->names, o->name, link, sizeof(link) - 1);
	if (n <= 0)
		return 0;
	link[n] = 0;
	struct sandbox_record rec;
	if (state_read(st, link, &rec, e) < 0)
		return -1;
	if (!o->persistent || strcmp(rec.spec_hash, hash) != 0) {
		ward_error_set(e, 0, "--name %s: taken by sandbox %s (%s%s)", o->name, rec.id,
		               sandbox_status_name(rec.status),
		               !o->persistent
		                   ? "; ward rm it first, or pass --persistent to reuse it"
		                   : " with another spec; ward rm -f it first");
		return -1;
	}
	strcpy(id, rec.id);
	return 1;
}

/* What it was made from, for listings (spec_prepare fills it). */
static const char *origin(const struct ward_spec *s)
{
	return s->origin ? s->origin : s->rootfs;
}

static void describe(const struct ward_spec *s, struct sandbox_record *rec)
{
	snprintf(rec->name, sizeof(rec->name), "%s", s->name ? s->name : "");
	rec->persistent = s->persistent;
	rec->auto_remove = s->auto_remove;
	snprintf(rec->image, sizeof(rec->image), "%s", origin(s));
	size_t k = 0;
	for (size_t i = 0; s->argv && s->argv[i] && k + 1 < sizeof(rec->command); i++)
		k += (size_t)snprintf(rec->command + k, sizeof(rec->command) - k, "%s%s",
		                      i ? " " : "", s->argv[i]);
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	rec->created = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The supervisor's stdio: nothing in, the sandbox's log out (init and its workload write
 * there, as does the supervisor about its own late failures). */
static void detach(int dirfd)
{
	int null = open("/dev/null", O_RDWR | O_CLOEXEC);
	int log =
	    openat(dirfd, "log", O_WRONLY | O_CREAT | O_APPEND | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (null < 0 || log < 0 || dup2(null, 0) < 0 || dup2(log, 1) < 0 || dup2(log, 2) < 0)
		_exit(125);
	close(null);
	close(log);
	setsid();
}

/* Fork the supervisor of REC (its directory DIRFD, its lock LOCKFD held; both consumed) and
 * wait until it reports the sandbox ready. FRESH: a new sandbox, removed if it fails; an
 * existing one keeps its record as it was. */
static int launch(struct state *st, const struct ward_spec *s, struct sandbox_record *rec,
                  int dirfd, int lockfd, bool fresh, struct ward_error *e)
{
	int rc = -1, pipefd[2];
	if (pipe2(pipefd, O_CLOEXEC) < 0) {
		ward_error_set(e, errno, "start: pipe");
		goto undo;
	}
	fflush(NULL);
	pid_t pid = fork();
	if (pid == 0) {
		close(pipefd[0]);
		detach(dirfd);
		sandbox_supervise(s, st, dirfd, lockfd, rec, pipefd[1], fresh);
	}
	close(pipefd[1]);
	if (pid < 0) {
		close(pipefd[0]);
		ward_error_set(e, errno, "start: forking the supervisor");
		goto undo;
	}
	char buf[1200];
	size_t len = 0;
	ssize_t n;
	while (len < sizeof(buf) - 1 &&
	       ((n = read(pipefd[0], buf + len, sizeof(buf) - 1 - len)) > 0 ||
	        (n < 0 && errno == EINTR)))
		len += n > 0 ? (size_t)n : 0;
	buf[len] = 0;
	close(pipefd[0]);
	if (!strncmp(buf, "ok\n", 3)) {
		rc = 0;
		close(lockfd);
		lockfd = -1;
	} else if (!strncmp(buf, "error ", 6)) {
		buf[strcspn(buf, "\n")] = 0;
		ward_error_set(e, 0, "%s", buf + 6);
		/* the supervisor removed or restored the state itself once it saw the start fail */
		close(lockfd);
		lockfd = -1;
	} else {
		ward_error_set(e, 0, "start: the supervisor died while starting the sandbox");
	}
	if (rc < 0) /* it has exited or is exiting: reap it, so that its pid reads as gone */
		while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
			;
undo:
	if (lockfd >= 0) {
		/* ours is the last hold on the lock: a new record can go; an existing one is
		 * cleaned by the next look (state_collect) if its supervisor got that far */
		close(lockfd);
		state_lock(st, true);
		struct sandbox_record cur;
		struct ward_error ignored;
		if (fresh && !state_alive(st, rec->id))
			state_remove(st, state_read(st, rec->id, &cur, &ignored) == 0 ? &cur : rec,
			             &ignored);
		cgroup_sweep_all(); /* it may have died before naming its cgroups */
		state_unlock(st);
	}
	close(dirfd);
	return rc;
}

static int check_resident(const struct ward_spec *s, struct ward_error *e)
{
	if (ward_spec_validate(s, e) < 0)
		return -1;
	if (s->changes)
		return ward_error_set(e, 0, "--changes: not for ward create (use ward run)");
	if ((s->tty || s->interactive) && (!s->argv || !s->argv[0]))
		return ward_error_set(e, 0,
		                      "%s: needs a command (an idle sandbox has no terminal "
		                      "or stdin of its own; give -t and -i to ward exec)",
		                      s->tty ? "-t" : "-i");
	return 0;
}

/* Reserve a new sandbox for S (a reused one of the same name: *found set) with its config
 * written; returns its directory, *lockfd held. */
static int reserve(struct state *st, const struct ward_spec *s, struct sandbox_record *rec,
                   int *lockfd, bool *found, struct ward_error *e)
{
	*found = false;
	spec_hash(s, rec->spec_hash);
	describe(s, rec);
	json_t *config = spec_to_json(s);
	if (!config) /* jansson takes only UTF-8 (or memory ran out) */
		return ward_error_set(e, 0,
		                      "create: the sandbox's config cannot be recorded: every "
		                      "argument, variable, path and label must be UTF-8");
	int dirfd = -1;
	state_lock(st, true);
	int got = s->name ? existing(st, s, rec->spec_hash, rec->id, e) : 0;
	*found = got == 1;
	if (got == 0)
		dirfd = state_reserve(st, rec, lockfd, e);
	if (dirfd >= 0 && state_write_config(dirfd, config, e) < 0) {
		close(*lockfd);
		state_remove(st, rec, e);
		close(dirfd);
		dirfd = -1;
	}
	state_unlock(st);
	json_decref(config);
	return dirfd;
}

/* A new sandbox for S: started (START) or only made, status created. */
static int create(const struct ward_context *c, const struct ward_spec *s, bool start,
                  char id[STATE_ID_LEN + 1], bool *reused, struct ward_error *e)
{
	if (check_resident(s, e) < 0)
		return -1;
	struct state st;
	if (state_open(&st, c, e) < 0)
		return -1;
	state_collect(&st);
	struct sandbox_record rec = {0};
	int lockfd = -1, rc = -1;
	struct ward_spec plain = *s;
	plain.persistent = s->persistent && start; /* only a start reuses a name */
	int dirfd = reserve(&st, &plain, &rec, &lockfd, reused, e);
	if (*reused) {
		rc = 0;
	} else if (dirfd >= 0 && start) {
		rc = launch(&st, s, &rec, dirfd, lockfd, true, e);
	} else if (dirfd >= 0) {
		rec.status = SB_CREATED;
		rc = state_write(dirfd, &rec, e);
		if (rc < 0) {
			state_lock(&st, true);
			state_remove(&st, &rec, e);
			state_unlock(&st);
		}
		close(lockfd);
		close(dirfd);
	}
	if (rc == 0)
		strcpy(id, rec.id);
	state_close(&st);
	return rc;
}

int sandbox_create_start(const struct ward_context *c, const struct ward_spec *s,
                         char id[STATE_ID_LEN + 1], bool *reused, struct ward_error *e)
{
	return create(c, s, true, id, reused, e);
}

int sandbox_define(const struct ward_context *c, const struct ward_spec *s,
                   char id[STATE_ID_LEN + 1], struct ward_error *e)
{
	bool reused;
	return create(c, s, false, id, &reused, e);
}

int sandbox_start_existing(const struct ward_context *c, const char *id, struct ward_spec *s,
                           struct ward_error *e)
{
	struct state st;
	if (state_open(&st, c, e) < 0)
		return -1;
	state_collect(&st);
	int rc = -1, dirfd = -1, lockfd = -1;
	struct sandbox_record rec;
	char path[64];
	snprintf(path, sizeof(path), "%s", id);
	dirfd = openat(st.boxes, path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	lockfd = dirfd < 0 ? -1 : openat(dirfd, "lock", O_RDWR | O_NOFOLLOW | O_CLOEXEC);
	if (lockfd < 0) {
		ward_error_set(e, errno, "sandbox %s: opening its state", id);
		goto out;
	}
	/* held: it runs, another call starts it, or its last supervisor has recorded the stop
	 * and is still exiting (then the lock is free within moments) */
	struct timespec tick = {0, 10 * 1000 * 1000};
	for (int i = 0; flock(lockfd, LOCK_EX | LOCK_NB) < 0; i++) {
		state_lock(&st, false);
		int got = state_read(&st, id, &rec, e);
		state_unlock(&st);
		if (got < 0)
			goto out;
		if ((rec.status != SB_STOPPED && rec.status != SB_CREATED) || i == 500) {
			rc = 1;
			goto out;
		}
		nanosleep(&tick, NULL);
	}
	state_lock(&st, false);
	int got = state_read(&st, id, &rec, e);
	state_unlock(&st);
	if (got < 0)
		goto out;
	if (rec.status != SB_STOPPED && rec.status != SB_CREATED) {
		ward_error_set(e, 0, "sandbox %s is %s", id, sandbox_status_name(rec.status));
		goto out;
	}
	s->keep_upper = !s->auto_remove && !s->read_only;
	s->layer_in = openat(dirfd, STATE_LAYER, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (s->layer_in < 0 && errno != ENOENT) {
		ward_error_set(e, errno, "sandbox %s: opening its saved writable layer", id);
		goto out;
	}
	rc = launch(&st, s, &rec, dirfd, lockfd, false, e);
	dirfd = lockfd = -1;
out:
	if (s->layer_in >= 0)
		close(s->layer_in);
	s->layer_in = -1;
	if (lockfd >= 0)
		close(lockfd);
	if (dirfd >= 0)
		close(dirfd);
	state_close(&st);
	return rc;
}
