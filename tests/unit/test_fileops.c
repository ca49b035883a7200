/* Unit tests: ward cp / read / write on a root fd, against symlinks a workload could plant.
 * "host" is a directory outside the root standing in for the host's files. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ftw.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "spec.h"

static char top[64], root[128], host[128], out[128];
static int rootfd = -1;

static void put(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

/* A symlink DIR/NAME → TARGET. */
static void link_to(const char *target, const char *dir, const char *name)
{
	char p[512];
	snprintf(p, sizeof(p), "%s/%s", dir, name);
	assert_int_equal(symlink(target, p), 0);
}

static int setup(void **state)
{
	(void)state;
	snprintf(top, sizeof(top), "/tmp/ward-fileops-XXXXXX");
	if (!mkdtemp(top))
		return -1;
	snprintf(root, sizeof(root), "%s/root", top);
	snprintf(host, sizeof(host), "%s/host", top);
	snprintf(out, sizeof(out), "%s/out", top);
	char p[512];
	mkdir(root, 0755), mkdir(host, 0755), mkdir(out, 0755);
	snprintf(p, sizeof(p), "%s/etc", root), mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/etc/data", root), put(p, "inside\n");
	snprintf(p, sizeof(p), "%s/secret", host), put(p, "HOST SECRET\n");
	rootfd = open(root, O_RDONLY | O_DIRECTORY);
	return rootfd < 0 ? -1 : 0;
}

static int teardown(void **state)
{
	(void)state;
	char cmd[256];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", top);
	close(rootfd);
	return system(cmd);
}

static char *slurp(const char *path)
{
	static char buf[4096];
	FILE *f = fopen(path, "r");
	if (!f)
		return NULL;
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = 0;
	fclose(f);
	return buf;
}

static char *read_inside(const char *path, int *rc)
{
	char tmp[256];
	snprintf(tmp, sizeof(tmp), "%s/read.out", top);
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	struct ward_error e;
	*rc = ward_file_read(rootfd, path, fd, &e);
	close(fd);
	return slurp(tmp);
}

static void read_resolves_symlinks_inside_the_root(void **state)
{
	(void)state;
	char abs[256];
	snprintf(abs, sizeof(abs), "%s/secret", host);
	link_to(abs, root, "abs");
	link_to("../../../host/secret", root, "etc/rel");
	link_to("/etc/data", root, "inner");
	int rc;
	char *got = read_inside("/abs", &rc);
	assert_int_equal(rc, -1);
	assert_string_equal(got, "");
	got = read_inside("/etc/rel", &rc);
	assert_int_equal(rc, -1);
	assert_string_equal(got, "");
	got = read_inside("/inner", &rc);
	assert_int_equal(rc, 0);
	assert_string_equal(got, "inside\n");
	/* /proc/self/root is a magic link out of any root */
	got = read_inside("/../../../../proc/self/root/etc/hostname", &rc);
	assert_int_equal(rc, -1);
}

static int input(const char *text)
{
	char tmp[256];
	snprintf(tmp, sizeof(tmp), "%s/in", top);
	put(tmp, text);
	return open(tmp, O_RDONLY);
}

static void write_replaces_a_planted_symlink(void **state)
{
	(void)state;
	char abs[256], p[256];
	snprintf(abs, sizeof(abs), "%s/secret", host);
	link_to(abs, root, "planted");
	int in = input("written\n");
	struct ward_error e;
	assert_int_equal(ward_file_write(rootfd, "/planted", in, 0644, &e), 0);
	close(in);
	snprintf(p, sizeof(p), "%s/planted", root);
	struct stat st;
	assert_int_equal(lstat(p, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_string_equal(slurp(p), "written\n");
	assert_string_equal(slurp(abs), "HOST SECRET\n");
}

static void write_through_a_symlinked_directory_stays_inside(void **state)
{
	(void)state;
	link_to(host, root, "d");
	int in = input("x");
	struct ward_error e;
	assert_int_equal(ward_file_write(rootfd, "/d/new", in, 0644, &e), -1);
	assert_int_equal(e.err, ENOENT);
	close(in);
	char p[256];
	snprintf(p, sizeof(p), "%s/new", host);
	assert_int_equal(access(p, F_OK), -1);
}

static void copy_out_never_brings_host_files(void **state)
{
	(void)state;
	char abs[256], p[512];
	snprintf(abs, sizeof(abs), "%s/secret", host);
	snprintf(p, sizeof(p), "%s/res", root), mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/res/sub", root), mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/res/tool", root), put(p, "#!/bin/sh\n");
	chmod(p, 04755);
	snprintf(p, sizeof(p), "%s/res/sub/f", root), put(p, "f\n");
	snprintf(p, sizeof(p), "%s/res/fifo", root), mkfifo(p, 0644);
	link_to(abs, root, "res/link");
	link_to(abs, root, "result");
	link_to(host, root, "hostdir");
	struct ward_error e;
	/* a top-level symlink to a host file resolves inside the root: nothing there */
	snprintf(p, sizeof(p), "%s/result", out);
	assert_int_equal(ward_copy_out(rootfd, "/result", p, &e), -1);
	assert_int_equal(access(p, F_OK), -1);
	assert_int_equal(ward_copy_out(rootfd, "/hostdir/secret", out, &e), -1);
	/* a directory: structure kept, links copied as links, fifo skipped, setuid dropped */
	assert_int_equal(ward_copy_out(rootfd, "/res", out, &e), 0);
	snprintf(p, sizeof(p), "%s/res/sub/f", out);
	assert_string_equal(slurp(p), "f\n");
	struct stat st;
	snprintf(p, sizeof(p), "%s/res/tool", out);
	assert_int_equal(stat(p, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0755);
	snprintf(p, sizeof(p), "%s/res/link", out);
	assert_int_equal(lstat(p, &st), 0);
	assert_true(S_ISLNK(st.st_mode));
	snprintf(p, sizeof(p), "%s/res/fifo", out);
	assert_int_equal(lstat(p, &st), -1);
}

static void copy_in_keeps_structure_and_matches_globs(void **state)
{
	(void)state;
	char p[512];
	const char *tree[] = {"src", "src/sub", "src/sub/deeper", NULL};
	for (size_t i = 0; tree[i]; i++)
		snprintf(p, sizeof(p), "%s/%s", host, tree[i]), mkdir(p, 0755);
	const char *files[] = {"src/a.c",       "src/b.h", "src/sub/c.c", "src/sub/deeper/d.c",
	                       "src/.hidden.c", NULL};
	for (size_t i = 0; files[i]; i++)
		snprintf(p, sizeof(p), "%s/%s", host, files[i]), put(p, files[i]);
	struct ward_error e;
	char pattern[256];
	snprintf(pattern, sizeof(pattern), "%s/src/**/*.c", host);
	char *srcs[] = {pattern};
	assert_int_equal(ward_copy_in(rootfd, srcs, 1, "/w", &e), 0);
	const char *want[] = {"w/a.c", "w/sub/c.c", "w/sub/deeper/d.c", NULL};
	for (size_t i = 0; want[i]; i++) {
		snprintf(p, sizeof(p), "%s/%s", root, want[i]);
		assert_non_null(slurp(p));
	}
	snprintf(p, sizeof(p), "%s/w/b.h", root);
	assert_int_equal(access(p, F_OK), -1);
	snprintf(p, sizeof(p), "%s/w/.hidden.c", root);
	assert_int_equal(access(p, F_OK), -1);
	/* a plain directory into an existing one keeps its name */
	snprintf(pattern, sizeof(pattern), "%s/src", host);
	assert_int_equal(ward_copy_in(rootfd, srcs, 1, "/w", &e), 0);
	snprintf(p, sizeof(p), "%s/w/src/sub/deeper/d.c", root);
	assert_string_equal(slurp(p), "src/sub/deeper/d.c");
	snprintf(pattern, sizeof(pattern), "%s/nothing/*.x", host);
	assert_int_equal(ward_copy_in(rootfd, srcs, 1, "/w", &e), -1);
	assert_non_null(strstr(e.msg, "matches nothing"));
}

static void copy_in_onto_a_planted_symlink_stays_inside(void **state)
{
	(void)state;
	char p[512], target[256];
	snprintf(target, sizeof(target), "%s/victim", host);
	mkdir(target, 0755);
	link_to(target, root, "evil");
	snprintf(p, sizeof(p), "%s/file", top), put(p, "payload");
	char *srcs[] = {p};
	struct ward_error e;
	assert_int_equal(ward_copy_in(rootfd, srcs, 1, "/evil", &e), 0);
	char q[512];
	snprintf(q, sizeof(q), "%s/victim/file", host);
	assert_int_equal(access(q, F_OK), -1);
	snprintf(q, sizeof(q), "%s/evil", root);
	assert_string_equal(slurp(q), "payload");
}

static int files_seen;
static int count_file(const char *path, const struct stat *st, int type, struct FTW *f)
{
	(void)path, (void)st, (void)f;
	files_seen += type == FTW_F;
	return 0;
}

/* Out of fds part way: the copy fails saying so, never ends "done" with entries missing. */
static void copy_in_out_of_fds_fails_with_its_cause(void **state)
{
	(void)state;
	char p[512];
	int n = snprintf(p, sizeof(p), "%s/t", host);
	mkdir(p, 0755);
	for (int i = 0; i < 12; i++) {
		n += snprintf(p + n, sizeof(p) - (size_t)n, "/d%d", i);
		mkdir(p, 0755);
		for (int j = 0; j < 3; j++) {
			char f[600];
			snprintf(f, sizeof(f), "%s/f%d", p, j);
			put(f, "x");
		}
	}
	snprintf(p, sizeof(p), "%s/t", host);
	char *srcs[] = {p};
	struct rlimit old;
	getrlimit(RLIMIT_NOFILE, &old);
	int failed = 0;
	for (rlim_t lim = 6; lim < 50; lim++) {
		char dest[32], where[256];
		snprintf(dest, sizeof(dest), "/w%d", (int)lim);
		struct ward_error e = {0};
		struct rlimit low = {.rlim_cur = lim, .rlim_max = old.rlim_max};
		setrlimit(RLIMIT_NOFILE, &low);
		int rc = ward_copy_in(rootfd, srcs, 1, dest, &e);
		setrlimit(RLIMIT_NOFILE, &old);
		snprintf(where, sizeof(where), "%s%s", root, dest);
		files_seen = 0;
		nftw(where, count_file, 16, FTW_PHYS);
		if (rc == 0) {
			assert_int_equal(files_seen, 36);
			continue;
		}
		failed++;
		assert_non_null(strstr(e.msg, "Too many open files"));
		assert_true(strstr(e.msg, dest) || strstr(e.msg, host)); /* names the path */
		assert_null(strchr(e.msg, '\n'));
	}
	assert_true(failed > 0);
}

/* A pattern walked more than 256 directories down is refused, naming where, before anything
 * is made in the root. */
static void copy_in_glob_deeper_than_the_limit_is_refused(void **state)
{
	(void)state;
	char p[1024];
	int n = snprintf(p, sizeof(p), "%s/deep", host);
	mkdir(p, 0755);
	for (int i = 0; i < 300; i++) {
		n += snprintf(p + n, sizeof(p) - (size_t)n, "/d");
		assert_int_equal(mkdir(p, 0755), 0);
	}
	snprintf(p + n, sizeof(p) - (size_t)n, "/f");
	put(p, "bottom");
	char pattern[256];
	snprintf(pattern, sizeof(pattern), "%s/deep/**/f", host);
	char *srcs[] = {pattern};
	struct ward_error e = {0};
	assert_int_equal(ward_copy_in(rootfd, srcs, 1, "/deep", &e), -1);
	assert_non_null(strstr(e.msg, "more than 256 directories deep at"));
	assert_non_null(strstr(e.msg, "/deep/d/d/d"));
	snprintf(p, sizeof(p), "%s/deep", root);
	assert_int_equal(access(p, F_OK), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(read_resolves_symlinks_inside_the_root, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(write_replaces_a_planted_symlink, setup, teardown),
	    cmocka_unit_test_setup_teardown(write_through_a_symlinked_directory_stays_inside, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(copy_out_never_brings_host_files, setup, teardown),
	    cmocka_unit_test_setup_teardown(copy_in_keeps_structure_and_matches_globs, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(copy_in_onto_a_planted_symlink_stays_inside, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(copy_in_out_of_fds_fails_with_its_cause, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(copy_in_glob_deeper_than_the_limit_is_refused, setup,
	                                    teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
