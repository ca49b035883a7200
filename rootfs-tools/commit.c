/* ward commit, the store side: the base image's layers (or a packed root directory), the
 * sandbox's changes as one more layer stored as given, and a config that says so. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>

#include "commit.h"
#include "image.h"
#include "image_build.h"
#include "import.h"
#include "names.h"
#include "sys.h"

/* LAYER_FD from offset 0 into a blob; an uncompressed tar, so its digest is its DiffID. */
static int store_layer(struct store *st, int fd, struct descriptor *d, struct ward_error *e)
{
	char tmp[64];
	int out = store_tmpfile(st, tmp, e);
	if (out < 0)
		return -1;
	struct sha256 h;
	sha256_init(&h);
	static char buf[1 << 16];
	uint64_t off = 0;
	ssize_t r;
	int rc = 0;
	while ((r = pread(fd, buf, sizeof(buf), (off_t)off)) > 0) {
		sha256_update(&h, buf, (size_t)r);
		if (write_all(out, buf, (size_t)r) < 0) {
			rc = ward_error_set(e, errno ? errno : ENOSPC,
			                    "commit: writing the layer into %s", st->path);
			break;
		}
		off += (uint64_t)r;
	}
	if (rc == 0 && r < 0)
		rc = ward_error_set(e, errno, "commit: reading the layer");
	if (rc == 0 && off == 0)
		rc = ward_error_set(e, 0, "commit: the layer is empty");
	close(out);
	if (rc < 0) {
		unlinkat(st->fd, tmp, 0);
		return -1;
	}
	sha256_final(&h, d->digest);
	d->size = off;
	snprintf(d->media_type, sizeof(d->media_type), "%s", MT_OCI_LAYER);
	return store_commit_blob(st, tmp, d->digest, e);
}

/* Docker's layer media types as OCI's, since the new manifest is an OCI one. */
static void oci_media_type(struct descriptor *d, enum compression c)
{
	if (strncmp(d->media_type, "application/vnd.docker.", 23))
		return;
	snprintf(d->media_type, sizeof(d->media_type), "%s%s", MT_OCI_LAYER,
	         c == COMP_GZIP   ? "+gzip"
	         : c == COMP_ZSTD ? "+zstd"
	                          : "");
}

/* BASE's manifest layers into *LAYERS (room for one more) and its config document. */
static int load_base(struct store *st, const char *base, struct descriptor **layers, size_t *n,
                     json_t **doc, struct ward_error *e)
{
	struct descriptor md;
	char name[WARD_IMAGE_NAME_MAX];
	struct source self = {.dirfd = -1};
	int rc = store_lookup(st, base, &md, name, e);
	if (rc == 0 && strcmp(md.media_type, MT_OCI_MANIFEST) &&
	    strcmp(md.media_type, MT_DOCKER_MANIFEST))
		rc = resolve_manifest(st, &self, &md, e);
	char *buf;
	size_t len;
	struct manifest m;
	if (rc < 0 || store_read_doc(st, &md, &buf, &len, e) < 0)
		return -1;
	rc = manifest_parse(buf, len, &m, e);
	free(buf);
	if (rc < 0)
		return -1;
	if (!(*layers = calloc(m.n_layers + 1, sizeof(**layers))))
		rc = ward_error_set(e, ENOMEM, "commit");
	for (size_t i = 0; rc == 0 && i < m.n_layers; i++) {
		(*layers)[i] = m.layers[i];
		oci_media_type(&(*layers)[i], m.comp[i]);
	}
	*n = m.n_layers;
	json_error_t je;
	if (rc == 0 && (rc = store_read_doc(st, &m.config, &buf, &len, e)) == 0) {
		if (!(*doc = json_loadb(buf, len, 0, &je)) || !json_is_object(*doc))
			rc = ward_error_set(e, 0, "image %s: config: %s", base,
			                    *doc ? "not an object" : je.text);
		free(buf);
	}
	manifest_free(&m);
	return rc;
}

/* ROOTFS packed as the first layer, under a config of its own. */
static int pack_base(struct store *st, const char *rootfs, struct descriptor **layers, size_t *n,
                     json_t **doc, struct ward_error *e)
{
	int64_t newest;
	if (!(*layers = calloc(2, sizeof(**layers))))
		return ward_error_set(e, ENOMEM, "commit");
	if (pack_layer(st, rootfs, &(*layers)[0], &newest, e) < 0)
		return -1;
	*n = 1;
	char when[32];
	rfc3339(newest, when);
	*doc = json_pack("{s:s, s:s, s:s, s:{}, s:{s:s, s:[s]}, s:[{s:s, s:s}]}", "created", when,
	                 "architecture", host_architecture(), "os", "linux", "config", "rootfs",
	                 "type", "layers", "diff_ids", (*layers)[0].digest, "history", "created",
	                 when, "created_by", "ward image pack");
	return *doc ? 0 : ward_error_set(e, ENOMEM, "commit");
}

static int set_strv(json_t *cfg, const char *key, char *const *v)
{
	if (!v)
		return 0;
	json_t *a = json_array();
	for (size_t i = 0; a && v[i]; i++)
		json_array_append_new(a, json_string(v[i]));
	return a ? json_object_set_new(cfg, key, a) : -1;
}

/* CFG over the base's config fields, the new DiffID and a history entry for it. */
static int update_config(json_t *doc, const struct image_commit_config *cfg, const char *diff_id,
                         size_t n_base, const char *comment, struct ward_error *e)
{
	int64_t now;
	bool fixed;
	if (source_date_epoch(&now, &fixed, e) < 0)
		return -1;
	if (!fixed)
		now = (int64_t)time(NULL);
	char when[32];
	rfc3339(now, when);
	json_t *c = json_object_get(doc, "config");
	if (!json_is_object(c)) {
		c = json_object();
		json_object_set_new(doc, "config", c);
	}
	int rc = 0;
	if (cfg) {
		rc |= set_strv(c, "Env", cfg->env) | set_strv(c, "Entrypoint", cfg->entrypoint) |
		      set_strv(c, "Cmd", cfg->cmd);
		if (cfg->workdir)
			rc |= json_object_set_new(c, "WorkingDir", json_string(cfg->workdir));
		if (cfg->user)
			rc |= json_object_set_new(c, "User", json_string(cfg->user));
	}
	json_t *ids = json_object_get(json_object_get(doc, "rootfs"), "diff_ids");
	rc |= json_is_array(ids) ? json_array_append_new(ids, json_string(diff_id)) : -1;
	json_t *hist = json_object_get(doc, "history");
	if (!json_is_array(hist) || json_array_size(hist) == 0) {
		/* A base without history: one entry per layer keeps the layers matched. */
		hist = json_array();
		json_t *created = json_object_get(doc, "created");
		for (size_t i = 0; i < n_base; i++)
			json_array_append_new(hist, json_is_string(created)
			                                ? json_pack("{s:O}", "created", created)
			                                : json_object());
		json_object_set_new(doc, "history", hist);
	}
	json_t *h = json_pack("{s:s, s:s}", "created", when, "created_by", "ward commit");
	if (h && comment)
		json_object_set_new(h, "comment", json_string(comment));
	rc |= json_array_append_new(hist, h);
	rc |= json_object_set_new(doc, "created", json_string(when));
	return rc ? ward_error_set(e, ENOMEM, "commit: the config") : 0;
}

int store_commit(struct ward_store *st, const char *base, const char *rootfs, int layer_fd,
                 const char *name, const char *comment, const struct image_commit_config *cfg,
                 char id_out[80], struct ward_error *e)
{
	char full[WARD_IMAGE_NAME_MAX];
	if (id_out)
		id_out[0] = 0;
	if (!name || !name_normalize(name, full, sizeof(full)))
		return ward_error_set(e, 0,
		                      "commit %s: expected NAME[:TAG] (NAME of a-z 0-9 . _ - /)",
		                      name ? name : "(missing)");
	if (!base && !rootfs)
		return ward_error_set(e, 0, "commit %s: no base image and no root directory", full);
	struct store s;
	if (store_open(&s, st ? st->ctx : NULL, e) < 0)
		return -1;
	struct descriptor *layers = NULL;
	size_t n = 0;
	json_t *doc = NULL;
	/* Shared: prune leaves the new blobs alone until the name holds them. */
	autoclose int gc = store_lock(&s, "gc", LOCK_SH, e);
	int rc = gc < 0 ? -1 : 0;
	if (rc == 0)
		rc = base ? load_base(&s, base, &layers, &n, &doc, e)
		          : pack_base(&s, rootfs, &layers, &n, &doc, e);
	if (rc == 0)
		rc = store_layer(&s, layer_fd, &layers[n], e);
	if (rc == 0)
		rc = update_config(doc, cfg, layers[n].digest, n, comment, e);
	if (rc == 0)
		rc = image_store_new(&s, doc, layers, n + 1, full, id_out, e);
	json_decref(doc);
	free(layers);
	store_close(&s);
	return rc;
}
