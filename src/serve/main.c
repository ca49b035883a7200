/* ward-serve: the Docker Engine API on a unix socket (`ward serve` execs this). */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "context.h"
#include "listen.h"
#include "uidserver.h"

static void usage(FILE *f)
{
	fputs("usage: ward serve [--socket PATH] [--group NAME] [--idle-timeout SECONDS]\n"
	      "\n"
	      "Serves the Docker Engine API (v1.41) on a unix socket, in the foreground.\n"
	      "  --socket PATH          where (default: /run/ward/docker.sock for root,\n"
	      "                         $XDG_RUNTIME_DIR/ward/docker.sock for a user)\n"
	      "  --group NAME           let this group's members connect (0660); each is\n"
	      "                         served as itself\n"
	      "  --idle-timeout SECONDS exit after this long without a connection (default:\n"
	      "                         never; 300 when started by systemd's socket)\n",
	      f);
}

/* Failures exit as the ward CLI's do (125), option errors worded as its. */
#define EXIT_WARD 125

static long parse_seconds(const char *s)
{
	char *end;
	long v = strtol(s, &end, 10);
	if (!*s || *end || v < 0) {
		fprintf(stderr, "ward: serve: --idle-timeout %s: not a number of seconds\n", s);
		exit(EXIT_WARD);
	}
	return v;
}

static int bad_option(char **argv)
{
	const char *opt = argv[optind - 1];
	if (optopt && optopt != '?' && strncmp(opt, "--", 2))
		fprintf(stderr, "ward: serve: unknown option -%c (see ward serve --help)\n",
		        optopt);
	else if (strchr(opt, '=') || !optopt)
		fprintf(stderr, "ward: serve: unknown option %s (see ward serve --help)\n", opt);
	else
		fprintf(stderr, "ward: serve: option %s needs a value (see ward serve --help)\n",
		        opt);
	return EXIT_WARD;
}

int main(int argc, char **argv)
{
	/* a root server's child for another uid, executed afresh (uidserver.c) */
	if (argc == 3 && !strcmp(argv[1], "--uid-child")) {
		signal(SIGPIPE, SIG_IGN);
		uidserver_child_run(argv[2], 3);
	}
	static const struct option opts[] = {{"socket", required_argument, NULL, 's'},
	                                     {"group", required_argument, NULL, 'g'},
	                                     {"idle-timeout", required_argument, NULL, 't'},
	                                     {"help", no_argument, NULL, 'h'},
	                                     {0}};
	struct listen_opts lo = {.idle_timeout = -1};
	int c;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:h", opts, NULL)) != -1) {
		if (c == 's')
			lo.socket_path = optarg;
		else if (c == 'g')
			lo.group = optarg;
		else if (c == 't')
			lo.idle_timeout = parse_seconds(optarg);
		else if (c == 'h') {
			usage(stdout);
			return 0;
		} else {
			return bad_option(argv);
		}
	}
	if (optind < argc) {
		fprintf(stderr, "ward: serve: unexpected argument '%s' (see ward serve --help)\n",
		        argv[optind]);
		return EXIT_WARD;
	}
	signal(SIGPIPE, SIG_IGN);
	struct serve srv = {0};
	struct listener l;
	struct ward_error e = {0};
	serve_settings_from_env(&srv);
	if (listen_open(&lo, &l, &e) < 0) {
		fprintf(stderr, "ward serve: %s\n", e.msg);
		return EXIT_WARD;
	}
	if (serve_open(&srv, &e) < 0) {
		listen_close(&l);
		fprintf(stderr, "ward serve: %s\n", e.msg);
		return EXIT_WARD;
	}
	srv.socket_path = l.path;
	if (api_worker_start(&srv, &e) < 0) {
		listen_close(&l);
		fprintf(stderr, "ward serve: %s\n", e.msg);
		return EXIT_WARD;
	}
	long idle = lo.idle_timeout >= 0 ? lo.idle_timeout : l.activated ? 300 : 0;
	serve_log("listening on %s%s", l.path, l.activated ? " (from systemd)" : "");
	return accept_loop(&srv, &l, idle);
}
