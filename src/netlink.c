/* Links, addresses and routes through rtnetlink (libnl-route-3): the veth pair of a root
 * sandbox, the point-to-point subnets it takes from the pool, and reading the host's
 * routes so that the pool never hands out an address range the host already uses. */
#include <errno.h>
#include <arpa/inet.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <netlink/netlink.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>
#include <netlink/route/link/veth.h>
#include <netlink/route/route.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net.h"
#include "sys.h"

static int nl_fail(struct ward_error *e, int err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int nl_fail(struct ward_error *e, int err, const char *fmt, ...)
{
	char what[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	ward_error_set(e, 0, "network: %s: %s", what, nl_geterror(err));
	return -1;
}

struct nl_sock *nl_open(struct ward_error *e)
{
	struct nl_sock *sk = nl_socket_alloc();
	int err = sk ? nl_connect(sk, NETLINK_ROUTE) : -NLE_NOMEM;
	if (err < 0) {
		nl_socket_free(sk);
		nl_fail(e, err, "%s", "opening rtnetlink");
		return NULL;
	}
	return sk;
}

struct nl_sock *nl_open_in(int netns, struct ward_error *e)
{
	autoclose int self = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (self < 0 || setns(netns, CLONE_NEWNET) < 0) {
		ward_error_set(e, errno, "network: entering the sandbox's network namespace");
		return NULL;
	}
	struct nl_sock *sk = nl_open(e);
	if (setns(self, CLONE_NEWNET) < 0)
		abort(); /* never go on in the sandbox's namespace */
	return sk;
}

static struct nl_addr *ipv4(uint32_t host_order, int prefix)
{
	uint32_t be = htonl(host_order);
	struct nl_addr *a = nl_addr_build(AF_INET, &be, 4);
	if (a)
		nl_addr_set_prefixlen(a, prefix);
	return a;
}

int nl_veth_create(struct nl_sock *sk, const char *host_if, const char *peer_if, pid_t pid,
                   struct ward_error *e)
{
	struct rtnl_link *l = rtnl_link_veth_alloc();
	if (!l)
		return nl_fail(e, -NLE_NOMEM, "creating the veth pair %s", host_if);
	struct rtnl_link *peer = rtnl_link_veth_get_peer(l);
	rtnl_link_set_name(l, host_if);
	rtnl_link_set_name(peer, peer_if);
	rtnl_link_set_ns_pid(peer, pid);
	rtnl_link_put(peer);
	int err = rtnl_link_add(sk, l, NLM_F_CREATE | NLM_F_EXCL);
	rtnl_link_veth_release(l);
	return err < 0 ? nl_fail(e, err, "creating the veth pair %s", host_if) : 0;
}

int nl_link_delete(struct nl_sock *sk, const char *ifname)
{
	struct rtnl_link *l = rtnl_link_alloc();
	if (!l)
		return -1;
	rtnl_link_set_name(l, ifname);
	int err = rtnl_link_delete(sk, l);
	rtnl_link_put(l);
	return err < 0 ? -1 : 0;
}

int nl_link_up(struct nl_sock *sk, const char *ifname, uint32_t addr, int prefix,
               struct ward_error *e)
{
	struct rtnl_link *l = NULL, *change = rtnl_link_alloc();
	struct rtnl_addr *a = rtnl_addr_alloc();
	struct nl_addr *local = ipv4(addr, prefix);
	int err = change && a && local ? rtnl_link_get_kernel(sk, 0, ifname, &l) : -NLE_NOMEM;
	if (err >= 0) {
		rtnl_addr_set_ifindex(a, rtnl_link_get_ifindex(l));
		rtnl_addr_set_local(a, local);
		err = rtnl_addr_add(sk, a, 0);
	}
	if (err >= 0) {
		rtnl_link_set_flags(change, IFF_UP);
		err = rtnl_link_change(sk, l, change, 0);
	}
	rtnl_link_put(l);
	rtnl_link_put(change);
	rtnl_addr_put(a);
	nl_addr_put(local);
	return err < 0 ? nl_fail(e, err, "configuring %s", ifname) : 0;
}

int nl_default_route(struct nl_sock *sk, const char *ifname, uint32_t gateway, bool add,
                     struct ward_error *e)
{
	struct rtnl_link *l = NULL;
	struct rtnl_route *r = rtnl_route_alloc();
	struct rtnl_nexthop *nh = rtnl_route_nh_alloc();
	struct nl_addr *dst = ipv4(0, 0), *gw = ipv4(gateway, 32);
	int err = r && nh && dst && gw ? rtnl_link_get_kernel(sk, 0, ifname, &l) : -NLE_NOMEM;
	if (err >= 0) {
		rtnl_route_set_family(r, AF_INET);
		rtnl_route_set_table(r, RT_TABLE_MAIN);
		rtnl_route_set_dst(r, dst);
		rtnl_route_nh_set_gateway(nh, gw);
		rtnl_route_nh_set_ifindex(nh, rtnl_link_get_ifindex(l));
		rtnl_route_add_nexthop(r, nh);
		nh = NULL;
		err = add ? rtnl_route_add(sk, r, NLM_F_CREATE | NLM_F_EXCL)
		          : rtnl_route_delete(sk, r, 0);
	}
	rtnl_link_put(l);
	if (nh)
		rtnl_route_nh_free(nh);
	rtnl_route_put(r);
	nl_addr_put(dst);
	nl_addr_put(gw);
	return err < 0 ? nl_fail(e, err, "%s the default route on %s", add ? "adding" : "removing",
	                         ifname)
	               : 0;
}

bool nl_link_exists(struct nl_sock *sk, const char *ifname)
{
	struct rtnl_link *l = NULL;
	int err = rtnl_link_get_kernel(sk, 0, ifname, &l);
	rtnl_link_put(l);
	return err >= 0;
}

int nl_count_links(struct nl_sock *sk, const char *prefix)
{
	struct nl_cache *cache = NULL;
	if (rtnl_link_alloc_cache(sk, AF_UNSPEC, &cache) < 0)
		return -1;
	int n = 0;
	size_t len = strlen(prefix);
	for (struct nl_object *o = nl_cache_get_first(cache); o; o = nl_cache_get_next(o)) {
		const char *name = rtnl_link_get_name((struct rtnl_link *)o);
		n += name && !strncmp(name, prefix, len);
	}
	nl_cache_free(cache);
	return n;
}

/* Does any IPv4 route of the host (any table; default routes aside) touch [base, base+size)? */
static bool range_routed(struct nl_cache *routes, uint32_t base, uint64_t size)
{
	for (struct nl_object *o = nl_cache_get_first(routes); o; o = nl_cache_get_next(o)) {
		struct nl_addr *dst = rtnl_route_get_dst((struct rtnl_route *)o);
		if (!dst || nl_addr_get_family(dst) != AF_INET)
			continue;
		unsigned plen = nl_addr_get_prefixlen(dst);
		if (plen == 0 || nl_addr_get_len(dst) != 4)
			continue;
		uint32_t be;
		memcpy(&be, nl_addr_get_binary_addr(dst), 4);
		uint64_t start = ntohl(be), len = 1ULL << (32 - plen);
		start &= ~(len - 1);
		if (start < (uint64_t)base + size && (uint64_t)base < start + len)
			return true;
	}
	return false;
}

int nl_pool_pick(struct nl_sock *sk, uint32_t pool, int prefix, uint32_t *index,
                 struct ward_error *e)
{
	struct nl_cache *routes = NULL;
	int err = rtnl_route_alloc_cache(sk, AF_INET, 0, &routes);
	if (err < 0)
		return nl_fail(e, err, "%s", "reading the host's routes");
	uint32_t count = prefix >= 30 ? 1 : 1u << (30 - prefix);
	for (uint32_t i = 0; i < count; i++) {
		if (!range_routed(routes, pool + 4 * i, 4)) {
			nl_cache_free(routes);
			*index = i;
			return 0;
		}
	}
	nl_cache_free(routes);
	char text[INET_ADDRSTRLEN];
	uint32_t be = htonl(pool);
	inet_ntop(AF_INET, &be, text, sizeof(text));
	ward_error_set(e, 0,
	               "network: the address pool %s/%d is used up (every /30 in it is routed on "
	               "this host); choose another with WARD_NET_POOL",
	               text, prefix);
	return -1;
}

void rtnl_close(struct nl_sock *sk)
{
	nl_socket_free(sk);
}
