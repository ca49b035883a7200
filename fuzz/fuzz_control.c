/* libFuzzer target: the control socket as a supervisor reads it. The input is one packet:
 * received by ctl_recv (JSON, fds), then, as an exec request, turned into the command's spec
 * (argv, env over the sandbox's, working directory, user looked up in the root's
 * /etc/passwd and /etc/group, timeout). */
#include <fcntl.h>
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "control.h"
#include "exec.h"

static struct ward_spec base;

static void put(const char *dir, const char *name, const char *text)
{
	char path[4200];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *f = fopen(path, "w");
	if (!f)
		abort();
	fputs(text, f);
	fclose(f);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc, (void)argv;
	char dir[4096], etc[4200];
	const char *tmp = getenv("TMPDIR");
	snprintf(dir, sizeof(dir), "%s/ward-fuzz-control-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(dir))
		abort();
	snprintf(etc, sizeof(etc), "%s/etc", dir);
	mkdir(etc, 0755);
	put(etc, "passwd", "root:x:0:0:root:/root:/bin/sh\nuser:x:1000:1000::/home/user:/bin/sh\n");
	put(etc, "group", "root:x:0:\nuser:x:1000:\n");
	spec_init(&base);
	base.rootfs = strdup(dir);
	ward_spec_add_env(&base, "PATH=/bin", NULL);
	ward_spec_add_env(&base, "HOME=/root", NULL);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int sv[2];
	if (size > CTL_MAX_MSG || socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		return 0;
	ssize_t sent = send(sv[0], data, size, 0);
	close(sv[0]);
	json_t *q;
	int fds[CTL_MAX_FDS];
	size_t nfds;
	if (sent == (ssize_t)size && ctl_recv(sv[1], &q, fds, &nfds) == 1) {
		struct ward_spec x;
		struct ward_error e = {0};
		unsigned timeout;
		exec_spec_from_json(&base, q, &x, &timeout, &e);
		exec_spec_free(&x);
		for (size_t i = 0; i < nfds; i++)
			close(fds[i]);
		json_decref(q);
	}
	close(sv[1]);
	return 0;
}
