/* A sandbox that stays up: create it, run two commands in it, copy a file out, remove it.
 * Build: cc sandbox.c $(pkg-config --cflags --libs ward)
 * Usage: sandbox ROOTFS   (a directory with /bin/sh; ward never writes to it)
 * Persistent sandboxes' state lives in $WARD_STATE_DIR when set (the library itself never
 * reads the environment: the program hands it over through the context). */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <ward/ward.h>

static void log_line(enum ward_log_level level, const char *msg, void *arg)
{
	(void)arg;
	if (level != WARD_LOG_PROGRESS)
		fprintf(stderr, "sandbox: %s\n", msg);
}

/* Run ARGV in SB with its output captured; 0 when it exited with status 0. */
static int exec_captured(struct ward_sandbox *sb, char *const argv[], int argc,
                         struct ward_exec_result *res, struct ward_error *e)
{
	struct ward_exec *x = NULL;
	int rc = -1;
	*res = (struct ward_exec_result){0};
	if (ward_exec_new(&x, e) < 0 || ward_exec_set_argv(x, argc, argv, e) < 0)
		goto out;
	ward_exec_set_capture(x, 64 * 1024);
	ward_exec_set_timeout(x, 30);
	if (ward_sandbox_exec(sb, x, res, e) < 0)
		goto out;
	if (res->exit_code != 0) {
		ward_error_set(e, 0, "%s: exit status %d: %.*s", argv[argc - 1], res->exit_code,
		               (int)res->len[1], res->out[1] ? res->out[1] : "");
		goto out;
	}
	rc = 0;
out:
	ward_exec_free(x);
	return rc;
}

/* The whole life of one sandbox; DIR is a host directory for the copy out. */
static int session(struct ward_context *ctx, const char *rootfs, const char *dir,
                   struct ward_error *e)
{
	struct ward_spec *spec = NULL;
	struct ward_sandbox *sb = NULL;
	struct ward_exec_result res = {0};
	int rc = -1;
	if (ward_spec_new(&spec, e) < 0 || ward_spec_set_rootfs(spec, rootfs, e) < 0)
		goto out;
	/* No command: the sandbox idles until it is removed. */
	if (ward_sandbox_create(ctx, spec, &sb, NULL, e) < 0)
		goto out;
	printf("created %s\n", ward_sandbox_id(sb));

	char *const make[] = {"/bin/sh", "-c", "echo made in $(hostname) > /tmp/report.txt"};
	if (exec_captured(sb, make, 3, &res, e) < 0)
		goto out;
	ward_exec_result_free(&res);
	char *const look[] = {"/bin/cat", "/tmp/report.txt"};
	if (exec_captured(sb, look, 2, &res, e) < 0)
		goto out;
	printf("exec: %.*s", (int)res.len[0], res.out[0]);

	char host[4096];
	snprintf(host, sizeof(host), "%s/report.txt", dir);
	if (ward_sandbox_copy_out(sb, "/tmp/report.txt", host, NULL, e) < 0)
		goto out;
	char copy[256] = "";
	FILE *f = fopen(host, "r");
	if (!f || !fgets(copy, sizeof(copy), f)) {
		ward_error_set(e, 0, "%s: not copied out", host);
		if (f)
			fclose(f);
		goto out;
	}
	fclose(f);
	unlink(host);
	if (strcmp(copy, "made in ward\n") != 0 || res.len[0] != strlen(copy) ||
	    memcmp(res.out[0], copy, res.len[0]) != 0) {
		ward_error_set(e, 0, "copied out '%s', not what cat printed", copy);
		goto out;
	}
	printf("copied out: %s", copy);
	rc = 0;
out:
	ward_exec_result_free(&res);
	if (sb) {
		/* Force: it is still running (idle). Remove it even after a failure above. */
		struct ward_error re = {0};
		if (ward_sandbox_remove(sb, true, &re) < 0 && rc == 0) {
			*e = re;
			rc = -1;
		} else if (rc == 0) {
			printf("removed\n");
		}
		ward_sandbox_close(sb);
	}
	ward_spec_free(spec);
	return rc;
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: %s ROOTFS\n", argv[0]);
		return 2;
	}
	struct ward_error e = {0};
	struct ward_context *ctx = NULL;
	char dir[] = "/tmp/ward-example.XXXXXX";
	const char *state = getenv("WARD_STATE_DIR");
	int rc = 1;
	if (ward_context_new(&ctx, &e) < 0 ||
	    (state && ward_context_set_state_dir(ctx, state, &e) < 0))
		goto out;
	ward_context_set_log(ctx, log_line, NULL);
	if (!mkdtemp(dir)) {
		perror("sandbox: mkdtemp");
		goto out;
	}
	rc = session(ctx, argv[1], dir, &e) < 0;
	rmdir(dir);
out:
	if (rc)
		fprintf(stderr, "sandbox: %s\n", e.msg[0] ? e.msg : "failed");
	ward_context_free(ctx);
	return rc;
}
