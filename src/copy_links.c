/* The hard links of one copy: sources with several names, keyed by device and inode, and
 * the path (below the copy's top) their first copy got. Open addressing, doubled at half
 * full, so a tree of many links stays linear. */
#include <stdlib.h>
#include <string.h>

#include "copy.h"

struct link_slot {
	dev_t dev;
	ino_t ino;
	char *rel; /* NULL: empty */
};

struct copy_links {
	struct link_slot *slot;
	size_t cap, n; /* cap is a power of two */
};

static size_t hash(dev_t dev, ino_t ino)
{
	uint64_t h = (uint64_t)ino * 0x9e3779b97f4a7c15ull ^ (uint64_t)dev * 0xc2b2ae3d27d4eb4full;
	return (size_t)(h ^ h >> 29);
}

static struct link_slot *lookup(struct link_slot *slot, size_t cap, dev_t dev, ino_t ino)
{
	for (size_t i = hash(dev, ino) & (cap - 1);; i = (i + 1) & (cap - 1))
		if (!slot[i].rel || (slot[i].dev == dev && slot[i].ino == ino))
			return &slot[i];
}

struct copy_links *copy_links_new(void)
{
	struct copy_links *l = calloc(1, sizeof(*l));
	if (l && !(l->slot = calloc(l->cap = 64, sizeof(*l->slot)))) {
		free(l);
		l = NULL;
	}
	return l;
}

const char *copy_links_find(const struct copy_links *l, dev_t dev, ino_t ino)
{
	return lookup(l->slot, l->cap, dev, ino)->rel;
}

static int grow(struct copy_links *l)
{
	size_t cap = l->cap * 2;
	struct link_slot *slot = calloc(cap, sizeof(*slot));
	if (!slot)
		return -1;
	for (size_t i = 0; i < l->cap; i++)
		if (l->slot[i].rel)
			*lookup(slot, cap, l->slot[i].dev, l->slot[i].ino) = l->slot[i];
	free(l->slot);
	l->slot = slot;
	l->cap = cap;
	return 0;
}

int copy_links_add(struct copy_links *l, dev_t dev, ino_t ino, const char *rel)
{
	if ((l->n + 1) * 2 > l->cap && grow(l) < 0)
		return -1;
	struct link_slot *s = lookup(l->slot, l->cap, dev, ino);
	if (s->rel)
		return 0;
	if (!(s->rel = strdup(rel)))
		return -1;
	s->dev = dev;
	s->ino = ino;
	l->n++;
	return 0;
}

void copy_links_free(struct copy_links *l)
{
	if (!l)
		return;
	for (size_t i = 0; i < l->cap; i++)
		free(l->slot[i].rel);
	free(l->slot);
	free(l);
}
