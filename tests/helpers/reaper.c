/* reaper: runs a test command as a child subreaper, so that every process the tests start,
 * detached supervisors and forwarders included, stays a descendant of this one. The tests
 * then check only their own processes (WARD_TEST_REAPER names this pid) and pass while other
 * sandboxes come and go on the host.
 *   reaper CMD [ARGS...]    exits with CMD's status; orphans left then go to the host's init */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile pid_t child;

static void forward(int sig)
{
	if (child > 0)
		kill(child, sig);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: reaper CMD [ARGS...]\n");
		return 2;
	}
	if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) < 0) {
		perror("reaper: PR_SET_CHILD_SUBREAPER");
		return 2;
	}
	char self[24];
	snprintf(self, sizeof(self), "%d", (int)getpid());
	setenv("WARD_TEST_REAPER", self, 1);
	struct sigaction sa = {.sa_handler = forward};
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	child = fork();
	if (child < 0) {
		perror("reaper: fork");
		return 2;
	}
	if (child == 0) {
		execvp(argv[1], argv + 1);
		perror(argv[1]);
		_exit(127);
	}
	/* Adopted orphans are reaped as they die, so none lingers as a zombie of ours. */
	for (;;) {
		int status;
		pid_t pid = waitpid(-1, &status, 0);
		if (pid < 0 && errno == EINTR)
			continue;
		if (pid < 0)
			return 2;
		if (pid == child)
			return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	}
}
