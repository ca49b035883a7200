/* ward oci update: new resources for a container, from a LinuxResources JSON (--resources
 * FILE, - for stdin) or from runc's flags. */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "oci.h"

enum kind { SIZE, SIZE_OR_MINUS1, INT, STR };

/* each flag: where it goes in the LinuxResources object */
static const struct flag {
	const char *name, *section, *key;
	enum kind kind;
} flags[] = {
    {"memory", "memory", "limit", SIZE},
    {"memory-swap", "memory", "swap", SIZE_OR_MINUS1},
    {"memory-reservation", "memory", "reservation", SIZE},
    {"kernel-memory", "memory", "kernel", SIZE},
    {"kernel-memory-tcp", "memory", "kernelTCP", SIZE},
    {"cpu-share", "cpu", "shares", INT},
    {"cpu-shares", "cpu", "shares", INT},
    {"cpu-period", "cpu", "period", INT},
    {"cpu-quota", "cpu", "quota", INT},
    {"cpu-rt-period", "cpu", "realtimePeriod", INT},
    {"cpu-rt-runtime", "cpu", "realtimeRuntime", INT},
    {"cpuset-cpus", "cpu", "cpus", STR},
    {"cpuset-mems", "cpu", "mems", STR},
    {"pids-limit", "pids", "limit", INT},
    {"blkio-weight", "blockIO", "weight", INT},
};
#define NFLAGS (sizeof(flags) / sizeof(flags[0]))

static const char usage[] =
    "usage: ward-runc update [--resources FILE | FLAGS...] ID\n"
    "New resources for the container's cgroup (kept in its record).\n"
    "  --resources, -r FILE       a runtime-spec LinuxResources JSON (- for stdin); the\n"
    "                             flags are then ignored, as runc does\n"
    "  --memory N                 memory limit (bytes; k, m, g suffixes)\n"
    "  --memory-swap N            memory plus swap limit (-1: unlimited)\n"
    "  --memory-reservation N     soft memory limit\n"
    "  --kernel-memory N          kernel memory limit (cgroup v1)\n"
    "  --kernel-memory-tcp N      kernel TCP buffer limit (cgroup v1)\n"
    "  --cpu-share N              CPU shares (also --cpu-shares)\n"
    "  --cpu-period N             CFS period (microseconds)\n"
    "  --cpu-quota N              CFS quota per period (microseconds)\n"
    "  --cpu-rt-period N          realtime period\n"
    "  --cpu-rt-runtime N         realtime runtime per period\n"
    "  --cpuset-cpus LIST         CPUs allowed (0-3,5)\n"
    "  --cpuset-mems LIST         memory nodes allowed\n"
    "  --pids-limit N             most processes (-1: unlimited)\n"
    "  --blkio-weight N           block IO weight (10-1000)\n";

static int add(json_t *res, const struct flag *f, const char *text)
{
	json_t *sec = json_object_get(res, f->section);
	if (!sec)
		json_object_set_new(res, f->section, sec = json_object());
	long long n;
	char *end;
	switch (f->kind) {
	case STR:
		return json_object_set_new(sec, f->key, json_string(text))
		           ? oci_fail("out of memory")
		           : 0;
	case INT:
		errno = 0;
		n = strtoll(text, &end, 10);
		if (!*text || *end || errno || isspace((unsigned char)text[0]))
			return oci_fail("update: --%s: '%s': not a number", f->name, text);
		break;
	default:
		if (oci_size(f->name, text, f->kind == SIZE_OR_MINUS1, &n) < 0)
			return 1;
	}
	return json_object_set_new(sec, f->key, json_integer(n)) ? oci_fail("out of memory") : 0;
}

static int parse(int argc, char **argv, json_t *res, const char **file, const char **id)
{
	struct option opts[NFLAGS + 2];
	for (size_t i = 0; i < NFLAGS; i++)
		opts[i] = (struct option){flags[i].name, required_argument, NULL, 256 + (int)i};
	opts[NFLAGS] = (struct option){"resources", required_argument, NULL, 'r'};
	opts[NFLAGS + 1] = (struct option){0};
	static struct oci_cmd c = {"update", usage, NULL, false};
	c.opts = opts;
	int v;
	while ((v = oci_next(&c, argc, argv, NULL)) >= 0) {
		if (v == 'r')
			*file = optarg;
		else if (add(res, &flags[v - 256], optarg))
			return 1;
	}
	if (v == OCI_HELP)
		return -1;
	if (v == OCI_BAD || oci_one_id(&c, argc, argv, id) < 0)
		return 1;
	return 0;
}

int oci_cmd_update(int argc, char **argv)
{
	json_t *res = json_object();
	const char *file = NULL, *id = NULL;
	int r = res ? parse(argc, argv, res, &file, &id) : oci_fail("out of memory");
	char dir[PATH_MAX];
	char *text = NULL;
	if (r)
		goto out;
	r = 1;
	if (oci_state_dir(id, false, dir, sizeof(dir)) < 0 || !oci_exists(id, dir, false))
		goto out;
	r = 0;
	oci_close_fds(3);
	if (file) {
		json_t *j = (text = oci_read_file(file)) ? json_loads(text, 0, NULL) : NULL;
		if (text && !json_is_object(j))
			r = oci_fail("update: --resources: %s: not a JSON object", file);
		json_decref(j);
		if (!text)
			r = 1;
	} else if (!(text = json_dumps(res, JSON_COMPACT))) {
		r = oci_fail("out of memory");
	}
	struct ward_error e = {0};
	if (!r && ward_container_update(dir, text, &e) < 0)
		r = oci_fail_e(id, &e);
out:
	free(text);
	json_decref(res);
	return r < 0 ? 0 : r;
}
