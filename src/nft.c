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

/* Run COMMANDS as one transaction; QUIET: failure is expected and not reported. */
static int nft_run(const char *commands, const char *what, bool quiet, struct ward_error *e)
{
	if (nft_load(e) < 0)
		return -1;
	struct nft_ctx *ctx = nft.ctx_new(0);
	if (!ctx) {
		ward_error_set(e, ENOMEM, "network: nftables");
		return -1;
	}
	nft.buffer_error(ctx);
	nft.buffer_output(ctx); /* a listing is for ward, not for the terminal */
	int rc = nft.run(ctx, commands);
	if (rc != 0 && !quiet) {
		char first[300];
		snprintf(first, sizeof(first), "%s", nft.get_error(ctx));
		first[strcspn(first, "\n")] = 0;
		ward_error_set(e, 0, "network: %s: nftables refused it: %s", what, first);
	}
	nft.ctx_free(ctx);
	return rc == 0 ? 0 : -1;
}

static const char table[] =
    "table inet ward {\n"
    "  set egress { type ipv4_addr; }\n"
    "  chain input { type filter hook input priority filter - 1; policy accept;\n"
    "    iifname \"" NET_IF_PREFIX "*\" ct state established,related accept\n"
    "    iifname \"" NET_IF_PREFIX "*\" reject with icmpx type admin-prohibited\n"
    "  }\n"
    "  chain forward { type filter hook forward priority filter - 1; policy accept;\n"
    "    iifname \"" NET_IF_PREFIX "*\" oifname \"" NET_IF_PREFIX "*\" drop\n"
    "    iifname \"" NET_IF_PREFIX "*\" ip saddr @egress ip daddr != { 169.254.0.0/16, "
    "127.0.0.0/8 } accept\n"
    "    oifname \"" NET_IF_PREFIX "*\" ct state established,related accept\n"
    "    iifname \"" NET_IF_PREFIX "*\" reject with icmpx type admin-prohibited\n"
    "    oifname \"" NET_IF_PREFIX "*\" drop\n"
    "  }\n"
    "  chain postrouting { type nat hook postrouting priority srcnat; policy accept;\n"
    "    oifname != \"" NET_IF_PREFIX "*\" ip saddr @egress masquerade\n"
    "  }\n"
    "}\n";

static bool table_exists(void)
{
	struct ward_error ignored;
	return nft_run("list table inet ward", "", true, &ignored) == 0;
}

/* The marker file tells a sweep that a table may exist without loading the library. */
int nft_table_ensure(struct ward_error *e)
{
	autoclose int marker = open(NET_TABLE_MARKER, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	if (marker < 0) {
		ward_error_set(e, errno, "network: creating %s", NET_TABLE_MARKER);
		return -1;
	}
	if (table_exists())
		return 0;
	return nft_run(table, "creating the table inet ward", false, e);
}

int nft_egress(uint32_t addr, bool on, struct ward_error *e)
{
	char cmd[256], ip[16];
	net_ntoa(addr, ip);
	/* add-then-delete leaves the element absent whether or not it was there. */
	snprintf(cmd, sizeof(cmd),
	         "add element inet ward egress { %s }\n%s element inet ward egress { %s }\n", ip,
	         on ? "add" : "delete", ip);
	return nft_run(cmd, on ? "allowing egress" : "removing egress", false, e);
}

/* Forwarding: on only while a ward sandbox needs it, and only if ward turned it on; the
 * marker file says ward did. */
int nft_forwarding_on(struct ward_error *e)
{
	if (read_long_file(IP_FORWARD) == 1)
		return 0;
	autoclose int marker = open(NET_FORWARD_MARKER, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	if (marker < 0) {
		ward_error_set(e, errno, "network: creating %s", NET_FORWARD_MARKER);
		return -1;
	}
	if (nft_run("add rule inet ward forward drop", "restricting forwarding to ward", false, e) <
	    0)
		return -1;
	autoclose int fd = open(IP_FORWARD, O_WRONLY | O_CLOEXEC);
	if (fd < 0 || write(fd, "1\n", 2) != 2) {
		ward_error_set(e, errno, "network: turning on %s for egress", IP_FORWARD);
		return -1;
	}
	return 0;
}

void nft_table_remove(void)
{
	if (access(NET_FORWARD_MARKER, F_OK) == 0) {
		autoclose int fd = open(IP_FORWARD, O_WRONLY | O_CLOEXEC);
		if (fd >= 0 && write(fd, "0\n", 2) == 2)
			unlink(NET_FORWARD_MARKER);
	}
	struct ward_error ignored;
	if (table_exists())
		nft_run("delete table inet ward", "", true, &ignored);
	unlink(NET_TABLE_MARKER);
}
