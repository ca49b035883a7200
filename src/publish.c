/* The network options' grammar: --publish, --network, --dns. */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net.h"
#include "spec.h"

/* A port number from MIN to 65535, digits only. */
static int parse_port(const char *text, size_t len, unsigned min, uint16_t *out)
{
	if (len == 0 || len > 5)
		return -1;
	unsigned v = 0;
	for (size_t i = 0; i < len; i++) {
		if (text[i] < '0' || text[i] > '9')
			return -1;
		v = v * 10 + (unsigned)(text[i] - '0');
	}
	if (v < min || v > 65535)
		return -1;
	*out = (uint16_t)v;
	return 0;
}

static bool numeric_address(const char *a)
{
	unsigned char buf[16];
	return inet_pton(AF_INET, a, buf) == 1 || inet_pton(AF_INET6, a, buf) == 1;
}

/* "[v6]:" or "v4:" at the front of TEXT → p->addr; returns what follows, NULL if bad. */
static const char *take_address(const char *text, struct ward_publish *p)
{
	const char *end;
	const char *rest;
	if (text[0] == '[') {
		end = strchr(text, ']');
		if (!end || end[1] != ':')
			return NULL;
		text++;
		rest = end + 2;
	} else {
		end = strchr(text, ':');
		rest = end + 1;
	}
	size_t len = (size_t)(end - text);
	if (len == 0 || len >= sizeof(p->addr))
		return NULL;
	memcpy(p->addr, text, len);
	p->addr[len] = 0;
	unsigned char buf[16];
	bool v6 = strchr(p->addr, ':') != NULL;
	if (inet_pton(v6 ? AF_INET6 : AF_INET, p->addr, buf) != 1 || (v6 && text[-1] != '['))
		return NULL;
	return rest;
}

int ward_spec_add_publish(struct ward_spec *s, const char *text, struct ward_error *e)
{
	if (s->n_publish == WARD_MAX_PUBLISH) {
		ward_error_set(e, 0, "--publish %s: at most %d ports", text, WARD_MAX_PUBLISH);
		return -1;
	}
	struct ward_publish p = {.addr = "127.0.0.1"};
	char spec[128];
	if (snprintf(spec, sizeof(spec), "%s", text) >= (int)sizeof(spec))
		goto bad;
	char *proto = strchr(spec, '/');
	if (proto) {
		*proto++ = 0;
		if (!strcmp(proto, "udp")) {
			ward_error_set(e, 0,
			               "--publish %s: UDP is not forwarded (ward publishes TCP "
			               "ports only)",
			               text);
			return -1;
		}
		if (strcmp(proto, "tcp"))
			goto bad;
	}
	const char *rest = spec;
	size_t colons = 0;
	for (const char *c = spec; *c; c++)
		colons += *c == ':';
	if (spec[0] == '[' || colons == 2) {
		if (!(rest = take_address(spec, &p)))
			goto bad_addr;
	} else if (colons > 2) {
		goto bad_addr;
	}
	const char *colon = strchr(rest, ':');
	if (colon) {
		if (strchr(colon + 1, ':') ||
		    parse_port(rest, (size_t)(colon - rest), 0, &p.host_port) < 0 ||
		    parse_port(colon + 1, strlen(colon + 1), 1, &p.port) < 0)
			goto bad_port;
	} else if (parse_port(rest, strlen(rest), 1, &p.port) < 0) {
		goto bad_port;
	}
	for (size_t i = 0; i < s->n_publish; i++) {
		const struct ward_publish *q = &s->publish[i];
		if (p.host_port && q->host_port == p.host_port && !strcmp(q->addr, p.addr)) {
			ward_error_set(e, 0, "--publish %s: host port %s:%u is already published",
			               text, p.addr, p.host_port);
			return -1;
		}
	}
	s->publish[s->n_publish++] = p;
	return 0;
bad_addr:
	ward_error_set(e, 0,
	               "--publish %s: the host address must be a numeric IPv4 address or an "
	               "IPv6 one in brackets",
	               text);
	return -1;
bad_port:
	ward_error_set(e, 0,
	               "--publish %s: ports are numbers, the host's 0-65535 (0: any free one) and "
	               "the sandbox's 1-65535",
	               text);
	return -1;
bad:
	ward_error_set(e, 0, "--publish %s: expected [ADDR:]HOSTPORT:PORT[/tcp] or PORT", text);
	return -1;
}

int ward_spec_set_network(struct ward_spec *s, const char *text, struct ward_error *e)
{
	if (!strcmp(text, "none"))
		s->network = WARD_NET_NONE;
	else if (!strcmp(text, "egress"))
		s->network = WARD_NET_EGRESS;
	else {
		ward_error_set(e, 0, "--network %s: expected none or egress", text);
		return -1;
	}
	return 0;
}

int ward_spec_add_dns(struct ward_spec *s, const char *text, struct ward_error *e)
{
	if (strlen(text) >= sizeof(s->dns[0]) || !numeric_address(text)) {
		ward_error_set(e, 0, "--dns %s: expected a numeric IPv4 or IPv6 address", text);
		return -1;
	}
	if (s->n_dns == WARD_MAX_DNS) {
		ward_error_set(e, 0, "--dns %s: at most %d resolvers", text, WARD_MAX_DNS);
		return -1;
	}
	snprintf(s->dns[s->n_dns++], sizeof(s->dns[0]), "%s", text);
	return 0;
}

/* A host name as /etc/hosts takes one: letters, digits, '.', '-', '_'. */
static bool host_name(const char *n, size_t len)
{
	if (len == 0 || len > 253)
		return false;
	for (size_t i = 0; i < len; i++)
		if (!isalnum((unsigned char)n[i]) && !strchr(".-_", n[i]))
			return false;
	return true;
}

int ward_spec_add_host(struct ward_spec *s, const char *text, struct ward_error *e)
{
	const char *colon = strchr(text, ':');
	size_t n = 0;
	while (s->hosts && s->hosts[n])
		n++;
	if (!colon || !host_name(text, (size_t)(colon - text)) || !numeric_address(colon + 1))
		return ward_error_set(
		    e, 0, "--add-host %s: expected NAME:ADDR with a numeric address", text);
	if (n == WARD_MAX_HOSTS)
		return ward_error_set(e, 0, "--add-host %s: at most %d hosts", text,
		                      WARD_MAX_HOSTS);
	char **v = realloc(s->hosts, (n + 2) * sizeof(*v));
	if (!v)
		return ward_error_set(e, ENOMEM, "--add-host");
	s->hosts = v;
	v[n + 1] = NULL;
	if (asprintf(&v[n], "%s %.*s", colon + 1, (int)(colon - text), text) < 0) {
		v[n] = NULL;
		return ward_error_set(e, ENOMEM, "--add-host");
	}
	return 0;
}

/* For specs a library caller filled in: what the grammar above would have refused. An
 * address that does not parse must never fall back to binding every interface. */
int net_spec_validate(const struct ward_spec *s, struct ward_error *e)
{
	if (s->network != WARD_NET_NONE && s->network != WARD_NET_EGRESS) {
		ward_error_set(e, 0, "network: unknown mode %d", (int)s->network);
		return -1;
	}
	if (s->n_publish > WARD_MAX_PUBLISH || s->n_dns > WARD_MAX_DNS) {
		ward_error_set(e, 0, "network: at most %d published ports and %d resolvers",
		               WARD_MAX_PUBLISH, WARD_MAX_DNS);
		return -1;
	}
	for (size_t i = 0; i < s->n_publish; i++) {
		const struct ward_publish *p = &s->publish[i];
		if (!memchr(p->addr, 0, sizeof(p->addr)) || !numeric_address(p->addr) || !p->port) {
			ward_error_set(e, 0,
			               "--publish %.*s:%u:%u: needs a numeric host address and a "
			               "sandbox port from 1",
			               (int)sizeof(p->addr), p->addr, p->host_port, p->port);
			return -1;
		}
	}
	for (size_t i = 0; i < s->n_dns; i++) {
		if (!memchr(s->dns[i], 0, sizeof(s->dns[i])) || !numeric_address(s->dns[i])) {
			ward_error_set(e, 0, "--dns %.*s: expected a numeric IPv4 or IPv6 address",
			               (int)sizeof(s->dns[i]), s->dns[i]);
			return -1;
		}
	}
	return 0;
}
