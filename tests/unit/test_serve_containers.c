/* Unit tests: the pure pieces of ward serve's containers endpoints (Docker's status texts,
 * the refusals of a create body that come before any image is opened). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "containers.h"

static void human_duration_as_docker(void **state)
{
	(void)state;
	static const struct {
		int64_t ms;
		const char *want;
	} cases[] = {
	    {0, "Less than a second"},
	    {999, "Less than a second"},
	    {1000, "1 second"},
	    {59999, "59 seconds"},
	    {60000, "About a minute"},
	    {119999, "About a minute"},
	    {120000, "2 minutes"},
	    {3599999, "59 minutes"},
	    {3600000, "About an hour"},
	    {5400000, "2 hours"},
	    {47 * 3600000LL, "47 hours"},
	    {48 * 3600000LL, "2 days"},
	    {14 * 86400000LL, "2 weeks"},
	    {60 * 86400000LL, "2 months"},
	    {730 * 86400000LL, "2 years"},
	};
	char buf[48];
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ctr_human_duration(cases[i].ms, buf, sizeof(buf));
		assert_string_equal(buf, cases[i].want);
	}
}

static void status_and_state(void **state)
{
	(void)state;
	char buf[96];
	int64_t now = 1700000000000LL;
	struct ward_sandbox_info i = {.status = WARD_SANDBOX_RUNNING, .started_ms = now - 5000};
	ctr_status_text(&i, now, buf, sizeof(buf));
	assert_string_equal(buf, "Up 5 seconds");
	assert_string_equal(ctr_state(&i), "running");
	i.status = WARD_SANDBOX_PAUSED;
	ctr_status_text(&i, now, buf, sizeof(buf));
	assert_string_equal(buf, "Up 5 seconds (Paused)");
	assert_string_equal(ctr_state(&i), "paused");
	i.status = WARD_SANDBOX_STOPPED;
	i.exit_code = 3;
	i.finished_ms = now - 3000;
	ctr_status_text(&i, now, buf, sizeof(buf));
	assert_string_equal(buf, "Exited (3) 3 seconds ago");
	assert_string_equal(ctr_state(&i), "exited");
	i.status = WARD_SANDBOX_CREATED;
	ctr_status_text(&i, now, buf, sizeof(buf));
	assert_string_equal(buf, "Created");
	assert_string_equal(ctr_state(&i), "created");
}

/* Refused before the image is looked up: no store needed. */
static void refusals_name_the_field(void **state)
{
	(void)state;
	static const struct {
		const char *body, *want;
	} cases[] = {
	    {"{\"Image\":\"x\",\"HostConfig\":{\"Privileged\":true}}", "HostConfig.Privileged"},
	    {"{\"Image\":\"x\",\"HostConfig\":{\"PidMode\":\"host\"}}", "HostConfig.PidMode host"},
	    {"{\"Image\":\"x\",\"HostConfig\":{\"Devices\":[{}]}}", "HostConfig.Devices"},
	    {"{\"Image\":\"x\",\"HostConfig\":{\"MemorySwappiness\":0}}",
	     "HostConfig.MemorySwappiness"},
	    {"{\"Image\":\"x\",\"HostConfig\":{\"RestartPolicy\":{\"Name\":\"always\"}}}",
	     "HostConfig.RestartPolicy always"},
	    {"{\"Image\":\"x\",\"StopSignal\":\"SIGKILL\"}", "Config.StopSignal SIGKILL"},
	    {"{\"Image\":\"x\",\"Healthcheck\":{\"Test\":[\"CMD\",\"true\"]}}",
	     "Config.Healthcheck"},
	    {"{\"Image\":\"x\",\"HostConfig\":[]}", "HostConfig: expected an object"},
	    {"{\"Image\":\"x\",\"NetworkingConfig\":{\"EndpointsConfig\":{\"n\":{}}}}",
	     "NetworkingConfig.EndpointsConfig n"},
	    {"{}", "Config.Image: required"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		json_t *body = json_loads(cases[i].body, 0, NULL);
		struct ward_spec *s = NULL;
		struct ward_image *img = NULL;
		char msg[1024] = "";
		assert_non_null(body);
		assert_int_equal(ctr_spec_from_body(NULL, body, "n", &s, &img, msg, sizeof(msg)),
		                 400);
		assert_null(s);
		assert_null(img);
		if (strncmp(msg, cases[i].want, strlen(cases[i].want)))
			fail_msg("%s: got \"%s\"", cases[i].body, msg);
		json_decref(body);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(human_duration_as_docker),
	    cmocka_unit_test(status_and_state),
	    cmocka_unit_test(refusals_name_the_field),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
