/* ward create | stop | rm | logs: persistent sandboxes. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

int cmd_create(int argc, char **argv)
{
	struct ward_spec *s = NULL;
	struct ward_error e = {0};
	struct run_args ra = {.create = true};
	struct ward_image *img = NULL;
	int p = ward_spec_new(&s, &e) < 0 ? -1 : run_parse(s, argc, argv, &ra, &img, &e);
	int rc = p;
	if (p == 0 && !ra.image)
		rc = ward_spec_set_origin(s, ra.rootfs, &e);
	if (rc == 0) {
		struct ward_sandbox *sb;
		rc = ward_sandbox_create(cli_context(false), s, &sb, NULL, &e);
		if (rc == 0)
			printf("%s\n", ward_sandbox_id(sb));
		if (rc == 0)
			ward_sandbox_close(sb);
	}
	if (rc < 0)
		cli_error(&e);
	ward_image_close(img);
	ward_spec_free(s);
	return rc < 0 ? EXIT_WARD : 0;
}

/* SANDBOX... after the options; each one is acted on, every failure reported. */
static int each_ref(int argc, char **argv, int first,
                    int (*fn)(struct ward_sandbox *, void *, struct ward_error *), void *arg)
{
	if (first >= argc) {
		fprintf(stderr, "ward: %s: give at least one sandbox (id, prefix or name)\n",
		        argv[0]);
		return EXIT_WARD;
	}
	int rc = 0;
	for (int i = first; i < argc; i++) {
		struct ward_error e = {0};
		struct ward_sandbox *sb = NULL;
		if (ward_sandbox_open(cli_context(false), argv[i], &sb, &e) < 0 ||
		    fn(sb, arg, &e) < 0) {
			cli_error(&e);
			rc = EXIT_WARD;
		} else {
			printf("%s\n", argv[i]);
		}
		ward_sandbox_close(sb);
	}
	return rc;
}

static int stop_one(struct ward_sandbox *sb, void *arg, struct ward_error *e)
{
	return ward_sandbox_stop(sb, *(unsigned *)arg, e);
}

int cmd_stop(int argc, char **argv)
{
	unsigned grace = 10;
	int first = 1;
	if (argc > 2 && (!strcmp(argv[1], "--time") || !strcmp(argv[1], "-t"))) {
		uint64_t s;
		if (ward_parse_count(argv[2], &s) < 0 || s > 86400) {
			fprintf(stderr,
			        "ward: stop %s %s: expected whole seconds from 0 to 86400\n",
			        argv[1], argv[2]);
			return EXIT_WARD;
		}
		grace = (unsigned)s;
		first = 3;
	} else if (argc > 1 && argv[1][0] == '-') {
		fprintf(stderr,
		        "ward: stop: unknown option %s (usage: ward stop [--time S] ID...)\n",
		        argv[1]);
		return EXIT_WARD;
	}
	return each_ref(argc, argv, first, stop_one, &grace);
}

static int rm_one(struct ward_sandbox *sb, void *arg, struct ward_error *e)
{
	return ward_sandbox_remove(sb, *(bool *)arg, e);
}

int cmd_rm(int argc, char **argv)
{
	bool force = argc > 1 && (!strcmp(argv[1], "-f") || !strcmp(argv[1], "--force"));
	if (!force && argc > 1 && argv[1][0] == '-') {
		fprintf(stderr, "ward: rm: unknown option %s (usage: ward rm [-f] ID...)\n",
		        argv[1]);
		return EXIT_WARD;
	}
	return each_ref(argc, argv, force ? 2 : 1, rm_one, &force);
}

int cmd_logs(int argc, char **argv)
{
	struct ward_error e = {0};
	struct ward_sandbox *sb = NULL;
	if (argc != 2) {
		fputs("ward: usage: ward logs SANDBOX\n", stderr);
		return EXIT_WARD;
	}
	struct ward_log_opts o = {.tail = -1};
	fflush(stdout);
	int rc = ward_sandbox_open(cli_context(false), argv[1], &sb, &e);
	if (rc == 0)
		rc = ward_sandbox_logs(sb, &o, 1, 1, &e); /* one stream, as before */
	ward_sandbox_close(sb);
	if (rc < 0) {
		cli_error(&e);
		return EXIT_WARD;
	}
	return 0;
}
