/* ward oci list and ps: the containers of the root, a container's processes. */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "oci.h"

static const char list_usage[] =
    "usage: ward-runc list [--format table|json] [--quiet]\n"
    "The containers whose records are in the root.\n"
    "  --format, -f table|json   a table (default) or a JSON array of their states\n"
    "  --quiet, -q               only their ids\n";

/* Every container's state under the root, sorted by id; a record that does not read is
 * reported as a warning and skipped. */
static json_t *states(void)
{
	json_t *all = json_array();
	struct dirent **names = NULL;
	if (!oci_g.root) {
		oci_fail("--root: not given, and XDG_RUNTIME_DIR is not set");
		return json_decref(all), NULL;
	}
	int n = scandir(oci_g.root, &names, NULL, alphasort);
	for (int i = 0; i < n; i++) {
		char dir[PATH_MAX];
		const char *id = names[i]->d_name;
		char *text = NULL;
		struct ward_error e = {0};
		json_t *j = NULL;
		if (id[0] != '.' && names[i]->d_type == DT_DIR &&
		    oci_state_dir(id, false, dir, sizeof(dir)) == 0) {
			if (ward_container_state(dir, &text, &e) == 0)
				j = json_loads(text, JSON_PRESERVE_ORDER, NULL);
			else
				oci_lib_log(WARD_LOG_WARNING, e.msg, NULL);
			free(text);
		}
		if (j)
			json_array_append_new(all, j);
		free(names[i]);
	}
	free(names);
	return all;
}

static const char *field(json_t *o, const char *key, char *buf, size_t len)
{
	json_t *v = json_object_get(o, key);
	if (json_is_integer(v))
		snprintf(buf, len, "%lld", (long long)json_integer_value(v));
	else
		snprintf(buf, len, "%s", json_is_string(v) ? json_string_value(v) : "");
	return buf;
}

/* runc's tabwriter: each column as wide as its widest cell plus 3, at least 12. */
static void table(json_t *all)
{
	static const char *const keys[] = {"id", "pid", "status", "bundle", "created", "owner"};
	static const char *const heads[] = {"ID", "PID", "STATUS", "BUNDLE", "CREATED", "OWNER"};
	enum { N = 6 };
	size_t w[N];
	char buf[PATH_MAX];
	for (int k = 0; k < N; k++)
		w[k] = strlen(heads[k]);
	size_t i;
	json_t *o;
	json_array_foreach(all, i, o) for (int k = 0; k < N; k++)
	{
		size_t l = strlen(field(o, keys[k], buf, sizeof(buf)));
		w[k] = l > w[k] ? l : w[k];
	}
	for (int k = 0; k < N - 1; k++)
		printf("%-*s", (int)(w[k] + 3 > 12 ? w[k] + 3 : 12), heads[k]);
	printf("%s\n", heads[N - 1]);
	json_array_foreach(all, i, o)
	{
		for (int k = 0; k < N - 1; k++)
			printf("%-*s", (int)(w[k] + 3 > 12 ? w[k] + 3 : 12),
			       field(o, keys[k], buf, sizeof(buf)));
		printf("%s\n", field(o, keys[N - 1], buf, sizeof(buf)));
	}
}

int oci_cmd_list(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"format", required_argument, NULL, 'f'},
	    {"quiet", optional_argument, NULL, 'q'},
	    {0},
	};
	static const struct oci_cmd c = {"list", list_usage, opts, false};
	bool quiet = false, json = false;
	int v;
	while ((v = oci_next(&c, argc, argv, NULL)) >= 0) {
		if (v == 'q')
			quiet = oci_bool(optarg);
		else if (!strcmp(optarg, "json") || !strcmp(optarg, "table"))
			json = !strcmp(optarg, "json");
		else
			return oci_fail("list: --format: '%s': expected table or json", optarg);
	}
	if (v == OCI_HELP)
		return 0;
	if (v == OCI_BAD)
		return 1;
	if (optind < argc)
		return oci_fail("list: takes no operand, got '%s'", argv[optind]);
	oci_close_fds(3);
	json_t *all = states();
	if (!all)
		return 1;
	if (json && !quiet)
		return oci_print_json(all, 0);
	size_t i;
	json_t *o;
	if (quiet)
		json_array_foreach(all, i, o)
		    printf("%s\n", json_string_value(json_object_get(o, "id")));
	else
		table(all);
	json_decref(all);
	return fflush(stdout) ? oci_fail("stdout: %s", strerror(errno)) : 0;
}
