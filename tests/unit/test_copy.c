/* Unit tests: the copy engine out of a root fd (holes, hard links, the byte cap, modes,
 * devices and fifos, depth) and its pure parts (the link table, size formatting). */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "copy.h"
#include "spec.h"

static char top[64], root[128], out[128];
static int rootfd = -1;

static void put(const char *rel, const char *text)
{
	char p[512];
	snprintf(p, sizeof(p), "%s/%s", root, rel);
	FILE *f = fopen(p, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void mk(const char *rel)
{
	char p[1024];
	snprintf(p, sizeof(p), "%s/%s", root, rel);
	assert_int_equal(mkdir(p, 0755), 0);
}

static int setup(void **state)
{
	(void)state;
	snprintf(top, sizeof(top), "/tmp/ward-copy-XXXXXX");
	if (!mkdtemp(top))
		return -1;
	snprintf(root, sizeof(root), "%s/root", top);
	snprintf(out, sizeof(out), "%s/out", top);
	mkdir(root, 0755), mkdir(out, 0755);
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

/* Names left in OUT (the copy's staging names included). */
static int entries_in_out(void)
{
	char cmd[256];
	snprintf(cmd, sizeof(cmd), "test -z \"$(ls -A %s)\"", out);
	return system(cmd) == 0 ? 0 : 1;
}

static void link_table_finds_what_it_was_given(void **state)
{
	(void)state;
	struct copy_links *l = copy_links_new();
	assert_non_null(l);
	char rel[32];
	for (unsigned i = 0; i < 5000; i++) {
		snprintf(rel, sizeof(rel), "d/%u", i);
		assert_int_equal(copy_links_add(l, 7 + (i & 1), i, rel), 0);
	}
	assert_string_equal(copy_links_find(l, 8, 4999), "d/4999");
	assert_string_equal(copy_links_find(l, 7, 0), "d/0");
	assert_null(copy_links_find(l, 8, 0));
	assert_int_equal(copy_links_add(l, 7, 0, "other"), 0);
	assert_string_equal(copy_links_find(l, 7, 0), "d/0");
	copy_links_free(l);
}

static void sizes_are_written_in_the_size_grammar(void **state)
{
	(void)state;
	char s[32];
	copy_format_size(16u << 20, s, sizeof(s));
	assert_string_equal(s, "16m");
	copy_format_size(1ull << 30, s, sizeof(s));
	assert_string_equal(s, "1g");
	copy_format_size(1000, s, sizeof(s));
	assert_string_equal(s, "1000");
	uint64_t back;
	copy_format_size(3ull << 50, s, sizeof(s)); /* 3072t */
	assert_int_equal(ward_parse_size(s, &back), 0);
	assert_true(back == 3ull << 50);
}

static void holes_links_and_modes_survive_a_copy_out(void **state)
{
	(void)state;
	mk("t");
	put("t/data", "data");
	char p[512], q[512];
	snprintf(p, sizeof(p), "%s/t/sparse", root);
	int fd = open(p, O_WRONLY | O_CREAT, 0666);
	assert_int_equal(pwrite(fd, "end", 3, 64 << 20), 3);
	close(fd);
	chmod(p, 06777);
	for (int i = 0; i < 3; i++) {
		snprintf(q, sizeof(q), "%s/t/link%d", root, i);
		assert_int_equal(link(p, q), 0);
	}
	mode_t old = umask(027);
	struct ward_error e;
	struct ward_copy_opts o = {.max_bytes = 1 << 20};
	int rc = ward_copy_out_opts(rootfd, "/t", out, &o, &e);
	umask(old);
	assert_int_equal(rc, 0);
	struct stat a, b;
	snprintf(p, sizeof(p), "%s/t/sparse", out);
	snprintf(q, sizeof(q), "%s/t/link2", out);
	assert_int_equal(stat(p, &a), 0);
	assert_int_equal(stat(q, &b), 0);
	assert_true(a.st_ino == b.st_ino);
	assert_int_equal(a.st_nlink, 4);
	assert_int_equal(a.st_size, (64 << 20) + 3);
	assert_true(a.st_blocks < 1024); /* a hole, not 64 MiB of zeros */
	assert_int_equal(a.st_mode & 07777, 0750);
	snprintf(p, sizeof(p), "%s/t", out);
	assert_int_equal(stat(p, &a), 0);
	assert_int_equal(a.st_mode & 07777, 0750);
}

static void past_the_cap_nothing_is_left(void **state)
{
	(void)state;
	mk("big");
	mk("big/sub");
	char p[512];
	snprintf(p, sizeof(p), "%s/big/sub/f", root);
	int fd = open(p, O_WRONLY | O_CREAT, 0644);
	static char block[1 << 16];
	memset(block, 'x', sizeof(block));
	for (int i = 0; i < 4; i++)
		assert_int_equal(write(fd, block, sizeof(block)), sizeof(block));
	close(fd);
	struct ward_error e;
	struct ward_copy_opts o = {.max_bytes = 100000};
	assert_int_equal(ward_copy_out_opts(rootfd, "/big", out, &o, &e), -1);
	assert_non_null(strstr(e.msg, "--max-bytes 100000"));
	assert_non_null(strstr(e.msg, "big/sub/f"));
	assert_int_equal(entries_in_out(), 0);
	/* a single file, and a read to a stream: refused the same way */
	char dest[256];
	snprintf(dest, sizeof(dest), "%s/f", out);
	assert_int_equal(ward_copy_out_opts(rootfd, "/big/sub/f", dest, &o, &e), -1);
	assert_int_equal(entries_in_out(), 0);
	int devnull = open("/dev/null", O_WRONLY);
	assert_int_equal(ward_file_read_opts(rootfd, "/big/sub/f", devnull, &o, &e), -1);
	o.max_bytes = 1 << 20;
	assert_int_equal(ward_file_read_opts(rootfd, "/big/sub/f", devnull, &o, &e), 0);
	close(devnull);
}

static void skipped(const char *path, const char *why, void *arg)
{
	(void)path;
	if (!strcmp(why, "a fifo"))
		(*(int *)arg)++;
}

static void devices_and_fifos_are_never_opened(void **state)
{
	(void)state;
	mk("dev");
	char p[512];
	snprintf(p, sizeof(p), "%s/dev/fifo", root);
	assert_int_equal(mkfifo(p, 0644), 0);
	put("dev/f", "f");
	int fifos = 0;
	struct ward_copy_opts o = {.skipped = skipped, .arg = &fifos};
	struct ward_error e;
	/* a fifo nobody writes: a real open would block forever */
	assert_int_equal(ward_file_read_opts(rootfd, "/dev/fifo", 1, &o, &e), -1);
	assert_non_null(strstr(e.msg, "a fifo"));
	assert_int_equal(ward_copy_out_opts(rootfd, "/dev/fifo", out, &o, &e), -1);
	assert_int_equal(entries_in_out(), 0);
	assert_int_equal(ward_copy_out_opts(rootfd, "/dev", out, &o, &e), 0);
	assert_int_equal(fifos, 1);
	snprintf(p, sizeof(p), "%s/dev/fifo", out);
	assert_int_equal(access(p, F_OK), -1);
}

static void depth_is_bounded(void **state)
{
	(void)state;
	char rel[2048] = "deep";
	mk(rel);
	for (int i = 0; i < COPY_MAX_DEPTH + 2; i++) {
		strcat(rel, "/d");
		if (strlen(rel) > 600)
			break;
		mk(rel);
	}
	struct ward_error e;
	assert_int_equal(ward_copy_out(rootfd, "/deep", out, &e), -1);
	assert_non_null(strstr(e.msg, "directories deep"));
	assert_int_equal(entries_in_out(), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(link_table_finds_what_it_was_given),
	    cmocka_unit_test(sizes_are_written_in_the_size_grammar),
	    cmocka_unit_test_setup_teardown(holes_links_and_modes_survive_a_copy_out, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(past_the_cap_nothing_is_left, setup, teardown),
	    cmocka_unit_test_setup_teardown(devices_and_fifos_are_never_opened, setup, teardown),
	    cmocka_unit_test_setup_teardown(depth_is_bounded, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
