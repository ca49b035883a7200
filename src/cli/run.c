/* ward run: parse options into a spec, run it, print the outcome. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "image.h"

static const char create_usage[] =
    "usage: ward create [--name NAME] [--persistent] [OPTIONS] IMAGE [--] [CMD [ARGS...]]\n"
    "       ward create [--name NAME] [--persistent] [OPTIONS] --rootfs DIR [-- CMD...]\n"
    "\n"
    "Starts a sandbox that stays up for ward exec, and prints its id once it is ready.\n"
    "Without CMD it idles; with CMD it runs CMD (its output: ward logs) and stops when\n"
    "CMD ends. The image's own Cmd is not run.\n"
    "\n"
    "      --name NAME         a unique name, usable wherever an id is\n"
    "      --persistent        keep it (stopped) after it stops, until ward rm; with\n"
    "                          --name, reuse a running sandbox of that name and spec\n"
    "      --timeout SECONDS   its whole life; then it is killed\n"
    "\n"
    "Every ward run option applies except -t, -i, --changes and --json (see ward run --help).\n";

static const char run_usage[] =
    "usage: ward run [OPTIONS] IMAGE [--] [CMD [ARGS...]]\n"
    "       ward run [OPTIONS] --rootfs DIR -- CMD [ARGS...]\n"
    "\n"
    "  IMAGE                   a name in the store (ward image ls), or oci:DIR[:TAG],\n"
    "                          oci-archive:FILE[:TAG], docker-archive:FILE[:NAME:TAG] (imported\n"
    "                          on first use); CMD replaces the image's Cmd\n"
    "      --entrypoint PROG   replace the image's Entrypoint ('' clears it)\n"
    "  --rootfs DIR            root filesystem (never modified; writes go to a private layer)\n"
    "  --read-only             no writable layer: the root is read-only\n"
    "  -v, --volume HOST:CONTAINER[:rw|ro|overlay]  a host path inside (repeatable; after\n"
    "                          the entries of $SANDBOX_VOLUMES; the first volume is the\n"
    "                          working dir; overlay: writes go to a private layer)\n"
    "      --changes FILE      at exit, write what changed in overlay volumes to FILE (a tar\n"
    "                          layer: paths from /, deletions as .wh. whiteouts)\n"
    "      --tmpfs PATH[:size=SIZE,mode=OCTAL,noexec]  a private tmpfs (repeatable)\n"
    "      --user-id U         run as U:U and show the caller's files as U's (default\n"
    "                          $SANDBOX_USER_ID; rootless: your uid is mapped to U)\n"
    "  -e, --env K=V           set an environment variable (repeatable)\n"
    "      --env-file FILE     read K=V lines from FILE\n"
    "  -w, --workdir DIR       working directory inside the sandbox\n"
    "  -u, --user U[:G]        container user and group: ids, or names from the root's\n"
    "                          /etc/passwd and /etc/group (default: the image's User, or 0:0)\n"
    "      --hostname NAME     hostname inside the sandbox (default ward)\n"
    "  -t, --tty               allocate a terminal inside the sandbox\n"
    "  -i, --interactive       pass stdin through (otherwise /dev/null)\n"
    "      --timeout SECONDS   kill the whole sandbox after this wall-clock time\n"
    "      --rlimit NAME=SOFT[:HARD]  set a resource limit (e.g. nofile=1024:4096)\n"
    "      --policy NAME|FILE  seccomp policy (default: default; see ward policy ls)\n"
    "      --seccomp=unconfined  no syscall filter at all (warns)\n"
    "      --allow-setid-volumes  let the sandbox make set-id files in rw volumes (warns;\n"
    "                          by default a sandbox with a rw volume cannot make any)\n"
    "      --cap-add CAP       keep a capability (CAP_ prefix optional; ALL)\n"
    "      --cap-drop CAP      drop a capability (ALL drops every one)\n"
    "      --idmap-base N      (root) host id where container id 0 starts\n"
    "\n"
    "network (default: a namespace with only lo):\n"
    "  -p, --publish [ADDR:]HOSTPORT:PORT[/tcp]  forward host ADDR:HOSTPORT (ADDR default\n"
    "                          127.0.0.1; HOSTPORT 0 or PORT alone: a free port, printed) to\n"
    "                          TCP PORT in the sandbox (repeatable)\n"
    "      --network none|egress  egress: the sandbox may also connect out (NAT as root,\n"
    "                          pasta rootless); ward network connect|disconnect turn it\n"
    "                          on and off while it runs\n"
    "      --dns ADDR          resolver for the sandbox's resolv.conf (with egress, or for\n"
    "                          a later ward network connect)\n"
    "                          (repeatable; default: the host's that are not on loopback)\n"
    "\n"
    "limits (cgroup v2, or v1 on hybrid hosts):\n"
    "      --memory SIZE       memory limit (e.g. 256m); an excess kills the sandbox (oom)\n"
    "      --memory-swap SIZE  swap allowed on top of --memory (default 0)\n"
    "      --pids N            processes and threads\n"
    "      --cpus N            CPU time, in CPUs (e.g. 0.5, 1.5)\n"
    "      --cpu-weight N      CPU share under contention, 1-10000 (default 100)\n"
    "      --cpuset LIST       CPUs allowed, e.g. 0-1\n"
    "      --io-max DEV:rbps=SIZE,wbps=SIZE,riops=N,wiops=N   block I/O limit\n"
    "      --disk SIZE         size of the writable layer (bytes and inodes)\n"
    "      --limits best-effort  without a usable cgroup, use rlimits and say so\n"
    "      --json              print one JSON result object on stderr at exit\n"
    "\n"
    "exit status: the command's, 128+N if killed by signal N, 125 if ward failed,\n"
    "126 if the command cannot be executed, 127 if it is not found.\n";

enum {
	OPT_ROOTFS = 256,
	OPT_READ_ONLY,
	OPT_ENV_FILE,
	OPT_HOSTNAME,
	OPT_TIMEOUT,
	OPT_RLIMIT,
	OPT_JSON,
	OPT_IDMAP_BASE,
	OPT_POLICY,
	OPT_SECCOMP,
	OPT_CAP_ADD,
	OPT_CAP_DROP,
	OPT_LIMIT,
	OPT_LIMITS_MODE,
	OPT_ENTRYPOINT,
	OPT_TMPFS,
	OPT_CHANGES,
	OPT_USER_ID,
	OPT_NAME,
	OPT_PERSISTENT,
	OPT_NETWORK,
	OPT_DNS,
	OPT_ALLOW_SETID,
	OPT_HELP
};

static const struct option options[] = {
    {"rootfs", required_argument, NULL, OPT_ROOTFS},
    {"read-only", no_argument, NULL, OPT_READ_ONLY},
    {"env", required_argument, NULL, 'e'},
    {"volume", required_argument, NULL, 'v'},
    {"env-file", required_argument, NULL, OPT_ENV_FILE},
    {"workdir", required_argument, NULL, 'w'},
    {"user", required_argument, NULL, 'u'},
    {"hostname", required_argument, NULL, OPT_HOSTNAME},
    {"tty", no_argument, NULL, 't'},
    {"interactive", no_argument, NULL, 'i'},
    {"timeout", required_argument, NULL, OPT_TIMEOUT},
    {"rlimit", required_argument, NULL, OPT_RLIMIT},
    {"idmap-base", required_argument, NULL, OPT_IDMAP_BASE},
    {"json", no_argument, NULL, OPT_JSON},
    {"policy", required_argument, NULL, OPT_POLICY},
    {"seccomp", required_argument, NULL, OPT_SECCOMP},
    {"cap-add", required_argument, NULL, OPT_CAP_ADD},
    {"cap-drop", required_argument, NULL, OPT_CAP_DROP},
    {"memory", required_argument, NULL, OPT_LIMIT},
    {"memory-swap", required_argument, NULL, OPT_LIMIT},
    {"pids", required_argument, NULL, OPT_LIMIT},
    {"cpus", required_argument, NULL, OPT_LIMIT},
    {"cpu-weight", required_argument, NULL, OPT_LIMIT},
    {"cpuset", required_argument, NULL, OPT_LIMIT},
    {"io-max", required_argument, NULL, OPT_LIMIT},
    {"disk", required_argument, NULL, OPT_LIMIT},
    {"limits", required_argument, NULL, OPT_LIMITS_MODE},
    {"entrypoint", required_argument, NULL, OPT_ENTRYPOINT},
    {"tmpfs", required_argument, NULL, OPT_TMPFS},
    {"changes", required_argument, NULL, OPT_CHANGES},
    {"user-id", required_argument, NULL, OPT_USER_ID},
    {"name", required_argument, NULL, OPT_NAME},
    {"persistent", no_argument, NULL, OPT_PERSISTENT},
    {"publish", required_argument, NULL, 'p'},
    {"network", required_argument, NULL, OPT_NETWORK},
    {"dns", required_argument, NULL, OPT_DNS},
    {"allow-setid-volumes", no_argument, NULL, OPT_ALLOW_SETID},
    {"help", no_argument, NULL, OPT_HELP},
    {0},
};

static int replace(char **field, const char *value, struct ward_error *e)
{
	free(*field);
	if (!(*field = strdup(value))) {
		ward_error_set(e, ENOMEM, "options");
		return -1;
	}
	return 0;
}

static int parse_base(const char *text, uint32_t *out, struct ward_error *e)
{
	char *end;
	errno = 0;
	unsigned long v = strtoul(text, &end, 10);
	if (errno || *end || !*text || v == 0 || v > UINT32_MAX - WARD_IDMAP_SIZE) {
		ward_error_set(e, 0, "--idmap-base %s: expected a number from 1 to %u", text,
		               UINT32_MAX - WARD_IDMAP_SIZE);
		return -1;
	}
	*out = (uint32_t)v;
	return 0;
}

static size_t strv_len(char **v)
{
	size_t n = 0;
	while (v && v[n])
		n++;
	return n;
}

/* The image supplies what the command line left open: Entrypoint + Cmd (CMD replaces
 * Cmd), Env under the caller's -e, User, WorkingDir. */
static int apply_image(struct ward_spec *s, const struct run_args *ra, struct ward_image *img,
                       int argc, char **argv, struct ward_error *e)
{
	if (!(s->rootfs = strdup(img->rootfs))) {
		ward_error_set(e, ENOMEM, "rootfs");
		return -1;
	}
	for (size_t i = 0; img->env && img->env[i]; i++) {
		const char *eq = strchr(img->env[i], '=');
		bool caller_set = false;
		for (size_t k = ra->n_default_env; eq && s->env[k]; k++)
			caller_set |=
			    !strncmp(s->env[k], img->env[i], (size_t)(eq - img->env[i]) + 1);
		if (eq && !caller_set)
			ward_spec_add_env(s, img->env[i], NULL); /* a malformed one is skipped */
	}
	char *ep_override[] = {(char *)ra->entrypoint, NULL};
	char **ep = ra->entrypoint ? (*ra->entrypoint ? ep_override : NULL) : img->entrypoint;
	/* As docker run: --entrypoint also drops the image's Cmd. */
	char **img_cmd = ra->entrypoint ? NULL : img->cmd;
	char **cmd = argc > 0 ? argv : img_cmd;
	size_t n_ep = strv_len(ep), n_cmd = argc > 0 ? (size_t)argc : strv_len(img_cmd);
	if (ra->create && argc == 0 && !ra->entrypoint)
		n_ep = n_cmd = 0; /* ward create IMAGE: an idle sandbox for execs */
	else if (n_ep + n_cmd == 0) {
		ward_error_set(e, 0, "image %s has no command: give one after the image name",
		               img->name[0] ? img->name : img->id);
		return -1;
	}
	char **full = calloc(n_ep + n_cmd + 1, sizeof(char *));
	if (!full) {
		ward_error_set(e, ENOMEM, "command");
		return -1;
	}
	for (size_t i = 0; i < n_ep; i++)
		full[i] = ep[i];
	for (size_t i = 0; i < n_cmd; i++)
		full[n_ep + i] = cmd[i];
	int rc = n_ep + n_cmd ? ward_spec_set_argv(s, (int)(n_ep + n_cmd), full, e) : 0;
	free(full);
	if (rc < 0)
		return -1;
	const char *user = ra->user ? ra->user : s->user_id_set ? NULL : img->user;
	if (user && ward_root_user(img->rootfs, user, &s->uid, &s->gid, e) < 0)
		return -1;
	if (!s->cwd && s->n_volumes == 0 && img->workdir && !(s->cwd = strdup(img->workdir))) {
		ward_error_set(e, ENOMEM, "workdir");
		return -1;
	}
	return 0;
}

/* The set-id ban on rw volumes (filter_setid.c) lifted: say so, naming a volume. */
static void warn_setid(const struct ward_spec *s)
{
	const char *rw = NULL;
	for (size_t i = 0; i < s->n_volumes && !rw; i++)
		if (s->volumes[i].mode == WARD_VOLUME_RW)
			rw = s->volumes[i].host;
	if (!rw || !(s->allow_setid_volumes || s->seccomp_unconfined))
		return;
	fprintf(stderr,
	        "ward: warning: %s: the sandbox may make set-id programs in its rw volumes "
	        "(such as %s), which host users could run\n",
	        s->allow_setid_volumes ? "--allow-setid-volumes" : "--seccomp=unconfined", rw);
}

/* Returns 0 to go on, 1 when help was printed, -1 on a bad option (e is set). */
int run_parse(struct ward_spec *s, int argc, char **argv, struct run_args *ra,
              struct ward_image *img, struct ward_error *e)
{
	ra->n_default_env = 0;
	while (s->env[ra->n_default_env])
		ra->n_default_env++;
	opterr = 0;
	optind = 1;
	int c;
	int idx = 0;
	/* SANDBOX_VOLUMES first (its first entry is the workspace), then -v in order. */
	const char *env_volumes = getenv("SANDBOX_VOLUMES");
	if (env_volumes && *env_volumes &&
	    ward_spec_add_volumes(s, env_volumes, "SANDBOX_VOLUMES", e) < 0)
		return -1;
	const char *env_user = getenv("SANDBOX_USER_ID");
	if (env_user && *env_user) {
		ra->user_id_from = "SANDBOX_USER_ID";
		if (ward_spec_set_user_id(s, env_user, ra->user_id_from, e) < 0)
			return -1;
	}
	while ((c = getopt_long(argc, argv, "+e:w:u:tiv:p:", options, &idx)) != -1) {
		int r = 0;
		switch (c) {
		case OPT_ROOTFS:
			r = replace(&s->rootfs, optarg, e);
			break;
		case OPT_READ_ONLY:
			s->read_only = true;
			break;
		case 'e':
			r = ward_spec_add_env(s, optarg, e);
			break;
		case 'v':
			r = ward_spec_add_volumes(s, optarg, "-v", e);
			break;
		case OPT_ENV_FILE:
			r = ward_spec_load_env_file(s, optarg, e);
			break;
		case 'w':
			r = replace(&s->cwd, optarg, e);
			break;
		case 'u':
			ra->user = optarg;
			break;
		case OPT_HOSTNAME:
			r = replace(&s->hostname, optarg, e);
			break;
		case 't':
			s->tty = true;
			break;
		case 'i':
			s->interactive = true;
			break;
		case OPT_TIMEOUT:
			r = ward_parse_timeout(optarg, &s->timeout_s, e);
			break;
		case OPT_RLIMIT:
			r = ward_spec_add_rlimit(s, optarg, e);
			break;
		case OPT_IDMAP_BASE:
			r = parse_base(optarg, &s->root_idmap_base, e);
			break;
		case OPT_JSON:
			ra->json = true;
			break;
		case OPT_ENTRYPOINT:
			ra->entrypoint = optarg;
			break;
		case 'p':
			r = ward_spec_add_publish(s, optarg, e);
			break;
		case OPT_NETWORK:
			r = ward_spec_set_network(s, optarg, e);
			break;
		case OPT_DNS:
			r = ward_spec_add_dns(s, optarg, e);
			break;
		case OPT_TMPFS:
			r = ward_spec_add_tmpfs(s, optarg, e);
			break;
		case OPT_CHANGES:
			r = replace(&s->changes, optarg, e);
			break;
		case OPT_USER_ID:
			ra->user_id_from = "--user-id";
			r = ward_spec_set_user_id(s, optarg, ra->user_id_from, e);
			break;
		case OPT_POLICY:
			r = replace(&s->policy, optarg, e);
			break;
		case OPT_SECCOMP:
			if (strcmp(optarg, "unconfined") != 0) {
				ward_error_set(
				    e, 0,
				    "--seccomp %s: only 'unconfined' is accepted (choose a "
				    "filter with --policy)",
				    optarg);
				return -1;
			}
			s->seccomp_unconfined = true;
			break;
		case OPT_ALLOW_SETID:
			s->allow_setid_volumes = true;
			break;
		case OPT_CAP_ADD:
			r = ward_spec_cap_add(s, optarg, e);
			break;
		case OPT_CAP_DROP:
			r = ward_spec_cap_drop(s, optarg, e);
			break;
		case OPT_LIMIT:
			r = ward_spec_set_limit(s, options[idx].name, optarg, e);
			break;
		case OPT_LIMITS_MODE:
			if (strcmp(optarg, "best-effort") && strcmp(optarg, "strict")) {
				ward_error_set(e, 0, "--limits %s: expected strict or best-effort",
				               optarg);
				return -1;
			}
			s->limits.best_effort = !strcmp(optarg, "best-effort");
			break;
		case OPT_NAME:
		case OPT_PERSISTENT:
			if (!ra->create) {
				ward_error_set(e, 0, "--%s: only for ward create",
				               options[idx].name);
				return -1;
			}
			if (c == OPT_NAME)
				ra->name = optarg;
			else
				ra->persistent = true;
			break;
		case OPT_HELP:
			fputs(ra->create ? create_usage : run_usage, stdout);
			return 1;
		case ':':
			ward_error_set(e, 0, "option %s needs a value", argv[optind - 1]);
			return -1;
		default:
			ward_error_set(e, 0, "unknown option %s (see ward %s --help)",
			               argv[optind - 1], ra->create ? "create" : "run");
			return -1;
		}
		if (r < 0)
			return -1;
	}
	if (ra->user && s->user_id_set) {
		ward_error_set(e, 0, "-u %s and %s %u both choose the workload's user; give one",
		               ra->user, ra->user_id_from, s->user_id);
		return -1;
	}
	if (!s->rootfs) {
		/* "--" ends options before any image: then there is none. */
		if (optind >= argc || !strcmp(argv[optind - 1], "--")) {
			ward_error_set(
			    e, 0, "no image: give IMAGE, or --rootfs DIR (see ward run --help)");
			return -1;
		}
		if (s->root_idmap_base != WARD_ROOT_IDMAP_BASE) {
			ward_error_set(e, 0,
			               "--idmap-base: image trees are owned by the default range; "
			               "use it with --rootfs only");
			return -1;
		}
		const struct ward_image_opts o = {.quiet = ra->json};
		ra->image = argv[optind];
		if (ward_image_open(argv[optind], &o, img, e) < 0)
			return -1;
		optind++;
		if (optind < argc && !strcmp(argv[optind], "--"))
			optind++;
		if (apply_image(s, ra, img, argc - optind, argv + optind, e) < 0)
			return -1;
	} else {
		if (ra->entrypoint) {
			ward_error_set(e, 0, "--entrypoint needs an image, not --rootfs");
			return -1;
		}
		if (ra->user && ward_root_user(s->rootfs, ra->user, &s->uid, &s->gid, e) < 0)
			return -1;
		if ((!ra->create || optind < argc) &&
		    ward_spec_set_argv(s, argc - optind, argv + optind, e) < 0)
			return -1;
	}
	s->resident = ra->create;
	/* Without an explicit HOME, root gets /root and other users /, as in Docker. */
	bool home_given = false;
	for (size_t i = 0; s->env[i]; i++)
		home_given |= strncmp(s->env[i], "HOME=", 5) == 0;
	if (!home_given)
		ward_spec_add_env(s, s->uid == 0 ? "HOME=/root" : "HOME=/", NULL);
	if (s->tty) {
		const char *term = getenv("TERM");
		char buf[256];
		snprintf(buf, sizeof(buf), "TERM=%s", term && *term ? term : "xterm");
		ward_spec_add_env(s, buf, NULL);
	}
	if (s->seccomp_unconfined && s->policy) {
		ward_error_set(e, 0, "--policy and --seccomp=unconfined contradict each other");
		return -1;
	}
	if (s->seccomp_unconfined)
		fputs(
		    "ward: warning: --seccomp=unconfined: the sandbox may make any system call its "
		    "namespaces and capabilities allow\n",
		    stderr);
	warn_setid(s);
	return ward_spec_default_idmaps(s, e);
}

static void print_json(const struct ward_result *res, const struct ward_error *e, bool failed)
{
	fprintf(stderr, "{\"exitCode\":%d,\"signal\":%d,\"reason\":\"%s\",\"durationMs\":%llu",
	        res->exit_code, res->signal, ward_reason_name(res->reason),
	        (unsigned long long)res->duration_ms);
	if (res->have_usage)
		fprintf(
		    stderr,
		    ",\"oomKills\":%llu,\"pidsLimitHits\":%llu,\"memoryPeakBytes\":%llu,"
		    "\"cpuTimeMs\":%llu",
		    (unsigned long long)res->oom_kills, (unsigned long long)res->pids_limit_hits,
		    (unsigned long long)res->memory_peak, (unsigned long long)res->cpu_usec / 1000);
	if (res->limits_note[0]) {
		fputs(",\"limits\":", stderr);
		json_print_string(stderr, res->limits_note);
	}
	if (res->n_ports) {
		fputs(",\"ports\":[", stderr);
		for (size_t i = 0; i < res->n_ports; i++)
			fprintf(
			    stderr,
			    "%s{\"hostIp\":\"%s\",\"hostPort\":%u,\"port\":%u,\"proto\":\"tcp\"}",
			    i ? "," : "", res->ports[i].addr, res->ports[i].host_port,
			    res->ports[i].port);
		fputc(']', stderr);
	}
	if (failed) {
		fputs(",\"error\":", stderr);
		json_print_string(stderr, e->msg);
	}
	fputs("}\n", stderr);
}

int cmd_run(int argc, char **argv)
{
	struct ward_spec s;
	struct ward_error e = {0};
	struct ward_result res = {.reason = WARD_SETUP_ERROR, .exit_code = EXIT_WARD};
	struct run_args ra = {0};
	struct ward_image img = {.tree_lock = -1};
	ward_spec_init(&s);
	int p = run_parse(&s, argc, argv, &ra, &img, &e);
	if (p == 1) {
		ward_spec_free(&s);
		return 0;
	}
	int rc = p < 0 ? -1 : ward_run(&s, &res, &e);
	if (rc < 0)
		cli_error(&e);
	else if (res.reason == WARD_TIMEOUT)
		fprintf(stderr, "ward: timeout: sandbox killed after %u s\n", s.timeout_s);
	else if (res.reason == WARD_OOM)
		fprintf(stderr,
		        "ward: oom: the sandbox went over its memory limit (%llu bytes) and was "
		        "killed\n",
		        (unsigned long long)s.limits.memory);
	if (rc == 0 && res.pids_limit_hits)
		fprintf(stderr, "ward: pids limit (%llu) refused %llu fork%s\n",
		        (unsigned long long)s.limits.pids, (unsigned long long)res.pids_limit_hits,
		        res.pids_limit_hits == 1 ? "" : "s");
	if (res.limits_note[0])
		fprintf(stderr, "ward: limits: %s\n", res.limits_note);
	if (ra.json)
		print_json(&res, &e, rc < 0);
	ward_image_close(&img);
	ward_spec_free(&s);
	return res.exit_code;
}
