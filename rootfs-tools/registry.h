/* The OCI distribution protocol: one session with one repository of one registry. libcurl
 * is loaded (dlopen) only by the calls here, so a start from the store never maps it.
 * Credentials come from the files people already have; a redirected request (blobs go to
 * object storage) never carries them to another host. */
#ifndef WARD_REGISTRY_H
#define WARD_REGISTRY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "context.h"
#include "digest.h"
#include "ward/error.h"

/* HOST[:PORT]/REPO[:TAG][@DIGEST], short names resolved as Docker does. */
struct registry_ref {
	char domain[256];            /* as named: "docker.io", "127.0.0.1:5000", "ghcr.io" */
	char repo[256];              /* "library/python" */
	char tag[129];               /* "latest" when neither tag nor digest was given */
	char digest[DIGEST_LEN + 1]; /* "" unless @sha256:... was given */
};

/* "python:3.12" → docker.io, library/python, 3.12. A first component counts as a domain
 * when it has a '.' or a ':' or is "localhost" (Docker's rule). */
int registry_ref_parse(const char *text, struct registry_ref *r, struct ward_error *e);
/* The name an image pulled from R gets in the store, in Docker's familiar form:
 * "python:3.12", "org/tool:1", "127.0.0.1:5000/python:3.12", "ghcr.io/org/tool@sha256:HEX"
 * (a digest wins over a tag). */
void registry_ref_name(const struct registry_ref *r, char *out, size_t len);

enum registry_access { REGISTRY_PULL, REGISTRY_PUSH };

struct registry_opts {
	const struct ward_context *ctx; /* notes ("retrying ... after 2 s") go to its log */
	enum registry_access access;
	bool tls_verify;       /* false: --tls-verify=false (like podman), any host */
	const char *cert_dir;  /* --cert-dir: a directory of *.crt / *.cert + *.key, or NULL */
	const char *auth_file; /* --authfile, or NULL: the default lookup (registry_creds.c) */
	const char *creds;     /* --creds USER[:PASS], or NULL */
};

struct registry;

/* A session with R's repository (a mirror of docker.io when one is configured and answers).
 * Nothing is sent until the first request. Thread-safe: layers are fetched from threads
 * sharing one session (its token is refreshed under a lock). */
int registry_open(const struct registry_ref *r, const struct registry_opts *o,
                  struct registry **out, struct ward_error *e);
void registry_close(struct registry *reg);

/* GET /v2/REPO/manifests/REFERENCE (a tag or a digest) accepting OCI and Docker schema 2
 * manifests and indexes (schema 1 is refused with its own message). BUF is malloc'ed, at
 * most MAX_DOCUMENT bytes; MEDIA_TYPE from Content-Type; DIGEST is the body's sha256
 * (checked against REFERENCE when that is a digest). 404 names the repository and tag;
 * 401/403 name the registry and say `ward login`. */
int registry_get_manifest(struct registry *reg, const char *reference, char **buf, size_t *len,
                          char media_type[128], char digest[DIGEST_LEN + 1], struct ward_error *e);

/* GET /v2/REPO/blobs/DIGEST from byte OFFSET: every byte, in order, goes to SINK (which
 * returns 0, or -1 with errno set to stop). A cut connection is resumed from the last byte
 * delivered (HTTP Range); 429 and 5xx are retried with backoff honouring Retry-After; more
 * than SIZE bytes in all is an error. Redirects are followed without credentials. */
typedef int (*registry_sink)(void *arg, const void *buf, size_t len);
int registry_get_blob(struct registry *reg, const char *digest, uint64_t offset, uint64_t size,
                      registry_sink sink, void *arg, struct ward_error *e);

/* Push: 1 when the repository has the blob, 0 when not, -1 on error. */
int registry_has_blob(struct registry *reg, const char *digest, struct ward_error *e);
/* Upload SIZE bytes of FD (read from its current offset) as blob DIGEST. */
int registry_put_blob(struct registry *reg, const char *digest, uint64_t size, int fd,
                      struct ward_error *e);
int registry_put_manifest(struct registry *reg, const char *reference, const char *buf, size_t len,
                          const char *media_type, struct ward_error *e);

/* ward login: the credentials are checked against DOMAIN's /v2/ and then stored in the
 * auth file (containers' auth.json, see registry_creds.c). Logout forgets them there. */
int registry_login(const char *domain, const char *user, const char *password,
                   const struct registry_opts *o, struct ward_error *e);
int registry_logout(const char *domain, const struct registry_opts *o, struct ward_error *e);

#endif
