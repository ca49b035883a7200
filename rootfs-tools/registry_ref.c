/* Image references as Docker reads them (distribution/reference's grammar): the domain is
 * the first component when it looks like one, docker.io otherwise, and official images
 * live under library/. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "registry.h"

static bool lower_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

/* A path component: [a-z0-9]+ joined by '.', '_', "__" or any run of '-'. */
static bool component_valid(const char *s, size_t n)
{
	if (n == 0 || !lower_alnum(s[0]) || !lower_alnum(s[n - 1]))
		return false;
	for (size_t i = 1; i < n; i++) {
		if (lower_alnum(s[i]))
			continue;
		size_t j = i;
		while (j < n && !lower_alnum(s[j]))
			j++;
		size_t sep = j - i, dashes = strspn(s + i, "-");
		if (!(dashes >= sep || (sep == 1 && (s[i] == '.' || s[i] == '_')) ||
		      (sep == 2 && s[i] == '_' && s[i + 1] == '_')))
			return false;
		i = j - 1;
	}
	return true;
}

static bool repo_valid(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n > 255)
		return false;
	for (const char *p = s;;) {
		const char *slash = strchr(p, '/');
		size_t len = slash ? (size_t)(slash - p) : strlen(p);
		if (!component_valid(p, len))
			return false;
		if (!slash)
			return true;
		p = slash + 1;
	}
}

/* HOST[:PORT]: dot-separated labels of letters, digits and inner '-', or [IPv6]. */
bool registry_domain_valid(const char *s)
{
	const char *port = NULL;
	if (s[0] == '[') {
		const char *end = strchr(s, ']');
		if (!end || end == s + 1)
			return false;
		for (const char *p = s + 1; p < end; p++)
			if (!isxdigit((unsigned char)*p) && *p != ':' && *p != '.')
				return false;
		if (end[1] && end[1] != ':')
			return false;
		port = end[1] ? end + 1 : NULL;
	} else {
		size_t label = 0;
		const char *p;
		for (p = s; *p && *p != ':'; p++) {
			if (*p == '.') {
				if (label == 0 || p[-1] == '-')
					return false;
				label = 0;
			} else if (isalnum((unsigned char)*p) || (*p == '-' && label > 0)) {
				label++;
			} else {
				return false;
			}
		}
		if (label == 0 || p[-1] == '-')
			return false;
		port = *p ? p : NULL;
	}
	if (port) {
		size_t digits = strspn(port + 1, "0123456789");
		if (digits == 0 || digits > 5 || port[1 + digits])
			return false;
	}
	return true;
}

static bool tag_valid(const char *t)
{
	size_t n = strlen(t);
	if (n == 0 || n > 128 || !(isalnum((unsigned char)t[0]) || t[0] == '_'))
		return false;
	for (size_t i = 1; i < n; i++)
		if (!(isalnum((unsigned char)t[i]) || t[i] == '_' || t[i] == '.' || t[i] == '-'))
			return false;
	return true;
}

const char *registry_domain_canonical(const char *d)
{
	if (!strcmp(d, "index.docker.io") || !strcmp(d, "registry-1.docker.io"))
		return "docker.io";
	return d;
}

int registry_ref_parse(const char *text, struct registry_ref *r, struct ward_error *e)
{
	memset(r, 0, sizeof(*r));
	char buf[1024];
	if (!text || !*text || strlen(text) >= sizeof(buf))
		return ward_error_set(e, 0, "image reference \"%.200s\": empty or too long",
		                      text ? text : "");
	for (const char *p = text; *p; p++)
		if ((unsigned char)*p <= ' ' || *p == 0x7f)
			return ward_error_set(e, 0,
			                      "image reference: a space or control character at "
			                      "offset %zu",
			                      (size_t)(p - text));
	strcpy(buf, text);
	char *at = strchr(buf, '@');
	if (at) {
		*at = 0;
		if (!digest_valid(at + 1))
			return ward_error_set(e, 0,
			                      "%.300s: bad digest (expected sha256: and 64 "
			                      "lowercase hex digits)",
			                      text);
		strcpy(r->digest, at + 1);
	}
	char *name = buf, *slash = strchr(buf, '/');
	/* Docker's rule: a first component with '.' or ':', "localhost", or an upper-case
	 * letter (never valid in a repository) names a registry. */
	bool has_domain = false;
	if (slash) {
		*slash = 0;
		has_domain = strpbrk(buf, ".:") || !strcmp(buf, "localhost");
		for (const char *p = buf; *p && !has_domain; p++)
			has_domain = isupper((unsigned char)*p);
		if (!has_domain)
			*slash = '/';
	}
	if (has_domain) {
		if (!registry_domain_valid(buf) || strlen(buf) >= sizeof(r->domain))
			return ward_error_set(e, 0, "%.300s: bad registry name \"%.200s\"", text,
			                      buf);
		strcpy(r->domain, registry_domain_canonical(buf));
		name = slash + 1;
	} else {
		strcpy(r->domain, "docker.io");
	}
	char *colon = strrchr(name, ':');
	if (colon && !strchr(colon, '/')) {
		*colon = 0;
		if (!tag_valid(colon + 1))
			return ward_error_set(e, 0, "%.300s: bad tag \"%.200s\"", text, colon + 1);
		strcpy(r->tag, colon + 1);
	} else if (!*r->digest) {
		strcpy(r->tag, "latest");
	}
	bool hub = !strcmp(r->domain, "docker.io");
	int n = snprintf(r->repo, sizeof(r->repo), "%s%s",
	                 hub && !strchr(name, '/') ? "library/" : "", name);
	if (n < 0 || (size_t)n >= sizeof(r->repo) || !repo_valid(r->repo))
		return ward_error_set(e, 0,
		                      "%.300s: bad repository name \"%.200s\" (lowercase letters "
		                      "and digits, separated by . _ - or /)",
		                      text, name);
	return 0;
}

void registry_ref_name(const struct registry_ref *r, char *out, size_t len)
{
	const char *repo = r->repo;
	bool hub = !strcmp(r->domain, "docker.io");
	if (hub && !strncmp(repo, "library/", 8) && !strchr(repo + 8, '/'))
		repo += 8;
	snprintf(out, len, "%s%s%s%s%s", hub ? "" : r->domain, hub ? "" : "/", repo,
	         *r->digest ? "@" : ":", *r->digest ? r->digest : r->tag);
}
