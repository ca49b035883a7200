/* The rootfs-tools entry points the CLI calls. */
#include <errno.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>

#include "import.h"
#include "names.h"
#include "pull.h"
#include "strv.h"
#include "sys.h"
#include "ward/ward.h"

/* docker://REF (skopeo's transport): REF's registry. */
static const char *docker_transport(const char *text)
{
	return strncmp(text, "docker://", 9) ? NULL : text + 9;
}

int image_import(const char *text, const struct ward_image_opts *o,
                 char name_out[WARD_IMAGE_NAME_MAX], struct ward_error *e)
{
	const char *pull = docker_transport(text);
	if (pull && o && o->name)
		return ward_error_set(e, 0,
		                      "%s: --name is for files; a pull keeps the registry's name "
		                      "(then ward image tag)",
		                      text);
	struct image_ref ref = {0};
	struct store st;
	struct descriptor md;
	if (!pull && ref_parse(text, &ref, e) < 0)
		return ref_free(&ref), -1;
	if (!pull && ref.kind == REF_STORE) {
		ward_error_set(e, 0,
		               "image %s: expected oci:DIR[:TAG], oci-archive:FILE[:TAG], "
		               "docker-archive:FILE[:NAME:TAG] or docker://REF",
		               text);
		ref_free(&ref);
		return -1;
	}
	int rc = store_open(&st, o ? o->ctx : NULL, e);
	/* Shared: prune (exclusive) never collects an import that has not named its image. */
	autoclose int gc = rc == 0 ? store_lock(&st, "gc", LOCK_SH, e) : -1;
	if (gc >= 0 && pull)
		rc = image_pull(&st, pull, o ? o->reg : NULL, name_out, &md, e);
	else if (gc >= 0)
		rc = import_ref(&st, &ref, o->name, &md, name_out, WARD_IMAGE_NAME_MAX, e);
	else
		rc = -1;
	store_close(&st);
	ref_free(&ref);
	return rc;
}

int index_find(struct store *st, json_t *index, const char *text, size_t *pos, bool *by_id,
               struct ward_error *e)
{
	char want[WARD_IMAGE_NAME_MAX];
	bool as_name = name_normalize(text, want, sizeof(want));
	const char *hex = strncmp(text, "sha256:", 7) ? text : text + 7;
	size_t hexlen = strspn(hex, "0123456789abcdef");
	bool as_id = hexlen >= 6 && !hex[hexlen];
	const char *found = NULL; /* the digest an id prefix matched */
	size_t i, matches = 0;
	json_t *m;
	json_array_foreach(json_object_get(index, "manifests"), i, m)
	{
		struct descriptor d;
		const char *name;
		if (index_entry(m, &d, &name) < 0)
			continue;
		if (as_name && !strcmp(name, want)) {
			*pos = i;
			*by_id = false;
			return 0;
		}
		const char *digest = json_string_value(json_object_get(m, "digest"));
		if (as_id && !strncmp(digest_hex(d.digest), hex, hexlen) &&
		    (!found || strcmp(found, digest))) {
			found = digest;
			*pos = i;
			matches++;
		}
	}
	if (matches == 1) {
		*by_id = true;
		return 0;
	}
	if (matches > 1)
		ward_error_set(e, 0, "image %s: the id prefix matches %zu images", text, matches);
	else
		ward_error_set(e, 0, "image %s: not in the store %s (see ward image ls)", text,
		               st->path);
	return -1;
}

int store_lookup(struct store *st, const char *text, struct descriptor *d, char *name,
                 struct ward_error *e)
{
	json_t *index = store_load_index(st, e);
	size_t pos;
	bool by_id;
	const char *n;
	int rc = index ? index_find(st, index, text, &pos, &by_id, e) : -1;
	if (rc == 0) {
		index_entry(json_array_get(json_object_get(index, "manifests"), pos), d, &n);
		snprintf(name, WARD_IMAGE_NAME_MAX, "%s", n);
	}
	json_decref(index);
	return rc;
}

/* TEXT in the store, under the name typed or its familiar form ("docker.io/library/x:1" is
 * "x:1"); else pulled when the policy allows and TEXT is a registry reference. */
static int lookup_or_pull(struct store *st, const char *text, const struct ward_image_opts *o,
                          struct descriptor *md, char *name, struct ward_error *e)
{
	enum ward_pull_policy policy = o ? o->pull : WARD_PULL_MISSING;
	const struct ward_registry_opts *reg = o ? o->reg : NULL;
	const char *ref = docker_transport(text) ? docker_transport(text) : text;
	struct ward_error le = {0}, ignored;
	struct registry_ref r;
	bool is_ref = registry_ref_parse(ref, &r, &ignored) == 0;
	if (policy != WARD_PULL_ALWAYS || !is_ref) {
		if (store_lookup(st, ref, md, name, &le) == 0)
			return 0;
		char familiar[WARD_IMAGE_NAME_MAX];
		if (is_ref) {
			registry_ref_name(&r, familiar, sizeof(familiar));
			if (strcmp(familiar, ref) &&
			    store_lookup(st, familiar, md, name, &ignored) == 0)
				return 0;
		}
		if (policy == WARD_PULL_NEVER || !is_ref) {
			*e = le;
			return -1;
		}
	}
	struct ward_error pe = {0};
	if (image_pull(st, ref, reg, name, md, &pe) == 0)
		return 0;
	if (policy == WARD_PULL_ALWAYS)
		*e = pe;
	else
		ward_error_set(e, 0, "%.400s; pulling it: %.600s", le.msg, pe.msg);
	e->err = pe.err;
	return -1;
}

static char **steal(char ***v)
{
	char **r = *v;
	*v = NULL;
	return r;
}

int image_open(const char *text, const struct ward_image_opts *o, struct ward_image *img,
               struct ward_error *e)
{
	memset(img, 0, sizeof(*img));
	img->tree_lock = -1;
	struct image_ref ref;
	struct store st;
	struct descriptor md;
	struct source self = {.dirfd = -1};
	if (ref_parse(text, &ref, e) < 0 || store_open(&st, o ? o->ctx : NULL, e) < 0) {
		ref_free(&ref);
		return -1;
	}
	self.ref = &ref;
	autoclose int gc = store_lock(&st, "gc", LOCK_SH, e);
	int rc = gc < 0 ? -1 : 0;
	if (rc == 0 && ref.kind == REF_STORE)
		rc = lookup_or_pull(&st, ref.path, o, &md, img->name, e);
	else if (rc == 0)
		rc = import_ref(&st, &ref, o->name, &md, img->name, sizeof(img->name), e);
	/* The store is its own source: an index entry skopeo wrote may be a platform list. */
	if (rc == 0 && strcmp(md.media_type, MT_OCI_MANIFEST) &&
	    strcmp(md.media_type, MT_DOCKER_MANIFEST))
		rc = resolve_manifest(&st, &self, &md, e);
	struct manifest m;
	struct image_config c;
	/* Layer blobs are opened only if the tree must be unpacked. */
	if (rc == 0 && (rc = load_image(&st, &self, &md, &m, &c, false, e)) == 0) {
		rc = ensure_tree(&st, &m, &c, NULL, &img->rootfs, e);
		char lockname[96];
		snprintf(lockname, sizeof(lockname), "tree-%s", digest_hex(c.chain_id));
		/* Shared from here to the end of the sandbox: prune leaves the tree alone. */
		if (rc == 0 && (img->tree_lock = store_lock(&st, lockname, LOCK_SH, e)) < 0)
			rc = -1;
		snprintf(img->id, sizeof(img->id), "%s", md.digest);
		img->env = steal(&c.env);
		img->entrypoint = steal(&c.entrypoint);
		img->cmd = steal(&c.cmd);
		img->workdir = c.workdir, c.workdir = NULL;
		img->user = c.user, c.user = NULL;
		manifest_free(&m);
		config_free(&c);
	}
	store_close(&st);
	ref_free(&ref);
	if (rc < 0)
		image_close(img);
	return rc;
}

void image_close(struct ward_image *img)
{
	free(img->rootfs);
	strv_free(img->env);
	strv_free(img->entrypoint);
	strv_free(img->cmd);
	free(img->workdir);
	free(img->user);
	if (img->tree_lock >= 0)
		close(img->tree_lock);
	memset(img, 0, sizeof(*img));
	img->tree_lock = -1;
}

int image_tag(const char *ref, const char *name, const struct ward_image_opts *o,
              struct ward_error *e)
{
	char full[WARD_IMAGE_NAME_MAX], old[WARD_IMAGE_NAME_MAX];
	if (!name || !name_normalize(name, full, sizeof(full)))
		return ward_error_set(e, 0,
		                      "image tag %s: expected NAME[:TAG] (NAME of a-z 0-9 . _ - /)",
		                      name ? name : "(missing)");
	struct store st;
	struct descriptor md;
	if (store_open(&st, o ? o->ctx : NULL, e) < 0)
		return -1;
	/* Shared: rm and prune wait until the new name holds the image. */
	autoclose int gc = store_lock(&st, "gc", LOCK_SH, e);
	int rc = gc < 0 ? -1 : store_lookup(&st, ref, &md, old, e);
	if (rc == 0)
		rc = tag_image(&st, full, &md, e);
	store_close(&st);
	return rc;
}
