/* Manifests and blobs: bounded, checked against the digest asked for, and a blob streamed
 * to its sink as it arrives (resumed with Range when the connection is cut). */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "manifest.h"
#include "registry_int.h"

#define ACCEPT_MANIFESTS                                                                           \
	MT_OCI_INDEX ", " MT_OCI_MANIFEST ", " MT_DOCKER_LIST ", " MT_DOCKER_MANIFEST

static bool schema1(const char *mt)
{
	return !strncmp(mt, "application/vnd.docker.distribution.manifest.v1+", 48);
}

/* The media type a generic Content-Type hides: the document's own mediaType, or schema 1
 * when it says schemaVersion 1. */
static void media_type_of_body(const char *buf, size_t len, char mt[128])
{
	json_t *root = json_loadb(buf, len, 0, NULL);
	json_t *m = json_object_get(root, "mediaType"), *v = json_object_get(root, "schemaVersion");
	if (json_is_string(m) && strlen(json_string_value(m)) < 128)
		strcpy(mt, json_string_value(m));
	else if (json_is_integer(v) && json_integer_value(v) == 1)
		strcpy(mt, "application/vnd.docker.distribution.manifest.v1+json");
	json_decref(root);
}

int registry_get_manifest(struct registry *reg, const char *reference, char **buf, size_t *len,
                          char media_type[128], char digest[DIGEST_LEN + 1], struct ward_error *e)
{
	const char *repo = reg->ref.repo, *dom = reg->ref.domain;
	bool by_digest = !strncmp(reference, "sha256:", 7);
	char sep = by_digest ? '@' : ':', path[1024];
	if (by_digest ? !digest_valid(reference) : strpbrk(reference, "/?#% ") != NULL)
		return ward_error_set(e, 0, "%s%c%.200s: bad reference", repo, sep, reference);
	snprintf(path, sizeof(path), "/v2/%s/manifests/%s", repo, reference);
	struct membuf m = {0};
	struct http_body b = {.fn = membuf_append, .arg = &m, .limit = MAX_DOCUMENT};
	struct http_req q = {.method = "GET", .path = path, .accept = ACCEPT_MANIFESTS, .body = &b};
	struct http_resp r;
	int rc = http_exchange(reg, &q, &r, e);
	if (rc < 0 && b.over)
		ward_error_set(e, 0, "%s%c%s: manifest larger than %u bytes, refused", repo, sep,
		               reference, MAX_DOCUMENT);
	if (rc == 0 && (r.status == 404 || r.status == 410))
		rc = ward_error_set(e, 0, "%s%c%s: not found in %s", repo, sep, reference, dom);
	else if (rc == 0 && r.status != 200)
		rc = ward_error_set(e, 0, "%s%c%s: %s answered HTTP %ld", repo, sep, reference, dom,
		                    r.status);
	if (rc < 0) {
		free(m.buf);
		return -1;
	}
	if (!m.buf && membuf_append(&m, "", 0) < 0)
		return ward_error_set(e, ENOMEM, "manifest");
	size_t ct = strcspn(r.content_type, "; ");
	snprintf(media_type, 128, "%.*s", (int)ct, r.content_type);
	if (!*media_type || !strcmp(media_type, "application/json") ||
	    !strcmp(media_type, "text/plain"))
		media_type_of_body(m.buf, m.len, media_type);
	if (schema1(media_type)) {
		free(m.buf);
		return ward_error_set(e, 0,
		                      "%s%c%s: schema 1 manifests are not supported (%s; push the "
		                      "image again with a current tool)",
		                      repo, sep, reference, media_type);
	}
	struct sha256 h;
	sha256_init(&h);
	sha256_update(&h, m.buf, m.len);
	sha256_final(&h, digest);
	const char *want = by_digest ? reference : digest_valid(r.digest) ? r.digest : NULL;
	if (want && strcmp(want, digest)) {
		free(m.buf);
		return ward_error_set(e, 0,
		                      "%s%c%s: digest mismatch: %s sent a manifest hashing to %s",
		                      repo, sep, reference, dom, digest);
	}
	*buf = m.buf;
	*len = m.len;
	return 0;
}

int registry_get_blob(struct registry *reg, const char *digest, uint64_t offset, uint64_t size,
                      registry_sink sink, void *arg, struct ward_error *e)
{
	const char *repo = reg->ref.repo, *dom = reg->ref.domain;
	if (!digest_valid(digest))
		return ward_error_set(e, 0, "%s: bad blob digest \"%.80s\"", repo, digest);
	if (offset > size)
		return ward_error_set(e, 0, "blob %s: offset %llu past its size %llu", digest,
		                      (unsigned long long)offset, (unsigned long long)size);
	if (offset == size)
		return 0;
	char path[1024];
	snprintf(path, sizeof(path), "/v2/%s/blobs/%s", repo, digest);
	struct http_body b = {.fn = sink, .arg = arg, .want = offset, .limit = size};
	struct http_req q = {.method = "GET", .path = path, .body = &b};
	struct http_resp r;
	int rc = http_exchange(reg, &q, &r, e);
	if (rc < 0) {
		if (b.over)
			return ward_error_set(e, 0, "blob %s: %s sent more than its %llu bytes",
			                      digest, dom, (unsigned long long)size);
		return ward_error_prefix(e, "blob %s", digest);
	}
	if (r.status == 404)
		return ward_error_set(e, 0, "%s: blob %s not found in %s", repo, digest, dom);
	if (r.status == 416 && b.want == size)
		return 0; /* everything was there already */
	if (r.status != 200 && r.status != 206)
		return ward_error_set(e, 0, "blob %s: %s answered HTTP %ld", digest, r.url,
		                      r.status);
	if (b.want != size)
		return ward_error_set(e, 0, "blob %s: %s sent %llu of its %llu bytes", digest, dom,
		                      (unsigned long long)b.want, (unsigned long long)size);
	return 0;
}
