/* Exec instances: POST /containers/{id}/exec, /exec/{id}/start (hijacked or detached),
 * /exec/{id}/json, /exec/{id}/resize. They live in the server's memory (srv->execs). */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "serve.h"

#define EXEC_MAX     512
#define EXEC_KEEP_MS (10 * 60 * 1000) /* a finished instance is kept this long for its json */

struct exec_inst {
	char id[65];
	char cid[WARD_SANDBOX_ID_LEN + 1];
	struct ward_sandbox *sb;
	struct ward_exec *x;
	json_t *argv; /* the command, for ProcessConfig */
	char *user;
	bool tty, in, out, err;
	bool started, running, busy; /* busy: a start's thread still uses it */
	int exit_code;
	int64_t finished_ms;
};

struct exec_table {
	pthread_mutex_t mu;
	struct exec_inst *v[EXEC_MAX];
	size_t n;
};

static pthread_mutex_t table_mu = PTHREAD_MUTEX_INITIALIZER;

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static struct exec_table *table(struct serve *srv)
{
	pthread_mutex_lock(&table_mu);
	if (!srv->execs && (srv->execs = calloc(1, sizeof(*srv->execs))))
		pthread_mutex_init(&srv->execs->mu, NULL);
	pthread_mutex_unlock(&table_mu);
	return srv->execs;
}

static void inst_free(struct exec_inst *x)
{
	ward_exec_free(x->x);
	ward_sandbox_close(x->sb);
	json_decref(x->argv);
	free(x->user);
	free(x);
}

/* Drop finished instances past their keep time; with the table full, the oldest finished.
 * Called with t->mu held. */
static void expire(struct exec_table *t)
{
	int64_t now = now_ms();
	size_t k = 0, oldest = EXEC_MAX;
	for (size_t i = 0; i < t->n; i++) {
		struct exec_inst *x = t->v[i];
		bool done = !x->busy && !x->running && x->finished_ms;
		if (done && now - x->finished_ms > EXEC_KEEP_MS) {
			inst_free(x);
			continue;
		}
		if (done && (oldest == EXEC_MAX || x->finished_ms < t->v[oldest]->finished_ms))
			oldest = k;
		t->v[k++] = x;
	}
	t->n = k;
	if (t->n == EXEC_MAX && oldest < EXEC_MAX) {
		inst_free(t->v[oldest]);
		t->v[oldest] = t->v[--t->n];
	}
}

/* The instance ID (a unique prefix of 12 or more, as Docker takes), with t->mu held. */
static struct exec_inst *find(struct exec_table *t, const char *id)
{
	size_t len = strlen(id);
	struct exec_inst *hit = NULL;
	for (size_t i = 0; len >= 12 && len <= 64 && i < t->n; i++)
		if (!strncmp(t->v[i]->id, id, len)) {
			if (hit)
				return NULL;
			hit = t->v[i];
		}
	return hit;
}

/* The table, locked (the caller finds its instance there and unlocks); NULL with a 500
 * replied when there is no memory for a table. */
static struct exec_table *locked_table(struct api_req *r)
{
	struct exec_table *t = table(r->srv);
	if (!t) {
		api_reply_error(r, 500, "exec: out of memory");
		return NULL;
	}
	pthread_mutex_lock(&t->mu);
	return t;
}

/* A running container, or a reply: 404 unknown, 409 paused or not running. */
static struct ward_sandbox *running_container(struct api_req *r, const char *ref)
{
	struct ward_error e = {0};
	struct ward_sandbox *sb = NULL;
	const char *name = ref[0] == '/' ? ref + 1 : ref;
	if (ward_sandbox_open(r->srv->ctx, name, &sb, &e) < 0) {
		api_reply_error(r, 404, "No such container: %s", ref);
		return NULL;
	}
	struct ward_sandbox_info info;
	if (ward_sandbox_inspect(sb, &info, &e) < 0) {
		ward_sandbox_close(sb);
		api_reply_ward_error(r, 500, &e);
		return NULL;
	}
	enum ward_sandbox_status st = info.status;
	ward_sandbox_info_release(&info);
	if (st == WARD_SANDBOX_RUNNING)
		return sb;
	if (st == WARD_SANDBOX_PAUSED)
		api_reply_error(r, 409, "Container %s is paused, unpause the container before exec",
		                ward_sandbox_id(sb));
	else
		api_reply_error(r, 409, "Container %s is not running", ward_sandbox_id(sb));
	ward_sandbox_close(sb);
	return NULL;
}

static bool random_id(char out[65])
{
	unsigned char b[32];
	if (getrandom(b, sizeof(b), 0) != sizeof(b))
		return false;
	for (size_t i = 0; i < sizeof(b); i++)
		snprintf(out + 2 * i, 3, "%02x", b[i]);
	return true;
}

/* ward_exec from the create body, or -1 with the 400 replied. */
static int exec_from_body(struct api_req *r, json_t *b, struct exec_inst *x)
{
	struct ward_error e = {0};
	json_t *cmd = json_object_get(b, "Cmd"), *v;
	size_t i;
	if (json_is_true(json_object_get(b, "Privileged"))) {
		api_reply_error(r, 400, "Privileged: not supported by ward");
		return -1;
	}
	const char *dk = json_string_value(json_object_get(b, "DetachKeys"));
	if (dk && dk[0]) {
		api_reply_error(r, 400, "DetachKeys: not supported by ward");
		return -1;
	}
	if (!json_is_array(cmd) || !json_array_size(cmd)) {
		api_reply_error(r, 400, "No exec command specified");
		return -1;
	}
	size_t argc = json_array_size(cmd);
	const char **argv = calloc(argc + 1, sizeof(char *));
	json_array_foreach(cmd, i, v)
	{
		if (argv && !json_is_string(v)) {
			free(argv);
			api_reply_error(r, 400, "Cmd: expected an array of strings");
			return -1;
		}
		if (argv)
			argv[i] = json_string_value(v);
	}
	int rc = !argv || ward_exec_new(&x->x, &e) < 0 ||
	                 ward_exec_set_argv(x->x, (int)argc, (char *const *)argv, &e) < 0
	             ? -1
	             : 0;
	free(argv);
	json_array_foreach(json_object_get(b, "Env"), i, v)
	{
		if (rc == 0 &&
		    (!json_is_string(v) || ward_exec_add_env(x->x, json_string_value(v), &e) < 0)) {
			api_reply_error(r, 400, "Env: %s",
			                json_is_string(v) ? e.msg : "expected strings");
			return -1;
		}
	}
	const char *wd = json_string_value(json_object_get(b, "WorkingDir"));
	const char *user = json_string_value(json_object_get(b, "User"));
	if (rc == 0 && wd && wd[0] && ward_exec_set_cwd(x->x, wd, &e) < 0)
		rc = -1;
	if (rc == 0 && user && user[0] &&
	    (ward_exec_set_user(x->x, user, &e) < 0 || !(x->user = strdup(user))))
		rc = -1;
	if (rc < 0) {
		api_reply_ward_error(r, 400, &e);
		return -1;
	}
	x->tty = json_is_true(json_object_get(b, "Tty"));
	x->in = json_is_true(json_object_get(b, "AttachStdin"));
	x->out = json_is_true(json_object_get(b, "AttachStdout"));
	x->err = json_is_true(json_object_get(b, "AttachStderr"));
	ward_exec_set_tty(x->x, x->tty);
	ward_exec_set_interactive(x->x, x->in);
	json_t *cs = json_object_get(b, "ConsoleSize"); /* [rows, cols], newer clients */
	if (json_array_size(cs) == 2)
		ward_exec_set_winsize(x->x,
		                      (unsigned short)json_integer_value(json_array_get(cs, 0)),
		                      (unsigned short)json_integer_value(json_array_get(cs, 1)));
	x->argv = json_incref(cmd);
	return 0;
}

static void exec_create(struct api_req *r)
{
	json_t *b = api_body_json(r);
	if (!b)
		return;
	struct exec_inst *x = calloc(1, sizeof(*x));
	if (!x) {
		json_decref(b);
		api_reply_error(r, 500, "exec: out of memory");
		return;
	}
	if (exec_from_body(r, b, x) < 0 || !(x->sb = running_container(r, r->arg[0]))) {
		json_decref(b);
		inst_free(x);
		return;
	}
	json_decref(b);
	snprintf(x->cid, sizeof(x->cid), "%s", ward_sandbox_id(x->sb));
	struct exec_table *t = table(r->srv);
	if (!t || !random_id(x->id)) {
		inst_free(x);
		api_reply_error(r, 500, "exec: no memory or randomness for an instance");
		return;
	}
	pthread_mutex_lock(&t->mu);
	expire(t);
	bool full = t->n == EXEC_MAX;
	if (!full)
		t->v[t->n++] = x;
	pthread_mutex_unlock(&t->mu);
	if (full) {
		inst_free(x);
		api_reply_error(r, 503, "exec: %d instances run already", EXEC_MAX);
		return;
	}
	api_reply_json(r, 201, json_pack("{s:s}", "Id", x->id));
}

/* What one start does: copies between the client and the command's pipes (no TTY). */
struct relay {
	int in, out;      /* the client's side: IN -1 when it sends nothing */
	int pin, pout[2]; /* the command's stdin (write end), stdout and stderr (read ends) */
	bool send[2];     /* frame stdout / stderr to OUT (else read and dropped) */
	atomic_bool done; /* the command has ended: stop once its pipes are quiet */
};

static void *relay_main(void *arg)
{
	struct relay *rl = arg;
	char buf[32768], pend[4096];
	size_t npend = 0;
	bool client_ok = true;
	while (rl->pout[0] >= 0 || rl->pout[1] >= 0) {
		struct pollfd p[4] = {{.fd = rl->pout[0], .events = POLLIN},
		                      {.fd = rl->pout[1], .events = POLLIN},
		                      {.fd = npend ? -1 : rl->in, .events = POLLIN},
		                      {.fd = npend ? rl->pin : -1, .events = POLLOUT}};
		int n = poll(p, 4, atomic_load(&rl->done) ? 100 : 500);
		if (n < 0 && errno != EINTR)
			break;
		if (n == 0 && atomic_load(&rl->done))
			break; /* writers the command left behind are not waited for */
		for (int i = 0; i < 2; i++) {
			if (!p[i].revents)
				continue;
			ssize_t got = read(rl->pout[i], buf, sizeof(buf));
			if (got > 0 && client_ok && rl->send[i])
				client_ok = api_write_frame(rl->out, i + 1, buf, (size_t)got) == 0;
			else if (got == 0 || (got < 0 && errno != EINTR && errno != EAGAIN)) {
				close(rl->pout[i]);
				rl->pout[i] = -1;
			}
		}
		if (p[2].revents) {
			ssize_t got = read(rl->in, pend, sizeof(pend));
			if (got > 0) {
				npend = (size_t)got;
			} else if (got == 0 || (errno != EINTR && errno != EAGAIN)) {
				rl->in = -1; /* end of the client's stdin: the command's too */
				close(rl->pin);
				rl->pin = -1;
			}
		}
		if (p[3].revents) {
			ssize_t w = write(rl->pin, pend, npend);
			if (w > 0) {
				memmove(pend, pend + w, npend - (size_t)w);
				npend -= (size_t)w;
			} else if (w < 0 && errno != EINTR && errno != EAGAIN) {
				npend = 0; /* the command closed its stdin */
				rl->in = -1;
				close(rl->pin);
				rl->pin = -1;
			}
		}
	}
	return NULL;
}

static void record_end(struct serve *srv, struct exec_inst *x, int code)
{
	struct exec_table *t = table(srv);
	pthread_mutex_lock(&t->mu);
	x->exit_code = code;
	x->running = false;
	x->finished_ms = now_ms();
	pthread_mutex_unlock(&t->mu);
}

/* Without a TTY: the command's stdout and stderr through pipes, framed to OUT by a relay
 * thread; stdin from IN through a pipe when attached. */
static int run_piped(struct exec_inst *x, int in, int out, int devnull,
                     struct ward_exec_result *res, struct ward_error *e)
{
	int po[2] = {-1, -1}, pe[2] = {-1, -1}, pi[2] = {-1, -1}, rc = -1;
	bool want_in = x->in && in >= 0;
	if (pipe2(po, O_CLOEXEC) < 0 || pipe2(pe, O_CLOEXEC) < 0 ||
	    (want_in && pipe2(pi, O_CLOEXEC) < 0)) {
		ward_error_set(e, errno, "exec: pipes");
		goto out;
	}
	if (want_in)
		fcntl(pi[1], F_SETFL, O_NONBLOCK);
	struct relay rl = {.in = want_in ? in : -1,
	                   .out = out,
	                   .pin = pi[1],
	                   .pout = {po[0], pe[0]},
	                   .send = {x->out && out >= 0, x->err && out >= 0}};
	po[0] = pe[0] = pi[1] = -1; /* the relay's now */
	atomic_init(&rl.done, false);
	ward_exec_set_interactive(x->x, want_in);
	ward_exec_set_stdio(x->x, want_in ? pi[0] : devnull, po[1], pe[1]);
	pthread_t th;
	bool threaded = pthread_create(&th, NULL, relay_main, &rl) == 0;
	rc = ward_sandbox_exec(x->sb, x->x, res, e);
	/* the command has ended: the relay drains what it wrote (EOF once no writer is left, or a
	 * quiet moment when its background children hold the pipes), then stops */
	close(po[1]), po[1] = -1;
	close(pe[1]), pe[1] = -1;
	if (pi[0] >= 0)
		close(pi[0]), pi[0] = -1;
	atomic_store(&rl.done, true);
	if (threaded)
		pthread_join(th, NULL);
	for (int i = 0; i < 2; i++)
		if (rl.pout[i] >= 0)
			close(rl.pout[i]);
	if (rl.pin >= 0)
		close(rl.pin);
out:
	for (int i = 0; i < 2; i++) {
		if (po[i] >= 0)
			close(po[i]);
		if (pe[i] >= 0)
			close(pe[i]);
		if (pi[i] >= 0)
			close(pi[i]);
	}
	return rc;
}

struct start_arg {
	struct serve *srv;
	struct exec_inst *x;
};

/* Run the command with the relay between the client and it; stdin from IN (-1: none). */
static void run_exec(struct start_arg *a, int in, int out)
{
	struct exec_inst *x = a->x;
	struct ward_error e = {0};
	struct ward_exec_result res = {.exit_code = 126};
	int devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
	int code;
	if (x->tty) {
		/* the library relays the pty to these fds itself: raw bytes both ways (detached:
		 * read and dropped, or the command would block on a full terminal) */
		if (out < 0)
			out = devnull;
		ward_exec_set_interactive(x->x, x->in && in >= 0);
		ward_exec_set_stdio(x->x, x->in && in >= 0 ? in : devnull, out, out);
		code = ward_sandbox_exec(x->sb, x->x, &res, &e) < 0 ? -1 : 0;
		if (code < 0 && out >= 0) {
			char line[1100];
			int n = snprintf(line, sizeof(line), "%s\r\n", e.msg);
			if (write(out, line, (size_t)n) < 0) {
				/* the client is gone */
			}
		}
	} else {
		code = run_piped(x, in, out, devnull, &res, &e);
		if (code < 0 && out >= 0 && api_write_frame(out, 2, e.msg, strlen(e.msg)) == 0)
			api_write_frame(out, 2, "\n", 1);
	}
	record_end(a->srv, x, res.exit_code);
	if (code == 0)
		ward_exec_result_free(&res);
	if (devnull >= 0)
		close(devnull);
}

static void hijacked(int in, int out, void *arg)
{
	run_exec(arg, in, out);
}

static void start_release(void *arg)
{
	struct start_arg *a = arg;
	struct exec_table *t = table(a->srv);
	pthread_mutex_lock(&t->mu);
	a->x->busy = false;
	if (a->x->running) { /* the connection went before the command could start */
		a->x->running = false;
		a->x->exit_code = 126;
		a->x->finished_ms = now_ms();
	}
	pthread_mutex_unlock(&t->mu);
	free(a);
}

static void *detached(void *arg)
{
	run_exec(arg, -1, -1);
	start_release(arg);
	return NULL;
}

static void exec_start(struct api_req *r)
{
	json_t *b = api_body_json(r);
	if (!b)
		return;
	bool detach = json_is_true(json_object_get(b, "Detach"));
	json_decref(b);
	struct exec_table *t = locked_table(r);
	if (!t)
		return;
	struct exec_inst *x = find(t, r->arg[0]);
	bool was = x && x->started;
	if (x && !was)
		x->started = x->running = x->busy = true;
	pthread_mutex_unlock(&t->mu);
	if (!x) {
		api_reply_error(r, 404, "No such exec instance: %s", r->arg[0]);
		return;
	}
	if (was) {
		api_reply_error(r, 409, "Exec instance %s has already been started", x->id);
		return;
	}
	struct start_arg *a = malloc(sizeof(*a));
	if (a)
		*a = (struct start_arg){.srv = r->srv, .x = x};
	struct ward_sandbox_info info = {0};
	struct ward_error e = {0};
	int st = ward_sandbox_inspect(x->sb, &info, &e) < 0 ? -1 : (int)info.status;
	ward_sandbox_info_release(&info);
	if (!a || st != WARD_SANDBOX_RUNNING) {
		if (a)
			start_release(a);
		else
			api_reply_error(r, 500, "exec: out of memory");
		if (a && st == WARD_SANDBOX_PAUSED)
			api_reply_error(r, 409,
			                "Container %s is paused, unpause the container before exec",
			                x->cid);
		else if (a)
			api_reply_error(r, 409, "Container %s is not running", x->cid);
		return;
	}
	if (detach) {
		int err = api_thread(detached, a);
		if (err) {
			start_release(a);
			api_reply_error(r, 500, "exec: a thread: %s", strerror(err));
			return;
		}
		api_reply_empty(r, 200);
		return;
	}
	api_reply_hijack(r,
	                 x->tty ? "application/vnd.docker.raw-stream"
	                        : "application/vnd.docker.multiplexed-stream",
	                 hijacked, a, start_release);
}

static void exec_json(struct api_req *r)
{
	struct exec_table *t = locked_table(r);
	if (!t)
		return;
	struct exec_inst *x = find(t, r->arg[0]);
	json_t *j = NULL;
	if (x) {
		json_t *args = json_array();
		for (size_t i = 1; i < json_array_size(x->argv); i++)
			json_array_append(args, json_array_get(x->argv, i));
		bool ended = x->started && !x->running && x->finished_ms;
		j = json_pack("{s:s, s:b, s:o, s:{s:b, s:s, s:o, s:b, s:s}, s:b, s:b, s:b, s:b, "
		              "s:s, s:s, s:i}",
		              "ID", x->id, "Running", x->running, "ExitCode",
		              ended ? json_integer(x->exit_code) : json_null(), "ProcessConfig",
		              "tty", x->tty, "entrypoint",
		              json_string_value(json_array_get(x->argv, 0)), "arguments", args,
		              "privileged", 0, "user", x->user ? x->user : "", "OpenStdin", x->in,
		              "OpenStdout", x->out, "OpenStderr", x->err, "CanRemove", 0,
		              "ContainerID", x->cid, "DetachKeys", "", "Pid", 0);
	}
	pthread_mutex_unlock(&t->mu);
	if (!x)
		api_reply_error(r, 404, "No such exec instance: %s", r->arg[0]);
	else if (!j)
		api_reply_error(r, 500, "exec: out of memory");
	else
		api_reply_json(r, 200, j);
}

static void exec_resize(struct api_req *r)
{
	long h, w;
	if (api_query_long(r, "h", 0, &h) < 0 || api_query_long(r, "w", 0, &w) < 0)
		return;
	if (h <= 0 || w <= 0 || h > 65535 || w > 65535) {
		api_reply_error(r, 400, "resize: h=%ld w=%ld: expected 1 to 65535", h, w);
		return;
	}
	struct exec_table *t = locked_table(r);
	if (!t)
		return;
	struct exec_inst *x = find(t, r->arg[0]);
	bool tty = x && x->tty;
	struct ward_error e = {0};
	/* before the pty exists, the size is kept for it */
	if (tty && ward_exec_resize(x->x, (unsigned short)h, (unsigned short)w, &e) < 0 &&
	    e.err == 0)
		e.msg[0] = 0;
	pthread_mutex_unlock(&t->mu);
	if (!x)
		api_reply_error(r, 404, "No such exec instance: %s", r->arg[0]);
	else if (!tty)
		api_reply_error(r, 400, "exec %s has no terminal to resize", x->id);
	else if (e.msg[0])
		api_reply_ward_error(r, 500, &e);
	else
		api_reply_empty(r, 200);
}

const struct api_route api_routes_exec[] = {
    {"POST", "/containers/{}/exec", exec_create},
    {"POST", "/exec/{}/start", exec_start},
    {"GET", "/exec/{}/json", exec_json},
    {"POST", "/exec/{}/resize", exec_resize},
    {0},
};
