/* Unit tests: the SANDBOX_VOLUMES / -v grammar. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "spec.h"

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
	    {"/a:/w,/c:/w", "entry 2: container path '/w' is already a mount"},
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

static void tmpfs_grammar(void **state)
{
	struct ward_spec *s = *state;
	struct ward_error e;
	assert_int_equal(ward_spec_add_tmpfs(s, "/scratch", &e), 0);
	assert_int_equal(ward_spec_add_tmpfs(s, "/run/x:size=64m,mode=700,noexec", &e), 0);
	assert_int_equal(s->n_tmpfs, 2);
	assert_string_equal(s->tmpfs[0].container, "/scratch");
	assert_int_equal(s->tmpfs[0].size, 0);
	assert_int_equal(s->tmpfs[0].mode, 01777);
	assert_false(s->tmpfs[0].noexec);
	assert_int_equal(s->tmpfs[1].size, 64ull << 20);
	assert_int_equal(s->tmpfs[1].mode, 0700);
	assert_true(s->tmpfs[1].noexec);
	const struct {
		const char *text, *culprit;
	} bad[] = {
	    {"scratch", "must be absolute"},
	    {"/", "cannot be /"},
	    {"/proc/x", "cannot be under /proc"},
	    {"/a/", "must be normalised"},
	    {"/scratch", "'/scratch' is already a mount"},
	    {"/v", "'/v' is already a mount"},
	    {"/b:size=lots", "'size=lots': size: expected a size"},
	    {"/b:size=0", "'size=0'"},
	    {"/b:mode=999", "'mode=999': mode: expected octal"},
	    {"/b:ro", "'ro': unknown option"},
	};
	assert_int_equal(ward_spec_add_volumes(s, "/h:/v", "-v", &e), 0);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(ward_spec_add_tmpfs(s, bad[i].text, &e), -1);
		if (!strstr(e.msg, bad[i].culprit) || strncmp(e.msg, "--tmpfs ", 8) != 0)
			fail_msg("'%s': '%s' lacks '%s'", bad[i].text, e.msg, bad[i].culprit);
	}
	/* and a volume cannot take a tmpfs's place */
	assert_int_equal(ward_spec_add_volumes(s, "/h:/scratch", "-v", &e), -1);
	assert_non_null(strstr(e.msg, "already a mount"));
}

static void user_id_grammar(void **state)
{
	struct ward_spec *s = *state;
	struct ward_error e;
	assert_int_equal(ward_spec_set_user_id(s, "1000", "SANDBOX_USER_ID", &e), 0);
	assert_true(s->user_id_set);
	assert_int_equal(s->uid, 1000);
	assert_int_equal(s->gid, 1000);
	const char *bad[] = {"", "-1", "65536", "10x", "root"};
	for (size_t i = 0; i < 5; i++) {
		assert_int_equal(ward_spec_set_user_id(s, bad[i], "--user-id", &e), -1);
		assert_non_null(strstr(e.msg, "expected a uid from 0 to 65535"));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(entries_and_modes, setup, teardown),
	    cmocka_unit_test_setup_teardown(escapes, setup, teardown),
	    cmocka_unit_test_setup_teardown(refusals_name_the_entry, setup, teardown),
	    cmocka_unit_test_setup_teardown(tmpfs_grammar, setup, teardown),
	    cmocka_unit_test_setup_teardown(user_id_grammar, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
