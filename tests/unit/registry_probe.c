/* The registry client from a program's side, for checks against a real registry:
 *   registry_probe [OPTS] manifest REF                  media type, digest, size; body on stdout
 *   registry_probe [OPTS] blob REF DIGEST SIZE [OFFSET]  the bytes on stdout
 *   registry_probe [OPTS] parallel REF DIGEST SIZE N     N threads of one session fetch
 *                                                        the blob: its sha256 from each
 *   registry_probe [OPTS] has REF DIGEST                 "yes" or "no"
 *   registry_probe [OPTS] putblob REF DIGEST FILE
 *   registry_probe [OPTS] putmanifest REF MEDIATYPE FILE
 *   registry_probe [OPTS] login DOMAIN USER PASS | logout DOMAIN | name REF
 * OPTS: --creds U:P --authfile F --cert-dir D --tls-verify=false */
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "context.h"
#include "registry.h"

static void log_line(enum ward_log_level level, const char *msg, void *arg)
{
	(void)level;
	(void)arg;
	fprintf(stderr, "registry_probe: %s\n", msg);
}

static int to_stdout(void *arg, const void *buf, size_t len)
{
	(void)arg;
	return fwrite(buf, 1, len, stdout) == len ? 0 : -1;
}

struct fetch {
	struct registry *reg;
	const char *digest;
	uint64_t size;
	struct sha256 h;
	struct ward_error e;
	int rc;
};

static int hash_sink(void *arg, const void *buf, size_t len)
{
	sha256_update(arg, buf, len);
	return 0;
}

static void *fetch_thread(void *arg)
{
	struct fetch *f = arg;
	sha256_init(&f->h);
	f->rc = registry_get_blob(f->reg, f->digest, 0, f->size, hash_sink, &f->h, &f->e);
	return NULL;
}

static int parallel(struct registry *reg, const char *digest, uint64_t size, int n,
                    struct ward_error *e)
{
	struct fetch f[16];
	pthread_t t[16];
	n = n < 1 ? 1 : n > 16 ? 16 : n;
	for (int i = 0; i < n; i++) {
		f[i] = (struct fetch){.reg = reg, .digest = digest, .size = size};
		pthread_create(&t[i], NULL, fetch_thread, &f[i]);
	}
	int rc = 0;
	for (int i = 0; i < n; i++) {
		pthread_join(t[i], NULL);
		char d[DIGEST_LEN + 1];
		sha256_final(&f[i].h, d);
		if (f[i].rc < 0 && rc == 0)
			rc = -1, *e = f[i].e;
		else if (f[i].rc == 0)
			puts(d);
	}
	return rc;
}

static int fail(const struct ward_error *e)
{
	fprintf(stderr, "registry_probe: %s\n", e->msg);
	return 1;
}

static int session(const char *cmd, const char **a, int n, struct registry_opts *o,
                   struct ward_error *e);

int main(int argc, char **argv)
{
	struct ward_context *ctx;
	struct ward_error e = {0};
	if (ward_context_new(&ctx, &e) < 0)
		return fail(&e);
	ward_context_set_log(ctx, log_line, NULL);
	struct registry_opts o = {.ctx = ctx, .tls_verify = true};
	int i = 1;
	for (; i < argc && !strncmp(argv[i], "--", 2); i++) {
		if (!strcmp(argv[i], "--creds") && i + 1 < argc)
			o.creds = argv[++i];
		else if (!strcmp(argv[i], "--authfile") && i + 1 < argc)
			o.auth_file = argv[++i];
		else if (!strcmp(argv[i], "--cert-dir") && i + 1 < argc)
			o.cert_dir = argv[++i];
		else if (!strcmp(argv[i], "--tls-verify=false"))
			o.tls_verify = false;
		else {
			ward_context_free(ctx);
			return fprintf(stderr, "registry_probe: unknown option %s\n", argv[i]), 2;
		}
	}
	if (i + 1 >= argc)
		return fprintf(stderr, "usage: registry_probe [OPTS] CMD ARGS (see the source)\n"),
		       2;
	const char *cmd = argv[i], **a = (const char **)argv + i + 1;
	int n = argc - i - 1, rc = 0;
	if (!strcmp(cmd, "login") && n == 3)
		rc = registry_login(a[0], a[1], a[2], &o, &e);
	else if (!strcmp(cmd, "logout") && n == 1)
		rc = registry_logout(a[0], &o, &e);
	else
		rc = session(cmd, a, n, &o, &e);
	ward_context_free(ctx);
	if (rc < 0)
		return fail(&e);
	return rc == 2 ? 2 : 0;
}

static int session(const char *cmd, const char **a, int n, struct registry_opts *o,
                   struct ward_error *e0)
{
	struct ward_error e = {0};
	struct registry_ref ref;
	if (registry_ref_parse(a[0], &ref, &e) < 0)
		return *e0 = e, -1;
	if (!strcmp(cmd, "name")) {
		char name[1024];
		registry_ref_name(&ref, name, sizeof(name));
		printf("%s %s %s %s %s\n", name, ref.domain, ref.repo, ref.tag[0] ? ref.tag : "-",
		       ref.digest[0] ? ref.digest : "-");
		return 0;
	}
	o->access = !strncmp(cmd, "put", 3) ? REGISTRY_PUSH : REGISTRY_PULL;
	struct registry *reg;
	if (registry_open(&ref, o, &reg, &e) < 0)
		return *e0 = e, -1;
	int rc = 0;
	if (!strcmp(cmd, "manifest") && n == 1) {
		char *buf, mt[128], digest[DIGEST_LEN + 1];
		size_t len;
		rc = registry_get_manifest(reg, ref.digest[0] ? ref.digest : ref.tag, &buf, &len,
		                           mt, digest, &e);
		if (rc == 0) {
			fprintf(stderr, "%s %s %zu\n", mt, digest, len);
			fwrite(buf, 1, len, stdout);
			free(buf);
		}
	} else if (!strcmp(cmd, "blob") && (n == 3 || n == 4)) {
		rc = registry_get_blob(reg, a[1], n == 4 ? strtoull(a[3], NULL, 10) : 0,
		                       strtoull(a[2], NULL, 10), to_stdout, NULL, &e);
	} else if (!strcmp(cmd, "parallel") && n == 4) {
		rc = parallel(reg, a[1], strtoull(a[2], NULL, 10), atoi(a[3]), &e);
	} else if (!strcmp(cmd, "has") && n == 2) {
		rc = registry_has_blob(reg, a[1], &e);
		if (rc >= 0)
			puts(rc ? "yes" : "no");
	} else if (!strcmp(cmd, "putblob") && n == 3) {
		int fd = open(a[2], O_RDONLY);
		struct stat st;
		if (fd < 0 || fstat(fd, &st) < 0) {
			registry_close(reg);
			return ward_error_set(e0, 0, "%s: cannot open", a[2]);
		}
		rc = registry_put_blob(reg, a[1], (uint64_t)st.st_size, fd, &e);
		close(fd);
	} else if (!strcmp(cmd, "putmanifest") && n == 3) {
		FILE *f = fopen(a[2], "r");
		static char buf[4 << 20];
		size_t len = f ? fread(buf, 1, sizeof(buf), f) : 0;
		if (!f) {
			registry_close(reg);
			return ward_error_set(e0, 0, "%s: cannot open", a[2]);
		}
		fclose(f);
		rc = registry_put_manifest(reg, ref.digest[0] ? ref.digest : ref.tag, buf, len,
		                           a[1], &e);
	} else {
		fprintf(stderr, "registry_probe: bad command or arguments\n");
		rc = 2;
	}
	registry_close(reg);
	*e0 = e;
	return rc;
}
