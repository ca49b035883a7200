/* Directories' times, set last. */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "dirtimes.h"
#include "sys.h"

int dirtimes_add(struct dirtimes *d, const char *path, struct timespec mtime)
{
	if (d->n == d->cap) {
		size_t cap = d->cap ? d->cap * 2 : 64;
		struct dirtime *v = realloc(d->v, cap * sizeof(*v));
		if (!v)
			return -1;
		d->v = v, d->cap = cap;
	}
	if (!(d->v[d->n].path = strdup(path)))
		return -1;
	d->v[d->n++].mtime = mtime;
	return 0;
}

void dirtimes_apply(struct dirtimes *d, int rootfd, unsigned long long resolve)
{
	for (size_t i = 0; i < d->n; i++) {
		const char *p = *d->v[i].path ? d->v[i].path : ".";
		autoclose int fd = sys_openat2(
		    rootfd, p, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC, resolve);
		struct timespec ts[2] = {d->v[i].mtime, d->v[i].mtime};
		if (fd >= 0)
			futimens(fd, ts);
	}
}

void dirtimes_free(struct dirtimes *d)
{
	for (size_t i = 0; i < d->n; i++)
		free(d->v[i].path);
	free(d->v);
	*d = (struct dirtimes){0};
}
