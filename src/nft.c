/* ward's own nftables table, through libnftables (nftables' library: rules go to the kernel
 * over netlink in one transaction each, no nft process). The library is loaded only when a
 * root sandbox gets a veth, so every other start pays nothing for it.
 *
 * table inet ward: the host accepts nothing new from a ward veth (only replies to the port
 * forwarder's connections); sandboxes never reach each other; a sandbox whose address is in
 * the egress set is forwarded and masqueraded, link-local (metadata) addresses excepted.
 * When ward itself turned IPv4 forwarding on, a last rule drops every other forwarded
 * packet, so the host forwards nothing it did not forward before. */
#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "net.h"
#include "sys.h"

#define NFT_LIB    "libnftables.so.1"
#define IP_FORWARD "/proc/sys/net/ipv4/ip_forward"

struct nft_ctx;
static struct {
	void *lib;
	struct nft_ctx *(*ctx_new)(uint32_t flags);
	void (*ctx_free)(struct nft_ctx *);
	int (*buffer_error)(struct nft_ctx *);
	int (*buffer_output)(struct nft_ctx *);
	const char *(*get_error)(struct nft_ctx *);
	int (*run)(struct nft_ctx *, const char *);
} nft;

int nft_load(struct ward_error *e)
{
	if (nft.lib)
		return 0;
	void *lib = dlopen(NFT_LIB, RTLD_NOW | RTLD_LOCAL);
	if (!lib) {
		ward_error_set(
		    e, 0,
		    "network: a veth for this sandbox needs nftables rules, and %s cannot "
		    "be loaded (install Debian's libnftables1): %s",
		    NFT_LIB, dlerror());
		return -1;
	}
	nft.ctx_new = (struct nft_ctx * (*)(uint32_t)) dlsym(lib, "nft_ctx_new");
	nft.ctx_free = (void (*)(struct nft_ctx *))dlsym(lib, "nft_ctx_free");
	nft.buffer_error = (int (*)(struct nft_ctx *))dlsym(lib, "nft_ctx_buffer_error");
	nft.buffer_output = (int (*)(struct nft_ctx *))dlsym(lib, "nft_ctx_buffer_output");
	nft.get_error = (const char *(*)(struct nft_ctx *))dlsym(lib, "nft_ctx_get_error_buffer");
	nft.run = (int (*)(struct nft_ctx *, const char *))dlsym(lib, "nft_run_cmd_from_buffer");
	if (!nft.ctx_new || !nft.ctx_free || !nft.buffer_error || !nft.buffer_output ||
	    !nft.get_error || !nft.run) {
		ward_error_set(e, 0, "network: %s lacks the functions ward uses", NFT_LIB);
		dlclose(lib);
		return -1;
	}
	nft.lib = lib;
	return 0;
}

/* One context for the process: each context's socket, when closed, waits for the kernel to
 * finish destroying what earlier transactions replaced (an RCU grace period, milliseconds).
 * A forked child (a server's worker, which closes the fds it inherits) makes its own and
 * leaves the parent's alone: freeing it would close an fd number that may be another's now.
 * Callers on several threads take turns. Run COMMANDS as one transaction. */
static pthread_mutex_t nft_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_once_t nft_once = PTHREAD_ONCE_INIT;

/* A child forked while another thread held the lock would wait for it forever. */
static void nft_child_reset(void)
{
	pthread_mutex_init(&nft_lock, NULL);
}

static void nft_register_reset(void)
{
	pthread_atfork(NULL, NULL, nft_child_reset);
}

static int nft_run(const char *commands, const char *what, struct ward_error *e)
{
	static struct nft_ctx *ctx;
	static pid_t owner;
	if (nft_load(e) < 0)
		return -1;
	pthread_once(&nft_once, nft_register_reset);
	pthread_mutex_lock(&nft_lock);
	if (ctx && owner != getpid())
		ctx = NULL;
	if (!ctx && (ctx = nft.ctx_new(0))) {
		owner = getpid();
		nft.buffer_error(ctx);
		nft.buffer_output(ctx); /* nothing for the terminal */
	}
	if (!ctx) {
		pthread_mutex_unlock(&nft_lock);
		return ward_error_set(e, ENOMEM, "network: nftables");
	}
	int rc = nft.run(ctx, commands);
	if (rc != 0) {
		char first[300];
		snprintf(first, sizeof(first), "%s", nft.get_error(ctx));
		first[strcspn(first, "\n")] = 0;
		ward_error_set(e, 0, "network: %s: nftables refused it: %s", what, first);
	}
	pthread_mutex_unlock(&nft_lock);
	return rc == 0 ? 0 : -1;
}

#define IN     "iifname \"" NET_IF_PREFIX "*\" "
#define OUT    "oifname \"" NET_IF_PREFIX "*\" "
#define REJECT "reject with icmpx type admin-prohibited"

/* Made if missing, its rules replaced: every attach leaves the table whole, in one
 * transaction, whatever state a crash left it in. */
static const char table[] =
    "add table inet ward\n"
    "add set inet ward egress { type ipv4_addr; }\n"
    "add chain inet ward input { type filter hook input priority filter - 1; policy accept; }\n"
    "add chain inet ward forward { type filter hook forward priority filter - 1; policy "
    "accept; }\n"
    "add chain inet ward postrouting { type nat hook postrouting priority srcnat; policy "
    "accept; }\n"
    "flush chain inet ward input\n"
    "flush chain inet ward forward\n"
    "flush chain inet ward postrouting\n"
    "add rule inet ward input " IN "ct state established,related accept\n"
    "add rule inet ward input " IN REJECT "\n"
    "add rule inet ward forward " IN OUT "drop\n"
    "add rule inet ward forward " IN "ip saddr @egress ip daddr != { 169.254.0.0/16, "
    "127.0.0.0/8 } accept\n"
    "add rule inet ward forward " OUT "ct state established,related accept\n"
    "add rule inet ward forward " IN REJECT "\n"
    "add rule inet ward forward " OUT "drop\n"
    "add rule inet ward postrouting oifname != \"" NET_IF_PREFIX "*\" ip saddr @egress "
    "masquerade\n";

static int write_forwarding(const char *value)
{
	autoclose int fd = open(IP_FORWARD, O_WRONLY | O_CLOEXEC);
	return fd >= 0 && write(fd, value, 2) == 2 ? 0 : -1;
}

int nft_attach(uint32_t addr, bool egress, struct ward_error *e)
{
	/* Forwarding: turned on only for egress, and when ward turns it on (the marker says
	 * so), a last rule drops every forwarded packet that is not a ward sandbox's. */
	bool turn_on = egress && read_long_file(IP_FORWARD) == 0;
	if (turn_on) {
		autoclose int fwd = open(NET_FORWARD_MARKER, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
		if (fwd < 0) {
			ward_error_set(e, errno, "network: creating %s", NET_FORWARD_MARKER);
			return -1;
		}
	}
	char ip[16], element[128], cmd[sizeof(table) + 256];
	net_ntoa(addr, ip);
	/* add-then-delete leaves the element absent whether or not it was there */
	snprintf(element, sizeof(element), "add element inet ward egress { %s }\n", ip);
	if (!egress)
		snprintf(element + strlen(element), sizeof(element) - strlen(element),
		         "delete element inet ward egress { %s }\n", ip);
	/* With the table there (other sandboxes), only the element changes: a smaller
	 * transaction. Failing that, or to add the forwarding guard, the whole table. */
	struct ward_error ignored;
	if (!turn_on && access(NET_TABLE_MARKER, F_OK) == 0 && nft_run(element, "", &ignored) == 0)
		return 0;
	snprintf(cmd, sizeof(cmd), "%s%s%s", table,
	         access(NET_FORWARD_MARKER, F_OK) == 0 ? "add rule inet ward forward drop\n" : "",
	         element);
	autoclose int marker = open(NET_TABLE_MARKER, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	if (marker < 0) {
		ward_error_set(e, errno, "network: creating %s", NET_TABLE_MARKER);
		return -1;
	}
	if (nft_run(cmd, "setting up the table inet ward", e) < 0)
		return -1;
	if (turn_on && write_forwarding("1\n") < 0) {
		ward_error_set(e, errno, "network: turning on %s for egress", IP_FORWARD);
		return -1;
	}
	return 0;
}

int nft_egress_off(uint32_t addr, struct ward_error *e)
{
	char cmd[128], ip[16];
	net_ntoa(addr, ip);
	snprintf(cmd, sizeof(cmd), "delete element inet ward egress { %s }\n", ip);
	return nft_run(cmd, "removing egress", e);
}

void nft_table_remove(void)
{
	if (access(NET_FORWARD_MARKER, F_OK) == 0 && write_forwarding("0\n") == 0)
		unlink(NET_FORWARD_MARKER);
	struct ward_error ignored;
	if (access(NET_TABLE_MARKER, F_OK) == 0)
		nft_run("delete table inet ward", "removing the table inet ward", &ignored);
	unlink(NET_TABLE_MARKER);
}
