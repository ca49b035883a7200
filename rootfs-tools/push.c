/* ward push: an image's config and layers (those the registry lacks), then its manifest
 * under the destination's tag, exactly as stored (so its digest stays the same). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "import.h"
#include "pull.h"
#include "sys.h"

static int push_blob(struct registry *reg, struct store *st, const struct descriptor *d,
                     const char *what, bool quiet, struct ward_error *e)
{
	int has = registry_has_blob(reg, d->digest, e);
	if (has < 0)
		return ward_error_prefix(e, "%s", what);
	if (has) {
		if (!quiet)
			context_log(st->ctx, WARD_LOG_NOTE, "%s %.19s: already there", what,
			            d->digest);
		return 0;
	}
	autoclose int fd = store_open_blob(st, d, e);
	if (fd < 0 || registry_put_blob(reg, d->digest, d->size, fd, e) < 0)
		return ward_error_prefix(e, "%s", what);
	if (!quiet)
		context_log(st->ctx, WARD_LOG_NOTE, "%s %.19s: %.1f MB pushed", what, d->digest,
		            (double)d->size / 1e6);
	return 0;
}

int image_push(struct store *st, const char *image, const char *dest,
               const struct ward_registry_opts *o, struct ward_error *e)
{
	struct descriptor md;
	char name[WARD_IMAGE_NAME_MAX];
	struct image_ref sref = {.kind = REF_STORE, .path = (char *)image};
	struct source self = {.ref = &sref, .dirfd = -1};
	if (store_lookup(st, image, &md, name, e) < 0)
		return -1;
	/* An index skopeo stored: this platform's manifest is what is pushed. */
	if (strcmp(md.media_type, MT_OCI_MANIFEST) && strcmp(md.media_type, MT_DOCKER_MANIFEST) &&
	    resolve_manifest(st, &self, &md, e) < 0)
		return -1;
	if (!dest)
		dest = name;
	struct registry_ref r;
	if (registry_ref_parse(dest, &r, e) < 0)
		return -1;
	char *buf;
	size_t len;
	struct manifest m;
	if (store_read_doc(st, &md, &buf, &len, e) < 0)
		return -1;
	if (manifest_parse(buf, len, &m, e) < 0) {
		free(buf);
		return -1;
	}
	const struct registry_opts ro = pull_registry_opts(st->ctx, o, REGISTRY_PUSH);
	struct registry *reg;
	bool quiet = o && o->quiet;
	int rc = registry_open(&r, &ro, &reg, e);
	if (rc == 0) {
		rc = push_blob(reg, st, &m.config, "config", quiet, e);
		for (size_t i = 0; rc == 0 && i < m.n_layers; i++) {
			char what[64];
			snprintf(what, sizeof(what), "layer %zu/%zu", i + 1, m.n_layers);
			rc = push_blob(reg, st, &m.layers[i], what, quiet, e);
		}
		if (rc == 0)
			rc = registry_put_manifest(reg, r.digest[0] ? r.digest : r.tag, buf, len,
			                           md.media_type, e);
		registry_close(reg);
	}
	manifest_free(&m);
	free(buf);
	return rc;
}
