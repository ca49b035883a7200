/* ward image pack | tag | history */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "image_cmds.h"

static const char pack_usage[] =
    "usage: ward image pack --name NAME[:TAG] [OPTIONS] DIR\n"
    "\n"
    "DIR as a one-layer image (the same DIR twice: the same id); prints NAME:TAG ID.\n"
    "      --name NAME[:TAG]   its name in the store\n"
    "      --config JSON       config fields as a JSON object (Env, Cmd, Entrypoint,\n"
    "                          WorkingDir, User); the options below go over it\n"
    "      --cmd ARG           an argument of its Cmd (repeatable)\n"
    "      --entrypoint ARG    an argument of its Entrypoint (repeatable)\n"
    "      --env K=V           a variable of its Env (repeatable)\n"
    "      --workdir DIR       its WorkingDir\n"
    "      --user U[:G]        its User\n"
    "  -q, --quiet             no progress\n"
    "      --json              {\"name\": ..., \"id\": ...}\n"
    "  -h, --help              this text\n";

/* --config's object, or a new one; NULL with E set when it is not an object. */
static json_t *base_config(const char *text, struct ward_error *e)
{
	json_error_t je;
	json_t *j = json_loads(text, 0, &je);
	if (j && json_is_object(j))
		return j;
	json_decref(j);
	ward_error_set(e, 0, "image pack --config: expected a JSON object (%s)",
	               j ? "not an object" : je.text);
	return NULL;
}

struct pack_args {
	const char *name, *config;
	bool quiet, json;
	json_t *over; /* --cmd, --env... */
};

static int parse_pack(int argc, char **argv, struct pack_args *a, struct ward_error *e)
{
	static const struct option opts[] = {
	    {"name", required_argument, NULL, 'n'}, {"config", required_argument, NULL, 'C'},
	    {"cmd", required_argument, NULL, 'c'},  {"entrypoint", required_argument, NULL, 'p'},
	    {"env", required_argument, NULL, 'e'},  {"workdir", required_argument, NULL, 'w'},
	    {"user", required_argument, NULL, 'u'}, {"quiet", no_argument, NULL, 'q'},
	    {"json", no_argument, NULL, 'j'},       {0}};
	static const struct cli_cmd c = {"image pack", pack_usage, opts, false};
	int v;
	while ((v = cli_next(&c, argc, argv, NULL, e)) >= 0) {
		const char *key = v == 'c'   ? "Cmd"
		                  : v == 'p' ? "Entrypoint"
		                  : v == 'e' ? "Env"
		                             : NULL;
		if (key) {
			if (!json_object_get(a->over, key))
				json_object_set_new(a->over, key, json_array());
			json_array_append_new(json_object_get(a->over, key), json_string(optarg));
		} else if (v == 'w' || v == 'u') {
			json_object_set_new(a->over, v == 'w' ? "WorkingDir" : "User",
			                    json_string(optarg));
		} else if (v == 'n') {
			a->name = optarg;
		} else if (v == 'C') {
			a->config = optarg;
		} else {
			*(v == 'q' ? &a->quiet : &a->json) = true;
		}
	}
	if (v == CLI_DONE && cli_operands(&c, argc, argv, 1, 1, "DIR", e) < 0)
		return CLI_BAD;
	return v;
}

int image_pack_cmd(int argc, char **argv)
{
	struct ward_error e = {0};
	struct pack_args a = {.over = json_object()};
	int v = parse_pack(argc, argv, &a, &e);
	json_t *cfg = v == CLI_DONE && a.config ? base_config(a.config, &e) : json_object();
	if (v == CLI_HELP || v == CLI_BAD || !cfg) {
		json_decref(a.over);
		json_decref(cfg);
		return v == CLI_HELP ? 0 : cli_fail(&e);
	}
	json_object_update(cfg, a.over);
	json_decref(a.over);
	char *text = json_dumps(cfg, JSON_COMPACT);
	json_decref(cfg);
	char id[80] = "", name[WARD_IMAGE_NAME_MAX + 8];
	struct ward_store *st = cli_store(a.quiet || a.json, &e);
	int rc = st ? ward_image_pack(st, argv[optind], a.name, text, id, &e) : -1;
	free(text);
	if (rc < 0)
		return cli_fail(&e);
	cli_name_tag(a.name, name, sizeof(name));
	if (a.json)
		return cli_json_print(json_pack("{s:s,s:s}", "name", name, "id", id));
	printf("%s%s%s\n", name, *id ? " " : "", id);
	return 0;
}

int image_tag_cmd(int argc, char **argv)
{
	static const struct cli_cmd c = {"image tag",
	                                 "usage: ward image tag SRC NEW[:TAG]\n"
	                                 "\n"
	                                 "Names the image SRC (a name or id) also NEW[:TAG].\n"
	                                 "  -h, --help   this text\n",
	                                 NULL, false};
	int rc = cli_simple(&c, argc, argv, 2, 2, "SRC and NEW[:TAG]");
	if (rc >= 0)
		return rc;
	struct ward_error e = {0};
	struct ward_store *st = cli_store(false, &e);
	if (!st || ward_image_tag(st, argv[optind], argv[optind + 1], &e) < 0)
		return cli_fail(&e);
	return 0;
}

static void print_layer(const struct ward_image_layer *l, bool no_trunc)
{
	char when[32] = "-";
	time_t t = (time_t)(l->created_ms / 1000);
	struct tm tm;
	if (l->created_ms && gmtime_r(&t, &tm))
		strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	const char *by = l->created_by ? l->created_by : "";
	const char *digest = l->digest[0] ? l->digest + 7 : "-";
	int dw = no_trunc || !l->digest[0] ? (int)strlen(digest) : 12;
	int bw = no_trunc || strlen(by) <= 45 ? (int)strlen(by) : 42;
	printf("%-*.*s  %-20s  %10.1fMB  %.*s%s%s%s\n", no_trunc ? 64 : 12, dw, digest, when,
	       (double)l->size / 1e6, bw, by, bw < (int)strlen(by) ? "..." : "",
	       l->comment && *l->comment ? "  # " : "", l->comment ? l->comment : "");
}

int image_history_cmd(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"no-trunc", no_argument, NULL, 'T'}, {"json", no_argument, NULL, 'j'}, {0}};
	static const struct cli_cmd c = {
	    "image history",
	    "usage: ward image history [--no-trunc] [--json] IMAGE\n"
	    "\n"
	    "An image's layers, newest first: digest, time, size, what made it.\n"
	    "      --no-trunc   digests and commands in full\n"
	    "      --json       [{\"digest\", \"size\", \"created\", \"createdBy\", \"comment\"}, "
	    "...]\n"
	    "  -h, --help       this text\n",
	    opts, false};
	bool json = false, no_trunc = false;
	struct ward_error e = {0};
	int v;
	while ((v = cli_next(&c, argc, argv, NULL, &e)) >= 0)
		*(v == 'T' ? &no_trunc : &json) = true;
	if (v == CLI_HELP)
		return 0;
	if (v == CLI_BAD || cli_operands(&c, argc, argv, 1, 1, "IMAGE", &e) < 0)
		return cli_fail(&e);
	struct ward_image_layer *layers;
	size_t n;
	struct ward_store *st = cli_store(json, &e);
	if (!st || ward_image_history(st, argv[optind], &layers, &n, &e) < 0)
		return cli_fail(&e);
	json_t *out = json ? json_array() : NULL;
	if (!json)
		printf("%-*s  %-20s  %12s  %s\n", no_trunc ? 64 : 12, "LAYER", "CREATED", "SIZE",
		       "CREATED BY");
	for (size_t i = 0; i < n; i++) {
		const struct ward_image_layer *l = &layers[i];
		if (json)
			json_array_append_new(out, json_pack("{s:s,s:I,s:I,s:s?,s:s?}", "digest",
			                                     l->digest, "size", (json_int_t)l->size,
			                                     "created", (json_int_t)l->created_ms,
			                                     "createdBy", l->created_by, "comment",
			                                     l->comment));
		else
			print_layer(l, no_trunc);
	}
	ward_image_history_free(layers, n);
	return json ? cli_json_print(out) : 0;
}
