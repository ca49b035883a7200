/* Run one command in a one-shot sandbox over a root directory and read its result as JSON.
 * Build: cc run.c $(pkg-config --cflags --libs ward)
 * Usage: run ROOTFS   (a directory with /bin/sh; ward never writes to it) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ward/ward.h>

/* The library never prints: its warnings and notes come here. */
static void log_line(enum ward_log_level level, const char *msg, void *arg)
{
	(void)arg;
	if (level != WARD_LOG_PROGRESS)
		fprintf(stderr, "run: %s\n", msg);
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: %s ROOTFS\n", argv[0]);
		return 2;
	}
	struct ward_error e = {0};
	struct ward_context *ctx = NULL;
	struct ward_spec *spec = NULL;
	char *const cmd[] = {"/bin/sh", "-c", "echo hello from $(hostname); exit 3", NULL};
	if (ward_context_new(&ctx, &e) < 0 || ward_spec_new(&spec, &e) < 0)
		goto fail;
	ward_context_set_log(ctx, log_line, NULL);
	if (ward_spec_set_rootfs(spec, argv[1], &e) < 0 ||
	    ward_spec_set_argv(spec, 3, cmd, &e) < 0 ||
	    ward_spec_set_limit(spec, "pids", "64", &e) < 0)
		goto fail;
	ward_spec_set_timeout(spec, 30);
	/* Rootless without a delegated cgroup: an rlimit instead, said in the result. */
	ward_spec_set_best_effort_limits(spec, true);

	struct ward_result res;
	int rc = ward_run(ctx, spec, &res, &e);
	/* The same object ward run --json prints, with "error" when the start failed. */
	char *json = ward_result_json(&res, &e, rc < 0);
	if (!json) {
		fprintf(stderr, "run: out of memory\n");
		return 1;
	}
	printf("%s\n", json);
	int ok = rc == 0 && res.reason == WARD_EXITED && res.exit_code == 3 &&
	         strstr(json, "\"exitCode\":3") != NULL;
	free(json);
	ward_spec_free(spec);
	ward_context_free(ctx);
	return ok ? 0 : 1;

fail:
	fprintf(stderr, "run: %s\n", e.msg);
	ward_spec_free(spec);
	ward_context_free(ctx);
	return 1;
}
