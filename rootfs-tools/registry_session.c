/* A session: its settings, and the endpoint it talks to, chosen at the first request by a
 * ping of /v2/ (a docker.io mirror first when configured; plain HTTP only for loopback,
 * listed insecure registries and --tls-verify=false, after a failed TLS handshake). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "context.h"
#include "registry_int.h"

static long env_long(const char *name, long def, long max)
{
	const char *v = getenv(name);
	char *end;
	if (!v || !*v)
		return def;
	long n = strtol(v, &end, 10);
	return *end || n < 0 ? def : n > max ? max : n;
}

int registry_open(const struct registry_ref *r, const struct registry_opts *o,
                  struct registry **out, struct ward_error *e)
{
	const struct curl_fns *c = curl_load(e);
	if (!c)
		return -1;
	struct registry *reg = calloc(1, sizeof(*reg));
	if (!reg)
		return ward_error_set(e, ENOMEM, "registry session");
	reg->ref = *r;
	reg->curl = c;
	reg->ctx = o->ctx;
	reg->access = o->access;
	reg->tls_verify = o->tls_verify;
	reg->retries = (int)env_long("WARD_PULL_RETRIES", 5, 100);
	reg->backoff_ms = env_long("WARD_PULL_BACKOFF_MS", 500, 60000);
	pthread_mutex_init(&reg->lock, NULL);
	pthread_mutex_init(&reg->base_lock, NULL);
	if ((o->auth_file && !(reg->auth_file = strdup(o->auth_file))) ||
	    (o->creds && !(reg->creds_opt = strdup(o->creds)))) {
		registry_close(reg);
		return ward_error_set(e, ENOMEM, "registry session");
	}
	if (conf_load(&reg->conf, e) < 0 ||
	    tls_files_find(r->domain, o->cert_dir, &reg->tls, e) < 0) {
		registry_close(reg);
		return -1;
	}
	*out = reg;
	return 0;
}

void registry_close(struct registry *reg)
{
	if (!reg)
		return;
	conf_free(&reg->conf);
	tls_files_free(&reg->tls);
	free(reg->auth_file);
	free(reg->creds_opt);
	free(reg->authz);
	explicit_bzero(&reg->creds, sizeof(reg->creds));
	pthread_mutex_destroy(&reg->lock);
	pthread_mutex_destroy(&reg->base_lock);
	free(reg);
}

/* Ping CAND ("HOST[:PORT]" or a mirror's URL): 0 when it answers as a registry. */
static int try_endpoint(struct registry *reg, const char *cand, bool mirror, struct ward_error *e)
{
	size_t o = url_origin_len(cand);
	const char *host = o ? strstr(cand, "//") + 2 : cand;
	int hlen = o ? (int)(cand + o - host) : (int)strlen(host);
	char hostbuf[400];
	snprintf(hostbuf, sizeof(hostbuf), "%.*s", hlen, host);
	if (o)
		snprintf(reg->base, sizeof(reg->base), "%.*s", (int)o, cand);
	else
		snprintf(reg->base, sizeof(reg->base), "https://%s", hostbuf);
	reg->insecure = !reg->tls_verify || conf_insecure(&reg->conf, hostbuf);
	bool plain_ok = reg->insecure || domain_loopback(hostbuf);
	char url[600];
	struct http_resp r = {0};
	snprintf(url, sizeof(url), "%s/v2/", reg->base);
	struct http_req q = {.method = "GET", .path = url, .no_auth = true};
	int rc = http_send(reg, &q, &r, e);
	if (rc < 0 && !o && plain_ok && r.curl_code == CURLE_SSL_CONNECT_ERROR) {
		snprintf(reg->base, sizeof(reg->base), "http://%s", hostbuf);
		snprintf(url, sizeof(url), "%s/v2/", reg->base);
		rc = http_send(reg, &q, &r, e);
	}
	if (rc < 0)
		return -1;
	if (mirror && r.status != 200 && r.status != 401)
		return ward_error_set(e, 0, "%s: HTTP %ld", url, r.status);
	if (r.status == 401 && reg->ref.repo[0]) {
		/* the token now, before layers are fetched in parallel */
		pthread_mutex_lock(&reg->lock);
		rc = reg->gen == 0 ? auth_refresh(reg, r.www_auth, e) : 0;
		pthread_mutex_unlock(&reg->lock);
	}
	return rc;
}

static int choose(struct registry *reg, struct ward_error *e)
{
	if (strcmp(reg->ref.domain, "docker.io"))
		return try_endpoint(reg, reg->ref.domain, false, e);
	for (char **m = reg->conf.mirrors; m && *m; m++) {
		struct ward_error me = {0};
		if (try_endpoint(reg, *m, true, &me) == 0)
			return 0;
		context_log(reg->ctx, WARD_LOG_NOTE, "mirror %s: %s; trying the next", *m, me.msg);
	}
	return try_endpoint(reg, "registry-1.docker.io", false, e);
}

int registry_base(struct registry *reg, struct ward_error *e)
{
	pthread_mutex_lock(&reg->base_lock);
	int rc = 0;
	if (!reg->base_ready) {
		rc = choose(reg, e);
		reg->base_ready = rc == 0;
	}
	pthread_mutex_unlock(&reg->base_lock);
	return rc;
}

int http_exchange(struct registry *reg, const struct http_req *q, struct http_resp *r,
                  struct ward_error *e)
{
	if (!url_origin_len(q->path) && registry_base(reg, e) < 0)
		return -1;
	for (int auth_tries = 0;; auth_tries++) {
		if (http_send(reg, q, r, e) < 0)
			return -1;
		long s = r->status;
		if ((s != 401 && s != 403) || q->no_auth || q->authz)
			return 0;
		pthread_mutex_lock(&reg->lock);
		bool sent = reg->sent_creds;
		int refreshed = 0;
		if (s == 401 && r->at_base && auth_tries < 2)
			/* unless another thread has just refreshed: then its token is tried */
			refreshed =
			    reg->gen != r->gen || auth_refresh(reg, r->www_auth, e) == 0 ? 1 : -1;
		pthread_mutex_unlock(&reg->lock);
		if (refreshed < 0)
			return -1;
		if (!refreshed)
			return registry_unauthorized(reg, sent, e);
	}
}
