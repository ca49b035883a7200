/* Unit tests: WWW-Authenticate challenges, token answers, credential files (auth.json,
 * config.json, helpers' answers), the registry configuration and URL resolution. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "registry_int.h"

static void challenges(void **state)
{
	(void)state;
	struct challenge c;
	assert_int_equal(
	    challenge_parse("Bearer realm=\"https://auth.example/token\","
	                    "service=\"registry.example\",scope=\"repository:a/b:pull\"",
	                    &c),
	    0);
	assert_int_equal(c.scheme, AUTH_BEARER);
	assert_string_equal(c.realm, "https://auth.example/token");
	assert_string_equal(c.service, "registry.example");
	assert_string_equal(c.scope, "repository:a/b:pull");
	assert_int_equal(challenge_parse("basic realm=\"Registry Realm\"", &c), 0);
	assert_int_equal(c.scheme, AUTH_BASIC);
	assert_string_equal(c.realm, "Registry Realm");
	/* Bearer wins over an earlier Basic; unquoted values and escapes */
	assert_int_equal(challenge_parse("Basic realm=x, BEARER realm=http://t/tok , "
	                                 "service=\"a\\\"b\", error=\"insufficient_scope\"",
	                                 &c),
	                 0);
	assert_int_equal(c.scheme, AUTH_BEARER);
	assert_string_equal(c.realm, "http://t/tok");
	assert_string_equal(c.service, "a\"b");
	/* a Bearer challenge without a realm is of no use */
	assert_int_equal(challenge_parse("Bearer service=x", &c), -1);
	assert_int_equal(challenge_parse("Negotiate", &c), -1);
	assert_int_equal(challenge_parse("", &c), -1);
	assert_int_equal(challenge_parse("realm=\"x\"", &c), -1);
	assert_int_equal(challenge_parse("Bearer realm=\"unterminated", &c), 0);
	assert_string_equal(c.realm, "unterminated");
	char big[3000];
	snprintf(big, sizeof(big), "Bearer realm=\"%02000d\"", 1);
	assert_int_equal(challenge_parse(big, &c), -1);
}

static void tokens(void **state)
{
	(void)state;
	struct ward_error e = {0};
	char *t = NULL;
	const char *a = "{\"token\":\"abc.def\",\"expires_in\":300}";
	assert_int_equal(token_parse(a, strlen(a), &t, &e), 0);
	assert_string_equal(t, "abc.def");
	free(t);
	const char *b = "{\"access_token\":\"xyz\"}";
	assert_int_equal(token_parse(b, strlen(b), &t, &e), 0);
	assert_string_equal(t, "xyz");
	free(t);
	const char *bad[] = {"{}",
	                     "[]",
	                     "{\"token\":\"a\\r\\nX-Evil: 1\"}",
	                     "{\"token\":3}",
	                     "not json",
	                     "{\"token\":\"\"}"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(token_parse(bad[i], strlen(bad[i]), &t, &e), -1);
}

static void base64(void **state)
{
	(void)state;
	char out[64], back[64];
	size_t n;
	base64_encode("alice:s3cret", 12, out);
	assert_string_equal(out, "YWxpY2U6czNjcmV0");
	assert_int_equal(base64_decode(out, back, sizeof(back), &n), 0);
	assert_int_equal(n, 12);
	assert_string_equal(back, "alice:s3cret");
	base64_encode("a", 1, out);
	assert_string_equal(out, "YQ==");
	assert_int_equal(base64_decode("YQ==", back, sizeof(back), &n), 0);
	assert_string_equal(back, "a");
	assert_int_equal(base64_decode("Y!Q", back, sizeof(back), &n), -1);
	assert_int_equal(base64_decode("YWxpY2U6czNjcmV0", back, 4, &n), -1);
}

static int parse(const char *json, const char *domain, struct creds *c, char *helper)
{
	struct ward_error e = {0};
	memset(c, 0, sizeof(*c));
	helper[0] = 0;
	return creds_parse(json, strlen(json), domain, c, helper, &e);
}

static void creds_files(void **state)
{
	(void)state;
	struct creds c;
	char h[64];
	/* podman's auth.json and Docker's config.json keys */
	assert_int_equal(parse("{\"auths\":{\"127.0.0.1:5000\":{\"auth\":\"YWxpY2U6czNjcmV0\"}}}",
	                       "127.0.0.1:5000", &c, h),
	                 1);
	assert_string_equal(c.user, "alice");
	assert_string_equal(c.secret, "s3cret");
	assert_false(c.token);
	assert_int_equal(parse("{\"auths\":{\"https://index.docker.io/v1/\":{\"auth\":"
	                       "\"dTpwOnE=\"}}}",
	                       "docker.io", &c, h),
	                 1);
	assert_string_equal(c.user, "u");
	assert_string_equal(c.secret, "p:q");
	assert_int_equal(parse("{\"auths\":{\"reg.io\":{\"auth\":\"dTpw\","
	                       "\"identitytoken\":\"tok\"}}}",
	                       "reg.io", &c, h),
	                 1);
	assert_true(c.token);
	assert_string_equal(c.secret, "tok");
	/* another host's, a namespaced key, nothing */
	assert_int_equal(parse("{\"auths\":{\"other.io\":{\"auth\":\"dTpw\"}}}", "reg.io", &c, h),
	                 0);
	assert_int_equal(parse("{\"auths\":{\"reg.io/org\":{\"auth\":\"dTpw\"}}}", "reg.io", &c, h),
	                 0);
	assert_int_equal(parse("{}", "reg.io", &c, h), 0);
	/* helpers: per host first, then the store; a name that is not one is ignored */
	assert_int_equal(parse("{\"credHelpers\":{\"reg.io\":\"pass\"},\"credsStore\":\"desktop\"}",
	                       "reg.io", &c, h),
	                 2);
	assert_string_equal(h, "pass");
	assert_int_equal(parse("{\"credsStore\":\"desktop\"}", "reg.io", &c, h), 2);
	assert_string_equal(h, "desktop");
	assert_int_equal(parse("{\"credsStore\":\"../../bin/sh\"}", "reg.io", &c, h), 0);
	/* broken files are errors */
	assert_int_equal(parse("[]", "reg.io", &c, h), -1);
	assert_int_equal(
	    parse("{\"auths\":{\"reg.io\":{\"auth\":\"bm9jb2xvbg==\"}}}", "reg.io", &c, h), -1);
	assert_int_equal(parse("{\"auths\":{\"reg.io\":{\"auth\":\"!!\"}}}", "reg.io", &c, h), -1);
}

static void helper_answers(void **state)
{
	(void)state;
	struct creds c;
	struct ward_error e = {0};
	const char *a = "{\"ServerURL\":\"reg.io\",\"Username\":\"bob\",\"Secret\":\"pw\"}";
	assert_int_equal(creds_helper_parse(a, strlen(a), &c, &e), 0);
	assert_string_equal(c.user, "bob");
	assert_false(c.token);
	const char *t = "{\"Username\":\"<token>\",\"Secret\":\"refresh\"}";
	assert_int_equal(creds_helper_parse(t, strlen(t), &c, &e), 0);
	assert_true(c.token);
	assert_string_equal(c.secret, "refresh");
	const char *bad = "{\"Username\":\"bob\"}";
	assert_int_equal(creds_helper_parse(bad, strlen(bad), &c, &e), -1);
	assert_int_equal(creds_from_option("u:p:w", &c, &e), 1);
	assert_string_equal(c.user, "u");
	assert_string_equal(c.secret, "p:w");
	assert_int_equal(creds_from_option(":p", &c, &e), -1);
}

static void configuration(void **state)
{
	(void)state;
	struct registry_conf c;
	struct ward_error e = {0};
	const char *j = "{\"insecure-registries\":[\"reg.lan:5000\",\"10.0.0.0/8\",\"fd00::/8\"],"
	                "\"registry-mirrors\":[\"https://mirror.lan/\"],\"debug\":true}";
	assert_int_equal(conf_parse(j, strlen(j), &c, &e), 0);
	assert_true(conf_insecure(&c, "reg.lan:5000"));
	assert_false(conf_insecure(&c, "reg.lan"));
	assert_true(conf_insecure(&c, "10.1.2.3:443"));
	assert_false(conf_insecure(&c, "11.1.2.3"));
	assert_true(conf_insecure(&c, "[fd12::1]:5000"));
	assert_string_equal(c.mirrors[0], "https://mirror.lan");
	assert_null(c.mirrors[1]);
	conf_free(&c);
	const char *bad[] = {"[]", "{\"registry-mirrors\":[\"mirror.lan\"]}",
	                     "{\"insecure-registries\":\"x\"}", "{\"insecure-registries\":[1]}"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(conf_parse(bad[i], strlen(bad[i]), &c, &e), -1);
	assert_true(domain_loopback("localhost:5000"));
	assert_true(domain_loopback("127.0.0.1"));
	assert_true(domain_loopback("127.9.9.9:1"));
	assert_true(domain_loopback("[::1]:5000"));
	assert_false(domain_loopback("128.0.0.1"));
	assert_false(domain_loopback("localhost.example.com"));
}

static void urls(void **state)
{
	(void)state;
	char out[256];
	const char *base = "https://reg.io:5000/v2/a/blobs/uploads/?x=1";
	assert_int_equal(url_resolve(base, "/v2/a/blobs/uploads/u1?_state=s", out, sizeof(out)), 0);
	assert_string_equal(out, "https://reg.io:5000/v2/a/blobs/uploads/u1?_state=s");
	assert_int_equal(url_resolve(base, "u2", out, sizeof(out)), 0);
	assert_string_equal(out, "https://reg.io:5000/v2/a/blobs/uploads/u2");
	assert_int_equal(url_resolve(base, "//cdn.example/b?sig=1", out, sizeof(out)), 0);
	assert_string_equal(out, "https://cdn.example/b?sig=1");
	assert_int_equal(url_resolve(base, "http://s3.example/x", out, sizeof(out)), 0);
	assert_string_equal(out, "http://s3.example/x");
	assert_int_equal(url_resolve(base, "file:///etc/passwd", out, sizeof(out)), -1);
	assert_int_equal(url_resolve(base, "/a b", out, sizeof(out)), -1);
	assert_true(url_same_origin("https://reg.io:5000/v2/", "HTTPS://REG.IO:5000/x"));
	assert_false(url_same_origin("https://reg.io:5000/v2/", "http://reg.io:5000/v2/"));
	assert_false(url_same_origin("https://reg.io/v2/", "https://reg.io.evil/v2/"));
	assert_false(url_same_origin("https://reg.io/v2/", "https://user@reg.io/v2/"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(challenges),     cmocka_unit_test(tokens),
	    cmocka_unit_test(base64),         cmocka_unit_test(creds_files),
	    cmocka_unit_test(helper_answers), cmocka_unit_test(configuration),
	    cmocka_unit_test(urls),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
