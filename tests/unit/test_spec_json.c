/* Unit tests: a prepared spec as JSON and back (spec_json.c). Specs are built through the
 * public setters, prepared over a root made here, written, read back and compared field by
 * field; the document read back writes the same JSON. Bad documents name their key. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "image.h"
#include "spec_json.h"

static char root[64], envfile[96];

static int make_root(void **state)
{
	(void)state;
	snprintf(root, sizeof(root), "/tmp/test_spec_json.XXXXXX");
	assert_non_null(mkdtemp(root));
	char p[128];
	snprintf(p, sizeof(p), "%s/etc", root);
	assert_int_equal(mkdir(p, 0755), 0);
	snprintf(p, sizeof(p), "%s/etc/passwd", root);
	FILE *f = fopen(p, "w");
	assert_non_null(f);
	fputs("root:x:0:0::/root:/bin/sh\napp:x:1000:1001::/home/app:/bin/sh\n", f);
	fclose(f);
	snprintf(envfile, sizeof(envfile), "%s/env", root);
	f = fopen(envfile, "w");
	assert_non_null(f);
	fputs("FROM_FILE=yes\n", f);
	fclose(f);
	return 0;
}

static int remove_root(void **state)
{
	(void)state;
	char p[128];
	snprintf(p, sizeof(p), "%s/etc/passwd", root);
	unlink(p);
	snprintf(p, sizeof(p), "%s/etc", root);
	rmdir(p);
	unlink(envfile);
	rmdir(root);
	return 0;
}

static void same_strv(char **a, char **b)
{
	if (!a || !b) {
		assert_ptr_equal(a, b);
		return;
	}
	size_t i = 0;
	for (; a[i] && b[i]; i++)
		assert_string_equal(a[i], b[i]);
	assert_null(a[i]);
	assert_null(b[i]);
}

static void same_str(const char *a, const char *b)
{
	if (!a || !b)
		assert_ptr_equal(a, b);
	else
		assert_string_equal(a, b);
}

/* Every field the launcher reads. */
static void same_spec(const struct ward_spec *a, const struct ward_spec *b)
{
	same_strv(a->argv, b->argv);
	same_strv(a->env, b->env);
	same_str(a->cwd, b->cwd);
	assert_int_equal(a->uid, b->uid);
	assert_int_equal(a->gid, b->gid);
	assert_int_equal(a->tty, b->tty);
	assert_int_equal(a->interactive, b->interactive);
	assert_int_equal(a->timeout_s, b->timeout_s);
	assert_int_equal(a->n_rlimits, b->n_rlimits);
	for (size_t i = 0; i < a->n_rlimits; i++) {
		assert_int_equal(a->rlimits[i].resource, b->rlimits[i].resource);
		assert_int_equal(a->rlimits[i].soft, b->rlimits[i].soft);
		assert_int_equal(a->rlimits[i].hard, b->rlimits[i].hard);
	}
	same_str(a->rootfs, b->rootfs);
	assert_int_equal(a->read_only, b->read_only);
	same_str(a->hostname, b->hostname);
	assert_int_equal(a->idmaps.n_uid_map, b->idmaps.n_uid_map);
	assert_int_equal(a->idmaps.n_gid_map, b->idmaps.n_gid_map);
	assert_memory_equal(a->idmaps.uid_map, b->idmaps.uid_map,
	                    sizeof(a->idmaps.uid_map[0]) * a->idmaps.n_uid_map);
	assert_memory_equal(a->idmaps.gid_map, b->idmaps.gid_map,
	                    sizeof(a->idmaps.gid_map[0]) * a->idmaps.n_gid_map);
	assert_int_equal(a->idmaps.use_newidmap, b->idmaps.use_newidmap);
	assert_int_equal(a->idmapped_root, b->idmapped_root);
	assert_int_equal(a->root_idmap_base, b->root_idmap_base);
	assert_int_equal(a->capabilities, b->capabilities);
	same_str(a->policy, b->policy);
	assert_int_equal(a->seccomp_unconfined, b->seccomp_unconfined);
	assert_int_equal(a->allow_setid_volumes, b->allow_setid_volumes);
	assert_int_equal(a->limits.memory, b->limits.memory);
	assert_int_equal(a->limits.swap, b->limits.swap);
	assert_int_equal(a->limits.pids, b->limits.pids);
	assert_int_equal(a->limits.cpu_quota, b->limits.cpu_quota);
	assert_int_equal(a->limits.cpu_period, b->limits.cpu_period);
	assert_int_equal(a->limits.cpu_weight, b->limits.cpu_weight);
	assert_string_equal(a->limits.cpuset, b->limits.cpuset);
	assert_int_equal(a->limits.n_io, b->limits.n_io);
	assert_memory_equal(a->limits.io, b->limits.io, sizeof(a->limits.io[0]) * a->limits.n_io);
	assert_int_equal(a->limits.disk, b->limits.disk);
	assert_int_equal(a->limits.best_effort, b->limits.best_effort);
	assert_int_equal(a->n_volumes, b->n_volumes);
	for (size_t i = 0; i < a->n_volumes; i++) {
		assert_string_equal(a->volumes[i].host, b->volumes[i].host);
		assert_string_equal(a->volumes[i].container, b->volumes[i].container);
		assert_int_equal(a->volumes[i].mode, b->volumes[i].mode);
	}
	assert_int_equal(a->n_tmpfs, b->n_tmpfs);
	for (size_t i = 0; i < a->n_tmpfs; i++) {
		assert_string_equal(a->tmpfs[i].container, b->tmpfs[i].container);
		assert_int_equal(a->tmpfs[i].size, b->tmpfs[i].size);
		assert_int_equal(a->tmpfs[i].mode, b->tmpfs[i].mode);
		assert_int_equal(a->tmpfs[i].noexec, b->tmpfs[i].noexec);
	}
	assert_int_equal(a->user_id_set, b->user_id_set);
	assert_int_equal(a->user_id, b->user_id);
	assert_string_equal(a->user_id_origin, b->user_id_origin);
	assert_int_equal(a->network, b->network);
	assert_int_equal(a->n_publish, b->n_publish);
	for (size_t i = 0; i < a->n_publish; i++) {
		assert_string_equal(a->publish[i].addr, b->publish[i].addr);
		assert_int_equal(a->publish[i].host_port, b->publish[i].host_port);
		assert_int_equal(a->publish[i].port, b->publish[i].port);
	}
	assert_int_equal(a->n_dns, b->n_dns);
	for (size_t i = 0; i < a->n_dns; i++)
		assert_string_equal(a->dns[i], b->dns[i]);
	assert_int_equal(a->resident, b->resident);
	same_str(a->name, b->name);
	assert_int_equal(a->persistent, b->persistent);
	same_str(a->origin, b->origin);
	same_strv(a->labels, b->labels);
	assert_int_equal(a->auto_remove, b->auto_remove);
	assert_int_equal(a->allow_setuid, b->allow_setuid);
	assert_true(b->prepared);
}

/* S → JSON → a new spec: the same fields, and the same JSON again. */
static void round_trip(const struct ward_spec *s)
{
	json_t *j = spec_to_json(s);
	assert_non_null(j);
	struct ward_spec b;
	struct ward_error e = {0};
	spec_init(&b);
	if (spec_from_json(&b, j, &e) < 0)
		fail_msg("spec_from_json: %s", e.msg);
	same_spec(s, &b);
	json_t *j2 = spec_to_json(&b);
	assert_non_null(j2);
	if (!json_equal(j, j2)) {
		char *x = json_dumps(j, JSON_SORT_KEYS), *y = json_dumps(j2, JSON_SORT_KEYS);
		fail_msg("JSON differs:\n%s\n%s", x, y);
	}
	/* through text too, as a record stores it */
	char *text = json_dumps(j, JSON_COMPACT);
	json_t *j3 = json_loads(text, 0, NULL);
	assert_true(json_equal(j, j3));
	free(text);
	json_decref(j3);
	json_decref(j2);
	json_decref(j);
	spec_clear(&b);
}

#define OK(call)                                                                                   \
	do {                                                                                       \
		struct ward_error e_ = {0};                                                        \
		if ((call) < 0)                                                                    \
			fail_msg("%s: %s", #call, e_.msg);                                         \
	} while (0)
#define E (&e_)

/* Every setter, with values away from the defaults. */
static void every_setter(void **state)
{
	(void)state;
	struct ward_spec *s;
	OK(ward_spec_new(&s, E));
	char *argv[] = {"/bin/echo", "hello world", "é", NULL};
	OK(ward_spec_set_argv(s, 3, argv, E));
	OK(ward_spec_add_env(s, "A=1", E));
	OK(ward_spec_add_env(s, "EMPTY=", E));
	OK(ward_spec_load_env_file(s, envfile, E));
	OK(ward_spec_set_cwd(s, "/srv/app", E));
	OK(ward_spec_set_user(s, "app", E));
	ward_spec_set_tty(s, true);
	ward_spec_set_interactive(s, true);
	ward_spec_set_timeout(s, 300);
	OK(ward_spec_add_rlimit(s, "nofile=1024:4096", E));
	OK(ward_spec_add_rlimit(s, "core=0", E));
	OK(ward_spec_add_rlimit(s, "stack=unlimited", E));
	OK(ward_spec_set_rootfs(s, root, E));
	ward_spec_set_read_only(s, true);
	OK(ward_spec_set_hostname(s, "box-1", E));
	OK(ward_spec_set_idmap_base(s, 3000000000u, E));
	OK(ward_spec_cap_add(s, "NET_ADMIN", E));
	OK(ward_spec_cap_add(s, "cap_sys_ptrace", E));
	OK(ward_spec_cap_drop(s, "CHOWN", E));
	OK(ward_spec_set_policy(s, "strict", E));
	ward_spec_set_allow_setid_volumes(s, true);
	OK(ward_spec_set_limit(s, "memory", "256m", E));
	OK(ward_spec_set_limit(s, "memory-swap", "512m", E));
	OK(ward_spec_set_limit(s, "pids", "100", E));
	OK(ward_spec_set_limit(s, "cpus", "1.5", E));
	OK(ward_spec_set_limit(s, "cpu-weight", "200", E));
	OK(ward_spec_set_limit(s, "cpuset", "0", E));
	OK(ward_spec_set_limit(s, "io-max", "8:0:rbps=1m,wiops=100", E));
	OK(ward_spec_set_limit(s, "disk", "1g", E));
	ward_spec_set_best_effort_limits(s, true);
	OK(ward_spec_add_volumes(s, "/srv/w:/workspace,/data:/data:ro,/src:/src:overlay", "-v", E));
	OK(ward_spec_add_tmpfs(s, "/scratch:size=64m,mode=1777,noexec", E));
	OK(ward_spec_add_tmpfs(s, "/run/x", E));
	OK(ward_spec_set_network(s, "egress", E));
	OK(ward_spec_add_publish(s, "8080:80", E));
	OK(ward_spec_add_publish(s, "[::1]:0:443", E));
	OK(ward_spec_add_dns(s, "9.9.9.9", E));
	OK(ward_spec_add_host(s, "db:10.1.2.3", E));
	OK(ward_spec_set_name(s, "web", E));
	ward_spec_set_persistent(s, true);
	OK(ward_spec_set_origin(s, "my-image:1", E));
	OK(ward_spec_add_label(s, "team=a", E));
	OK(ward_spec_add_label(s, "empty=", E));
	OK(ward_spec_add_label(s, "x.y/z=1=2", E));
	ward_spec_set_auto_remove(s, true);
	ward_spec_set_allow_setuid(s, true);
	OK(spec_prepare(NULL, s, true, E));
	assert_int_equal(s->uid, 1000);
	assert_int_equal(s->gid, 1001);
	round_trip(s);

	/* what the JSON says, by its readable names */
	json_t *j = spec_to_json(s);
	assert_string_equal(json_string_value(json_object_get(j, "user")), "1000:1001");
	assert_string_equal(json_string_value(json_object_get(j, "workdir")), "/srv/app");
	assert_string_equal(
	    json_string_value(json_object_get(json_object_get(j, "labels"), "x.y/z")), "1=2");
	json_t *caps = json_object_get(j, "capabilities");
	bool admin = false, chown = false;
	for (size_t i = 0; i < json_array_size(caps); i++) {
		admin |= !strcmp(json_string_value(json_array_get(caps, i)), "NET_ADMIN");
		chown |= !strcmp(json_string_value(json_array_get(caps, i)), "CHOWN");
	}
	assert_true(admin);
	assert_false(chown);
	json_t *rl = json_array_get(json_object_get(j, "rlimits"), 2);
	assert_string_equal(json_string_value(json_object_get(rl, "hard")), "unlimited");
	assert_null(json_object_get(j, "image"));
	if (getenv("SPEC_JSON_SHOW"))
		json_dumpf(j, stderr, JSON_INDENT(1));
	json_decref(j);
	ward_spec_free(s);
}

/* The other setters that exclude some above: --user-id, --seccomp=unconfined, --changes. */
static void other_setters(void **state)
{
	(void)state;
	struct ward_spec *s;
	OK(ward_spec_new(&s, E));
	char *argv[] = {"sh", NULL};
	OK(ward_spec_set_argv(s, 1, argv, E));
	OK(ward_spec_set_rootfs(s, root, E));
	OK(ward_spec_set_user_id(s, "1000", "SANDBOX_USER_ID", E));
	ward_spec_set_seccomp_unconfined(s, true);
	OK(ward_spec_add_volumes(s, "/tmp:/in:overlay", "SANDBOX_VOLUMES", E));
	OK(ward_spec_set_changes(s, "/tmp/changes.tar", E));
	OK(spec_prepare(NULL, s, false, E));
	round_trip(s);
	ward_spec_free(s);
}

/* An image's defaults, and its name and id kept after the round trip. */
static void with_image(void **state)
{
	(void)state;
	char *env[] = {"IMG=1", NULL}, *cmd[] = {"/bin/sh", "-c", "true", NULL};
	struct ward_image img = {.name = "alpine:3",
	                         .id = "sha256:abcd",
	                         .rootfs = root,
	                         .env = env,
	                         .cmd = cmd,
	                         .workdir = "/w",
	                         .user = "app"};
	struct ward_spec *s;
	OK(ward_spec_new(&s, E));
	OK(ward_spec_set_image(s, &img, NULL, E));
	OK(spec_prepare(NULL, s, false, E));
	json_t *j = spec_to_json(s);
	json_t *im = json_object_get(j, "image");
	assert_string_equal(json_string_value(json_object_get(im, "name")), "alpine:3");
	assert_string_equal(json_string_value(json_object_get(im, "id")), "sha256:abcd");
	json_decref(j);
	round_trip(s);
	ward_spec_free(s);
}

/* A minimal prepared spec, as JSON to spoil. */
static json_t *base_json(void)
{
	struct ward_spec s;
	struct ward_error e = {0};
	spec_init(&s);
	char *argv[] = {"true", NULL};
	assert_int_equal(ward_spec_set_argv(&s, 1, argv, &e), 0);
	assert_int_equal(ward_spec_set_rootfs(&s, root, &e), 0);
	assert_int_equal(spec_prepare(NULL, &s, false, &e), 0);
	json_t *j = spec_to_json(&s);
	spec_clear(&s);
	return j;
}

/* KEY (a path: a.b or a[0].b) set to VALUE (JSON text) must fail naming NAMED. */
static void refused(const char *key, const char *value, const char *named)
{
	json_t *j = base_json();
	json_t *v = json_loads(value, JSON_DECODE_ANY, NULL);
	assert_non_null(v);
	char buf[64];
	snprintf(buf, sizeof(buf), "%s", key);
	json_t *o = j;
	char *p = buf, *dot;
	while ((dot = strchr(p, '.'))) {
		*dot = 0;
		json_t *n = json_object_get(o, p);
		if (!n)
			json_object_set_new(o, p, n = json_object());
		o = n;
		p = dot + 1;
	}
	json_object_set_new(o, p, v);
	struct ward_spec s;
	struct ward_error e = {0};
	spec_init(&s);
	int rc = spec_from_json(&s, j, &e);
	spec_clear(&s);
	json_decref(j);
	if (rc == 0)
		fail_msg("%s=%s was accepted", key, value);
	if (!strstr(e.msg, named))
		fail_msg("%s=%s: error '%s' does not name %s", key, value, e.msg, named);
}

static void bad_inputs(void **state)
{
	(void)state;
	refused("command", "\"ls\"", "command");
	refused("command", "[\"ls\", 1]", "command[1]");
	refused("env", "[\"NOEQUALS\"]", "env[0]");
	refused("env", "null", "env");
	refused("workdir", "\"rel\"", "workdir");
	refused("user", "\"root\"", "user");
	refused("user", "\"1:99999999999\"", "user");
	refused("tty", "1", "tty");
	refused("timeout", "-1", "timeout");
	refused("timeout", "4294967296", "timeout");
	refused("rlimits", "[{\"name\":\"nofiles\",\"soft\":1,\"hard\":1}]", "rlimits[0].name");
	refused("rlimits", "[{\"name\":\"nofile\",\"soft\":2,\"hard\":1}]", "rlimits[0].hard");
	refused("rlimits", "[{\"name\":\"nofile\",\"soft\":\"lots\",\"hard\":1}]",
	        "rlimits[0].soft");
	refused("rootfs", "null", "rootfs");
	refused("rootfs", "7", "rootfs");
	refused("idmaps.uid", "[]", "idmaps.uid");
	refused("idmaps.gid", "[{\"inside\":0,\"outside\":1,\"count\":0}]", "idmaps.gid[0]");
	refused("idmaps.uid", "[{\"inside\":0,\"outside\":-1,\"count\":1}]",
	        "idmaps.uid[0].outside");
	refused("idmap_base", "4294967295", "idmap_base");
	refused("capabilities", "[\"NOT_A_CAP\"]", "capabilities[0]");
	refused("capabilities", "\"CHOWN\"", "capabilities");
	refused("policy", "[]", "policy");
	refused("limits.memory", "-5", "limits.memory");
	refused("limits.memory", "\"18446744073709551616\"", "limits.memory");
	refused("limits.swap", "-2", "limits.swap");
	refused("limits.cpu_weight", "10001", "limits.cpu_weight");
	refused("limits.cpuset",
	        "\"0123456789012345678901234567890123456789012345678901234567890123\"",
	        "limits.cpuset");
	refused("limits.io", "[{\"device\":\"8\"}]", "limits.io[0].device");
	refused("limits.best_effort", "\"yes\"", "limits.best_effort");
	refused("mounts", "[{\"type\":\"nfs\"}]", "mounts[0]");
	refused("mounts",
	        "[{\"type\":\"bind\",\"source\":\"/a\",\"destination\":\"/b\",\"mode\":\"rx\"}]",
	        "mounts[0].mode");
	refused("mounts",
	        "[{\"type\":\"bind\",\"source\":\"a\",\"destination\":\"/b\",\"mode\":\"rw\"}]",
	        "mounts[0].source");
	refused("mounts", "[{\"type\":\"tmpfs\",\"destination\":\"/t\",\"mode\":\"9\"}]",
	        "mounts[0].mode");
	refused("mounts", "[{\"type\":\"tmpfs\",\"destination\":\"t\",\"mode\":\"1777\"}]",
	        "mounts[0].destination");
	refused("user_id", "65536", "user_id");
	refused("network", "\"host\"", "network");
	refused("ports", "[{\"address\":\"127.0.0.1\",\"host_port\":70000,\"port\":80}]",
	        "ports[0].host_port");
	refused("ports", "[{\"address\":\"127.0.0.1\",\"host_port\":1,\"port\":0}]",
	        "ports[0].port");
	refused("dns", "[\"1.1.1.1\",\"2.2.2.2\",\"3.3.3.3\",\"4.4.4.4\"]", "dns");
	refused("labels", "{\"k\": 1}", "labels.k");
	refused("labels", "[\"k=v\"]", "labels");
	refused("name", "false", "name");
	refused("auto_remove", "\"no\"", "auto_remove");
	refused("allow_setuid", "0", "allow_setuid");
	refused("image", "\"alpine\"", "image");
	refused("image.name", "3", "image.name");

	struct ward_spec s;
	struct ward_error e = {0};
	spec_init(&s);
	json_t *arr = json_array();
	assert_int_equal(spec_from_json(&s, arr, &e), -1);
	assert_non_null(strstr(e.msg, "object"));
	json_decref(arr);
	spec_clear(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(every_setter),
	    cmocka_unit_test(other_setters),
	    cmocka_unit_test(with_image),
	    cmocka_unit_test(bad_inputs),
	};
	return cmocka_run_group_tests(tests, make_root, remove_root);
}
