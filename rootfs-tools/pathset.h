/* A set of relative paths: what the layer being applied has created so far, so that its
 * whiteouts never remove its own entries. */
#ifndef WARD_PATHSET_H
#define WARD_PATHSET_H

#include <stdbool.h>
#include <stddef.h>

struct pathset {
	char **slots;
	size_t cap, len;
};

void pathset_clear(struct pathset *s);
bool pathset_has(const struct pathset *s, const char *path);
/* Adds PATH; returns 1 if added, 0 if present, -1 without memory. */
int pathset_add(struct pathset *s, const char *path);

#endif
