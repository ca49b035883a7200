/* SHA-256 digests as OCI writes them ("sha256:<64 hex>"): checking the grammar before a
 * digest is ever used in a path, and hashing streams. */
#ifndef WARD_DIGEST_H
#define WARD_DIGEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DIGEST_HEX_LEN 64
#define DIGEST_LEN     (7 + DIGEST_HEX_LEN) /* "sha256:" + hex */

struct sha256 {
	/* opaque: the layout of OpenSSL's SHA256_CTX, kept out of this header */
	uint32_t h[8], nl, nh, data[16];
	unsigned int num, md_len;
};

void sha256_init(struct sha256 *c);
void sha256_update(struct sha256 *c, const void *p, size_t n);
/* Writes "sha256:<hex>" and a NUL into OUT (DIGEST_LEN + 1 bytes). */
void sha256_final(struct sha256 *c, char out[DIGEST_LEN + 1]);

/* "sha256:" followed by exactly 64 lowercase hex digits; nothing else is accepted. */
bool digest_valid(const char *d);
/* The hex part of a valid digest. */
static inline const char *digest_hex(const char *d)
{
	return d + 7;
}

#endif
