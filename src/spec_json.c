/* A prepared spec as JSON and back (spec_json.h). Keys follow Docker's where Docker has the
 * field (image, command, env, workdir, user, mounts, ports, labels); the rest are ward's own.
 * Every key is always written, so a spec read back writes the same document. */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/resource.h>

#include "image.h"
#include "spec_json.h"

static const char *const volume_modes[] = {"rw", "ro", "overlay"};

/* ---- spec → JSON ---- */

/* Whole numbers past json_int_t's range as decimal strings. */
static json_t *u64_json(uint64_t v)
{
	if (v <= INT64_MAX)
		return json_integer((json_int_t)v);
	char b[24];
	snprintf(b, sizeof(b), "%" PRIu64, v);
	return json_string(b);
}

static json_t *rlim_json(uint64_t v)
{
	return v == RLIM_INFINITY ? json_string("unlimited") : u64_json(v);
}

static json_t *str_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

/* Sets K to V (taking it); false when V is NULL or memory ran out. */
static bool put(json_t *o, const char *k, json_t *v)
{
	return v && json_object_set_new(o, k, v) == 0;
}

static bool push(json_t *a, json_t *v)
{
	return v && json_array_append_new(a, v) == 0;
}

static json_t *strv_json(char *const *v)
{
	if (!v)
		return json_null();
	json_t *a = json_array();
	for (size_t i = 0; a && v[i]; i++)
		if (!push(a, json_string(v[i])))
			return json_decref(a), NULL;
	return a;
}

static json_t *idmap_json(const struct ward_idmap *m, size_t n)
{
	json_t *a = json_array();
	for (size_t i = 0; a && i < n; i++)
		if (!push(a,
		          json_pack("{s:I, s:I, s:I}", "inside", (json_int_t)m[i].inside, "outside",
		                    (json_int_t)m[i].outside, "count", (json_int_t)m[i].count)))
			return json_decref(a), NULL;
	return a;
}

/* "CHOWN", ...; a number for one libcap has no name for. */
static json_t *caps_json(uint64_t set)
{
	json_t *a = json_array();
	for (int c = 0; a && c < 64; c++) {
		if (!(set & (1ULL << c)))
			continue;
		char *name = cap_to_name((cap_value_t)c);
		if (!name)
			return json_decref(a), NULL;
		char buf[64];
		const char *n = strncmp(name, "cap_", 4) ? name : name + 4;
		size_t i = 0;
		for (; n[i] && i + 1 < sizeof(buf); i++)
			buf[i] = (char)toupper((unsigned char)n[i]);
		buf[i] = 0;
		cap_free(name);
		if (!push(a, json_string(buf)))
			return json_decref(a), NULL;
	}
	return a;
}

static json_t *rlimits_json(const struct ward_spec *s)
{
	json_t *a = json_array();
	for (size_t i = 0; a && i < s->n_rlimits; i++) {
		json_t *o = json_object();
		if (!push(a, o) ||
		    !put(o, "name", json_string(rlimit_name(s->rlimits[i].resource))) ||
		    !put(o, "soft", rlim_json(s->rlimits[i].soft)) ||
		    !put(o, "hard", rlim_json(s->rlimits[i].hard)))
			return json_decref(a), NULL;
	}
	return a;
}

static json_t *limits_json(const struct ward_limits *l)
{
	json_t *io = json_array();
	for (size_t i = 0; io && i < l->n_io; i++) {
		const struct ward_io_limit *x = &l->io[i];
		char dev[24];
		snprintf(dev, sizeof(dev), "%u:%u", x->major, x->minor);
		json_t *o = json_object();
		if (!push(io, o) || !put(o, "device", json_string(dev)) ||
		    !put(o, "rbps", u64_json(x->rbps)) || !put(o, "wbps", u64_json(x->wbps)) ||
		    !put(o, "riops", u64_json(x->riops)) || !put(o, "wiops", u64_json(x->wiops)))
			return json_decref(io), NULL;
	}
	json_t *o = json_object();
	if (!o || !put(o, "memory", u64_json(l->memory)) ||
	    !put(o, "swap", json_integer((json_int_t)l->swap)) ||
	    !put(o, "pids", u64_json(l->pids)) || !put(o, "cpu_quota", u64_json(l->cpu_quota)) ||
	    !put(o, "cpu_period", u64_json(l->cpu_period)) ||
	    !put(o, "cpu_weight", json_integer(l->cpu_weight)) ||
	    !put(o, "cpuset", json_string(l->cpuset)) || !put(o, "io", io) ||
	    !put(o, "disk", u64_json(l->disk)) ||
	    !put(o, "best_effort", json_boolean(l->best_effort)))
		return json_decref(o), NULL;
	return o;
}

static json_t *mounts_json(const struct ward_spec *s)
{
	json_t *a = json_array();
	for (size_t i = 0; a && i < s->n_volumes; i++) {
		const struct ward_volume *v = &s->volumes[i];
		if (!push(a, json_pack("{s:s, s:s, s:s, s:s}", "type", "bind", "source", v->host,
		                       "destination", v->container, "mode", volume_modes[v->mode])))
			return json_decref(a), NULL;
	}
	for (size_t i = 0; a && i < s->n_tmpfs; i++) {
		const struct ward_tmpfs *t = &s->tmpfs[i];
		char mode[8];
		snprintf(mode, sizeof(mode), "%04o", t->mode & 07777);
		json_t *o = json_pack("{s:s, s:s, s:s, s:b}", "type", "tmpfs", "destination",
		                      t->container, "mode", mode, "noexec", t->noexec);
		if (!push(a, o) || !put(o, "size", u64_json(t->size)))
			return json_decref(a), NULL;
	}
	return a;
}

static json_t *ports_json(const struct ward_spec *s)
{
	json_t *a = json_array();
	for (size_t i = 0; a && i < s->n_publish; i++)
		if (!push(a,
		          json_pack("{s:s, s:i, s:i}", "address", s->publish[i].addr, "host_port",
		                    (int)s->publish[i].host_port, "port", (int)s->publish[i].port)))
			return json_decref(a), NULL;
	return a;
}

static json_t *labels_json(char *const *v)
{
	json_t *o = json_object();
	for (size_t i = 0; o && v && v[i]; i++) {
		const char *eq = strchr(v[i], '=');
		char *k = eq ? strndup(v[i], (size_t)(eq - v[i])) : NULL;
		bool ok = k && put(o, k, json_string(eq + 1));
		free(k);
		if (!ok)
			return json_decref(o), NULL;
	}
	return o;
}

static json_t *image_json(const struct ward_spec *s)
{
	/* read from the open image as ward_image_config would, without calling up into the API */
	const char *name = s->image ? s->image->name : s->image_name;
	const char *id = s->image ? s->image->id : s->image_id;
	return json_pack("{s:s, s:s}", "name", name ? name : "", "id", id ? id : "");
}

json_t *spec_to_json(const struct ward_spec *s)
{
	json_t *o = json_object();
	if (!o)
		return NULL;
	char user[24];
	snprintf(user, sizeof(user), "%u:%u", s->uid, s->gid);
	json_t *dns = json_array();
	for (size_t i = 0; dns && i < s->n_dns; i++)
		if (!push(dns, json_string(s->dns[i])))
			json_decref(dns), dns = NULL;
	bool ok =
	    (!(s->image || s->image_name || s->image_id) || put(o, "image", image_json(s))) &&
	    put(o, "rootfs", str_or_null(s->rootfs)) && put(o, "command", strv_json(s->argv)) &&
	    put(o, "env", strv_json(s->env)) && put(o, "workdir", str_or_null(s->cwd)) &&
	    put(o, "user", json_string(user)) && put(o, "tty", json_boolean(s->tty)) &&
	    put(o, "interactive", json_boolean(s->interactive)) &&
	    put(o, "timeout", json_integer(s->timeout_s)) && put(o, "rlimits", rlimits_json(s)) &&
	    put(o, "read_only", json_boolean(s->read_only)) &&
	    put(o, "hostname", str_or_null(s->hostname)) && put(o, "hosts", strv_json(s->hosts)) &&
	    put(o, "idmaps",
	        json_pack("{s:o?, s:o?, s:b}", "uid",
	                  idmap_json(s->idmaps.uid_map, s->idmaps.n_uid_map), "gid",
	                  idmap_json(s->idmaps.gid_map, s->idmaps.n_gid_map), "newidmap",
	                  s->idmaps.use_newidmap)) &&
	    put(o, "idmapped_root", json_boolean(s->idmapped_root)) &&
	    put(o, "idmap_base", json_integer(s->root_idmap_base)) &&
	    put(o, "capabilities", caps_json(s->capabilities)) &&
	    put(o, "policy", str_or_null(s->policy)) &&
	    put(o, "seccomp_unconfined", json_boolean(s->seccomp_unconfined)) &&
	    put(o, "allow_setid_volumes", json_boolean(s->allow_setid_volumes)) &&
	    put(o, "allow_setuid", json_boolean(s->allow_setuid)) &&
	    put(o, "limits", limits_json(&s->limits)) && put(o, "mounts", mounts_json(s)) &&
	    put(o, "user_id", s->user_id_set ? json_integer(s->user_id) : json_null()) &&
	    put(o, "user_id_origin", json_string(s->user_id_origin)) &&
	    put(o, "network", json_string(s->network == WARD_NET_EGRESS ? "egress" : "none")) &&
	    put(o, "ports", ports_json(s)) && put(o, "dns", dns) &&
	    put(o, "resident", json_boolean(s->resident)) && put(o, "name", str_or_null(s->name)) &&
	    put(o, "persistent", json_boolean(s->persistent)) &&
	    put(o, "origin", str_or_null(s->origin)) && put(o, "labels", labels_json(s->labels)) &&
	    put(o, "auto_remove", json_boolean(s->auto_remove));
	if (!ok)
		return json_decref(o), NULL;
	return o;
}

/* ---- JSON → spec ---- */

static int bad(struct ward_error *e, const char *key, const char *what)
{
	return ward_error_set(e, 0, "spec JSON: %s: expected %s", key, what);
}

/* V as a string without NUL bytes (NULL V: absent, *OUT untouched). NULLABLE: null → NULL. */
static int get_str(const json_t *v, const char *key, bool nullable, char **out,
                   struct ward_error *e)
{
	if (!v || (nullable && json_is_null(v))) {
		if (v) {
			free(*out);
			*out = NULL;
		}
		return 0;
	}
	if (!json_is_string(v) || strlen(json_string_value(v)) != json_string_length(v))
		return bad(e, key, nullable ? "a string or null" : "a string");
	return str_replace(out, json_string_value(v), key, e);
}

/* Into a fixed buffer of LEN (the terminating NUL included). */
static int get_buf(const json_t *v, const char *key, char *out, size_t len, struct ward_error *e)
{
	if (!v)
		return 0;
	if (!json_is_string(v) || strlen(json_string_value(v)) != json_string_length(v) ||
	    json_string_length(v) >= len) {
		char what[48];
		snprintf(what, sizeof(what), "a string of at most %zu bytes", len - 1);
		return bad(e, key, what);
	}
	memcpy(out, json_string_value(v), json_string_length(v) + 1);
	return 0;
}

static int get_bool(const json_t *o, const char *key, bool *out, struct ward_error *e)
{
	const json_t *v = json_object_get(o, key);
	if (!v)
		return 0;
	if (!json_is_boolean(v))
		return bad(e, key, "true or false");
	*out = json_is_true(v);
	return 0;
}

/* A whole number from 0 to MAX: an integer, or a decimal string (past json_int_t). */
static int get_u64(const json_t *v, const char *key, uint64_t max, uint64_t *out,
                   struct ward_error *e)
{
	char what[64];
	snprintf(what, sizeof(what), "a whole number from 0 to %" PRIu64, max);
	uint64_t x;
	if (json_is_integer(v) && json_integer_value(v) >= 0) {
		x = (uint64_t)json_integer_value(v);
	} else if (json_is_string(v)) {
		const char *t = json_string_value(v);
		char *end;
		errno = 0;
		x = strtoull(t, &end, 10);
		if (!isdigit((unsigned char)*t) || *end || errno)
			return bad(e, key, what);
	} else {
		return bad(e, key, what);
	}
	if (x > max)
		return bad(e, key, what);
	*out = x;
	return 0;
}

static int get_u32(const json_t *v, const char *key, uint32_t max, uint32_t *out,
                   struct ward_error *e)
{
	uint64_t x;
	if (!v)
		return 0;
	if (get_u64(v, key, max, &x, e) < 0)
		return -1;
	*out = (uint32_t)x;
	return 0;
}

static int get_array(const json_t *v, const char *key, size_t max, size_t *n, struct ward_error *e)
{
	char what[48];
	snprintf(what, sizeof(what), "an array of at most %zu entries", max);
	if (!json_is_array(v) || json_array_size(v) > max)
		return bad(e, key, what);
	*n = json_array_size(v);
	return 0;
}

/* V: null or an array of strings; KV: each must be K=V with a non-empty K. */
static int get_strv(const json_t *v, const char *key, bool kv, char ***out, struct ward_error *e)
{
	if (!v)
		return 0;
	strv_free(*out);
	*out = NULL;
	if (json_is_null(v) && !kv)
		return 0;
	size_t n;
	if (get_array(v, key, SIZE_MAX / sizeof(char *) - 1, &n, e) < 0)
		return -1;
	if (!(*out = calloc(n + 1, sizeof(char *))))
		return ward_error_set(e, ENOMEM, "%s", key);
	for (size_t i = 0; i < n; i++) {
		char k[64];
		snprintf(k, sizeof(k), "%s[%zu]", key, i);
		if (get_str(json_array_get(v, i), k, false, &(*out)[i], e) < 0)
			return -1;
		const char *eq = strchr((*out)[i], '=');
		if (kv && (!eq || eq == (*out)[i]))
			return bad(e, k, "KEY=VALUE");
	}
	return 0;
}

static int get_rlim(const json_t *v, const char *key, uint64_t *out, struct ward_error *e)
{
	if (json_is_string(v) && !strcmp(json_string_value(v), "unlimited")) {
		*out = RLIM_INFINITY;
		return 0;
	}
	return get_u64(v, key, RLIM_INFINITY - 1, out, e);
}

static int rlimit_resource(const char *name)
{
	for (int r = 0; r < RLIM_NLIMITS; r++)
		if (!strcmp(rlimit_name(r), name))
			return r;
	return -1;
}

static int get_rlimits(const json_t *v, struct ward_spec *s, struct ward_error *e)
{
	if (!v)
		return 0;
	if (get_array(v, "rlimits", WARD_MAX_RLIMITS, &s->n_rlimits, e) < 0)
		return -1;
	for (size_t i = 0; i < s->n_rlimits; i++) {
		const json_t *r = json_array_get(v, i);
		struct ward_rlimit *l = &s->rlimits[i];
		char k[64];
		snprintf(k, sizeof(k), "rlimits[%zu].name", i);
		const char *name = json_string_value(json_object_get(r, "name"));
		if (!name || (l->resource = rlimit_resource(name)) < 0)
			return bad(e, k, "a limit's name (nofile, nproc, ...)");
		snprintf(k, sizeof(k), "rlimits[%zu].soft", i);
		if (get_rlim(json_object_get(r, "soft"), k, &l->soft, e) < 0)
			return -1;
		snprintf(k, sizeof(k), "rlimits[%zu].hard", i);
		if (get_rlim(json_object_get(r, "hard"), k, &l->hard, e) < 0)
			return -1;
		if (l->soft > l->hard)
			return bad(e, k, "a hard limit not below the soft one");
	}
	return 0;
}

static int get_idmap(const json_t *v, const char *key, struct ward_idmap *m, size_t *n,
                     struct ward_error *e)
{
	if (get_array(v, key, WARD_MAX_IDMAPS, n, e) < 0)
		return -1;
	if (*n == 0)
		return bad(e, key, "at least one mapping");
	for (size_t i = 0; i < *n; i++) {
		const json_t *x = json_array_get(v, i);
		const char *names[] = {"inside", "outside", "count"};
		uint32_t *fields[] = {&m[i].inside, &m[i].outside, &m[i].count};
		char k[64];
		for (size_t j = 0; j < 3; j++) {
			snprintf(k, sizeof(k), "%s[%zu].%s", key, i, names[j]);
			const json_t *y = json_object_get(x, names[j]);
			if (!y)
				return bad(e, k, "a whole number");
			if (get_u32(y, k, UINT32_MAX, fields[j], e) < 0)
				return -1;
		}
		if (m[i].count == 0 || m[i].inside > UINT32_MAX - m[i].count ||
		    m[i].outside > UINT32_MAX - m[i].count)
			return bad(e, k, "a count from 1 that keeps the range within 32-bit ids");
	}
	return 0;
}

static int get_idmaps(const json_t *v, struct ward_spec *s, struct ward_error *e)
{
	if (!v)
		return 0;
	if (!json_is_object(v))
		return bad(e, "idmaps", "an object {uid, gid, newidmap}");
	if (get_idmap(json_object_get(v, "uid"), "idmaps.uid", s->idmaps.uid_map,
	              &s->idmaps.n_uid_map, e) < 0 ||
	    get_idmap(json_object_get(v, "gid"), "idmaps.gid", s->idmaps.gid_map,
	              &s->idmaps.n_gid_map, e) < 0)
		return -1;
	const json_t *x = json_object_get(v, "newidmap");
	if (x && !json_is_boolean(x))
		return bad(e, "idmaps.newidmap", "true or false");
	s->idmaps.use_newidmap = json_is_true(x);
	return 0;
}

static int get_caps(const json_t *v, uint64_t *out, struct ward_error *e)
{
	if (!v)
		return 0;
	size_t n;
	if (get_array(v, "capabilities", 64, &n, e) < 0)
		return -1;
	*out = 0;
	for (size_t i = 0; i < n; i++) {
		const char *name = json_string_value(json_array_get(v, i));
		char k[40], buf[64];
		snprintf(k, sizeof(k), "capabilities[%zu]", i);
		if (!name || strlen(name) + 5 > sizeof(buf))
			return bad(e, k, "a capability's name");
		snprintf(buf, sizeof(buf), "%s%s", strncasecmp(name, "CAP_", 4) ? "cap_" : "",
		         name);
		for (char *p = buf; *p; p++)
			*p = (char)tolower((unsigned char)*p);
		cap_value_t c = -1;
		char *end;
		long num = strtol(name, &end, 10);
		if (isdigit((unsigned char)*name) && !*end)
			c = num < 64 ? (cap_value_t)num : -1;
		else if (cap_from_name(buf, &c) < 0)
			c = -1;
		if (c < 0 || c >= 64)
			return ward_error_set(e, 0, "spec JSON: %s: unknown capability %s", k,
			                      name);
		*out |= 1ULL << c;
	}
	return 0;
}

static int get_limits(const json_t *v, struct ward_limits *l, struct ward_error *e)
{
	if (!v)
		return 0;
	if (!json_is_object(v))
		return bad(e, "limits", "an object");
	const struct {
		const char *key;
		uint64_t *field;
	} u[] = {{"memory", &l->memory},
	         {"pids", &l->pids},
	         {"cpu_quota", &l->cpu_quota},
	         {"cpu_period", &l->cpu_period},
	         {"disk", &l->disk}};
	char k[64];
	for (size_t i = 0; i < sizeof(u) / sizeof(u[0]); i++) {
		const json_t *x = json_object_get(v, u[i].key);
		snprintf(k, sizeof(k), "limits.%s", u[i].key);
		if (x && get_u64(x, k, UINT64_MAX, u[i].field, e) < 0)
			return -1;
	}
	const json_t *swap = json_object_get(v, "swap");
	if (swap && (!json_is_integer(swap) || json_integer_value(swap) < -1))
		return bad(e, "limits.swap", "a whole number of bytes, or -1 for not set");
	if (swap)
		l->swap = json_integer_value(swap);
	if (get_u32(json_object_get(v, "cpu_weight"), "limits.cpu_weight", 10000, &l->cpu_weight,
	            e) < 0 ||
	    get_buf(json_object_get(v, "cpuset"), "limits.cpuset", l->cpuset, sizeof(l->cpuset),
	            e) < 0)
		return -1;
	const json_t *be = json_object_get(v, "best_effort");
	if (be && !json_is_boolean(be))
		return bad(e, "limits.best_effort", "true or false");
	if (be)
		l->best_effort = json_is_true(be);
	const json_t *io = json_object_get(v, "io");
	if (!io)
		return 0;
	if (get_array(io, "limits.io", WARD_MAX_IO_LIMITS, &l->n_io, e) < 0)
		return -1;
	for (size_t i = 0; i < l->n_io; i++) {
		const json_t *x = json_array_get(io, i);
		struct ward_io_limit *d = &l->io[i];
		const char *dev = json_string_value(json_object_get(x, "device"));
		char end;
		snprintf(k, sizeof(k), "limits.io[%zu].device", i);
		if (!dev || sscanf(dev, "%u:%u%c", &d->major, &d->minor, &end) != 2)
			return bad(e, k, "MAJOR:MINOR");
		const struct {
			const char *key;
			uint64_t *field;
		} r[] = {{"rbps", &d->rbps},
		         {"wbps", &d->wbps},
		         {"riops", &d->riops},
		         {"wiops", &d->wiops}};
		for (size_t j = 0; j < 4; j++) {
			const json_t *y = json_object_get(x, r[j].key);
			snprintf(k, sizeof(k), "limits.io[%zu].%s", i, r[j].key);
			if (y && get_u64(y, k, UINT64_MAX, r[j].field, e) < 0)
				return -1;
		}
	}
	return 0;
}

static bool absolute(const char *p)
{
	return p && p[0] == '/';
}

static int get_mount(const json_t *x, size_t i, struct ward_spec *s, struct ward_error *e)
{
	char k[64];
	snprintf(k, sizeof(k), "mounts[%zu]", i);
	const char *type = json_string_value(json_object_get(x, "type"));
	if (!type || (strcmp(type, "bind") && strcmp(type, "tmpfs")))
		return bad(e, k, "an object with \"type\": \"bind\" or \"tmpfs\"");
	char *dest = NULL;
	snprintf(k, sizeof(k), "mounts[%zu].destination", i);
	if (get_str(json_object_get(x, "destination"), k, false, &dest, e) < 0)
		return -1;
	if (!absolute(dest))
		return free(dest), bad(e, k, "an absolute path");
	if (!strcmp(type, "bind")) {
		struct ward_volume v = {.container = dest};
		const char *mode = json_string_value(json_object_get(x, "mode"));
		snprintf(k, sizeof(k), "mounts[%zu].mode", i);
		int m = 0;
		while (m < 3 && (!mode || strcmp(mode, volume_modes[m])))
			m++;
		if (m == 3)
			return free(dest), bad(e, k, "rw, ro or overlay");
		v.mode = (enum ward_volume_mode)m;
		snprintf(k, sizeof(k), "mounts[%zu].source", i);
		const char *src = json_string_value(json_object_get(x, "source"));
		if (!absolute(src) ||
		    strlen(src) != json_string_length(json_object_get(x, "source")))
			return free(dest), bad(e, k, "an absolute path");
		if (!(v.host = strdup(src)))
			return free(dest), ward_error_set(e, ENOMEM, "%s", k);
		struct ward_volume *a = realloc(s->volumes, (s->n_volumes + 1) * sizeof(*a));
		if (!a) {
			free(dest);
			free(v.host);
			return ward_error_set(e, ENOMEM, "%s", k);
		}
		s->volumes = a;
		a[s->n_volumes++] = v;
		return 0;
	}
	struct ward_tmpfs t = {.container = dest};
	const char *mode = json_string_value(json_object_get(x, "mode"));
	char *end = NULL;
	unsigned long m = mode ? strtoul(mode, &end, 8) : 0;
	int rc = 0;
	snprintf(k, sizeof(k), "mounts[%zu].mode", i);
	if (!mode || !*mode || *end || m > 07777)
		rc = bad(e, k, "octal permissions (\"1777\")");
	t.mode = (uint32_t)m;
	snprintf(k, sizeof(k), "mounts[%zu].size", i);
	const json_t *size = json_object_get(x, "size");
	if (!rc && size && get_u64(size, k, UINT64_MAX, &t.size, e) < 0)
		rc = -1;
	const json_t *noexec = json_object_get(x, "noexec");
	snprintf(k, sizeof(k), "mounts[%zu].noexec", i);
	if (!rc && noexec && !json_is_boolean(noexec))
		rc = bad(e, k, "true or false");
	t.noexec = json_is_true(noexec);
	struct ward_tmpfs *a = rc ? NULL : realloc(s->tmpfs, (s->n_tmpfs + 1) * sizeof(*a));
	if (!a) {
		free(dest);
		return rc ? -1 : ward_error_set(e, ENOMEM, "%s", k);
	}
	s->tmpfs = a;
	a[s->n_tmpfs++] = t;
	return 0;
}

static int get_mounts(const json_t *v, struct ward_spec *s, struct ward_error *e)
{
	if (!v)
		return 0;
	size_t n;
	if (get_array(v, "mounts", 4096, &n, e) < 0)
		return -1;
	spec_volumes_free(s);
	for (size_t i = 0; i < n; i++)
		if (get_mount(json_array_get(v, i), i, s, e) < 0)
			return -1;
	return 0;
}

static int get_ports(const json_t *v, struct ward_spec *s, struct ward_error *e)
{
	if (!v)
		return 0;
	if (get_array(v, "ports", WARD_MAX_PUBLISH, &s->n_publish, e) < 0)
		return -1;
	for (size_t i = 0; i < s->n_publish; i++) {
		const json_t *x = json_array_get(v, i);
		struct ward_publish *p = &s->publish[i];
		uint32_t hp = 0, cp = 0;
		char k[64];
		snprintf(k, sizeof(k), "ports[%zu].address", i);
		if (get_buf(json_object_get(x, "address"), k, p->addr, sizeof(p->addr), e) < 0)
			return -1;
		snprintf(k, sizeof(k), "ports[%zu].host_port", i);
		if (get_u32(json_object_get(x, "host_port"), k, 65535, &hp, e) < 0)
			return -1;
		snprintf(k, sizeof(k), "ports[%zu].port", i);
		if (get_u32(json_object_get(x, "port"), k, 65535, &cp, e) < 0)
			return -1;
		if (cp == 0 || !p->addr[0])
			return bad(e, k, "an address and a port from 1 to 65535");
		p->host_port = (uint16_t)hp;
		p->port = (uint16_t)cp;
	}
	return 0;
}

static int get_labels(const json_t *v, struct ward_spec *s, struct ward_error *e)
{
	if (!v)
		return 0;
	if (!json_is_object(v))
		return bad(e, "labels", "an object of strings");
	strv_free(s->labels);
	s->labels = NULL;
	if (json_object_size(v) == 0)
		return 0; /* no labels: no vector, as spec_init leaves it */
	s->labels = calloc(json_object_size(v) + 1, sizeof(char *));
	if (!s->labels)
		return ward_error_set(e, ENOMEM, "labels");
	size_t i = 0;
	const char *key;
	json_t *val;
	json_object_foreach((json_t *)v, key, val)
	{
		char k[80];
		snprintf(k, sizeof(k), "labels.%.60s", key);
		if (!*key || !json_is_string(val) ||
		    strlen(json_string_value(val)) != json_string_length(val))
			return bad(e, k, "a non-empty key with a string value");
		if (asprintf(&s->labels[i], "%s=%s", key, json_string_value(val)) < 0) {
			s->labels[i] = NULL;
			return ward_error_set(e, ENOMEM, "labels");
		}
		i++;
	}
	return 0;
}

static int get_dns(const json_t *v, struct ward_spec *s, struct ward_error *e)
{
	if (!v)
		return 0;
	if (get_array(v, "dns", WARD_MAX_DNS, &s->n_dns, e) < 0)
		return -1;
	for (size_t i = 0; i < s->n_dns; i++) {
		char k[32];
		snprintf(k, sizeof(k), "dns[%zu]", i);
		if (get_buf(json_array_get(v, i), k, s->dns[i], sizeof(s->dns[i]), e) < 0)
			return -1;
	}
	return 0;
}

static int get_user(const json_t *v, struct ward_spec *s, struct ward_error *e)
{
	if (!v)
		return 0;
	const char *t = json_string_value(v);
	unsigned long long u, g;
	char end;
	if (!t || sscanf(t, "%llu:%llu%c", &u, &g, &end) != 2 || u > UINT32_MAX || g > UINT32_MAX ||
	    !isdigit((unsigned char)t[0]))
		return bad(e, "user", "\"UID:GID\" (numbers)");
	s->uid = (uint32_t)u;
	s->gid = (uint32_t)g;
	return 0;
}

static int get_image(const json_t *v, struct ward_spec *s, struct ward_error *e)
{
	if (!v)
		return 0;
	if (!json_is_object(v))
		return bad(e, "image", "an object {name, id}");
	return get_str(json_object_get(v, "name"), "image.name", false, &s->image_name, e) < 0 ||
	               get_str(json_object_get(v, "id"), "image.id", false, &s->image_id, e) < 0
	           ? -1
	           : 0;
}

static int get_network(const json_t *v, struct ward_spec *s, struct ward_error *e)
{
	const char *t = json_string_value(v);
	if (!v)
		return 0;
	if (!t || (strcmp(t, "none") && strcmp(t, "egress")))
		return bad(e, "network", "\"none\" or \"egress\"");
	s->network = strcmp(t, "egress") ? WARD_NET_NONE : WARD_NET_EGRESS;
	return 0;
}

static int get_user_id(const json_t *o, struct ward_spec *s, struct ward_error *e)
{
	const json_t *v = json_object_get(o, "user_id");
	s->user_id_set = v && !json_is_null(v);
	if (s->user_id_set && get_u32(v, "user_id", WARD_IDMAP_SIZE - 1, &s->user_id, e) < 0)
		return -1;
	return get_buf(json_object_get(o, "user_id_origin"), "user_id_origin", s->user_id_origin,
	               sizeof(s->user_id_origin), e);
}

int spec_from_json(struct ward_spec *s, const json_t *o, struct ward_error *e)
{
	if (!json_is_object(o))
		return ward_error_set(e, 0, "spec JSON: expected an object");
	if (get_image(json_object_get(o, "image"), s, e) < 0 ||
	    get_str(json_object_get(o, "rootfs"), "rootfs", true, &s->rootfs, e) < 0 ||
	    get_strv(json_object_get(o, "command"), "command", false, &s->argv, e) < 0 ||
	    get_strv(json_object_get(o, "env"), "env", true, &s->env, e) < 0 ||
	    get_str(json_object_get(o, "workdir"), "workdir", true, &s->cwd, e) < 0 ||
	    get_user(json_object_get(o, "user"), s, e) < 0 || get_bool(o, "tty", &s->tty, e) < 0 ||
	    get_bool(o, "interactive", &s->interactive, e) < 0 ||
	    get_u32(json_object_get(o, "timeout"), "timeout", UINT32_MAX, &s->timeout_s, e) < 0 ||
	    get_rlimits(json_object_get(o, "rlimits"), s, e) < 0 ||
	    get_bool(o, "read_only", &s->read_only, e) < 0 ||
	    get_str(json_object_get(o, "hostname"), "hostname", true, &s->hostname, e) < 0 ||
	    get_strv(json_object_get(o, "hosts"), "hosts", false, &s->hosts, e) < 0 ||
	    get_idmaps(json_object_get(o, "idmaps"), s, e) < 0 ||
	    get_bool(o, "idmapped_root", &s->idmapped_root, e) < 0 ||
	    get_u32(json_object_get(o, "idmap_base"), "idmap_base", UINT32_MAX - WARD_IDMAP_SIZE,
	            &s->root_idmap_base, e) < 0 ||
	    get_caps(json_object_get(o, "capabilities"), &s->capabilities, e) < 0 ||
	    get_str(json_object_get(o, "policy"), "policy", true, &s->policy, e) < 0 ||
	    get_bool(o, "seccomp_unconfined", &s->seccomp_unconfined, e) < 0 ||
	    get_bool(o, "allow_setid_volumes", &s->allow_setid_volumes, e) < 0 ||
	    get_bool(o, "allow_setuid", &s->allow_setuid, e) < 0 ||
	    get_limits(json_object_get(o, "limits"), &s->limits, e) < 0 ||
	    get_mounts(json_object_get(o, "mounts"), s, e) < 0 || get_user_id(o, s, e) < 0 ||
	    get_network(json_object_get(o, "network"), s, e) < 0 ||
	    get_ports(json_object_get(o, "ports"), s, e) < 0 ||
	    get_dns(json_object_get(o, "dns"), s, e) < 0 ||
	    get_bool(o, "resident", &s->resident, e) < 0 ||
	    get_str(json_object_get(o, "name"), "name", true, &s->name, e) < 0 ||
	    get_bool(o, "persistent", &s->persistent, e) < 0 ||
	    get_str(json_object_get(o, "origin"), "origin", true, &s->origin, e) < 0 ||
	    get_labels(json_object_get(o, "labels"), s, e) < 0 ||
	    get_bool(o, "auto_remove", &s->auto_remove, e) < 0)
		return -1;
	if (!s->rootfs)
		return bad(e, "rootfs", "the sandbox's root directory");
	if (!absolute(s->cwd) && s->cwd)
		return bad(e, "workdir", "an absolute path or null");
	if (!s->env && !(s->env = calloc(1, sizeof(char *))))
		return ward_error_set(e, ENOMEM, "env");
	if (s->idmaps.n_uid_map == 0 || s->idmaps.n_gid_map == 0)
		return bad(e, "idmaps", "the sandbox's id maps");
	s->n_default_env = 0;
	s->prepared = true;
	return 0;
}
