/* ward oci / ward-runc: the global options and the command table. */
#include <stdio.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "oci.h"
#include "ward/ward.h"

struct oci_globals oci_g = {.prog = "ward-runc"};

static const char usage[] =
    "usage: ward-runc [GLOBAL OPTIONS] COMMAND [OPTIONS] ID   (also: ward oci ...)\n"
    "runc's command line: containerd, CRI-O and podman drive ward through it.\n"
    "\n"
    "commands:\n"
    "  create     create a container from a bundle (its process waits for start)\n"
    "  start      let a created container's process run\n"
    "  run        create and start a container, wait for it\n"
    "  state      a container's state as JSON\n"
    "  kill       signal a container's process (--all: every process)\n"
    "  delete     remove a stopped container (--force: any)\n"
    "  list       the containers of the root\n"
    "  ps         a container's processes\n"
    "  exec       run another process in a running container\n"
    "  pause      freeze every process of a container\n"
    "  resume     thaw a paused container\n"
    "  update     change a container's resources\n"
    "  features   what this runtime supports, as JSON\n"
    "  spec       print a default config.json\n"
    "\n"
    "global options:\n"
    "  --root DIR                where containers' records live (default /run/ward/oci,\n"
    "                            $XDG_RUNTIME_DIR/ward/oci when not root)\n"
    "  --log FILE                append errors (and --debug lines) to FILE as well\n"
    "  --log-format text|json    the log file's format (default text)\n"
    "  --debug                   debug lines in the log\n"
    "  --systemd-cgroup          refused: ward manages cgroups itself (cgroupfs)\n"
    "  --rootless true|false|auto  accepted (ward decides by the caller's uid)\n"
    "  --criu PATH               refused: ward does not checkpoint\n"
    "  --version, -v             the version\n"
    "  --help, -h                this text\n";

enum { G_ROOT = 1, G_LOG, G_LOGFMT, G_DEBUG, G_SYSTEMD, G_ROOTLESS, G_CRIU, G_VERSION, G_HELP };

static const struct option globals[] = {
    {"root", required_argument, NULL, G_ROOT},
    {"log", required_argument, NULL, G_LOG},
    {"log-format", required_argument, NULL, G_LOGFMT},
    {"debug", optional_argument, NULL, G_DEBUG},
    {"systemd-cgroup", optional_argument, NULL, G_SYSTEMD},
    {"rootless", required_argument, NULL, G_ROOTLESS},
    {"criu", required_argument, NULL, G_CRIU},
    {"version", optional_argument, NULL, 'v'},
    {"help", optional_argument, NULL, 'h'},
    {0},
};

static int version(void)
{
	printf("ward-runc version %s\ncommit: ward-%s\nspec: 1.2.0\n", WARD_VERSION, WARD_VERSION);
	return 0;
}

static int refuse(int argc, char **argv)
{
	(void)argc;
	if (!strcmp(argv[0], "events"))
		return oci_fail("events: ward does not stream container events");
	return oci_fail("%s: ward does not checkpoint containers (no CRIU)", argv[0]);
}

static const struct {
	const char *name;
	int (*fn)(int, char **);
} commands[] = {
    {"create", oci_cmd_create},
    {"start", oci_cmd_start},
    {"run", oci_cmd_run},
    {"state", oci_cmd_state},
    {"kill", oci_cmd_kill},
    {"delete", oci_cmd_delete},
    {"list", oci_cmd_list},
    {"ps", oci_cmd_ps},
    {"exec", oci_cmd_exec},
    {"pause", oci_cmd_pause},
    {"resume", oci_cmd_resume},
    {"update", oci_cmd_update},
    {"features", oci_cmd_features},
    {"spec", oci_cmd_spec},
    {"checkpoint", refuse},
    {"restore", refuse},
    {"events", refuse},
};

static bool is_command(const char *name)
{
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(name, commands[i].name))
			return true;
	return false;
}

/* Not the host's user namespace (rootless podman runs its runtime as root in its own). */
static bool in_user_namespace(void)
{
	FILE *f = fopen("/proc/self/uid_map", "re");
	unsigned a = 0, b = 0, c = 0;
	bool init =
	    f && fscanf(f, "%u %u %u", &a, &b, &c) == 3 && a == 0 && b == 0 && c == 4294967295u;
	if (f)
		fclose(f);
	return !init;
}

/* As runc chooses: /run for root, $XDG_RUNTIME_DIR for others and for root in a user
 * namespace whose XDG_RUNTIME_DIR is its own (rootless podman calls without --root). None:
 * the commands that need one say so. */
static void default_root(void)
{
	static char buf[4096];
	const char *x = getenv("XDG_RUNTIME_DIR");
	struct stat st;
	bool xdg = x && x[0] == '/' &&
	           (geteuid() != 0 ||
	            (in_user_namespace() && stat(x, &st) == 0 && st.st_uid == geteuid()));
	if (geteuid() == 0 && !xdg) {
		oci_g.root = "/run/ward/oci";
		return;
	}
	if (!xdg)
		return;
	snprintf(buf, sizeof(buf), "%s/ward/oci", x);
	oci_g.root = buf;
}

static int global(int v, const char *arg)
{
	switch (v) {
	case G_LOG:
		oci_g.log_path = arg;
		break;
	case G_LOGFMT:
		if (strcmp(arg, "text") && strcmp(arg, "json"))
			return oci_fail("--log-format: '%s': expected text or json", arg);
		oci_g.log_json = !strcmp(arg, "json");
		break;
	case G_DEBUG:
		oci_g.debug = oci_bool(arg);
		break;
	case G_SYSTEMD:
		if (oci_bool(arg))
			return oci_fail("--systemd-cgroup: ward manages cgroups itself: set "
			                "SystemdCgroup = false (containerd) or cgroup_manager = "
			                "\"cgroupfs\" (CRI-O, podman)");
		break;
	case G_ROOTLESS:
		if (strcmp(arg, "true") && strcmp(arg, "false") && strcmp(arg, "auto"))
			return oci_fail("--rootless: '%s': expected true, false or auto", arg);
		break;
	case G_CRIU:
		return oci_fail("--criu: ward does not checkpoint containers (no CRIU)");
	}
	return 0;
}

int oci_main(const char *prog, int argc, char **argv)
{
	oci_g.prog = prog;
	optind = 0;
	opterr = 0;
	int v, bad = 0;
	/* --log first: an error in a later global option belongs in it too */
	for (int i = 1; i < argc && !is_command(argv[i]); i++) {
		const char *a = argv[i];
		a += *a == '-';
		a += *a == '-';
		if (!strcmp(a, "log") && i + 1 < argc)
			oci_g.log_path = argv[i + 1];
		else if (!strncmp(a, "log=", 4))
			oci_g.log_path = a + 4;
	}
	while ((v = getopt_long_only(argc, argv, "+:vh", globals, NULL)) != -1) {
		if (v == 'v')
			return version();
		if (v == 'h') {
			fputs(usage, stdout);
			return 0;
		}
		if (v == '?' || v == ':')
			return oci_fail("%.*s: %s (see %s --help)",
			                (int)strcspn(argv[optind - 1], "="), argv[optind - 1],
			                v == ':' ? "needs a value" : "unknown global option", prog);
		if (v == G_ROOT)
			oci_g.root = optarg;
		else if ((bad = global(v, optarg)))
			return bad;
	}
	if (optind >= argc) {
		fputs(usage, stderr);
		return 1;
	}
	if (!oci_g.root)
		default_root();
	oci_debug("%s %s: root %s", prog, argv[optind], oci_g.root ? oci_g.root : "(none)");
	int cargc = argc - optind;
	char **cargv = argv + optind;
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(cargv[0], commands[i].name))
			return commands[i].fn(cargc, cargv);
	if (!strcmp(cargv[0], "help")) {
		fputs(usage, stdout);
		return 0;
	}
	return oci_fail("%s: unknown command (see %s --help)", cargv[0], prog);
}

int cmd_oci(int argc, char **argv)
{
	return oci_main("ward oci", argc, argv);
}
