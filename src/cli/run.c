/* ward run: parse options into a spec, run it, print the outcome. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

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
	OPT_ALLOW_SETUID,
	OPT_LABEL,
	OPT_RM,
	OPT_NO_START,
	OPT_PULL,
	OPT_PLATFORM
};

extern const char run_usage[], create_usage[];

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
    {"allow-setuid", no_argument, NULL, OPT_ALLOW_SETUID},
    {"label", required_argument, NULL, OPT_LABEL},
    {"rm", no_argument, NULL, OPT_RM},
    {"no-start", no_argument, NULL, OPT_NO_START},
    {"pull", required_argument, NULL, OPT_PULL},
    {"platform", required_argument, NULL, OPT_PLATFORM},
    {0},
};

static int parse_base(const char *text, uint32_t *out, struct ward_error *e)
{
	char *end;
	errno = 0;
	unsigned long v = strtoul(text, &end, 10);
	if (errno || *end || !*text || v == 0 || v > UINT32_MAX - WARD_IDMAP_SIZE)
		return ward_error_set(e, 0, "--idmap-base %s: expected a number from 1 to %u", text,
		                      UINT32_MAX - WARD_IDMAP_SIZE);
	*out = (uint32_t)v;
	return 0;
}

/* Returns 0 to go on, 1 when help was printed, -1 on a bad option (e is set). */
int run_parse(struct ward_spec *s, int argc, char **argv, struct run_args *ra,
              struct ward_image **img, struct ward_error *e)
{
	static const struct cli_cmd run_cmd = {"run", run_usage, options, true};
	static const struct cli_cmd create_cmd = {"create", create_usage, options, true};
	const struct cli_cmd *cmd = ra->create ? &create_cmd : &run_cmd;
	int c;
	int idx = 0;
	uint32_t base = 0;
	/* SANDBOX_VOLUMES first (its first entry is the workspace), then -v in order. */
	const char *env_volumes = getenv("SANDBOX_VOLUMES");
	if (env_volumes && *env_volumes &&
	    ward_spec_add_volumes(s, env_volumes, "SANDBOX_VOLUMES", e) < 0)
		return -1;
	const char *env_user = getenv("SANDBOX_USER_ID");
	if (env_user && *env_user && ward_spec_set_user_id(s, env_user, "SANDBOX_USER_ID", e) < 0)
		return -1;
	while ((c = cli_next(cmd, argc, argv, &idx, e)) >= 0) {
		int r = 0;
		switch (c) {
		case OPT_ROOTFS:
			ra->rootfs = optarg;
			r = ward_spec_set_rootfs(s, optarg, e);
			break;
		case OPT_READ_ONLY:
			ward_spec_set_read_only(s, true);
			break;
		case 'e': {
			char *buf;
			const char *kv = cli_env(optarg, &buf);
			r = kv ? ward_spec_add_env(s, kv, e) : 0;
			free(buf);
			break;
		}
		case OPT_LABEL:
			r = ward_spec_add_label(s, optarg, e);
			break;
		case OPT_PULL:
			if (!strcmp(optarg, "missing"))
				ra->pull = WARD_PULL_MISSING;
			else if (!strcmp(optarg, "always"))
				ra->pull = WARD_PULL_ALWAYS;
			else if (!strcmp(optarg, "never"))
				ra->pull = WARD_PULL_NEVER;
			else
				r = ward_error_set(
				    e, 0, "--pull %s: expected missing, always or never", optarg);
			break;
		case OPT_PLATFORM:
			ra->reg.platform = optarg;
			break;
		case OPT_ALLOW_SETUID:
			ward_spec_set_allow_setuid(s, true);
			break;
		case OPT_RM:
			/* ward run leaves no record whatever; create's goes when it stops */
			if (ra->create)
				ward_spec_set_auto_remove(s, true);
			break;
		case 'v':
			r = ward_spec_add_volumes(s, optarg, "-v", e);
			break;
		case OPT_ENV_FILE:
			r = ward_spec_load_env_file(s, optarg, e);
			break;
		case 'w':
			r = ward_spec_set_cwd(s, optarg, e);
			break;
		case 'u':
			r = ward_spec_set_user(s, optarg, e);
			break;
		case OPT_HOSTNAME:
			r = ward_spec_set_hostname(s, optarg, e);
			break;
		case 't':
			ra->tty = true;
			ward_spec_set_tty(s, true);
			break;
		case 'i':
			ward_spec_set_interactive(s, true);
			break;
		case OPT_TIMEOUT: {
			unsigned t;
			if ((r = ward_parse_timeout(optarg, &t, e)) == 0)
				ward_spec_set_timeout(s, t);
			break;
		}
		case OPT_RLIMIT:
			r = ward_spec_add_rlimit(s, optarg, e);
			break;
		case OPT_IDMAP_BASE:
			if ((r = parse_base(optarg, &base, e)) == 0)
				r = ward_spec_set_idmap_base(s, base, e);
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
			r = ward_spec_set_changes(s, optarg, e);
			break;
		case OPT_USER_ID:
			r = ward_spec_set_user_id(s, optarg, "--user-id", e);
			break;
		case OPT_POLICY:
			r = ward_spec_set_policy(s, optarg, e);
			break;
		case OPT_SECCOMP:
			if (strcmp(optarg, "unconfined") != 0)
				return ward_error_set(
				    e, 0,
				    "--seccomp %s: only 'unconfined' is accepted (choose "
				    "a filter with --policy)",
				    optarg);
			ward_spec_set_seccomp_unconfined(s, true);
			break;
		case OPT_ALLOW_SETID:
			ward_spec_set_allow_setid_volumes(s, true);
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
			if (strcmp(optarg, "best-effort") && strcmp(optarg, "strict"))
				return ward_error_set(
				    e, 0, "--limits %s: expected strict or best-effort", optarg);
			ward_spec_set_best_effort_limits(s, !strcmp(optarg, "best-effort"));
			break;
		case OPT_NAME:
		case OPT_PERSISTENT:
		case OPT_NO_START:
			if (!ra->create)
				return ward_error_set(e, 0, "run: --%s is only for ward create",
				                      options[idx].name);
			if (c == OPT_NAME)
				r = ward_spec_set_name(s, optarg, e);
			else if (c == OPT_PERSISTENT)
				ward_spec_set_persistent(s, true);
			else
				ra->no_start = true;
			break;
		}
		if (r < 0)
			return -1;
	}
	if (c == CLI_HELP)
		return 1;
	if (c == CLI_BAD)
		return -1;
	if (!ra->rootfs) {
		/* "--" ends options before any image: then there is none. */
		if (optind >= argc || !strcmp(argv[optind - 1], "--"))
			return ward_error_set(
			    e, 0, "no image: give IMAGE, or --rootfs DIR (see ward run --help)");
		if (base && base != WARD_ROOT_IDMAP_BASE)
			return ward_error_set(
			    e, 0,
			    "--idmap-base: image trees are owned by the default range; "
			    "use it with --rootfs only");
		ra->image = argv[optind];
		struct ward_store *st = cli_store(ra->json, e);
		ra->reg.quiet = ra->json;
		if (!st || ward_image_open_pull(st, argv[optind], ra->pull, &ra->reg, img, e) < 0 ||
		    ward_spec_set_image(s, *img, ra->entrypoint, e) < 0 ||
		    ward_spec_set_origin(s, ra->image, e) < 0)
			return -1;
		optind++;
		if (optind < argc && !strcmp(argv[optind], "--"))
			optind++;
	} else if (ra->entrypoint) {
		return ward_error_set(e, 0, "--entrypoint needs an image, not --rootfs");
	}
	if ((ra->rootfs && (!ra->create || optind < argc)) || optind < argc)
		if (ward_spec_set_argv(s, argc - optind, argv + optind, e) < 0)
			return -1;
	if (ra->tty) {
		const char *term = getenv("TERM");
		char buf[256];
		snprintf(buf, sizeof(buf), "TERM=%s", term && *term ? term : "xterm");
		ward_spec_add_env(s, buf, NULL);
	}
	return 0;
}

static void print_outcome(const struct ward_result *res)
{
	if (res->reason == WARD_TIMEOUT)
		fprintf(stderr, "ward: timeout: sandbox killed after %u s\n", res->timeout_s);
	else if (res->reason == WARD_OOM)
		fprintf(stderr,
		        "ward: oom: the sandbox went over its memory limit (%llu bytes) and was "
		        "killed\n",
		        (unsigned long long)res->memory_limit);
	if (res->pids_limit_hits)
		fprintf(stderr, "ward: pids limit (%llu) refused %llu fork%s\n",
		        (unsigned long long)res->pids_limit,
		        (unsigned long long)res->pids_limit_hits,
		        res->pids_limit_hits == 1 ? "" : "s");
}

int cmd_run(int argc, char **argv)
{
	struct ward_spec *s = NULL;
	struct ward_error e = {0};
	struct ward_result res = {.reason = WARD_SETUP_ERROR, .exit_code = EXIT_WARD};
	struct run_args ra = {0};
	struct ward_image *img = NULL;
	int p = ward_spec_new(&s, &e) < 0 ? -1 : run_parse(s, argc, argv, &ra, &img, &e);
	if (p == 1) {
		ward_spec_free(s);
		return 0;
	}
	int rc = p < 0 ? -1 : ward_run(cli_context(false), s, &res, &e);
	if (rc < 0)
		cli_error(&e);
	else
		print_outcome(&res);
	if (res.limits_note[0])
		fprintf(stderr, "ward: limits: %s\n", res.limits_note);
	if (ra.json) {
		char *text = ward_result_json(&res, &e, rc < 0);
		fprintf(stderr, "%s\n", text ? text : "{}");
		free(text);
	}
	ward_image_close(img);
	ward_spec_free(s);
	return res.exit_code;
}
