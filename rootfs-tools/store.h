/* The image store: an OCI image layout (oci-layout, index.json with ref.name annotations,
 * blobs/sha256/...) that skopeo and umoci read and write too, plus trees/ (unpacked root
 * filesystems by ChainID), tmp/ and locks/. */
#ifndef WARD_STORE_H
#define WARD_STORE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "manifest.h"
#include "ward/error.h"

struct store {
	char *path;
	int fd; /* the store directory */
};

/* $WARD_STORE, else /var/lib/ward for root and $XDG_DATA_HOME/ward (~/.local/share/ward)
 * for other users; made (0700) if missing. */
int store_open(struct store *s, struct ward_error *e);
void store_close(struct store *s);

/* A small document (manifest, config, index), checked against its descriptor. */
int store_read_doc(struct store *s, const struct descriptor *d, char **buf, size_t *len,
                   struct ward_error *e);
/* A blob for reading, its size checked against the descriptor. */
int store_open_blob(struct store *s, const struct descriptor *d, struct ward_error *e);
bool store_has_blob(struct store *s, const char *digest);
/* Copy FD into the store, hashing as it goes; the blob must match D exactly. */
int store_copy_blob(struct store *s, int fd, const struct descriptor *d, struct ward_error *e);
/* Store BUF as a blob; its digest goes to DIGEST. */
int store_put_doc(struct store *s, const char *buf, size_t len, char digest[DIGEST_LEN + 1],
                  struct ward_error *e);
/* A new temporary file in tmp/ (its name in NAME) for a blob being written. */
int store_tmpfile(struct store *s, char name[64], struct ward_error *e);
/* Move the finished tmp/NAME to blobs/sha256/HEX. */
int store_commit_blob(struct store *s, const char *name, const char *digest, struct ward_error *e);

/* index.json is replaced by rename, so readers need no lock; writers hold locks/index
 * (exclusive) from load to save. */
json_t *store_load_index(struct store *s, struct ward_error *e);
int store_save_index(struct store *s, json_t *index, struct ward_error *e);

/* flock HOW (LOCK_SH or LOCK_EX, | LOCK_NB not to wait) on locks/NAME. Returns the fd, to
 * close to release, or -1 (E set, if not NULL). Locks: index (writers of index.json), gc
 * (shared by imports and runs, exclusive for rm and prune), tree-<chainid> (exclusive while
 * unpacking, shared while a sandbox uses the tree). */
int store_lock(struct store *s, const char *name, int how, struct ward_error *e);

#endif
