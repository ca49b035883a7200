/* What ward oci's commands share: the root and a container's record directory, the
 * context, fds, files and JSON output. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "oci.h"

/* mkdir -p, each missing level 0700 (runc's MkdirAll(root, 0700)). */
static int make_dirs(char *path)
{
	for (char *p = path + 1;; p++) {
		if (*p != '/' && *p)
			continue;
		char c = *p;
		*p = 0;
		int r = mkdir(path, 0700);
		*p = c;
		if (r < 0 && errno != EEXIST)
			return -1;
		if (!c)
			return 0;
	}
}

int oci_state_dir(const char *id, bool make_root, char *out, size_t len)
{
	char root[4096];
	if (!oci_g.root)
		return oci_fail("--root: not given, and XDG_RUNTIME_DIR is not set"), -1;
	if ((size_t)snprintf(root, sizeof(root), "%s", oci_g.root) >= sizeof(root) ||
	    (size_t)snprintf(out, len, "%s/%s", oci_g.root, id) >= len)
		return oci_fail("--root: '%s': too long", oci_g.root), -1;
	if (make_root && make_dirs(root) < 0)
		return oci_fail("--root: %s: %s", oci_g.root, strerror(errno)), -1;
	return 0;
}

int oci_exists(const char *id, const char *dir, bool quiet)
{
	struct stat st;
	if (lstat(dir, &st) == 0 && S_ISDIR(st.st_mode))
		return 1;
	if (!quiet)
		oci_fail("%s: container does not exist", id);
	return 0;
}

json_t *oci_state_json(const char *id, const char *dir)
{
	struct ward_error e = {0};
	char *text = NULL;
	if (!oci_exists(id, dir, false))
		return NULL;
	if (ward_container_state(dir, &text, &e) < 0) {
		oci_fail_e(id, &e);
		return NULL;
	}
	json_error_t je;
	json_t *j = json_loads(text, JSON_PRESERVE_ORDER, &je);
	free(text);
	if (!j)
		oci_fail("%s: state: %s", id, je.text);
	return j;
}

static void close_from_to(unsigned first, unsigned last)
{
	if (first > last || syscall(SYS_close_range, first, last, 0) == 0)
		return;
	long max = sysconf(_SC_OPEN_MAX);
	for (long fd = first; fd < (max > 0 ? max : 65536) && fd <= (long)last; fd++)
		close((int)fd);
}

void oci_close_fds(unsigned first)
{
	int keep = oci_log_fd();
	if (keep < (int)first) {
		close_from_to(first, ~0U);
		return;
	}
	close_from_to(first, (unsigned)keep - 1);
	close_from_to((unsigned)keep + 1, ~0U);
}

struct ward_context *oci_context(void)
{
	static struct ward_context *ctx;
	struct ward_error e = {0};
	if (!ctx && ward_context_new(&ctx, &e) < 0) {
		oci_fail_e("context", &e);
		exit(1);
	}
	ward_context_set_log(ctx, oci_lib_log, NULL);
	return ctx;
}

char *oci_read_file(const char *path)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "re") : stdin;
	if (!f)
		return oci_fail("%s: %s", path, strerror(errno)), NULL;
	size_t n = 0, cap = 4096;
	char *buf = malloc(cap);
	while (buf) {
		n += fread(buf + n, 1, cap - n - 1, f);
		if (n < cap - 1)
			break;
		char *b = realloc(buf, cap *= 2);
		if (!b)
			free(buf);
		buf = b;
	}
	bool err = ferror(f);
	if (f != stdin)
		fclose(f);
	if (!buf || err) {
		free(buf);
		return oci_fail("%s: cannot read it", path), NULL;
	}
	buf[n] = 0;
	return buf;
}

int oci_print_json(json_t *j, int indent)
{
	if (!j)
		return oci_fail("out of memory");
	size_t flags = indent ? JSON_INDENT(indent) : JSON_COMPACT;
	int r = json_dumpf(j, stdout, JSON_PRESERVE_ORDER | flags);
	json_decref(j);
	putchar('\n');
	return r < 0 || fflush(stdout) ? oci_fail("stdout: %s", strerror(errno)) : 0;
}
