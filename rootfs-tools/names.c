#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "digest.h"
#include "names.h"

static bool name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
	       c == '-' || c == '/';
}

static bool tag_char(char c)
{
	return isalnum((unsigned char)c) || c == '_' || c == '.' || c == '-';
}

/* HOST[:PORT] of a registry: letters, digits, '.', '-', and a port of digits. */
static bool domain_ok(const char *s, size_t n)
{
	size_t i = 0;
	for (; i < n && s[i] != ':'; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '.' && s[i] != '-')
			return false;
	if (i == 0 || !isalnum((unsigned char)s[0]))
		return false;
	if (i < n && (n - i - 1 == 0 || n - i - 1 > 5))
		return false;
	for (size_t k = i + 1; k < n; k++)
		if (!isdigit((unsigned char)s[k]))
			return false;
	return true;
}

/* The length of a registry domain starting TEXT (with its '/'), 0 when there is none: a
 * first component with a '.' or a ':', or "localhost", as Docker reads it. */
static size_t domain_len(const char *text, size_t len, bool *ok)
{
	const char *slash = memchr(text, '/', len);
	*ok = true;
	if (!slash)
		return 0;
	size_t fl = (size_t)(slash - text);
	if (!memchr(text, '.', fl) && !memchr(text, ':', fl) &&
	    !(fl == 9 && !strncmp(text, "localhost", 9)))
		return 0;
	*ok = domain_ok(text, fl);
	return fl + 1;
}

bool name_normalize(const char *text, char *out, size_t len)
{
	const char *at = strchr(text, '@');
	size_t tlen = at ? (size_t)(at - text) : strlen(text);
	if (at && !digest_valid(at + 1))
		return false;
	bool ok;
	size_t dlen = domain_len(text, tlen, &ok);
	if (!ok)
		return false;
	const char *path = text + dlen;
	size_t plen = tlen - dlen;
	const char *colon = memchr(path, ':', plen);
	size_t nlen = colon ? (size_t)(colon - path) : plen;
	if (nlen == 0 || dlen + nlen > 128 || !isalnum((unsigned char)path[0]))
		return false;
	for (size_t i = 0; i < nlen; i++)
		if (!name_char(path[i]) ||
		    (path[i] == '/' && (i + 1 == nlen || path[i + 1] == '/')))
			return false;
	/* A digest without a tag names no tag; neither given: ":latest". */
	const char *tag = colon ? colon + 1 : at ? "" : "latest";
	size_t taglen = colon ? plen - nlen - 1 : strlen(tag);
	if (colon &&
	    (!taglen || taglen > 128 || !tag_char(tag[0]) || tag[0] == '.' || tag[0] == '-'))
		return false;
	for (size_t i = 0; i < taglen; i++)
		if (!tag_char(tag[i]))
			return false;
	return snprintf(out, len, "%.*s%s%.*s%s%s", (int)(dlen + nlen), text, taglen ? ":" : "",
	                (int)taglen, tag, at ? "@" : "", at ? at + 1 : "") < (int)len;
}

void name_from(const char *base, const char *tag, char *out, size_t len)
{
	char name[129], t[129];
	size_t n = 0;
	for (const char *p = base; *p && n < 128; p++) {
		char c = (char)tolower((unsigned char)*p);
		name[n++] = name_char(c) && c != '/' ? c : '-';
	}
	while (n && !isalnum((unsigned char)name[0]))
		memmove(name, name + 1, --n);
	name[n] = 0;
	n = 0;
	for (const char *p = tag ? tag : "latest"; *p && n < 128; p++)
		t[n++] = tag_char(*p) ? *p : '-';
	t[n] = 0;
	snprintf(out, len, "%s:%s", *name ? name : "image",
	         *t && isalnum((unsigned char)t[0]) ? t : "latest");
}
