/* ward image history: the config's history entries, newest first, each that made a layer
 * matched with the manifest's layer in order (an image without history: one per layer). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>

#include "import.h"
#include "sys.h"

/* RFC 3339 ("2026-01-02T03:04:05.123456789Z" or "+01:00") → ms since 1970; 0 if not one. */
static int64_t parse_time(const char *s)
{
	struct tm tm = {0};
	const char *p = s ? strptime(s, "%Y-%m-%dT%H:%M:%S", &tm) : NULL;
	if (!p)
		return 0;
	int64_t ms = 0;
	if (*p == '.') {
		int digits = 0;
		for (p++; *p >= '0' && *p <= '9'; p++)
			if (digits++ < 3)
				ms = ms * 10 + (*p - '0');
		for (; digits < 3; digits++)
			ms *= 10;
	}
	int64_t off = 0;
	int hh, mm;
	if ((*p == '+' || *p == '-') && sscanf(p + 1, "%2d:%2d", &hh, &mm) == 2)
		off = (*p == '-' ? -1 : 1) * (hh * 3600 + mm * 60);
	return ((int64_t)timegm(&tm) - off) * 1000 + ms;
}

static char *dup_str(json_t *v)
{
	return json_is_string(v) ? strdup(json_string_value(v)) : NULL;
}

static int fill(const struct manifest *m, json_t *cfg, struct ward_image_layer **out, size_t *n,
                struct ward_error *e)
{
	json_t *hist = json_object_get(cfg, "history"), *h;
	size_t count = json_is_array(hist) ? json_array_size(hist) : 0, i, layer = 0;
	if (count == 0) /* no history: one nameless entry per layer */
		count = m->n_layers, hist = NULL;
	struct ward_image_layer *v = calloc(count ? count : 1, sizeof(*v));
	if (!v)
		return ward_error_set(e, ENOMEM, "image history");
	for (i = 0; i < count; i++) {
		struct ward_image_layer *l = &v[count - 1 - i]; /* newest first */
		h = hist ? json_array_get(hist, i) : NULL;
		if (h && json_is_true(json_object_get(h, "empty_layer"))) {
			l->digest[0] = 0;
		} else if (layer < m->n_layers) {
			snprintf(l->digest, sizeof(l->digest), "%s", m->layers[layer].digest);
			l->size = m->layers[layer++].size;
		}
		l->created_ms = parse_time(json_string_value(json_object_get(h, "created")));
		l->created_by = dup_str(json_object_get(h, "created_by"));
		l->comment = dup_str(json_object_get(h, "comment"));
	}
	*out = v;
	*n = count;
	return 0;
}

int image_history(const char *ref, const struct ward_image_opts *o, struct ward_image_layer **out,
                  size_t *n, struct ward_error *e)
{
	struct store st;
	struct descriptor md;
	char name[WARD_IMAGE_NAME_MAX];
	if (store_open(&st, o ? o->ctx : NULL, e) < 0)
		return -1;
	struct source self = {.dirfd = -1};
	autoclose int gc = store_lock(&st, "gc", LOCK_SH, e);
	int rc = gc < 0 ? -1 : store_lookup(&st, ref, &md, name, e);
	if (rc == 0 && strcmp(md.media_type, MT_OCI_MANIFEST) &&
	    strcmp(md.media_type, MT_DOCKER_MANIFEST))
		rc = resolve_manifest(&st, &self, &md, e);
	char *buf = NULL;
	size_t len;
	struct manifest m;
	if (rc == 0 && (rc = store_read_doc(&st, &md, &buf, &len, e)) == 0) {
		rc = manifest_parse(buf, len, &m, e);
		free(buf);
		buf = NULL;
	}
	if (rc == 0) {
		json_error_t je;
		json_t *cfg = NULL;
		rc = store_read_doc(&st, &m.config, &buf, &len, e);
		if (rc == 0 && !(cfg = json_loadb(buf, len, 0, &je)))
			rc = ward_error_set(e, 0, "image %s: config: %s", ref, je.text);
		if (rc == 0)
			rc = fill(&m, cfg, out, n, e);
		json_decref(cfg);
		free(buf);
		manifest_free(&m);
	}
	store_close(&st);
	return rc;
}
