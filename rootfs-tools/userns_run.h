/* Running a piece of store work inside a user namespace with the sandboxes' id mapping:
 * unpacked files get their image owners without privilege over the host, and rootless
 * callers can later delete what they made. */
#ifndef WARD_USERNS_RUN_H
#define WARD_USERNS_RUN_H

#include "idmap.h"

/* The store's mapping: the one sandboxes get by default (root: container 0..65535 at the
 * ward range; rootless: the caller and its subordinate ids). */
int userns_idmaps(struct ward_idmaps *ids, struct ward_error *e);

/* FN runs in a forked child that is root of a new user namespace mapped by IDS. RESULT
 * (RESULT_LEN bytes) is shared with the caller. */
typedef int (*userns_fn)(void *arg, void *result, struct ward_error *e);
int userns_run(const struct ward_idmaps *ids, userns_fn fn, void *arg, void *result,
               size_t result_len, struct ward_error *e);

#endif
