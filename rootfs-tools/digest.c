/* SHA-256 through OpenSSL's low-level interface: the SHA-NI code path without the provider
 * machinery that EVP would load at every ward start. */
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/sha.h>
#include <stdio.h>
#include <string.h>

#include "digest.h"

_Static_assert(sizeof(struct sha256) == sizeof(SHA256_CTX), "struct sha256 mirrors SHA256_CTX");

void sha256_init(struct sha256 *c)
{
	SHA256_Init((SHA256_CTX *)c);
}

void sha256_update(struct sha256 *c, const void *p, size_t n)
{
	SHA256_Update((SHA256_CTX *)c, p, n);
}

void sha256_final(struct sha256 *c, char out[DIGEST_LEN + 1])
{
	unsigned char md[32];
	static const char hex[] = "0123456789abcdef";
	SHA256_Final(md, (SHA256_CTX *)c);
	memcpy(out, "sha256:", 7);
	for (int i = 0; i < 32; i++) {
		out[7 + 2 * i] = hex[md[i] >> 4];
		out[8 + 2 * i] = hex[md[i] & 15];
	}
	out[DIGEST_LEN] = 0;
}

bool digest_valid(const char *d)
{
	if (!d || strncmp(d, "sha256:", 7) != 0 || strlen(d) != DIGEST_LEN)
		return false;
	for (const char *p = d + 7; *p; p++)
		if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
			return false;
	return true;
}
