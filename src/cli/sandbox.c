/* ward create | exec | ps | inspect | stop | rm | logs: persistent sandboxes. */
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sendfile.h>
#include <time.h>

#include "cli.h"
#include "image.h"
#include "sandbox.h"
#include "sys.h"

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
	if (rc == 0)
		rc = spec_prepare(cli_context(false), s, true, &e);
	if (rc == 0) {
		char id[STATE_ID_LEN + 1];
		bool reused;
		struct ward_create_opts o = {
		    .name = s->name, .persistent = s->persistent, .image = s->origin};
		rc = ward_create(cli_context(false), s, &o, id, &reused, &e);
		if (rc == 0)
			printf("%s\n", id);
	}
	if (rc < 0)
		cli_error(&e);
	ward_image_close(img);
	ward_spec_free(s);
	return rc < 0 ? EXIT_WARD : 0;
}

/* SANDBOX... after the options; each one is acted on, every failure reported. */
static int each_ref(int argc, char **argv, int first,
                    int (*fn)(const char *, void *, struct ward_error *), void *arg)
{
	if (first >= argc) {
		fprintf(stderr, "ward: %s: give at least one sandbox (id, prefix or name)\n",
		        argv[0]);
		return EXIT_WARD;
	}
	int rc = 0;
	for (int i = first; i < argc; i++) {
		struct ward_error e = {0};
		if (fn(argv[i], arg, &e) < 0) {
			cli_error(&e);
			rc = EXIT_WARD;
		} else {
			printf("%s\n", argv[i]);
		}
	}
	return rc;
}

static int stop_one(const char *ref, void *arg, struct ward_error *e)
{
	return sb_stop(cli_context(false), ref, *(unsigned *)arg, e);
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

static int rm_one(const char *ref, void *arg, struct ward_error *e)
{
	return sb_rm(cli_context(false), ref, *(bool *)arg, e);
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
	struct state st;
	struct ward_error e = {0};
	char id[STATE_ID_LEN + 1], path[128];
	if (argc != 2) {
		fputs("ward: usage: ward logs SANDBOX\n", stderr);
		return EXIT_WARD;
	}
	if (state_open(&st, cli_context(false), &e) < 0 ||
	    state_resolve(&st, argv[1], id, &e) < 0) {
		cli_error(&e);
		state_close(&st);
		return EXIT_WARD;
	}
	state_file(&st, id, "log", path, sizeof(path));
	autoclose int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	state_close(&st);
	if (fd < 0) {
		fprintf(stderr, "ward: logs %s: %s\n", argv[1], strerror(errno));
		return EXIT_WARD;
	}
	fflush(stdout);
	char buf[65536];
	ssize_t n;
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		if (write_all(1, buf, (size_t)n) < 0)
			return EXIT_WARD;
	return 0;
}
