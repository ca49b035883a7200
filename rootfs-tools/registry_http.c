/* One HTTP request to a registry with everything around it: its credentials on the
 * registry's origin only, the 401 dance, redirects followed by hand (libcurl's own following
 * would carry the Authorization header to object storage), and retries with backoff that
 * resume a cut body where it stopped. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "context.h"
#include "registry_int.h"

#define MAX_REDIRECTS 10

static long retry_after(const char *v)
{
	char *end;
	long s = strtol(v, &end, 10);
	if (end != v && !*end)
		return s < 0 ? 0 : s;
	struct tm tm = {0};
	const char *rest = strptime(v, "%a, %d %b %Y %H:%M:%S GMT", &tm);
	if (!rest)
		return -1;
	long d = (long)(timegm(&tm) - time(NULL));
	return d < 0 ? 0 : d;
}

struct xfer {
	const struct http_req *q;
	struct http_resp *r;
	uint64_t up_sent;
	int up_errno, os_errno;
	bool started;
};

static void reset_resp(struct http_resp *r)
{
	r->status = 0;
	r->content_type[0] = r->location[0] = r->www_auth[0] = r->digest[0] = 0;
	r->retry_after = r->length = r->range_start = -1;
	r->err[0] = 0;
	r->err_len = 0;
}

static void copy_value(char *dst, size_t cap, const char *v)
{
	/* a value too long to keep is dropped, never cut */
	if (strlen(v) < cap)
		strcpy(dst, v);
	else
		dst[0] = 0;
}

static size_t on_header(char *buf, size_t size, size_t n, void *arg)
{
	struct xfer *x = arg;
	struct http_resp *r = x->r;
	size_t len = size * n;
	char line[4608];
	size_t l = len < sizeof(line) - 1 ? len : sizeof(line) - 1;
	memcpy(line, buf, l);
	line[l] = 0;
	line[strcspn(line, "\r\n")] = 0;
	if (!strncmp(line, "HTTP/", 5)) {
		reset_resp(r);
		const char *sp = strchr(line, ' ');
		r->status = sp ? strtol(sp + 1, NULL, 10) : 0;
		return len;
	}
	struct http_body *b = x->q->body;
	if (!*line) {
		/* headers done: a 2xx announcing more than the body may hold is refused unread */
		if (b && r->status / 100 == 2 && r->length >= 0) {
			uint64_t start =
			    r->status == 206 && r->range_start > 0 ? (uint64_t)r->range_start : 0;
			if (start + (uint64_t)r->length > b->limit) {
				b->over = true;
				return 0;
			}
		}
		return len;
	}
	char *colon = strchr(line, ':');
	if (!colon)
		return len;
	*colon = 0;
	char *v = colon + 1 + strspn(colon + 1, " \t");
	for (size_t k = strlen(v); k && (v[k - 1] == ' ' || v[k - 1] == '\t'); k--)
		v[k - 1] = 0;
	if (!strcasecmp(line, "content-type"))
		copy_value(r->content_type, sizeof(r->content_type), v);
	else if (!strcasecmp(line, "location"))
		copy_value(r->location, sizeof(r->location), v);
	else if (!strcasecmp(line, "www-authenticate")) {
		/* several challenges: a Bearer one wins */
		if (!r->www_auth[0] ||
		    (!strncasecmp(v, "bearer", 6) && strncasecmp(r->www_auth, "bearer", 6)))
			copy_value(r->www_auth, sizeof(r->www_auth), v);
	} else if (!strcasecmp(line, "docker-content-digest"))
		copy_value(r->digest, sizeof(r->digest), v);
	else if (!strcasecmp(line, "content-length"))
		r->length = strtoll(v, NULL, 10);
	else if (!strcasecmp(line, "content-range")) {
		long long a;
		if (sscanf(v, "bytes %lld-", &a) == 1 && a >= 0)
			r->range_start = a;
	} else if (!strcasecmp(line, "retry-after"))
		r->retry_after = retry_after(v);
	return len;
}

static size_t on_write(char *buf, size_t size, size_t n, void *arg)
{
	struct xfer *x = arg;
	struct http_resp *r = x->r;
	struct http_body *b = x->q->body;
	size_t len = size * n;
	if (!b || r->status / 100 != 2) {
		size_t k = sizeof(r->err) - 1 - r->err_len;
		k = k < len ? k : len;
		memcpy(r->err + r->err_len, buf, k);
		r->err_len += k;
		r->err[r->err_len] = 0;
		return len;
	}
	if (!x->started) {
		x->started = true;
		/* 206: from where Content-Range says; 200: the whole resource again */
		b->pos = r->status == 206 && r->range_start >= 0 ? (uint64_t)r->range_start : 0;
		if (b->pos > b->want) {
			b->bad_range = true;
			return 0;
		}
	}
	const char *p = buf;
	size_t left = len;
	if (b->pos < b->want) {
		uint64_t skip = b->want - b->pos;
		if (skip >= left) {
			b->pos += left;
			return len;
		}
		p += skip;
		left -= (size_t)skip;
		b->pos += skip;
	}
	if (b->want + left > b->limit) {
		b->over = true;
		return 0;
	}
	errno = 0;
	if (b->fn(b->arg, p, left) < 0) {
		b->sink_failed = true;
		b->sink_errno = errno ? errno : EIO;
		return 0;
	}
	b->pos += left;
	b->want += left;
	return len;
}

static size_t on_read(char *buf, size_t size, size_t n, void *arg)
{
	struct xfer *x = arg;
	const struct http_req *q = x->q;
	size_t cap = size * n;
	uint64_t total = q->upload ? q->upload_len : q->upload_fd_len;
	uint64_t left = total - x->up_sent;
	size_t k = left < cap ? (size_t)left : cap;
	if (!k)
		return 0;
	if (q->upload) {
		memcpy(buf, q->upload + x->up_sent, k);
		x->up_sent += k;
		return k;
	}
	ssize_t got;
	do
		got = q->upload_fd_off >= 0
		          ? pread(q->upload_fd, buf, k, q->upload_fd_off + (off_t)x->up_sent)
		          : read(q->upload_fd, buf, k);
	while (got < 0 && errno == EINTR);
	if (got <= 0) {
		x->up_errno = got < 0 ? errno : EIO;
		return CURL_READFUNC_ABORT;
	}
	x->up_sent += (uint64_t)got;
	return (size_t)got;
}

static CURLcode perform(struct registry *reg, const struct http_req *q, const char *method,
                        const char *url, const char *authz, bool insecure, struct xfer *x,
                        char *errbuf)
{
	const struct curl_fns *c = reg->curl;
	CURL *h = c->easy_init();
	if (!h)
		return CURLE_OUT_OF_MEMORY;
	struct curl_slist *hs = NULL;
	char line[8192];
	if (q->accept && snprintf(line, sizeof(line), "Accept: %s", q->accept) > 0)
		hs = c->slist_append(hs, line);
	if (q->content_type &&
	    snprintf(line, sizeof(line), "Content-Type: %s", q->content_type) > 0)
		hs = c->slist_append(hs, line);
	if (authz && snprintf(line, sizeof(line), "Authorization: %s", authz) > 0)
		hs = c->slist_append(hs, line);
	if (q->body && q->body->want > 0 && strcmp(method, "HEAD") &&
	    snprintf(line, sizeof(line), "Range: bytes=%llu-", (unsigned long long)q->body->want) >
	        0)
		hs = c->slist_append(hs, line);
	hs = c->slist_append(hs, "Expect:");
	errbuf[0] = 0;
	c->easy_setopt(h, CURLOPT_URL, url);
	c->easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	c->easy_setopt(h, CURLOPT_USERAGENT,
	               "ward/"
	               "0.1");
	c->easy_setopt(h, CURLOPT_HTTPHEADER, hs);
	c->easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
	c->easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	c->easy_setopt(h, CURLOPT_CONNECTTIMEOUT, 30L);
	c->easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, 1L);
	c->easy_setopt(h, CURLOPT_LOW_SPEED_TIME, 60L);
	/* bigger writes to the sink (a pipe to the unpack): fewer wakeups per layer */
	c->easy_setopt(h, CURLOPT_BUFFERSIZE, 131072L);
	c->easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
	c->easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
	c->easy_setopt(h, CURLOPT_HEADERDATA, x);
	c->easy_setopt(h, CURLOPT_WRITEFUNCTION, on_write);
	c->easy_setopt(h, CURLOPT_WRITEDATA, x);
	if (insecure) {
		c->easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 0L);
		c->easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 0L);
	} else if (reg->tls.ca_pem) {
		struct curl_blob blob = {reg->tls.ca_pem, reg->tls.ca_len, CURL_BLOB_NOCOPY};
		c->easy_setopt(h, CURLOPT_CAINFO_BLOB, &blob);
	}
	if (reg->tls.cert[0] && url_same_origin(url, reg->base)) {
		c->easy_setopt(h, CURLOPT_SSLCERT, reg->tls.cert);
		c->easy_setopt(h, CURLOPT_SSLKEY, reg->tls.key);
	}
	if (!strcmp(method, "HEAD")) {
		c->easy_setopt(h, CURLOPT_NOBODY, 1L);
	} else if (!strcmp(method, "POST")) {
		c->easy_setopt(h, CURLOPT_POST, 1L);
		c->easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)q->upload_len);
		c->easy_setopt(h, CURLOPT_POSTFIELDS, q->upload ? q->upload : "");
	} else if (!strcmp(method, "PUT")) {
		c->easy_setopt(h, CURLOPT_UPLOAD, 1L);
		c->easy_setopt(h, CURLOPT_INFILESIZE_LARGE,
		               (curl_off_t)(q->upload ? q->upload_len : q->upload_fd_len));
		c->easy_setopt(h, CURLOPT_READFUNCTION, on_read);
		c->easy_setopt(h, CURLOPT_READDATA, x);
	}
	CURLcode rc = c->easy_perform(h);
	long os_errno = 0;
	if (rc != CURLE_OK && c->easy_getinfo(h, CURLINFO_OS_ERRNO, &os_errno) == CURLE_OK)
		x->os_errno = (int)os_errno;
	if (!errbuf[0])
		snprintf(errbuf, CURL_ERROR_SIZE, "%s", c->easy_strerror(rc));
	c->easy_cleanup(h);
	c->slist_free_all(hs);
	return rc;
}

static bool tls_failure(CURLcode rc)
{
	return rc == CURLE_SSL_CONNECT_ERROR || rc == CURLE_PEER_FAILED_VERIFICATION ||
	       rc == CURLE_SSL_CACERT_BADFILE || rc == CURLE_SSL_CERTPROBLEM ||
	       rc == CURLE_SSL_CIPHER || rc == CURLE_SSL_ISSUER_ERROR ||
	       rc == CURLE_SSL_PINNEDPUBKEYNOTMATCH || rc == CURLE_SSL_CRL_BADFILE;
}

static void pause_ms(struct registry *reg, const char *url, const char *why, long ms, int attempt)
{
	context_log(reg->ctx, WARD_LOG_NOTE, "%s: %s, retrying in %ld ms (%d of %d)", url, why, ms,
	            attempt, reg->retries);
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static long backoff(const struct registry *reg, int attempt, long after_s)
{
	if (after_s >= 0)
		return (after_s > 60 ? 60 : after_s) * 1000;
	long ms = reg->backoff_ms;
	for (int i = 1; i < attempt && ms < 60000; i++)
		ms *= 2;
	return ms > 60000 ? 60000 : ms;
}

static int tls_error(struct registry *reg, const char *url, const char *errbuf,
                     struct ward_error *e)
{
	size_t o = url_origin_len(url);
	const char *host = strstr(url, "//") + 2;
	return ward_error_set(e, 0, "%.*s: TLS: %s (CA certificates searched in: %s)",
	                      (int)(url + o - host), host, errbuf,
	                      reg->tls.searched[0] ? reg->tls.searched : "none");
}

int http_send(struct registry *reg, const struct http_req *q, struct http_resp *r,
              struct ward_error *e)
{
	char url[4096], orig[4096], errbuf[CURL_ERROR_SIZE];
	if (url_origin_len(q->path))
		snprintf(url, sizeof(url), "%s", q->path);
	else
		snprintf(url, sizeof(url), "%s%s", reg->base, q->path);
	strcpy(orig, url);
	const char *method = q->method;
	int attempts = 0, redirects = 0;
	for (;;) {
		bool at_base = reg->base[0] && url_same_origin(url, reg->base);
		char *authz = NULL;
		unsigned gen = 0;
		if (q->authz) {
			if (url_same_origin(url, orig) && !(authz = strdup(q->authz)))
				return ward_error_set(e, ENOMEM, "%s", url);
		} else if (!q->no_auth && at_base) {
			pthread_mutex_lock(&reg->lock);
			gen = reg->gen;
			authz = reg->authz ? strdup(reg->authz) : NULL;
			pthread_mutex_unlock(&reg->lock);
		}
		uint64_t had = q->body ? q->body->want : 0;
		struct xfer x = {.q = q, .r = r};
		reset_resp(r);
		snprintf(r->url, sizeof(r->url), "%s", url);
		r->gen = gen;
		r->at_base = at_base;
		CURLcode rc =
		    perform(reg, q, method, url, authz, reg->insecure && at_base, &x, errbuf);
		free(authz);
		r->curl_code = rc;
		struct http_body *b = q->body;
		if (b && (b->over || b->sink_failed || b->bad_range)) {
			if (b->sink_failed)
				return ward_error_set(e, b->sink_errno, "%s", url);
			return ward_error_set(e, 0, "%s: %s", url,
			                      b->over ? "more bytes than expected"
			                              : "the answer skips bytes asked for");
		}
		if (rc != CURLE_OK) {
			if (tls_failure(rc))
				return tls_error(reg, url, errbuf, e);
			if (rc == CURLE_COULDNT_CONNECT && x.os_errno == ECONNREFUSED)
				return ward_error_set(e, 0, "%s: connection refused", url);
			if (rc == CURLE_COULDNT_CONNECT)
				return ward_error_set(e, 0, "%s: cannot connect: %s", url, errbuf);
			if (rc == CURLE_COULDNT_RESOLVE_HOST || rc == CURLE_UNSUPPORTED_PROTOCOL ||
			    rc == CURLE_URL_MALFORMAT || rc == CURLE_OUT_OF_MEMORY)
				return ward_error_set(e, 0, "%s: %s", url, errbuf);
			if (x.up_errno)
				return ward_error_set(e, x.up_errno, "%s: reading the upload", url);
			if (q->upload_fd_off < 0 && x.up_sent > 0 && !q->upload)
				return ward_error_set(
				    e, 0, "%s: %s (an upload from a pipe is not retried)", url,
				    errbuf);
			if (b && b->want > had)
				attempts =
				    0; /* progress: a connection cut again and again still ends */
			if (++attempts > reg->retries)
				return ward_error_set(e, 0, "%s: %s, still after %d attempts", url,
				                      errbuf, attempts);
			pause_ms(reg, url, errbuf, backoff(reg, attempts, -1), attempts);
			strcpy(url, orig);
			method = q->method;
			continue;
		}
		long s = r->status;
		if ((s == 301 || s == 302 || s == 303 || s == 307 || s == 308) && r->location[0]) {
			char next[4096];
			if (++redirects > MAX_REDIRECTS)
				return ward_error_set(e, 0, "%s: more than %d redirects", orig,
				                      MAX_REDIRECTS);
			if (url_resolve(url, r->location, next, sizeof(next)) < 0)
				return ward_error_set(e, 0,
				                      "%s: redirected to a bad location \"%.200s\"",
				                      url, r->location);
			strcpy(url, next);
			if (s == 303 && strcmp(method, "HEAD"))
				method = "GET";
			continue;
		}
		if (s == 429 || s == 500 || s == 502 || s == 503 || s == 504) {
			char why[64];
			snprintf(why, sizeof(why), "HTTP %ld", s);
			if (q->upload_fd_off < 0 && x.up_sent > 0 && !q->upload)
				return ward_error_set(e, 0, "%s: %s", url, why);
			if (++attempts > reg->retries)
				return ward_error_set(e, 0, "%s: %s, still after %d attempts", url,
				                      why, attempts);
			pause_ms(reg, url, why, backoff(reg, attempts, r->retry_after), attempts);
			strcpy(url, orig);
			method = q->method;
			continue;
		}
		return 0;
	}
}
