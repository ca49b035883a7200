/* The containers endpoints that act on one container: create, start, stop, restart, kill,
 * wait, pause, unpause, delete, top; and the route table of the group. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "containers.h"

void ctr_list(struct api_req *r);    /* containers_json.c */
void ctr_inspect(struct api_req *r); /* containers_json.c */

static void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000};
	nanosleep(&ts, NULL);
}

static bool exists(struct serve *srv, const char *name, char id[WARD_SANDBOX_ID_LEN + 1])
{
	struct ward_sandbox_info *v;
	size_t n;
	struct ward_error e;
	bool found = false;
	if (ward_sandbox_list(srv->ctx, &v, &n, &e) < 0)
		return false;
	for (size_t i = 0; i < n && !found; i++)
		if (!strcmp(v[i].name, name)) {
			found = true;
			snprintf(id, WARD_SANDBOX_ID_LEN + 1, "%s", v[i].id);
		}
	ward_sandbox_list_free(v, n);
	return found;
}

/* Docker's random names: adjective_noun, a number added while taken. */
static void random_name(struct serve *srv, char *buf, size_t len)
{
	static const char *const adj[] = {"brave",   "calm",     "eager",  "gentle", "happy",
	                                  "jolly",   "keen",     "lucid",  "merry",  "nimble",
	                                  "quiet",   "sharp",    "sleepy", "steady", "tender",
	                                  "vibrant", "wizardly", "zealous"};
	static const char *const noun[] = {"babbage", "curie",  "darwin",  "euler",    "fermat",
	                                   "gauss",   "hopper", "kepler",  "lovelace", "newton",
	                                   "noether", "pascal", "ritchie", "shannon",  "turing"};
	char id[WARD_SANDBOX_ID_LEN + 1];
	unsigned seed = (unsigned)time(NULL) ^ (unsigned)getpid() ^ (unsigned)(uintptr_t)buf;
	for (int i = 0;; i++) {
		unsigned a = rand_r(&seed), b = rand_r(&seed);
		snprintf(buf, len, "%s_%s", adj[a % (sizeof(adj) / sizeof(*adj))],
		         noun[b % (sizeof(noun) / sizeof(*noun))]);
		if (i > 8)
			snprintf(buf + strlen(buf), len - strlen(buf), "%u", rand_r(&seed) % 1000);
		if (!exists(srv, buf, id))
			return;
	}
}

static void create(struct api_req *r)
{
	json_t *body = api_body_json(r);
	if (!body)
		return;
	const char *name = api_query(r, "name");
	char gen[64], id[WARD_SANDBOX_ID_LEN + 1], msg[1024];
	if (name && *name == '/')
		name++;
	if (name && *name && exists(r->srv, name, id)) {
		json_decref(body);
		return api_reply_error(r, 409,
		                       "Conflict. The container name \"/%s\" is already in use by "
		                       "container \"%s\". You have to remove (or rename) that "
		                       "container to be able to reuse that name.",
		                       name, id);
	}
	if (!name || !*name) {
		random_name(r->srv, gen, sizeof(gen));
		name = gen;
	}
	struct ward_spec *s;
	struct ward_image *img;
	struct ward_sandbox *sb;
	struct ward_error e;
	int status = ctr_spec_from_body(r->srv->store, body, name, &s, &img, msg, sizeof(msg));
	json_decref(body);
	if (status)
		return api_reply_error(r, status, "%s", msg);
	int rc = ward_sandbox_new(r->srv->ctx, s, &sb, &e);
	ward_spec_free(s);
	ward_image_close(img);
	if (rc < 0)
		return api_reply_ward_error(r, 400, &e);
	api_reply_json(r, 201, json_pack("{s:s, s:[]}", "Id", ward_sandbox_id(sb), "Warnings"));
	ward_sandbox_close(sb);
}

struct ward_sandbox *ctr_open(struct api_req *r, const char *ref)
{
	struct ward_sandbox *sb;
	struct ward_error e;
	const char *k = ref[0] == '/' ? ref + 1 : ref;
	if (ward_sandbox_open(r->srv->ctx, k, &sb, &e) == 0)
		return sb;
	if (strstr(e.msg, "no such"))
		api_reply_error(r, 404, "No such container: %s", k);
	else
		api_reply_ward_error(r, 400, &e);
	return NULL;
}

/* The container and what it is now; NULL with an error replied. */
static struct ward_sandbox *open_info(struct api_req *r, struct ward_sandbox_info *info)
{
	struct ward_error e;
	struct ward_sandbox *sb = ctr_open(r, r->arg[0]);
	if (sb && ward_sandbox_inspect(sb, info, &e) < 0) {
		api_reply_ward_error(r, 500, &e);
		ward_sandbox_close(sb);
		return NULL;
	}
	return sb;
}

static bool running(const struct ward_sandbox_info *i)
{
	return i->status == WARD_SANDBOX_RUNNING || i->status == WARD_SANDBOX_PAUSED;
}

/* A call on a running container failed: one that stopped meanwhile is Docker's 409 (a
 * stop's: 304). */
static void reply_failed(struct api_req *r, struct ward_sandbox *sb, const struct ward_error *e,
                         bool stop)
{
	struct ward_sandbox_info now;
	struct ward_error ignored;
	if (ward_sandbox_inspect(sb, &now, &ignored) == 0) {
		bool up = running(&now);
		ward_sandbox_info_release(&now);
		if (!up && stop)
			return api_reply_empty(r, 304);
		if (!up)
			return api_reply_error(r, 409, "Container %s is not running",
			                       ward_sandbox_id(sb));
	}
	api_reply_ward_error(r, 500, e);
}

static bool auto_remove(const struct ward_sandbox_info *i)
{
	json_t *cfg = ctr_docker_config(i);
	bool yes = json_is_true(json_object_get(json_object_get(cfg, "HostConfig"), "AutoRemove"));
	json_decref(cfg);
	return yes;
}

/* Containers being restarted: their stop is not the end AutoRemove waits for. */
static pthread_mutex_t restarting_lock = PTHREAD_MUTEX_INITIALIZER;
static char restarting[64][WARD_SANDBOX_ID_LEN + 1];

static bool set_restarting(const char *id, bool on)
{
	bool done = false;
	pthread_mutex_lock(&restarting_lock);
	for (size_t i = 0; i < 64 && !done; i++)
		if (on ? !restarting[i][0] : !strcmp(restarting[i], id)) {
			snprintf(restarting[i], sizeof(restarting[i]), "%s", on ? id : "");
			done = true;
		}
	pthread_mutex_unlock(&restarting_lock);
	return done;
}

static bool is_restarting(const char *id)
{
	bool yes = false;
	pthread_mutex_lock(&restarting_lock);
	for (size_t i = 0; i < 64 && !yes; i++)
		yes = !strcmp(restarting[i], id);
	pthread_mutex_unlock(&restarting_lock);
	return yes;
}

/* In the worker process: a start forks the sandbox's supervisor. */
static int start_fn(struct serve *srv, json_t *in, json_t **out, int progress_fd,
                    struct ward_error *e)
{
	struct ward_sandbox *sb;
	bool restart = json_is_true(json_object_get(in, "restart"));
	(void)out;
	(void)progress_fd;
	if (ward_sandbox_open(srv->ctx, json_string_value(json_object_get(in, "id")), &sb, e) < 0)
		return -1;
	int rc = restart ? ward_sandbox_restart(
	                       sb, (unsigned)json_integer_value(json_object_get(in, "grace")), e)
	                 : ward_sandbox_start(sb, e);
	ward_sandbox_close(sb);
	return rc;
}

static void run_start(struct api_req *r, struct ward_sandbox *sb,
                      const struct ward_sandbox_info *info, bool restart, long grace)
{
	struct ward_error e;
	json_t *out = NULL;
	json_t *in = json_pack("{s:s, s:b, s:I}", "id", ward_sandbox_id(sb), "restart", restart,
	                       "grace", (json_int_t)grace);
	bool marked = restart && set_restarting(ward_sandbox_id(sb), true);
	int rc = api_worker(r->srv, start_fn, in, &out, -1, &e);
	if (marked)
		set_restarting(ward_sandbox_id(sb), false);
	json_decref(in);
	json_decref(out);
	if (rc < 0)
		return api_reply_ward_error(r, 500, &e);
	if (auto_remove(info))
		ctr_auto_remove_watch(r->srv, ward_sandbox_id(sb));
	api_reply_empty(r, 204);
}

static void start(struct api_req *r)
{
	struct ward_sandbox_info info;
	struct ward_sandbox *sb = open_info(r, &info);
	if (!sb)
		return;
	if (running(&info))
		api_reply_empty(r, 304);
	else
		run_start(r, sb, &info, false, 0);
	ward_sandbox_info_release(&info);
	ward_sandbox_close(sb);
}

/* ?t=, else the container's StopTimeout, else Docker's 10 seconds. */
static int grace(struct api_req *r, const struct ward_sandbox_info *info, long *t)
{
	json_t *cfg = ctr_docker_config(info);
	json_t *st = json_object_get(json_object_get(cfg, "Config"), "StopTimeout");
	long dflt = json_is_integer(st) ? (long)json_integer_value(st) : 10;
	json_decref(cfg);
	if (api_query_long(r, "t", dflt, t) < 0)
		return -1;
	if (*t < 0)
		*t = 0;
	return 0;
}

static void stop(struct api_req *r)
{
	struct ward_sandbox_info info;
	struct ward_error e;
	long t;
	struct ward_sandbox *sb = open_info(r, &info);
	if (!sb)
		return;
	if (grace(r, &info, &t) == 0) {
		if (!running(&info))
			api_reply_empty(r, 304);
		else if (ward_sandbox_stop(sb, (unsigned)t, &e) < 0)
			reply_failed(r, sb, &e, true);
		else
			api_reply_empty(r, 204);
	}
	ward_sandbox_info_release(&info);
	ward_sandbox_close(sb);
}

static void restart(struct api_req *r)
{
	struct ward_sandbox_info info;
	long t;
	struct ward_sandbox *sb = open_info(r, &info);
	if (!sb)
		return;
	if (grace(r, &info, &t) == 0)
		run_start(r, sb, &info, true, t);
	ward_sandbox_info_release(&info);
	ward_sandbox_close(sb);
}

/* SIGKILL, KILL, kill, 9. */
static int signal_number(const char *s)
{
	if (!s || !*s)
		return SIGKILL;
	char *end;
	long n = strtol(s, &end, 10);
	if (!*end)
		return n > 0 && n < NSIG ? (int)n : -1;
	if (!strncasecmp(s, "SIG", 3))
		s += 3;
	for (int i = 1; i < NSIG; i++) {
		const char *a = sigabbrev_np(i);
		if (a && !strcasecmp(a, s))
			return i;
	}
	return -1;
}

static void kill_(struct api_req *r)
{
	struct ward_sandbox_info info;
	struct ward_error e;
	int sig = signal_number(api_query(r, "signal"));
	if (sig < 0)
		return api_reply_error(r, 400, "signal %s: not a signal name or number",
		                       api_query(r, "signal"));
	struct ward_sandbox *sb = open_info(r, &info);
	if (!sb)
		return;
	if (info.status != WARD_SANDBOX_RUNNING && info.status != WARD_SANDBOX_PAUSED)
		api_reply_error(r, 409, "Container %s is not running", info.id);
	else if (ward_sandbox_kill(sb, sig, &e) < 0)
		reply_failed(r, sb, &e, false);
	else
		api_reply_empty(r, 204);
	ward_sandbox_info_release(&info);
	ward_sandbox_close(sb);
}

static void pause_(struct api_req *r, bool pause)
{
	struct ward_sandbox_info info;
	struct ward_error e;
	struct ward_sandbox *sb = open_info(r, &info);
	if (!sb)
		return;
	if (info.status != WARD_SANDBOX_RUNNING && info.status != WARD_SANDBOX_PAUSED)
		api_reply_error(r, 409, "Container %s is not running", info.id);
	else if (pause && info.status == WARD_SANDBOX_PAUSED)
		api_reply_error(r, 409, "Container %s is already paused", info.id);
	else if (!pause && info.status != WARD_SANDBOX_PAUSED)
		api_reply_error(r, 409, "Container %s is not paused", info.id);
	else if ((pause ? ward_sandbox_pause(sb, &e) : ward_sandbox_unpause(sb, &e)) < 0)
		reply_failed(r, sb, &e, false);
	else
		api_reply_empty(r, 204);
	ward_sandbox_info_release(&info);
	ward_sandbox_close(sb);
}

static void pause_c(struct api_req *r)
{
	pause_(r, true);
}

static void unpause_c(struct api_req *r)
{
	pause_(r, false);
}

static void remove_(struct api_req *r)
{
	struct ward_sandbox_info info;
	struct ward_error e;
	bool force = api_query_bool(r, "force", false);
	struct ward_sandbox *sb = open_info(r, &info);
	if (!sb)
		return;
	if (running(&info) && !force)
		api_reply_error(r, 409,
		                "You cannot remove a running container %s. Stop the container "
		                "before attempting removal or force remove",
		                info.id);
	else if (ward_sandbox_remove(sb, force, &e) < 0)
		api_reply_ward_error(r, 500, &e);
	else
		api_reply_empty(r, 204);
	ward_sandbox_info_release(&info);
	ward_sandbox_close(sb);
}

/* wait: the headers go out at once (docker run waits before it starts the container), the
 * body once the condition holds. */
struct waiter {
	struct serve *srv;
	char id[WARD_SANDBOX_ID_LEN + 1];
	int fd;
	enum { W_NOT_RUNNING, W_NEXT_EXIT, W_REMOVED } cond;
};

static bool gone(struct serve *srv, const char *id)
{
	struct ward_sandbox *sb;
	struct ward_error e;
	if (ward_sandbox_open(srv->ctx, id, &sb, &e) < 0)
		return strstr(e.msg, "no such") != NULL;
	ward_sandbox_close(sb);
	return false;
}

/* Exit codes of the containers this server's AutoRemove removed, for waits that come to
 * them late (a wait for "removed" reads it here once the sandbox is gone). A ring: the last
 * REMOVED_KEPT. */
#define REMOVED_KEPT 256
static pthread_mutex_t removed_lock = PTHREAD_MUTEX_INITIALIZER;
static struct {
	char id[WARD_SANDBOX_ID_LEN + 1];
	int code;
} removed[REMOVED_KEPT];
static size_t removed_next;

static void removed_note(const char *id, int code)
{
	pthread_mutex_lock(&removed_lock);
	snprintf(removed[removed_next].id, sizeof(removed[0].id), "%s", id);
	removed[removed_next].code = code;
	removed_next = (removed_next + 1) % REMOVED_KEPT;
	pthread_mutex_unlock(&removed_lock);
}

static bool removed_code(const char *id, int *code)
{
	bool found = false;
	pthread_mutex_lock(&removed_lock);
	for (size_t i = 0; i < REMOVED_KEPT && !found; i++)
		if (!strcmp(removed[i].id, id)) {
			*code = removed[i].code;
			found = true;
		}
	pthread_mutex_unlock(&removed_lock);
	return found;
}

static int wait_sandbox(struct waiter *w, int *code, struct ward_error *e)
{
	struct ward_sandbox *sb;
	struct ward_sandbox_info info;
	if (ward_sandbox_open(w->srv->ctx, w->id, &sb, e) < 0)
		return -1;
	int rc = ward_sandbox_inspect(sb, &info, e);
	if (rc == 0 && w->cond == W_NEXT_EXIT && info.status == WARD_SANDBOX_STOPPED) {
		int64_t since = info.started_ms; /* until it has started again */
		struct ward_sandbox_info now = info;
		while (rc == 0 && now.started_ms == since && now.status == WARD_SANDBOX_STOPPED) {
			sleep_ms(50);
			rc = ward_sandbox_inspect(sb, &now, e);
			if (rc == 0)
				ward_sandbox_info_release(&now);
		}
	}
	if (rc == 0 && w->cond == W_NOT_RUNNING && info.status == WARD_SANDBOX_CREATED)
		*code = 0;
	else if (rc == 0)
		rc = ward_sandbox_wait(sb, code, e);
	if (rc == 0)
		ward_sandbox_info_release(&info);
	ward_sandbox_close(sb);
	return rc;
}

static int wait_for(struct waiter *w, int *code, struct ward_error *e)
{
	int rc = wait_sandbox(w, code, e);
	/* gone meanwhile: removed by our AutoRemove, whose table has the exit code */
	if (rc < 0 && removed_code(w->id, code))
		return 0;
	while (rc == 0 && w->cond == W_REMOVED && !gone(w->srv, w->id))
		sleep_ms(20);
	return rc;
}

static void *wait_thread(void *arg)
{
	struct waiter *w = arg;
	struct ward_error e;
	int code = -1;
	json_t *o = wait_for(w, &code, &e) < 0
	                ? json_pack("{s:i, s:{s:s}}", "StatusCode", -1, "Error", "Message", e.msg)
	                : json_pack("{s:i, s:n}", "StatusCode", code, "Error");
	char *text = o ? json_dumps(o, JSON_COMPACT) : NULL;
	if (text) {
		size_t n = strlen(text);
		text[n] = '\n';
		(void)!write(w->fd, text, n + 1);
	}
	free(text);
	json_decref(o);
	close(w->fd);
	free(w);
	return NULL;
}

static void wait_(struct api_req *r)
{
	const char *c = api_query(r, "condition");
	struct waiter *w = calloc(1, sizeof(*w));
	int p[2];
	if (!w)
		return api_reply_error(r, 500, "out of memory");
	w->srv = r->srv;
	if (!c || !*c || !strcmp(c, "not-running"))
		w->cond = W_NOT_RUNNING;
	else if (!strcmp(c, "next-exit"))
		w->cond = W_NEXT_EXIT;
	else if (!strcmp(c, "removed"))
		w->cond = W_REMOVED;
	else {
		free(w);
		return api_reply_error(r, 400, "invalid condition: \"%s\"", c);
	}
	struct ward_sandbox *sb = ctr_open(r, r->arg[0]);
	if (!sb) {
		free(w);
		return;
	}
	snprintf(w->id, sizeof(w->id), "%s", ward_sandbox_id(sb));
	ward_sandbox_close(sb);
	if (pipe2(p, O_CLOEXEC) < 0) {
		free(w);
		return api_reply_error(r, 500, "wait: %s", strerror(errno));
	}
	w->fd = p[1];
	if (api_thread(wait_thread, w) != 0) {
		close(p[0]);
		close(p[1]);
		free(w);
		return api_reply_error(r, 500, "wait: no thread");
	}
	api_reply_stream(r, 200, "application/json", p[0]);
}

/* AutoRemove is the server's (not libward's --rm): a wait for "removed" must still give the
 * exit code, which the watcher keeps (removed_note) before it removes the sandbox. One
 * watcher per container (WATCHED); a container restarted meanwhile is watched on. */
struct watch {
	struct serve *srv;
	char id[WARD_SANDBOX_ID_LEN + 1];
};

static pthread_mutex_t watched_lock = PTHREAD_MUTEX_INITIALIZER;
static char (*watched)[WARD_SANDBOX_ID_LEN + 1];
static size_t n_watched;

/* Mark ID watched (true: it was not yet), or unmark it. */
static bool set_watched(const char *id, bool on)
{
	bool was = false;
	pthread_mutex_lock(&watched_lock);
	for (size_t i = 0; i < n_watched && !was; i++)
		if (!strcmp(watched[i], id)) {
			was = true;
			if (!on)
				memmove(watched[i], watched[--n_watched], sizeof(watched[i]));
		}
	if (on && !was) {
		void *v = realloc(watched, (n_watched + 1) * sizeof(*watched));
		if (v) {
			watched = v;
			snprintf(watched[n_watched++], sizeof(*watched), "%s", id);
		} else {
			was = true; /* no memory: no watcher */
		}
	}
	pthread_mutex_unlock(&watched_lock);
	return on ? !was : was;
}

static void *watch_thread(void *arg)
{
	struct watch *w = arg;
	struct ward_sandbox *sb;
	struct ward_sandbox_info info;
	struct ward_error e;
	if (ward_sandbox_open(w->srv->ctx, w->id, &sb, &e) == 0) {
		int code;
		while (ward_sandbox_wait(sb, &code, &e) == 0) {
			if (ward_sandbox_inspect(sb, &info, &e) < 0)
				break;
			bool again = running(&info);
			ward_sandbox_info_release(&info);
			while (!again && is_restarting(w->id)) {
				sleep_ms(20);
				again = true; /* wait on the new run, or find it stopped */
			}
			if (!again) {
				removed_note(w->id, code); /* before it is gone: waits read it */
				if (ward_sandbox_remove(sb, false, &e) < 0)
					fprintf(stderr, "ward serve: AutoRemove of %.12s: %s\n",
					        w->id, e.msg);
				break;
			}
		}
		ward_sandbox_close(sb);
	}
	set_watched(w->id, false);
	free(w);
	return NULL;
}

void ctr_auto_remove_watch(struct serve *srv, const char *id)
{
	struct watch *w = calloc(1, sizeof(*w));
	if (!w || !set_watched(id, true)) {
		free(w);
		return;
	}
	w->srv = srv;
	snprintf(w->id, sizeof(w->id), "%s", id);
	if (api_thread(watch_thread, w) != 0) {
		set_watched(id, false);
		free(w);
	}
}

void ctr_auto_remove_sweep(struct serve *srv, struct ward_sandbox_info *v, size_t n)
{
	struct timespec now;
	clock_gettime(CLOCK_REALTIME, &now);
	int64_t ms = (int64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000;
	for (size_t i = 0; i < n; i++) {
		if (!auto_remove(&v[i]))
			continue;
		if (running(&v[i])) {
			ctr_auto_remove_watch(srv, v[i].id);
			continue;
		}
		struct ward_sandbox *sb;
		struct ward_error e;
		/* stopped a while ago with no watcher of this server: its watcher is gone */
		if (v[i].status != WARD_SANDBOX_STOPPED || ms - v[i].finished_ms < 5000 ||
		    !set_watched(v[i].id, true))
			continue;
		char id[WARD_SANDBOX_ID_LEN + 1];
		snprintf(id, sizeof(id), "%s", v[i].id);
		if (ward_sandbox_open(srv->ctx, id, &sb, &e) == 0) {
			if (ward_sandbox_remove(sb, false, &e) == 0)
				v[i].id[0] = 0;
			ward_sandbox_close(sb);
		}
		set_watched(id, false);
	}
}

/* top: ps -ef's columns for the processes in the container's pid namespace (ward's own init
 * left out). */
static json_t *proc_row(int pid, long hz, int64_t boot_s)
{
	char path[64], buf[8192], line[1024];
	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n = fd < 0 ? -1 : read(fd, line, sizeof(line) - 1);
	if (fd >= 0)
		close(fd);
	if (n <= 0)
		return NULL;
	line[n] = 0;
	char *rp = strrchr(line, ')');
	int ppid = 0;
	unsigned long ut = 0, st = 0;
	unsigned long long start = 0;
	if (!rp || sscanf(rp + 2,
	                  "%*c %d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu %*d %*d %*d "
	                  "%*d %*d %*d %llu",
	                  &ppid, &ut, &st, &start) != 4)
		return NULL;
	snprintf(path, sizeof(path), "/proc/%d/cmdline", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	n = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);
	if (fd >= 0)
		close(fd);
	n = n < 0 ? 0 : n;
	for (ssize_t i = 0; i < n; i++)
		buf[i] = buf[i] ? buf[i] : ' ';
	while (n > 0 && buf[n - 1] == ' ')
		n--;
	buf[n] = 0;
	struct stat sst;
	snprintf(path, sizeof(path), "/proc/%d", pid);
	char uid[16], spid[16], sppid[16], stime[16], tm[48];
	snprintf(uid, sizeof(uid), "%u", stat(path, &sst) == 0 ? (unsigned)sst.st_uid : 0u);
	snprintf(spid, sizeof(spid), "%d", pid);
	snprintf(sppid, sizeof(sppid), "%d", ppid);
	time_t t0 = (time_t)(boot_s + (int64_t)(start / (unsigned long long)hz));
	struct tm lt;
	strftime(stime, sizeof(stime), "%H:%M", localtime_r(&t0, &lt));
	unsigned long secs = (ut + st) / (unsigned long)hz;
	snprintf(tm, sizeof(tm), "%02lu:%02lu:%02lu", secs / 3600, secs / 60 % 60, secs % 60);
	return json_pack("[s, s, s, s, s, s, s, s]", uid, spid, sppid, "0", stime, "?", tm, buf);
}

static void top(struct api_req *r)
{
	struct ward_sandbox_info info;
	const char *args = api_query(r, "ps_args");
	if (args && *args)
		return api_reply_error(r, 400, "ps_args: not supported by ward");
	struct ward_sandbox *sb = open_info(r, &info);
	if (!sb)
		return;
	if (!running(&info)) {
		api_reply_error(r, 409, "Container %s is not running", info.id);
		goto out;
	}
	struct timespec up;
	clock_gettime(CLOCK_BOOTTIME, &up);
	int64_t boot_s = (int64_t)time(NULL) - up.tv_sec;
	long hz = sysconf(_SC_CLK_TCK);
	json_t *procs = json_array();
	DIR *d = opendir("/proc");
	struct dirent *de;
	while (d && (de = readdir(d))) {
		char path[300];
		struct stat ns;
		int pid = atoi(de->d_name);
		if (pid <= 0 || pid == info.init)
			continue;
		snprintf(path, sizeof(path), "/proc/%d/ns/pid", pid);
		if (stat(path, &ns) < 0 || (uint64_t)ns.st_ino != info.ns_pid)
			continue;
		json_t *row = proc_row(pid, hz, boot_s);
		if (row)
			json_array_append_new(procs, row);
	}
	if (d)
		closedir(d);
	api_reply_json(r, 200,
	               json_pack("{s:[s,s,s,s,s,s,s,s], s:o}", "Titles", "UID", "PID", "PPID", "C",
	                         "STIME", "TTY", "TIME", "CMD", "Processes", procs));
out:
	ward_sandbox_info_release(&info);
	ward_sandbox_close(sb);
}

static void not_supported(struct api_req *r)
{
	const char *what = strrchr(r->path, '/');
	api_reply_error(r, 501, "%s: not supported by ward", what ? what + 1 : r->path);
}

const struct api_route api_routes_containers[] = {
    {"GET", "/containers/json", ctr_list},
    {"POST", "/containers/create", create},
    {"GET", "/containers/{}/json", ctr_inspect},
    {"POST", "/containers/{}/start", start},
    {"POST", "/containers/{}/stop", stop},
    {"POST", "/containers/{}/restart", restart},
    {"POST", "/containers/{}/kill", kill_},
    {"POST", "/containers/{}/wait", wait_},
    {"POST", "/containers/{}/pause", pause_c},
    {"POST", "/containers/{}/unpause", unpause_c},
    {"DELETE", "/containers/{}", remove_},
    {"GET", "/containers/{}/top", top},
    {"GET", "/containers/{}/logs", ctr_logs},
    {"POST", "/containers/{}/rename", not_supported},
    {"POST", "/containers/{}/update", not_supported},
    {"GET", "/containers/{}/stats", not_supported},
    {"GET", "/containers/{}/changes", not_supported},
    {"GET", "/containers/{}/export", not_supported},
    {"POST", "/containers/prune", not_supported},
    {0},
};
