/* Push: blobs checked with HEAD, uploaded monolithically (POST for an upload URL, then one
 * PUT with the digest), and the manifest put last. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "registry_int.h"

int registry_has_blob(struct registry *reg, const char *digest, struct ward_error *e)
{
	if (!digest_valid(digest))
		return ward_error_set(e, 0, "bad blob digest \"%.80s\"", digest);
	char path[1024];
	snprintf(path, sizeof(path), "/v2/%s/blobs/%s", reg->ref.repo, digest);
	struct http_req q = {.method = "HEAD", .path = path};
	struct http_resp r;
	if (http_exchange(reg, &q, &r, e) < 0)
		return -1;
	if (r.status == 200)
		return 1;
	if (r.status == 404)
		return 0;
	return ward_error_set(e, 0, "blob %s: %s answered HTTP %ld", digest, r.url, r.status);
}

/* The registry's error answer, for a message: its first line, or nothing. */
static const char *why(const struct http_resp *r, char *buf, size_t cap)
{
	size_t n = strcspn(r->err, "\r\n");
	snprintf(buf, cap, "%s%.*s", n ? ": " : "", (int)(n < 200 ? n : 200), r->err);
	return buf;
}

int registry_put_blob(struct registry *reg, const char *digest, uint64_t size, int fd,
                      struct ward_error *e)
{
	if (!digest_valid(digest))
		return ward_error_set(e, 0, "bad blob digest \"%.80s\"", digest);
	char path[1024], url[4200], w[256];
	snprintf(path, sizeof(path), "/v2/%s/blobs/uploads/", reg->ref.repo);
	struct http_req q = {.method = "POST", .path = path};
	struct http_resp r;
	if (http_exchange(reg, &q, &r, e) < 0)
		return ward_error_prefix(e, "blob %s", digest);
	if (r.status != 202 || !r.location[0])
		return ward_error_set(e, 0, "blob %s: starting an upload: %s answered HTTP %ld%s",
		                      digest, r.url, r.status, why(&r, w, sizeof(w)));
	char loc[4096];
	if (url_resolve(r.url, r.location, loc, sizeof(loc)) < 0 ||
	    snprintf(url, sizeof(url), "%s%cdigest=%s", loc, strchr(loc, '?') ? '&' : '?',
	             digest) >= (int)sizeof(url))
		return ward_error_set(e, 0, "blob %s: bad upload location \"%.200s\"", digest,
		                      r.location);
	off_t off = lseek(fd, 0, SEEK_CUR);
	struct http_req put = {.method = "PUT",
	                       .path = url,
	                       .content_type = "application/octet-stream",
	                       .upload_fd = fd,
	                       .upload_fd_off = off,
	                       .upload_fd_len = size};
	if (http_exchange(reg, &put, &r, e) < 0)
		return ward_error_prefix(e, "blob %s", digest);
	if (r.status != 201 && r.status != 204)
		return ward_error_set(e, 0, "blob %s: upload: %s answered HTTP %ld%s", digest,
		                      reg->ref.domain, r.status, why(&r, w, sizeof(w)));
	if (off >= 0)
		lseek(fd, off + (off_t)size, SEEK_SET);
	return 0;
}

int registry_put_manifest(struct registry *reg, const char *reference, const char *buf, size_t len,
                          const char *media_type, struct ward_error *e)
{
	char path[1024], w[256];
	if (strpbrk(reference, "/?#% ") || strlen(reference) > 200)
		return ward_error_set(e, 0, "%s: bad reference \"%.200s\"", reg->ref.repo,
		                      reference);
	snprintf(path, sizeof(path), "/v2/%s/manifests/%s", reg->ref.repo, reference);
	struct http_req q = {.method = "PUT",
	                     .path = path,
	                     .content_type = media_type,
	                     .upload = buf,
	                     .upload_len = len};
	struct http_resp r;
	if (http_exchange(reg, &q, &r, e) < 0)
		return ward_error_prefix(e, "manifest %s:%s", reg->ref.repo, reference);
	if (r.status != 201 && r.status != 200 && r.status != 204)
		return ward_error_set(e, 0, "manifest %s:%s: %s answered HTTP %ld%s", reg->ref.repo,
		                      reference, reg->ref.domain, r.status, why(&r, w, sizeof(w)));
	return 0;
}
