/* Unit tests: sizes and resource limit options. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "spec.h"

static void sizes(void **state)
{
	(void)state;
	uint64_t v;
	const struct {
		const char *text;
		uint64_t want;
	} good[] = {
	    {"0", 0},
	    {"123", 123},
	    {"64k", 64 << 10},
	    {"64K", 64 << 10},
	    {"256m", 256 << 20},
	    {"256MiB", 256 << 20},
	    {"1g", 1ULL << 30},
	    {"1.5g", 3ULL << 29},
	    {"2t", 2ULL << 40},
	    {"10b", 10},
	    {"3KiB", 3 << 10},
	    {"1.25k", 1280},
	    {"0.5", 0},
	    {"007m", 7 << 20},
	    {"2Ki", 2 << 10},
	    {"18446744073709551615", UINT64_MAX},
	};
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		assert_int_equal(ward_parse_size(good[i].text, &v), 0);
		assert_true(v == good[i].want);
	}
	/* what strtod would take but the documented grammar does not */
	const char *bad[] = {"",
	                     "m",
	                     "-1m",
	                     "1x",
	                     "1mm",
	                     "1.2.3m",
	                     "1 m",
	                     " 5m",
	                     "5m ",
	                     "+5m",
	                     "0x10m",
	                     "0x10",
	                     "1e3k",
	                     "1E3",
	                     "0x1p4k",
	                     "inf",
	                     "nan",
	                     "INFINITY",
	                     "1.",
	                     ".5",
	                     "1.m",
	                     "1bi",
	                     "5mm",
	                     "1ib",
	                     "18446744073709551616",
	                     "99999999999999999999t",
	                     "16777216t"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(ward_parse_size(bad[i], &v), -1);
}

static void limit_options(void **state)
{
	(void)state;
	struct ward_spec s;
	struct ward_error e;
	ward_spec_init(&s);
	assert_int_equal(ward_spec_set_limit(&s, "memory", "256m", &e), 0);
	assert_true(s.limits.memory == 256ULL << 20);
	assert_int_equal(ward_spec_set_limit(&s, "memory-swap", "0", &e), 0);
	assert_int_equal(s.limits.swap, 0);
	assert_int_equal(ward_spec_set_limit(&s, "pids", "64", &e), 0);
	assert_int_equal(ward_spec_set_limit(&s, "cpus", "0.5", &e), 0);
	assert_int_equal(s.limits.cpu_quota, 50000);
	assert_int_equal(s.limits.cpu_period, 100000);
	assert_int_equal(ward_spec_set_limit(&s, "cpuset", "0", &e), 0);
	assert_int_equal(ward_spec_set_limit(&s, "io-max", "8:0:rbps=1m,wiops=100", &e), 0);
	assert_int_equal(s.limits.n_io, 1);
	assert_true(s.limits.io[0].rbps == 1 << 20 && s.limits.io[0].wiops == 100);
	assert_int_equal(ward_spec_set_limit(&s, "disk", "1g", &e), 0);

	const struct {
		const char *name, *value, *culprit;
	} bad[] = {
	    {"memory", "0", "--memory 0"},       {"memory", "1k", "below the 4m"},
	    {"pids", "1", "below the 2"},        {"pids", "x", "--pids x"},
	    {"cpus", "0", "between 0.01"},       {"cpus", "0x1", "--cpus 0x1"},
	    {"cpus", "1e0", "--cpus 1e0"},       {"cpus", "nan", "--cpus nan"},
	    {"cpus", "1.", "--cpus 1."},         {"memory", "0x10m", "--memory 0x10m"},
	    {"memory", "1e3k", "--memory 1e3k"}, {"memory", " 5m", "--memory  5m"},
	    {"memory", "inf", "--memory inf"},   {"disk", "5mm", "--disk 5mm"},
	    {"cpu-weight", "0", "1 to 10000"},   {"cpuset", "0-", "--cpuset 0-"},
	    {"io-max", "8:0", "--io-max 8:0"},   {"io-max", "/nonexistent:rbps=1", "/nonexistent"},
	    {"disk", "100k", "below the 1m"},    {"bogus", "1", "unknown limit"},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(ward_spec_set_limit(&s, bad[i].name, bad[i].value, &e), -1);
		if (!strstr(e.msg, bad[i].culprit))
			fail_msg("%s %s: '%s' lacks '%s'", bad[i].name, bad[i].value, e.msg,
			         bad[i].culprit);
	}
	char cpus[32];
	snprintf(cpus, sizeof(cpus), "%ld", sysconf(_SC_NPROCESSORS_ONLN) + 1);
	assert_int_equal(ward_spec_set_limit(&s, "cpus", cpus, &e), -1);
	ward_spec_free(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(sizes),
	    cmocka_unit_test(limit_options),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
