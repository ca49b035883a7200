/* Reading a runtime-spec document with jansson: typed fields whose errors name the field
 * ("process.user.uid: must be an integer from 0 to 4294967295"). WHERE is the path of the
 * object or value so far ("linux.mounts[2]"); KEY, when given, is appended to it. Numbers
 * may come as reals: a document holding an integer above INT64_MAX (Go writes uint64s such
 * as 18446744073709551615) is read with JSON_DECODE_INT_AS_REAL. */
#ifndef WARD_OCI_JSON_H
#define WARD_OCI_JSON_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "ward/error.h"

/* PATH (a file) or TEXT (LEN bytes, when PATH is NULL) as JSON; an object at the top. */
json_t *oj_load(const char *path, const char *text, size_t len, const char *what,
                struct ward_error *e);

/* "WHERE.KEY: <message>" (or "WHERE: ..." without KEY). Returns -1. */
int oj_err(struct ward_error *e, const char *where, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* OBJ[KEY] (OBJ may be NULL): NULL when absent or null. */
json_t *oj_get(json_t *obj, const char *key);

/* Each returns 0 and leaves *OUT alone when the value is absent (or JSON null), 1 when it
 * set *OUT, -1 on a wrong type or range. */
int oj_str(json_t *obj, const char *key, const char *where, const char **out, struct ward_error *e);
int oj_strdup(json_t *obj, const char *key, const char *where, char **out, struct ward_error *e);
/* The same, an empty string read as absent (*OUT NULL): labels, names, paths. */
int oj_strdup_nonempty(json_t *obj, const char *key, const char *where, char **out,
                       struct ward_error *e);
int oj_bool(json_t *obj, const char *key, const char *where, bool *out, struct ward_error *e);
int oj_u64(json_t *obj, const char *key, const char *where, uint64_t max, uint64_t *out,
           struct ward_error *e);
int oj_i64(json_t *obj, const char *key, const char *where, int64_t min, int64_t max, int64_t *out,
           struct ward_error *e);
int oj_u32(json_t *obj, const char *key, const char *where, uint32_t *out, struct ward_error *e);
/* An array of strings into a NULL-terminated vector (replacing *OUT). */
int oj_strv(json_t *obj, const char *key, const char *where, char ***out, struct ward_error *e);
/* An object or array where one is expected (absent: 0, *OUT NULL). */
int oj_object(json_t *obj, const char *key, const char *where, json_t **out, struct ward_error *e);
int oj_array(json_t *obj, const char *key, const char *where, json_t **out, struct ward_error *e);

/* An absolute path: starts with '/'. */
int oj_abs_path(json_t *obj, const char *key, const char *where, bool required, char **out,
                struct ward_error *e);

/* A JSON number as an unsigned/signed integer (integral reals accepted). */
bool oj_num_u64(json_t *v, uint64_t *out);
bool oj_num_i64(json_t *v, int64_t *out);

/* Refuse KEY of OBJ when present and not null/empty: ward cannot honour it. */
int oj_refuse(json_t *obj, const char *key, const char *where, const char *why,
              struct ward_error *e);

#endif
