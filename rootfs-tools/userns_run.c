#include <errno.h>
#include <grp.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "sys.h"
#include "userns_run.h"
#include "ward/ward.h"

struct shared {
	int rc;
	struct ward_error e;
	char result[];
};

static void child(int sock, userns_fn fn, void *arg, struct shared *sh)
{
	char b = 0;
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (unshare(CLONE_NEWUSER) < 0) {
		ward_error_set(&sh->e, errno, "user namespace for the image store");
		_exit(1);
	}
	if (write(sock, &b, 1) != 1 || read(sock, &b, 1) != 1 || b != 1)
		_exit(1);
	setgroups(0, NULL); /* refused where setgroups is denied; harmless then */
	if (setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0) {
		ward_error_set(&sh->e, errno, "user namespace for the image store: becoming root");
		_exit(1);
	}
	prctl(PR_SET_PDEATHSIG, SIGKILL); /* a credential change cleared it */
	umask(022);
	sh->rc = fn(arg, sh->result, &sh->e);
	_exit(sh->rc < 0 ? 1 : 0);
}

int userns_idmaps(struct ward_idmaps *ids, struct ward_error *e)
{
	return idmaps_default(ids, WARD_ROOT_IDMAP_BASE, 0, e);
}

int userns_run(const struct ward_idmaps *ids, userns_fn fn, void *arg, void *result,
               size_t result_len, struct ward_error *e)
{
	size_t len = sizeof(struct shared) + result_len;
	struct shared *sh =
	    mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	int sv[2] = {-1, -1};
	if (sh == MAP_FAILED || socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) {
		ward_error_set(e, errno, "user namespace for the image store");
		if (sh != MAP_FAILED)
			munmap(sh, len);
		return -1;
	}
	memset(sh, 0, len);
	sh->rc = -1;
	if (result)
		memcpy(sh->result, result, result_len);
	pid_t pid = fork();
	if (pid == 0) {
		close(sv[1]);
		child(sv[0], fn, arg, sh);
	}
	close(sv[0]);
	char b;
	int rc = -1;
	if (pid < 0)
		ward_error_set(e, errno, "user namespace for the image store: fork");
	else if (read(sv[1], &b, 1) == 1 && idmap_write(pid, ids, e) == 0) {
		b = 1;
		if (write(sv[1], &b, 1) == 1)
			rc = 0;
	}
	close(sv[1]);
	int status = 0;
	if (pid > 0)
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
	if (rc == 0) {
		if (WIFEXITED(status) && WEXITSTATUS(status) == 0 && sh->rc == 0) {
			if (result)
				memcpy(result, sh->result, result_len);
		} else {
			rc = -1;
			if (sh->e.msg[0])
				*e = sh->e;
			else
				ward_error_set(e, 0, "image store helper died (%s %d)",
				               WIFSIGNALED(status) ? "signal" : "exit",
				               WIFSIGNALED(status) ? WTERMSIG(status)
				                                   : WEXITSTATUS(status));
		}
	} else if (sh->e.msg[0]) {
		*e = sh->e;
	}
	munmap(sh, len);
	return rc;
}
