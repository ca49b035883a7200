/* ward image import | ls | inspect | rm | prune | pack */
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char image_usage[] =
    "usage: ward image COMMAND\n"
    "\n"
    "  import REF [--name NAME[:TAG]] [-q]   REF: oci:DIR[:TAG], oci-archive:FILE[:TAG],\n"
    "                                        docker-archive:FILE[:NAME:TAG]\n"
    "  ls [--json]                           images in the store\n"
    "  inspect NAME|ID [--json]              an image's defaults and tree\n"
    "  rm NAME|ID...                         untag, then collect what nothing names\n"
    "  prune                                 collect blobs and trees nothing names\n"
    "  pack DIR --name NAME[:TAG] [--cmd ARG]... [--entrypoint ARG]... [--env K=V]...\n"
    "       [--workdir DIR] [--user U[:G]]   a directory as a one-layer image\n"
    "\n"
    "The store is an OCI image layout: $WARD_STORE, else /var/lib/ward (root) or\n"
    "$XDG_DATA_HOME/ward, ~/.local/share/ward (others).\n";

static int import_cmd(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"name", required_argument, NULL, 'n'}, {"quiet", no_argument, NULL, 'q'}, {0}};
	const char *as = NULL;
	bool quiet = false;
	int c;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+n:q", opts, NULL)) != -1) {
		if (c == 'n')
			as = optarg;
		else if (c == 'q')
			quiet = true;
		else {
			fprintf(stderr, "ward: image import: bad option %s\n", argv[optind - 1]);
			return EXIT_WARD;
		}
	}
	if (optind + 1 != argc) {
		fputs("ward: image import: expected one REF (see ward image --help)\n", stderr);
		return EXIT_WARD;
	}
	char name[WARD_IMAGE_NAME_MAX];
	struct ward_error e = {0};
	struct ward_store *st = cli_store(quiet, &e);
	if (!st || ward_image_import(st, argv[optind], as, name, &e) < 0) {
		cli_error(&e);
		return EXIT_WARD;
	}
	printf("%s\n", name);
	return 0;
}

static int ls_cmd(bool json)
{
	struct ward_image_info *list;
	size_t n;
	struct ward_error e = {0};
	struct ward_store *st = cli_store(json, &e);
	if (!st || ward_image_list(st, &list, &n, &e) < 0) {
		cli_error(&e);
		return EXIT_WARD;
	}
	if (!json)
		printf("%-40s %-14s %7s %12s %s\n", "NAME", "ID", "LAYERS", "SIZE", "UNPACKED");
	else
		putchar('[');
	for (size_t i = 0; i < n; i++) {
		const struct ward_image_info *x = &list[i];
		if (json) {
			printf("%s{\"name\":", i ? "," : "");
			json_print_string(stdout, x->name);
			printf(",\"id\":\"%s\",\"layers\":%u,\"size\":%llu,\"unpacked\":%s}", x->id,
			       x->layers, (unsigned long long)x->size,
			       x->unpacked ? "true" : "false");
		} else {
			printf("%-40s %-14.12s %7u %10.1fMB %s\n", x->name, x->id + 7, x->layers,
			       (double)x->size / 1e6, x->unpacked ? "yes" : "no");
		}
	}
	if (json)
		puts("]");
	free(list);
	return 0;
}

static void print_strv(const char *key, char *const *v, bool json)
{
	if (json) {
		printf(",\"%s\":[", key);
		for (size_t i = 0; v && v[i]; i++) {
			if (i)
				putchar(',');
			json_print_string(stdout, v[i]);
		}
		putchar(']');
		return;
	}
	printf("%-11s", key);
	for (size_t i = 0; v && v[i]; i++)
		printf(" %s", v[i]);
	putchar('\n');
}

static int inspect_cmd(const char *ref, bool json)
{
	struct ward_image *img;
	struct ward_error e = {0};
	struct ward_store *st = cli_store(json, &e);
	if (!st || ward_image_open(st, ref, &img, &e) < 0) {
		cli_error(&e);
		return EXIT_WARD;
	}
	const struct ward_image_config *c = ward_image_config(img);
	if (json) {
		printf("{\"name\":");
		json_print_string(stdout, c->name);
		printf(",\"id\":\"%s\",\"rootfs\":", c->id);
		json_print_string(stdout, c->rootfs);
		printf(",\"workdir\":");
		json_print_string(stdout, c->workdir ? c->workdir : "");
		printf(",\"user\":");
		json_print_string(stdout, c->user ? c->user : "");
	} else {
		printf(
		    "name       %s\nid         %s\nrootfs     %s\nworkdir    %s\nuser       %s\n",
		    c->name, c->id, c->rootfs, c->workdir ? c->workdir : "",
		    c->user ? c->user : "");
	}
	print_strv("env", c->env, json);
	print_strv("entrypoint", c->entrypoint, json);
	print_strv("cmd", c->cmd, json);
	if (json)
		puts("}");
	ward_image_close(img);
	return 0;
}

static int pack_cmd(int argc, char **argv)
{
	static const struct option opts[] = {{"name", required_argument, NULL, 'n'},
	                                     {"cmd", required_argument, NULL, 'c'},
	                                     {"entrypoint", required_argument, NULL, 'p'},
	                                     {"env", required_argument, NULL, 'e'},
	                                     {"workdir", required_argument, NULL, 'w'},
	                                     {"user", required_argument, NULL, 'u'},
	                                     {"quiet", no_argument, NULL, 'q'},
	                                     {0}};
	bool quiet = false;
	json_t *cfg = json_object();
	const char *name = NULL;
	int c;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "n:q", opts, NULL)) != -1) {
		const char *key = c == 'c'   ? "Cmd"
		                  : c == 'p' ? "Entrypoint"
		                  : c == 'e' ? "Env"
		                             : NULL;
		if (key) {
			if (!json_object_get(cfg, key))
				json_object_set_new(cfg, key, json_array());
			json_array_append_new(json_object_get(cfg, key), json_string(optarg));
		} else if (c == 'w' || c == 'u') {
			json_object_set_new(cfg, c == 'w' ? "WorkingDir" : "User",
			                    json_string(optarg));
		} else if (c == 'n') {
			name = optarg;
		} else if (c == 'q') {
			quiet = true;
		} else {
			fprintf(stderr, "ward: image pack: bad option %s\n", argv[optind - 1]);
			json_decref(cfg);
			return EXIT_WARD;
		}
	}
	if (optind + 1 != argc) {
		fputs("ward: image pack: expected one DIR (see ward image --help)\n", stderr);
		json_decref(cfg);
		return EXIT_WARD;
	}
	char *text = json_dumps(cfg, JSON_COMPACT);
	json_decref(cfg);
	struct ward_error e = {0};
	struct ward_store *st = cli_store(quiet, &e);
	int rc = st ? ward_image_pack(st, argv[optind], name, text, NULL, &e) : -1;
	free(text);
	if (rc < 0) {
		cli_error(&e);
		return EXIT_WARD;
	}
	return 0;
}

int cmd_image(int argc, char **argv)
{
	const char *sub = argc > 1 ? argv[1] : "";
	struct ward_error e = {0};
	/* ls and inspect take --json anywhere: drop it from the arguments. */
	bool json = false;
	if (!strcmp(sub, "ls") || !strcmp(sub, "inspect"))
		for (int i = 2; i < argc; i++)
			if (!strcmp(argv[i], "--json")) {
				json = true;
				memmove(argv + i, argv + i + 1,
				        (size_t)(argc - i) * sizeof(char *));
				argc--;
				i--;
			}
	if (!strcmp(sub, "import"))
		return import_cmd(argc - 1, argv + 1);
	if (!strcmp(sub, "pack"))
		return pack_cmd(argc - 1, argv + 1);
	if (!strcmp(sub, "ls") && argc == 2)
		return ls_cmd(json);
	if (!strcmp(sub, "inspect") && argc == 3)
		return inspect_cmd(argv[2], json);
	if (!strcmp(sub, "rm") && argc > 2) {
		struct ward_store *st = cli_store(false, &e);
		if (!st || ward_image_remove(st, argv + 2, (size_t)argc - 2, &e) < 0) {
			cli_error(&e);
			return EXIT_WARD;
		}
		return 0;
	}
	if (!strcmp(sub, "prune") && argc == 2) {
		uint64_t trees, blobs;
		struct ward_store *st = cli_store(false, &e);
		if (!st || ward_image_prune(st, &trees, &blobs, &e) < 0) {
			cli_error(&e);
			return EXIT_WARD;
		}
		printf("removed %llu trees and %llu blobs\n", (unsigned long long)trees,
		       (unsigned long long)blobs);
		return 0;
	}
	if (!strcmp(sub, "--help") || !strcmp(sub, "-h")) {
		fputs(image_usage, stdout);
		return 0;
	}
	fputs(image_usage, stderr);
	return EXIT_WARD;
}
