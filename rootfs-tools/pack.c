/* ward image pack: a directory becomes a one-layer image (uncompressed tar layer, so its
 * digest is its DiffID) named in the store. The walk goes through fds and never follows a
 * symlink; owners are written as the sandbox would see them. Reproducible: the same tree
 * gives the same layer, config and id (times from the files or SOURCE_DATE_EPOCH). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>

#include "image_build.h"
#include "import.h"
#include "names.h"
#include "sys.h"
#include "tree_tar.h"
#include "userns_run.h"

struct packer {
	struct tree_tar t;
	int out;
	struct sha256 h;
	uint64_t size;
	int werr;               /* why the store's layer file could not be written, or 0 */
	struct ward_idmaps ids; /* host → container owner translation */
};

int source_date_epoch(int64_t *t, bool *set, struct ward_error *e)
{
	const char *v = getenv("SOURCE_DATE_EPOCH");
	*set = v && *v;
	*t = 0;
	if (!*set)
		return 0;
	char *end;
	errno = 0;
	long long n = strtoll(v, &end, 10);
	if (errno || *end || n < 0 || n > 253402300799LL) /* up to year 9999 */
		return ward_error_set(e, 0, "SOURCE_DATE_EPOCH %s: expected seconds since 1970", v);
	*t = n;
	return 0;
}

void rfc3339(int64_t t, char out[32])
{
	time_t tt = (time_t)t;
	struct tm tm;
	gmtime_r(&tt, &tm);
	strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static int pack_write(void *arg, const void *buf, size_t len)
{
	struct packer *p = arg;
	sha256_update(&p->h, buf, len);
	p->size += len;
	errno = 0;
	if (write_all(p->out, buf, len) == 0)
		return 0;
	p->werr = errno ? errno : ENOSPC; /* stopped short without a cause: the disk is full */
	return -1;
}

/* Root callers: the ward range counts from 0, other host ids stay as they are (a tree
 * made by debootstrap as root). Rootless: the caller is 0, its subordinate ids 1..,
 * anything else nobody. */
static uint32_t to_container(const struct tree_tar *t, uint32_t id, bool is_gid)
{
	const struct packer *p = t->arg;
	const struct ward_idmap *m = is_gid ? p->ids.gid_map : p->ids.uid_map;
	size_t n = is_gid ? p->ids.n_gid_map : p->ids.n_uid_map;
	for (size_t i = 0; i < n; i++)
		if (id >= m[i].outside && id - m[i].outside < m[i].count)
			return m[i].inside + (id - m[i].outside);
	return geteuid() == 0 ? id : 65534;
}

int pack_layer(struct store *st, const char *dir, struct descriptor *layer, int64_t *newest,
               struct ward_error *e)
{
	struct packer p = {.out = -1};
	char tmp[64];
	autoclose int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return ward_error_set(e, errno, "pack %s", dir);
	int rc = source_date_epoch(&p.t.clamp_to, &p.t.clamp, e);
	if (rc == 0)
		rc = userns_idmaps(&p.ids, e);
	if (rc == 0 && (p.out = store_tmpfile(st, tmp, e)) < 0)
		rc = -1;
	if (rc == 0) {
		sha256_init(&p.h);
		p.t.tw = (struct tar_writer){.sink = pack_write, .arg = &p};
		p.t.owner = to_container;
		p.t.arg = &p;
		if (tree_tar_children(&p.t, dfd, ".") < 0 || tar_write_end(&p.t.tw) < 0)
			rc = p.werr
			         ? ward_error_set(e, p.werr, "pack %s: writing the layer into %s",
			                          dir, st->path)
			         : ward_error_set(e, 0, "pack %s: %s", dir,
			                          p.t.err[0] ? p.t.err : "writing the layer");
	}
	if (rc == 0) {
		sha256_final(&p.h, layer->digest);
		layer->size = p.size;
		snprintf(layer->media_type, sizeof(layer->media_type), "%s", MT_OCI_LAYER);
		*newest = p.t.clamp ? p.t.clamp_to : p.t.newest;
		rc = store_commit_blob(st, tmp, layer->digest, e);
	} else if (p.out >= 0) {
		unlinkat(st->fd, tmp, 0);
	}
	if (p.out >= 0)
		close(p.out);
	tree_tar_free(&p.t);
	return rc;
}

int image_store_new(struct store *st, json_t *config, const struct descriptor *layers, size_t n,
                    const char *name, char id_out[80], struct ward_error *e)
{
	struct descriptor cd = {0}, md = {0};
	char *cfg = json_dumps(config, JSON_COMPACT);
	json_t *ls = json_array(), *m = NULL;
	char *man = NULL;
	for (size_t i = 0; ls && i < n; i++)
		json_array_append_new(
		    ls, json_pack("{s:s, s:s, s:I}", "mediaType", layers[i].media_type, "digest",
		                  layers[i].digest, "size", (json_int_t)layers[i].size));
	int rc = cfg && ls ? 0 : ward_error_set(e, ENOMEM, "image %s: the config", name);
	if (rc == 0 && (rc = store_put_doc(st, cfg, strlen(cfg), cd.digest, e)) == 0) {
		m = json_pack("{s:i, s:s, s:{s:s, s:s, s:I}, s:O}", "schemaVersion", 2, "mediaType",
		              MT_OCI_MANIFEST, "config", "mediaType", MT_OCI_CONFIG, "digest",
		              cd.digest, "size", (json_int_t)strlen(cfg), "layers", ls);
		man = m ? json_dumps(m, JSON_COMPACT) : NULL;
		rc = man ? store_put_doc(st, man, strlen(man), md.digest, e)
		         : ward_error_set(e, ENOMEM, "image %s: the manifest", name);
	}
	struct source self = {.dirfd = -1};
	struct manifest mm;
	struct image_config cc;
	char *tree = NULL;
	if (rc == 0) {
		snprintf(md.media_type, sizeof(md.media_type), "%s", MT_OCI_MANIFEST);
		md.size = strlen(man);
		rc = load_image(st, &self, &md, &mm, &cc, true, e);
	}
	if (rc == 0) {
		rc = ensure_tree(st, &mm, &cc, NULL, &tree, e);
		manifest_free(&mm);
		config_free(&cc);
	}
	if (rc == 0)
		rc = tag_image(st, name, &md, e);
	if (rc == 0 && id_out)
		snprintf(id_out, 80, "%s", md.digest);
	free(tree);
	free(cfg);
	free(man);
	json_decref(m);
	json_decref(ls);
	return rc;
}

static json_t *config_doc(const char *config_json, const char *diff_id, int64_t created,
                          struct ward_error *e)
{
	json_error_t je;
	json_t *cfg = config_json ? json_loads(config_json, 0, &je) : json_object();
	if (!json_is_object(cfg)) {
		ward_error_set(e, 0, "image config: not a JSON object");
		json_decref(cfg);
		return NULL;
	}
	char when[32];
	rfc3339(created, when);
	json_t *doc = json_pack("{s:s, s:s, s:s, s:o, s:{s:s, s:[s]}, s:[{s:s, s:s}]}", "created",
	                        when, "architecture", host_architecture(), "os", "linux", "config",
	                        cfg, "rootfs", "type", "layers", "diff_ids", diff_id, "history",
	                        "created", when, "created_by", "ward image pack");
	if (!doc)
		ward_error_set(e, ENOMEM, "image config");
	return doc;
}

int image_pack(const char *dir, const char *name, const char *config_json,
               const struct ward_image_opts *o, char id_out[80], struct ward_error *e)
{
	char full[WARD_IMAGE_NAME_MAX];
	if (!name || !name_normalize(name, full, sizeof(full)))
		return ward_error_set(e, 0,
		                      "--name %s: expected NAME[:TAG] (NAME of a-z 0-9 . _ - /)",
		                      name ? name : "(missing)");
	struct store st;
	if (store_open(&st, o ? o->ctx : NULL, e) < 0)
		return -1;
	struct descriptor layer;
	int64_t newest = 0;
	json_t *cfg = NULL;
	autoclose int gc = store_lock(&st, "gc", LOCK_SH, e);
	int rc = gc < 0 ? -1 : 0;
	if (rc == 0)
		rc = pack_layer(&st, dir, &layer, &newest, e);
	if (rc == 0 && !(cfg = config_doc(config_json, layer.digest, newest, e)))
		rc = -1;
	if (rc == 0)
		rc = image_store_new(&st, cfg, &layer, 1, full, id_out, e);
	json_decref(cfg);
	store_close(&st);
	return rc;
}
