/* docker-archive: manifest.json names a config file and layer tars inside the archive
 * (old style: <id>/layer.tar, often symlinks; Docker 25+: blobs/sha256/...). The staged
 * members become blobs under the digests they hash to, and ward writes the OCI manifest
 * that describes them; the config's diff_ids are checked when the layers are unpacked. */
#include <jansson.h>
#include <string.h>

#include "import.h"
#include "sys.h"

static bool repo_tag_matches(json_t *tags, const char *want)
{
	size_t i;
	json_t *t;
	json_array_foreach(tags, i, t)
	{
		if (!json_is_string(t))
			continue;
		const char *s = json_string_value(t);
		if (!strcmp(s, want))
			return true;
		static const char *const prefixes[] = {"docker.io/library/", "docker.io/"};
		for (size_t k = 0; k < 2; k++)
			if (!strncmp(s, prefixes[k], strlen(prefixes[k])) &&
			    !strcmp(s + strlen(prefixes[k]), want))
				return true;
	}
	return false;
}

static const char *layer_type(struct store *st, const struct member *m)
{
	unsigned char magic[4] = {0};
	autoclose int fd = openat(st->fd, m->staged, O_RDONLY | O_CLOEXEC);
	if (fd >= 0 && read(fd, magic, 4) == 4) {
		if (magic[0] == 0x1f && magic[1] == 0x8b)
			return MT_OCI_LAYER "+gzip";
		if (magic[0] == 0x28 && magic[1] == 0xb5 && magic[2] == 0x2f && magic[3] == 0xfd)
			return MT_OCI_LAYER "+zstd";
	}
	return MT_OCI_LAYER;
}

static json_t *blob_from_member(struct store *st, struct source *src, json_t *path,
                                const char *media_type, struct ward_error *e)
{
	const struct member *m =
	    json_is_string(path) ? source_member(src, json_string_value(path)) : NULL;
	if (!m || (!m->staged[0] && !store_has_blob(st, m->digest))) {
		ward_error_set(e, 0,
		               "docker-archive: manifest.json names %s, which the archive lacks",
		               json_is_string(path) ? json_string_value(path) : "a non-string");
		return NULL;
	}
	const char *type = media_type ? media_type : layer_type(st, m);
	json_t *d = json_pack("{s:s, s:s, s:I}", "mediaType", type, "digest", m->digest, "size",
	                      (json_int_t)m->size);
	if (source_adopt(st, (struct member *)m, e) < 0) {
		json_decref(d);
		return NULL;
	}
	return d;
}

int docker_convert(struct store *st, struct source *src, const char *tag, struct descriptor *d,
                   char *name, size_t name_len, struct ward_error *e)
{
	json_error_t je;
	json_t *root =
	    json_loadb(src->docker_manifest, src->docker_manifest_len, JSON_REJECT_DUPLICATES, &je);
	json_t *pick = NULL, *entry, *manifest = NULL, *layers = NULL;
	size_t i;
	int rc = -1;
	if (!json_is_array(root)) {
		ward_error_set(e, 0, "docker-archive: manifest.json is not a list");
		goto out;
	}
	json_array_foreach(root, i, entry)
	{
		if (tag ? repo_tag_matches(json_object_get(entry, "RepoTags"), tag) : !pick)
			pick = entry;
	}
	if (!pick && tag) {
		ward_error_set(e, 0, "docker-archive: no image tagged %s", tag);
		goto out;
	}
	if (!pick || (!tag && json_array_size(root) > 1)) {
		ward_error_set(e, 0,
		               "docker-archive: %zu images in the archive; name one with "
		               ":NAME:TAG",
		               json_array_size(root));
		goto out;
	}
	json_t *tags = json_object_get(pick, "RepoTags");
	const char *first = tag ? tag : json_string_value(json_array_get(tags, 0));
	if (first) {
		const char *p = first;
		if (!strncmp(p, "docker.io/library/", 18))
			p += 18;
		else if (!strncmp(p, "docker.io/", 10))
			p += 10;
		snprintf(name, name_len, "%s", p);
	}
	json_t *config =
	    blob_from_member(st, src, json_object_get(pick, "Config"), MT_OCI_CONFIG, e);
	json_t *paths = json_object_get(pick, "Layers");
	if (!config || !json_is_array(paths) || json_array_size(paths) == 0) {
		if (config)
			ward_error_set(e, 0, "docker-archive: the image has no Layers list");
		json_decref(config);
		goto out;
	}
	layers = json_array();
	json_t *p;
	json_array_foreach(paths, i, p)
	{
		json_t *l = blob_from_member(st, src, p, NULL, e);
		if (!l) {
			json_decref(config);
			goto out;
		}
		json_array_append_new(layers, l);
	}
	manifest = json_pack("{s:i, s:s, s:o, s:O}", "schemaVersion", 2, "mediaType",
	                     MT_OCI_MANIFEST, "config", config, "layers", layers);
	char *text = manifest ? json_dumps(manifest, JSON_COMPACT) : NULL;
	if (text && store_put_doc(st, text, strlen(text), d->digest, e) == 0) {
		snprintf(d->media_type, sizeof(d->media_type), "%s", MT_OCI_MANIFEST);
		d->size = strlen(text);
		rc = 0;
	}
	free(text);
out:
	json_decref(layers);
	json_decref(manifest);
	json_decref(root);
	return rc;
}
