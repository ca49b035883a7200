/* Typed fields of a runtime-spec document, each error naming its field (oci_json.h). */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "oci_json.h"
#include "strv.h"

json_t *oj_load(const char *path, const char *text, size_t len, const char *what,
                struct ward_error *e)
{
	json_error_t jerr;
	size_t flags = JSON_REJECT_DUPLICATES;
	json_t *root = NULL;
	for (int pass = 0; pass < 2 && !root; pass++) {
		root =
		    path ? json_load_file(path, flags, &jerr) : json_loadb(text, len, flags, &jerr);
		/* Go writes uint64s above INT64_MAX (unlimited rlimits, unset swappiness). */
		if (!root && strstr(jerr.text, "too big"))
			flags |= JSON_DECODE_INT_AS_REAL;
		else
			break;
	}
	if (!root) {
		if (path && jerr.line <= 0)
			ward_error_set(e, errno, "%s", what);
		else
			ward_error_set(e, 0, "%s: line %d column %d: %s", what, jerr.line,
			               jerr.column, jerr.text);
		return NULL;
	}
	if (!json_is_object(root)) {
		json_decref(root);
		ward_error_set(e, 0, "%s: must be a JSON object", what);
		return NULL;
	}
	return root;
}

int oj_err(struct ward_error *e, const char *where, const char *key, const char *fmt, ...)
{
	char msg[768];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (key)
		return ward_error_set(e, 0, "%s%s%s: %s", where, where[0] ? "." : "", key, msg);
	return ward_error_set(e, 0, "%s: %s", where, msg);
}

json_t *oj_get(json_t *obj, const char *key)
{
	json_t *v = obj ? json_object_get(obj, key) : NULL;
	return json_is_null(v) ? NULL : v;
}

int oj_str(json_t *obj, const char *key, const char *where, const char **out, struct ward_error *e)
{
	json_t *v = oj_get(obj, key);
	if (!v)
		return 0;
	if (!json_is_string(v))
		return oj_err(e, where, key, "must be a string");
	if (strlen(json_string_value(v)) != json_string_length(v))
		return oj_err(e, where, key, "must not contain a NUL character");
	*out = json_string_value(v);
	return 1;
}

int oj_strdup(json_t *obj, const char *key, const char *where, char **out, struct ward_error *e)
{
	const char *s;
	int rc = oj_str(obj, key, where, &s, e);
	if (rc <= 0)
		return rc;
	if (str_replace(out, s, key, e) < 0)
		return -1;
	return 1;
}

int oj_strdup_nonempty(json_t *obj, const char *key, const char *where, char **out,
                       struct ward_error *e)
{
	int rc = oj_strdup(obj, key, where, out, e);
	if (rc > 0 && !(*out)[0]) {
		free(*out);
		*out = NULL;
		rc = 0;
	}
	return rc;
}

int oj_bool(json_t *obj, const char *key, const char *where, bool *out, struct ward_error *e)
{
	json_t *v = oj_get(obj, key);
	if (!v)
		return 0;
	if (!json_is_boolean(v))
		return oj_err(e, where, key, "must be true or false");
	*out = json_is_true(v);
	return 1;
}

bool oj_num_u64(json_t *v, uint64_t *out)
{
	if (json_is_integer(v)) {
		if (json_integer_value(v) < 0)
			return false;
		*out = (uint64_t)json_integer_value(v);
		return true;
	}
	double d = json_real_value(v);
	if (!json_is_real(v) || d < 0 || d != floor(d))
		return false;
	/* doubles at or above 2^64 (the nearest double to UINT64_MAX is 2^64) saturate */
	*out = d >= 18446744073709551616.0 ? UINT64_MAX : (uint64_t)d;
	return true;
}

bool oj_num_i64(json_t *v, int64_t *out)
{
	if (json_is_integer(v)) {
		*out = json_integer_value(v);
		return true;
	}
	double d = json_real_value(v);
	if (!json_is_real(v) || d != floor(d) || d < -9223372036854775808.0 ||
	    d >= 9223372036854775808.0)
		return false;
	*out = (int64_t)d;
	return true;
}

int oj_u64(json_t *obj, const char *key, const char *where, uint64_t max, uint64_t *out,
           struct ward_error *e)
{
	json_t *v = oj_get(obj, key);
	if (!v)
		return 0;
	uint64_t n;
	if (!oj_num_u64(v, &n) || n > max)
		return oj_err(e, where, key, "must be an integer from 0 to %llu",
		              (unsigned long long)max);
	*out = n;
	return 1;
}

int oj_i64(json_t *obj, const char *key, const char *where, int64_t min, int64_t max, int64_t *out,
           struct ward_error *e)
{
	json_t *v = oj_get(obj, key);
	if (!v)
		return 0;
	int64_t n;
	if (!oj_num_i64(v, &n) || n < min || n > max)
		return oj_err(e, where, key, "must be an integer from %lld to %lld", (long long)min,
		              (long long)max);
	*out = n;
	return 1;
}

int oj_u32(json_t *obj, const char *key, const char *where, uint32_t *out, struct ward_error *e)
{
	uint64_t n = 0;
	int rc = oj_u64(obj, key, where, UINT32_MAX, &n, e);
	if (rc > 0)
		*out = (uint32_t)n;
	return rc;
}

int oj_object(json_t *obj, const char *key, const char *where, json_t **out, struct ward_error *e)
{
	json_t *v = oj_get(obj, key);
	*out = NULL;
	if (!v)
		return 0;
	if (!json_is_object(v))
		return oj_err(e, where, key, "must be an object");
	*out = v;
	return 1;
}

int oj_array(json_t *obj, const char *key, const char *where, json_t **out, struct ward_error *e)
{
	json_t *v = oj_get(obj, key);
	*out = NULL;
	if (!v)
		return 0;
	if (!json_is_array(v))
		return oj_err(e, where, key, "must be a list");
	*out = v;
	return 1;
}

int oj_strv(json_t *obj, const char *key, const char *where, char ***out, struct ward_error *e)
{
	json_t *arr;
	int rc = oj_array(obj, key, where, &arr, e);
	if (rc <= 0)
		return rc;
	size_t n = json_array_size(arr);
	char **v = calloc(n + 1, sizeof(*v));
	if (!v)
		return ward_error_set(e, ENOMEM, "%s", key);
	for (size_t i = 0; i < n; i++) {
		json_t *s = json_array_get(arr, i);
		if (!json_is_string(s) || strlen(json_string_value(s)) != json_string_length(s)) {
			strv_free(v);
			char item[64];
			snprintf(item, sizeof(item), "%s[%zu]", key, i);
			return oj_err(e, where, item, "must be a string");
		}
		if (!(v[i] = strdup(json_string_value(s)))) {
			strv_free(v);
			return ward_error_set(e, ENOMEM, "%s", key);
		}
	}
	strv_free(*out);
	*out = v;
	return 1;
}

int oj_abs_path(json_t *obj, const char *key, const char *where, bool required, char **out,
                struct ward_error *e)
{
	const char *p = NULL;
	int rc = oj_str(obj, key, where, &p, e);
	if (rc < 0)
		return -1;
	if (rc == 0 && required)
		return oj_err(e, where, key, "required (an absolute path)");
	if (rc == 0)
		return 0;
	if (p[0] != '/')
		return oj_err(e, where, key, "must be an absolute path");
	return str_replace(out, p, key, e) < 0 ? -1 : 1;
}

int oj_refuse(json_t *obj, const char *key, const char *where, const char *why,
              struct ward_error *e)
{
	json_t *v = oj_get(obj, key);
	bool empty = !v || ((json_is_object(v) && json_object_size(v) == 0) ||
	                    (json_is_array(v) && json_array_size(v) == 0));
	if (empty)
		return 0;
	return oj_err(e, where, key, "%s", why);
}
