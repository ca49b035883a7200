/* Shared by images.c, images_pull.c and commit.c: Docker image names against ward's store. */
#ifndef WARD_SERVE_IMAGES_H
#define WARD_SERVE_IMAGES_H

#include <stdbool.h>
#include <stddef.h>

#include "serve.h"

/* REF without Docker Hub's "docker.io/library/" or "docker.io/" (ward's names lack them). */
const char *img_short(const char *ref);
/* Whether the store entry NAME (with ID) is what a client means by REF: the name (":latest"
 * when REF has no tag), or the id with or without "sha256:", or 12+ hex digits of it. */
bool img_matches(const char *name, const char *id, const char *ref);
/* FROM with TAG as one reference: "x" + "1" is "x:1", a digest TAG "x@sha256:…", FROM
 * tagged already or no TAG: FROM (":latest" added when it has neither). -1: too long. */
int img_pull_ref(const char *from, const char *tag, char *out, size_t len);
/* base64 or base64url, padded or not, into OUT (NUL-terminated); -1 when S is not base64
 * or does not fit. */
int img_b64_decode(const char *s, char *out, size_t len);

/* Handlers of api_routes_images living in other files. */
void srv_image_pull(struct api_req *r);
void srv_image_push(struct api_req *r);
void srv_commit(struct api_req *r);

#endif
