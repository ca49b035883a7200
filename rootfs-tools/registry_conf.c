/* Which registries may be reached without TLS checks, the docker.io mirrors (both in
 * Docker's daemon.json format), and the extra CAs and client certificates of certs.d
 * directories as Docker and podman lay them out. */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "manifest.h"
#include "registry_int.h"
#include "strv.h"

#define MAX_CONF  (1u << 20)
#define MAX_CERTS (4u << 20)

static char **string_list(json_t *a, bool urls, const char *what, struct ward_error *e)
{
	if (!a)
		return calloc(1, sizeof(char *));
	if (!json_is_array(a) || json_array_size(a) > 256) {
		ward_error_set(e, 0, "\"%s\": not a list of strings", what);
		return NULL;
	}
	char **v = calloc(json_array_size(a) + 1, sizeof(char *));
	size_t i, n = 0;
	json_t *s;
	json_array_foreach(a, i, s)
	{
		const char *t = json_string_value(s);
		if (!v || !t || !*t || strlen(t) > 400 || (urls && !url_origin_len(t))) {
			ward_error_set(e, 0, "\"%s\": bad entry \"%.100s\"%s", what, t ? t : "",
			               urls ? " (expected an http(s) URL)" : "");
			strv_free(v);
			return NULL;
		}
		if (!(v[n] = strdup(t))) {
			strv_free(v);
			return NULL;
		}
		size_t l = strlen(v[n]);
		while (l > 1 && v[n][l - 1] == '/')
			v[n][--l] = 0;
		n++;
	}
	return v;
}

int conf_parse(const char *json, size_t len, struct registry_conf *c, struct ward_error *e)
{
	memset(c, 0, sizeof(*c));
	json_t *root = json_load_object(json, len, "registry config", e);
	if (!root)
		return -1;
	c->insecure = string_list(json_object_get(root, "insecure-registries"), false,
	                          "insecure-registries", e);
	if (c->insecure)
		c->mirrors = string_list(json_object_get(root, "registry-mirrors"), true,
		                         "registry-mirrors", e);
	json_decref(root);
	if (!c->insecure || !c->mirrors) {
		conf_free(c);
		return -1;
	}
	return 0;
}

void conf_free(struct registry_conf *c)
{
	strv_free(c->insecure);
	strv_free(c->mirrors);
	c->insecure = c->mirrors = NULL;
}

int conf_load(struct registry_conf *c, struct ward_error *e)
{
	const char *env = getenv("WARD_REGISTRY_CONFIG");
	const char *paths[] = {"/etc/ward/registries.json", "/etc/docker/daemon.json"};
	memset(c, 0, sizeof(*c));
	for (size_t i = 0; i < 2; i++) {
		const char *p = env && *env ? env : paths[i];
		size_t len;
		char *json = read_small(p, MAX_CONF, &len);
		if (!json && errno == ENOENT && !(env && *env))
			continue;
		if (!json)
			return ward_error_set(e, errno, "registry configuration %s", p);
		int rc = conf_parse(json, len, c, e);
		free(json);
		return rc < 0 ? ward_error_prefix(e, "%s", p) : 0;
	}
	c->insecure = calloc(1, sizeof(char *));
	c->mirrors = calloc(1, sizeof(char *));
	return c->insecure && c->mirrors ? 0 : ward_error_set(e, ENOMEM, "registry configuration");
}

/* The host of "HOST[:PORT]" or "[V6]:PORT", without brackets. */
static void host_of(const char *domain, char *out, size_t cap)
{
	if (domain[0] == '[') {
		snprintf(out, cap, "%.*s", (int)strcspn(domain + 1, "]"), domain + 1);
		return;
	}
	const char *colon = strchr(domain, ':');
	/* more than one ':' is a bare IPv6 address */
	if (colon && strchr(colon + 1, ':'))
		colon = NULL;
	snprintf(out, cap, "%.*s", colon ? (int)(colon - domain) : (int)strlen(domain), domain);
}

bool domain_loopback(const char *domain)
{
	char host[256];
	struct in_addr a4;
	struct in6_addr a6;
	host_of(domain, host, sizeof(host));
	if (!strcasecmp(host, "localhost"))
		return true;
	if (inet_pton(AF_INET, host, &a4) == 1)
		return (ntohl(a4.s_addr) >> 24) == 127;
	return inet_pton(AF_INET6, host, &a6) == 1 && IN6_IS_ADDR_LOOPBACK(&a6);
}

static bool in_cidr(const char *cidr, const char *host)
{
	char net[128];
	const char *slash = strchr(cidr, '/');
	if (!slash || (size_t)(slash - cidr) >= sizeof(net))
		return false;
	snprintf(net, sizeof(net), "%.*s", (int)(slash - cidr), cidr);
	char *end;
	long bits = strtol(slash + 1, &end, 10);
	unsigned char a[16], b[16];
	int af = strchr(net, ':') ? AF_INET6 : AF_INET;
	int max = af == AF_INET6 ? 128 : 32;
	if (*end || bits < 0 || bits > max || inet_pton(af, net, a) != 1 ||
	    inet_pton(af, host, b) != 1)
		return false;
	for (long i = 0; i < bits; i++)
		if ((a[i / 8] ^ b[i / 8]) & (0x80 >> (i % 8)))
			return false;
	return true;
}

bool conf_insecure(const struct registry_conf *c, const char *domain)
{
	char host[256];
	host_of(domain, host, sizeof(host));
	for (char **p = c ? c->insecure : NULL; p && *p; p++) {
		const char *s = *p;
		if (!strncasecmp(s, "http://", 7))
			s += 7;
		else if (!strncasecmp(s, "https://", 8))
			s += 8;
		if (strchr(s, '/') ? in_cidr(s, host) : !strcasecmp(s, domain))
			return true;
	}
	return false;
}

static int append_file(struct tls_files *t, const char *path, struct ward_error *e)
{
	size_t len;
	char *pem = read_small(path, MAX_CERTS, &len);
	if (!pem)
		return ward_error_set(e, errno, "%s", path);
	char *n = realloc(t->ca_pem, t->ca_len + len + 2);
	if (!n) {
		free(pem);
		return ward_error_set(e, ENOMEM, "%s", path);
	}
	t->ca_pem = n;
	memcpy(n + t->ca_len, pem, len);
	t->ca_len += len;
	n[t->ca_len++] = '\n';
	n[t->ca_len] = 0;
	free(pem);
	return 0;
}

static int sort_names(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);
	return n > k && !strcmp(s + n - k, suffix);
}

/* DIR's *.crt appended to the extra CAs; its first *.cert with the *.key of the same name
 * is the client pair. */
static int scan_dir(const char *dir, struct tls_files *t, struct ward_error *e)
{
	struct dirent **names;
	int n = scandir(dir, &names, NULL, sort_names);
	if (n < 0)
		return errno == ENOENT || errno == ENOTDIR ? 0
		                                           : ward_error_set(e, errno, "%s", dir);
	int rc = 0;
	for (int i = 0; i < n; i++) {
		char path[PATH_MAX];
		const char *name = names[i]->d_name;
		snprintf(path, sizeof(path), "%s/%s", dir, name);
		if (rc == 0 && ends_with(name, ".crt"))
			rc = append_file(t, path, e);
		else if (rc == 0 && ends_with(name, ".cert") && !t->cert[0]) {
			snprintf(t->cert, sizeof(t->cert), "%s", path);
			snprintf(t->key, sizeof(t->key), "%.*s.key", (int)(strlen(path) - 5), path);
			if (access(t->key, R_OK) < 0)
				rc = ward_error_set(e, errno,
				                    "%s: client certificate without its key %s",
				                    t->cert, t->key);
		}
		free(names[i]);
	}
	free(names);
	return rc;
}

static int add_dir(struct tls_files *t, const char *base, const char *domain)
{
	char dir[PATH_MAX];
	int n = domain ? snprintf(dir, sizeof(dir), "%s/%s", base, domain)
	               : snprintf(dir, sizeof(dir), "%s", base);
	size_t used = strlen(t->searched);
	if (n < 0 || (size_t)n >= sizeof(dir))
		return -1;
	snprintf(t->searched + used, sizeof(t->searched) - used, "%s%s", used ? ", " : "", dir);
	return 0;
}

int tls_files_find(const char *domain, const char *cert_dir, struct tls_files *t,
                   struct ward_error *e)
{
	memset(t, 0, sizeof(*t));
	const char *certs_d = getenv("WARD_CERTS_D"), *home = getenv("HOME"),
	           *xdg = getenv("XDG_CONFIG_HOME");
	if (cert_dir) {
		add_dir(t, cert_dir, NULL);
	} else if (certs_d && *certs_d) {
		char *list = strdup(certs_d), *save = NULL;
		for (char *d = list ? strtok_r(list, ":", &save) : NULL; d;
		     d = strtok_r(NULL, ":", &save))
			add_dir(t, d, domain);
		free(list);
	} else {
		add_dir(t, "/etc/ward/certs.d", domain);
		add_dir(t, "/etc/containers/certs.d", domain);
		add_dir(t, "/etc/docker/certs.d", domain);
		if (geteuid() != 0 && home && *home) {
			char p[PATH_MAX];
			if (xdg && *xdg)
				snprintf(p, sizeof(p), "%s/containers/certs.d", xdg);
			else
				snprintf(p, sizeof(p), "%s/.config/containers/certs.d", home);
			add_dir(t, p, domain);
			snprintf(p, sizeof(p), "%s/.docker/certs.d", home);
			add_dir(t, p, domain);
		}
	}
	char *list = strdup(t->searched), *save = NULL;
	if (!list)
		return ward_error_set(e, ENOMEM, "certs.d");
	int rc = 0;
	for (char *d = strtok_r(list, ",", &save); d && rc == 0; d = strtok_r(NULL, ",", &save))
		rc = scan_dir(d + strspn(d, " "), t, e);
	free(list);
	if (rc == 0 && t->ca_pem) {
		/* libcurl's CA blob replaces its default bundle: the system's CAs go first */
		static const char *bundles[] = {"/etc/ssl/certs/ca-certificates.crt",
		                                "/etc/pki/tls/certs/ca-bundle.crt",
		                                "/etc/ssl/cert.pem"};
		char *extra = t->ca_pem;
		size_t extra_len = t->ca_len;
		t->ca_pem = NULL;
		t->ca_len = 0;
		for (size_t i = 0; i < 3; i++)
			if (access(bundles[i], R_OK) == 0) {
				rc = append_file(t, bundles[i], e);
				break;
			}
		char *n = rc == 0 ? realloc(t->ca_pem, t->ca_len + extra_len + 1) : NULL;
		if (n) {
			memcpy(n + t->ca_len, extra, extra_len + 1);
			t->ca_pem = n;
			t->ca_len += extra_len;
		} else if (rc == 0) {
			rc = ward_error_set(e, ENOMEM, "certs.d");
		}
		free(extra);
	}
	if (rc < 0)
		tls_files_free(t);
	return rc;
}

void tls_files_free(struct tls_files *t)
{
	free(t->ca_pem);
	t->ca_pem = NULL;
	t->ca_len = 0;
}
