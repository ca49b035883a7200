/* Connections per source for the port forwarder, so that one client cannot take every
 * slot. A source is an IPv4 address (a v4-mapped IPv6 one counts as IPv4) or an IPv6 /64,
 * the smallest block one host usually gets. */
#ifndef WARD_PORTFWD_SRC_H
#define WARD_PORTFWD_SRC_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#define PORTFWD_SRC_CAP   512  /* connections at once from one source */
#define PORTFWD_SRC_SLOTS 8192 /* sources tracked at once: twice the forwarder's connections */

struct portfwd_src {
	uint8_t family; /* AF_INET, AF_INET6, or 0 for an address of neither */
	uint64_t bits;  /* the IPv4 address, or the /64 prefix */
};

/* The source of the peer address SA (as accept gives it). */
struct portfwd_src portfwd_src_of(const struct sockaddr_storage *sa);

struct portfwd_srcs; /* a count per source */
struct portfwd_srcs *portfwd_srcs_new(uint64_t seed);
void portfwd_srcs_free(struct portfwd_srcs *t);

/* One more connection from S: false, and nothing counted, when S holds PORTFWD_SRC_CAP
 * already or the table is full. */
bool portfwd_srcs_take(struct portfwd_srcs *t, struct portfwd_src s);
/* One connection from S fewer (it must have been taken). */
void portfwd_srcs_put(struct portfwd_srcs *t, struct portfwd_src s);
unsigned portfwd_srcs_count(const struct portfwd_srcs *t, struct portfwd_src s);

#endif
