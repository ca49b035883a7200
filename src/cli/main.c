/* ward: entry point and subcommand dispatch. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "oci.h"

static const char usage[] =
    "usage: ward COMMAND [OPTIONS] [ARGS...]\n"
    "       ward COMMAND --help   (or ward help COMMAND): a command's options\n"
    "\n"
    "sandboxes:\n"
    "  run                 run an image (or a directory) in a new sandbox, wait for it\n"
    "  create              make a sandbox that stays up (--no-start: only made); prints its id\n"
    "  start               start created or stopped sandboxes\n"
    "  stop                stop running sandboxes\n"
    "  restart             stop, then start again\n"
    "  pause               freeze every process of a sandbox\n"
    "  unpause             thaw a paused sandbox\n"
    "  wait                wait until sandboxes stop; print their exit statuses\n"
    "  kill                send a signal to sandboxes\n"
    "  rm                  remove sandboxes\n"
    "  exec                run a command in a running sandbox\n"
    "  ps                  list sandboxes\n"
    "  inspect             a sandbox's record and config as JSON\n"
    "  logs                what a sandbox's command wrote\n"
    "  attach              your terminal on a sandbox's command (create -t / -i)\n"
    "  commit              a sandbox's files as a new image\n"
    "  cp                  copy files into or out of a sandbox\n"
    "  read                one file of a sandbox to stdout\n"
    "  write               one file of a sandbox from stdin\n"
    "  port                a sandbox's published ports\n"
    "  network connect     give a running sandbox egress\n"
    "  network disconnect  take its egress away\n"
    "\n"
    "images:\n"
    "  pull                an image from a registry into the store\n"
    "  push                an image of the store to a registry\n"
    "  login               store credentials for a registry\n"
    "  logout              forget them\n"
    "  image import        import an image into the store\n"
    "  image ls            images in the store\n"
    "  image inspect       an image's defaults and tree\n"
    "  image rm            untag images, collect what nothing names\n"
    "  image prune         collect blobs and trees nothing names\n"
    "  image pack          a directory as a one-layer image\n"
    "  image tag           another name for an image\n"
    "  image history       an image's layers\n"
    "\n"
    "host and policies:\n"
    "  doctor              what this host allows\n"
    "  policy ls           seccomp policies\n"
    "  policy show         one policy's text\n"
    "  policy check        check policy files\n"
    "  serve               the Docker Engine API on a unix socket\n"
    "  oci                 runc's command line for containerd, CRI-O and podman (also as\n"
    "                      ward-runc): ward oci --help\n"
    "  version             ward's version (also --version)\n"
    "  help                this text, or a command's (ward help COMMAND)\n";

static const char version_usage[] = "usage: ward version [--json]   (also ward --version)\n"
                                    "      --json   {\"version\": ...}\n";

static int cmd_version(int argc, char **argv)
{
	static const struct cli_cmd c = {"version", version_usage, cli_json_opts, false};
	bool json = false;
	int done = cli_simple_flag(&c, argc, argv, 0, 0, "", &json);
	if (done >= 0)
		return done;
	if (json)
		return cli_json_print(json_pack("{s:s}", "version", WARD_VERSION));
	printf("ward %s\n", WARD_VERSION);
	return 0;
}

static const struct {
	const char *name;
	int (*fn)(int, char **);
} commands[] = {
    {"run", cmd_run},         {"create", cmd_create},   {"start", cmd_start},
    {"stop", cmd_stop},       {"restart", cmd_restart}, {"pause", cmd_pause},
    {"unpause", cmd_unpause}, {"wait", cmd_wait},       {"kill", cmd_kill},
    {"rm", cmd_rm},           {"exec", cmd_exec},       {"ps", cmd_ps},
    {"inspect", cmd_inspect}, {"logs", cmd_logs},       {"attach", cmd_attach},
    {"commit", cmd_commit},   {"cp", cmd_cp},           {"read", cmd_read},
    {"write", cmd_write},     {"port", cmd_port},       {"network", cmd_network},
    {"image", cmd_image},     {"doctor", cmd_doctor},   {"policy", cmd_policy},
    {"version", cmd_version}, {"pull", cmd_pull},       {"push", cmd_push},
    {"login", cmd_login},     {"logout", cmd_logout},   {"serve", cmd_serve},
    {"oci", cmd_oci},
};

/* ward help [CMD [SUB]]: CMD [SUB] --help. */
static int help(int argc, char **argv)
{
	if (argc < 2 || argv[1][0] == '-' || !strcmp(argv[1], "help")) {
		fputs(usage, stdout);
		return 0;
	}
	char **v = calloc((size_t)argc + 1, sizeof(char *));
	if (!v)
		return EXIT_WARD;
	memcpy(v, argv + 1, (size_t)(argc - 1) * sizeof(char *));
	v[argc - 1] = "--help";
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(v[0], commands[i].name)) {
			int rc = commands[i].fn(argc, v);
			free(v);
			return rc;
		}
	fprintf(stderr, "ward: help: unknown command '%s' (see ward --help)\n", v[0]);
	free(v);
	return EXIT_WARD;
}

int main(int argc, char **argv)
{
	signal(SIGPIPE, SIG_IGN);
	/* runc's command line: as ward-runc (a symlink engines are pointed at) or ward oci */
	const char *base = argc > 0 ? strrchr(argv[0], '/') : NULL;
	base = base ? base + 1 : argc > 0 ? argv[0] : "";
	if (!strcmp(base, "ward-runc") || !strcmp(base, "runc"))
		return oci_main("ward-runc", argc, argv);
	/* an engine's runtime entry that hardens every container (SECURITY.md) */
	if (!strcmp(base, "ward-runc-hardened")) {
		oci_g.harden = true;
		return oci_main("ward-runc", argc, argv);
	}
	if (argc < 2) {
		fputs(usage, stderr);
		return EXIT_WARD;
	}
	const char *cmd = argv[1];
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(cmd, commands[i].name))
			return commands[i].fn(argc - 1, argv + 1);
	if (!strcmp(cmd, "--version"))
		return cmd_version(1, argv + 1);
	if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h"))
		return help(1, argv + 1);
	if (!strcmp(cmd, "help"))
		return help(argc - 1, argv + 1);
	fprintf(stderr, "ward: unknown command '%s' (see ward --help)\n", cmd);
	return EXIT_WARD;
}
