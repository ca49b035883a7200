/* The rootfs-tools entry points the CLI calls. */
#include <errno.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>

#include "import.h"
#include "names.h"
#include "sys.h"

/* Imports hold locks/gc shared; prune holds it exclusive, so it never collects the blobs
 * of an import that has not named its image yet. */
static int gc_lock(struct store *st, bool exclusive, struct ward_error *e)
{
	int fd = openat(st->fd, "locks/gc", O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	while (fd >= 0 && flock(fd, exclusive ? LOCK_EX : LOCK_SH) < 0)
		if (errno != EINTR) {
			close(fd);
			fd = -1;
		}
	if (fd < 0)
		ward_error_set(e, errno, "image store %s: locks/gc", st->path);
	return fd;
}

int ward_image_import(const char *text, const struct ward_image_opts *o,
                      char name_out[WARD_IMAGE_NAME_MAX], struct ward_error *e)
{
	struct image_ref ref;
	struct store st;
	struct descriptor md;
	if (ref_parse(text, &ref, e) < 0)
		return ref_free(&ref), -1;
	if (ref.kind == REF_STORE) {
		ward_error_set(e, 0,
		               "image %s: expected oci:DIR[:TAG], oci-archive:FILE[:TAG] or "
		               "docker-archive:FILE[:NAME:TAG]",
		               text);
		ref_free(&ref);
		return -1;
	}
	int rc = store_open(&st, e);
	autoclose int gc = rc == 0 ? gc_lock(&st, false, e) : -1;
	if (gc >= 0)
		rc =
		    import_ref(&st, &ref, o->name, o->quiet, &md, name_out, WARD_IMAGE_NAME_MAX, e);
	else
		rc = -1;
	store_close(&st);
	ref_free(&ref);
	return rc;
}

/* A name (":latest" implied), a full digest, or a unique prefix of at least 6 hex digits. */
static int lookup(struct store *st, const char *text, struct descriptor *d, char *name,
                  struct ward_error *e)
{
	char want[WARD_IMAGE_NAME_MAX];
	bool as_name = name_normalize(text, want, sizeof(want));
	const char *hex = strncmp(text, "sha256:", 7) ? text : text + 7;
	size_t hexlen = strspn(hex, "0123456789abcdef");
	bool as_id = hexlen >= 6 && !hex[hexlen];
	if (store_lock_index(st, false, e) < 0)
		return -1;
	json_t *index = store_load_index(st, e);
	store_unlock_index(st);
	if (!index)
		return -1;
	json_t *m, *found = NULL;
	size_t i, matches = 0;
	json_array_foreach(json_object_get(index, "manifests"), i, m)
	{
		json_t *n = json_object_get(json_object_get(m, "annotations"), REF_NAME_KEY);
		json_t *dg = json_object_get(m, "digest");
		if (as_name && json_is_string(n) && !strcmp(json_string_value(n), want)) {
			found = m, matches = 1;
			break;
		}
		if (as_id && json_is_string(dg) && strlen(json_string_value(dg)) > 7 &&
		    !strncmp(json_string_value(dg) + 7, hex, hexlen) &&
		    (!found || !json_equal(json_object_get(found, "digest"), dg)))
			found = m, matches++;
	}
	int rc = -1;
	if (matches == 1) {
		const char *n;
		if (index_entry(found, d, &n) == 0) {
			snprintf(name, WARD_IMAGE_NAME_MAX, "%s", n);
			rc = 0;
		} else {
			ward_error_set(e, 0, "image %s: its index entry is malformed", text);
		}
	} else if (matches > 1) {
		ward_error_set(e, 0, "image %s: the id prefix matches %zu images", text, matches);
	} else {
		ward_error_set(
		    e, 0,
		    "image %s: not in the store %s (import it, or name a file with oci:, "
		    "oci-archive: or docker-archive:)",
		    text, st->path);
	}
	json_decref(index);
	return rc;
}

static char **steal(char ***v)
{
	char **r = *v;
	*v = NULL;
	return r;
}

int ward_image_open(const char *text, const struct ward_image_opts *o, struct ward_image *img,
                    struct ward_error *e)
{
	memset(img, 0, sizeof(*img));
	img->tree_lock = -1;
	struct image_ref ref;
	struct store st;
	struct descriptor md;
	struct source self = {.dirfd = -1};
	if (ref_parse(text, &ref, e) < 0 || store_open(&st, e) < 0) {
		ref_free(&ref);
		return -1;
	}
	self.ref = &ref;
	autoclose int gc = gc_lock(&st, false, e);
	int rc = gc < 0 ? -1 : 0;
	if (rc == 0 && ref.kind == REF_STORE)
		rc = lookup(&st, ref.path, &md, img->name, e);
	else if (rc == 0)
		rc = import_ref(&st, &ref, o->name, o->quiet, &md, img->name, sizeof(img->name), e);
	/* The store is its own source: an index entry skopeo wrote may be a platform list. */
	if (rc == 0 && strcmp(md.media_type, MT_OCI_MANIFEST) &&
	    strcmp(md.media_type, MT_DOCKER_MANIFEST))
		rc = resolve_manifest(&st, &self, &md, e);
	struct manifest m;
	struct image_config c;
	if (rc == 0 && (rc = load_image(&st, &self, &md, &m, &c, true, e)) == 0) {
		rc = ensure_tree(&st, &m, &c, o->quiet, NULL, &img->rootfs, e);
		char lockname[96];
		snprintf(lockname, sizeof(lockname), "tree-%s", digest_hex(c.chain_id));
		/* Shared from here to the end of the sandbox: prune leaves the tree alone. */
		char path[128];
		snprintf(path, sizeof(path), "locks/%s", lockname);
		if (rc == 0 &&
		    (img->tree_lock = openat(st.fd, path, O_RDWR | O_CREAT | O_CLOEXEC, 0600)) >= 0)
			flock(img->tree_lock, LOCK_SH);
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
		ward_image_close(img);
	return rc;
}

void ward_image_close(struct ward_image *img)
{
	free(img->rootfs);
	ward_strv_free(img->env);
	ward_strv_free(img->entrypoint);
	ward_strv_free(img->cmd);
	free(img->workdir);
	free(img->user);
	if (img->tree_lock >= 0)
		close(img->tree_lock);
	memset(img, 0, sizeof(*img));
	img->tree_lock = -1;
}
