/* Credentials from the files people already have: containers' auth.json and Docker's
 * config.json ("auths", "credHelpers", "credsStore", the helpers run as
 * `docker-credential-NAME get` with the server on stdin), and login's own writes. */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <limits.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "manifest.h"
#include "registry_int.h"
#include "sys.h"

extern char **environ;

#define MAX_FILE (1u << 20)

/* An "auths" key as Docker and podman write them ("https://index.docker.io/v1/",
 * "host:port", "http://host/") reduced to the domain; namespaced keys ("host/org") give "". */
static void key_domain(const char *key, char *out, size_t cap)
{
	const char *p = key;
	bool scheme = false;
	if (!strncasecmp(p, "https://", 8))
		p += 8, scheme = true;
	else if (!strncasecmp(p, "http://", 7))
		p += 7, scheme = true;
	size_t n = strcspn(p, "/");
	if ((!scheme && p[n] == '/' && p[n + 1]) || n >= cap) {
		out[0] = 0;
		return;
	}
	snprintf(out, cap, "%.*s", (int)n, p);
	if (strcmp(registry_domain_canonical(out), out))
		snprintf(out, cap, "docker.io");
}

static bool helper_name_valid(const char *s)
{
	size_t n = strlen(s);
	return n > 0 && n < 64 &&
	       strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	                 "0123456789._-") == n;
}

static json_t *find_key(json_t *obj, const char *domain)
{
	const char *k;
	json_t *v;
	json_object_foreach(obj, k, v)
	{
		char d[256];
		key_domain(k, d, sizeof(d));
		if (!strcasecmp(d, domain))
			return v;
	}
	return NULL;
}

static int user_secret(const char *user, const char *secret, bool token, struct creds *c)
{
	if (strlen(user) >= sizeof(c->user) || strlen(secret) >= sizeof(c->secret))
		return -1;
	strcpy(c->user, user);
	strcpy(c->secret, secret);
	c->token = token;
	return 0;
}

int creds_parse(const char *json, size_t len, const char *domain, struct creds *c, char helper[64],
                struct ward_error *e)
{
	json_t *root = json_load_object(json, len, "credentials file", e);
	if (!root)
		return -1;
	int rc = 0;
	json_t *h = find_key(json_object_get(root, "credHelpers"), domain);
	json_t *a = find_key(json_object_get(root, "auths"), domain);
	json_t *store = json_object_get(root, "credsStore");
	json_t *auth = json_object_get(a, "auth"), *it = json_object_get(a, "identitytoken");
	if (json_is_string(h) && helper_name_valid(json_string_value(h))) {
		strcpy(helper, json_string_value(h));
		rc = 2;
	} else if (json_is_string(auth) && *json_string_value(auth)) {
		char plain[4400];
		size_t n;
		char *colon;
		if (base64_decode(json_string_value(auth), plain, sizeof(plain), &n) < 0 ||
		    strlen(plain) != n || !(colon = strchr(plain, ':')))
			rc = ward_error_set(e, 0, "auths.%s.auth: not base64 of USER:PASSWORD",
			                    domain);
		else {
			*colon = 0;
			bool tok = json_is_string(it) && *json_string_value(it);
			rc = user_secret(plain, tok ? json_string_value(it) : colon + 1, tok, c) < 0
			         ? ward_error_set(e, 0, "auths.%s: credentials too long", domain)
			         : 1;
		}
		explicit_bzero(plain, sizeof(plain));
	} else if (json_is_string(it) && *json_string_value(it)) {
		rc = user_secret("", json_string_value(it), true, c) < 0
		         ? ward_error_set(e, 0, "auths.%s: identity token too long", domain)
		         : 1;
	} else if (json_is_string(store) && helper_name_valid(json_string_value(store))) {
		strcpy(helper, json_string_value(store));
		rc = 2;
	}
	json_decref(root);
	return rc;
}

int creds_helper_parse(const char *json, size_t len, struct creds *c, struct ward_error *e)
{
	json_t *root = json_loadb(json, len, 0, NULL);
	json_t *u = json_object_get(root, "Username"), *s = json_object_get(root, "Secret");
	int rc = 0;
	if (!json_is_string(s) || !*json_string_value(s))
		rc = ward_error_set(e, 0, "no \"Secret\" in its answer");
	else {
		const char *user = json_is_string(u) ? json_string_value(u) : "";
		bool tok = !strcmp(user, "<token>");
		if (user_secret(tok ? "" : user, json_string_value(s), tok, c) < 0)
			rc = ward_error_set(e, 0, "credentials too long");
	}
	json_decref(root);
	return rc;
}

int creds_from_option(const char *opt, struct creds *c, struct ward_error *e)
{
	const char *colon = strchr(opt, ':');
	size_t n = colon ? (size_t)(colon - opt) : strlen(opt);
	if (n == 0 || n >= sizeof(c->user) || (colon && strlen(colon + 1) >= sizeof(c->secret)))
		return ward_error_set(e, 0, "--creds: expected USER[:PASSWORD]");
	memset(c, 0, sizeof(*c));
	memcpy(c->user, opt, n);
	if (colon)
		strcpy(c->secret, colon + 1);
	return 1;
}

/* Write ALL (N bytes) to FD, a pipe whose reader may be gone: EPIPE, never SIGPIPE. */
static int write_pipe(int fd, const char *all, size_t n)
{
	sigset_t pipe_set, old;
	sigemptyset(&pipe_set);
	sigaddset(&pipe_set, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &pipe_set, &old);
	int rc = write_all(fd, all, n);
	int err = errno;
	if (rc < 0 && err == EPIPE) {
		struct timespec zero = {0, 0};
		sigtimedwait(&pipe_set, NULL, &zero);
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	errno = err;
	return rc;
}

static int run_helper(const char *name, const char *domain, struct creds *c, struct ward_error *e)
{
	char prog[96];
	snprintf(prog, sizeof(prog), "docker-credential-%s", name);
	const char *server = !strcmp(domain, "docker.io") ? "https://index.docker.io/v1/" : domain;
	int in[2], out[2];
	if (pipe2(in, O_CLOEXEC) < 0)
		return ward_error_set(e, errno, "%s", prog);
	if (pipe2(out, O_CLOEXEC) < 0) {
		close(in[0]);
		close(in[1]);
		return ward_error_set(e, errno, "%s", prog);
	}
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, in[0], 0);
	posix_spawn_file_actions_adddup2(&fa, out[1], 1);
	char *argv[] = {prog, "get", NULL};
	pid_t pid;
	int err = posix_spawnp(&pid, prog, &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(in[0]);
	close(out[1]);
	if (err) {
		close(in[1]);
		close(out[0]);
		return ward_error_set(e, err, "credential helper %s", prog);
	}
	write_pipe(in[1], server, strlen(server));
	close(in[1]);
	struct membuf m = {0};
	char buf[4096];
	for (;;) {
		ssize_t r = read(out[0], buf, sizeof(buf));
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0 || m.len + (size_t)r > 65536 || membuf_append(&m, buf, (size_t)r) < 0)
			break;
	}
	close(out[0]);
	int status;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	int rc;
	const char *text = m.buf ? m.buf : "";
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		rc = strstr(text, "credentials not found")
		         ? 0
		         : ward_error_set(e, 0, "credential helper %s get: failed: %.*s", prog,
		                          (int)strcspn(text, "\n"), text);
	else
		rc = creds_helper_parse(text, m.len, c, e) < 0
		         ? ward_error_prefix(e, "credential helper %s", prog)
		         : 1;
	if (m.buf)
		explicit_bzero(m.buf, m.len);
	free(m.buf);
	return rc;
}

static bool is_root(void)
{
	return geteuid() == 0;
}

int creds_lookup(const char *domain, const char *auth_file, struct creds *c, struct ward_error *e)
{
	char paths[5][PATH_MAX];
	int n = 0;
	const char *env = getenv("REGISTRY_AUTH_FILE"), *xdg = getenv("XDG_RUNTIME_DIR"),
	           *dc = getenv("DOCKER_CONFIG"), *home = getenv("HOME");
	if (auth_file)
		snprintf(paths[n++], PATH_MAX, "%s", auth_file);
	if (env && *env)
		snprintf(paths[n++], PATH_MAX, "%s", env);
	if (is_root())
		snprintf(paths[n++], PATH_MAX, "/run/containers/0/auth.json");
	else if (xdg && *xdg)
		snprintf(paths[n++], PATH_MAX, "%s/containers/auth.json", xdg);
	if (dc && *dc)
		snprintf(paths[n++], PATH_MAX, "%s/config.json", dc);
	else if (home && *home)
		snprintf(paths[n++], PATH_MAX, "%s/.docker/config.json", home);
	for (int i = 0; i < n; i++) {
		size_t len;
		char *json = read_small(paths[i], MAX_FILE, &len), helper[64];
		if (!json) {
			if (errno == ENOENT || errno == ENOTDIR || errno == EACCES)
				continue;
			return ward_error_set(e, errno, "%s", paths[i]);
		}
		int rc = creds_parse(json, len, domain, c, helper, e);
		explicit_bzero(json, len);
		free(json);
		if (rc < 0)
			return ward_error_prefix(e, "%s", paths[i]);
		if (rc == 2)
			rc = run_helper(helper, domain, c, e);
		if (rc != 0)
			return rc;
	}
	return 0;
}

int creds_store_path(const char *auth_file, char *path, size_t len, struct ward_error *e)
{
	const char *env = getenv("REGISTRY_AUTH_FILE"), *xdg = getenv("XDG_RUNTIME_DIR"),
	           *home = getenv("HOME");
	int n;
	if (auth_file)
		n = snprintf(path, len, "%s", auth_file);
	else if (env && *env)
		n = snprintf(path, len, "%s", env);
	else if (is_root())
		n = snprintf(path, len, "/run/containers/0/auth.json");
	else if (xdg && *xdg)
		n = snprintf(path, len, "%s/containers/auth.json", xdg);
	else if (home && *home)
		n = snprintf(path, len, "%s/.config/containers/auth.json", home);
	else
		return ward_error_set(e, 0,
		                      "no place for auth.json: set REGISTRY_AUTH_FILE or use "
		                      "--authfile");
	if (n < 0 || (size_t)n >= len)
		return ward_error_set(e, ENAMETOOLONG, "auth file");
	return 0;
}

static int mkdir_parents(char *path)
{
	for (char *p = path + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = 0;
		int rc = mkdir(path, 0700);
		*p = '/';
		if (rc < 0 && errno != EEXIST)
			return -1;
	}
	return 0;
}

static json_t *load_store(const char *path, struct ward_error *e)
{
	size_t len;
	char *json = read_small(path, MAX_FILE, &len);
	if (!json && errno != ENOENT) {
		ward_error_set(e, errno, "%s", path);
		return NULL;
	}
	json_error_t je;
	json_t *root = json ? json_loadb(json, len, 0, &je) : json_object();
	free(json);
	if (!json_is_object(root) ||
	    (json_object_get(root, "auths") && !json_is_object(json_object_get(root, "auths")))) {
		ward_error_set(e, 0, "%s: not an auth file (a JSON object with \"auths\")", path);
		json_decref(root);
		return NULL;
	}
	if (!json_object_get(root, "auths"))
		json_object_set_new(root, "auths", json_object());
	return root;
}

/* ROOT to PATH: a 0600 temporary file in the same directory, synced, renamed over it. */
static int save_store(const char *path, json_t *root, struct ward_error *e)
{
	char dir[PATH_MAX], tmp[PATH_MAX];
	if (snprintf(dir, sizeof(dir), "%s", path) >= (int)sizeof(dir) ||
	    snprintf(tmp, sizeof(tmp), "%s.XXXXXX", path) >= (int)sizeof(tmp))
		return ward_error_set(e, ENAMETOOLONG, "%s", path);
	if (mkdir_parents(dir) < 0)
		return ward_error_set(e, errno, "%s: making its directory", path);
	char *text = json_dumps(root, JSON_INDENT(1));
	if (!text)
		return ward_error_set(e, ENOMEM, "%s", path);
	int fd = mkostemp(tmp, O_CLOEXEC);
	int rc = 0;
	if (fd < 0)
		rc = ward_error_set(e, errno, "%s", tmp);
	else if (fchmod(fd, 0600) < 0 || write_all(fd, text, strlen(text)) < 0 ||
	         write_all(fd, "\n", 1) < 0 || fsync(fd) < 0)
		rc = ward_error_set(e, errno, "%s", tmp);
	if (fd >= 0 && close(fd) < 0 && rc == 0)
		rc = ward_error_set(e, errno, "%s", tmp);
	if (rc == 0 && rename(tmp, path) < 0)
		rc = ward_error_set(e, errno, "%s", path);
	if (rc < 0 && fd >= 0)
		unlink(tmp);
	explicit_bzero(text, strlen(text));
	free(text);
	return rc;
}

int creds_store(const char *path, const char *domain, const struct creds *c, struct ward_error *e)
{
	json_t *root = load_store(path, e);
	if (!root)
		return -1;
	size_t n = strlen(c->user) + 1 + strlen(c->secret);
	char plain[sizeof(c->user) + sizeof(c->secret) + 2], enc[sizeof(plain) * 4 / 3 + 8];
	snprintf(plain, sizeof(plain), "%s:%s", c->user, c->secret);
	base64_encode(plain, n, enc);
	json_t *auths = json_object_get(root, "auths");
	const char *k;
	json_t *v;
	void *tmp;
	json_object_foreach_safe(auths, tmp, k, v)
	{
		char d[256];
		key_domain(k, d, sizeof(d));
		if (!strcasecmp(d, domain))
			json_object_del(auths, k);
	}
	json_object_set_new(auths, domain, json_pack("{s:s}", "auth", enc));
	int rc = save_store(path, root, e);
	explicit_bzero(plain, sizeof(plain));
	explicit_bzero(enc, sizeof(enc));
	json_decref(root);
	return rc;
}

int creds_forget(const char *path, const char *domain, struct ward_error *e)
{
	json_t *root = load_store(path, e);
	if (!root)
		return -1;
	json_t *auths = json_object_get(root, "auths"), *v;
	const char *k;
	void *tmp;
	int found = 0;
	json_object_foreach_safe(auths, tmp, k, v)
	{
		char d[256];
		key_domain(k, d, sizeof(d));
		if (!strcasecmp(d, domain)) {
			json_object_del(auths, k);
			found = 1;
		}
	}
	int rc = found ? save_store(path, root, e)
	               : ward_error_set(e, 0, "not logged in to %s (in %s)", domain, path);
	json_decref(root);
	return rc;
}
