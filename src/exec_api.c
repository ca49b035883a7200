/* ward_exec: a command for a running sandbox, built through setters, run by sb_exec; its
 * result as ward exec --json prints it. */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "sandbox.h"
#include "strv.h"

struct ward_exec {
	char **argv, **env; /* owned, NULL-terminated */
	size_t n_env;
	char *cwd, *user;
	bool tty, interactive, capture;
	unsigned timeout_s;
	int stdio[3];
	size_t max_output;
	struct exec_winsize winsize;
};

int ward_exec_new(struct ward_exec **out, struct ward_error *e)
{
	struct ward_exec *x = calloc(1, sizeof(*x));
	if (!x)
		return ward_error_set(e, ENOMEM, "exec");
	x->stdio[0] = 0;
	x->stdio[1] = 1;
	x->stdio[2] = 2;
	pthread_mutex_init(&x->winsize.mu, NULL);
	x->winsize.master = -1;
	*out = x;
	return 0;
}

static void strv_drop(char **v)
{
	for (size_t i = 0; v && v[i]; i++)
		free(v[i]);
	free(v);
}

void ward_exec_free(struct ward_exec *x)
{
	if (!x)
		return;
	strv_drop(x->argv);
	strv_drop(x->env);
	free(x->cwd);
	free(x->user);
	pthread_mutex_destroy(&x->winsize.mu);
	free(x);
}

int ward_exec_set_argv(struct ward_exec *x, int argc, char *const argv[], struct ward_error *e)
{
	if (argc < 1 || !argv[0] || !argv[0][0])
		return ward_error_set(e, 0, "exec: no command");
	char **v = calloc((size_t)argc + 1, sizeof(char *));
	for (int i = 0; v && i < argc; i++)
		if (!(v[i] = strdup(argv[i]))) {
			strv_drop(v);
			v = NULL;
		}
	if (!v)
		return ward_error_set(e, ENOMEM, "exec: command");
	strv_drop(x->argv);
	x->argv = v;
	return 0;
}

int ward_exec_add_env(struct ward_exec *x, const char *kv, struct ward_error *e)
{
	if (!strchr(kv, '=') || kv[0] == '=')
		return ward_error_set(e, 0, "-e %s: expected K=V", kv);
	char **v = realloc(x->env, (x->n_env + 2) * sizeof(char *));
	if (!v)
		return ward_error_set(e, ENOMEM, "-e");
	x->env = v;
	if (!(v[x->n_env] = strdup(kv)))
		return ward_error_set(e, ENOMEM, "-e");
	v[++x->n_env] = NULL;
	return 0;
}

int ward_exec_set_cwd(struct ward_exec *x, const char *dir, struct ward_error *e)
{
	return str_replace(&x->cwd, dir, "-w", e);
}

int ward_exec_set_user(struct ward_exec *x, const char *user, struct ward_error *e)
{
	return str_replace(&x->user, user, "-u", e);
}

void ward_exec_set_tty(struct ward_exec *x, bool tty)
{
	x->tty = tty;
}

void ward_exec_set_interactive(struct ward_exec *x, bool interactive)
{
	x->interactive = interactive;
}

void ward_exec_set_timeout(struct ward_exec *x, unsigned seconds)
{
	x->timeout_s = seconds;
}

void ward_exec_set_stdio(struct ward_exec *x, int in, int out, int err)
{
	x->stdio[0] = in;
	x->stdio[1] = out;
	x->stdio[2] = err;
}

void ward_exec_set_winsize(struct ward_exec *x, unsigned short rows, unsigned short cols)
{
	pthread_mutex_lock(&x->winsize.mu);
	x->winsize.rows = rows;
	x->winsize.cols = rows ? cols : 0;
	pthread_mutex_unlock(&x->winsize.mu);
}

int ward_exec_resize(struct ward_exec *x, unsigned short rows, unsigned short cols,
                     struct ward_error *e)
{
	if (!rows || !cols)
		return ward_error_set(e, 0, "resize: %ux%u: expected rows and columns above 0",
		                      rows, cols);
	ward_exec_set_winsize(x, rows, cols);
	pthread_mutex_lock(&x->winsize.mu);
	int rc = 0;
	struct winsize ws = {.ws_row = rows, .ws_col = cols};
	if (x->winsize.master < 0)
		rc = ward_error_set(e, 0, "resize: the command has no terminal now");
	else if (ioctl(x->winsize.master, TIOCSWINSZ, &ws) < 0)
		rc = ward_error_set(e, errno, "resize");
	pthread_mutex_unlock(&x->winsize.mu);
	return rc;
}

void ward_exec_set_capture(struct ward_exec *x, size_t max)
{
	x->capture = true;
	x->max_output = max ? max : 1 << 20;
}

int ward_sandbox_exec(struct ward_sandbox *sb, const struct ward_exec *x,
                      struct ward_exec_result *res, struct ward_error *e)
{
	*res = (struct ward_exec_result){.exit_code = 125};
	if (!x->argv)
		return ward_error_set(e, 0, "exec: no command");
	if (x->capture && x->tty)
		return ward_error_set(e, 0, "exec: a terminal's output cannot be captured apart");
	struct ward_exec_opts o = {
	    .argv = x->argv,
	    .env = x->env,
	    .cwd = x->cwd,
	    .user = x->user,
	    .tty = x->tty,
	    .interactive = x->interactive,
	    .timeout_s = x->timeout_s,
	    .stdio = {x->stdio[0], x->stdio[1], x->stdio[2]},
	    .capture = {-1, -1},
	    .max_output = x->max_output,
	    /* the handle is the caller's to resize from another thread while this runs */
	    .winsize = (struct exec_winsize *)&x->winsize,
	};
	int out[2] = {-1, -1}, err[2] = {-1, -1};
	if (x->capture) {
		if (pipe2(out, O_CLOEXEC) < 0 || pipe2(err, O_CLOEXEC) < 0) {
			int errnum = errno;
			for (int i = 0; i < 2; i++)
				if (out[i] >= 0)
					close(out[i]);
			return ward_error_set(e, errnum, "exec: pipes for the captured output");
		}
		o.stdio[1] = out[1];
		o.stdio[2] = err[1];
		o.capture[0] = out[0];
		o.capture[1] = err[0];
	}
	/* the write ends are sent along: the command holds them, the drain does not need ours
	 * closed (it stops at the exit event) */
	int rc = sb_exec(sb, &o, res, e);
	for (int i = 0; i < 2; i++) {
		if (out[i] >= 0)
			close(out[i]);
		if (err[i] >= 0)
			close(err[i]);
	}
	return rc;
}

void ward_exec_result_free(struct ward_exec_result *res)
{
	free(res->out[0]);
	free(res->out[1]);
	res->out[0] = res->out[1] = NULL;
}

/* JSON string of bytes that may not be UTF-8: invalid bytes become U+FFFD. */
static json_t *bytes_json(const char *p, size_t n)
{
	json_t *s = json_stringn(p ? p : "", p ? n : 0);
	if (s)
		return s;
	char *clean = malloc(n * 3 + 1);
	size_t k = 0;
	for (size_t i = 0; clean && i < n;) {
		unsigned char c = (unsigned char)p[i];
		size_t len = c < 0x80         ? 1
		             : (c >> 5) == 6  ? 2
		             : (c >> 4) == 14 ? 3
		             : (c >> 3) == 30 ? 4
		                              : 0;
		json_t *one = len && i + len <= n ? json_stringn(p + i, len) : NULL;
		if (one) {
			memcpy(clean + k, p + i, len);
			k += len;
			i += len;
			json_decref(one);
		} else {
			memcpy(clean + k, "\xef\xbf\xbd", 3);
			k += 3;
			i++;
		}
	}
	s = clean ? json_stringn(clean, k) : NULL;
	free(clean);
	return s;
}

char *ward_exec_result_json(const struct ward_exec_result *r, const struct ward_error *e,
                            bool failed)
{
	json_t *o = json_pack(
	    "{s:i, s:i, s:o, s:o, s:b, s:I, s:I, s:I, s:b, s:b}", "exitCode", r->exit_code,
	    "signal", r->signal, "stdout", bytes_json(r->out[0], r->len[0]), "stderr",
	    bytes_json(r->out[1], r->len[1]), "truncated",
	    r->total[0] > r->len[0] || r->total[1] > r->len[1], "stdoutBytes",
	    (json_int_t)r->total[0], "stderrBytes", (json_int_t)r->total[1], "durationMs",
	    (json_int_t)r->duration_ms, "timedOut", r->timed_out, "oomKilled", r->oom_killed);
	if (o && failed)
		json_object_set_new(o, "error", json_string(e ? e->msg : ""));
	char *text = o ? json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
	json_decref(o);
	return text;
}
