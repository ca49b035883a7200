/* A container's process, last steps before execve, in runc's order: the engine's config
 * decides every one of them (oci.h); nothing of ward's own defaults is added here. */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/ioctl.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <termios.h>
#include <unistd.h>

#include "container.h"
#include "sys.h"

static const char *env_get(char *const *env, const char *name)
{
	size_t n = strlen(name);
	for (size_t i = 0; env && env[i]; i++)
		if (strncmp(env[i], name, n) == 0 && env[i][n] == '=')
			return env[i] + n + 1;
	return NULL;
}

static bool executable(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISREG(st.st_mode) && access(path, X_OK) == 0;
}

int container_proc_find(const struct ward_spec *s, struct ward_error *e)
{
	const char *cmd = s->argv && s->argv[0] ? s->argv[0] : NULL;
	if (!cmd)
		return ward_error_set(e, 0, "process.args: empty");
	if (strchr(cmd, '/')) {
		if (executable(cmd))
			return 0;
		return ward_error_set(e, errno ? errno : EACCES, "exec: \"%s\"", cmd);
	}
	const char *path = env_get(s->env, "PATH");
	if (!path)
		path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
	char buf[4096];
	for (const char *p = path;; p++) {
		const char *end = strchrnul(p, ':');
		int n =
		    snprintf(buf, sizeof(buf), "%.*s/%s", (int)(end - p), end == p ? "." : p, cmd);
		if (n > 0 && (size_t)n < sizeof(buf) && executable(buf))
			return 0;
		if (!*end)
			break;
		p = end;
	}
	return ward_error_set(e, 0, "exec: \"%s\": executable file not found in $PATH", cmd);
}

int container_tty_open(const struct ward_spec *s, int *master, struct ward_error *e)
{
	int m = open("/dev/pts/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (m < 0)
		m = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (m < 0 || unlockpt(m) < 0) {
		ward_error_set(e, errno, "process.terminal: opening the container's /dev/pts/ptmx");
		if (m >= 0)
			close(m);
		return -1;
	}
	int peer = ioctl(m, TIOCGPTPEER, O_RDWR | O_NOCTTY);
	if (peer < 0) {
		ward_error_set(e, errno, "process.terminal: opening the terminal");
		close(m);
		return -1;
	}
	const struct oci_config *o = s->oci;
	if (o && o->console_height && o->console_width) {
		struct winsize ws = {.ws_row = (unsigned short)o->console_height,
		                     .ws_col = (unsigned short)o->console_width};
		ioctl(m, TIOCSWINSZ, &ws);
	}
	*master = m;
	return peer;
}

static int write_proc_attr(const char *path, const char *text, const char *what,
                           struct ward_error *e)
{
	autoclose int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text))
		return ward_error_set(e, errno, "%s: writing %s", what, path);
	return 0;
}

static bool apparmor_enabled(void)
{
	char c = 0;
	autoclose int fd = open("/sys/module/apparmor/parameters/enabled", O_RDONLY | O_CLOEXEC);
	return fd >= 0 && read(fd, &c, 1) == 1 && c == 'Y';
}

/* AppArmor and SELinux: applied at execve when the host has them, refused otherwise. */
static int security_labels(const struct oci_config *o, struct ward_error *e)
{
	if (o->apparmor && *o->apparmor) {
		if (!apparmor_enabled())
			return ward_error_set(e, 0,
			                      "process.apparmorProfile %s: AppArmor is not enabled "
			                      "on this host",
			                      o->apparmor);
		char buf[1100];
		snprintf(buf, sizeof(buf), "exec %s", o->apparmor);
		const char *attr = access("/proc/self/attr/apparmor/exec", F_OK) == 0
		                       ? "/proc/self/attr/apparmor/exec"
		                       : "/proc/self/attr/exec";
		if (write_proc_attr(attr, buf, "process.apparmorProfile", e) < 0)
			return -1;
	}
	if (o->selinux_label && *o->selinux_label) {
		if (access("/sys/fs/selinux/enforce", F_OK) != 0)
			return ward_error_set(e, 0,
			                      "process.selinuxLabel %s: SELinux is not enabled on "
			                      "this host",
			                      o->selinux_label);
		if (write_proc_attr("/proc/self/attr/exec", o->selinux_label,
		                    "process.selinuxLabel", e) < 0)
			return -1;
	}
	return 0;
}

/* ward's programs (the set-id ban first, as filter_load orders them), then the config's,
 * with the config's flags. */
static int load_seccomp(const struct container_filters *f, unsigned flags)
{
	if (filter_load(&f->ward) < 0)
		return -1;
	static const int order[] = {2, 0, 1};
	for (int k = 0; k < 3; k++) {
		int i = order[k];
		if (!f->config.len[i])
			continue;
		struct sock_fprog prog = {.len = f->config.len[i], .filter = f->config.prog[i]};
		if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, &prog) < 0)
			return -1;
	}
	return 0;
}

/* Before the ids change: dropping from the bounding set needs CAP_SETPCAP still in effect. */
static int set_bounding(const struct oci_caps *c)
{
	int last = (int)cap_max_bits();
	for (int v = 0; v < last && v < 64; v++)
		if (!(c->bounding & (1ULL << v)) && CAP_IS_SUPPORTED(v) &&
		    cap_drop_bound((cap_value_t)v) < 0)
			return -1;
	return 0;
}

static int set_caps(const struct oci_caps *c)
{
	int last = (int)cap_max_bits();
	cap_t t = cap_init();
	if (!t)
		return -1;
	struct {
		cap_flag_t flag;
		uint64_t set;
	} sets[] = {{CAP_EFFECTIVE, c->effective},
	            {CAP_PERMITTED, c->permitted},
	            {CAP_INHERITABLE, c->inheritable}};
	int rc = 0;
	for (size_t k = 0; k < 3 && rc == 0; k++)
		for (int v = 0; v < last && v < 64 && rc == 0; v++) {
			cap_value_t cv = (cap_value_t)v;
			if (sets[k].set & (1ULL << v))
				rc = cap_set_flag(t, sets[k].flag, 1, &cv, CAP_SET);
		}
	if (rc == 0)
		rc = cap_set_proc(t);
	int err = errno;
	cap_free(t);
	if (rc < 0) {
		errno = err;
		return -1;
	}
	if (cap_reset_ambient() < 0)
		return -1;
	/* as runc: an ambient capability missing from inheritable is left out, not an error */
	for (int v = 0; v < last && v < 64; v++)
		if (c->ambient & (1ULL << v))
			cap_set_ambient((cap_value_t)v, CAP_SET);
	return 0;
}

static int set_stdio(int tty, struct ward_error *e)
{
	if (tty < 0)
		return 0;
	if (setsid() < 0 || ioctl(tty, TIOCSCTTY, 0) < 0)
		return ward_error_set(e, errno,
		                      "process.terminal: making the terminal controlling");
	for (int i = 0; i < 3; i++)
		if (dup2(tty, i) < 0)
			return ward_error_set(e, errno, "process.terminal: attaching stdio");
	if (tty > 2)
		close(tty);
	return 0;
}

int container_proc_setup(const struct ward_spec *s, const struct container_filters *f, int tty,
                         unsigned preserve_fds, struct ward_error *e)
{
	const struct oci_config *o = s->oci;
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	/* an ignored signal stays ignored across execve: the engine's or ward's must not */
	for (int sig = 1; sig < NSIG; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			signal(sig, SIG_DFL);
	if (o->oom_score_adj_set) {
		char buf[16];
		snprintf(buf, sizeof(buf), "%d", o->oom_score_adj);
		if (write_proc_attr("/proc/self/oom_score_adj", buf, "process.oomScoreAdj", e) < 0)
			return -1;
	}
	if (set_stdio(tty, e) < 0)
		return -1;
	for (size_t i = 0; i < s->n_rlimits; i++) {
		struct rlimit rl = {.rlim_cur = s->rlimits[i].soft, .rlim_max = s->rlimits[i].hard};
		if (setrlimit(s->rlimits[i].resource, &rl) < 0)
			return ward_error_set(e, errno, "process.rlimits %s",
			                      rlimit_name(s->rlimits[i].resource));
	}
	if (security_labels(o, e) < 0)
		return -1;
	if (o->personality_set && personality(o->personality) < 0)
		return ward_error_set(e, errno, "linux.personality");
	if (o->no_new_privs && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return ward_error_set(e, errno, "process.noNewPrivileges");
	/* Without no_new_privs seccomp() needs CAP_SYS_ADMIN: loaded while it is still held. */
	if (!o->no_new_privs && load_seccomp(f, o->seccomp_flags) < 0)
		return ward_error_set(e, errno, "linux.seccomp: loading the filter");
	if (set_bounding(&o->caps) < 0)
		return ward_error_set(e, errno, "process.capabilities.bounding");
	if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
		return ward_error_set(e, errno, "process.capabilities: keeping them across setuid");
	if (setgroups(o->n_groups, (const gid_t *)o->groups) < 0 && (o->n_groups || errno != EPERM))
		return ward_error_set(e, errno, "process.user.additionalGids");
	if (setresgid(s->gid, s->gid, s->gid) < 0)
		return ward_error_set(e, errno, "process.user.gid %u", s->gid);
	if (setresuid(s->uid, s->uid, s->uid) < 0)
		return ward_error_set(e, errno, "process.user.uid %u", s->uid);
	if (set_caps(&o->caps) < 0)
		return ward_error_set(e, errno, "process.capabilities");
	prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0);
	umask(o->umask_set ? o->umask : 022);
	if (chdir(s->cwd ? s->cwd : "/") < 0)
		return ward_error_set(e, errno, "process.cwd %s", s->cwd ? s->cwd : "/");
	/* the engine's leaked descriptors go at execve; the preserved ones pass */
	if (close_range(3 + preserve_fds, ~0U, CLOSE_RANGE_CLOEXEC) < 0)
		return ward_error_set(e, errno, "closing inherited fds");
	for (unsigned i = 0; i < preserve_fds; i++) {
		int fl = fcntl(3 + (int)i, F_GETFD);
		if (fl >= 0)
			fcntl(3 + (int)i, F_SETFD, fl & ~FD_CLOEXEC);
	}
	if (o->no_new_privs && load_seccomp(f, o->seccomp_flags) < 0)
		return ward_error_set(e, errno, "linux.seccomp: loading the filter");
	return 0;
}

int container_proc_exec(const struct ward_spec *s, int *exec_code, struct ward_error *e)
{
	const char *cmd = s->argv[0];
	int err = ENOENT;
	if (strchr(cmd, '/')) {
		execve(cmd, s->argv, s->env);
		err = errno;
	} else {
		const char *path = env_get(s->env, "PATH");
		if (!path)
			path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
		char buf[4096];
		for (const char *p = path;; p++) {
			const char *end = strchrnul(p, ':');
			int n = snprintf(buf, sizeof(buf), "%.*s/%s", (int)(end - p),
			                 end == p ? "." : p, cmd);
			if (n > 0 && (size_t)n < sizeof(buf)) {
				execve(buf, s->argv, s->env);
				if (errno != ENOENT && errno != ENOTDIR)
					err = errno;
			}
			if (!*end)
				break;
			p = end;
		}
	}
	*exec_code = err == ENOENT ? 127 : 126;
	if (err == ENOENT)
		return ward_error_set(e, 0, "exec: \"%s\": executable file not found in $PATH",
		                      cmd);
	return ward_error_set(e, err, "exec: \"%s\"", cmd);
}
