/* One parser for every subcommand: getopt_long over the command's table plus --help. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

#define MAX_OPTS 64

static const struct cli_cmd *current;
static struct option table[MAX_OPTS + 2];
static char shorts[3 + 3 * MAX_OPTS + 2];

size_t cli_option_table(const struct option *opts, bool stop_at_operand, struct option *out,
                        size_t max, char *out_shorts)
{
	size_t n = 0, k = 0;
	if (stop_at_operand)
		out_shorts[k++] = '+';
	out_shorts[k++] = ':';
	for (; opts && opts[n].name && n < max; n++) {
		out[n] = opts[n];
		int v = opts[n].val;
		if (v > 0 && v < 128 && isalnum(v) && !strchr(out_shorts, v)) {
			out_shorts[k++] = (char)v;
			if (opts[n].has_arg == required_argument)
				out_shorts[k++] = ':';
		}
	}
	out[n++] = (struct option){"help", no_argument, NULL, 'h'};
	out[n] = (struct option){0};
	out_shorts[k++] = 'h';
	out_shorts[k] = 0;
	return n;
}

static void build(const struct cli_cmd *c)
{
	cli_option_table(c->opts, c->stop_at_operand, table, MAX_OPTS, shorts);
	current = c;
	optind = 0; /* a full reset, permutation state included */
	opterr = 0;
}

/* The option as typed: --name without its =value, or -c. */
static void culprit(char **argv, char *out, size_t len)
{
	const char *arg = argv[optind - 1];
	if (optopt > 0 && optopt < 128 && isalnum(optopt) && strncmp(arg, "--", 2) != 0)
		snprintf(out, len, "-%c", optopt);
	else
		snprintf(out, len, "%.*s", (int)strcspn(arg, "="), arg);
}

int cli_next(const struct cli_cmd *c, int argc, char **argv, int *idx, struct ward_error *e)
{
	if (c != current)
		build(c);
	int i = -1;
	int v = getopt_long(argc, argv, shorts, table, &i);
	char opt[64];
	if (idx)
		*idx = i;
	switch (v) {
	case -1:
		return CLI_DONE;
	case 'h':
		fputs(c->usage, stdout);
		return CLI_HELP;
	case ':':
		culprit(argv, opt, sizeof(opt));
		ward_error_set(e, 0, "%s: option %s needs a value (see ward %s --help)", c->name,
		               opt, c->name);
		return CLI_BAD;
	case '?':
		culprit(argv, opt, sizeof(opt));
		if (optopt && !strncmp(opt, "--", 2))
			return ward_error_set(e, 0,
			                      "%s: option %s takes no value (see ward %s --help)",
			                      c->name, opt, c->name),
			       CLI_BAD;
		ward_error_set(e, 0, "%s: unknown option %s (see ward %s --help)", c->name, opt,
		               c->name);
		return CLI_BAD;
	default:
		return v;
	}
}

int cli_operands(const struct cli_cmd *c, int argc, char **argv, int min, int max, const char *what,
                 struct ward_error *e)
{
	int n = argc - optind;
	if (n < min)
		return ward_error_set(e, 0, "%s: missing %s (see ward %s --help)", c->name, what,
		                      c->name);
	if (max >= 0 && n > max)
		return ward_error_set(e, 0, "%s: unexpected argument '%s' (see ward %s --help)",
		                      c->name, argv[optind + max], c->name);
	return 0;
}

int cli_fail(const struct ward_error *e)
{
	cli_error(e);
	return EXIT_WARD;
}

const struct option cli_json_opts[] = {{"json", no_argument, NULL, 'j'}, {0}};

int cli_simple(const struct cli_cmd *c, int argc, char **argv, int min, int max, const char *what)
{
	return cli_simple_flag(c, argc, argv, min, max, what, NULL);
}

int cli_simple_flag(const struct cli_cmd *c, int argc, char **argv, int min, int max,
                    const char *what, bool *flag)
{
	struct ward_error e = {0};
	int v;
	while ((v = cli_next(c, argc, argv, NULL, &e)) >= 0)
		if (flag)
			*flag = true;
	if (v == CLI_HELP)
		return 0;
	if (v == CLI_BAD || cli_operands(c, argc, argv, min, max, what, &e) < 0)
		return cli_fail(&e);
	return -1;
}

const char *cli_env(const char *arg, char **buf)
{
	*buf = NULL;
	if (strchr(arg, '=') || !*arg)
		return arg;
	const char *v = getenv(arg);
	if (!v)
		return NULL;
	size_t n = strlen(arg) + strlen(v) + 2;
	if (!(*buf = malloc(n)))
		return arg; /* the library then refuses it, naming it */
	snprintf(*buf, n, "%s=%s", arg, v);
	return *buf;
}

int cli_json_print_as(json_t *j, size_t flags)
{
	char *text = j ? json_dumps(j, flags | JSON_PRESERVE_ORDER | JSON_ENCODE_ANY) : NULL;
	json_decref(j);
	if (!text) {
		fputs("ward: out of memory printing JSON\n", stderr);
		return EXIT_WARD;
	}
	printf("%s\n", text);
	free(text);
	return 0;
}

json_t *cli_json_parse(char *text)
{
	json_t *j = text ? json_loads(text, 0, NULL) : NULL;
	free(text);
	return j ? j : json_null();
}

int cli_json_print(json_t *j)
{
	return cli_json_print_as(j, JSON_COMPACT);
}
