/* OCI and Docker schema2 documents: descriptors, indexes (platform choice), manifests and
 * image configs. Everything is checked before anything is built from it. */
#ifndef WARD_MANIFEST_H
#define WARD_MANIFEST_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "digest.h"
#include "layer_stream.h"
#include "ward/error.h"

#define MT_OCI_INDEX       "application/vnd.oci.image.index.v1+json"
#define MT_OCI_MANIFEST    "application/vnd.oci.image.manifest.v1+json"
#define MT_OCI_CONFIG      "application/vnd.oci.image.config.v1+json"
#define MT_OCI_LAYER       "application/vnd.oci.image.layer.v1.tar"
#define MT_DOCKER_LIST     "application/vnd.docker.distribution.manifest.list.v2+json"
#define MT_DOCKER_MANIFEST "application/vnd.docker.distribution.manifest.v2+json"
#define REF_NAME_KEY       "org.opencontainers.image.ref.name"

/* JSON documents ward reads are small; anything bigger is refused before parsing. */
#define MAX_DOCUMENT (4u << 20)

struct descriptor {
	char media_type[128];
	char digest[DIGEST_LEN + 1];
	uint64_t size;
};

struct manifest {
	struct descriptor config;
	struct descriptor *layers;
	enum compression *comp;
	size_t n_layers;
};

struct image_config {
	char **env, **entrypoint, **cmd; /* NULL-terminated, or NULL when absent */
	char *workdir, *user;
	char **diff_ids; /* n_layers of them */
	size_t n_diff_ids;
	char chain_id[DIGEST_LEN + 1]; /* of the top layer: names the unpacked tree */
};

enum doc_kind { DOC_INDEX, DOC_MANIFEST };

/* An entry of an index (a jansson object): its descriptor and its ref.name ("" if none). */
int index_entry(const void *json_entry, struct descriptor *d, const char **name);

/* Which of an index's manifests to take: the one tagged TAG (any tag when NULL and there
 * is only one), for this host's platform; nested indexes are followed by the caller. */
int index_select(const char *json, size_t len, const char *tag, struct descriptor *out,
                 enum doc_kind *kind, struct ward_error *e);
/* A platform as OCI names it; variant "" means the baseline (amd64 v1, arm64 v8). */
struct platform {
	char os[32], arch[32], variant[32];
};
/* "linux/arm64/v8" (NULL: this host's). */
int platform_parse(const char *text, struct platform *p, struct ward_error *e);
/* index_select for PLATFORM (NULL: this host's); WHAT (may be NULL) names the index in the
 * error, which then lists the platforms it offers. */
int index_pick(const char *json, size_t len, const char *tag, const struct platform *platform,
               const char *what, struct descriptor *out, enum doc_kind *kind, struct ward_error *e);
/* The kind of document JSON is, checked against the media type its descriptor gave. */
int document_kind(const char *json, size_t len, const char *media_type, enum doc_kind *kind,
                  struct ward_error *e);
int manifest_parse(const char *json, size_t len, struct manifest *m, struct ward_error *e);
void manifest_free(struct manifest *m);
int config_parse(const char *json, size_t len, size_t n_layers, struct image_config *c,
                 struct ward_error *e);
void config_free(struct image_config *c);

/* JSON that must be an object of at most MAX_DOCUMENT bytes (duplicate keys refused); NULL
 * with E naming WHAT. */
json_t *json_load_object(const char *json, size_t len, const char *what, struct ward_error *e);
/* The platform of this machine, as OCI names it ("amd64", "arm64", ...). */
const char *host_architecture(void);

#endif
