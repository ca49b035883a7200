/* ward pull: the manifest (an index resolved to one platform), every document kept as a
 * verified blob, the config, then the layers (pull_feed.c) unpacked while they download;
 * the image is named only once all of it is in the store. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>

#include "import.h"
#include "names.h"
#include "pull.h"
#include "sys.h"

struct registry_opts pull_registry_opts(const struct ward_context *c,
                                        const struct ward_registry_opts *o, enum registry_access a)
{
	return (struct registry_opts){.ctx = c,
	                              .access = a,
	                              .tls_verify = !(o && o->no_tls_verify),
	                              .cert_dir = o ? o->cert_dir : NULL,
	                              .auth_file = o ? o->auth_file : NULL,
	                              .creds = o ? o->creds : NULL};
}

/* A manifest or index by tag or digest, kept in the store; D describes it. */
static int fetch_doc(struct registry *reg, struct store *st, const char *reference,
                     struct descriptor *d, char **buf, size_t *len, struct ward_error *e)
{
	char digest[DIGEST_LEN + 1];
	if (registry_get_manifest(reg, reference, buf, len, d->media_type, digest, e) < 0)
		return -1;
	if (store_put_doc(st, *buf, *len, d->digest, e) < 0) {
		free(*buf);
		return -1;
	}
	d->size = *len;
	return 0;
}

/* R's manifest for PLATFORM, indexes followed; D describes it. */
static int resolve(struct registry *reg, struct store *st, const struct registry_ref *r,
                   const char *what, const struct platform *platform, struct descriptor *d,
                   struct ward_error *e)
{
	char reference[DIGEST_LEN + 130];
	snprintf(reference, sizeof(reference), "%s", r->digest[0] ? r->digest : r->tag);
	for (int depth = 0; depth < 3; depth++) {
		char *buf;
		size_t len;
		enum doc_kind kind;
		struct descriptor next;
		if (fetch_doc(reg, st, reference, d, &buf, &len, e) < 0)
			return -1;
		int rc = document_kind(buf, len, d->media_type, &kind, e);
		if (rc < 0) {
			free(buf);
			return ward_error_prefix(e, "%s", what);
		}
		if (kind == DOC_MANIFEST) {
			free(buf);
			return 0;
		}
		rc = index_pick(buf, len, NULL, platform, what, &next, &kind, e);
		free(buf);
		if (rc < 0) /* the platform error names WHAT already */
			return strstr(e->msg, what) ? -1 : ward_error_prefix(e, "%s", what);
		snprintf(reference, sizeof(reference), "%s", next.digest);
	}
	return ward_error_set(e, 0, "%s: image indexes nested too deep", what);
}

struct membuf {
	char *buf;
	size_t len, cap;
};

static int mem_sink(void *arg, const void *buf, size_t len)
{
	struct membuf *m = arg;
	if (len > m->cap - m->len) {
		errno = EFBIG;
		return -1;
	}
	memcpy(m->buf + m->len, buf, len);
	m->len += len;
	return 0;
}

static int fetch_config(struct registry *reg, struct store *st, const struct descriptor *d,
                        struct ward_error *e)
{
	if (store_has_blob(st, d->digest))
		return 0;
	/* One download per blob, as for layers: a pull at the same time waits and finds it. */
	char lockname[96];
	snprintf(lockname, sizeof(lockname), "blob-%s", digest_hex(d->digest));
	autoclose int lock = store_lock(st, lockname, LOCK_EX, e);
	if (lock < 0)
		return -1;
	if (store_has_blob(st, d->digest))
		return 0;
	if (d->size > MAX_DOCUMENT)
		return ward_error_set(e, 0, "config %s: larger than %u bytes", d->digest,
		                      MAX_DOCUMENT);
	struct membuf m = {malloc(d->size + 1), 0, d->size};
	char got[DIGEST_LEN + 1];
	if (!m.buf)
		return ward_error_set(e, ENOMEM, "config %s", d->digest);
	int rc = registry_get_blob(reg, d->digest, 0, d->size, mem_sink, &m, e);
	if (rc == 0) {
		struct sha256 h;
		sha256_init(&h);
		sha256_update(&h, m.buf, m.len);
		sha256_final(&h, got);
		if (m.len != d->size || strcmp(got, d->digest))
			rc =
			    ward_error_set(e, 0, "config %s: digest mismatch: the registry sent %s",
			                   d->digest, got);
	}
	if (rc == 0)
		rc = store_put_doc(st, m.buf, m.len, got, e);
	free(m.buf);
	return rc;
}

int image_pull(struct store *st, const char *text, const struct ward_registry_opts *o,
               char name_out[WARD_IMAGE_NAME_MAX], struct descriptor *md, struct ward_error *e)
{
	struct registry_ref r;
	struct platform platform;
	if (registry_ref_parse(text, &r, e) < 0 ||
	    platform_parse(o ? o->platform : NULL, &platform, e) < 0)
		return -1;
	char name[WARD_IMAGE_NAME_MAX];
	registry_ref_name(&r, name, sizeof(name));
	if (!name_normalize(name, name_out, WARD_IMAGE_NAME_MAX))
		return ward_error_set(e, 0, "%s: not a name the store can keep", text);
	const struct registry_opts ro = pull_registry_opts(st->ctx, o, REGISTRY_PULL);
	struct registry *reg;
	if (registry_open(&r, &ro, &reg, e) < 0)
		return -1;
	struct manifest m;
	struct image_config c;
	struct downloads *dl = NULL;
	char *tree = NULL;
	bool quiet = o && o->quiet;
	char *buf;
	size_t len;
	int rc = resolve(reg, st, &r, name_out, &platform, md, e);
	if (rc == 0 && (rc = store_read_doc(st, md, &buf, &len, e)) == 0) {
		rc = manifest_parse(buf, len, &m, e);
		free(buf);
	}
	if (rc < 0) {
		registry_close(reg);
		return -1;
	}
	rc = fetch_config(reg, st, &m.config, e);
	if (rc == 0 && (rc = store_read_doc(st, &m.config, &buf, &len, e)) == 0) {
		rc = config_parse(buf, len, m.n_layers, &c, e);
		free(buf);
	}
	if (rc == 0) {
		if (!quiet)
			context_log(st->ctx, WARD_LOG_NOTE, "pulling %s (%s, %zu layers)", name_out,
			            md->digest, m.n_layers);
		rc = downloads_start(st, reg, &m, quiet, &dl, e);
		struct layer_feed feed = {downloads_open, downloads_finish, dl};
		if (rc == 0 && (rc = ensure_tree(st, &m, &c, &feed, &tree, e)) < 0)
			downloads_error(dl, e); /* a digest mismatch says more than the unpack */
		downloads_free(dl);
		config_free(&c);
	}
	manifest_free(&m);
	free(tree);
	registry_close(reg);
	if (rc < 0)
		return -1;
	return tag_image(st, name_out, md, e);
}
