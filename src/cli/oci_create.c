/* ward oci create, run and start: a bundle's config.json into a spec, the container made
 * (its process waits before its execve), then let go. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "oci.h"

enum {
	O_BUNDLE = 'b',
	O_DETACH = 'd',
	O_PIDFILE = 256,
	O_CONSOLE,
	O_NOPIVOT,
	O_NOKEYRING,
	O_PRESERVE,
	O_KEEP,
};

#define CREATE_OPTS                                                                                \
	{"bundle", required_argument, NULL, O_BUNDLE},                                             \
	    {"pid-file", required_argument, NULL, O_PIDFILE},                                      \
	    {"console-socket", required_argument, NULL, O_CONSOLE},                                \
	    {"no-pivot", optional_argument, NULL, O_NOPIVOT},                                      \
	    {"no-new-keyring", optional_argument, NULL, O_NOKEYRING},                              \
	{                                                                                          \
		"preserve-fds", required_argument, NULL, O_PRESERVE                                \
	}
static const struct option create_opts[] = {CREATE_OPTS, {0}};
static const struct option run_opts[] = {
    CREATE_OPTS,
    {"detach", optional_argument, NULL, O_DETACH},
    {"keep", optional_argument, NULL, O_KEEP},
    {0},
};

static const char create_usage[] =
    "usage: ward-runc create [OPTIONS] ID\n"
    "Create the container of a bundle: its process waits until ward-runc start ID.\n"
    "  --bundle, -b DIR         the bundle (config.json and its root; default: the current\n"
    "                           directory)\n"
    "  --pid-file FILE          write the container process's pid there\n"
    "  --console-socket SOCKET  with process.terminal: where the pty's master is sent\n"
    "  --no-pivot               move the root and chroot instead of pivot_root (ramfs)\n"
    "  --no-new-keyring         keep the caller's session keyring\n"
    "  --preserve-fds N         pass fds 3 .. 3+N-1 to the process (besides LISTEN_FDS)\n";

static const char run_usage[] =
    "usage: ward-runc run [OPTIONS] ID\n"
    "Create and start the container of a bundle, wait for it, forward signals to it, exit\n"
    "with its status and delete it.\n"
    "  --bundle, -b DIR         the bundle (default: the current directory)\n"
    "  --pid-file FILE          write the container process's pid there\n"
    "  --console-socket SOCKET  with process.terminal: where the pty's master is sent\n"
    "  --detach, -d             return once it runs (the process is left to the caller's\n"
    "                           reaper)\n"
    "  --keep                   do not delete it once it stops\n"
    "  --no-pivot               move the root and chroot instead of pivot_root\n"
    "  --no-new-keyring         keep the caller's session keyring\n"
    "  --preserve-fds N         pass fds 3 .. 3+N-1 to the process\n";

struct create_args {
	const char *id;
	char bundle[PATH_MAX];
	char pid_file[PATH_MAX];
	char console[PATH_MAX];
	struct ward_container_opts o;
	bool detach, keep;
};

/* PATH made absolute against the current directory, as runc does before it moves. */
static int absolute(const char *opt, const char *path, char *out)
{
	char cwd[PATH_MAX];
	if (path[0] == '/')
		return snprintf(out, PATH_MAX, "%s", path) < PATH_MAX
		           ? 0
		           : oci_fail("%s: too long", opt);
	if (!getcwd(cwd, sizeof(cwd)))
		return oci_fail("%s: the current directory: %s", opt, strerror(errno));
	if (snprintf(out, PATH_MAX, "%s/%s", cwd, path) >= PATH_MAX)
		return oci_fail("%s: too long", opt);
	return 0;
}

static int parse(const struct oci_cmd *c, int argc, char **argv, struct create_args *a)
{
	int v;
	const char *bundle = ".";
	while ((v = oci_next(c, argc, argv, NULL)) >= 0) {
		char *end;
		switch (v) {
		case O_BUNDLE:
			bundle = optarg;
			break;
		case O_PIDFILE:
			if (absolute("--pid-file", optarg, a->pid_file))
				return 1;
			a->o.pid_file = a->pid_file;
			break;
		case O_CONSOLE:
			if (absolute("--console-socket", optarg, a->console))
				return 1;
			a->o.console_socket = a->console;
			break;
		case O_NOPIVOT:
			a->o.no_pivot = oci_bool(optarg);
			break;
		case O_NOKEYRING:
			a->o.no_new_keyring = oci_bool(optarg);
			break;
		case O_PRESERVE:
			errno = 0;
			unsigned long n = strtoul(optarg, &end, 10);
			if (!*optarg || *end || errno || n > 65536 || optarg[0] == '-')
				return oci_fail("--preserve-fds: '%s': not a count", optarg);
			a->o.preserve_fds = (unsigned)n;
			break;
		case O_DETACH:
			a->detach = oci_bool(optarg);
			break;
		case O_KEEP:
			a->keep = oci_bool(optarg);
			break;
		}
	}
	if (v == OCI_HELP)
		return -1;
	if (v == OCI_BAD || oci_one_id(c, argc, argv, &a->id) < 0)
		return 1;
	a->o.id = a->id;
	if (bundle[0] ? absolute("--bundle", bundle, a->bundle) : oci_fail("--bundle: empty"))
		return 1;
	return 0;
}

/* Whether the bundle's process asks for a terminal (runc run then makes its own pty). */
static bool wants_terminal(const char *bundle)
{
	char path[PATH_MAX + 16];
	snprintf(path, sizeof(path), "%s/config.json", bundle);
	json_t *cfg = json_load_file(path, 0, NULL);
	bool tty = json_is_true(json_object_get(json_object_get(cfg, "process"), "terminal"));
	json_decref(cfg);
	return tty;
}

/* The container made; its process is our child (*PID). */
static int make(struct create_args *a, char *dir, size_t len, pid_t *pid)
{
	if (oci_state_dir(a->id, true, dir, len) < 0)
		return 1;
	if (oci_exists(a->id, dir, true))
		return oci_fail("%s: container with this id exists (in %s)", a->id, oci_g.root);
	a->o.state_dir = dir;
	struct ward_error e = {0};
	struct ward_spec *s = NULL;
	oci_debug("create %s: bundle %s", a->id, a->bundle);
	if (ward_spec_new(&s, &e) < 0)
		return oci_fail_e(a->id, &e);
	int r = 0;
	if (ward_spec_load_oci(s, a->bundle, &e) < 0 ||
	    (oci_g.harden && ward_spec_set_oci_harden(s, &e) < 0) ||
	    ward_container_create(oci_context(), s, &a->o, pid, &e) < 0)
		r = oci_fail_e(a->id, &e);
	ward_spec_free(s);
	if (!r)
		oci_debug("create %s: pid %d", a->id, (int)*pid);
	return r;
}

int oci_cmd_create(int argc, char **argv)
{
	static const struct oci_cmd c = {"create", create_usage, create_opts, false};
	struct create_args a = {0};
	char dir[PATH_MAX];
	pid_t pid;
	int r = parse(&c, argc, argv, &a);
	if (r)
		return r < 0 ? 0 : r;
	/* what the engine leaked (the shim's ttrpc socket as fd 3) stays out of the
	 * container; the preserved ones are the library's to pass */
	oci_close_fds(3 + a.o.preserve_fds);
	/* the process stays behind for the engine's reaper (a subreaper adopts it) */
	return make(&a, dir, sizeof(dir), &pid);
}

/* Wait for PID, forwarding every signal we get to it; its status as a shell gives it. */
static int wait_forwarding(pid_t pid)
{
	sigset_t all;
	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, NULL);
	for (;;) {
		int st;
		pid_t w = waitpid(pid, &st, WNOHANG);
		if (w == pid)
			return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
		if (w < 0 && errno != EINTR)
			return oci_fail("wait: %s", strerror(errno)), 255;
		siginfo_t si;
		int sig = sigwaitinfo(&all, &si);
		if (sig > 0 && sig != SIGCHLD && sig != SIGURG && sig != SIGWINCH)
			kill(pid, sig);
	}
}

int oci_cmd_run(int argc, char **argv)
{
	static const struct oci_cmd c = {"run", run_usage, run_opts, false};
	struct create_args a = {0};
	char dir[PATH_MAX];
	pid_t pid;
	int r = parse(&c, argc, argv, &a);
	if (r)
		return r < 0 ? 0 : r;
	oci_close_fds(3 + a.o.preserve_fds); /* as create: before our own fds open */
	struct oci_console con = {.fd = -1};
	int master = -1;
	if (!a.o.console_socket && !a.detach && wants_terminal(a.bundle)) {
		if (oci_console_listen(&con))
			return 1;
		a.o.console_socket = con.path;
	}
	r = make(&a, dir, sizeof(dir), &pid);
	if (!r && con.fd >= 0 && (master = oci_console_master(&con)) < 0)
		r = 1;
	oci_console_close(&con);
	struct ward_error e = {0};
	if (r || ward_container_start(dir, &e) < 0) {
		if (!r)
			r = oci_fail_e(a.id, &e);
		if (master >= 0) {
			close(master);
			ward_container_delete(dir, true, &e);
		}
		return r;
	}
	if (a.detach)
		return 0;
	int status = master >= 0 ? oci_console_proxy(master, pid) : wait_forwarding(pid);
	if (!a.keep && ward_container_delete(dir, true, &e) < 0)
		oci_fail_e(a.id, &e);
	return status;
}

static const char start_usage[] = "usage: ward-runc start ID\n"
                                  "Let a created container's process run.\n";

int oci_cmd_start(int argc, char **argv)
{
	static const struct oci_cmd c = {"start", start_usage, NULL, false};
	const char *id;
	char dir[PATH_MAX];
	int v;
	while ((v = oci_next(&c, argc, argv, NULL)) >= 0)
		;
	if (v == OCI_HELP)
		return 0;
	if (v == OCI_BAD || oci_one_id(&c, argc, argv, &id) < 0 ||
	    oci_state_dir(id, false, dir, sizeof(dir)) < 0 || !oci_exists(id, dir, false))
		return 1;
	oci_close_fds(3);
	struct ward_error e = {0};
	if (ward_container_start(dir, &e) < 0)
		return oci_fail_e(id, &e);
	return 0;
}
