/* ward login / logout: the credentials are tried on the registry's /v2/ (through its token
 * service when it has one) before they are written to auth.json. */
#include <stdio.h>
#include <string.h>

#include "registry_int.h"

static int domain_ref(const char *domain, struct registry_ref *r, struct ward_error *e)
{
	memset(r, 0, sizeof(*r));
	const char *d = domain;
	if (!strncmp(d, "https://", 8))
		d += 8;
	else if (!strncmp(d, "http://", 7))
		d += 7;
	size_t n = strcspn(d, "/");
	if (n == 0 || n >= sizeof(r->domain))
		return ward_error_set(e, 0, "%s: not a registry (HOST[:PORT])", domain);
	snprintf(r->domain, sizeof(r->domain), "%.*s", (int)n, d);
	if (!registry_domain_valid(r->domain))
		return ward_error_set(e, 0, "%s: not a registry (HOST[:PORT])", domain);
	if (strcmp(registry_domain_canonical(r->domain), r->domain))
		strcpy(r->domain, "docker.io");
	return 0;
}

int registry_login(const char *domain, const char *user, const char *password,
                   const struct registry_opts *o, struct ward_error *e)
{
	struct registry_ref ref;
	struct creds c = {0};
	char path[4096];
	if (domain_ref(domain, &ref, e) < 0 ||
	    creds_store_path(o->auth_file, path, sizeof(path), e) < 0)
		return -1;
	if (!user || !*user || strlen(user) >= sizeof(c.user) || strchr(user, ':') || !password ||
	    strlen(password) >= sizeof(c.secret))
		return ward_error_set(e, 0,
		                      "login %s: a user name (without ':') and a password are "
		                      "needed",
		                      ref.domain);
	strcpy(c.user, user);
	strcpy(c.secret, password);
	struct registry *reg;
	struct registry_opts lo = *o;
	lo.creds = NULL;
	if (registry_open(&ref, &lo, &reg, e) < 0)
		return -1;
	reg->creds = c;
	reg->creds_known = reg->have_creds = true;
	int rc = registry_base(reg, e);
	struct http_req q = {.method = "GET", .path = "/v2/"};
	struct http_resp r;
	if (rc == 0)
		rc = http_exchange(reg, &q, &r, e);
	if (rc == 0 && r.status == 200 && !reg->sent_creds)
		/* a registry open to anyone: the credentials are kept for its token service
		 * and pushes, as Docker does */
		rc = 0;
	else if (rc == 0 && r.status != 200)
		rc = ward_error_set(e, 0, "%s: /v2/ answered HTTP %ld", ref.domain, r.status);
	registry_close(reg);
	if (rc == 0)
		rc = creds_store(path, ref.domain, &c, e);
	explicit_bzero(&c, sizeof(c));
	return rc;
}

int registry_logout(const char *domain, const struct registry_opts *o, struct ward_error *e)
{
	struct registry_ref ref;
	char path[4096];
	if (domain_ref(domain, &ref, e) < 0 ||
	    creds_store_path(o->auth_file, path, sizeof(path), e) < 0)
		return -1;
	return creds_forget(path, ref.domain, e);
}
