/* The registry client's own pieces, shared by registry_*.c only (everyone else uses
 * registry.h): the session, one HTTP exchange, auth challenges, credentials and the
 * configuration files. The parsers here read untrusted input (fuzz/fuzz_registry.c). */
#ifndef WARD_REGISTRY_INT_H
#define WARD_REGISTRY_INT_H

#include <pthread.h>
#include <sys/types.h>

#include "curl_load.h"
#include "registry.h"

/* registry_ref.c */
bool registry_domain_valid(const char *domain);
/* index.docker.io and registry-1.docker.io are docker.io. */
const char *registry_domain_canonical(const char *domain);

/* registry_auth.c: a WWW-Authenticate challenge. */
enum auth_scheme { AUTH_NONE, AUTH_BASIC, AUTH_BEARER };
struct challenge {
	enum auth_scheme scheme;
	char realm[1024], service[256], scope[512];
};
/* The first Basic or Bearer challenge of HEADER; -1 when it has none. */
int challenge_parse(const char *header, struct challenge *c);
/* A token service's answer: "token", else "access_token" (malloc'ed). */
int token_parse(const char *json, size_t len, char **token, struct ward_error *e);
/* The whole of a regular file of at most MAX bytes, NUL-terminated, its length in LEN; NULL
 * with errno (ENOENT: absent, EFBIG: too big, EINVAL: not a regular file). */
char *read_small(const char *path, size_t max, size_t *len);
/* Base64 of N bytes into OUT (4 * ((N + 2) / 3) + 1 bytes); decode: -1 when not base64. */
void base64_encode(const void *in, size_t n, char *out);
int base64_decode(const char *in, char *out, size_t cap, size_t *n);

/* registry_creds.c */
struct creds {
	char user[256];
	char secret[4096]; /* the password, or an identity (refresh) token when TOKEN */
	bool token;
};
/* Credentials for DOMAIN (as named; docker.io for Docker Hub) from the files pull19.md
 * lists, AUTH_FILE first: 1 found, 0 none, -1 error. */
int creds_lookup(const char *domain, const char *auth_file, struct creds *c, struct ward_error *e);
/* One auth.json / config.json: 1 credentials in C, 2 a helper's NAME (docker-credential-NAME)
 * to ask, 0 nothing for DOMAIN, -1 a bad file. */
int creds_parse(const char *json, size_t len, const char *domain, struct creds *c, char helper[64],
                struct ward_error *e);
/* A credential helper's answer ({"Username":..., "Secret":...}). */
int creds_helper_parse(const char *json, size_t len, struct creds *c, struct ward_error *e);
/* "--creds USER[:PASS]". */
int creds_from_option(const char *opt, struct creds *c, struct ward_error *e);
/* The auth file login writes and logout edits. */
int creds_store_path(const char *auth_file, char *path, size_t len, struct ward_error *e);
int creds_store(const char *path, const char *domain, const struct creds *c, struct ward_error *e);
int creds_forget(const char *path, const char *domain, struct ward_error *e);

/* registry_conf.c: insecure registries and docker.io mirrors (Docker's daemon.json). */
struct registry_conf {
	char **insecure; /* "HOST[:PORT]" or CIDR; NULL-terminated or NULL */
	char **mirrors;  /* "https://mirror", for docker.io */
};
int conf_load(struct registry_conf *c, struct ward_error *e);
int conf_parse(const char *json, size_t len, struct registry_conf *c, struct ward_error *e);
void conf_free(struct registry_conf *c);
bool conf_insecure(const struct registry_conf *c, const char *domain);
/* localhost, 127.0.0.0/8, ::1, with or without a port. */
bool domain_loopback(const char *domain);
/* TLS files of DOMAIN from certs.d directories (or --cert-dir). */
struct tls_files {
	char *ca_pem; /* the system CAs plus the extra ones; NULL: none extra */
	size_t ca_len;
	char cert[4096], key[4100]; /* a client pair, or "" */
	char searched[2048];        /* the directories looked in, for messages */
};
int tls_files_find(const char *domain, const char *cert_dir, struct tls_files *t,
                   struct ward_error *e);
void tls_files_free(struct tls_files *t);

/* registry_http.c: the session. */
struct registry {
	struct registry_ref ref;
	const struct ward_context *ctx;
	enum registry_access access;
	bool tls_verify;
	char *auth_file, *creds_opt;
	const struct curl_fns *curl;
	struct registry_conf conf;
	struct tls_files tls;
	int retries;
	long backoff_ms;
	pthread_mutex_t base_lock; /* choosing the endpoint, once */
	char base[512];            /* "https://HOST" once chosen */
	bool base_ready;
	bool insecure;        /* no certificate check for BASE */
	pthread_mutex_t lock; /* what follows */
	char *authz;          /* an "Authorization: ..." header for BASE, or NULL */
	unsigned gen;         /* bumped with each new AUTHZ */
	bool creds_known, have_creds, sent_creds;
	struct creds creds;
};

/* Where a 2xx body goes; bytes are counted by their position in the whole resource, so a
 * resumed (Range) or restarted (200) answer delivers each byte once. */
struct http_body {
	int (*fn)(void *arg, const void *buf, size_t len);
	void *arg;
	uint64_t want;  /* position of the next byte to deliver */
	uint64_t limit; /* more than this many bytes in all is refused */
	bool over, sink_failed, bad_range;
	int sink_errno;
	/* per answer */
	uint64_t pos;
};

struct http_req {
	const char *method; /* GET HEAD POST PUT */
	const char *path;   /* under BASE ("/v2/..."), or an absolute URL */
	const char *accept, *content_type;
	struct http_body *body;
	const char *upload; /* PUT/POST bytes, or NULL with UPLOAD_FD */
	size_t upload_len;
	int upload_fd;
	off_t upload_fd_off; /* where FD's bytes start (pread, retried), or -1: read() once */
	uint64_t upload_fd_len;
	const char *authz; /* NULL: the session's, for BASE only */
	bool no_auth;      /* no session auth and no 401 handling (a token fetch) */
};

struct http_resp {
	long status;
	char content_type[128], location[4096], www_auth[1024], digest[128];
	char url[4096]; /* the URL that answered */
	long retry_after;
	int64_t length;
	int64_t range_start;
	char err[512]; /* the start of an error answer's body */
	size_t err_len;
	int curl_code;
	unsigned gen; /* the session authorization the request carried */
	bool at_base; /* the answer came from the registry's own origin */
};

/* A growing buffer, a struct http_body's FN. */
struct membuf {
	char *buf;
	size_t len, cap;
};
int membuf_append(void *arg, const void *p, size_t n);

/* "scheme://authority" of an http(s) URL: its length, 0 for anything else. */
size_t url_origin_len(const char *url);
bool url_same_origin(const char *a, const char *b);
/* A Location against the URL that answered; -1 when it is not http(s) or too long. */
int url_resolve(const char *base, const char *loc, char *out, size_t len);

/* registry_http.c: one request to BASE (which must be chosen) or an absolute URL, the
 * session's credentials on BASE only, redirects followed (without credentials to another
 * origin), 429/5xx and cut connections retried with backoff (a body resumes where it
 * stopped). A 401 is the caller's. */
int http_send(struct registry *reg, const struct http_req *q, struct http_resp *r,
              struct ward_error *e);

/* registry_session.c: one request with everything around it: the endpoint chosen at the first call,
 * the session's credentials on BASE only, 401 → a token or basic credentials and once again,
 * redirects followed (without credentials to another origin), 429/5xx and cut connections
 * retried with backoff (a body resumes where it stopped). The final status is in RESP. */
int http_exchange(struct registry *reg, const struct http_req *q, struct http_resp *r,
                  struct ward_error *e);
/* The session's endpoint, chosen (and pinged) on first use. */
int registry_base(struct registry *reg, struct ward_error *e);

/* registry_auth.c: after a 401 with CHALLENGE, a new session authorization (under LOCK). */
int auth_refresh(struct registry *reg, const char *challenge, struct ward_error *e);
/* "REGISTRY: unauthorized ..." saying whether credentials were SENT. */
int registry_unauthorized(struct registry *reg, bool sent, struct ward_error *e);

#endif
