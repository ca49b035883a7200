/* ward_sandbox_pause / _unpause / _logs and a refused exec as a program linking libward
 * calls them; pause_logs.bats drives it (the sandboxes come from ward create).
 * usage: pause_logs_api pause|unpause REF    prints the call's latency in microseconds
 *        pause_logs_api exec REF             runs true in REF (prints the error when refused)
 *        pause_logs_api start REF            starts a stopped REF again
 *        pause_logs_api logs REF [-f] [-t] [-n TAIL] [-s SINCE_MS] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ward/ward.h"

static long long now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static int fail(const struct ward_error *e)
{
	fprintf(stderr, "%s\n", e->msg);
	return 1;
}

static int do_exec(struct ward_sandbox *sb, struct ward_error *e)
{
	struct ward_exec *x;
	struct ward_exec_result res;
	char *argv[] = {"true"};
	if (ward_exec_new(&x, e) < 0 || ward_exec_set_argv(x, 1, argv, e) < 0)
		return fail(e);
	ward_exec_set_capture(x, 0);
	int rc = ward_sandbox_exec(sb, x, &res, e);
	ward_exec_free(x);
	if (rc < 0)
		return fail(e);
	ward_exec_result_free(&res);
	return res.exit_code;
}

static int do_logs(struct ward_sandbox *sb, int argc, char **argv, struct ward_error *e)
{
	struct ward_log_opts o = {.tail = -1};
	int opt;
	while ((opt = getopt(argc, argv, "ftn:s:")) != -1) {
		if (opt == 'f')
			o.follow = true;
		else if (opt == 't')
			o.timestamps = true;
		else if (opt == 'n')
			o.tail = atol(optarg);
		else if (opt == 's')
			o.since_ms = atoll(optarg);
		else
			return 2;
	}
	return ward_sandbox_logs(sb, &o, 1, 2, e) < 0 ? fail(e) : 0;
}

int main(int argc, char **argv)
{
	struct ward_error e = {0};
	struct ward_context *c;
	struct ward_sandbox *sb;
	if (argc < 3) {
		fputs("usage: pause_logs_api pause|unpause|start|exec|logs REF [options]\n",
		      stderr);
		return 2;
	}
	if (ward_context_new(&c, &e) < 0)
		return fail(&e);
	const char *state = getenv("WARD_STATE_DIR");
	if (state && ward_context_set_state_dir(c, state, &e) < 0)
		return fail(&e);
	if (ward_sandbox_open(c, argv[2], &sb, &e) < 0)
		return fail(&e);
	int rc;
	if (!strcmp(argv[1], "pause") || !strcmp(argv[1], "unpause")) {
		long long t0 = now_us();
		rc =
		    (!strcmp(argv[1], "pause") ? ward_sandbox_pause : ward_sandbox_unpause)(sb, &e);
		if (rc == 0)
			printf("%lld\n", now_us() - t0);
		else
			rc = fail(&e);
	} else if (!strcmp(argv[1], "start")) {
		rc = ward_sandbox_start(sb, &e) < 0 ? fail(&e) : 0;
	} else if (!strcmp(argv[1], "exec")) {
		rc = do_exec(sb, &e);
	} else if (!strcmp(argv[1], "logs")) {
		rc = do_logs(sb, argc - 2, argv + 2, &e);
	} else {
		rc = 2;
	}
	ward_sandbox_close(sb);
	ward_context_free(c);
	return rc;
}
