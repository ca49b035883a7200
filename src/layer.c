/* The root's writable layer → one OCI tar layer. As for --changes, the walk runs in a helper
 * that joins the sandbox's user namespace (held open by the supervisor): there the owners
 * read as the sandbox sees them and its capabilities reach every file, for root and rootless
 * callers alike, while the sandbox runs or after it ended (the upper's fd keeps the tmpfs). */
#include <errno.h>
#include <locale.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>

#include "bounded_out.h"
#include "layer.h"
#include "sys.h"
#include "tree_tar.h"

/* In the helper: the upper directory's entries as "NAME", then the end of the archive. */
static void walk(int upper, int fd, char *err, size_t len)
{
	struct bounded_out out = {.fd = fd, .bound = bounded_out_limit(upper)};
	struct tree_tar t = {.tw = {.sink = bounded_out_sink, .arg = &out}, .overlay_upper = true};
	int rc = tree_tar_children(&t, upper, ".");
	if (rc == 0 && tar_write_end(&t.tw) < 0)
		rc = -1, snprintf(t.err, sizeof(t.err), "writing: %s", strerror(errno));
	if (rc < 0)
		bounded_out_message(&out, t.err, err, len);
	tree_tar_free(&t);
}

int layer_export(int userns, int upper, int out, struct ward_error *e)
{
	if (upper < 0 || userns < 0)
		return ward_error_set(e, 0,
		                      "writable layer: the sandbox has none kept (--read-only, "
		                      "or started without keeping it)");
	int pipefd[2];
	if (pipe2(pipefd, O_CLOEXEC) < 0)
		return ward_error_set(e, errno, "writable layer: pipe");
	pid_t pid = fork();
	if (pid == 0) {
		char err[512] = "";
		close(pipefd[0]);
		/* the tar writer converts names from the locale's charset: UTF-8 names are the
		 * common case (in "C" they fail) */
		setlocale(LC_CTYPE, "C.UTF-8");
		if (setns(userns, CLONE_NEWUSER) < 0)
			snprintf(err, sizeof(err), "joining the sandbox's user namespace: %s",
			         strerror(errno));
		else
			walk(upper, out, err, sizeof(err));
		if (err[0] && write(pipefd[1], err, strlen(err)) < 0)
			_exit(2);
		_exit(err[0] ? 1 : 0);
	}
	int fork_err = errno;
	close(pipefd[1]);
	char err[512] = "";
	ssize_t n = pid < 0 ? -1 : read(pipefd[0], err, sizeof(err) - 1);
	close(pipefd[0]);
	int status = -1;
	while (pid > 0 && waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (pid < 0 || status != 0) {
		err[n > 0 ? n : 0] = 0;
		return ward_error_set(e, pid < 0 ? fork_err : 0, "writable layer: %s",
		                      err[0] ? err : "the export failed");
	}
	return 0;
}
