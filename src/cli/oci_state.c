/* ward oci state, kill, delete, pause, resume and features: one library call each. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "oci.h"

/* The commands whose only operand is the id: the directory of its record in DIR, or 1
 * (reported), or 0 after --help (*DONE). */
static int id_only(const struct oci_cmd *c, int argc, char **argv, const char **id, char *dir,
                   bool must_exist, bool *done)
{
	int v;
	*done = false;
	while ((v = oci_next(c, argc, argv, NULL)) >= 0)
		;
	if (v == OCI_HELP)
		return *done = true, 0;
	if (v == OCI_BAD || oci_one_id(c, argc, argv, id) < 0 ||
	    oci_state_dir(*id, false, dir, PATH_MAX) < 0)
		return 1;
	oci_close_fds(3);
	return must_exist && !oci_exists(*id, dir, false);
}

static const char state_usage[] = "usage: ward-runc state ID\n"
                                  "The container's state (runtime-spec) as JSON.\n";

int oci_cmd_state(int argc, char **argv)
{
	static const struct oci_cmd c = {"state", state_usage, NULL, false};
	const char *id;
	char dir[PATH_MAX];
	bool done;
	int r = id_only(&c, argc, argv, &id, dir, true, &done);
	if (r || done)
		return r;
	json_t *j = oci_state_json(id, dir);
	return j ? oci_print_json(j, 2) : 1;
}

/* Why a call on ID failed: "container not running" once it stopped (the words containerd's
 * shim looks for after a kill), else the library's message. */
static int failed(const char *id, const char *dir, const struct ward_error *e)
{
	char *text = NULL;
	struct ward_error e2 = {0};
	json_t *j = NULL;
	if (ward_container_state(dir, &text, &e2) == 0)
		j = json_loads(text, 0, NULL);
	free(text);
	const char *st = json_string_value(json_object_get(j, "status"));
	bool stopped = st && !strcmp(st, "stopped");
	json_decref(j);
	if (stopped)
		return oci_fail("%s: container not running", id);
	return oci_fail_e(id, e);
}

static const char kill_usage[] =
    "usage: ward-runc kill [--all] ID [SIGNAL]\n"
    "Signal the container's process (default SIGTERM; a name, with or without SIG, or a\n"
    "number).\n"
    "  --all, -a   every process of the container\n";

int oci_cmd_kill(int argc, char **argv)
{
	static const struct option opts[] = {{"all", optional_argument, NULL, 'a'}, {0}};
	static const struct oci_cmd c = {"kill", kill_usage, opts, false};
	bool all = false;
	int v;
	while ((v = oci_next(&c, argc, argv, NULL)) >= 0)
		all = oci_bool(optarg);
	if (v == OCI_HELP)
		return 0;
	if (v == OCI_BAD)
		return 1;
	if (optind >= argc)
		return oci_fail("kill: a container id is needed (usage: %s kill ID [SIGNAL])",
		                oci_g.prog);
	if (argc - optind > 2)
		return oci_fail("kill: one id and one signal expected, got also '%s'",
		                argv[optind + 2]);
	const char *id = argv[optind];
	const char *name = argc - optind == 2 ? argv[optind + 1] : "TERM";
	int sig = oci_signal(name);
	char dir[PATH_MAX];
	if (oci_check_id(id) < 0)
		return 1;
	if (sig < 0)
		return oci_fail("kill: '%s': not a signal", name);
	if (oci_state_dir(id, false, dir, sizeof(dir)) < 0 || !oci_exists(id, dir, false))
		return 1;
	oci_close_fds(3);
	struct ward_error e = {0};
	oci_debug("kill %s: signal %d%s", id, sig, all ? " (all)" : "");
	if (ward_container_kill(dir, sig, all, &e) < 0)
		return failed(id, dir, &e);
	return 0;
}

static const char delete_usage[] =
    "usage: ward-runc delete [--force] ID\n"
    "Remove a stopped (or created) container: its cgroup and record, then its poststop\n"
    "hooks.\n"
    "  --force, -f   a running or paused one too (SIGKILL); a missing one is no error\n";

int oci_cmd_delete(int argc, char **argv)
{
	static const struct option opts[] = {{"force", optional_argument, NULL, 'f'}, {0}};
	static const struct oci_cmd c = {"delete", delete_usage, opts, false};
	bool force = false;
	const char *id;
	char dir[PATH_MAX];
	int v;
	while ((v = oci_next(&c, argc, argv, NULL)) >= 0)
		force = oci_bool(optarg);
	if (v == OCI_HELP)
		return 0;
	if (v == OCI_BAD || oci_one_id(&c, argc, argv, &id) < 0 ||
	    oci_state_dir(id, false, dir, sizeof(dir)) < 0)
		return 1;
	oci_close_fds(3);
	/* the cleanup shim deletes what may be gone already: quietly */
	if (!oci_exists(id, dir, force))
		return force ? 0 : 1;
	struct ward_error e = {0};
	if (ward_container_delete(dir, force, &e) < 0)
		return oci_fail_e(id, &e);
	return 0;
}

static int pause_or_resume(const char *name, const char *usage, bool pause, int argc, char **argv)
{
	const struct oci_cmd c = {name, usage, NULL, false};
	const char *id;
	char dir[PATH_MAX];
	bool done;
	int r = id_only(&c, argc, argv, &id, dir, true, &done);
	if (r || done)
		return r;
	struct ward_error e = {0};
	if (ward_container_pause(dir, pause, &e) < 0)
		return failed(id, dir, &e);
	return 0;
}

int oci_cmd_pause(int argc, char **argv)
{
	return pause_or_resume("pause",
	                       "usage: ward-runc pause ID\n"
	                       "Freeze every process of the container.\n",
	                       true, argc, argv);
}

int oci_cmd_resume(int argc, char **argv)
{
	return pause_or_resume("resume",
	                       "usage: ward-runc resume ID\n"
	                       "Thaw a paused container.\n",
	                       false, argc, argv);
}

static const char features_usage[] =
    "usage: ward-runc features\n"
    "What this runtime supports on this host: the runtime-spec features document.\n";

int oci_cmd_features(int argc, char **argv)
{
	static const struct oci_cmd c = {"features", features_usage, NULL, false};
	int v;
	while ((v = oci_next(&c, argc, argv, NULL)) >= 0)
		;
	if (v == OCI_HELP)
		return 0;
	if (v == OCI_BAD)
		return 1;
	if (optind < argc)
		return oci_fail("features: takes no operand, got '%s'", argv[optind]);
	char *text = ward_container_features();
	json_t *j = text ? json_loads(text, JSON_PRESERVE_ORDER, NULL) : NULL;
	free(text);
	if (!j)
		return oci_fail("features: the library's document is not JSON");
	return oci_print_json(j, 4);
}
