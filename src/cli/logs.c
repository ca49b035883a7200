/* ward logs: what a sandbox's processes wrote, stdout to stdout and stderr to stderr. */
#include <ctype.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"

/* "2026-12-07T10:00:00[.frac](Z|+hh:mm|-hh:mm)" */
static int parse_rfc3339(const char *text, int64_t *out)
{
	struct tm tm = {0};
	const char *p = strptime(text, "%Y-%m-%dT%H:%M:%S", &tm);
	if (!p)
		p = strptime(text, "%Y-%m-%d %H:%M:%S", &tm);
	if (!p)
		return -1;
	int64_t ms = (int64_t)timegm(&tm) * 1000;
	if (*p == '.') {
		int64_t scale = 100;
		for (p++; isdigit((unsigned char)*p); p++, scale /= 10)
			ms += (*p - '0') * scale;
	}
	if ((*p == 'Z' || *p == 'z') && !p[1]) {
		*out = ms;
		return 0;
	}
	int hh, mm;
	char tail;
	if ((*p == '+' || *p == '-') && sscanf(p + 1, "%2d:%2d%c", &hh, &mm, &tail) == 2 &&
	    strlen(p) == 6 && hh < 24 && mm < 60) {
		int64_t off = ((int64_t)hh * 60 + mm) * 60000;
		*out = *p == '+' ? ms - off : ms + off;
		return 0;
	}
	return -1;
}

int cli_parse_since(const char *text, int64_t now_ms, int64_t *out, struct ward_error *e)
{
	char *end;
	if (isdigit((unsigned char)*text) && parse_rfc3339(text, out) == 0)
		return 0;
	double v = isdigit((unsigned char)*text) ? strtod(text, &end) : -1;
	static const struct {
		const char *unit;
		double ms;
	} units[] = {{"", 1000}, {"ms", 1}, {"s", 1000}, {"m", 60000}, {"h", 3600000}};
	for (size_t i = 0; v >= 0 && i < sizeof(units) / sizeof(units[0]); i++) {
		if (strcmp(end, units[i].unit) != 0)
			continue;
		int64_t ms = (int64_t)(v * units[i].ms);
		*out = i == 0 ? ms : now_ms - ms; /* bare number: unix seconds */
		return 0;
	}
	return ward_error_set(e, 0,
	                      "logs --since %s: expected an RFC 3339 time "
	                      "(2026-12-07T10:00:00Z), unix seconds, or a duration (30s, 10m, 2h)",
	                      text);
}

int cmd_logs(int argc, char **argv)
{
	static const struct option opts[] = {{"follow", no_argument, NULL, 'f'},
	                                     {"since", required_argument, NULL, 'S'},
	                                     {"tail", required_argument, NULL, 'n'},
	                                     {"timestamps", no_argument, NULL, 't'},
	                                     {0}};
	static const struct cli_cmd c = {
	    "logs",
	    "usage: ward logs [-f|--follow] [--since T] [--tail N] [-t|--timestamps] SANDBOX\n"
	    "\n"
	    "What its processes wrote: their stdout to stdout, their stderr to stderr.\n"
	    "  -f, --follow       keep printing what comes, until the sandbox stops\n"
	    "      --since T      only lines from T on: an RFC 3339 time (2026-12-07T10:00:00Z),\n"
	    "                     unix seconds, or a duration before now (30s, 10m, 2h)\n"
	    "  -n, --tail N       only the last N lines (all: every line)\n"
	    "  -t, --timestamps   each line prefixed with its time (RFC 3339, UTC)\n"
	    "  -h, --help         this text\n",
	    opts, false};
	struct ward_error e = {0};
	struct ward_log_opts o = {.tail = -1};
	struct timespec now;
	clock_gettime(CLOCK_REALTIME, &now);
	int64_t now_ms = (int64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000;
	uint64_t n;
	int v;
	while ((v = cli_next(&c, argc, argv, NULL, &e)) >= 0) {
		if (v == 'f')
			o.follow = true;
		else if (v == 't')
			o.timestamps = true;
		else if (v == 'S' && cli_parse_since(optarg, now_ms, &o.since_ms, &e) < 0)
			return cli_fail(&e);
		else if (v == 'n' && strcmp(optarg, "all") != 0) {
			if (ward_parse_count(optarg, &n) < 0 || n > (uint64_t)LONG_MAX) {
				ward_error_set(&e, 0,
				               "logs --tail %s: expected a count of lines, or all",
				               optarg);
				return cli_fail(&e);
			}
			o.tail = (long)n;
		}
	}
	if (v == CLI_HELP)
		return 0;
	if (v == CLI_BAD || cli_operands(&c, argc, argv, 1, 1, "SANDBOX", &e) < 0)
		return cli_fail(&e);
	struct ward_sandbox *sb = NULL;
	fflush(stdout);
	int rc = ward_sandbox_open(cli_context(false), argv[optind], &sb, &e);
	if (rc == 0)
		rc = ward_sandbox_logs(sb, &o, 1, 2, &e);
	ward_sandbox_close(sb);
	return rc < 0 ? cli_fail(&e) : 0;
}
