/* A sandbox's network beyond its loopback: published ports (a forwarder process), and
 * for root a veth pair with a /30 from the pool, ward's nftables table and NAT for egress;
 * rootless, pasta for egress. */
#ifndef WARD_NET_H
#define WARD_NET_H

#include <arpa/inet.h>
#include <net/if.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>

#include "spec.h"

#define NET_IF_PREFIX      "ward-"
#define NET_PEER_IF        "eth0"
#define NET_DEFAULT_POOL   "10.213.0.0/16"
#define NET_LOCK           "/run/ward-network.lock"
#define NET_TABLE_MARKER   "/run/ward-network.table"
#define NET_FORWARD_MARKER "/run/ward-network.forwarding"

struct net {
	int listen[WARD_MAX_PUBLISH]; /* bound by the supervisor, handed to the forwarder */
	size_t n_listen;
	struct ward_publish bound[WARD_MAX_PUBLISH]; /* the spec's, with the bound host ports */
	size_t n_bound;
	int netns, userns; /* the sandbox's */
	bool veth;         /* root: host_if and the sandbox's eth0 */
	char host_if[IFNAMSIZ];
	uint32_t subnet; /* host byte order, the /30's first address */
	bool egress;
	int fwd_pidfd, pasta_pidfd;
};

/* publish.c: the network part of ward_spec_validate. */
int net_spec_validate(const struct ward_spec *s, struct ward_error *e);

void net_init(struct net *n);
/* Before the clone: bind the published ports (a port in use or an address that is not the
 * host's fails here, before anything exists), check the host can give what is asked, pick
 * the resolvers for egress (into s). */
int net_prepare(struct net *n, struct ward_spec *s, struct ward_error *e);
/* After the clone, before the child goes on: veth, addresses, routes, NAT, pasta, the
 * forwarder. */
int net_attach(struct net *n, const struct ward_spec *s, pid_t pid, struct ward_error *e);
/* Give a running sandbox egress (its init PID, its network and user namespace fds). */
int net_connect(struct net *n, pid_t pid, int netns, int userns, struct ward_error *e);
/* Take egress away from a running sandbox; loopback and published ports stay. */
int net_disconnect(struct net *n, struct ward_error *e);
/* Remove everything net_prepare and net_attach made. */
void net_release(struct net *n);
/* Root: after supervisors died, remove ward's table once no ward veth is left. */
void net_sweep(void);

/* Root, after a supervisor died: wait (a moment) for the veth HOST_IF to go with its
 * sandbox's network namespace, then sweep. */
void net_forget(const char *host_if);

/* "a.b.c.d" of a host-order IPv4 address (inline: nft.c and net.c both use it). */
static inline void net_ntoa(uint32_t addr, char out[16])
{
	uint32_t be = htonl(addr);
	inet_ntop(AF_INET, &be, out, 16);
}

/* netlink.c */
struct nl_sock;
struct nl_sock *nl_open(struct ward_error *e);
/* A socket bound to the network namespace NETNS (the caller stays in its own). */
struct nl_sock *nl_open_in(int netns, struct ward_error *e);
void rtnl_close(struct nl_sock *sk);
int nl_veth_create(struct nl_sock *sk, const char *host_if, const char *peer_if, pid_t pid,
                   struct ward_error *e);
int nl_link_delete(struct nl_sock *sk, const char *ifname);
int nl_link_up(struct nl_sock *sk, const char *ifname, uint32_t addr, int prefix,
               struct ward_error *e);
int nl_default_route(struct nl_sock *sk, const char *ifname, uint32_t gateway, bool add,
                     struct ward_error *e);
int nl_count_links(struct nl_sock *sk, const char *prefix);
bool nl_link_exists(struct nl_sock *sk, const char *ifname);
/* The first /30 of POOL/PREFIX that no host route touches (its index). */
int nl_pool_pick(struct nl_sock *sk, uint32_t pool, int prefix, uint32_t *index,
                 struct ward_error *e);

/* nft.c */
int nft_load(struct ward_error *e);
/* Ward's table made whole (made if missing) and ADDR in or out of the egress set; with
 * egress, forwarding on. One transaction. */
int nft_attach(uint32_t addr, bool egress, struct ward_error *e);
int nft_egress_off(uint32_t addr, struct ward_error *e);
/* The table gone, and forwarding off again if ward turned it on. */
void nft_table_remove(void);

/* portfwd.c */
struct portfwd {
	const int *listen;
	const struct sockaddr_storage *targets; /* one per listener */
	size_t n;
	int userns, netns; /* rootless: joined first; -1 otherwise */
	pid_t parent;
};
int portfwd_start(const struct portfwd *p, int *pidfd, struct ward_error *e);

/* pasta.c */
int pasta_start(int userns, int netns, int *pidfd, struct ward_error *e);
/* pasta is where pasta_start looks for it */
bool pasta_installed(void);

#endif
