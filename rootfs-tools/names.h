/* Image names in the store: [HOST[:PORT]/]NAME[:TAG][@sha256:HEX], NAME of [a-z0-9._/-],
 * TAG of [A-Za-z0-9_.-]. */
#ifndef WARD_NAMES_H
#define WARD_NAMES_H

#include <stdbool.h>
#include <stddef.h>

/* Checks TEXT and writes it to OUT with ":latest" added when it has no tag. */
bool name_normalize(const char *text, char *out, size_t len);
/* A valid name made from anything (a file's basename, a docker RepoTag). */
void name_from(const char *base, const char *tag, char *out, size_t len);

#endif
