/* Directories' modification times, set once everything below them is written (writing a
 * child changes its parent's time): what an unpack and a layer restore both keep. */
#ifndef WARD_DIRTIMES_H
#define WARD_DIRTIMES_H

#include <stddef.h>
#include <time.h>

struct dirtimes {
	struct dirtime {
		char *path; /* relative to the root; "" is the root itself */
		struct timespec mtime;
	} * v;
	size_t n, cap;
};

/* Remember PATH's time; -1 without memory. */
int dirtimes_add(struct dirtimes *d, const char *path, struct timespec mtime);
/* Set each through ROOTFD, opened with openat2's RESOLVE flags (a directory gone or replaced
 * meanwhile is skipped), then forget them. */
void dirtimes_apply(struct dirtimes *d, int rootfd, unsigned long long resolve);
void dirtimes_free(struct dirtimes *d);

#endif
