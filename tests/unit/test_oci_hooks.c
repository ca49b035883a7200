/* oci_hooks_run: args, env and the state as given; no fd leaks; the first failure named;
 * timeouts kill; a hook's daemon holding its pipes does not hold us. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "oci.h"
#include "oci_hooks.h"

static char dir[] = "/tmp/ward-hooks-XXXXXX";

static int setup(void **state)
{
	(void)state;
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static char *slurp(const char *name)
{
	static char buf[4096];
	char path[256];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *f = fopen(path, "r");
	if (!f)
		return NULL;
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

/* A /bin/sh hook running SCRIPT with "$1" the test directory. */
static struct oci_hook sh_hook(const char *script, char **env, int timeout)
{
	char **a = calloc(6, sizeof(char *));
	a[0] = strdup("hook-name");
	a[1] = strdup("-c");
	a[2] = strdup(script);
	a[3] = strdup("zero");
	a[4] = strdup(dir);
	return (struct oci_hook){
	    .path = strdup("/bin/sh"), .args = a, .env = env, .timeout_s = timeout};
}

static void hook_free(struct oci_hook *h)
{
	for (size_t i = 0; h->args && h->args[i]; i++)
		free(h->args[i]);
	free(h->args);
	free(h->path);
}

static int run(struct oci_hook *hooks, size_t n, enum oci_hook_kind kind, const char *state,
               struct ward_error *e)
{
	struct oci_config o = {0};
	o.hooks[kind] = hooks;
	o.n_hooks[kind] = n;
	return oci_hooks_run(&o, kind, state, e);
}

static void args_env_state(void **state)
{
	(void)state;
	char *env[] = {"FOO=bar", "X=1 2", NULL};
	struct oci_hook h = sh_hook("echo \"$0 $FOO\" > \"$1/marker\"; cat > \"$1/state\"; "
	                            "tr '\\0' '\\n' < /proc/$$/environ > \"$1/env\"",
	                            env, 10);
	struct ward_error e = {0};
	const char *json = "{\"ociVersion\":\"1.0.2\",\"id\":\"c1\",\"status\":\"creating\"}";
	assert_int_equal(run(&h, 1, OCI_HOOK_CREATE_RUNTIME, json, &e), 0);
	assert_string_equal(slurp("marker"), "zero bar\n");
	assert_string_equal(slurp("state"), json);
	assert_string_equal(slurp("env"), "FOO=bar\nX=1 2\n");
	hook_free(&h);
}

static void argv0_and_empty_env(void **state)
{
	(void)state;
	struct oci_hook h = sh_hook("tr '\\0' '\\n' < /proc/$$/cmdline > \"$1/cmdline\"; "
	                            "tr '\\0' '\\n' < /proc/$$/environ > \"$1/env\"",
	                            NULL, 0);
	struct ward_error e = {0};
	assert_int_equal(run(&h, 1, OCI_HOOK_PRESTART, "{}", &e), 0);
	assert_non_null(strstr(slurp("cmdline"), "hook-name\n-c\n"));
	assert_string_equal(slurp("env"), "");
	hook_free(&h);
}

static void no_fd_leaks(void **state)
{
	(void)state;
	int leak = fcntl(0, F_DUPFD, 20); /* not close-on-exec */
	assert_true(leak >= 20);
	struct oci_hook h = sh_hook("ls /proc/$$/fd > \"$1/fds\"", NULL, 10);
	struct ward_error e = {0};
	assert_int_equal(run(&h, 1, OCI_HOOK_POSTSTOP, "{}", &e), 0);
	char want[16];
	snprintf(want, sizeof(want), "\n%d\n", leak);
	const char *fds = slurp("fds");
	assert_non_null(fds);
	assert_null(strstr(fds, want));
	assert_int_equal(strncmp(fds, "0\n1\n", 4), 0);
	close(leak);
	hook_free(&h);
}

static void failure_named(void **state)
{
	(void)state;
	struct oci_hook h[3] = {
	    sh_hook("exit 0", NULL, 10),
	    sh_hook("echo out; echo first >&2; echo 'bad thing' >&2; exit 2", NULL, 10),
	    sh_hook("touch \"$1/third\"", NULL, 10),
	};
	struct ward_error e = {0};
	assert_int_equal(run(h, 3, OCI_HOOK_CREATE_RUNTIME, "{}", &e), -1);
	assert_string_equal(e.msg, "hooks.createRuntime[1] /bin/sh: exited with 2: bad thing");
	assert_null(slurp("third"));
	for (int i = 0; i < 3; i++)
		hook_free(&h[i]);
}

/* a megabyte of output: only its end is kept, and it is the end that explains */
static void output_bounded(void **state)
{
	(void)state;
	struct oci_hook h[2] = {
	    sh_hook("yes xxxxxxxxxxxxxxx | head -c 1048576 >&2; echo; echo the end >&2; exit 3",
	            NULL, 10),
	    sh_hook("echo only stdout; exit 1", NULL, 10),
	};
	struct ward_error e = {0};
	assert_int_equal(run(&h[0], 1, OCI_HOOK_START_CONTAINER, "{}", &e), -1);
	assert_string_equal(e.msg, "hooks.startContainer[0] /bin/sh: exited with 3: the end");
	assert_int_equal(run(&h[1], 1, OCI_HOOK_START_CONTAINER, "{}", &e), -1);
	assert_string_equal(e.msg, "hooks.startContainer[0] /bin/sh: exited with 1: only stdout");
	hook_free(&h[0]);
	hook_free(&h[1]);
}

static void not_executable(void **state)
{
	(void)state;
	struct oci_hook h = {.path = "/nonexistent/hook"};
	struct ward_error e = {0};
	assert_int_equal(run(&h, 1, OCI_HOOK_POSTSTART, "{}", &e), -1);
	assert_string_equal(e.msg, "hooks.poststart[0] /nonexistent/hook: could not be executed: "
	                           "No such file or directory");
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void timeout_kills(void **state)
{
	(void)state;
	struct oci_hook h =
	    sh_hook("echo waiting >&2; sleep 30 & echo $! > \"$1/pid\"; wait", NULL, 1);
	struct ward_error e = {0};
	double t = now();
	assert_int_equal(run(&h, 1, OCI_HOOK_CREATE_CONTAINER, "{}", &e), -1);
	assert_true(now() - t < 5);
	assert_string_equal(
	    e.msg, "hooks.createContainer[0] /bin/sh: timed out after 1 s (killed): waiting");
	/* its whole process group went */
	char stat[64], *st;
	snprintf(stat, sizeof(stat), "/proc/%d/stat", atoi(slurp("pid")));
	usleep(100000);
	FILE *f = fopen(stat, "r");
	char line[512] = "";
	if (f) {
		(void)!fgets(line, sizeof(line), f);
		fclose(f);
	}
	st = strrchr(line, ')'); /* gone, or a zombie left to its new parent */
	assert_true(!f || (st && st[2] == 'Z'));
	hook_free(&h);
}

static void daemon_holding_pipes(void **state)
{
	(void)state;
	struct oci_hook h = sh_hook("sleep 30 & echo $! > \"$1/daemon\"; exit 0", NULL, 0);
	struct ward_error e = {0};
	double t = now();
	assert_int_equal(run(&h, 1, OCI_HOOK_POSTSTART, "{}", &e), 0);
	assert_true(now() - t < 5);
	kill((pid_t)atoi(slurp("daemon")), SIGKILL);
	hook_free(&h);
}

static void kind_names(void **state)
{
	(void)state;
	assert_string_equal(oci_hook_kind_name(OCI_HOOK_PRESTART), "prestart");
	assert_string_equal(oci_hook_kind_name(OCI_HOOK_CREATE_RUNTIME), "createRuntime");
	assert_string_equal(oci_hook_kind_name(OCI_HOOK_CREATE_CONTAINER), "createContainer");
	assert_string_equal(oci_hook_kind_name(OCI_HOOK_START_CONTAINER), "startContainer");
	assert_string_equal(oci_hook_kind_name(OCI_HOOK_POSTSTART), "poststart");
	assert_string_equal(oci_hook_kind_name(OCI_HOOK_POSTSTOP), "poststop");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(args_env_state), cmocka_unit_test(argv0_and_empty_env),
	    cmocka_unit_test(no_fd_leaks),    cmocka_unit_test(failure_named),
	    cmocka_unit_test(output_bounded), cmocka_unit_test(not_executable),
	    cmocka_unit_test(timeout_kills),  cmocka_unit_test(daemon_holding_pipes),
	    cmocka_unit_test(kind_names),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
