/* linux.seccomp: kept as JSON text for the launcher, which compiles it with ward's filter
 * compiler (the OCI format is the one Docker's profiles use); compiled once here so that a
 * filter ward cannot build fails at create, naming its entry. */
#include <errno.h>
#include <linux/seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "filter.h"
#include "oci_json.h"
#include "oci_parse.h"

#ifndef SECCOMP_FILTER_FLAG_SPEC_ALLOW
#define SECCOMP_FILTER_FLAG_SPEC_ALLOW (1UL << 2)
#endif

static int flags(json_t *sec, struct oci_config *o, struct ward_error *e)
{
	static const struct {
		const char *name;
		unsigned flag;
	} known[] = {
	    {"SECCOMP_FILTER_FLAG_TSYNC", SECCOMP_FILTER_FLAG_TSYNC},
	    {"SECCOMP_FILTER_FLAG_LOG", SECCOMP_FILTER_FLAG_LOG},
	    {"SECCOMP_FILTER_FLAG_SPEC_ALLOW", SECCOMP_FILTER_FLAG_SPEC_ALLOW},
	};
	json_t *arr, *v;
	size_t i;
	o->seccomp_flags = 0;
	if (oj_array(sec, "flags", "linux.seccomp", &arr, e) < 0)
		return -1;
	json_array_foreach(arr, i, v)
	{
		const char *name = json_string_value(v);
		char item[32];
		bool found = false;
		for (size_t k = 0; name && k < sizeof(known) / sizeof(known[0]); k++)
			if (!strcmp(name, known[k].name)) {
				o->seccomp_flags |= known[k].flag;
				found = true;
			}
		snprintf(item, sizeof(item), "flags[%zu]", i);
		if (!found)
			return oj_err(e, "linux.seccomp", item, "'%s': not supported by ward",
			              name ? name : "(not a string)");
	}
	return 0;
}

/* An integral real (a document read with JSON_DECODE_INT_AS_REAL) back to an integer: the
 * compiler takes integers; values above INT64_MAX keep their 64 bits. */
static void integer_of(json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);
	uint64_t u;
	if (json_is_real(v) && oj_num_u64(v, &u))
		json_object_set_new(obj, key, json_integer((json_int_t)u));
}

static void integers(json_t *sec)
{
	json_t *call, *arg;
	size_t i, k;
	integer_of(sec, "defaultErrnoRet");
	json_array_foreach(json_object_get(sec, "syscalls"), i, call)
	{
		if (!json_is_object(call))
			continue;
		integer_of(call, "errnoRet");
		json_array_foreach(json_object_get(call, "args"), k, arg)
		{
			if (!json_is_object(arg))
				continue;
			integer_of(arg, "index");
			integer_of(arg, "value");
			integer_of(arg, "valueTwo");
		}
	}
}

/* "policy linux.seccomp: syscalls[2] ...: why" → "linux.seccomp.syscalls[2] ...: why" */
static void rename_origin(struct ward_error *e)
{
	static const char prefix[] = "policy linux.seccomp: ";
	if (!e || strncmp(e->msg, prefix, sizeof(prefix) - 1) != 0)
		return;
	char rest[sizeof(e->msg) - sizeof(prefix)];
	snprintf(rest, sizeof(rest), "%s", e->msg + sizeof(prefix) - 1);
	bool field = !strncmp(rest, "syscalls", 8) || !strncmp(rest, "defaultAction", 13) ||
	             !strncmp(rest, "architectures", 13);
	snprintf(e->msg, sizeof(e->msg), "linux.seccomp%s%.*s", field ? "." : ": ",
	         (int)(sizeof(e->msg) - 16), rest);
}

int oci_seccomp_parse(json_t *sec, uint64_t caps, struct oci_config *o, struct ward_error *e)
{
	if (oj_refuse(sec, "listenerPath", "linux.seccomp", "not supported", e) < 0 ||
	    flags(sec, o, e) < 0)
		return -1;
	if (!oj_get(sec, "defaultAction"))
		return oj_err(e, "linux.seccomp", "defaultAction", "required");
	json_t *copy = json_deep_copy(sec);
	if (!copy)
		return ward_error_set(e, ENOMEM, "linux.seccomp");
	integers(copy);
	json_object_del(copy, "listenerMetadata");
	free(o->seccomp);
	o->seccomp = json_dumps(copy, JSON_COMPACT);
	json_decref(copy);
	if (!o->seccomp)
		return ward_error_set(e, ENOMEM, "linux.seccomp");
	struct ward_filter f;
	if (filter_compile(o->seccomp, strlen(o->seccomp), "linux.seccomp", caps, &f, e) < 0) {
		rename_origin(e);
		return -1;
	}
	filter_free(&f);
	return 0;
}
