/* The persistent-sandbox API as a program linking libward uses it: create a sandbox from
 * ROOTFS, exec twice (captured), write and copy a file out, kill its command with SIGTERM,
 * wait, remove. Run by lifecycle.bats (it needs a root filesystem and a state root).
 * usage: sandbox_api ROOTFS TMPDIR */
#include <fcntl.h>
#include <linux/securebits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/fsuid.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ward/ward.h"

static struct ward_error e;

#define CHECK(cond)                                                                                \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, "%s:%d: %s failed (%s)\n", __FILE__, __LINE__, #cond,      \
			        e.msg);                                                            \
			exit(1);                                                                   \
		}                                                                                  \
	} while (0)

static void print_log(enum ward_log_level level, const char *msg, void *arg)
{
	(void)arg;
	if (level == WARD_LOG_WARNING)
		fprintf(stderr, "warning: %s\n", msg);
}

/* Run ARGV captured; its exit code, *out its stdout. */
static int run(struct ward_sandbox *sb, char *const *argv, int argc, char *out, size_t len)
{
	struct ward_exec *x;
	struct ward_exec_result res;
	CHECK(ward_exec_new(&x, &e) == 0);
	CHECK(ward_exec_set_argv(x, argc, argv, &e) == 0);
	ward_exec_set_capture(x, 0);
	/* no terminal while it is not running: a resize says so, the size is kept */
	ward_exec_set_winsize(x, 24, 80);
	CHECK(ward_exec_resize(x, 30, 100, &e) == -1 && strstr(e.msg, "no terminal"));
	CHECK(ward_sandbox_exec(sb, x, &res, &e) == 0);
	snprintf(out, len, "%.*s", (int)res.len[0], res.out[0] ? res.out[0] : "");
	char *json = ward_exec_result_json(&res, &e, false);
	CHECK(json && strstr(json, "\"exitCode\":"));
	free(json);
	int code = res.exit_code;
	ward_exec_result_free(&res);
	ward_exec_free(x);
	return code;
}

/* A root caller's write must leave this thread's fs ids and securebits as they were. */
static void check_ids(int bits)
{
	CHECK(setfsuid((uid_t)-1) == (int)geteuid());
	CHECK(setfsgid((gid_t)-1) == (int)getegid());
	CHECK(prctl(PR_GET_SECUREBITS, 0, 0, 0, 0) == bits);
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fputs("usage: sandbox_api ROOTFS TMPDIR\n", stderr);
		return 2;
	}
	struct ward_context *c;
	CHECK(ward_context_new(&c, &e) == 0);
	const char *state = getenv("WARD_STATE_DIR");
	if (state)
		CHECK(ward_context_set_state_dir(c, state, &e) == 0);
	ward_context_set_log(c, print_log, NULL);

	struct ward_spec *s;
	char *cmd[] = {"sleep", "1000"};
	CHECK(ward_spec_new(&s, &e) == 0);
	CHECK(ward_spec_set_rootfs(s, argv[1], &e) == 0);
	CHECK(ward_spec_set_argv(s, 2, cmd, &e) == 0);
	ward_spec_set_persistent(s, true);
	struct ward_sandbox *sb;
	bool reused = true;
	CHECK(ward_sandbox_create(c, s, &sb, &reused, &e) == 0);
	CHECK(!reused && strlen(ward_sandbox_id(sb)) == WARD_SANDBOX_ID_LEN);
	ward_spec_free(s);

	char out[256];
	char *echo[] = {"echo", "hello"};
	CHECK(run(sb, echo, 2, out, sizeof(out)) == 0 && !strcmp(out, "hello\n"));
	char *sh[] = {"sh", "-c", "echo data >/tmp/f; exit 3"};
	CHECK(run(sb, sh, 3, out, sizeof(out)) == 3);

	int bits = prctl(PR_GET_SECUREBITS, 0, 0, 0, 0);
	char path[4096];
	snprintf(path, sizeof(path), "%s/in", argv[2]);
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	CHECK(fd >= 0 && write(fd, "written\n", 8) == 8 && lseek(fd, 0, SEEK_SET) == 0);
	CHECK(ward_sandbox_write(sb, "/tmp/w", fd, 0640, 0, &e) == 0);
	close(fd);
	check_ids(bits);
	char *cat[] = {"cat", "/tmp/w"};
	CHECK(run(sb, cat, 2, out, sizeof(out)) == 0 && !strcmp(out, "written\n"));

	snprintf(path, sizeof(path), "%s/out", argv[2]);
	CHECK(ward_sandbox_copy_out(sb, "/tmp/f", path, NULL, &e) == 0);
	FILE *f = fopen(path, "r");
	CHECK(f && fgets(out, sizeof(out), f) && !strcmp(out, "data\n"));
	fclose(f);

	struct ward_sandbox_info info, *all;
	size_t n;
	CHECK(ward_sandbox_inspect(sb, &info, &e) == 0);
	CHECK(info.status == WARD_SANDBOX_RUNNING && info.alive && info.persistent);
	CHECK(!strcmp(info.command, "sleep 1000") && !strcmp(info.origin, argv[1]));
	CHECK(ward_sandbox_list(c, &all, &n, &e) == 0 && n == 1 && !strcmp(all[0].id, info.id));
	ward_sandbox_list_free(all, n);

	CHECK(ward_sandbox_kill(sb, 0, &e) < 0 && strstr(e.msg, "signal 0"));
	/* init passes SIGTERM on to its command, which dies of it: 128 + 15 */
	CHECK(ward_sandbox_kill(sb, SIGTERM, &e) == 0);
	int code = -1;
	CHECK(ward_sandbox_wait(sb, &code, &e) == 0 && code == 143);
	ward_sandbox_info_release(&info);
	CHECK(ward_sandbox_inspect(sb, &info, &e) == 0);
	CHECK(info.status == WARD_SANDBOX_STOPPED && info.exit_code == 143);
	char *json = ward_sandbox_info_json(&info);
	CHECK(json && strstr(json, "\"exitCode\": 143"));
	free(json);
	code = -1;
	CHECK(ward_sandbox_wait(sb, &code, &e) == 0 && code == 143); /* from the record */
	CHECK(ward_sandbox_remove(sb, false, &e) == 0);
	ward_sandbox_close(sb);
	CHECK(ward_sandbox_open(c, info.id, &sb, &e) < 0 && strstr(e.msg, "no such sandbox"));

	/* removed when it stops: only its supervisor can tell the exit code, to a wait begun
	 * before */
	char *brief[] = {"sh", "-c", "sleep 0.5; exit 7"};
	CHECK(ward_spec_new(&s, &e) == 0);
	CHECK(ward_spec_set_rootfs(s, argv[1], &e) == 0);
	CHECK(ward_spec_set_argv(s, 3, brief, &e) == 0);
	ward_spec_set_auto_remove(s, true);
	CHECK(ward_sandbox_create(c, s, &sb, NULL, &e) == 0);
	ward_spec_free(s);
	code = -1;
	CHECK(ward_sandbox_wait(sb, &code, &e) == 0 && code == 7);
	CHECK(ward_sandbox_list(c, &all, &n, &e) == 0 && n == 0);
	ward_sandbox_list_free(all, n);
	ward_sandbox_close(sb);

	/* a supervisor killed during the wait: the wait ends, saying so */
	CHECK(ward_spec_new(&s, &e) == 0);
	CHECK(ward_spec_set_rootfs(s, argv[1], &e) == 0);
	CHECK(ward_sandbox_create(c, s, &sb, NULL, &e) == 0);
	ward_spec_free(s);
	ward_sandbox_info_release(&info);
	CHECK(ward_sandbox_inspect(sb, &info, &e) == 0);
	pid_t killer = fork();
	if (killer == 0) {
		usleep(300 * 1000);
		kill(info.supervisor, SIGKILL);
		_exit(0);
	}
	CHECK(ward_sandbox_wait(sb, &code, &e) < 0 && strstr(e.msg, "supervisor is gone"));
	waitpid(killer, NULL, 0);
	/* kept, stopped: it ran; lost with its supervisor */
	ward_sandbox_info_release(&info);
	CHECK(ward_sandbox_inspect(sb, &info, &e) == 0);
	CHECK(info.status == WARD_SANDBOX_STOPPED && !strcmp(info.reason, "lost"));
	ward_sandbox_info_release(&info);
	CHECK(ward_sandbox_remove(sb, false, &e) == 0);
	ward_sandbox_close(sb);
	ward_context_free(c);
	puts("ok");
	return 0;
}
