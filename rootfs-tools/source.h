/* Where an import comes from: an OCI layout directory, an OCI archive, or a docker-archive
 * (docker save). Archives are read once, sequentially; their members are staged in the
 * store's tmp/ with their SHA-256 computed on the way, and never extracted anywhere else. */
#ifndef WARD_SOURCE_H
#define WARD_SOURCE_H

#include "store.h"

enum ref_kind { REF_STORE, REF_OCI_DIR, REF_OCI_ARCHIVE, REF_DOCKER_ARCHIVE };

struct image_ref {
	enum ref_kind kind;
	char *path; /* the directory or file; for REF_STORE the name or id */
	char *tag;  /* oci: the ref.name; docker-archive: NAME:TAG; may be NULL */
};

/* oci:DIR[:TAG], oci-archive:FILE[:TAG], docker-archive:FILE[:NAME:TAG], or a store name. */
int ref_parse(const char *text, struct image_ref *r, struct ward_error *e);
void ref_free(struct image_ref *r);

struct member {
	char *name, *link; /* link: the member a symlink or hardlink member points at */
	bool hard;         /* LINK is archive-relative (hardlink), not member-relative */
	char staged[64];   /* tmp/ file holding its bytes */
	char digest[DIGEST_LEN + 1];
	uint64_t size;
};

struct source {
	const struct image_ref *ref;
	int dirfd; /* REF_OCI_DIR: the layout */
	struct member *members;
	size_t n_members;
	char *index, *docker_manifest; /* index.json, manifest.json */
	size_t index_len, docker_manifest_len;
};

int source_open(struct store *st, const struct image_ref *ref, struct source *src,
                struct ward_error *e);
/* Put the blob D into the store, verified against D. */
int source_fetch(struct store *st, struct source *src, const struct descriptor *d,
                 struct ward_error *e);
/* Move a staged member into the store under the digest it hashed to. */
int source_adopt(struct store *st, struct member *m, struct ward_error *e);
/* The member NAME of an archive (links followed), or NULL. */
const struct member *source_member(const struct source *src, const char *name);
void source_close(struct store *st, struct source *src);

#endif
