/* Unit tests: ward serve's Docker image references against store names, and the base64 of
 * X-Registry-Auth. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "images.h"

#define ID "sha256:c3b9953e64146fdefffe3473ed9509430585097df2fb2717608d38670d0f8c8a"

static void matches(void **state)
{
	(void)state;
	assert_true(img_matches("alpine:latest", ID, "alpine"));
	assert_true(img_matches("alpine:latest", ID, "alpine:latest"));
	assert_true(img_matches("alpine:latest", ID, "docker.io/library/alpine"));
	assert_true(img_matches("user/app:1", ID, "docker.io/user/app:1"));
	assert_true(img_matches("127.0.0.1:5000/app:latest", ID, "127.0.0.1:5000/app"));
	assert_true(img_matches("x:1", ID, ID));
	assert_true(img_matches("x:1", ID, "c3b9953e6414"));
	assert_true(img_matches("x:1", ID, "sha256:c3b9953e6414"));
	assert_false(img_matches("x:1", ID, "c3b9953e641"));  /* too short a prefix */
	assert_false(img_matches("x:1", ID, "c3b9953e6415")); /* another id */
	assert_false(img_matches("alpine:3", ID, "alpine"));
	assert_false(img_matches("alpine:latest", ID, "alpin"));
	assert_false(img_matches("127.0.0.1:5000/app:1", ID, "127.0.0.1:5000/app"));
}

static void pull_refs(void **state)
{
	(void)state;
	char out[300];
	assert_int_equal(img_pull_ref("alpine", "3.19", out, sizeof(out)), 0);
	assert_string_equal(out, "alpine:3.19");
	assert_int_equal(img_pull_ref("alpine", NULL, out, sizeof(out)), 0);
	assert_string_equal(out, "alpine:latest");
	assert_int_equal(img_pull_ref("alpine", "", out, sizeof(out)), 0);
	assert_string_equal(out, "alpine:latest");
	assert_int_equal(img_pull_ref("127.0.0.1:5000/app", "", out, sizeof(out)), 0);
	assert_string_equal(out, "127.0.0.1:5000/app:latest");
	assert_int_equal(img_pull_ref("127.0.0.1:5000/app:2", "latest", out, sizeof(out)), 0);
	assert_string_equal(out, "127.0.0.1:5000/app:2");
	assert_int_equal(img_pull_ref("app", ID, out, sizeof(out)), 0);
	assert_string_equal(out, "app@" ID);
	assert_int_equal(img_pull_ref("app", "1", out, 4), -1);
}

static void base64(void **state)
{
	(void)state;
	char out[64];
	/* {"username":"u"} in base64url without padding, and standard with */
	assert_int_equal(img_b64_decode("eyJ1c2VybmFtZSI6InUifQ", out, sizeof(out)), 0);
	assert_string_equal(out, "{\"username\":\"u\"}");
	assert_int_equal(img_b64_decode("eyJ1c2VybmFtZSI6InUifQ==", out, sizeof(out)), 0);
	assert_string_equal(out, "{\"username\":\"u\"}");
	assert_int_equal(img_b64_decode("Pz8-", out, sizeof(out)), 0); /* "?\?>" */
	assert_string_equal(out, "?\?>");
	assert_int_equal(img_b64_decode("Pz8+", out, sizeof(out)), 0);
	assert_string_equal(out, "?\?>");
	assert_int_equal(img_b64_decode("e30", out, sizeof(out)), 0);
	assert_string_equal(out, "{}");
	assert_int_equal(img_b64_decode("not base64!", out, sizeof(out)), -1);
	assert_int_equal(img_b64_decode("eyJ1c2VybmFtZSI6InUifQ", out, 4), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(matches),
	    cmocka_unit_test(pull_refs),
	    cmocka_unit_test(base64),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
