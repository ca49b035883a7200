/* --changes: overlay volumes' upper layers → one OCI-style tar layer. The walk runs in a
 * helper that joins the (finished) sandbox's user namespace: there the files' owners are
 * container ids and its capabilities reach every file, for root and rootless callers alike. */
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "bounded_out.h"
#include "changes.h"
#include "sys.h"
#include "tree_tar.h"

int changes_open(const struct ward_spec *s, struct ward_error *e)
{
	int fd = open(s->changes, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) < 0) {
		ward_error_set(e, errno, "--changes %s", s->changes);
		if (fd >= 0)
			close(fd);
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		ward_error_set(e, 0, "--changes %s: not a regular file", s->changes);
		close(fd);
		return -1;
	}
	return fd;
}

/* In the helper: every upper layer in volume order, then the end of the archive. */
static int walk(const struct ward_spec *s, const int *uppers, int out, char *err, size_t len)
{
	/* the volumes' uppers share the sandbox's scratch tmpfs: its usage bounds them all */
	struct bounded_out o = {.fd = out};
	for (size_t i = 0; !o.bound && i < s->n_volumes; i++)
		if (uppers[i] >= 0)
			o.bound = bounded_out_limit(uppers[i]);
	struct tree_tar t = {.tw = {.sink = bounded_out_sink, .arg = &o}, .overlay_upper = true};
	int rc = 0;
	for (size_t i = 0; rc == 0 && i < s->n_volumes; i++) {
		if (uppers[i] < 0)
			continue;
		char prefix[4200];
		snprintf(prefix, sizeof(prefix), ".%s", s->volumes[i].container);
		rc = tree_tar_children(&t, uppers[i], prefix);
	}
	if (rc == 0 && tar_write_end(&t.tw) < 0)
		rc = -1, snprintf(t.err, sizeof(t.err), "writing: %s", strerror(errno));
	if (rc < 0)
		bounded_out_message(&o, t.err, err, len);
	tree_tar_free(&t);
	return rc;
}

int changes_export(const struct ward_spec *s, int userns, const int *uppers, int out,
                   struct ward_error *e)
{
	int pipefd[2];
	if (pipe2(pipefd, O_CLOEXEC) < 0) {
		ward_error_set(e, errno, "--changes %s", s->changes);
		return -1;
	}
	pid_t pid = fork();
	if (pid == 0) {
		char err[512] = "";
		close(pipefd[0]);
		if (setns(userns, CLONE_NEWUSER) < 0)
			snprintf(err, sizeof(err), "joining the sandbox's user namespace: %s",
			         strerror(errno));
		else
			walk(s, uppers, out, err, sizeof(err));
		if (err[0] && write(pipefd[1], err, strlen(err)) < 0)
			_exit(2);
		_exit(err[0] ? 1 : 0);
	}
	close(pipefd[1]);
	char err[512] = "";
	ssize_t n = pid < 0 ? -1 : read(pipefd[0], err, sizeof(err) - 1);
	close(pipefd[0]);
	int status = -1;
	if (pid > 0)
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
	if (pid < 0 || status != 0) {
		err[n > 0 ? n : 0] = 0;
		ward_error_set(e, pid < 0 ? errno : 0, "--changes %s: %s", s->changes,
		               err[0] ? err : "the export failed");
		return -1;
	}
	return 0;
}
