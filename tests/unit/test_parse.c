/* Unit tests: parsing of user-supplied strings into a spec. */
#include <setjmp.h>
#include <stdarg.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cmocka.h>

#include "spec.h"

static int setup(void **state)
{
	struct ward_spec *s = malloc(sizeof(*s));
	spec_init(s);
	*state = s;
	return 0;
}

static int teardown(void **state)
{
	spec_clear(*state);
	free(*state);
	return 0;
}

static const char *env_value(const struct ward_spec *s, const char *name)
{
	size_t n = strlen(name);
	for (size_t i = 0; s->env[i]; i++)
		if (!strncmp(s->env[i], name, n) && s->env[i][n] == '=')
			return s->env[i] + n + 1;
	return NULL;
}

static void env_add_and_replace(void **state)
{
	struct ward_spec *s = *state;
	struct ward_error e;
	assert_int_equal(ward_spec_add_env(s, "FOO=bar", &e), 0);
	assert_int_equal(ward_spec_add_env(s, "FOO=baz=qux", &e), 0);
	assert_string_equal(env_value(s, "FOO"), "baz=qux");
	assert_int_equal(ward_spec_add_env(s, "EMPTY=", &e), 0);
	assert_string_equal(env_value(s, "EMPTY"), "");
	assert_non_null(env_value(s, "PATH"));
}

static void env_rejects_bad_names(void **state)
{
	struct ward_spec *s = *state;
	struct ward_error e;
	const char *bad[] = {"NOEQUALS", "=value", "1ABC=x", "A-B=x", "A B=x"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(ward_spec_add_env(s, bad[i], &e), -1);
		assert_non_null(strstr(e.msg, bad[i]));
	}
}

static void env_file(void **state)
{
	struct ward_spec *s = *state;
	struct ward_error e;
	char path[] = "/tmp/ward-envXXXXXX";
	int fd = mkstemp(path);
	const char text[] = "# comment\n\nA=1\n  B=two words\r\n";
	assert_int_equal(write(fd, text, sizeof(text) - 1), (ssize_t)sizeof(text) - 1);
	close(fd);
	assert_int_equal(ward_spec_load_env_file(s, path, &e), 0);
	assert_string_equal(env_value(s, "A"), "1");
	assert_string_equal(env_value(s, "B"), "two words");
	fd = open(path, O_WRONLY | O_TRUNC);
	assert_int_equal(write(fd, "A=1\nbad line\n", 13), 13);
	close(fd);
	assert_int_equal(ward_spec_load_env_file(s, path, &e), -1);
	assert_non_null(strstr(e.msg, "line 2"));
	unlink(path);
	assert_int_equal(ward_spec_load_env_file(s, "/nonexistent/env", &e), -1);
	assert_non_null(strstr(e.msg, "/nonexistent/env"));
}

static void rlimits(void **state)
{
	struct ward_spec *s = *state;
	struct ward_error e;
	assert_int_equal(ward_spec_add_rlimit(s, "nofile=100:200", &e), 0);
	assert_int_equal(ward_spec_add_rlimit(s, "RLIMIT_CORE=0", &e), 0);
	assert_int_equal(ward_spec_add_rlimit(s, "nofile=50", &e), 0); /* replaces */
	assert_int_equal(s->n_rlimits, 2);
	assert_int_equal(s->rlimits[0].resource, RLIMIT_NOFILE);
	assert_int_equal(s->rlimits[0].soft, 50);
	assert_int_equal(s->rlimits[0].hard, 50);
	assert_int_equal(ward_spec_add_rlimit(s, "stack=unlimited", &e), 0);
	assert_true(s->rlimits[2].soft == RLIM_INFINITY);
	const char *bad[] = {"nofile",      "bogus=1",   "nofile=-1",
	                     "nofile=10:5", "nofile=1x", "nofile=:"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(ward_spec_add_rlimit(s, bad[i], &e), -1);
	assert_int_equal(ward_spec_add_rlimit(s, "bogus=1", &e), -1);
	assert_non_null(strstr(e.msg, "bogus"));
}

static void timeouts(void **state)
{
	(void)state;
	struct ward_error e;
	unsigned t;
	assert_int_equal(ward_parse_timeout("30", &t, &e), 0);
	assert_int_equal(t, 30);
	const char *bad[] = {"0", "-5", "abc", "1.5", "99999999999", ""};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(ward_parse_timeout(bad[i], &t, &e), -1);
}

static void publish_specs(void **state)
{
	struct ward_spec *s = *state;
	struct ward_error e = {0};
	assert_int_equal(ward_spec_add_publish(s, "8080", &e), 0);
	assert_string_equal(s->publish[0].addr, "127.0.0.1");
	assert_int_equal(s->publish[0].host_port, 0);
	assert_int_equal(s->publish[0].port, 8080);
	assert_int_equal(ward_spec_add_publish(s, "0.0.0.0:80:8080/tcp", &e), 0);
	assert_string_equal(s->publish[1].addr, "0.0.0.0");
	assert_int_equal(s->publish[1].host_port, 80);
	assert_int_equal(ward_spec_add_publish(s, "[::1]:0:22", &e), 0);
	assert_string_equal(s->publish[2].addr, "::1");
	assert_int_equal(ward_spec_add_publish(s, "65535:1", &e), 0);
	const char *bad[] = {
	    "",        "0",         "65536",     "x:80",      "80:",          ":80",
	    "1:2:3:4", "::1:80:80", "[::1]80:1", "[1.2]:1:1", "80/udp",       "80/sctp",
	    "-1:80",   "080000:1",  "[::1]:0",   "80:65536",  "300.1.1.1:1:1"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		e.msg[0] = 0;
		assert_int_equal(ward_spec_add_publish(s, bad[i], &e), -1);
		assert_non_null(strstr(e.msg, "--publish"));
	}
	assert_int_equal(s->n_publish, 4);
	assert_int_equal(ward_spec_add_publish(s, "0.0.0.0:80:9", &e), -1);
	assert_non_null(strstr(e.msg, "already published"));
	assert_int_equal(ward_spec_set_network(s, "egress", &e), 0);
	assert_int_equal(ward_spec_set_network(s, "host", &e), -1);
	assert_int_equal(ward_spec_add_dns(s, "10.0.0.1", &e), 0);
	assert_int_equal(ward_spec_add_dns(s, "fd00::1", &e), 0);
	assert_int_equal(ward_spec_add_dns(s, "dns.example", &e), -1);
	assert_int_equal(ward_spec_add_host(s, "db:10.1.2.3", &e), 0);
	assert_int_equal(ward_spec_add_host(s, "v6.example:fd00::1", &e), 0);
	assert_string_equal(s->hosts[0], "10.1.2.3 db");
	assert_string_equal(s->hosts[1], "fd00::1 v6.example");
	assert_null(s->hosts[2]);
	const char *bad_hosts[] = {"db",          "db:",          ":1.2.3.4", "db:host-gateway",
	                           "a b:1.2.3.4", "db:1.2.3.4\nx"};
	for (size_t i = 0; i < sizeof(bad_hosts) / sizeof(bad_hosts[0]); i++) {
		assert_int_equal(ward_spec_add_host(s, bad_hosts[i], &e), -1);
		assert_non_null(strstr(e.msg, "--add-host"));
	}
}

static void validate_names_culprit(void **state)
{
	struct ward_spec *s = *state;
	struct ward_error e;
	char *argv[] = {"/bin/true"};
	assert_int_equal(ward_spec_set_argv(s, 1, argv, &e), 0);
	assert_int_equal(spec_default_idmaps(s, &e), 0);
	assert_int_equal(ward_spec_validate(s, &e), -1);
	assert_non_null(strstr(e.msg, "--rootfs"));
	s->rootfs = strdup("/nonexistent-ward-root");
	assert_int_equal(ward_spec_validate(s, &e), -1);
	assert_non_null(strstr(e.msg, "/nonexistent-ward-root"));
	free(s->rootfs);
	s->rootfs = strdup("/etc/passwd");
	assert_int_equal(ward_spec_validate(s, &e), -1);
	assert_non_null(strstr(e.msg, "Not a directory"));
	free(s->rootfs);
	s->rootfs = strdup("/");
	assert_int_equal(ward_spec_validate(s, &e), 0);
	/* a library caller's publish entry that is not an address: never 0.0.0.0 instead */
	strcpy(s->publish[0].addr, "localhost");
	s->publish[0].port = 80;
	s->n_publish = 1;
	assert_int_equal(ward_spec_validate(s, &e), -1);
	assert_non_null(strstr(e.msg, "--publish localhost:0:80"));
	strcpy(s->publish[0].addr, "::1");
	assert_int_equal(ward_spec_validate(s, &e), 0);
	s->publish[0].port = 0;
	assert_int_equal(ward_spec_validate(s, &e), -1);
	s->n_publish = 0;
	strcpy(s->dns[0], "resolver");
	s->n_dns = 1;
	assert_int_equal(ward_spec_validate(s, &e), -1);
	assert_non_null(strstr(e.msg, "--dns resolver"));
	s->n_dns = 0;
	s->hostname = strdup("bad host");
	assert_int_equal(ward_spec_validate(s, &e), -1);
	assert_non_null(strstr(e.msg, "hostname"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(env_add_and_replace, setup, teardown),
	    cmocka_unit_test_setup_teardown(env_rejects_bad_names, setup, teardown),
	    cmocka_unit_test_setup_teardown(env_file, setup, teardown),
	    cmocka_unit_test_setup_teardown(rlimits, setup, teardown),
	    cmocka_unit_test_setup_teardown(timeouts, setup, teardown),
	    cmocka_unit_test_setup_teardown(validate_names_culprit, setup, teardown),
	    cmocka_unit_test_setup_teardown(publish_specs, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
