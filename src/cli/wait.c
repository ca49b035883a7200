/* ward wait | kill | commit */
#include <ctype.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cli.h"

int cmd_wait(int argc, char **argv)
{
	static const struct cli_cmd c = {
	    "wait",
	    "usage: ward wait [--json] SANDBOX...\n"
	    "\n"
	    "Blocks until each sandbox stops; prints each exit status, one per line.\n"
	    "      --json   [{\"id\": ..., \"exitCode\": ...}, ...]\n"
	    "  -h, --help   this text\n",
	    cli_json_opts, false};
	struct ward_error e = {0};
	bool json = false;
	int done = cli_simple_flag(&c, argc, argv, 1, -1, "SANDBOX", &json);
	if (done >= 0)
		return done;
	json_t *out = json ? json_array() : NULL;
	int rc = 0;
	for (int i = optind; i < argc; i++) {
		struct ward_sandbox *sb = NULL;
		int code = 0;
		if (ward_sandbox_open(cli_context(false), argv[i], &sb, &e) < 0 ||
		    ward_sandbox_wait(sb, &code, &e) < 0) {
			cli_error(&e);
			rc = EXIT_WARD;
		} else if (json) {
			json_array_append_new(out, json_pack("{s:s,s:i}", "id", ward_sandbox_id(sb),
			                                     "exitCode", code));
		} else {
			printf("%d\n", code);
			fflush(stdout);
		}
		ward_sandbox_close(sb);
	}
	if (json && cli_json_print(out))
		rc = EXIT_WARD;
	return rc;
}

static const char *const sig_names[] = {
    [SIGHUP] = "HUP",       [SIGINT] = "INT",   [SIGQUIT] = "QUIT",   [SIGILL] = "ILL",
    [SIGTRAP] = "TRAP",     [SIGABRT] = "ABRT", [SIGBUS] = "BUS",     [SIGFPE] = "FPE",
    [SIGKILL] = "KILL",     [SIGUSR1] = "USR1", [SIGSEGV] = "SEGV",   [SIGUSR2] = "USR2",
    [SIGPIPE] = "PIPE",     [SIGALRM] = "ALRM", [SIGTERM] = "TERM",   [SIGCHLD] = "CHLD",
    [SIGCONT] = "CONT",     [SIGSTOP] = "STOP", [SIGTSTP] = "TSTP",   [SIGTTIN] = "TTIN",
    [SIGTTOU] = "TTOU",     [SIGURG] = "URG",   [SIGXCPU] = "XCPU",   [SIGXFSZ] = "XFSZ",
    [SIGVTALRM] = "VTALRM", [SIGPROF] = "PROF", [SIGWINCH] = "WINCH", [SIGIO] = "IO",
    [SIGPWR] = "PWR",       [SIGSYS] = "SYS"};

/* KILL, SIGKILL, kill, 9 */
static int parse_signal(const char *text, int *out, struct ward_error *e)
{
	const char *name = strncasecmp(text, "SIG", 3) == 0 ? text + 3 : text;
	char *end;
	long n = strtol(text, &end, 10);
	if (isdigit((unsigned char)*text) && !*end && n > 0 && n <= SIGRTMAX) {
		*out = (int)n;
		return 0;
	}
	for (int i = 1; i < (int)(sizeof(sig_names) / sizeof(sig_names[0])); i++)
		if (sig_names[i] && !strcasecmp(name, sig_names[i])) {
			*out = i;
			return 0;
		}
	return ward_error_set(e, 0,
	                      "kill --signal %s: expected a signal name (KILL, SIGTERM, hup...) "
	                      "or number",
	                      text);
}

static int kill_one(struct ward_sandbox *sb, void *arg, struct ward_error *e)
{
	return ward_sandbox_kill(sb, *(int *)arg, e);
}

int cmd_kill(int argc, char **argv)
{
	static const struct option opts[] = {{"signal", required_argument, NULL, 's'}, {0}};
	static const struct cli_cmd c = {
	    "kill",
	    "usage: ward kill [-s|--signal SIG] SANDBOX...\n"
	    "\n"
	    "Sends SIG to each sandbox's init (KILL: the whole sandbox ends).\n"
	    "  -s, --signal SIG   a name (KILL, SIGTERM, hup...) or number; default KILL\n"
	    "  -h, --help         this text\n",
	    opts, false};
	struct ward_error e = {0};
	int sig = SIGKILL, v;
	while ((v = cli_next(&c, argc, argv, NULL, &e)) >= 0)
		if (parse_signal(optarg, &sig, &e) < 0)
			return cli_fail(&e);
	if (v == CLI_HELP)
		return 0;
	if (v == CLI_BAD || cli_operands(&c, argc, argv, 1, -1, "SANDBOX", &e) < 0)
		return cli_fail(&e);
	return cli_each_sandbox(argc, argv, optind, false, kill_one, &sig);
}

/* NAME with :latest when it names no tag (a ':' after the last '/'). */
void cli_name_tag(const char *name, char *out, size_t len)
{
	const char *slash = strrchr(name, '/');
	bool tagged = strchr(slash ? slash : name, ':') != NULL;
	snprintf(out, len, "%s%s", name, tagged ? "" : ":latest");
}

int cmd_commit(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"message", required_argument, NULL, 'm'}, {"json", no_argument, NULL, 'j'}, {0}};
	static const struct cli_cmd c = {
	    "commit",
	    "usage: ward commit [-m|--message MSG] [--json] SANDBOX NAME[:TAG]\n"
	    "\n"
	    "Its writable layer as a new image layer on top of its image; prints NAME:TAG ID.\n"
	    "  -m, --message MSG   for the image's history\n"
	    "      --json          {\"name\": ..., \"id\": ...}\n"
	    "  -h, --help          this text\n",
	    opts, false};
	struct ward_error e = {0};
	const char *msg = NULL;
	bool json = false;
	int v;
	while ((v = cli_next(&c, argc, argv, NULL, &e)) >= 0)
		if (v == 'm')
			msg = optarg;
		else
			json = true;
	if (v == CLI_HELP)
		return 0;
	if (v == CLI_BAD || cli_operands(&c, argc, argv, 2, 2, "SANDBOX and NAME[:TAG]", &e) < 0)
		return cli_fail(&e);
	struct ward_sandbox *sb = NULL;
	struct ward_store *st = cli_store(json, &e);
	char id[80] = "", name[WARD_IMAGE_NAME_MAX + 8];
	int rc = st ? ward_sandbox_open(cli_context(json), argv[optind], &sb, &e) : -1;
	if (rc == 0)
		rc = ward_sandbox_commit(sb, st, argv[optind + 1], msg, id, &e);
	ward_sandbox_close(sb);
	if (rc < 0)
		return cli_fail(&e);
	cli_name_tag(argv[optind + 1], name, sizeof(name));
	if (json)
		return cli_json_print(json_pack("{s:s,s:s}", "name", name, "id", id));
	printf("%s %s\n", name, id);
	return 0;
}
