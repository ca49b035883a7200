/* ward: entry point and subcommand dispatch. */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const char usage[] =
    "usage: ward COMMAND [OPTIONS]\n"
    "\n"
    "commands:\n"
    "  run [OPTIONS] IMAGE [CMD [ARGS...]]           run an image in a new sandbox\n"
    "  run --rootfs DIR [OPTIONS] -- CMD [ARGS...]   run CMD over a plain directory\n"
    "  create [OPTIONS] IMAGE [CMD...]               start a sandbox that stays up; prints its id\n"
    "  exec [OPTIONS] SANDBOX CMD [ARGS...]          run a command in it (--json: captured)\n"
    "  ps [--all] [--json]   inspect SANDBOX         list sandboxes, show one\n"
    "  stop [--time S] SANDBOX...   rm [-f] SANDBOX...   logs SANDBOX\n"
    "  cp SRC... SANDBOX:/DEST   cp SANDBOX:/SRC DEST    copy files in or out\n"
    "  read SANDBOX /PATH   write [--mode M] SANDBOX /PATH   one file to stdout / from stdin\n"
    "    (out: at most --max-bytes SIZE; default the sandbox's --disk, else 1g)\n"
    "  port SANDBOX   network connect|disconnect SANDBOX   its ports; egress on or off\n"
    "  image import|ls|inspect|rm|prune|pack         the image store\n"
    "  doctor [--json]                               what this host allows\n"
    "  policy ls | show NAME | check FILE...         seccomp policies\n"
    "\n"
    "  ward run --help    options of run\n"
    "  ward --version\n";

int main(int argc, char **argv)
{
	signal(SIGPIPE, SIG_IGN);
	if (argc < 2) {
		fputs(usage, stderr);
		return EXIT_WARD;
	}
	const char *cmd = argv[1];
	if (strcmp(cmd, "run") == 0)
		return cmd_run(argc - 1, argv + 1);
	static const struct {
		const char *name;
		int (*fn)(int, char **);
	} sandbox_cmds[] = {{"create", cmd_create},   {"exec", cmd_exec}, {"ps", cmd_ps},
	                    {"inspect", cmd_inspect}, {"stop", cmd_stop}, {"rm", cmd_rm},
	                    {"logs", cmd_logs},       {"cp", cmd_cp},     {"read", cmd_read},
	                    {"write", cmd_write},     {"port", cmd_port}, {"network", cmd_network}};
	for (size_t i = 0; i < sizeof(sandbox_cmds) / sizeof(sandbox_cmds[0]); i++)
		if (strcmp(cmd, sandbox_cmds[i].name) == 0)
			return sandbox_cmds[i].fn(argc - 1, argv + 1);
	if (strcmp(cmd, "image") == 0)
		return cmd_image(argc - 1, argv + 1);
	if (strcmp(cmd, "policy") == 0)
		return cmd_policy(argc - 1, argv + 1);
	if (strcmp(cmd, "doctor") == 0)
		return cmd_doctor(argc - 1, argv + 1);
	if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "version") == 0) {
		printf("ward %s\n", WARD_VERSION);
		return 0;
	}
	if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0) {
		fputs(usage, stdout);
		return 0;
	}
	fprintf(stderr, "ward: unknown command '%s' (see ward --help)\n", cmd);
	return EXIT_WARD;
}
