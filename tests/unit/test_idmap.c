/* Unit tests: subordinate id lookup and the default id maps. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "spec.h"

static char path[] = "/tmp/ward-subidXXXXXX";

static int write_file(void **state)
{
	(void)state;
	int fd = mkstemp(path);
	const char text[] = "alice:100000:65536\n"
	                    "garbage line\n"
	                    "bob:x:10\n"
	                    "1234:200000:1000\n"
	                    "carol:300000:0\n"
	                    "dave:4294967000:65536\n";
	assert_int_equal(write(fd, text, sizeof(text) - 1), (ssize_t)sizeof(text) - 1);
	close(fd);
	return 0;
}

static int remove_file(void **state)
{
	(void)state;
	unlink(path);
	return 0;
}

static void lookup(void **state)
{
	(void)state;
	uint32_t s, c;
	assert_int_equal(subid_lookup(path, "alice", 9, &s, &c, NULL), 0);
	assert_int_equal(s, 100000);
	assert_int_equal(c, 65536);
	/* by numeric id when the name does not match */
	assert_int_equal(subid_lookup(path, "zed", 1234, &s, &c, NULL), 0);
	assert_int_equal(s, 200000);
	/* malformed, empty and overflowing ranges are skipped */
	assert_int_equal(subid_lookup(path, "bob", 1, &s, &c, NULL), 1);
	assert_int_equal(subid_lookup(path, "carol", 1, &s, &c, NULL), 1);
	assert_int_equal(subid_lookup(path, "dave", 1, &s, &c, NULL), 1);
	assert_int_equal(subid_lookup("/nonexistent", "alice", 1, &s, &c, NULL), 1);
}

static void default_maps(void **state)
{
	(void)state;
	struct ward_spec s;
	struct ward_error e;
	spec_init(&s);
	assert_int_equal(spec_default_idmaps(&s, &e), 0);
	assert_true(s.idmaps.n_uid_map >= 1);
	assert_int_equal(s.idmaps.uid_map[0].inside, 0);
	if (geteuid() == 0) {
		/* root: the whole container range on the unprivileged base, shown idmapped */
		assert_int_equal(s.idmaps.uid_map[0].outside, WARD_ROOT_IDMAP_BASE);
		assert_int_equal(s.idmaps.uid_map[0].count, WARD_IDMAP_SIZE);
		assert_true(s.idmapped_root);
		s.root_idmap_base = 0;
		assert_int_equal(spec_default_idmaps(&s, &e), -1);
		assert_non_null(strstr(e.msg, "id map base"));
	} else {
		assert_int_equal(s.idmaps.uid_map[0].outside, geteuid());
		assert_int_equal(s.idmaps.uid_map[0].count, 1);
		assert_false(s.idmapped_root);
	}
	spec_clear(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(lookup, write_file, remove_file),
	    cmocka_unit_test(default_maps),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
