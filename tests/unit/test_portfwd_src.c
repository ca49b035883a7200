/* Unit tests: the port forwarder's count of connections per source. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <cmocka.h>

#include "portfwd_src.h"

static struct portfwd_src v4(const char *text)
{
	struct sockaddr_storage ss = {0};
	struct sockaddr_in *a = (struct sockaddr_in *)&ss;
	a->sin_family = AF_INET;
	assert_int_equal(inet_pton(AF_INET, text, &a->sin_addr), 1);
	return portfwd_src_of(&ss);
}

static struct portfwd_src v6(const char *text)
{
	struct sockaddr_storage ss = {0};
	struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;
	a->sin6_family = AF_INET6;
	assert_int_equal(inet_pton(AF_INET6, text, &a->sin6_addr), 1);
	return portfwd_src_of(&ss);
}

static bool same(struct portfwd_src a, struct portfwd_src b)
{
	return a.family == b.family && a.bits == b.bits;
}

static void sources(void **state)
{
	(void)state;
	assert_true(same(v4("192.0.2.7"), v6("::ffff:192.0.2.7")));
	assert_int_equal(v6("::ffff:192.0.2.7").family, AF_INET);
	assert_false(same(v4("192.0.2.7"), v4("192.0.2.8")));
	assert_true(same(v6("2001:db8:1:2::1"), v6("2001:db8:1:2:ffff::9")));
	assert_false(same(v6("2001:db8:1:2::1"), v6("2001:db8:1:3::1")));
	/* an IPv6 address whose /64 spells an IPv4 one is another source */
	assert_false(same(v4("0.0.0.1"), v6("0:0:0:1::")));
	struct sockaddr_storage unix_peer = {.ss_family = AF_UNIX};
	assert_int_equal(portfwd_src_of(&unix_peer).family, 0);
}

static void cap_per_source(void **state)
{
	(void)state;
	struct portfwd_srcs *t = portfwd_srcs_new(42);
	assert_non_null(t);
	struct portfwd_src a = v4("127.0.0.1"), b = v4("127.0.0.2");
	for (int i = 0; i < PORTFWD_SRC_CAP; i++)
		assert_true(portfwd_srcs_take(t, a));
	assert_false(portfwd_srcs_take(t, a));
	assert_false(portfwd_srcs_take(t, v6("::ffff:127.0.0.1")));
	assert_int_equal(portfwd_srcs_count(t, a), PORTFWD_SRC_CAP);
	assert_true(portfwd_srcs_take(t, b)); /* another source is still served */
	portfwd_srcs_put(t, a);
	assert_true(portfwd_srcs_take(t, a));
	for (int i = 0; i < PORTFWD_SRC_CAP; i++)
		portfwd_srcs_put(t, a);
	assert_int_equal(portfwd_srcs_count(t, a), 0);
	assert_int_equal(portfwd_srcs_count(t, b), 1);
	portfwd_srcs_free(t);
}

/* Thousands of sources, removed in an order that breaks probe runs: each count stays
 * found; a full table refuses a new source and keeps the ones it has. */
static void many_sources(void **state)
{
	(void)state;
	struct portfwd_srcs *t = portfwd_srcs_new(7);
	const unsigned n = PORTFWD_SRC_SLOTS - 1;
	for (unsigned i = 0; i < n; i++)
		for (unsigned k = 0; k <= i % 3; k++)
			assert_true(portfwd_srcs_take(t, (struct portfwd_src){AF_INET, i}));
	assert_false(portfwd_srcs_take(t, (struct portfwd_src){AF_INET6, 1}));
	for (unsigned i = 0; i < n; i += 2)
		for (unsigned k = 0; k <= i % 3; k++)
			portfwd_srcs_put(t, (struct portfwd_src){AF_INET, i});
	for (unsigned i = 0; i < n; i++)
		assert_int_equal(portfwd_srcs_count(t, (struct portfwd_src){AF_INET, i}),
		                 i % 2 ? i % 3 + 1 : 0);
	assert_true(portfwd_srcs_take(t, (struct portfwd_src){AF_INET6, 1}));
	portfwd_srcs_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(sources),
	    cmocka_unit_test(cap_per_source),
	    cmocka_unit_test(many_sources),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
