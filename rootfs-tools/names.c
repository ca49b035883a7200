#include <ctype.h>
#include <stdio.h>
#include <string.h>

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

bool name_normalize(const char *text, char *out, size_t len)
{
	const char *slash = strrchr(text, '/');
	const char *colon = strchr(slash ? slash : text, ':');
	size_t nlen = colon ? (size_t)(colon - text) : strlen(text);
	if (nlen == 0 || nlen > 128 || !isalnum((unsigned char)text[0]))
		return false;
	for (size_t i = 0; i < nlen; i++)
		if (!name_char(text[i]) ||
		    (text[i] == '/' && (i + 1 == nlen || text[i + 1] == '/')))
			return false;
	const char *tag = colon ? colon + 1 : "latest";
	if (!*tag || strlen(tag) > 128 || !tag_char(tag[0]) || tag[0] == '.' || tag[0] == '-')
		return false;
	for (const char *p = tag; *p; p++)
		if (!tag_char(*p))
			return false;
	return snprintf(out, len, "%.*s:%s", (int)nlen, text, tag) < (int)len;
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
