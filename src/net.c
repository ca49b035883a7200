/* One sandbox's network, start to end (see net.h). Host-wide pieces (the pool, ward's
 * table, the forwarding switch) change only under NET_LOCK. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/pidfd.h>
#include <sys/wait.h>

#include "net.h"
#include "nsfd.h"
#include "sys.h"

void net_init(struct net *n)
{
	*n = (struct net){.netns = -1, .userns = -1, .fwd_pidfd = -1, .pasta_pidfd = -1};
}

static bool needed(const struct ward_spec *s)
{
	return s->n_publish || s->network == WARD_NET_EGRESS;
}

static int bind_one(const struct ward_publish *p, int *fdp, uint16_t *port, struct ward_error *e)
{
	struct sockaddr_storage ss = {0};
	socklen_t len;
	bool v6 = strchr(p->addr, ':') != NULL;
	if (v6) {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;
		a->sin6_family = AF_INET6;
		a->sin6_port = htons(p->host_port);
		inet_pton(AF_INET6, p->addr, &a->sin6_addr);
		len = sizeof(*a);
	} else {
		struct sockaddr_in *a = (struct sockaddr_in *)&ss;
		a->sin_family = AF_INET;
		a->sin_port = htons(p->host_port);
		inet_pton(AF_INET, p->addr, &a->sin_addr);
		len = sizeof(*a);
	}
	int one = 1;
	autoclose int fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    (v6 && setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one)) < 0)) {
		ward_error_set(e, errno, "--publish: creating a socket");
		return -1;
	}
	const char *l = v6 ? "[" : "", *r = v6 ? "]" : "";
	if (bind(fd, (struct sockaddr *)&ss, len) < 0) {
		int err = errno;
		if (err == EADDRINUSE)
			ward_error_set(e, err, "--publish: host port %s%s%s:%u is in use", l,
			               p->addr, r, p->host_port);
		else if (err == EADDRNOTAVAIL)
			ward_error_set(e, err, "--publish: %s is not an address of this host",
			               p->addr);
		else if (err == EACCES)
			ward_error_set(e, err,
			               "--publish: host port %u needs root (ports below "
			               "net.ipv4.ip_unprivileged_port_start are privileged)",
			               p->host_port);
		else
			ward_error_set(e, err, "--publish: binding %s%s%s:%u", l, p->addr, r,
			               p->host_port);
		return -1;
	}
	if (listen(fd, SOMAXCONN) < 0 || getsockname(fd, (struct sockaddr *)&ss, &len) < 0) {
		ward_error_set(e, errno, "--publish: listening on %s%s%s:%u", l, p->addr, r,
		               p->host_port);
		return -1;
	}
	*port = ntohs(v6 ? ((struct sockaddr_in6 *)&ss)->sin6_port
	                 : ((struct sockaddr_in *)&ss)->sin_port);
	*fdp = take_fd(&fd);
	return 0;
}

/* The host's resolvers that a sandbox can reach: those not on the host's own loopback. */
static void host_resolvers(struct ward_spec *s)
{
	FILE *f = fopen("/etc/resolv.conf", "re");
	char line[256];
	while (f && s->n_dns < WARD_MAX_DNS && fgets(line, sizeof(line), f)) {
		char addr[64];
		unsigned char buf[16];
		if (sscanf(line, " nameserver %63s", addr) != 1 ||
		    strlen(addr) >= sizeof(s->dns[0]))
			continue;
		bool v4 = inet_pton(AF_INET, addr, buf) == 1;
		if ((v4 && buf[0] == 127) || (!v4 && inet_pton(AF_INET6, addr, buf) != 1) ||
		    (!v4 && !strcmp(addr, "::1")))
			continue;
		memcpy(s->dns[s->n_dns++], addr, strlen(addr) + 1); /* its length checked above */
	}
	if (f)
		fclose(f);
}

int net_prepare(struct net *n, struct ward_spec *s, struct ward_error *e)
{
	for (size_t i = 0; i < s->n_publish; i++) {
		n->bound[i] = s->publish[i];
		if (bind_one(&s->publish[i], &n->listen[i], &n->bound[i].host_port, e) < 0)
			return -1;
		n->n_listen = n->n_bound = i + 1;
	}
	if (geteuid() == 0 && needed(s)) {
		net_sweep(); /* what a killed ward run left; other starts never pay for it */
		if (nft_load(e) < 0)
			return -1;
	}
	if (s->network == WARD_NET_EGRESS && s->n_dns == 0)
		host_resolvers(s);
	return 0;
}

static int parse_pool(uint32_t *base, int *prefix, struct ward_error *e)
{
	const char *text = getenv("WARD_NET_POOL");
	if (!text || !*text)
		text = NET_DEFAULT_POOL;
	char addr[INET_ADDRSTRLEN];
	unsigned plen;
	char extra;
	uint32_t be;
	if (sscanf(text, "%15[0-9.]/%u%c", addr, &plen, &extra) != 2 || plen < 8 || plen > 30 ||
	    inet_pton(AF_INET, addr, &be) != 1) {
		ward_error_set(e, 0,
		               "WARD_NET_POOL %s: expected an IPv4 network A.B.C.D/N with N from 8 "
		               "to 30",
		               text);
		return -1;
	}
	uint32_t mask = ~0u << (32 - plen);
	if (ntohl(be) & ~mask) {
		ward_error_set(e, 0, "WARD_NET_POOL %s: host bits are set", text);
		return -1;
	}
	*base = ntohl(be);
	*prefix = (int)plen;
	return 0;
}

static int lock_network(struct ward_error *e)
{
	int fd = open(NET_LOCK, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0 || flock(fd, LOCK_EX) < 0) {
		ward_error_set(e, errno, "network: locking %s", NET_LOCK);
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

/* Root: the pair, its /30, the host side, the table and (egress) NAT; under the lock. */
static int veth_host_side(struct net *n, bool egress, pid_t pid, struct ward_error *e)
{
	uint32_t pool, index;
	int prefix;
	if (parse_pool(&pool, &prefix, e) < 0)
		return -1;
	autoclose int lock = lock_network(e);
	if (lock < 0)
		return -1;
	struct nl_sock *sk = nl_open(e);
	if (!sk || nl_pool_pick(sk, pool, prefix, &index, e) < 0) {
		rtnl_close(sk);
		return -1;
	}
	n->subnet = pool + 4 * index;
	snprintf(n->host_if, sizeof(n->host_if), NET_IF_PREFIX "%u", index);
	int rc = nl_veth_create(sk, n->host_if, NET_PEER_IF, pid, e);
	if (rc == 0) {
		n->veth = true;
		rc = nl_link_up(sk, n->host_if, n->subnet + 1, 30, e);
	}
	rtnl_close(sk);
	if (rc == 0)
		rc = nft_attach(n->subnet + 2, egress, e);
	n->egress = rc == 0 && egress;
	return rc;
}

static int veth_sandbox_side(struct net *n, struct ward_error *e)
{
	struct nl_sock *sk = nl_open_in(n->netns, e);
	int rc = sk ? nl_link_up(sk, NET_PEER_IF, n->subnet + 2, 30, e) : -1;
	if (rc == 0 && n->egress)
		rc = nl_default_route(sk, NET_PEER_IF, n->subnet + 1, true, e);
	rtnl_close(sk);
	return rc;
}

static int start_forwarder(struct net *n, bool root, struct ward_error *e)
{
	struct sockaddr_storage targets[WARD_MAX_PUBLISH] = {0};
	for (size_t i = 0; i < n->n_listen; i++) {
		struct sockaddr_in *t = (struct sockaddr_in *)&targets[i];
		t->sin_family = AF_INET;
		t->sin_port = htons(n->bound[i].port);
		t->sin_addr.s_addr = htonl(root ? n->subnet + 2 : INADDR_LOOPBACK);
	}
	struct portfwd p = {.listen = n->listen,
	                    .targets = targets,
	                    .n = n->n_listen,
	                    .userns = root ? -1 : n->userns,
	                    .netns = root ? -1 : n->netns,
	                    .parent = getpid()};
	if (portfwd_start(&p, &n->fwd_pidfd, e) < 0)
		return -1;
	for (size_t i = 0; i < n->n_listen; i++)
		close(n->listen[i]);
	n->n_listen = 0;
	return 0;
}

/* Root, a sandbox with a veth: its address into the egress set and a default route inside,
 * or both out. */
static int veth_egress(struct net *n, bool on, struct ward_error *e)
{
	autoclose int lock = lock_network(e);
	if (lock < 0 ||
	    (on ? nft_attach(n->subnet + 2, true, e) : nft_egress_off(n->subnet + 2, e)) < 0)
		return -1;
	n->egress = on;
	struct nl_sock *sk = nl_open_in(n->netns, e);
	int rc = sk ? nl_default_route(sk, NET_PEER_IF, n->subnet + 1, on, e) : -1;
	rtnl_close(sk);
	return rc;
}

/* Egress for a sandbox that has none: root — a veth if it has none yet (with the default
 * route), or its address into the egress set and the route back; rootless — pasta. */
static int egress_on(struct net *n, pid_t pid, struct ward_error *e)
{
	if (geteuid() != 0) {
		if (pasta_start(n->userns, n->netns, &n->pasta_pidfd, e) < 0)
			return -1;
		n->egress = true;
		return 0;
	}
	if (!n->veth)
		return veth_host_side(n, true, pid, e) < 0 ? -1 : veth_sandbox_side(n, e);
	return veth_egress(n, true, e);
}

int net_attach(struct net *n, const struct ward_spec *s, pid_t pid, struct ward_error *e)
{
	if (!needed(s))
		return 0;
	bool root = geteuid() == 0;
	if ((n->netns = ns_open(pid, "net", e)) < 0 ||
	    (!root && (n->userns = ns_open(pid, "user", e)) < 0))
		return -1;
	if (s->network == WARD_NET_EGRESS) {
		if (egress_on(n, pid, e) < 0)
			return -1;
	} else if (root && (veth_host_side(n, false, pid, e) < 0 || veth_sandbox_side(n, e) < 0)) {
		return -1;
	}
	return n->n_listen ? start_forwarder(n, root, e) : 0;
}

int net_connect(struct net *n, pid_t pid, int netns, int userns, struct ward_error *e)
{
	if (n->egress) {
		ward_error_set(e, 0, "it has egress already");
		return -1;
	}
	if ((n->netns < 0 && (n->netns = fcntl(netns, F_DUPFD_CLOEXEC, 3)) < 0) ||
	    (geteuid() != 0 && n->userns < 0 &&
	     (n->userns = fcntl(userns, F_DUPFD_CLOEXEC, 3)) < 0)) {
		ward_error_set(e, errno, "network: its namespaces");
		return -1;
	}
	return egress_on(n, pid, e);
}

static void stop_child(int *pidfd)
{
	if (*pidfd < 0)
		return;
	pidfd_send_signal(*pidfd, SIGKILL, NULL, 0);
	siginfo_t si;
	while (waitid((idtype_t)P_PIDFD, (id_t)*pidfd, &si, WEXITED) < 0 && errno == EINTR)
		;
	close(*pidfd);
	*pidfd = -1;
}

int net_disconnect(struct net *n, struct ward_error *e)
{
	if (!n->egress) {
		ward_error_set(e, 0, "it has no egress to take away");
		return -1;
	}
	if (n->pasta_pidfd >= 0) {
		stop_child(&n->pasta_pidfd); /* its tap device goes with it */
		n->egress = false;
		return 0;
	}
	return veth_egress(n, false, e);
}

/* Under the lock: with no ward veth left, the table (and forwarding, if ward turned it on)
 * goes too. */
static void table_if_unused(void)
{
	struct ward_error ignored;
	struct nl_sock *sk = nl_open(&ignored);
	if (sk && nl_count_links(sk, NET_IF_PREFIX) == 0)
		nft_table_remove();
	rtnl_close(sk);
}

/* Remove HOST_IF, and the table when it was the last. The link goes outside the lock: while
 * it exists its /30 stays routed, so no start can take that range meanwhile. */
static void remove_veth(const char *host_if)
{
	struct ward_error ignored;
	struct nl_sock *sk = nl_open(&ignored);
	if (sk)
		nl_link_delete(sk, host_if);
	rtnl_close(sk);
	net_sweep();
}

/* Keep only netlink sockets: the state and image locks, the control socket and the rest
 * must not outlive the sandbox in this process. The nftables socket stays, so that the
 * caller's exit does not wait for its release (see nft_run). */
static void keep_only_netlink(void)
{
	for (int fd = 3; fd < 1024; fd++) {
		int domain;
		socklen_t len = sizeof(domain);
		if (getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &domain, &len) < 0 && errno == EBADF)
			continue;
		if (domain != AF_NETLINK || len != sizeof(domain))
			close(fd);
	}
}

/* Removing a link waits for the kernel (an RCU grace period, tens of milliseconds); the
 * sandbox has ended, so a detached process does it while the caller reports the result. */
static void remove_veth_later(const char *host_if)
{
	pid_t pid = fork();
	if (pid == 0) {
		setsid();
		if (fork() == 0) {
			keep_only_netlink();
			remove_veth(host_if);
		}
		_exit(0);
	}
	if (pid < 0)
		remove_veth(host_if);
	else
		waitpid(pid, NULL, 0);
}

void net_release(struct net *n)
{
	stop_child(&n->fwd_pidfd);
	stop_child(&n->pasta_pidfd);
	for (size_t i = 0; i < n->n_listen; i++)
		close(n->listen[i]);
	n->n_listen = 0;
	if (n->veth)
		remove_veth_later(n->host_if);
	n->veth = false;
	if (n->netns >= 0)
		close(n->netns);
	if (n->userns >= 0)
		close(n->userns);
	n->netns = n->userns = -1;
}

void net_sweep(void)
{
	if (geteuid() != 0 || access(NET_TABLE_MARKER, F_OK) != 0)
		return;
	/* while ward veths exist (the usual case when the table does) the lock is not needed */
	struct ward_error ignored;
	struct nl_sock *sk = nl_open(&ignored);
	int links = sk ? nl_count_links(sk, NET_IF_PREFIX) : -1;
	rtnl_close(sk);
	int lock = links == 0 ? lock_network(&ignored) : -1;
	if (lock >= 0) {
		table_if_unused();
		close(lock);
	}
}

void net_forget(const char *host_if)
{
	struct ward_error ignored;
	struct nl_sock *sk = geteuid() == 0 ? nl_open(&ignored) : NULL;
	if (!sk)
		return;
	/* the namespace is torn down asynchronously once its last process is gone */
	for (int i = 0; i < 100 && nl_link_exists(sk, host_if); i++)
		usleep(10000);
	rtnl_close(sk);
	net_sweep();
}
