/* The registry client from a program's side, for checks against a real registry:
 *   registry_probe [OPTS] manifest REF                  media type, digest, size; body on stdout
 *   registry_probe [OPTS] blob REF DIGEST SIZE [OFFSET]  the bytes on stdout
 *   registry_probe [OPTS] has REF DIGEST                 "yes" or "no"
 *   registry_probe [OPTS] putblob REF DIGEST FILE
 *   registry_probe [OPTS] putmanifest REF MEDIATYPE FILE
 *   registry_probe [OPTS] login DOMAIN USER PASS | logout DOMAIN | name REF
 * OPTS: --creds U:P --authfile F --cert-dir D --tls-verify=false */
#include <fcntl.h>
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

static int fail(const struct ward_error *e)
{
	fprintf(stderr, "registry_probe: %s\n", e->msg);
	return 1;
}

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
		else
			return fprintf(stderr, "registry_probe: unknown option %s\n", argv[i]), 2;
	}
	if (i + 1 >= argc)
		return fprintf(stderr, "usage: registry_probe [OPTS] CMD ARGS (see the source)\n"),
		       2;
	const char *cmd = argv[i], **a = (const char **)argv + i + 1;
	int n = argc - i - 1;
	if (!strcmp(cmd, "login") && n == 3)
		return registry_login(a[0], a[1], a[2], &o, &e) < 0 ? fail(&e) : 0;
	if (!strcmp(cmd, "logout") && n == 1)
		return registry_logout(a[0], &o, &e) < 0 ? fail(&e) : 0;
	struct registry_ref ref;
	if (registry_ref_parse(a[0], &ref, &e) < 0)
		return fail(&e);
	if (!strcmp(cmd, "name")) {
		char name[1024];
		registry_ref_name(&ref, name, sizeof(name));
		printf("%s %s %s %s %s\n", name, ref.domain, ref.repo, ref.tag[0] ? ref.tag : "-",
		       ref.digest[0] ? ref.digest : "-");
		return 0;
	}
	o.access = !strncmp(cmd, "put", 3) ? REGISTRY_PUSH : REGISTRY_PULL;
	struct registry *reg;
	if (registry_open(&ref, &o, &reg, &e) < 0)
		return fail(&e);
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
	} else if (!strcmp(cmd, "has") && n == 2) {
		rc = registry_has_blob(reg, a[1], &e);
		if (rc >= 0)
			puts(rc ? "yes" : "no");
	} else if (!strcmp(cmd, "putblob") && n == 3) {
		int fd = open(a[2], O_RDONLY);
		struct stat st;
		if (fd < 0 || fstat(fd, &st) < 0)
			return perror(a[2]), 1;
		rc = registry_put_blob(reg, a[1], (uint64_t)st.st_size, fd, &e);
		close(fd);
	} else if (!strcmp(cmd, "putmanifest") && n == 3) {
		FILE *f = fopen(a[2], "r");
		static char buf[4 << 20];
		size_t len = f ? fread(buf, 1, sizeof(buf), f) : 0;
		if (!f)
			return perror(a[2]), 1;
		fclose(f);
		rc = registry_put_manifest(reg, ref.digest[0] ? ref.digest : ref.tag, buf, len,
		                           a[1], &e);
	} else {
		fprintf(stderr, "registry_probe: bad command or arguments\n");
		rc = 2;
	}
	registry_close(reg);
	ward_context_free(ctx);
	if (rc < 0)
		return fail(&e);
	return rc == 2 ? 2 : 0;
}
