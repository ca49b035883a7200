/* ward pull | push | login | logout: images from and to registries. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "cli.h"

enum { OPT_PLATFORM = 256, OPT_TLS_VERIFY, OPT_CERT_DIR, OPT_AUTHFILE, OPT_CREDS, OPT_PW_STDIN };

static const char pull_usage[] =
    "usage: ward pull [--platform OS/ARCH[/VARIANT]] [-q|--quiet] [--tls-verify=false]\n"
    "                 [--cert-dir DIR] [--authfile FILE] [--creds USER[:PASS]] REF\n"
    "\n"
    "Pulls REF ([HOST[:PORT]/]REPO[:TAG][@sha256:HEX]; short names as Docker resolves them)\n"
    "into the store; prints the name it is stored under.\n"
    "      --platform P        from an index, this platform's image (default: this host's)\n"
    "  -q, --quiet             no progress\n"
    "      --tls-verify=false  no certificate check, plain HTTP allowed\n"
    "      --cert-dir DIR      CA certificates (*.crt) and client keys (*.cert, *.key)\n"
    "      --authfile FILE     credentials file (default: see ward login)\n"
    "      --creds USER[:PASS] credentials for this pull\n"
    "  -h, --help              this text\n";

static const char push_usage[] =
    "usage: ward push [--tls-verify=false] [--cert-dir DIR] [--authfile FILE]\n"
    "                 [--creds USER[:PASS]] [-q|--quiet] IMAGE [DEST]\n"
    "\n"
    "Pushes the store's IMAGE to DEST ([HOST[:PORT]/]REPO[:TAG]; default: IMAGE's name).\n"
    "  -q, --quiet             no progress\n"
    "      --tls-verify=false  no certificate check, plain HTTP allowed\n"
    "      --cert-dir DIR      CA certificates (*.crt) and client keys (*.cert, *.key)\n"
    "      --authfile FILE     credentials file (default: see ward login)\n"
    "      --creds USER[:PASS] credentials for this push\n"
    "  -h, --help              this text\n";

static const char login_usage[] =
    "usage: ward login [-u USER] [-p PASS | --password-stdin] [--tls-verify=false]\n"
    "                  [--cert-dir DIR] [--authfile FILE] REGISTRY\n"
    "\n"
    "Checks the credentials against REGISTRY and stores them in the auth file\n"
    "(--authfile, $REGISTRY_AUTH_FILE, else $XDG_RUNTIME_DIR/containers/auth.json).\n"
    "  -u, --username USER     (asked on the terminal when missing)\n"
    "  -p, --password PASS     (asked on the terminal when missing)\n"
    "      --password-stdin    read the password from stdin\n"
    "      --tls-verify=false  no certificate check, plain HTTP allowed\n"
    "      --cert-dir DIR      CA certificates (*.crt) and client keys (*.cert, *.key)\n"
    "      --authfile FILE     credentials file\n"
    "  -h, --help              this text\n";

static const char logout_usage[] = "usage: ward logout [--authfile FILE] REGISTRY\n"
                                   "\n"
                                   "Forgets the credentials stored for REGISTRY.\n"
                                   "      --authfile FILE     credentials file\n"
                                   "  -h, --help              this text\n";

static const struct option reg_options[] = {
    {"platform", required_argument, NULL, OPT_PLATFORM},
    {"quiet", no_argument, NULL, 'q'},
    {"tls-verify", required_argument, NULL, OPT_TLS_VERIFY},
    {"cert-dir", required_argument, NULL, OPT_CERT_DIR},
    {"authfile", required_argument, NULL, OPT_AUTHFILE},
    {"creds", required_argument, NULL, OPT_CREDS},
    {0},
};

int cli_tls_verify(const char *v, struct ward_registry_opts *o, struct ward_error *e)
{
	if (!strcmp(v, "true") || !strcmp(v, "false")) {
		o->no_tls_verify = !strcmp(v, "false");
		return 0;
	}
	return ward_error_set(e, 0, "--tls-verify=%s: expected true or false", v);
}

/* The options pull, push and login share; 1 when C was one of them, -1 on a bad value. */
static int reg_option(int c, struct ward_registry_opts *o, struct ward_error *e)
{
	switch (c) {
	case OPT_PLATFORM:
		o->platform = optarg;
		return 1;
	case 'q':
		o->quiet = true;
		return 1;
	case OPT_TLS_VERIFY:
		return cli_tls_verify(optarg, o, e) < 0 ? -1 : 1;
	case OPT_CERT_DIR:
		o->cert_dir = optarg;
		return 1;
	case OPT_AUTHFILE:
		o->auth_file = optarg;
		return 1;
	case OPT_CREDS:
		o->creds = optarg;
		return 1;
	}
	return 0;
}

/* The options of pull and push, then MIN to MAX operands: 0 to go on, 1 after help, -1
 * with E set. */
static int reg_parse(const struct cli_cmd *c, int argc, char **argv, int min, int max,
                     const char *what, struct ward_registry_opts *o, struct ward_error *e)
{
	int v;
	while ((v = cli_next(c, argc, argv, NULL, e)) >= 0)
		if (reg_option(v, o, e) < 0)
			return -1;
	if (v == CLI_HELP)
		return 1;
	return v == CLI_BAD || cli_operands(c, argc, argv, min, max, what, e) < 0 ? -1 : 0;
}

int cmd_pull(int argc, char **argv)
{
	static const struct cli_cmd c = {"pull", pull_usage, reg_options, false};
	struct ward_registry_opts o = {0};
	struct ward_error e = {0};
	int v = reg_parse(&c, argc, argv, 1, 1, "REF", &o, &e);
	if (v != 0)
		return v > 0 ? 0 : cli_fail(&e);
	char name[WARD_IMAGE_NAME_MAX];
	struct ward_store *st = cli_store(o.quiet, &e);
	if (!st || ward_image_pull(st, argv[optind], &o, name, &e) < 0)
		return cli_fail(&e);
	printf("%s\n", name);
	return 0;
}

int cmd_push(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"quiet", no_argument, NULL, 'q'},
	    {"tls-verify", required_argument, NULL, OPT_TLS_VERIFY},
	    {"cert-dir", required_argument, NULL, OPT_CERT_DIR},
	    {"authfile", required_argument, NULL, OPT_AUTHFILE},
	    {"creds", required_argument, NULL, OPT_CREDS},
	    {0},
	};
	static const struct cli_cmd c = {"push", push_usage, opts, false};
	struct ward_registry_opts o = {0};
	struct ward_error e = {0};
	int v = reg_parse(&c, argc, argv, 1, 2, "IMAGE", &o, &e);
	if (v != 0)
		return v > 0 ? 0 : cli_fail(&e);
	struct ward_store *st = cli_store(o.quiet, &e);
	if (!st || ward_image_push(st, argv[optind], optind + 1 < argc ? argv[optind + 1] : NULL,
	                           &o, &e) < 0)
		return cli_fail(&e);
	return 0;
}

/* A line from the terminal (echo off for a password), or from stdin. */
static char *ask(const char *prompt, bool secret, struct ward_error *e)
{
	FILE *tty = fopen("/dev/tty", "r+");
	if (!tty) {
		ward_error_set(e, 0, "login: no terminal to ask for the %s (give it as an option)",
		               prompt);
		return NULL;
	}
	fprintf(tty, "%s: ", prompt);
	fflush(tty);
	struct termios old, t;
	bool quiet = secret && tcgetattr(fileno(tty), &old) == 0;
	if (quiet) {
		t = old;
		t.c_lflag &= ~(tcflag_t)ECHO;
		tcsetattr(fileno(tty), TCSAFLUSH, &t);
	}
	char *line = NULL;
	size_t cap = 0;
	ssize_t n = getline(&line, &cap, tty);
	if (quiet) {
		tcsetattr(fileno(tty), TCSAFLUSH, &old);
		fputc('\n', tty);
	}
	fclose(tty);
	if (n < 0) {
		free(line);
		ward_error_set(e, 0, "login: no %s given", prompt);
		return NULL;
	}
	line[strcspn(line, "\r\n")] = 0;
	return line;
}

static char *read_stdin(struct ward_error *e)
{
	char *line = NULL;
	size_t cap = 0;
	if (getline(&line, &cap, stdin) < 0) {
		free(line);
		ward_error_set(e, 0, "login: --password-stdin: nothing on stdin");
		return NULL;
	}
	line[strcspn(line, "\r\n")] = 0;
	return line;
}

int cmd_login(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"username", required_argument, NULL, 'u'},
	    {"password", required_argument, NULL, 'p'},
	    {"password-stdin", no_argument, NULL, OPT_PW_STDIN},
	    {"tls-verify", required_argument, NULL, OPT_TLS_VERIFY},
	    {"cert-dir", required_argument, NULL, OPT_CERT_DIR},
	    {"authfile", required_argument, NULL, OPT_AUTHFILE},
	    {0},
	};
	static const struct cli_cmd c = {"login", login_usage, opts, false};
	struct ward_registry_opts o = {0};
	struct ward_error e = {0};
	const char *user = NULL, *pass = NULL;
	bool pw_stdin = false;
	int v;
	while ((v = cli_next(&c, argc, argv, NULL, &e)) >= 0) {
		if (v == 'u')
			user = optarg;
		else if (v == 'p')
			pass = optarg;
		else if (v == OPT_PW_STDIN)
			pw_stdin = true;
		else if (reg_option(v, &o, &e) < 0)
			return cli_fail(&e);
	}
	if (v == CLI_HELP)
		return 0;
	if (v == CLI_BAD || cli_operands(&c, argc, argv, 1, 1, "REGISTRY", &e) < 0)
		return cli_fail(&e);
	if (pw_stdin && pass) {
		ward_error_set(&e, 0, "login: --password and --password-stdin: give one");
		return cli_fail(&e);
	}
	char *u = NULL, *p = NULL;
	if (!user && !(user = u = ask("Username", false, &e)))
		return cli_fail(&e);
	if (!pass && !(pass = p = pw_stdin ? read_stdin(&e) : ask("Password", true, &e))) {
		free(u);
		return cli_fail(&e);
	}
	int rc = ward_registry_login(cli_context(false), argv[optind], user, pass, &o, &e);
	free(u);
	free(p);
	if (rc < 0)
		return cli_fail(&e);
	puts("Login Succeeded");
	return 0;
}

int cmd_logout(int argc, char **argv)
{
	static const struct option opts[] = {{"authfile", required_argument, NULL, OPT_AUTHFILE},
	                                     {0}};
	static const struct cli_cmd c = {"logout", logout_usage, opts, false};
	struct ward_registry_opts o = {0};
	struct ward_error e = {0};
	int v;
	while ((v = cli_next(&c, argc, argv, NULL, &e)) >= 0)
		reg_option(v, &o, &e);
	if (v == CLI_HELP)
		return 0;
	if (v == CLI_BAD || cli_operands(&c, argc, argv, 1, 1, "REGISTRY", &e) < 0)
		return cli_fail(&e);
	if (ward_registry_logout(cli_context(false), argv[optind], &o, &e) < 0)
		return cli_fail(&e);
	printf("Removed login credentials for %s\n", argv[optind]);
	return 0;
}
