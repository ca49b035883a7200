/* Unit tests: image references as Docker reads them, and the familiar names pulls are
 * stored under. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "registry.h"

#define D "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

static void parsed(const char *text, const char *domain, const char *repo, const char *tag,
                   const char *digest, const char *name)
{
	struct registry_ref r;
	struct ward_error e = {0};
	char out[1024];
	if (registry_ref_parse(text, &r, &e) < 0)
		fail_msg("%s: %s", text, e.msg);
	assert_string_equal(r.domain, domain);
	assert_string_equal(r.repo, repo);
	assert_string_equal(r.tag, tag);
	assert_string_equal(r.digest, digest);
	registry_ref_name(&r, out, sizeof(out));
	assert_string_equal(out, name);
}

static void refused(const char *text)
{
	struct registry_ref r;
	struct ward_error e = {0};
	if (registry_ref_parse(text, &r, &e) == 0)
		fail_msg("%s: accepted as %s/%s:%s", text, r.domain, r.repo, r.tag);
	assert_non_null(strchr(e.msg, ':'));
	assert_null(strchr(e.msg, '\n'));
}

static void short_names(void **state)
{
	(void)state;
	parsed("python", "docker.io", "library/python", "latest", "", "python:latest");
	parsed("python:3.12", "docker.io", "library/python", "3.12", "", "python:3.12");
	parsed("docker.io/library/python:3.12", "docker.io", "library/python", "3.12", "",
	       "python:3.12");
	parsed("index.docker.io/python", "docker.io", "library/python", "latest", "",
	       "python:latest");
	parsed("org/tool:1", "docker.io", "org/tool", "1", "", "org/tool:1");
	parsed("docker.io/org/tool", "docker.io", "org/tool", "latest", "", "org/tool:latest");
	parsed("library/a/b", "docker.io", "library/a/b", "latest", "", "library/a/b:latest");
}

static void domains(void **state)
{
	(void)state;
	parsed("127.0.0.1:5000/python:3.12", "127.0.0.1:5000", "python", "3.12", "",
	       "127.0.0.1:5000/python:3.12");
	parsed("localhost/x", "localhost", "x", "latest", "", "localhost/x:latest");
	parsed("localhost:5000/a/b:c", "localhost:5000", "a/b", "c", "", "localhost:5000/a/b:c");
	parsed("ghcr.io/org/tool@" D, "ghcr.io", "org/tool", "", D, "ghcr.io/org/tool@" D);
	parsed("ghcr.io/org/tool:v1@" D, "ghcr.io", "org/tool", "v1", D, "ghcr.io/org/tool@" D);
	parsed("Registry/x", "Registry", "x", "latest", "", "Registry/x:latest");
	parsed("[::1]:5000/x:y", "[::1]:5000", "x", "y", "", "[::1]:5000/x:y");
	parsed("my-reg.example.com/a__b/c-d.e_f:T_1.0-x", "my-reg.example.com", "a__b/c-d.e_f",
	       "T_1.0-x", "", "my-reg.example.com/a__b/c-d.e_f:T_1.0-x");
	parsed("python@" D, "docker.io", "library/python", "", D, "python@" D);
}

static void bad(void **state)
{
	(void)state;
	refused("");
	refused("Python");
	refused("python:");
	refused("python:-x");
	refused("a//b");
	refused("/a");
	refused("a/");
	refused("a/../b");
	refused("python@sha256:abc");
	refused("python@sha512:" D);
	refused("-reg.io/x");
	refused("reg.io:/x");
	refused("reg.io:99999999/x");
	refused("reg..io/x");
	refused("a b");
	refused("a___b");
	refused("a._b");
	refused("x:1:2");
	refused("reg.io/x\n");
	char big[600];
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = 0;
	refused(big);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(short_names),
	    cmocka_unit_test(domains),
	    cmocka_unit_test(bad),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
