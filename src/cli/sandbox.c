/* ward create | start | stop | restart | pause | unpause | rm: a sandbox's life. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

int cmd_create(int argc, char **argv)
{
	struct ward_spec *s = NULL;
	struct ward_error e = {0};
	struct run_args ra = {.create = true};
	struct ward_image *img = NULL;
	struct ward_sandbox *sb = NULL;
	int rc = ward_spec_new(&s, &e) < 0 ? -1 : run_parse(s, argc, argv, &ra, &img, &e);
	if (rc == 0 && !ra.image)
		rc = ward_spec_set_origin(s, ra.rootfs, &e);
	if (rc == 0 && ra.no_start)
		rc = ward_sandbox_new(cli_context(ra.json), s, &sb, &e);
	else if (rc == 0)
		rc = ward_sandbox_create(cli_context(ra.json), s, &sb, NULL, &e);
	if (rc == 0 && ra.json)
		rc = cli_json_print(json_pack("{s:s}", "id", ward_sandbox_id(sb))) ? -2 : 0;
	else if (rc == 0)
		printf("%s\n", ward_sandbox_id(sb));
	if (rc == -1)
		cli_error(&e);
	ward_sandbox_close(sb);
	ward_image_close(img);
	ward_spec_free(s);
	return rc < 0 ? EXIT_WARD : 0;
}

int cli_each_sandbox(int argc, char **argv, int first, bool quiet,
                     int (*fn)(struct ward_sandbox *, void *, struct ward_error *), void *arg)
{
	int rc = 0;
	for (int i = first; i < argc; i++) {
		struct ward_error e = {0};
		struct ward_sandbox *sb = NULL;
		if (ward_sandbox_open(cli_context(false), argv[i], &sb, &e) < 0 ||
		    fn(sb, arg, &e) < 0) {
			cli_error(&e);
			rc = EXIT_WARD;
		} else if (!quiet) {
			printf("%s\n", argv[i]);
			fflush(stdout);
		}
		ward_sandbox_close(sb);
	}
	return rc;
}

/* -t|--time S as stop and restart take it. */
static const struct option time_opts[] = {{"time", required_argument, NULL, 't'}, {0}};

static int parse_time(const char *text, unsigned *out, const char *cmd, struct ward_error *e)
{
	uint64_t s;
	if (ward_parse_count(text, &s) < 0 || s > 86400)
		return ward_error_set(e, 0, "%s --time %s: expected whole seconds from 0 to 86400",
		                      cmd, text);
	*out = (unsigned)s;
	return 0;
}

static int stop_one(struct ward_sandbox *sb, void *arg, struct ward_error *e)
{
	return ward_sandbox_stop(sb, *(unsigned *)arg, e);
}

static int restart_one(struct ward_sandbox *sb, void *arg, struct ward_error *e)
{
	return ward_sandbox_restart(sb, *(unsigned *)arg, e);
}

/* stop and restart: [-t S] SANDBOX... */
static int timed(const struct cli_cmd *c, int argc, char **argv,
                 int (*fn)(struct ward_sandbox *, void *, struct ward_error *))
{
	struct ward_error e = {0};
	unsigned grace = 10;
	int v;
	while ((v = cli_next(c, argc, argv, NULL, &e)) >= 0)
		if (parse_time(optarg, &grace, c->name, &e) < 0)
			return cli_fail(&e);
	if (v == CLI_HELP)
		return 0;
	if (v == CLI_BAD || cli_operands(c, argc, argv, 1, -1, "SANDBOX", &e) < 0)
		return cli_fail(&e);
	return cli_each_sandbox(argc, argv, optind, false, fn, &grace);
}

int cmd_stop(int argc, char **argv)
{
	static const struct cli_cmd c = {
	    "stop",
	    "usage: ward stop [-t|--time S] SANDBOX...\n"
	    "\n"
	    "SIGTERM to everything inside, SIGKILL after S seconds (default 10; 0: at once).\n"
	    "Prints each SANDBOX as given once it has stopped.\n"
	    "  -t, --time S   seconds to wait before SIGKILL\n"
	    "  -h, --help     this text\n",
	    time_opts, false};
	return timed(&c, argc, argv, stop_one);
}

int cmd_restart(int argc, char **argv)
{
	static const struct cli_cmd c = {
	    "restart",
	    "usage: ward restart [-t|--time S] SANDBOX...\n"
	    "\n"
	    "Stops each (as ward stop) if it runs, then starts it again with its files.\n"
	    "  -t, --time S   seconds to wait before SIGKILL when stopping (default 10)\n"
	    "  -h, --help     this text\n",
	    time_opts, false};
	return timed(&c, argc, argv, restart_one);
}

static int start_one(struct ward_sandbox *sb, void *arg, struct ward_error *e)
{
	(void)arg;
	return ward_sandbox_start(sb, e);
}

static int pause_one(struct ward_sandbox *sb, void *arg, struct ward_error *e)
{
	(void)arg;
	return ward_sandbox_pause(sb, e);
}

static int unpause_one(struct ward_sandbox *sb, void *arg, struct ward_error *e)
{
	(void)arg;
	return ward_sandbox_unpause(sb, e);
}

int cmd_start(int argc, char **argv)
{
	static const struct cli_cmd c = {
	    "start",
	    "usage: ward start SANDBOX...\n"
	    "\n"
	    "Starts created or stopped sandboxes (a stopped one with the files it wrote);\n"
	    "prints each SANDBOX as given once it is ready.\n"
	    "  -h, --help   this text\n",
	    NULL, false};
	int rc = cli_simple(&c, argc, argv, 1, -1, "SANDBOX");
	return rc >= 0 ? rc : cli_each_sandbox(argc, argv, optind, false, start_one, NULL);
}

int cmd_pause(int argc, char **argv)
{
	static const struct cli_cmd c = {"pause",
	                                 "usage: ward pause SANDBOX...\n"
	                                 "\n"
	                                 "Freezes every process of each running sandbox.\n"
	                                 "  -h, --help   this text\n",
	                                 NULL, false};
	int rc = cli_simple(&c, argc, argv, 1, -1, "SANDBOX");
	return rc >= 0 ? rc : cli_each_sandbox(argc, argv, optind, false, pause_one, NULL);
}

int cmd_unpause(int argc, char **argv)
{
	static const struct cli_cmd c = {"unpause",
	                                 "usage: ward unpause SANDBOX...\n"
	                                 "\n"
	                                 "Thaws every process of each paused sandbox.\n"
	                                 "  -h, --help   this text\n",
	                                 NULL, false};
	int rc = cli_simple(&c, argc, argv, 1, -1, "SANDBOX");
	return rc >= 0 ? rc : cli_each_sandbox(argc, argv, optind, false, unpause_one, NULL);
}

static int rm_one(struct ward_sandbox *sb, void *arg, struct ward_error *e)
{
	return ward_sandbox_remove(sb, *(bool *)arg, e);
}

int cmd_rm(int argc, char **argv)
{
	static const struct option opts[] = {{"force", no_argument, NULL, 'f'}, {0}};
	static const struct cli_cmd c = {
	    "rm",
	    "usage: ward rm [-f|--force] SANDBOX...\n"
	    "\n"
	    "Removes sandboxes that are not running (their record, files and log).\n"
	    "  -f, --force   kill a running one first\n"
	    "  -h, --help    this text\n",
	    opts, false};
	struct ward_error e = {0};
	bool force = false;
	int v;
	while ((v = cli_next(&c, argc, argv, NULL, &e)) >= 0)
		force = true;
	if (v == CLI_HELP)
		return 0;
	if (v == CLI_BAD || cli_operands(&c, argc, argv, 1, -1, "SANDBOX", &e) < 0)
		return cli_fail(&e);
	return cli_each_sandbox(argc, argv, optind, false, rm_one, &force);
}
