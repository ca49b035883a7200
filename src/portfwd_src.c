/* Connections per source for the port forwarder: an open-addressing table (linear probing,
 * entries shifted back on removal, so no tombstones), keyed by a seeded hash so that a
 * client cannot pick sources that collide. */
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "portfwd_src.h"

struct slot {
	struct portfwd_src src;
	unsigned n; /* 0: empty */
};

struct portfwd_srcs {
	uint64_t seed;
	size_t used;
	struct slot slot[PORTFWD_SRC_SLOTS];
};

static uint64_t load64(const unsigned char *p)
{
	uint64_t v = 0;
	for (int i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

struct portfwd_src portfwd_src_of(const struct sockaddr_storage *sa)
{
	if (sa->ss_family == AF_INET) {
		const struct sockaddr_in *a = (const struct sockaddr_in *)sa;
		return (struct portfwd_src){AF_INET, ntohl(a->sin_addr.s_addr)};
	}
	if (sa->ss_family == AF_INET6) {
		const unsigned char *b = ((const struct sockaddr_in6 *)sa)->sin6_addr.s6_addr;
		static const unsigned char mapped[12] = {[10] = 0xff, [11] = 0xff};
		if (!memcmp(b, mapped, sizeof(mapped)))
			return (struct portfwd_src){AF_INET, load64(b + 8) & 0xffffffffU};
		return (struct portfwd_src){AF_INET6, load64(b)};
	}
	return (struct portfwd_src){0, 0};
}

static size_t home(const struct portfwd_srcs *t, struct portfwd_src s)
{
	/* splitmix64's finalizer over the seeded key */
	uint64_t z = t->seed ^ s.bits ^ ((uint64_t)s.family << 56);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return (size_t)(z ^ (z >> 31)) & (PORTFWD_SRC_SLOTS - 1);
}

static bool same(struct portfwd_src a, struct portfwd_src b)
{
	return a.family == b.family && a.bits == b.bits;
}

/* S's slot, or the empty one where it would go. */
static size_t find(const struct portfwd_srcs *t, struct portfwd_src s)
{
	size_t i = home(t, s);
	while (t->slot[i].n && !same(t->slot[i].src, s))
		i = (i + 1) & (PORTFWD_SRC_SLOTS - 1);
	return i;
}

struct portfwd_srcs *portfwd_srcs_new(uint64_t seed)
{
	struct portfwd_srcs *t = calloc(1, sizeof(*t));
	if (t)
		t->seed = seed;
	return t;
}

void portfwd_srcs_free(struct portfwd_srcs *t)
{
	free(t);
}

bool portfwd_srcs_take(struct portfwd_srcs *t, struct portfwd_src s)
{
	size_t i = find(t, s);
	if (t->slot[i].n >= PORTFWD_SRC_CAP)
		return false;
	if (!t->slot[i].n) {
		if (t->used + 1 >= PORTFWD_SRC_SLOTS) /* one stays empty: every probe ends */
			return false;
		t->used++;
		t->slot[i].src = s;
	}
	t->slot[i].n++;
	return true;
}

void portfwd_srcs_put(struct portfwd_srcs *t, struct portfwd_src s)
{
	size_t i = find(t, s);
	if (!t->slot[i].n || --t->slot[i].n)
		return;
	t->used--;
	/* shift back each later entry of the run that the hole now separates from its home */
	for (size_t j = (i + 1) & (PORTFWD_SRC_SLOTS - 1); t->slot[j].n;
	     j = (j + 1) & (PORTFWD_SRC_SLOTS - 1)) {
		size_t h = home(t, t->slot[j].src);
		/* the entry may move to I unless its home lies cyclically in (I, J] */
		bool stays = i <= j ? (h > i && h <= j) : (h > i || h <= j);
		if (stays)
			continue;
		t->slot[i] = t->slot[j];
		t->slot[j].n = 0;
		i = j;
	}
}

unsigned portfwd_srcs_count(const struct portfwd_srcs *t, struct portfwd_src s)
{
	return t->slot[find(t, s)].n;
}
