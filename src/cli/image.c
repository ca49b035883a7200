/* ward image import | ls | inspect | rm | prune (pack, tag, history: image_pack.c) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "image_cmds.h"

static const struct option json_opts[] = {{"json", no_argument, NULL, 'j'}, {0}};

static const char import_usage[] =
    "usage: ward image import [--name NAME[:TAG]] [-q|--quiet] [--json] REF\n"
    "\n"
    "Imports REF into the store and unpacks it; prints the name it is stored under.\n"
    "  REF: oci:DIR[:TAG], oci-archive:FILE[:TAG], docker-archive:FILE[:NAME:TAG],\n"
    "       docker://REF (pulled from its registry, as ward pull)\n"
    "      --name NAME[:TAG]   store it under this name (default: the reference's)\n"
    "  -q, --quiet             no progress\n"
    "      --json              {\"name\": ...}\n"
    "  -h, --help              this text\n";

static int import_cmd(int argc, char **argv)
{
	static const struct option opts[] = {{"name", required_argument, NULL, 'n'},
	                                     {"quiet", no_argument, NULL, 'q'},
	                                     {"json", no_argument, NULL, 'j'},
	                                     {0}};
	static const struct cli_cmd c = {"image import", import_usage, opts, false};
	const char *as = NULL;
	bool quiet = false, json = false;
	struct ward_error e = {0};
	int v;
	while ((v = cli_next(&c, argc, argv, NULL, &e)) >= 0)
		if (v == 'n')
			as = optarg;
		else if (v == 'q')
			quiet = true;
		else
			json = true;
	if (v == CLI_HELP)
		return 0;
	if (v == CLI_BAD || cli_operands(&c, argc, argv, 1, 1, "REF", &e) < 0)
		return cli_fail(&e);
	char name[WARD_IMAGE_NAME_MAX];
	struct ward_store *st = cli_store(quiet || json, &e);
	if (!st || ward_image_import(st, argv[optind], as, name, &e) < 0)
		return cli_fail(&e);
	if (json)
		return cli_json_print(json_pack("{s:s}", "name", name));
	printf("%s\n", name);
	return 0;
}

static int ls_cmd(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"quiet", no_argument, NULL, 'q'}, {"json", no_argument, NULL, 'j'}, {0}};
	static const struct cli_cmd c = {
	    "image ls",
	    "usage: ward image ls [-q|--quiet] [--json]\n"
	    "\n"
	    "Images in the store: name, id, layers, size, whether unpacked.\n"
	    "  -q, --quiet   names only\n"
	    "      --json    [{\"name\", \"id\", \"layers\", \"size\", \"unpacked\"}, ...]\n"
	    "  -h, --help    this text\n",
	    opts, false};
	bool json = false, quiet = false;
	struct ward_error e = {0};
	int v;
	while ((v = cli_next(&c, argc, argv, NULL, &e)) >= 0)
		*(v == 'q' ? &quiet : &json) = true;
	if (v == CLI_HELP)
		return 0;
	if (v == CLI_BAD || cli_operands(&c, argc, argv, 0, 0, "", &e) < 0)
		return cli_fail(&e);
	struct ward_image_info *list;
	size_t n;
	struct ward_store *st = cli_store(json || quiet, &e);
	if (!st || ward_image_list(st, &list, &n, &e) < 0)
		return cli_fail(&e);
	json_t *out = json ? json_array() : NULL;
	if (!json && !quiet)
		printf("%-40s %-14s %7s %12s %s\n", "NAME", "ID", "LAYERS", "SIZE", "UNPACKED");
	for (size_t i = 0; i < n; i++) {
		const struct ward_image_info *x = &list[i];
		if (json)
			json_array_append_new(
			    out, json_pack("{s:s,s:s,s:i,s:I,s:b}", "name", x->name, "id", x->id,
			                   "layers", (int)x->layers, "size", (json_int_t)x->size,
			                   "unpacked", x->unpacked));
		else if (quiet)
			printf("%s\n", x->name);
		else
			printf("%-40s %-14.12s %7u %10.1fMB %s\n", x->name, x->id + 7, x->layers,
			       (double)x->size / 1e6, x->unpacked ? "yes" : "no");
	}
	free(list);
	return json ? cli_json_print(out) : 0;
}

static json_t *strv_json(char *const *v)
{
	json_t *a = json_array();
	for (size_t i = 0; v && v[i]; i++)
		json_array_append_new(a, json_string(v[i]));
	return a;
}

static void print_strv(const char *key, char *const *v)
{
	printf("%-11s", key);
	for (size_t i = 0; v && v[i]; i++)
		printf(" %s", v[i]);
	putchar('\n');
}

static int inspect_cmd(int argc, char **argv)
{
	static const struct cli_cmd c = {
	    "image inspect",
	    "usage: ward image inspect [--json] NAME|ID\n"
	    "\n"
	    "An image's name, id, tree and defaults (workdir, user, env, entrypoint, cmd).\n"
	    "      --json   the same as one JSON object\n"
	    "  -h, --help   this text\n",
	    json_opts, false};
	bool json = false;
	struct ward_error e = {0};
	int v;
	while ((v = cli_next(&c, argc, argv, NULL, &e)) >= 0)
		json = true;
	if (v == CLI_HELP)
		return 0;
	if (v == CLI_BAD || cli_operands(&c, argc, argv, 1, 1, "NAME|ID", &e) < 0)
		return cli_fail(&e);
	struct ward_image *img;
	struct ward_store *st = cli_store(json, &e);
	if (!st || ward_image_open(st, argv[optind], &img, &e) < 0)
		return cli_fail(&e);
	const struct ward_image_config *k = ward_image_config(img);
	int rc = 0;
	if (json) {
		rc = cli_json_print(
		    json_pack("{s:s,s:s,s:s,s:s,s:s,s:o,s:o,s:o}", "name", k->name, "id", k->id,
		              "rootfs", k->rootfs, "workdir", k->workdir ? k->workdir : "", "user",
		              k->user ? k->user : "", "env", strv_json(k->env), "entrypoint",
		              strv_json(k->entrypoint), "cmd", strv_json(k->cmd)));
	} else {
		printf(
		    "name       %s\nid         %s\nrootfs     %s\nworkdir    %s\nuser       %s\n",
		    k->name, k->id, k->rootfs, k->workdir ? k->workdir : "",
		    k->user ? k->user : "");
		print_strv("env", k->env);
		print_strv("entrypoint", k->entrypoint);
		print_strv("cmd", k->cmd);
	}
	ward_image_close(img);
	return rc;
}

static int rm_cmd(int argc, char **argv)
{
	static const struct cli_cmd c = {"image rm",
	                                 "usage: ward image rm NAME|ID...\n"
	                                 "\n"
	                                 "Takes the names off, then collects what nothing names.\n"
	                                 "  -h, --help   this text\n",
	                                 NULL, false};
	int rc = cli_simple(&c, argc, argv, 1, -1, "NAME|ID");
	if (rc >= 0)
		return rc;
	struct ward_error e = {0};
	struct ward_store *st = cli_store(false, &e);
	if (!st || ward_image_remove(st, argv + optind, (size_t)(argc - optind), &e) < 0)
		return cli_fail(&e);
	return 0;
}

static int prune_cmd(int argc, char **argv)
{
	static const struct cli_cmd c = {
	    "image prune",
	    "usage: ward image prune [--json]\n"
	    "\n"
	    "Deletes blobs and trees no name refers to, and leftovers of killed imports.\n"
	    "      --json   {\"trees\": N, \"blobs\": N}\n"
	    "  -h, --help   this text\n",
	    json_opts, false};
	bool json = false;
	struct ward_error e = {0};
	int v;
	while ((v = cli_next(&c, argc, argv, NULL, &e)) >= 0)
		json = true;
	if (v == CLI_HELP)
		return 0;
	if (v == CLI_BAD || cli_operands(&c, argc, argv, 0, 0, "", &e) < 0)
		return cli_fail(&e);
	uint64_t trees, blobs;
	struct ward_store *st = cli_store(json, &e);
	if (!st || ward_image_prune(st, &trees, &blobs, &e) < 0)
		return cli_fail(&e);
	if (json)
		return cli_json_print(
		    json_pack("{s:I,s:I}", "trees", (json_int_t)trees, "blobs", (json_int_t)blobs));
	printf("removed %llu trees and %llu blobs\n", (unsigned long long)trees,
	       (unsigned long long)blobs);
	return 0;
}

static const char image_usage[] =
    "usage: ward image COMMAND [OPTIONS]   (ward image COMMAND --help: its options)\n"
    "\n"
    "  import REF       import oci:DIR[:TAG], oci-archive:FILE[:TAG],\n"
    "                   docker-archive:FILE[:NAME:TAG] into the store\n"
    "  ls               images in the store\n"
    "  inspect IMAGE    an image's defaults and tree\n"
    "  rm IMAGE...      untag, then collect what nothing names\n"
    "  prune            collect blobs and trees nothing names\n"
    "  pack DIR         a directory as a one-layer image\n"
    "  tag SRC NEW      another name for an image\n"
    "  history IMAGE    an image's layers\n"
    "  -h, --help       this text\n"
    "\n"
    "The store is an OCI image layout: $WARD_STORE, else /var/lib/ward (root) or\n"
    "$XDG_DATA_HOME/ward, ~/.local/share/ward (others).\n";

int cmd_image(int argc, char **argv)
{
	static const struct {
		const char *name;
		int (*fn)(int, char **);
	} subs[] = {{"import", import_cmd},   {"ls", ls_cmd},
	            {"inspect", inspect_cmd}, {"rm", rm_cmd},
	            {"prune", prune_cmd},     {"pack", image_pack_cmd},
	            {"tag", image_tag_cmd},   {"history", image_history_cmd}};
	static const struct cli_cmd top = {"image", image_usage, NULL, true};
	const char *sub = argc > 1 ? argv[1] : "";
	for (size_t i = 0; i < sizeof(subs) / sizeof(subs[0]); i++)
		if (!strcmp(sub, subs[i].name))
			return subs[i].fn(argc - 1, argv + 1);
	int rc = cli_simple(&top, argc, argv, 1, -1, "COMMAND");
	if (rc >= 0)
		return rc;
	fprintf(stderr, "ward: image: unknown command '%s' (see ward image --help)\n", sub);
	return EXIT_WARD;
}
