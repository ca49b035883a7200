/* Images: list, inspect, pull (POST /images/create, streamed progress), tag, delete, push,
 * history; /build refused. Anything that may fork (a pull, a push, a removal that deletes a
 * tree a rootless unpack made, an image not unpacked yet) runs in api_worker. */
#include <errno.h>
#include <fnmatch.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "images.h"
#include "serve.h"

static const char *arch(void)
{
	static char m[65];
	struct utsname u;
	if (!m[0] && uname(&u) == 0)
		snprintf(m, sizeof(m), "%s", u.machine);
	if (!strcmp(m, "x86_64"))
		return "amd64";
	if (!strcmp(m, "aarch64"))
		return "arm64";
	return m;
}

static bool store_open(struct api_req *r, struct ward_image_info **v, size_t *n)
{
	struct ward_error e = {0};
	*v = NULL;
	*n = 0;
	if (ward_image_list(r->srv->store, v, n, &e) < 0) {
		api_reply_ward_error(r, 500, &e);
		return false;
	}
	return true;
}

/* The index of the entry REF names, or -1. */
static long lookup(const struct ward_image_info *v, size_t n, const char *ref)
{
	for (size_t i = 0; i < n; i++)
		if (img_matches(v[i].name, v[i].id, ref))
			return (long)i;
	return -1;
}

static json_t *names_of(const struct ward_image_info *v, size_t n, const char *id)
{
	json_t *a = json_array();
	for (size_t i = 0; i < n; i++)
		if (!strcmp(v[i].id, id))
			json_array_append_new(a, json_string(v[i].name));
	return a;
}

static int64_t created_ms(struct ward_store *st, const char *id)
{
	struct ward_image_layer *h;
	size_t n;
	struct ward_error e = {0};
	if (ward_image_history(st, id, &h, &n, &e) < 0)
		return 0;
	int64_t ms = n ? h[0].created_ms : 0;
	ward_image_history_free(h, n);
	return ms;
}

static bool wanted(json_t *filters, const struct ward_image_info *v, size_t n, size_t i)
{
	json_t *refs = json_object_get(filters, "reference");
	json_t *dang = json_object_get(filters, "dangling");
	const char *d = json_string_value(json_array_get(dang, 0));
	if (json_is_object(dang))
		d = json_object_get(dang, "true") ? "true" : "false";
	if (d && !strcmp(d, "true"))
		return false; /* every stored image has a name */
	if (json_object_get(filters, "label"))
		return false; /* images carry no labels ward reads */
	if (!refs)
		return true;
	size_t k;
	json_t *p;
	const char *key;
	json_t *unused;
	if (json_is_object(refs)) {
		json_object_foreach(refs, key, unused)
		{
			for (size_t j = 0; j < n; j++)
				if (!strcmp(v[j].id, v[i].id) &&
				    (!fnmatch(img_short(key), v[j].name, 0) ||
				     img_matches(v[j].name, v[j].id, key)))
					return true;
		}
		return false;
	}
	json_array_foreach(refs, k, p)
	{
		const char *pat = json_string_value(p);
		for (size_t j = 0; pat && j < n; j++)
			if (!strcmp(v[j].id, v[i].id) && (!fnmatch(img_short(pat), v[j].name, 0) ||
			                                  img_matches(v[j].name, v[j].id, pat)))
				return true;
	}
	return false;
}

static void images_list(struct api_req *r)
{
	json_t *filters = NULL;
	const char *f = api_query(r, "filters");
	if (f && f[0]) {
		json_error_t je;
		filters = json_loads(f, 0, &je);
		const char *key;
		json_t *val;
		json_object_foreach(filters, key, val)
		{
			if (strcmp(key, "reference") && strcmp(key, "dangling") &&
			    strcmp(key, "label")) {
				api_reply_error(r, 400, "filters: %s: not supported by ward", key);
				json_decref(filters);
				return;
			}
		}
		if (!json_is_object(filters)) {
			json_decref(filters);
			api_reply_error(r, 400, "filters: expected a JSON object");
			return;
		}
	}
	struct ward_image_info *v;
	size_t n;
	if (!store_open(r, &v, &n)) {
		json_decref(filters);
		return;
	}
	json_t *out = json_array();
	for (size_t i = 0; i < n; i++) {
		bool seen = false;
		for (size_t j = 0; j < i && !seen; j++)
			seen = !strcmp(v[j].id, v[i].id);
		if (seen || !wanted(filters, v, n, i))
			continue;
		json_array_append_new(
		    out,
		    json_pack("{s:s, s:s, s:o, s:[], s:I, s:I, s:I, s:i, s:{}, s:i}", "Id", v[i].id,
		              "ParentId", "", "RepoTags", names_of(v, n, v[i].id), "RepoDigests",
		              "Created", (json_int_t)(created_ms(r->srv->store, v[i].id) / 1000),
		              "Size", (json_int_t)v[i].size, "VirtualSize", (json_int_t)v[i].size,
		              "SharedSize", -1, "Labels", "Containers", -1));
	}
	free(v);
	json_decref(filters);
	api_reply_json(r, 200, out);
}

static json_t *strv_json(char *const *v)
{
	if (!v)
		return json_null();
	json_t *a = json_array();
	for (size_t i = 0; v[i]; i++)
		json_array_append_new(a, json_string(v[i]));
	return a;
}

/* Docker's inspect of REF, or NULL with E. */
static json_t *inspect(struct ward_store *st, const char *ref, struct ward_error *e)
{
	struct ward_image *img;
	if (ward_image_open_pull(st, img_short(ref), WARD_PULL_NEVER, NULL, &img, e) < 0)
		return NULL;
	const struct ward_image_config *c = ward_image_config(img);
	struct ward_image_info *v = NULL;
	size_t n = 0;
	struct ward_image_layer *h = NULL;
	size_t nh = 0;
	uint64_t size = 0;
	json_t *layers = json_array(), *out = NULL;
	if (ward_image_list(st, &v, &n, e) < 0 || ward_image_history(st, c->id, &h, &nh, e) < 0)
		goto done;
	for (size_t i = nh; i-- > 0;)
		if (h[i].digest[0]) {
			json_array_append_new(layers, json_string(h[i].digest));
			size += h[i].size;
		}
	for (size_t i = 0; i < n && !size; i++)
		if (!strcmp(v[i].id, c->id))
			size = v[i].size;
	char t[40];
	out = json_pack("{s:s, s:o, s:[], s:s, s:s, s:s, s:s, s:s, s:s, "
	                "s:{s:s, s:s, s:o, s:o, s:o, s:s, s:n, s:n, s:b, s:b, s:b, s:b, s:s}, "
	                "s:s, s:I, s:I, s:{s:s, s:n}, s:{s:s, s:o}, s:{s:s}}",
	                "Id", c->id, "RepoTags", names_of(v, n, c->id), "RepoDigests", "Parent", "",
	                "Comment", "", "Created", api_time(nh ? h[0].created_ms : 0, t),
	                "Container", "", "DockerVersion", "", "Author", "", "Config", "Hostname",
	                "", "Image", "", "Env", strv_json(c->env), "Cmd", strv_json(c->cmd),
	                "Entrypoint", strv_json(c->entrypoint), "WorkingDir",
	                c->workdir ? c->workdir : "", "ExposedPorts", "Labels", "AttachStdin", 0,
	                "Tty", 0, "OpenStdin", 0, "StdinOnce", 0, "User", c->user ? c->user : "",
	                "Os", "linux", "Size", (json_int_t)size, "VirtualSize", (json_int_t)size,
	                "GraphDriver", "Name", "ward", "Data", "RootFS", "Type", "layers", "Layers",
	                layers, "Metadata", "LastTagTime", "0001-01-01T00:00:00Z");
	layers = NULL;
	if (out)
		json_object_set_new(out, "Architecture", json_string(arch()));
	else
		ward_error_set(e, ENOMEM, "inspect");
done:
	json_decref(layers);
	ward_image_history_free(h, nh);
	free(v);
	ward_image_close(img);
	return out;
}

static int inspect_work(struct serve *srv, json_t *in, json_t **out, int pfd, struct ward_error *e)
{
	(void)pfd;
	*out = inspect(srv->store, json_string_value(json_object_get(in, "ref")), e);
	return *out ? 0 : -1;
}

static void reply_image_error(struct api_req *r, const char *ref, const struct ward_error *e)
{
	if (strstr(e->msg, "not in the store") || strstr(e->msg, "no such image"))
		api_reply_error(r, 404, "No such image: %s", ref);
	else
		api_reply_ward_error(r, 500, e);
}

static void image_inspect(struct api_req *r)
{
	const char *ref = r->arg[0];
	struct ward_image_info *v;
	size_t n;
	if (!store_open(r, &v, &n))
		return;
	long i = lookup(v, n, ref);
	bool unpacked = i >= 0 && v[i].unpacked;
	free(v);
	struct ward_error e = {0};
	json_t *j = NULL;
	if (unpacked) {
		j = inspect(r->srv->store, ref, &e);
	} else {
		/* not listed as one of ours (ward's own name rules may still find it), or its tree
		 * is to be unpacked: opening it may fork */
		json_t *in = json_pack("{s:s}", "ref", ref);
		if (api_worker(r->srv, inspect_work, in, &j, -1, &e) < 0)
			j = NULL;
		json_decref(in);
	}
	if (j)
		api_reply_json(r, 200, j);
	else
		reply_image_error(r, ref, &e);
}

static void image_tag(struct api_req *r)
{
	const char *repo = api_query(r, "repo"), *tag = api_query(r, "tag");
	if (!repo || !repo[0]) {
		api_reply_error(r, 400, "repo: missing (the name to give the image)");
		return;
	}
	char name[WARD_IMAGE_NAME_MAX + 8];
	if (img_pull_ref(img_short(repo), tag, name, sizeof(name)) < 0 || strchr(name, '@')) {
		api_reply_error(r, 400, "repo %s, tag %s: not a name ward can give an image", repo,
		                tag ? tag : "");
		return;
	}
	struct ward_image_info *v;
	size_t n;
	if (!store_open(r, &v, &n))
		return;
	long i = lookup(v, n, r->arg[0]);
	char id[80] = "";
	if (i >= 0)
		snprintf(id, sizeof(id), "%s", v[i].id);
	free(v);
	struct ward_error e = {0};
	if (i < 0)
		api_reply_error(r, 404, "No such image: %s", r->arg[0]);
	else if (ward_image_tag(r->srv->store, id, name, &e) < 0)
		api_reply_ward_error(r, 400, &e);
	else
		api_reply_empty(r, 201);
}

static int remove_work(struct serve *srv, json_t *in, json_t **out, int pfd, struct ward_error *e)
{
	(void)pfd;
	(void)out;
	json_t *names = json_object_get(in, "names");
	size_t n = json_array_size(names);
	char **v = calloc(n + 1, sizeof(char *));
	if (!v)
		return ward_error_set(e, ENOMEM, "image rm");
	for (size_t i = 0; i < n; i++)
		v[i] = (char *)json_string_value(json_array_get(names, i));
	int rc = ward_image_remove(srv->store, v, n, e);
	free(v);
	return rc;
}

/* A sandbox (of any status) made from image ID, or from one of its NAMES: its id in CID,
 * else "". */
static void user_of(struct serve *srv, json_t *names, const char *id, char cid[16])
{
	struct ward_sandbox_info *s;
	size_t n;
	struct ward_error e = {0};
	cid[0] = 0;
	if (ward_sandbox_list(srv->ctx, &s, &n, &e) < 0)
		return;
	for (size_t i = 0; i < n && !cid[0]; i++) {
		json_t *cfg = s[i].config ? json_loads(s[i].config, 0, NULL) : NULL;
		const char *img =
		    json_string_value(json_object_get(json_object_get(cfg, "image"), "id"));
		bool hit = (img && !strcmp(img, id)) || img_matches(id, id, s[i].origin);
		size_t k;
		json_t *nm;
		json_array_foreach(names, k, nm)
		{
			hit = hit || img_matches(json_string_value(nm), id, s[i].origin);
		}
		json_decref(cfg);
		if (hit)
			snprintf(cid, 16, "%s", s[i].id);
	}
	ward_sandbox_list_free(s, n);
}

static void image_delete(struct api_req *r)
{
	const char *ref = r->arg[0];
	bool force = api_query_bool(r, "force", false);
	struct ward_image_info *v;
	size_t n;
	if (!store_open(r, &v, &n))
		return;
	long at = lookup(v, n, ref);
	if (at < 0) {
		free(v);
		api_reply_error(r, 404, "No such image: %s", ref);
		return;
	}
	char id[80];
	snprintf(id, sizeof(id), "%s", v[at].id);
	/* by name: that name; by id: every name it has (more than one needs force, as Docker) */
	bool by_id = strcmp(v[at].name, img_short(ref)) && !img_matches(v[at].name, "", ref);
	json_t *names = json_array(), *all = names_of(v, n, id);
	if (by_id)
		json_array_extend(names, all);
	else
		json_array_append_new(names, json_string(v[at].name));
	free(v);
	bool last = json_array_size(names) == json_array_size(all);
	char cid[16];
	user_of(r->srv, all, id, cid);
	json_decref(all);
	if (by_id && json_array_size(names) > 1 && !force) {
		api_reply_error(r, 409,
		                "conflict: unable to delete %.12s (must be forced) - image is "
		                "referenced in multiple repositories",
		                id + 7);
	} else if (last && cid[0] && !force) {
		api_reply_error(
		    r, 409,
		    "conflict: unable to remove repository reference \"%s\" (must force) "
		    "- container %s is using its referenced image %.12s",
		    ref, cid, id + 7);
	} else {
		json_t *in = json_pack("{s:O}", "names", names), *out = NULL;
		struct ward_error e = {0};
		if (api_worker(r->srv, remove_work, in, &out, -1, &e) < 0) {
			api_reply_ward_error(r, 500, &e);
		} else {
			json_t *res = json_array();
			size_t k;
			json_t *nm;
			json_array_foreach(names, k, nm)
			{
				json_array_append_new(res, json_pack("{s:O}", "Untagged", nm));
			}
			if (last)
				json_array_append_new(res, json_pack("{s:s}", "Deleted", id));
			api_reply_json(r, 200, res);
		}
		json_decref(out);
		json_decref(in);
	}
	json_decref(names);
}

static void image_history(struct api_req *r)
{
	struct ward_image_info *v;
	size_t n;
	if (!store_open(r, &v, &n))
		return;
	long at = lookup(v, n, r->arg[0]);
	char id[80];
	if (at >= 0)
		snprintf(id, sizeof(id), "%s", v[at].id);
	json_t *tags = at >= 0 ? names_of(v, n, id) : NULL;
	free(v);
	struct ward_image_layer *h;
	size_t nh;
	struct ward_error e = {0};
	if (at < 0 || ward_image_history(r->srv->store, id, &h, &nh, &e) < 0) {
		json_decref(tags);
		if (at < 0)
			api_reply_error(r, 404, "No such image: %s", r->arg[0]);
		else
			api_reply_ward_error(r, 500, &e);
		return;
	}
	json_t *out = json_array();
	for (size_t i = 0; i < nh; i++)
		json_array_append_new(
		    out, json_pack("{s:s, s:I, s:s, s:O, s:I, s:s}", "Id",
		                   i == 0           ? id
		                   : h[i].digest[0] ? h[i].digest
		                                    : "<missing>",
		                   "Created", (json_int_t)(h[i].created_ms / 1000), "CreatedBy",
		                   h[i].created_by ? h[i].created_by : "", "Tags",
		                   i == 0 ? tags : json_null(), "Size", (json_int_t)h[i].size,
		                   "Comment", h[i].comment ? h[i].comment : ""));
	ward_image_history_free(h, nh);
	json_decref(tags);
	api_reply_json(r, 200, out);
}

static void image_build(struct api_req *r)
{
	api_reply_error(r, 501,
	                "POST /build: not supported by ward (build images with another "
	                "tool, then pull or import them)");
}

const struct api_route api_routes_images[] = {
    {"GET", "/images/json", images_list},
    {"POST", "/images/create", srv_image_pull},
    {"GET", "/images/{*}/json", image_inspect},
    {"GET", "/images/{*}/history", image_history},
    {"POST", "/images/{*}/tag", image_tag},
    {"POST", "/images/{*}/push", srv_image_push},
    {"DELETE", "/images/{*}", image_delete},
    {"POST", "/build", image_build},
    {"POST", "/commit", srv_commit},
    {0},
};
