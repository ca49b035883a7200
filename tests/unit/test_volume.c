/* Unit tests: the SANDBOX_VOLUMES / -v grammar. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "ward.h"

static int setup(void **state)
{
	static struct ward_spec s;
	ward_spec_init(&s);
	*state = &s;
	return 0;
}

static int teardown(void **state)
{
	ward_spec_free(*state);
	return 0;
}

static void entries_and_modes(void **state)
{
	struct ward_spec *s = *state;
	struct ward_error e;
	assert_int_equal(ward_spec_add_volumes(s,
	                                       "/srv/w:/workspace,/data:/data:ro,/src:/src:overlay",
	                                       "SANDBOX_VOLUMES", &e),
	                 0);
	assert_int_equal(ward_spec_add_volumes(s, "/x:/opt/x:rw", "-v", &e), 0);
	assert_int_equal(s->n_volumes, 4);
	assert_string_equal(s->volumes[0].host, "/srv/w");
	assert_string_equal(s->volumes[0].container, "/workspace");
	assert_int_equal(s->volumes[0].mode, WARD_VOLUME_RW);
	assert_int_equal(s->volumes[1].mode, WARD_VOLUME_RO);
	assert_int_equal(s->volumes[2].mode, WARD_VOLUME_OVERLAY);
	assert_int_equal(s->volumes[3].mode, WARD_VOLUME_RW);
}

static void escapes(void **state)
{
	struct ward_spec *s = *state;
	struct ward_error e;
	assert_int_equal(ward_spec_add_volumes(s, "/a\\,b\\:c\\\\d:/in\\:side:ro", "-v", &e), 0);
	assert_string_equal(s->volumes[0].host, "/a,b:c\\d");
	assert_string_equal(s->volumes[0].container, "/in:side");
	assert_int_equal(s->volumes[0].mode, WARD_VOLUME_RO);
}

static void refusals_name_the_entry(void **state)
{
	struct ward_spec *s = *state;
	struct ward_error e;
	const struct {
		const char *list, *culprit;
	} bad[] = {
	    {"/a", "entry 1 '/a': expected HOST:CONTAINER"},
	    {"/a:/b,", "entry 2 '': expected"},
	    {"/a:/b,,/c:/d", "entry 2"},
	    {"/a:/b:rw:x", "entry 1"},
	    {"/a:/b:rwx", "mode 'rwx'"},
	    {"a:/b", "host path 'a' must be absolute"},
	    {"/a:b", "container path 'b' must be absolute"},
	    {"/a:/", "cannot be /"},
	    {"/a:/b/", "must be normalised"},
	    {"/a:/b//c", "must be normalised"},
	    {"/a:/b/../c", "must be normalised"},
	    {"/a:/./b", "must be normalised"},
	    {"/a:/proc", "cannot be under /proc"},
	    {"/a:/sys/x", "cannot be under /proc, /sys or /dev"},
	    {"/a:/dev/shm", "cannot be under"},
	    {"/a:/b\\x", "expected HOST:CONTAINER"},
	    {"/a:/b\\", "expected HOST:CONTAINER"},
	    {"/a:/w,/c:/w", "entry 2: container path '/w' is already a volume"},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ward_volumes_free(s);
		assert_int_equal(ward_spec_add_volumes(s, bad[i].list, "SANDBOX_VOLUMES", &e), -1);
		if (!strstr(e.msg, bad[i].culprit) || strncmp(e.msg, "SANDBOX_VOLUMES ", 16) != 0)
			fail_msg("'%s': '%s' lacks '%s'", bad[i].list, e.msg, bad[i].culprit);
	}
	/* /devices and /process are not under /dev or /proc */
	ward_volumes_free(s);
	assert_int_equal(ward_spec_add_volumes(s, "/a:/devices,/b:/process", "-v", &e), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(entries_and_modes, setup, teardown),
	    cmocka_unit_test_setup_teardown(escapes, setup, teardown),
	    cmocka_unit_test_setup_teardown(refusals_name_the_entry, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
