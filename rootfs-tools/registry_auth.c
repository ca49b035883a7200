/* Registry authorization: the WWW-Authenticate challenge, a bearer token from the realm it
 * names (anonymous, with basic credentials, or an identity token), or basic credentials
 * themselves. The session's authorization changes under its lock only. */
#include <ctype.h>
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "registry_int.h"

/* A quoted-string or token value at *P into OUT; false when it does not fit. */
static bool read_value(const char **pp, char *out, size_t cap)
{
	const char *p = *pp;
	size_t o = 0;
	bool fits = true;
	if (*p == '"') {
		for (p++; *p && *p != '"'; p++) {
			if (*p == '\\' && p[1])
				p++;
			if (o + 1 < cap)
				out[o++] = *p;
			else
				fits = false;
		}
		if (*p == '"')
			p++;
	} else {
		for (; *p && *p != ',' && *p != ' ' && *p != '\t'; p++) {
			if (o + 1 < cap)
				out[o++] = *p;
			else
				fits = false;
		}
	}
	out[o] = 0;
	*pp = p;
	return fits;
}

static bool usable(const struct challenge *c)
{
	return c->scheme == AUTH_BASIC || (c->scheme == AUTH_BEARER && c->realm[0]);
}

int challenge_parse(const char *header, struct challenge *out)
{
	struct challenge cur = {0}, basic = {0};
	bool ok = true;
	memset(out, 0, sizeof(*out));
	for (const char *p = header;;) {
		p += strspn(p, " \t,");
		size_t n = strcspn(p, " \t,=");
		if (*p && p[n] == '=') {
			char name[32], value[1024];
			snprintf(name, sizeof(name), "%.*s", (int)(n < 31 ? n : 31), p);
			p += n + 1;
			p += strspn(p, " \t");
			bool fits = read_value(&p, value, sizeof(value));
			char *dst = NULL;
			size_t cap = 0;
			if (!strcasecmp(name, "realm"))
				dst = cur.realm, cap = sizeof(cur.realm);
			else if (!strcasecmp(name, "service"))
				dst = cur.service, cap = sizeof(cur.service);
			else if (!strcasecmp(name, "scope"))
				dst = cur.scope, cap = sizeof(cur.scope);
			if (dst && (!fits || strlen(value) >= cap))
				ok = false;
			else if (dst)
				strcpy(dst, value);
			continue;
		}
		/* a new challenge starts (or the header ends): keep the one just read */
		if (ok && usable(&cur)) {
			if (cur.scheme == AUTH_BEARER) {
				*out = cur;
				return 0;
			}
			if (basic.scheme == AUTH_NONE)
				basic = cur;
		}
		if (!*p)
			break;
		memset(&cur, 0, sizeof(cur));
		ok = true;
		cur.scheme = n == 6 && !strncasecmp(p, "bearer", 6)  ? AUTH_BEARER
		             : n == 5 && !strncasecmp(p, "basic", 5) ? AUTH_BASIC
		                                                     : AUTH_NONE;
		p += n;
	}
	*out = basic;
	return basic.scheme == AUTH_NONE ? -1 : 0;
}

int token_parse(const char *json, size_t len, char **token, struct ward_error *e)
{
	json_t *root = json_loadb(json, len, 0, NULL);
	json_t *t = json_object_get(root, "token");
	if (!json_is_string(t) || !*json_string_value(t))
		t = json_object_get(root, "access_token");
	const char *s = json_is_string(t) ? json_string_value(t) : "";
	size_t n = strlen(s);
	bool ok = n > 0 && n < 16384;
	for (size_t i = 0; ok && i < n; i++)
		ok = s[i] > ' ' && s[i] < 0x7f; /* it goes into a header line */
	if (!ok) {
		json_decref(root);
		return ward_error_set(e, 0, "token service: no usable \"token\" in its answer");
	}
	*token = strdup(s);
	json_decref(root);
	return *token ? 0 : ward_error_set(e, ENOMEM, "token");
}

int registry_unauthorized(struct registry *reg, bool sent, struct ward_error *e)
{
	const char *what = reg->access == REGISTRY_PUSH ? "push to" : "pull";
	if (!reg->ref.repo[0])
		return ward_error_set(e, 0, "%s: unauthorized: %s (ward login %s)", reg->ref.domain,
		                      sent ? "the credentials were refused"
		                           : "no credentials were sent",
		                      reg->ref.domain);
	return ward_error_set(
	    e, 0, "%s: unauthorized to %s %s: %s (ward login %s)", reg->ref.domain, what,
	    reg->ref.repo, sent ? "the credentials sent were refused" : "no credentials were sent",
	    reg->ref.domain);
}

/* The session's credentials, looked up once: --creds, else the files (registry_creds.c). */
static int creds_get(struct registry *reg, struct ward_error *e)
{
	if (reg->creds_known)
		return 0;
	int rc = reg->creds_opt ? creds_from_option(reg->creds_opt, &reg->creds, e)
	                        : creds_lookup(reg->ref.domain, reg->auth_file, &reg->creds, e);
	if (rc < 0)
		return -1;
	reg->have_creds = reg->creds_opt || rc == 1;
	reg->creds_known = true;
	return 0;
}

static void url_encode(const char *s, char *out, size_t cap)
{
	size_t o = 0;
	for (; *s && o + 4 < cap; s++) {
		unsigned char c = (unsigned char)*s;
		if (isalnum(c) || strchr("-._~", c))
			out[o++] = (char)c;
		else
			o += (size_t)snprintf(out + o, cap - o, "%%%02X", c);
	}
	out[o] = 0;
}

static int basic_header(const struct creds *c, char **out)
{
	size_t n = strlen(c->user) + 1 + strlen(c->secret);
	char *plain = malloc(n + 1), *hdr = malloc(4 * (n + 2) / 3 + 16);
	if (!plain || !hdr) {
		free(plain);
		free(hdr);
		return -1;
	}
	snprintf(plain, n + 1, "%s:%s", c->user, c->secret);
	strcpy(hdr, "Basic ");
	base64_encode(plain, n, hdr + 6);
	explicit_bzero(plain, n);
	free(plain);
	*out = hdr;
	return 0;
}

static int fetch_token(struct registry *reg, const struct challenge *ch, char **token,
                       struct ward_error *e)
{
	char scope[600], service[800], scope_q[1800], url[4096], *form = NULL, *basic = NULL;
	if (reg->ref.repo[0])
		snprintf(scope, sizeof(scope), "repository:%s:%s", reg->ref.repo,
		         reg->access == REGISTRY_PUSH ? "pull,push" : "pull");
	else
		snprintf(scope, sizeof(scope), "%s", ch->scope);
	url_encode(ch->service, service, sizeof(service));
	url_encode(scope, scope_q, sizeof(scope_q));
	if (!url_origin_len(ch->realm))
		return ward_error_set(e, 0, "%s: token realm \"%.200s\" is not an http(s) URL",
		                      reg->ref.domain, ch->realm);
	/* credentials go in clear only to loopback or hosts listed as insecure */
	const char *rh = strstr(ch->realm, "//") + 2;
	char realm_host[300];
	snprintf(realm_host, sizeof(realm_host), "%.*s", (int)strcspn(rh, "/?#"), rh);
	if (reg->have_creds && !strncasecmp(ch->realm, "http:", 5) &&
	    !domain_loopback(realm_host) && !conf_insecure(&reg->conf, realm_host))
		return ward_error_set(e, 0,
		                      "%s: token realm %s is plain HTTP: credentials are not sent "
		                      "there",
		                      reg->ref.domain, ch->realm);
	struct http_req q = {.method = "GET", .path = url, .no_auth = true};
	if (reg->have_creds && reg->creds.token) {
		/* an identity token is an OAuth2 refresh token */
		char rt[8192];
		url_encode(reg->creds.secret, rt, sizeof(rt));
		size_t n = strlen(rt) + strlen(service) + strlen(scope_q) + 128;
		if (!(form = malloc(n)))
			return ward_error_set(e, ENOMEM, "token");
		snprintf(
		    form, n,
		    "grant_type=refresh_token&client_id=ward&service=%s&scope=%s&refresh_token=%s",
		    service, scope_q, rt);
		snprintf(url, sizeof(url), "%s", ch->realm);
		q.method = "POST";
		q.upload = form;
		q.upload_len = strlen(form);
		q.content_type = "application/x-www-form-urlencoded";
	} else {
		snprintf(url, sizeof(url), "%s%cservice=%s%s%s", ch->realm,
		         strchr(ch->realm, '?') ? '&' : '?', service, scope_q[0] ? "&scope=" : "",
		         scope_q);
		if (reg->have_creds && basic_header(&reg->creds, &basic) < 0)
			return ward_error_set(e, ENOMEM, "token");
		q.authz = basic;
	}
	struct membuf m = {0};
	struct http_body b = {.fn = membuf_append, .arg = &m, .limit = 1 << 20};
	q.body = &b;
	struct http_resp r;
	int rc = http_send(reg, &q, &r, e);
	free(form);
	free(basic);
	reg->sent_creds = reg->have_creds;
	if (rc == 0 && (r.status == 401 || r.status == 403))
		rc = registry_unauthorized(reg, reg->have_creds, e);
	else if (rc == 0 && r.status != 200)
		rc = ward_error_set(e, 0, "token service %s: HTTP %ld", ch->realm, r.status);
	else if (rc == 0)
		rc = token_parse(m.buf ? m.buf : "", m.len, token, e);
	free(m.buf);
	return rc;
}

int auth_refresh(struct registry *reg, const char *header, struct ward_error *e)
{
	struct challenge ch;
	if (challenge_parse(header, &ch) < 0)
		return registry_unauthorized(reg, reg->sent_creds, e);
	if (creds_get(reg, e) < 0)
		return -1;
	char *authz = NULL;
	if (ch.scheme == AUTH_BASIC) {
		if (!reg->have_creds)
			return registry_unauthorized(reg, false, e);
		if (reg->authz && !strncmp(reg->authz, "Basic ", 6))
			return registry_unauthorized(reg, true,
			                             e); /* these very ones were refused */
		if (basic_header(&reg->creds, &authz) < 0)
			return ward_error_set(e, ENOMEM, "credentials");
		reg->sent_creds = true;
	} else {
		char *token;
		if (fetch_token(reg, &ch, &token, e) < 0)
			return -1;
		authz = malloc(strlen(token) + 8);
		if (authz)
			sprintf(authz, "Bearer %s", token);
		free(token);
		if (!authz)
			return ward_error_set(e, ENOMEM, "token");
	}
	free(reg->authz);
	reg->authz = authz;
	reg->gen++;
	return 0;
}
