/* ward attach: the caller's terminal (or stdio) on a sandbox's main command, through
 * ward_sandbox_attach; with a terminal on both sides the caller's goes raw and its size
 * follows (SIGWINCH → ward_sandbox_resize, from a thread of its own). */
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include "cli.h"

static bool has_tty(struct ward_sandbox *sb)
{
	struct ward_sandbox_info info;
	struct ward_error e = {0};
	if (ward_sandbox_inspect(sb, &info, &e) < 0)
		return false;
	json_t *config = info.config ? json_loads(info.config, 0, NULL) : NULL;
	bool tty = json_is_true(json_object_get(config, "tty"));
	json_decref(config);
	ward_sandbox_info_release(&info);
	return tty;
}

static void resize(struct ward_sandbox *sb)
{
	struct winsize ws;
	struct ward_error e = {0};
	if (ioctl(0, TIOCGWINSZ, &ws) == 0)
		ward_sandbox_resize(sb, ws.ws_row, ws.ws_col, &e);
}

static void *winch_thread(void *arg)
{
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGWINCH);
	for (;;) {
		int sig;
		if (sigwait(&set, &sig) == 0)
			resize(arg);
	}
	return NULL;
}

int cmd_attach(int argc, char **argv)
{
	static const struct option opts[] = {{"no-stdin", no_argument, NULL, 'n'}, {0}};
	static const struct cli_cmd c = {
	    "attach",
	    "usage: ward attach [--no-stdin] SANDBOX\n"
	    "\n"
	    "Attach to a sandbox's main command: what it writes comes to stdout and stderr (a\n"
	    "terminal's output to stdout), what you type goes to its terminal (ward create -t)\n"
	    "or its stdin (ward create -i), until it ends. A created sandbox is waited for\n"
	    "until it starts. With a terminal on both sides yours is put in raw mode and its\n"
	    "size is passed on; there are no detach keys: close the terminal, or end the\n"
	    "command, to leave.\n"
	    "      --no-stdin   do not send your input\n"
	    "  -h, --help       this text\n",
	    opts, false};
	struct ward_error e = {0};
	bool in = true;
	int v;
	while ((v = cli_next(&c, argc, argv, NULL, &e)) >= 0)
		if (v == 'n')
			in = false;
	if (v == CLI_HELP)
		return 0;
	if (v == CLI_BAD || cli_operands(&c, argc, argv, 1, 1, "SANDBOX", &e) < 0)
		return cli_fail(&e);
	struct ward_sandbox *sb = NULL;
	if (ward_sandbox_open(cli_context(false), argv[optind], &sb, &e) < 0)
		return cli_fail(&e);
	struct termios saved;
	bool raw = false;
	if (isatty(0) && has_tty(sb)) {
		sigset_t set;
		sigemptyset(&set);
		sigaddset(&set, SIGWINCH);
		pthread_sigmask(SIG_BLOCK, &set, NULL);
		pthread_t t;
		pthread_create(&t, NULL, winch_thread, sb);
		pthread_detach(t);
		resize(sb);
		if (in && tcgetattr(0, &saved) == 0) {
			struct termios r = saved;
			cfmakeraw(&r);
			raw = tcsetattr(0, TCSADRAIN, &r) == 0;
		}
	}
	struct ward_attach_opts o = {.in = in, .out = true, .err = true, .stream = true};
	int code = -1;
	fflush(stdout);
	int rc = ward_sandbox_attach(sb, &o, 0, 1, 2, &code, &e);
	if (raw)
		tcsetattr(0, TCSADRAIN, &saved);
	if (rc < 0) {
		cli_error(&e);
		return EXIT_WARD;
	}
	/* the thread may be in ward_sandbox_resize: leave without closing SB under it */
	return code < 0 ? 0 : code;
}
