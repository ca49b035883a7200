/* ward ps and ward inspect: what the state root says about sandboxes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"

static void age(int64_t since_ms, char *out, size_t len)
{
	int64_t s = (int64_t)time(NULL) - since_ms / 1000;
	if (s < 120)
		snprintf(out, len, "%llds ago", (long long)s);
	else if (s < 7200)
		snprintf(out, len, "%lldm ago", (long long)s / 60);
	else
		snprintf(out, len, "%lldh ago", (long long)s / 3600);
}

static void ps_line(const struct ward_sandbox_info *r)
{
	char when[32], status[48];
	age(r->created_ms, when, sizeof(when));
	if (r->status == WARD_SANDBOX_STOPPED)
		snprintf(status, sizeof(status), "stopped (%d)", r->exit_code);
	else
		snprintf(status, sizeof(status), "%s", ward_sandbox_status_name(r->status));
	printf("%-12s  %-16s  %-13s  %-10s  %-24.24s  %s\n", r->id, r->name[0] ? r->name : "-",
	       status, when, r->origin, r->command[0] ? r->command : "(idle)");
}

/* One element of the --json array, indented as an array of objects is. */
static void json_element(const struct ward_sandbox_info *r, bool first)
{
	char *text = ward_sandbox_info_json(r);
	fputs(first ? "[\n  " : ",\n  ", stdout);
	for (const char *p = text ? text : "{}"; *p; p++) {
		putchar(*p);
		if (*p == '\n')
			fputs("  ", stdout);
	}
	free(text);
}

int cmd_ps(int argc, char **argv)
{
	struct ward_error e = {0};
	bool all = false, json = false, quiet = false;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--all") || !strcmp(argv[i], "-a"))
			all = true;
		else if (!strcmp(argv[i], "--json"))
			json = true;
		else if (!strcmp(argv[i], "-q") || !strcmp(argv[i], "--quiet"))
			quiet = true;
		else {
			fprintf(
			    stderr,
			    "ward: ps: unknown option %s (usage: ward ps [--all] [--json] [-q])\n",
			    argv[i]);
			return EXIT_WARD;
		}
	}
	struct ward_sandbox_info *v;
	size_t n, shown = 0;
	if (ward_sandbox_list(cli_context(false), &v, &n, &e) < 0) {
		cli_error(&e);
		return EXIT_WARD;
	}
	if (!json && !quiet)
		printf("%-12s  %-16s  %-13s  %-10s  %-24s  %s\n", "ID", "NAME", "STATUS", "CREATED",
		       "IMAGE", "COMMAND");
	for (size_t i = 0; i < n; i++) {
		if (v[i].status != WARD_SANDBOX_RUNNING && v[i].status != WARD_SANDBOX_PAUSED &&
		    !all)
			continue;
		if (json)
			json_element(&v[i], shown == 0);
		else if (quiet)
			printf("%s\n", v[i].id);
		else
			ps_line(&v[i]);
		shown++;
	}
	if (json)
		printf(shown ? "\n]\n" : "[]\n");
	free(v);
	return 0;
}

int cmd_inspect(int argc, char **argv)
{
	const char *ref = NULL;
	for (int i = 1; i < argc; i++)
		if (strcmp(argv[i], "--json") != 0)
			ref = argv[i];
	struct ward_error e = {0};
	struct ward_sandbox *sb = NULL;
	struct ward_sandbox_info r;
	if (!ref) {
		fputs("ward: usage: ward inspect SANDBOX [--json]\n", stderr);
		return EXIT_WARD;
	}
	if (ward_sandbox_open(cli_context(false), ref, &sb, &e) < 0 ||
	    ward_sandbox_inspect(sb, &r, &e) < 0) {
		cli_error(&e);
		ward_sandbox_close(sb);
		return EXIT_WARD;
	}
	ward_sandbox_close(sb);
	char *text = ward_sandbox_info_json(&r);
	printf("%s\n", text ? text : "{}");
	free(text);
	return 0;
}
