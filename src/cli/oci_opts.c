/* ward oci's option parsing: runc's flags (Go's flag package through urfave/cli) take
 * --opt value, --opt=value, -opt value and the short aliases; bools take =false. */
#include <ctype.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "oci.h"

#define MAX_OPTS 40

static const struct oci_cmd *current;
static struct option table[MAX_OPTS + 2];
static char shorts[3 + 2 * MAX_OPTS + 2];

static void build(const struct oci_cmd *c)
{
	/* others permute, as urfave/cli moves flags before operands */
	cli_option_table(c->opts, c->stop_at_operand, table, MAX_OPTS, shorts);
	current = c;
	optind = 0;
	opterr = 0;
}

static void culprit(char **argv, char *out, size_t len)
{
	const char *arg = argv[optind - 1];
	if (optopt > 0 && optopt < 128 && isalpha(optopt) && strlen(arg) == 2)
		snprintf(out, len, "-%c", optopt);
	else
		snprintf(out, len, "%.*s", (int)strcspn(arg, "="), arg);
}

static const struct option *find(const char *name, size_t len)
{
	for (const struct option *o = table; o->name; o++)
		if (strlen(o->name) == len && !strncmp(o->name, name, len))
			return o;
	return NULL;
}

/* Go's flag package reads -name as --name, never as -n with the value "ame" (getopt's
 * fallback): a single-dash word longer than one letter must name a long option. */
static int single_dash_words(const struct oci_cmd *c, int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "--"))
			return 0;
		if (a[0] != '-' || !a[1]) {
			if (c->stop_at_operand)
				return 0;
			continue;
		}
		const char *name = a + 1 + (a[1] == '-');
		size_t len = strcspn(name, "=");
		const struct option *o = find(name, len);
		if (!o && a[1] != '-' && len > 1)
			return oci_fail("%s: unknown option %.*s (see %s %s --help)", c->name,
			                (int)len + 1, a, oci_g.prog, c->name);
		if (!o && len == 1)
			for (o = table; o->name && o->val != name[0]; o++)
				;
		if (o && o->name && o->has_arg == required_argument && !name[len])
			i++; /* its value, whatever it looks like */
	}
	return 0;
}

int oci_next(const struct oci_cmd *c, int argc, char **argv, int *idx)
{
	if (c != current) {
		build(c);
		if (single_dash_words(c, argc, argv))
			return OCI_BAD;
	}
	int i = -1;
	int v = getopt_long_only(argc, argv, shorts, table, &i);
	char opt[64];
	if (idx)
		*idx = i;
	switch (v) {
	case -1:
		return OCI_DONE;
	case 'h':
		fputs(c->usage, stdout);
		return OCI_HELP;
	case ':':
		culprit(argv, opt, sizeof(opt));
		oci_fail("%s: option %s needs a value (see %s %s --help)", c->name, opt, oci_g.prog,
		         c->name);
		return OCI_BAD;
	case '?':
		culprit(argv, opt, sizeof(opt));
		oci_fail("%s: unknown option %s (see %s %s --help)", c->name, opt, oci_g.prog,
		         c->name);
		return OCI_BAD;
	default:
		return v;
	}
}

bool oci_bool(const char *v)
{
	return !v || (strcmp(v, "false") && strcmp(v, "0") && strcmp(v, "f") && strcmp(v, "F") &&
	              strcmp(v, "FALSE") && strcmp(v, "False"));
}

int oci_check_id(const char *id)
{
	size_t n = strspn(id, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	                      "0123456789_.+-");
	if (!*id || id[n] || n > 1024 || !strcmp(id, ".") || !strcmp(id, ".."))
		return oci_fail("'%s': invalid container id (letters, digits, _ . + -)", id), -1;
	return 0;
}

int oci_one_id(const struct oci_cmd *c, int argc, char **argv, const char **id)
{
	if (optind >= argc)
		return oci_fail("%s: a container id is needed (usage: %s %s)", c->name, oci_g.prog,
		                c->name),
		       -1;
	if (optind + 1 < argc)
		return oci_fail("%s: one container id expected, got also '%s'", c->name,
		                argv[optind + 1]),
		       -1;
	*id = argv[optind];
	return oci_check_id(*id);
}

int oci_signal(const char *text)
{
	char *end;
	long n = strtol(text, &end, 10);
	if (*text && !*end)
		return n > 0 && n <= SIGRTMAX ? (int)n : -1;
	const char *name = strncasecmp(text, "SIG", 3) ? text : text + 3;
	for (int s = 1; s < SIGRTMIN; s++) {
		const char *abbrev = sigabbrev_np(s);
		if (abbrev && !strcasecmp(name, abbrev))
			return s;
	}
	if (!strncasecmp(name, "RTMIN+", 6) || !strncasecmp(name, "RTMAX-", 6)) {
		n = strtol(name + 6, &end, 10);
		int s =
		    toupper((unsigned char)name[4]) == 'I' ? SIGRTMIN + (int)n : SIGRTMAX - (int)n;
		return *end || n < 0 || s < SIGRTMIN || s > SIGRTMAX ? -1 : s;
	}
	return -1;
}

/* docker/go-units' RAMInBytes: a number, an optional unit k m g t p (binary), an optional
 * i and b. */
int oci_size(const char *opt, const char *text, bool neg_ok, long long *out)
{
	if (neg_ok && !strcmp(text, "-1")) {
		*out = -1;
		return 0;
	}
	char *end;
	double v = strtod(text, &end);
	if (end == text || v < 0 || !isdigit((unsigned char)text[0]))
		goto bad;
	if (*end == ' ')
		end++;
	double mult = 1;
	const char *units = "kmgtp";
	const char *u = *end ? strchr(units, tolower((unsigned char)*end)) : NULL;
	if (u) {
		for (const char *p = units; p <= u; p++)
			mult *= 1024;
		end++;
		if (tolower((unsigned char)*end) == 'i')
			end++;
	}
	if (tolower((unsigned char)*end) == 'b')
		end++;
	if (*end || v * mult > 9.2e18)
		goto bad;
	*out = (long long)(v * mult);
	return 0;
bad:
	return oci_fail("%s: '%s': not a size (a number with k, m, g, t or p)", opt, text), -1;
}
