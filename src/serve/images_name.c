/* Docker image references against ward's store names, and the base64 of X-Registry-Auth:
 * pure functions (tests/unit/test_serve_names.c). */
#include <stdio.h>
#include <string.h>

#include "images.h"

/* Docker names the way ward stores them: "docker.io/library/x" is "x". */
const char *img_short(const char *ref)
{
	if (!strncmp(ref, "docker.io/library/", 18))
		return ref + 18;
	if (!strncmp(ref, "docker.io/", 10))
		return ref + 10;
	if (!strncmp(ref, "index.docker.io/library/", 24))
		return ref + 24;
	return ref;
}

/* Whether store entry NAME / ID is what a client means by REF: the name (":latest" when no
 * tag), or the id, with or without "sha256:", or a prefix of 12 or more hex digits. */
bool img_matches(const char *name, const char *id, const char *ref)
{
	ref = img_short(ref);
	if (!strcmp(name, ref))
		return true;
	const char *slash = strrchr(ref, '/');
	size_t n = strlen(ref);
	if (!strchr(slash ? slash : ref, ':') && !strchr(ref, '@') && !strncmp(name, ref, n) &&
	    !strcmp(name + n, ":latest"))
		return true;
	const char *hex = !strncmp(ref, "sha256:", 7) ? ref + 7 : ref;
	size_t h = strlen(hex);
	if (h < 12 || h > 64 || strspn(hex, "0123456789abcdef") != h)
		return false;
	return !strncmp(id, "sha256:", 7) && !strncmp(id + 7, hex, h);
}

/* The Docker reference of fromImage and tag: "x" + "1" is "x:1"; a digest tag is "@…". */
int img_pull_ref(const char *from, const char *tag, char *out, size_t len)
{
	const char *slash = strrchr(from, '/');
	bool tagged = strchr(slash ? slash : from, ':') || strchr(from, '@');
	if (!tag || !tag[0] || tagged)
		return snprintf(out, len, "%s%s", from,
		                tagged || (tag && tag[0]) ? "" : ":latest") < (int)len
		           ? 0
		           : -1;
	return snprintf(out, len, "%s%s%s", from, strncmp(tag, "sha256:", 7) ? ":" : "@", tag) <
	               (int)len
	           ? 0
	           : -1;
}

/* base64 or base64url, padded or not, into OUT (NUL-terminated); -1 when not base64. */
int img_b64_decode(const char *s, char *out, size_t len)
{
	unsigned acc = 0, bits = 0;
	size_t n = 0;
	for (; *s && *s != '='; s++) {
		const char *tab =
		    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
		char c = *s == '-' ? '+' : *s == '_' ? '/' : *s;
		const char *p = strchr(tab, c);
		if (!p || !c)
			return -1;
		acc = acc << 6 | (unsigned)(p - tab);
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if (n + 1 >= len)
				return -1;
			out[n++] = (char)(acc >> bits & 0xff);
		}
	}
	out[n] = 0;
	return 0;
}
