/* ward ps and ward inspect: what the state root says about sandboxes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "ps_filter.h"

static void age(int64_t since_ms, char *out, size_t len)
{
	int64_t s = (int64_t)time(NULL) - since_ms / 1000;
	if (s < 120)
		snprintf(out, len, "%llds ago", (long long)s);
	else if (s < 7200)
		snprintf(out, len, "%lldm ago", (long long)s / 60);
	else if (s < 172800)
		snprintf(out, len, "%lldh ago", (long long)s / 3600);
	else
		snprintf(out, len, "%lldd ago", (long long)s / 86400);
}

enum { COL_ID, COL_NAME, COL_STATUS, COL_CREATED, COL_IMAGE, COL_COMMAND, NCOLS };
#define TRUNC 32 /* image and command, without --no-trunc */

struct row {
	char status[48], when[32];
	const char *cell[NCOLS];
};

static void fill(struct row *w, const struct ward_sandbox_info *r)
{
	age(r->created_ms, w->when, sizeof(w->when));
	if (r->status == WARD_SANDBOX_STOPPED)
		snprintf(w->status, sizeof(w->status), "stopped (%d)", r->exit_code);
	else
		snprintf(w->status, sizeof(w->status), "%s", ward_sandbox_status_name(r->status));
	w->cell[COL_ID] = r->id;
	w->cell[COL_NAME] = r->name[0] ? r->name : "-";
	w->cell[COL_STATUS] = w->status;
	w->cell[COL_CREATED] = w->when;
	w->cell[COL_IMAGE] = r->origin;
	w->cell[COL_COMMAND] = r->command[0] ? r->command : "(idle)";
}

static int width(const char *s, int col, bool no_trunc)
{
	int n = (int)strlen(s);
	return !no_trunc && (col == COL_IMAGE || col == COL_COMMAND) && n > TRUNC ? TRUNC : n;
}

/* Each column as wide as its longest cell; a cut one ends in "...". */
static void table(struct row *rows, size_t n, bool no_trunc)
{
	static const char *const head[NCOLS] = {"ID",      "NAME",  "STATUS",
	                                        "CREATED", "IMAGE", "COMMAND"};
	int w[NCOLS];
	for (int c = 0; c < NCOLS; c++) {
		w[c] = (int)strlen(head[c]);
		for (size_t i = 0; i < n; i++)
			if (width(rows[i].cell[c], c, no_trunc) > w[c])
				w[c] = width(rows[i].cell[c], c, no_trunc);
	}
	for (size_t i = 0; i <= n; i++) {
		const char *const *cell = i == 0 ? head : rows[i - 1].cell;
		for (int c = 0; c < NCOLS; c++) {
			int len = width(cell[c], c, no_trunc);
			bool cut = len < (int)strlen(cell[c]);
			if (c == NCOLS - 1)
				printf("%.*s%s\n", cut ? len - 3 : len, cell[c], cut ? "..." : "");
			else
				printf("%.*s%s%*s  ", cut ? len - 3 : len, cell[c],
				       cut ? "..." : "", w[c] - len, "");
		}
	}
}

static const char ps_usage[] =
    "usage: ward ps [-a|--all] [-q|--quiet] [--no-trunc] [-f|--filter KEY=VALUE]... [--json]\n"
    "\n"
    "Lists running and paused sandboxes (all of them with -a).\n"
    "  -a, --all               every sandbox, created and stopped ones too\n"
    "  -q, --quiet             ids only\n"
    "      --no-trunc          image and command in full\n"
    "  -f, --filter KEY=VALUE  label=K or label=K=V, name=SUBSTRING, id=PREFIX,\n"
    "                          status=created|running|paused|stopped (then -a is implied);\n"
    "                          the same key twice: either matches; different keys: all must\n"
    "      --json              a JSON array of what ward inspect prints\n"
    "  -h, --help              this text\n";

struct ps_args {
	bool all, json, quiet, no_trunc;
	struct ps_filters f;
};

static int parse_ps(int argc, char **argv, struct ps_args *a, struct ward_error *e)
{
	static const struct option opts[] = {
	    {"all", no_argument, NULL, 'a'},      {"quiet", no_argument, NULL, 'q'},
	    {"no-trunc", no_argument, NULL, 'T'}, {"filter", required_argument, NULL, 'f'},
	    {"json", no_argument, NULL, 'j'},     {0}};
	static const struct cli_cmd c = {"ps", ps_usage, opts, false};
	int v;
	while ((v = cli_next(&c, argc, argv, NULL, e)) >= 0) {
		if (v == 'a')
			a->all = true;
		else if (v == 'q')
			a->quiet = true;
		else if (v == 'T')
			a->no_trunc = true;
		else if (v == 'j')
			a->json = true;
		else if (ps_filter_add(&a->f, optarg, e) < 0)
			return CLI_BAD;
	}
	if (v == CLI_DONE && cli_operands(&c, argc, argv, 0, 0, "", e) < 0)
		return CLI_BAD;
	return v;
}

static bool shown(const struct ps_args *a, const struct ward_sandbox_info *r)
{
	bool live = r->status == WARD_SANDBOX_RUNNING || r->status == WARD_SANDBOX_PAUSED;
	return (live || a->all || a->f.any_status) && ps_filter_match(&a->f, r);
}

int cmd_ps(int argc, char **argv)
{
	struct ward_error e = {0};
	struct ps_args a = {0};
	int v = parse_ps(argc, argv, &a, &e);
	if (v != CLI_DONE)
		return v == CLI_HELP ? 0 : cli_fail(&e);
	struct ward_sandbox_info *list;
	size_t n, k = 0;
	if (ward_sandbox_list(cli_context(false), &list, &n, &e) < 0)
		return cli_fail(&e);
	struct row *rows = calloc(n + 1, sizeof(*rows));
	json_t *out = json_array();
	int rc = rows && out ? 0 : EXIT_WARD;
	for (size_t i = 0; rc == 0 && i < n; i++) {
		if (!shown(&a, &list[i]))
			continue;
		if (a.json)
			json_array_append_new(out,
			                      cli_json_parse(ward_sandbox_info_json(&list[i])));
		else if (a.quiet)
			printf("%s\n", list[i].id);
		else
			fill(&rows[k++], &list[i]);
	}
	if (rc == 0 && a.json)
		rc = cli_json_print_as(json_incref(out), JSON_INDENT(2));
	else if (rc == 0 && !a.quiet)
		table(rows, k, a.no_trunc);
	json_decref(out);
	free(rows);
	ward_sandbox_list_free(list, n);
	return rc;
}

static json_t *inspect_one(const char *ref, struct ward_error *e)
{
	struct ward_sandbox *sb = NULL;
	struct ward_sandbox_info r = {0};
	json_t *j = NULL;
	if (ward_sandbox_open(cli_context(false), ref, &sb, e) == 0 &&
	    ward_sandbox_inspect(sb, &r, e) == 0) {
		j = cli_json_parse(ward_sandbox_info_json(&r));
		ward_sandbox_info_release(&r);
	}
	ward_sandbox_close(sb);
	return j;
}

int cmd_inspect(int argc, char **argv)
{
	static const struct option opts[] = {{"json", no_argument, NULL, 'j'}, {0}};
	static const struct cli_cmd c = {
	    "inspect",
	    "usage: ward inspect [--json] SANDBOX...\n"
	    "\n"
	    "A sandbox's record and its whole config as a JSON object (several: an array).\n"
	    "      --json   the same (JSON is all inspect prints)\n"
	    "  -h, --help   this text\n",
	    opts, false};
	struct ward_error e = {0};
	int v;
	while ((v = cli_next(&c, argc, argv, NULL, &e)) >= 0)
		;
	if (v == CLI_HELP)
		return 0;
	if (v == CLI_BAD || cli_operands(&c, argc, argv, 1, -1, "SANDBOX", &e) < 0)
		return cli_fail(&e);
	if (argc - optind == 1) {
		json_t *j = inspect_one(argv[optind], &e);
		return j ? cli_json_print_as(j, JSON_INDENT(2)) : cli_fail(&e);
	}
	json_t *all = json_array();
	int rc = 0;
	for (int i = optind; i < argc; i++) {
		json_t *j = inspect_one(argv[i], &e);
		if (j)
			json_array_append_new(all, j);
		else
			rc = cli_fail(&e);
	}
	return cli_json_print_as(all, JSON_INDENT(2)) ? EXIT_WARD : rc;
}
