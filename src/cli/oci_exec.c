/* ward oci exec: another process in a running container, from a runtime-spec Process file
 * (--process, what engines send) or from the flags over the bundle's own process, as runc
 * builds it. */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "oci.h"

#define DEFAULT_PATH "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

enum {
	O_PROCESS = 'p',
	O_DETACH = 'd',
	O_TTY = 't',
	O_ENV = 'e',
	O_USER = 'u',
	O_GIDS = 'g',
	O_CAP = 'c',
	O_PIDFILE = 256,
	O_CONSOLE,
	O_CWD,
	O_NNP,
	O_APPARMOR,
	O_LABEL,
	O_PRESERVE,
};

static const struct option opts[] = {
    {"process", required_argument, NULL, O_PROCESS},
    {"detach", optional_argument, NULL, O_DETACH},
    {"pid-file", required_argument, NULL, O_PIDFILE},
    {"tty", optional_argument, NULL, O_TTY},
    {"console-socket", required_argument, NULL, O_CONSOLE},
    {"cwd", required_argument, NULL, O_CWD},
    {"env", required_argument, NULL, O_ENV},
    {"user", required_argument, NULL, O_USER},
    {"additional-gids", required_argument, NULL, O_GIDS},
    {"cap", required_argument, NULL, O_CAP},
    {"no-new-privs", optional_argument, NULL, O_NNP},
    {"apparmor", required_argument, NULL, O_APPARMOR},
    {"process-label", required_argument, NULL, O_LABEL},
    {"preserve-fds", required_argument, NULL, O_PRESERVE},
    {0},
};

static const char usage[] =
    "usage: ward-runc exec [OPTIONS] ID COMMAND [ARGS...]\n"
    "       ward-runc exec [OPTIONS] --process FILE ID\n"
    "Run another process in a running container and wait for it (its exit status is "
    "ours).\n"
    "  --process, -p FILE        a runtime-spec Process (JSON) instead of the flags below\n"
    "  --detach, -d              return once it runs\n"
    "  --pid-file FILE           write its pid there\n"
    "  --tty, -t                 give it a terminal (with --console-socket)\n"
    "  --console-socket SOCKET   where the pty's master is sent\n"
    "  --cwd DIR                 its working directory\n"
    "  --env, -e K=V             an environment variable (again for more)\n"
    "  --user, -u UID[:GID]      its user and group ids\n"
    "  --additional-gids, -g GID a supplementary group (again for more)\n"
    "  --cap, -c CAP             a capability added to its sets (again for more)\n"
    "  --no-new-privs            set no_new_privs\n"
    "  --apparmor PROFILE        its AppArmor profile\n"
    "  --process-label LABEL     its SELinux label\n"
    "  --preserve-fds N          pass fds 3 .. 3+N-1 to it\n"
    "Without --process it starts from the bundle's process (env, user, capabilities...).\n";

struct exec_args {
	const char *process;
	bool detach, tty, tty_set, nnp, nnp_set;
	const char *cwd, *user, *apparmor, *label;
	json_t *env, *gids, *caps;
	char pid_file[PATH_MAX], console[PATH_MAX];
	unsigned preserve;
};

static int uint_arg(const char *opt, const char *text, unsigned long max, unsigned long *out)
{
	char *end;
	errno = 0;
	*out = strtoul(text, &end, 10);
	if (!isdigit((unsigned char)text[0]) || *end || errno || *out > max)
		return oci_fail("exec: %s: '%s': not a number", opt, text);
	return 0;
}

static int path_arg(const char *opt, const char *path, char *out)
{
	char cwd[PATH_MAX];
	if (path[0] != '/' && !getcwd(cwd, sizeof(cwd)))
		return oci_fail("exec: %s: the current directory: %s", opt, strerror(errno));
	int n = path[0] == '/' ? snprintf(out, PATH_MAX, "%s", path)
	                       : snprintf(out, PATH_MAX, "%s/%s", cwd, path);
	return n < PATH_MAX ? 0 : oci_fail("exec: %s: too long", opt);
}

/* CAP as runc's sets name it: CAP_NAME, upper case. */
static json_t *cap_name(const char *cap)
{
	char buf[64];
	int n = snprintf(buf, sizeof(buf), "%s%s", strncasecmp(cap, "CAP_", 4) ? "CAP_" : "", cap);
	for (int i = 0; i < n && i < (int)sizeof(buf); i++)
		buf[i] = (char)toupper((unsigned char)buf[i]);
	return json_string(buf);
}

static int option(int v, struct exec_args *a)
{
	unsigned long n;
	switch (v) {
	case O_PROCESS:
		a->process = optarg;
		break;
	case O_DETACH:
		a->detach = oci_bool(optarg);
		break;
	case O_TTY:
		a->tty = oci_bool(optarg), a->tty_set = true;
		break;
	case O_NNP:
		a->nnp = oci_bool(optarg), a->nnp_set = true;
		break;
	case O_PIDFILE:
		return path_arg("--pid-file", optarg, a->pid_file);
	case O_CONSOLE:
		return path_arg("--console-socket", optarg, a->console);
	case O_CWD:
		a->cwd = optarg;
		break;
	case O_USER:
		a->user = optarg;
		break;
	case O_APPARMOR:
		a->apparmor = optarg;
		break;
	case O_LABEL:
		a->label = optarg;
		break;
	case O_ENV:
		return json_array_append_new(a->env, json_string(optarg))
		           ? oci_fail("out of memory")
		           : 0;
	case O_CAP:
		return json_array_append_new(a->caps, cap_name(optarg)) ? oci_fail("out of memory")
		                                                        : 0;
	case O_GIDS:
		if (uint_arg("--additional-gids", optarg, 0xffffffffUL, &n))
			return 1;
		return json_array_append_new(a->gids, json_integer((json_int_t)n)) ? 1 : 0;
	case O_PRESERVE:
		if (uint_arg("--preserve-fds", optarg, 65536, &n))
			return 1;
		a->preserve = (unsigned)n;
		break;
	}
	return 0;
}

/* The bundle's process (a copy), or a bare one when its config does not read. */
static json_t *bundle_process(const char *id, const char *dir)
{
	json_t *st = oci_state_json(id, dir);
	if (!st)
		return NULL;
	const char *bundle = json_string_value(json_object_get(st, "bundle"));
	char path[PATH_MAX];
	json_t *cfg = NULL, *p = NULL;
	if (bundle && snprintf(path, sizeof(path), "%s/config.json", bundle) < (int)sizeof(path))
		cfg = json_load_file(path, JSON_PRESERVE_ORDER, NULL);
	if (json_is_object(json_object_get(cfg, "process")))
		p = json_deep_copy(json_object_get(cfg, "process"));
	json_decref(cfg);
	json_decref(st);
	if (!p)
		p = json_pack("{s:s,s:{s:i,s:i},s:[]}", "cwd", "/", "user", "uid", 0, "gid", 0,
		              "env");
	return p;
}

static bool has_path(json_t *env)
{
	size_t i;
	json_t *v;
	json_array_foreach(env, i, v) if (json_is_string(v) &&
	                                  !strncmp(json_string_value(v), "PATH=", 5)) return true;
	return false;
}

/* append every item of ITEMS to P's array KEY (made when missing) */
static void extend(json_t *obj, const char *key, json_t *items)
{
	json_t *arr = json_object_get(obj, key);
	if (!json_is_array(arr))
		json_object_set_new(obj, key, arr = json_array());
	json_array_extend(arr, items);
}

static int user_into(json_t *p, const char *user)
{
	json_t *u = json_object_get(p, "user");
	if (!json_is_object(u))
		json_object_set_new(p, "user", u = json_object());
	char uid[32] = "";
	const char *colon = strchr(user, ':');
	unsigned long n;
	snprintf(uid, sizeof(uid), "%.*s", colon ? (int)(colon - user) : (int)strlen(user), user);
	if (uint_arg("--user", uid, 0xffffffffUL, &n))
		return 1;
	json_object_set_new(u, "uid", json_integer((json_int_t)n));
	if (colon) {
		if (uint_arg("--user", colon + 1, 0xffffffffUL, &n))
			return 1;
		json_object_set_new(u, "gid", json_integer((json_int_t)n));
	}
	return 0;
}

/* runc's getProcess: the bundle's process with the flags over it. */
static json_t *from_flags(struct exec_args *a, const char *id, const char *dir, int argc,
                          char **argv)
{
	json_t *p = bundle_process(id, dir);
	if (!p)
		return NULL;
	json_t *args = json_array();
	for (int i = 0; i < argc; i++)
		json_array_append_new(args, json_string(argv[i]));
	json_object_set_new(p, "args", args);
	if (a->cwd)
		json_object_set_new(p, "cwd", json_string(a->cwd));
	if (a->apparmor)
		json_object_set_new(p, "apparmorProfile", json_string(a->apparmor));
	if (a->label)
		json_object_set_new(p, "selinuxLabel", json_string(a->label));
	if (json_array_size(a->caps)) {
		json_t *c = json_object_get(p, "capabilities");
		if (!json_is_object(c))
			json_object_set_new(p, "capabilities", c = json_object());
		extend(c, "bounding", a->caps);
		extend(c, "effective", a->caps);
		extend(c, "permitted", a->caps);
		/* ambient ones need them inheritable: only when the bundle has some */
		if (json_array_size(json_object_get(c, "inheritable")))
			extend(c, "ambient", a->caps);
	}
	extend(p, "env", a->env);
	if (!has_path(json_object_get(p, "env")))
		json_array_append_new(json_object_get(p, "env"), json_string(DEFAULT_PATH));
	json_object_set_new(p, "terminal", json_boolean(a->tty_set && a->tty));
	if (a->nnp_set)
		json_object_set_new(p, "noNewPrivileges", json_boolean(a->nnp));
	if (a->user && user_into(p, a->user))
		return json_decref(p), NULL;
	if (json_array_size(a->gids)) {
		json_t *u = json_object_get(p, "user");
		if (!json_is_object(u))
			json_object_set_new(p, "user",
			                    u = json_pack("{s:i,s:i}", "uid", 0, "gid", 0));
		extend(u, "additionalGids", a->gids);
	}
	return p;
}

static char *process_text(struct exec_args *a, const char *id, const char *dir, int argc,
                          char **argv)
{
	if (a->process) {
		char *text = oci_read_file(a->process);
		json_t *j = text ? json_loads(text, 0, NULL) : NULL;
		bool ok = json_is_object(j);
		json_decref(j);
		if (text && !ok) {
			free(text);
			return oci_fail("exec: --process: %s: not a JSON object", a->process), NULL;
		}
		return text;
	}
	json_t *p = from_flags(a, id, dir, argc, argv);
	char *text = p ? json_dumps(p, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
	json_decref(p);
	return text;
}

static bool wants_terminal(const char *process_json)
{
	json_t *p = json_loads(process_json, 0, NULL);
	bool tty = json_is_true(json_object_get(p, "terminal"));
	json_decref(p);
	return tty;
}

static int run_exec(struct exec_args *a, int argc, char **argv)
{
	int v;
	static const struct oci_cmd c = {"exec", usage, opts, true};
	while ((v = oci_next(&c, argc, argv, NULL)) >= 0)
		if (option(v, a))
			return 1;
	if (v == OCI_HELP)
		return 0;
	if (v == OCI_BAD)
		return 1;
	if (optind >= argc)
		return oci_fail("exec: a container id is needed (usage: %s exec ID COMMAND)",
		                oci_g.prog);
	const char *id = argv[optind];
	int rest = argc - optind - 1;
	char **rargv = argv + optind + 1;
	if (rest > 0 && !strcmp(rargv[0], "--"))
		rargv++, rest--;
	if (!a->process && rest == 0)
		return oci_fail("exec: a command is needed after the id (or --process FILE)");
	char dir[PATH_MAX];
	if (oci_check_id(id) < 0 || oci_state_dir(id, false, dir, sizeof(dir)) < 0 ||
	    !oci_exists(id, dir, false))
		return 1;
	oci_close_fds(3 + a->preserve);
	char *text = process_text(a, id, dir, rest, rargv);
	if (!text)
		return 1;
	oci_debug("exec %s: %s", id, text);
	struct ward_container_exec_opts o = {
	    .process_json = text,
	    .pid_file = a->pid_file[0] ? a->pid_file : NULL,
	    .console_socket = a->console[0] ? a->console : NULL,
	    .preserve_fds = a->preserve,
	    .detach = a->detach,
	};
	/* a terminal without --console-socket, attached: our own pty, as runc exec -t; the
	 * process is started detached (our child) and waited for by the proxy */
	struct oci_console con = {.fd = -1};
	if (!o.console_socket && !o.detach && wants_terminal(text)) {
		if (oci_console_listen(&con))
			return free(text), 1;
		o.console_socket = con.path;
		o.detach = true;
	}
	struct ward_error e = {0};
	int status = 0;
	int r = ward_container_exec(dir, &o, &status, &e);
	free(text);
	if (r < 0) {
		oci_console_close(&con);
		return oci_fail_e(id, &e);
	}
	if (con.fd >= 0) {
		int master = oci_console_master(&con);
		if (master < 0) {
			kill(status, SIGKILL);
			waitpid(status, NULL, 0);
			return 1;
		}
		return oci_console_proxy(master, status);
	}
	return a->detach ? 0 : status;
}

int oci_cmd_exec(int argc, char **argv)
{
	struct exec_args a = {.env = json_array(), .gids = json_array(), .caps = json_array()};
	int r = run_exec(&a, argc, argv);
	json_decref(a.env);
	json_decref(a.gids);
	json_decref(a.caps);
	return r;
}
