/* Parsing with jansson; documents are length-bounded and every field is type-checked. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include "manifest.h"
#include "strv.h"

const char *host_architecture(void)
{
#if defined(__x86_64__)
	return "amd64";
#elif defined(__aarch64__)
	return "arm64";
#elif defined(__i386__)
	return "386";
#elif defined(__riscv) && __riscv_xlen == 64
	return "riscv64";
#else
	return "unknown";
#endif
}

json_t *json_load_object(const char *json, size_t len, const char *what, struct ward_error *e)
{
	if (len > MAX_DOCUMENT) {
		ward_error_set(e, 0, "%s: larger than %u bytes", what, MAX_DOCUMENT);
		return NULL;
	}
	json_error_t je;
	json_t *root = json_loadb(json, len, JSON_REJECT_DUPLICATES, &je);
	if (!root || !json_is_object(root)) {
		ward_error_set(e, 0, "%s: not a JSON object%s%s", what, root ? "" : ": ",
		               root ? "" : je.text);
		json_decref(root);
		return NULL;
	}
	return root;
}

static int descriptor_parse(json_t *d, struct descriptor *out, const char *what,
                            struct ward_error *e)
{
	json_t *mt = json_object_get(d, "mediaType"), *dg = json_object_get(d, "digest"),
	       *sz = json_object_get(d, "size");
	if (!json_is_object(d) || !json_is_string(mt) || !json_is_string(dg) ||
	    !json_is_integer(sz) || json_integer_value(sz) < 0) {
		ward_error_set(e, 0, "%s: descriptor needs mediaType, digest and size", what);
		return -1;
	}
	if (!digest_valid(json_string_value(dg))) {
		ward_error_set(e, 0, "%s: digest '%.80s' is not sha256:<64 hex digits>", what,
		               json_string_value(dg));
		return -1;
	}
	if (strlen(json_string_value(mt)) >= sizeof(out->media_type)) {
		ward_error_set(e, 0, "%s: media type too long", what);
		return -1;
	}
	strcpy(out->media_type, json_string_value(mt));
	strcpy(out->digest, json_string_value(dg));
	out->size = (uint64_t)json_integer_value(sz);
	return 0;
}

int index_entry(const void *json_entry, struct descriptor *d, const char **name)
{
	json_t *m = (json_t *)json_entry;
	json_t *n = json_object_get(json_object_get(m, "annotations"), REF_NAME_KEY);
	if (descriptor_parse(m, d, "index entry", NULL) < 0)
		return -1;
	*name = json_is_string(n) ? json_string_value(n) : "";
	return 0;
}

static bool is_index_type(const char *mt)
{
	return !strcmp(mt, MT_OCI_INDEX) || !strcmp(mt, MT_DOCKER_LIST);
}

static bool is_manifest_type(const char *mt)
{
	return !strcmp(mt, MT_OCI_MANIFEST) || !strcmp(mt, MT_DOCKER_MANIFEST);
}

int document_kind(const char *json, size_t len, const char *media_type, enum doc_kind *kind,
                  struct ward_error *e)
{
	json_t *root = json_load_object(json, len, media_type, e);
	if (!root)
		return -1;
	json_t *mt = json_object_get(root, "mediaType");
	bool has_manifests = json_object_get(root, "manifests") != NULL;
	bool has_layers = json_object_get(root, "layers") != NULL;
	int rc = -1;
	/* CVE-2021-41190: a document must not be readable as two different things. */
	if (has_manifests && has_layers)
		ward_error_set(e, 0, "document has both manifests and layers");
	else if (mt && (!json_is_string(mt) || strcmp(json_string_value(mt), media_type)))
		ward_error_set(e, 0, "document says it is %.100s, its descriptor says %s",
		               json_is_string(mt) ? json_string_value(mt) : "?", media_type);
	else if (is_index_type(media_type) && !has_layers)
		*kind = DOC_INDEX, rc = 0;
	else if (is_manifest_type(media_type) && !has_manifests)
		*kind = DOC_MANIFEST, rc = 0;
	else
		ward_error_set(e, 0, "unsupported document type %s", media_type);
	json_decref(root);
	return rc;
}

int platform_parse(const char *text, struct platform *p, struct ward_error *e)
{
	memset(p, 0, sizeof(*p));
	if (!text) {
		snprintf(p->os, sizeof(p->os), "linux");
		snprintf(p->arch, sizeof(p->arch), "%s", host_architecture());
		return 0;
	}
	const char *s1 = strchr(text, '/'), *s2 = s1 ? strchr(s1 + 1, '/') : NULL;
	size_t ol = s1 ? (size_t)(s1 - text) : 0,
	       al = s1 ? (s2 ? (size_t)(s2 - s1 - 1) : strlen(s1 + 1)) : 0;
	if (!s1 || !ol || !al || ol >= sizeof(p->os) || al >= sizeof(p->arch) ||
	    (s2 && (!s2[1] || strlen(s2 + 1) >= sizeof(p->variant) || strchr(s2 + 1, '/'))))
		return ward_error_set(
		    e, 0, "--platform %s: expected OS/ARCH[/VARIANT] (linux/arm64/v8)", text);
	memcpy(p->os, text, ol);
	memcpy(p->arch, s1 + 1, al);
	if (s2)
		snprintf(p->variant, sizeof(p->variant), "%s", s2 + 1);
	return 0;
}

static const char *str(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);
	return json_is_string(v) ? json_string_value(v) : NULL;
}

static bool platform_matches(json_t *p, const struct platform *want)
{
	if (!json_is_object(p))
		return true; /* a manifest without a platform is taken as the host's */
	const char *os = str(p, "os"), *arch = str(p, "architecture"), *variant = str(p, "variant");
	if (!os || !arch || strcmp(os, want->os) || strcmp(arch, want->arch))
		return false;
	if (want->variant[0]) /* arm64's baseline v8 is also written without a variant */
		return variant ? !strcmp(variant, want->variant)
		               : !strcmp(want->variant, "v8") || !strcmp(want->variant, "v1");
	/* Only the baseline variants (amd64 v1, arm64 v8) are known to run here. */
	return !variant || !strcmp(variant, "v1") || !strcmp(variant, "v8");
}

static bool is_attestation(json_t *m)
{
	json_t *ann = json_object_get(m, "annotations");
	json_t *t = json_object_get(ann, "vnd.docker.reference.type");
	return json_is_string(t) && !strcmp(json_string_value(t), "attestation-manifest");
}

/* What an index offers, for the error: "linux/amd64, linux/arm64/v8". */
static void offered(json_t *ms, char *out, size_t len)
{
	size_t i, n = 0;
	json_t *m;
	out[0] = 0;
	json_array_foreach(ms, i, m)
	{
		json_t *p = json_object_get(m, "platform");
		if (is_attestation(m) || !json_is_object(p) || !str(p, "os") ||
		    !str(p, "architecture"))
			continue;
		const char *v = str(p, "variant");
		int k = snprintf(out + n, len - n, "%s%.20s/%.20s%s%.20s", n ? ", " : "",
		                 str(p, "os"), str(p, "architecture"), v ? "/" : "", v ? v : "");
		if (k < 0 || (size_t)k >= len - n) {
			out[n] = 0;
			break;
		}
		n += (size_t)k;
	}
}

int index_select(const char *json, size_t len, const char *tag, struct descriptor *out,
                 enum doc_kind *kind, struct ward_error *e)
{
	return index_pick(json, len, tag, NULL, NULL, out, kind, e);
}

int index_pick(const char *json, size_t len, const char *tag, const struct platform *platform,
               const char *what, struct descriptor *out, enum doc_kind *kind, struct ward_error *e)
{
	struct platform host;
	if (!platform) {
		platform_parse(NULL, &host, NULL);
		platform = &host;
	}
	json_t *root = json_load_object(json, len, "index", e);
	if (!root)
		return -1;
	json_t *ms = json_object_get(root, "manifests");
	int rc = -1;
	size_t i, found = 0;
	json_t *m, *pick = NULL;
	if (!json_is_array(ms)) {
		ward_error_set(e, 0, "index: no manifests array");
		goto out;
	}
	json_array_foreach(ms, i, m)
	{
		json_t *name = json_object_get(json_object_get(m, "annotations"), REF_NAME_KEY);
		if (tag && !(json_is_string(name) && !strcmp(json_string_value(name), tag)))
			continue;
		if (is_attestation(m) ||
		    !platform_matches(json_object_get(m, "platform"), platform))
			continue;
		if (!pick)
			pick = m;
		found++;
	}
	if (!pick) {
		char want[100], has[400];
		snprintf(want, sizeof(want), "%s/%s%s%s", platform->os, platform->arch,
		         platform->variant[0] ? "/" : "", platform->variant);
		offered(ms, has, sizeof(has));
		if (tag)
			ward_error_set(e, 0, "no image tagged '%s' for %s", tag, want);
		else if (what)
			ward_error_set(e, 0, "no image for %s in %s (it has: %s)", want, what,
			               has[0] ? has : "no platforms");
		else
			ward_error_set(e, 0, "no image for %s", want);
		goto out;
	}
	/* Several tags and no choice: ambiguous, unless it is a platform list (untagged). */
	if (found > 1 && !tag &&
	    json_object_get(json_object_get(pick, "annotations"), REF_NAME_KEY)) {
		ward_error_set(e, 0, "the layout holds %zu images; name one with :TAG", found);
		goto out;
	}
	if (descriptor_parse(pick, out, "index entry", e) < 0)
		goto out;
	if (is_index_type(out->media_type))
		*kind = DOC_INDEX, rc = 0;
	else if (is_manifest_type(out->media_type))
		*kind = DOC_MANIFEST, rc = 0;
	else
		ward_error_set(e, 0, "index entry: unsupported media type %s", out->media_type);
out:
	json_decref(root);
	return rc;
}

static enum compression layer_compression(const char *mt, bool *ok)
{
	static const struct {
		const char *type;
		enum compression comp;
	} types[] = {
	    {"application/vnd.oci.image.layer.v1.tar", COMP_NONE},
	    {"application/vnd.oci.image.layer.v1.tar+gzip", COMP_GZIP},
	    {"application/vnd.oci.image.layer.v1.tar+zstd", COMP_ZSTD},
	    {"application/vnd.oci.image.layer.nondistributable.v1.tar", COMP_NONE},
	    {"application/vnd.oci.image.layer.nondistributable.v1.tar+gzip", COMP_GZIP},
	    {"application/vnd.oci.image.layer.nondistributable.v1.tar+zstd", COMP_ZSTD},
	    {"application/vnd.docker.image.rootfs.diff.tar", COMP_NONE},
	    {"application/vnd.docker.image.rootfs.diff.tar.gzip", COMP_GZIP},
	    {"application/vnd.docker.image.rootfs.diff.tar.zstd", COMP_ZSTD},
	    {"application/vnd.docker.image.rootfs.foreign.diff.tar.gzip", COMP_GZIP},
	};
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (!strcmp(mt, types[i].type)) {
			*ok = true;
			return types[i].comp;
		}
	*ok = false;
	return COMP_NONE;
}

int manifest_parse(const char *json, size_t len, struct manifest *m, struct ward_error *e)
{
	memset(m, 0, sizeof(*m));
	json_t *root = json_load_object(json, len, "manifest", e);
	if (!root)
		return -1;
	int rc = -1;
	json_t *layers = json_object_get(root, "layers");
	json_t *sv = json_object_get(root, "schemaVersion");
	if (!json_is_integer(sv) || json_integer_value(sv) != 2) {
		ward_error_set(e, 0, "manifest: schemaVersion must be 2");
		goto out;
	}
	if (descriptor_parse(json_object_get(root, "config"), &m->config, "manifest config", e) < 0)
		goto out;
	if (!json_is_array(layers) || json_array_size(layers) > 4096) {
		ward_error_set(e, 0, "manifest: layers must be an array of at most 4096");
		goto out;
	}
	m->n_layers = json_array_size(layers);
	m->layers = calloc(m->n_layers + 1, sizeof(*m->layers));
	m->comp = calloc(m->n_layers + 1, sizeof(*m->comp));
	if (!m->layers || !m->comp) {
		ward_error_set(e, 0, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < m->n_layers; i++) {
		char what[32];
		bool ok;
		snprintf(what, sizeof(what), "layer %zu", i + 1);
		if (descriptor_parse(json_array_get(layers, i), &m->layers[i], what, e) < 0)
			goto out;
		m->comp[i] = layer_compression(m->layers[i].media_type, &ok);
		if (!ok) {
			ward_error_set(e, 0, "layer %zu: unsupported media type %s", i + 1,
			               m->layers[i].media_type);
			goto out;
		}
	}
	rc = 0;
out:
	json_decref(root);
	if (rc < 0)
		manifest_free(m);
	return rc;
}

void manifest_free(struct manifest *m)
{
	free(m->layers);
	free(m->comp);
	memset(m, 0, sizeof(*m));
}

/* A JSON array of strings (or null) as a NULL-terminated vector. */
static int strv_from(json_t *a, char ***out, const char *what, struct ward_error *e)
{
	*out = NULL;
	if (!a || json_is_null(a))
		return 0;
	if (!json_is_array(a)) {
		ward_error_set(e, 0, "image config: %s must be a list of strings", what);
		return -1;
	}
	char **v = calloc(json_array_size(a) + 1, sizeof(char *));
	if (!v) {
		ward_error_set(e, 0, "image config: out of memory");
		return -1;
	}
	size_t i;
	json_t *s;
	json_array_foreach(a, i, s)
	{
		if (!json_is_string(s) || !(v[i] = strdup(json_string_value(s)))) {
			for (size_t k = 0; k < i; k++)
				free(v[k]);
			free(v);
			ward_error_set(e, 0, "image config: %s must be a list of strings", what);
			return -1;
		}
	}
	*out = v;
	return 0;
}

static int str_from(json_t *s, char **out, const char *what, struct ward_error *e)
{
	*out = NULL;
	if (!s || json_is_null(s))
		return 0;
	if (!json_is_string(s)) {
		ward_error_set(e, 0, "image config: %s must be a string", what);
		return -1;
	}
	if (!*json_string_value(s))
		return 0;
	*out = strdup(json_string_value(s));
	return 0;
}

static void chain_id(struct image_config *c)
{
	strcpy(c->chain_id, c->diff_ids[0]);
	for (size_t i = 1; i < c->n_diff_ids; i++) {
		struct sha256 h;
		sha256_init(&h);
		sha256_update(&h, c->chain_id, strlen(c->chain_id));
		sha256_update(&h, " ", 1);
		sha256_update(&h, c->diff_ids[i], strlen(c->diff_ids[i]));
		sha256_final(&h, c->chain_id);
	}
}

int config_parse(const char *json, size_t len, size_t n_layers, struct image_config *c,
                 struct ward_error *e)
{
	memset(c, 0, sizeof(*c));
	json_t *root = json_load_object(json, len, "image config", e);
	if (!root)
		return -1;
	int rc = -1;
	json_t *cfg = json_object_get(root, "config"), *rootfs = json_object_get(root, "rootfs");
	json_t *type = json_object_get(rootfs, "type"), *ids = json_object_get(rootfs, "diff_ids");
	if (cfg && !json_is_null(cfg) && !json_is_object(cfg)) {
		ward_error_set(e, 0, "image config: config must be an object");
		goto out;
	}
	if (!json_is_string(type) || strcmp(json_string_value(type), "layers") ||
	    !json_is_array(ids)) {
		ward_error_set(e, 0,
		               "image config: rootfs must be {type: layers, diff_ids: [...]}");
		goto out;
	}
	if (json_array_size(ids) != n_layers || n_layers == 0) {
		ward_error_set(e, 0, "image config: %zu diff_ids for %zu layers",
		               json_array_size(ids), n_layers);
		goto out;
	}
	if (strv_from(ids, &c->diff_ids, "rootfs.diff_ids", e) < 0)
		goto out;
	c->n_diff_ids = n_layers;
	for (size_t i = 0; i < n_layers; i++)
		if (!digest_valid(c->diff_ids[i])) {
			ward_error_set(e, 0, "image config: diff_id %zu is not a sha256 digest",
			               i + 1);
			goto out;
		}
	chain_id(c);
	if (strv_from(json_object_get(cfg, "Env"), &c->env, "Env", e) < 0 ||
	    strv_from(json_object_get(cfg, "Entrypoint"), &c->entrypoint, "Entrypoint", e) < 0 ||
	    strv_from(json_object_get(cfg, "Cmd"), &c->cmd, "Cmd", e) < 0 ||
	    str_from(json_object_get(cfg, "WorkingDir"), &c->workdir, "WorkingDir", e) < 0 ||
	    str_from(json_object_get(cfg, "User"), &c->user, "User", e) < 0)
		goto out;
	rc = 0;
out:
	json_decref(root);
	if (rc < 0)
		config_free(c);
	return rc;
}

void config_free(struct image_config *c)
{
	strv_free(c->env);
	strv_free(c->entrypoint);
	strv_free(c->cmd);
	strv_free(c->diff_ids);
	free(c->workdir);
	free(c->user);
	memset(c, 0, sizeof(*c));
}
