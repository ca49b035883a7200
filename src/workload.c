/* Child side, last steps before the workload runs: stdio, rlimits, identity, capabilities,
 * no_new_privs, fds, then execve. Every failure is reported with the step that failed. */
#include <errno.h>
#include <grp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/resource.h>

#include "caps.h"
#include "channel.h"
#include "sys.h"
#include "workload.h"

static const char *env_get(char *const *env, const char *name)
{
	size_t n = strlen(name);
	for (size_t i = 0; env[i]; i++)
		if (strncmp(env[i], name, n) == 0 && env[i][n] == '=')
			return env[i] + n + 1;
	return NULL;
}

/* execvpe() searches the supervisor's PATH; the sandbox's own environment decides here.
 * Returns the errno worth reporting: ENOENT if nothing was found anywhere. */
static int exec_search(char *const *argv, char *const *env)
{
	const char *cmd = argv[0];
	if (strchr(cmd, '/')) {
		execve(cmd, argv, env);
		return errno;
	}
	const char *path = env_get(env, "PATH");
	if (!path)
		path = "/usr/local/bin:/usr/bin:/bin";
	int best = ENOENT;
	char buf[4096];
	for (const char *p = path;; p++) {
		const char *end = strchrnul(p, ':');
		int n =
		    snprintf(buf, sizeof(buf), "%.*s/%s", (int)(end - p), end == p ? "." : p, cmd);
		if (n > 0 && (size_t)n < sizeof(buf)) {
			execve(buf, argv, env);
			if (errno != ENOENT && errno != ENOTDIR)
				best = errno;
		}
		if (!*end)
			break;
		p = end;
	}
	return best;
}

__attribute__((noreturn)) static void report_exec(int sock, const char *cmd, int err)
{
	struct msg m = {.type = MSG_EXEC_FAIL, .err = err, .value = err == ENOENT ? 127 : 126};
	snprintf(m.text, sizeof(m.text), "%s", cmd);
	msg_send(sock, &m, -1);
	_exit(m.value);
}

__attribute__((noreturn)) static void fail(int sock, const char *what)
{
	msg_fail(sock, errno, "%s", what);
	_exit(125);
}

static void setup_stdio(const struct ward_spec *s, int tty, int sock)
{
	if (tty >= 0) {
		/* The workload owns a session on the sandbox's terminal. */
		if (setsid() < 0 || ioctl(tty, TIOCSCTTY, 0) < 0)
			fail(sock, "tty: making the terminal controlling");
		for (int i = 0; i < 3; i++)
			if (dup2(tty, i) < 0)
				fail(sock, "tty: attaching stdio");
		if (tty > 2)
			close(tty);
		return;
	}
	if (!s->interactive) {
		int null = open("/dev/null", O_RDONLY | O_CLOEXEC);
		if (null < 0 || dup2(null, 0) < 0)
			fail(sock, "stdin: opening /dev/null");
		close(null);
	}
}

void workload_exec(const struct ward_spec *s, const struct ward_filter *f, int sock, int tty)
{
	sigset_t all;
	sigemptyset(&all);
	sigprocmask(SIG_SETMASK, &all, NULL);
	setup_stdio(s, tty, sock);

	for (size_t i = 0; i < s->n_rlimits; i++) {
		struct rlimit rl = {.rlim_cur = s->rlimits[i].soft, .rlim_max = s->rlimits[i].hard};
		if (setrlimit(s->rlimits[i].resource, &rl) < 0) {
			char what[96];
			snprintf(what, sizeof(what),
			         "--rlimit %s: cannot raise the hard limit above the host's",
			         ward_rlimit_name(s->rlimits[i].resource));
			fail(sock, what);
		}
	}
	if (caps_limit_bounding(s->capabilities) < 0)
		fail(sock, "capabilities: limiting the bounding set");
	/* setgroups is denied in a single-id rootless namespace; nothing to drop there. */
	if (setgroups(0, NULL) < 0 && errno != EPERM)
		fail(sock, "user: clearing supplementary groups");
	if (setresgid(s->gid, s->gid, s->gid) < 0)
		fail(sock, "user: setting the gid");
	if (setresuid(s->uid, s->uid, s->uid) < 0)
		fail(sock, "user: setting the uid");
	if (caps_apply(s->capabilities, s->uid == 0) < 0)
		fail(sock, "capabilities: setting the workload's set");
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		fail(sock, "no_new_privs");
	if (chdir(s->cwd ? s->cwd : "/") < 0) {
		char what[300];
		snprintf(what, sizeof(what), "--workdir %s", s->cwd ? s->cwd : "/");
		fail(sock, what);
	}
	/* Everything above 2 goes at execve; the sync socket stays until then to report. */
	if (close_range(3, ~0U, CLOSE_RANGE_CLOEXEC) < 0)
		fail(sock, "closing inherited fds");
	/* Last: from here on only what the policy allows. */
	if (filter_load(f) < 0)
		fail(sock, "seccomp: loading the filter");
	report_exec(sock, s->argv[0], exec_search(s->argv, s->env));
}
