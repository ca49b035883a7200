/* ward ps and ward inspect: what the state root says about sandboxes. */
#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "sandbox.h"

static json_t *record_json(const struct sandbox_record *r, bool alive)
{
	json_t *cg = json_array();
	for (size_t i = 0; i < r->n_cgroups; i++)
		json_array_append_new(cg, json_string(r->cgroups[i]));
	json_t *o = json_pack(
	    "{s:s, s:s, s:s, s:b, s:s, s:s, s:I, s:{s:i, s:i, s:b}, s:{s:I, s:I, s:I, s:I}, s:o}",
	    "id", r->id, "name", r->name, "status", sandbox_status_name(r->status), "persistent",
	    r->persistent, "image", r->image, "command", r->command, "created",
	    (json_int_t)r->created, "supervisor", "pid", (int)r->supervisor, "initPid",
	    (int)r->init, "alive", alive, "namespaces", "user", (json_int_t)r->ns_user, "mnt",
	    (json_int_t)r->ns_mnt, "pid", (json_int_t)r->ns_pid, "net", (json_int_t)r->ns_net,
	    "cgroups", cg);
	if (o)
		json_object_set_new(o, "network", state_network_json(r));
	if (o && r->status == SB_STOPPED)
		json_object_update_new(o, json_pack("{s:i, s:s, s:I}", "exitCode", r->exit_code,
		                                    "reason", r->reason, "finished",
		                                    (json_int_t)r->finished));
	return o;
}

struct ps {
	struct state *st;
	bool all, json, quiet;
	json_t *list;
};

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

static int ps_one(const struct sandbox_record *r, void *arg)
{
	struct ps *p = arg;
	if (r->status != SB_RUNNING && !p->all)
		return 0;
	if (p->json) {
		json_array_append_new(p->list, record_json(r, state_alive(p->st, r->id)));
		return 0;
	}
	if (p->quiet) {
		printf("%s\n", r->id);
		return 0;
	}
	char when[32], status[48];
	age(r->created, when, sizeof(when));
	if (r->status == SB_STOPPED)
		snprintf(status, sizeof(status), "stopped (%d)", r->exit_code);
	else
		snprintf(status, sizeof(status), "%s", sandbox_status_name(r->status));
	printf("%-12s  %-16s  %-13s  %-10s  %-24.24s  %s\n", r->id, r->name[0] ? r->name : "-",
	       status, when, r->image, r->command[0] ? r->command : "(idle)");
	return 0;
}

int cmd_ps(int argc, char **argv)
{
	struct state st;
	struct ward_error e = {0};
	struct ps p = {.st = &st};
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--all") || !strcmp(argv[i], "-a"))
			p.all = true;
		else if (!strcmp(argv[i], "--json"))
			p.json = true;
		else if (!strcmp(argv[i], "-q") || !strcmp(argv[i], "--quiet"))
			p.quiet = true;
		else {
			fprintf(
			    stderr,
			    "ward: ps: unknown option %s (usage: ward ps [--all] [--json] [-q])\n",
			    argv[i]);
			return EXIT_WARD;
		}
	}
	if (state_open(&st, cli_context(false), &e) < 0) {
		cli_error(&e);
		return EXIT_WARD;
	}
	state_collect(&st);
	p.list = json_array();
	if (!p.json && !p.quiet)
		printf("%-12s  %-16s  %-13s  %-10s  %-24s  %s\n", "ID", "NAME", "STATUS", "CREATED",
		       "IMAGE", "COMMAND");
	state_lock(&st, false);
	state_each(&st, ps_one, &p);
	state_unlock(&st);
	state_close(&st);
	if (p.json) {
		char *text = json_dumps(p.list, JSON_INDENT(2));
		printf("%s\n", text ? text : "[]");
		free(text);
	}
	json_decref(p.list);
	return 0;
}

int cmd_inspect(int argc, char **argv)
{
	const char *ref = NULL;
	for (int i = 1; i < argc; i++)
		if (strcmp(argv[i], "--json") != 0)
			ref = argv[i];
	struct state st;
	struct ward_error e = {0};
	char id[STATE_ID_LEN + 1];
	struct sandbox_record r;
	if (!ref) {
		fputs("ward: usage: ward inspect SANDBOX [--json]\n", stderr);
		return EXIT_WARD;
	}
	if (state_open(&st, cli_context(false), &e) < 0 || state_resolve(&st, ref, id, &e) < 0 ||
	    state_read(&st, id, &r, &e) < 0) {
		cli_error(&e);
		state_close(&st);
		return EXIT_WARD;
	}
	json_t *o = record_json(&r, state_alive(&st, id));
	state_close(&st);
	char *text = json_dumps(o, JSON_INDENT(2));
	printf("%s\n", text ? text : "{}");
	free(text);
	json_decref(o);
	return 0;
}
