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
    "  image import|ls|inspect|rm|prune|pack         the image store\n"
    "  doctor [--json]                               what this host allows\n"
    "  policy ls | show NAME | check FILE...         seccomp policies\n"
    "\n"
    "  ward run --help    options of run\n"
    "  ward --version\n";

void cli_error(const struct ward_error *e)
{
	fprintf(stderr, "ward: %s\n", e->msg);
}

void json_print_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(f, "\\%c", *p);
		else if (*p < 0x20)
			fprintf(f, "\\u%04x", *p);
		else
			fputc(*p, f);
	}
	fputc('"', f);
}

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
