/* Open addressing over FNV-1a; the table doubles at half load. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pathset.h"

static uint64_t hash(const char *p)
{
	uint64_t h = 1469598103934665603ull;
	for (; *p; p++)
		h = (h ^ (unsigned char)*p) * 1099511628211ull;
	return h;
}

static size_t find(char **slots, size_t cap, const char *path)
{
	size_t i = hash(path) & (cap - 1);
	while (slots[i] && strcmp(slots[i], path) != 0)
		i = (i + 1) & (cap - 1);
	return i;
}

void pathset_clear(struct pathset *s)
{
	for (size_t i = 0; i < s->cap; i++)
		free(s->slots[i]);
	free(s->slots);
	*s = (struct pathset){0};
}

bool pathset_has(const struct pathset *s, const char *path)
{
	return s->cap && s->slots[find(s->slots, s->cap, path)];
}

static int grow(struct pathset *s)
{
	size_t cap = s->cap ? s->cap * 2 : 1024;
	char **slots = calloc(cap, sizeof(char *));
	if (!slots)
		return -1;
	for (size_t i = 0; i < s->cap; i++)
		if (s->slots[i])
			slots[find(slots, cap, s->slots[i])] = s->slots[i];
	free(s->slots);
	s->slots = slots;
	s->cap = cap;
	return 0;
}

int pathset_add(struct pathset *s, const char *path)
{
	if ((s->len + 1) * 2 > s->cap && grow(s) < 0)
		return -1;
	size_t i = find(s->slots, s->cap, path);
	if (s->slots[i])
		return 0;
	if (!(s->slots[i] = strdup(path)))
		return -1;
	s->len++;
	return 1;
}
