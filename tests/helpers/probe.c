/* probe: a static test program put into test root filesystems, so that tests assert on the
 * kernel's answers rather than on busybox's behaviour. One subcommand per question. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <seccomp.h>

static int fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	if (!d)
		return perror("opendir"), 1;
	struct dirent *de;
	const char *sep = "";
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.' || atoi(de->d_name) == dirfd(d))
			continue;
		printf("%s%s", sep, de->d_name);
		sep = " ";
	}
	printf("\n");
	closedir(d);
	return 0;
}

static int status(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, "Cap", 3) || !strncmp(line, "NoNewPrivs", 10) ||
		    !strncmp(line, "Uid", 3) || !strncmp(line, "Gid", 3))
			fputs(line, stdout);
	return f ? 0 : 1;
}

/* Try to write PATH; prints "written" or the errno text, exits 0 only if written. */
static int try_write(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0 || write(fd, "x\n", 2) != 2) {
		printf("%s: %s\n", path, strerror(errno));
		return 1;
	}
	close(fd);
	printf("%s: written\n", path);
	return 0;
}

static int read_size(const char *path)
{
	int fd = open(path, O_RDONLY);
	if (fd < 0) {
		printf("%s: %s\n", path, strerror(errno));
		return 1;
	}
	char buf[4096];
	long total = 0;
	ssize_t r;
	while ((r = read(fd, buf, sizeof(buf))) > 0)
		total += r;
	printf("%ld\n", total);
	return 0;
}

/* Leave orphans for init to adopt, then count zombies in the pid namespace. */
static int orphans(int n)
{
	for (int i = 0; i < n; i++) {
		pid_t p = fork();
		if (p == 0) {
			if (fork() == 0)
				_exit(0); /* grandchild: exits as an orphan of init */
			_exit(0);
		}
		waitpid(p, NULL, 0);
	}
	usleep(300 * 1000);
	int zombies = 0;
	DIR *d = opendir("/proc");
	struct dirent *de;
	while (d && (de = readdir(d))) {
		char path[300], buf[512];
		if (atoi(de->d_name) <= 0)
			continue;
		snprintf(path, sizeof(path), "/proc/%s/stat", de->d_name);
		FILE *f = fopen(path, "r");
		if (f && fgets(buf, sizeof(buf), f)) {
			char *rp = strrchr(buf, ')');
			if (rp && rp[1] == ' ' && rp[2] == 'Z')
				zombies++;
		}
		if (f)
			fclose(f);
	}
	if (d)
		closedir(d);
	printf("zombies %d\n", zombies);
	return 0;
}

static void on_term(int sig)
{
	printf("got signal %d\n", sig);
	fflush(stdout);
	_exit(42);
}

static int links(void)
{
	struct if_nameindex *ifs = if_nameindex();
	for (struct if_nameindex *i = ifs; i && i->if_index; i++)
		printf("%s\n", i->if_name);
	return 0;
}

static int rlimit(const char *which)
{
	struct rlimit rl;
	int res = !strcmp(which, "nofile") ? RLIMIT_NOFILE
	          : !strcmp(which, "core") ? RLIMIT_CORE
	                                   : RLIMIT_NPROC;
	getrlimit(res, &rl);
	printf("%llu %llu\n", (unsigned long long)rl.rlim_cur, (unsigned long long)rl.rlim_max);
	return 0;
}

/* Listen on an abstract unix socket or a loopback TCP port, print "listening", wait. */
static int listen_on(const char *kind, const char *name)
{
	int fd;
	if (!strcmp(kind, "abstract")) {
		struct sockaddr_un a = {.sun_family = AF_UNIX};
		strncpy(a.sun_path + 1, name, sizeof(a.sun_path) - 2);
		fd = socket(AF_UNIX, SOCK_STREAM, 0);
		if (bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0)
			return perror("bind"), 1;
	} else {
		struct sockaddr_in a = {.sin_family = AF_INET,
		                        .sin_port = htons((uint16_t)atoi(name)),
		                        .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
		fd = socket(AF_INET, SOCK_STREAM, 0);
		int one = 1;
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0)
			return perror("bind"), 1;
	}
	listen(fd, 8);
	printf("listening\n");
	fflush(stdout);
	for (;;) {
		int c = accept(fd, NULL, NULL);
		if (c >= 0)
			close(c);
	}
}

static int connect_to(const char *kind, const char *name)
{
	int fd, r;
	if (!strcmp(kind, "abstract")) {
		struct sockaddr_un a = {.sun_family = AF_UNIX};
		strncpy(a.sun_path + 1, name, sizeof(a.sun_path) - 2);
		fd = socket(AF_UNIX, SOCK_STREAM, 0);
		r = connect(fd, (struct sockaddr *)&a, sizeof(a));
	} else {
		struct sockaddr_in a = {.sin_family = AF_INET,
		                        .sin_port = htons((uint16_t)atoi(name)),
		                        .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
		fd = socket(AF_INET, SOCK_STREAM, 0);
		r = connect(fd, (struct sockaddr *)&a, sizeof(a));
	}
	printf("%s\n", r == 0 ? "connected" : strerror(errno));
	return r == 0 ? 0 : 1;
}

static unsigned long long num(const char *s)
{
	return strtoull(s, NULL, 0);
}

static long res(long r)
{
	return r < 0 ? errno : 0;
}

/* Every way of giving a file under DIR a set-id mode, each on its own name: one line per
 * way, "NAME: ok" or the errno text. */
static int setid(const char *dir)
{
	if (chdir(dir) < 0)
		return perror(dir), 1;
	close(open("plain", O_CREAT | O_WRONLY, 0755));
	struct {
		unsigned long long flags, mode, resolve;
	} how = {O_CREAT | O_WRONLY, 04755, 0};
	struct {
		const char *name;
		long r;
	} t[] = {
	    {"chmod", res(syscall(SYS_chmod, "plain", 06755))},
	    {"fchmod", res(syscall(SYS_fchmod, open("plain", O_RDONLY), 04755))},
	    {"fchmodat", res(syscall(SYS_fchmodat, AT_FDCWD, "plain", 02755, 0))},
	    {"fchmodat2", res(syscall(452, AT_FDCWD, "plain", 04755, 0))},
	    {"open", res(syscall(SYS_open, "open", O_CREAT | O_WRONLY, 04755))},
	    {"openat", res(syscall(SYS_openat, AT_FDCWD, "openat", O_CREAT | O_WRONLY, 02755))},
	    {"creat", res(syscall(SYS_creat, "creat", 04755))},
	    {"mknod", res(syscall(SYS_mknod, "mknod", S_IFREG | 04755, 0))},
	    {"mknodat", res(syscall(SYS_mknodat, AT_FDCWD, "mknodat", S_IFREG | 02755, 0))},
	    {"mkdir", res(syscall(SYS_mkdir, "mkdir", 02755))},
	    {"mkdirat", res(syscall(SYS_mkdirat, AT_FDCWD, "mkdirat", 06755))},
	    {"openat2", res(syscall(437, AT_FDCWD, "openat2", &how, sizeof(how)))},
	    {"io_uring_setup", res(syscall(425, 1, (char[120]){0}))},
	    {"fsopen", res(syscall(430, "overlay", 0))},
	    {"x32-chmod", res(syscall(0x40000000 | SYS_chmod, "plain", 04755))},
	    {"mount", res(syscall(SYS_mount, "none", ".", "tmpfs", 0, NULL))},
	};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		printf("%s: %s\n", t[i].name, t[i].r ? strerror((int)t[i].r) : "ok");
	return 0;
}

/* Make each named syscall with zero arguments; all must fail with errno WANT. */
static int expect_errno(int want, int n, char **names)
{
	int bad = 0, checked = 0;
	for (int i = 0; i < n; i++) {
		int nr = seccomp_syscall_resolve_name(names[i]);
		if (nr < 0)
			continue; /* not a syscall of this ABI */
		errno = 0;
		long r = syscall(nr, 0, 0, 0, 0, 0, 0);
		checked++;
		if (r != -1 || errno != want) {
			printf("%s: returned %ld errno %d, wanted errno %d\n", names[i], r, errno,
			       want);
			bad++;
		}
	}
	printf("checked %d\n", checked);
	return bad ? 1 : 0;
}

static int raw(int argc, char **argv)
{
	unsigned long long a[6] = {0};
	for (int i = 0; i < 6 && i + 3 < argc; i++)
		a[i] = num(argv[i + 3]);
	errno = 0;
	long r = syscall((long)num(argv[2]), a[0], a[1], a[2], a[3], a[4], a[5]);
	printf("ret %ld errno %d\n", r, r == -1 ? errno : 0);
	return 0;
}

/* The i386 entry point from a 64-bit process. */
static int int80(int argc, char **argv)
{
	long nr = (long)num(argv[2]), b = argc > 3 ? (long)num(argv[3]) : 0;
	long r;
	__asm__ volatile("int $0x80" : "=a"(r) : "a"(nr), "b"(b), "c"(0), "d"(0) : "memory");
	printf("ret %ld\n", r);
	return 0;
}

/* clone with FLAGS; the child exits at once. */
static int clone_flags(const char *flags)
{
	errno = 0;
	long r = syscall(SYS_clone, num(flags) | SIGCHLD, 0, 0, 0, 0);
	if (r == 0)
		_exit(0);
	if (r > 0)
		waitpid((pid_t)r, NULL, 0);
	printf("%s\n", r > 0 ? "cloned" : strerror(errno));
	return 0;
}

/* TIOCSTI on stdin, optionally with high bits set in the request (CVE-2019-10063). */
static int tiocsti(int high)
{
	char c = '#';
	unsigned long long req = TIOCSTI | (high ? 1ULL << 32 : 0);
	errno = 0;
	long r = syscall(SYS_ioctl, 0, req, &c);
	printf("%s\n", r == 0 ? "injected" : strerror(errno));
	return 0;
}

/* Allocate and touch MB mebibytes, one at a time. */
static int alloc(long mb)
{
	for (long i = 0; i < mb; i++) {
		char *p = malloc(1 << 20);
		if (!p)
			return printf("malloc failed after %ld MiB\n", i), 1;
		memset(p, 1, 1 << 20);
	}
	printf("allocated %ld MiB\n", mb);
	return 0;
}

/* Fork sleeping children until fork fails or MAX are running. */
static int forkbomb(long max)
{
	static pid_t kids[100000];
	long n = 0;
	int err = 0;
	while (n < max && n < 100000) {
		pid_t p = fork();
		if (p == 0) {
			sleep(30);
			_exit(0);
		}
		if (p < 0) {
			err = errno;
			break;
		}
		kids[n++] = p;
	}
	printf("forked %ld, then %s\n", n, err ? strerror(err) : "stopped");
	for (long i = 0; i < n; i++)
		kill(kids[i], SIGKILL);
	while (wait(NULL) > 0)
		;
	return 0;
}

/* Spin for SECONDS of wall time; print CPU time used per wall time, in percent. */
static int spin(double seconds)
{
	struct timespec a, b, ca, cb;
	clock_gettime(CLOCK_MONOTONIC, &a);
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ca);
	volatile unsigned long x = 0;
	do {
		for (int i = 0; i < 100000; i++)
			x += (unsigned long)i;
		clock_gettime(CLOCK_MONOTONIC, &b);
	} while ((double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9 < seconds);
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &cb);
	double wall = (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9;
	double cpu = (double)(cb.tv_sec - ca.tv_sec) + (double)(cb.tv_nsec - ca.tv_nsec) / 1e9;
	printf("cpu %d%%\n", (int)(100 * cpu / wall + 0.5));
	return 0;
}

/* Write PATH in 1 MiB chunks until MB are written or a write fails. */
static int fill(const char *path, long mb)
{
	static char buf[1 << 20];
	memset(buf, 'x', sizeof(buf));
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	long i = 0;
	int err = 0;
	for (; fd >= 0 && i < mb; i++)
		if (write(fd, buf, sizeof(buf)) != (ssize_t)sizeof(buf)) {
			err = errno;
			break;
		}
	printf("wrote %ld MiB, then %s\n", i, err ? strerror(err) : "stopped");
	return err ? 1 : 0;
}

/* Create empty files in DIR until N exist or creation fails. */
static int files(const char *dir, long n)
{
	long i = 0;
	int err = 0;
	for (; i < n; i++) {
		char path[512];
		snprintf(path, sizeof(path), "%s/f%ld", dir, i);
		int fd = open(path, O_WRONLY | O_CREAT, 0644);
		if (fd < 0) {
			err = errno;
			break;
		}
		close(fd);
	}
	printf("created %ld, then %s\n", i, err ? strerror(err) : "stopped");
	return err ? 1 : 0;
}

/* Swap A and B with renameat2(RENAME_EXCHANGE) for SECONDS: a mount target that is a
 * directory one instant and a symlink the next. */
static int exchange(const char *a, const char *b, double seconds)
{
	struct timespec t0, t;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	long n = 0;
	do {
		if (syscall(SYS_renameat2, AT_FDCWD, a, AT_FDCWD, b, 2 /* RENAME_EXCHANGE */) < 0)
			return perror("renameat2"), 1;
		n++;
		clock_gettime(CLOCK_MONOTONIC, &t);
	} while ((double)(t.tv_sec - t0.tv_sec) + (double)(t.tv_nsec - t0.tv_nsec) / 1e9 < seconds);
	printf("exchanged %ld times\n", n);
	return 0;
}

/* A pty nobody has as a terminal: prints its slave's path, then watches (TIOCGSID on the
 * master) until FILE exists or SECS pass; prints "taken" if any session got it, else "free". */
static int pty_watch(const char *file, double secs)
{
	int m = posix_openpt(O_RDWR | O_NOCTTY);
	if (m < 0 || grantpt(m) < 0 || unlockpt(m) < 0)
		return perror("ptmx"), 1;
	printf("%s\n", ptsname(m));
	fflush(stdout);
	struct timespec t0, t;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (long i = 0;; i++) {
		pid_t sid;
		if (ioctl(m, TIOCGSID, &sid) == 0)
			return printf("taken\n"), 1;
		if (i % 4096)
			continue;
		clock_gettime(CLOCK_MONOTONIC, &t);
		if (access(file, F_OK) == 0 || t.tv_sec - t0.tv_sec > secs)
			return printf("free\n"), 0;
	}
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: probe fds|status|euid|write P|read P|orphans N|exit N|"
		                "raise SIG|killall|sleep S|wait-signal|links|tty|pid|rlimit R|\n"
		                "listen abstract|tcp NAME|PORT|connect abstract|tcp NAME|PORT|\n"
		                "expect-errno E NAME...|sys NR ARGS...|int80 NR [A]|clone "
		                "FLAGS|tiocsti HIGH|setid DIR|pty-watch FILE S\n");
		return 2;
	}
	const char *c = argv[1], *a = argc > 2 ? argv[2] : "0";
	if (!strcmp(c, "fds"))
		return fds();
	if (!strcmp(c, "status"))
		return status();
	if (!strcmp(c, "euid"))
		return printf("euid %d uid %d\n", geteuid(), getuid()), 0;
	if (!strcmp(c, "write"))
		return try_write(a);
	if (!strcmp(c, "read"))
		return read_size(a);
	if (!strcmp(c, "orphans"))
		return orphans(atoi(a));
	if (!strcmp(c, "exit"))
		return atoi(a);
	if (!strcmp(c, "raise")) {
		signal(atoi(a), SIG_DFL);
		raise(atoi(a));
		return 99;
	}
	if (!strcmp(c, "killall")) {
		int r = kill(-1, SIGKILL);
		printf("kill(-1): %s\n", r == 0 ? "sent" : strerror(errno));
		return 0;
	}
	if (!strcmp(c, "sleep"))
		return sleep((unsigned)atoi(a)), 0;
	if (!strcmp(c, "wait-signal")) {
		signal(SIGTERM, on_term);
		signal(SIGINT, on_term);
		signal(SIGUSR1, on_term);
		printf("ready\n");
		fflush(stdout);
		for (;;)
			pause();
	}
	if (!strcmp(c, "links"))
		return links();
	if (!strcmp(c, "tty"))
		return printf("tty %d %d %d\n", isatty(0), isatty(1), isatty(2)), 0;
	if (!strcmp(c, "pid"))
		return printf("pid %d ppid %d\n", getpid(), getppid()), 0;
	if (!strcmp(c, "listen") && argc > 3)
		return listen_on(argv[2], argv[3]);
	if (!strcmp(c, "connect") && argc > 3)
		return connect_to(argv[2], argv[3]);
	if (!strcmp(c, "expect-errno") && argc > 3)
		return expect_errno(atoi(argv[2]), argc - 3, argv + 3);
	if (!strcmp(c, "sys") && argc > 2)
		return raw(argc, argv);
	if (!strcmp(c, "int80") && argc > 2)
		return int80(argc, argv);
	if (!strcmp(c, "clone"))
		return clone_flags(a);
	if (!strcmp(c, "tiocsti"))
		return tiocsti(atoi(a));
	if (!strcmp(c, "getpid-loop")) {
		for (long i = 0, n = atol(a); i < n; i++)
			syscall(SYS_getpid);
		return 0;
	}
	if (!strcmp(c, "alloc"))
		return alloc(atol(a));
	if (!strcmp(c, "forkbomb"))
		return forkbomb(atol(a));
	if (!strcmp(c, "spin"))
		return spin(atof(a));
	if (!strcmp(c, "fill") && argc > 3)
		return fill(argv[2], atol(argv[3]));
	if (!strcmp(c, "files") && argc > 3)
		return files(argv[2], atol(argv[3]));
	if (!strcmp(c, "rlimit"))
		return rlimit(a);
	if (!strcmp(c, "exchange") && argc > 4)
		return exchange(argv[2], argv[3], atof(argv[4]));
	if (!strcmp(c, "setid"))
		return setid(a);
	if (!strcmp(c, "pty-watch") && argc > 3)
		return pty_watch(argv[2], atof(argv[3]));
	fprintf(stderr, "probe: unknown command %s\n", c);
	return 2;
}
