/* ward oci spec: a starting config.json, as runc spec writes one (--rootless: for a caller
 * without privileges: a user namespace mapping the caller to root, no resources, /sys bound
 * from the host). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "oci.h"

static const char base[] =
    "{\"ociVersion\":\"1.2.0\","
    "\"process\":{\"terminal\":true,\"user\":{\"uid\":0,\"gid\":0},\"args\":[\"sh\"],"
    "\"env\":[\"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\","
    "\"TERM=xterm\"],\"cwd\":\"/\","
    "\"capabilities\":{"
    "\"bounding\":[\"CAP_AUDIT_WRITE\",\"CAP_KILL\",\"CAP_NET_BIND_SERVICE\"],"
    "\"effective\":[\"CAP_AUDIT_WRITE\",\"CAP_KILL\",\"CAP_NET_BIND_SERVICE\"],"
    "\"permitted\":[\"CAP_AUDIT_WRITE\",\"CAP_KILL\",\"CAP_NET_BIND_SERVICE\"],"
    "\"ambient\":[\"CAP_AUDIT_WRITE\",\"CAP_KILL\",\"CAP_NET_BIND_SERVICE\"]},"
    "\"rlimits\":[{\"type\":\"RLIMIT_NOFILE\",\"hard\":1024,\"soft\":1024}],"
    "\"noNewPrivileges\":true},"
    "\"root\":{\"path\":\"rootfs\",\"readonly\":true},"
    "\"hostname\":\"ward\","
    "\"mounts\":["
    "{\"destination\":\"/proc\",\"type\":\"proc\",\"source\":\"proc\"},"
    "{\"destination\":\"/dev\",\"type\":\"tmpfs\",\"source\":\"tmpfs\","
    "\"options\":[\"nosuid\",\"strictatime\",\"mode=755\",\"size=65536k\"]},"
    "{\"destination\":\"/dev/pts\",\"type\":\"devpts\",\"source\":\"devpts\","
    "\"options\":[\"nosuid\",\"noexec\",\"newinstance\",\"ptmxmode=0666\",\"mode=0620\","
    "\"gid=5\"]},"
    "{\"destination\":\"/dev/shm\",\"type\":\"tmpfs\",\"source\":\"shm\","
    "\"options\":[\"nosuid\",\"noexec\",\"nodev\",\"mode=1777\",\"size=65536k\"]},"
    "{\"destination\":\"/dev/mqueue\",\"type\":\"mqueue\",\"source\":\"mqueue\","
    "\"options\":[\"nosuid\",\"noexec\",\"nodev\"]},"
    "{\"destination\":\"/sys\",\"type\":\"sysfs\",\"source\":\"sysfs\","
    "\"options\":[\"nosuid\",\"noexec\",\"nodev\",\"ro\"]},"
    "{\"destination\":\"/sys/fs/cgroup\",\"type\":\"cgroup\",\"source\":\"cgroup\","
    "\"options\":[\"nosuid\",\"noexec\",\"nodev\",\"relatime\",\"ro\"]}],"
    "\"linux\":{\"resources\":{\"devices\":[{\"allow\":false,\"access\":\"rwm\"}]},"
    "\"namespaces\":[{\"type\":\"pid\"},{\"type\":\"network\"},{\"type\":\"ipc\"},"
    "{\"type\":\"uts\"},{\"type\":\"mount\"},{\"type\":\"cgroup\"}],"
    "\"maskedPaths\":[\"/proc/acpi\",\"/proc/asound\",\"/proc/kcore\",\"/proc/keys\","
    "\"/proc/latency_stats\",\"/proc/timer_list\",\"/proc/timer_stats\","
    "\"/proc/sched_debug\",\"/sys/firmware\",\"/proc/scsi\"],"
    "\"readonlyPaths\":[\"/proc/bus\",\"/proc/fs\",\"/proc/irq\",\"/proc/sys\","
    "\"/proc/sysrq-trigger\"]}}";

/* runc's ToRootless: the caller as root of a user namespace, no network or cgroup
 * namespace, no device rules or resources, /sys bound from the host, no gid=5. */
static void rootless(json_t *spec)
{
	json_t *linux_ = json_object_get(spec, "linux");
	json_object_del(linux_, "resources");
	json_t *ns = json_object_get(linux_, "namespaces");
	for (size_t k = json_array_size(ns); k-- > 0;) {
		const char *t = json_string_value(json_object_get(json_array_get(ns, k), "type"));
		if (!strcmp(t, "network") || !strcmp(t, "cgroup"))
			json_array_remove(ns, k);
	}
	json_array_append_new(ns, json_pack("{s:s}", "type", "user"));
	json_object_set_new(linux_, "uidMappings",
	                    json_pack("[{s:i,s:i,s:i}]", "containerID", 0, "hostID",
	                              (json_int_t)geteuid(), "size", 1));
	json_object_set_new(linux_, "gidMappings",
	                    json_pack("[{s:i,s:i,s:i}]", "containerID", 0, "hostID",
	                              (json_int_t)getegid(), "size", 1));
	size_t i;
	json_t *m;
	json_array_foreach(json_object_get(spec, "mounts"), i, m)
	{
		const char *dst = json_string_value(json_object_get(m, "destination"));
		if (!strcmp(dst, "/sys")) {
			json_t *bind =
			    json_pack("{s:s,s:s,s:[s,s,s,s,s]}", "type", "none", "source", "/sys",
			              "options", "rbind", "nosuid", "noexec", "nodev", "ro");
			json_object_update(m, bind);
			json_decref(bind);
		}
		if (!strcmp(dst, "/dev/pts")) {
			json_t *o = json_object_get(m, "options");
			json_array_remove(o, json_array_size(o) - 1); /* gid=5 */
		}
	}
}

static const char usage[] =
    "usage: ward-runc spec [--bundle DIR] [--rootless]\n"
    "Write a starting config.json in the bundle (runc spec's: sh in rootfs/ with a\n"
    "terminal).\n"
    "  --bundle, -b DIR   where (default: the current directory)\n"
    "  --rootless         for a caller without privileges: a user namespace\n";

int oci_cmd_spec(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"bundle", required_argument, NULL, 'b'},
	    {"rootless", optional_argument, NULL, 256},
	    {0},
	};
	static const struct oci_cmd c = {"spec", usage, opts, false};
	const char *bundle = ".";
	bool rl = false;
	int v;
	while ((v = oci_next(&c, argc, argv, NULL)) >= 0) {
		if (v == 'b')
			bundle = optarg;
		else
			rl = oci_bool(optarg);
	}
	if (v == OCI_HELP)
		return 0;
	if (v == OCI_BAD)
		return 1;
	if (optind < argc)
		return oci_fail("spec: takes no operand, got '%s'", argv[optind]);
	json_t *spec = json_loads(base, JSON_PRESERVE_ORDER, NULL);
	if (!spec)
		return oci_fail("out of memory");
	if (rl)
		rootless(spec);
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/config.json", bundle);
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
	if (fd < 0) {
		json_decref(spec);
		return oci_fail("spec: %s: %s", path,
		                errno == EEXIST ? "exists already: remove it first"
		                                : strerror(errno));
	}
	int r = json_dumpfd(spec, fd, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(spec);
	if (r < 0 || write(fd, "\n", 1) != 1) {
		close(fd);
		return oci_fail("spec: %s: cannot write it", path);
	}
	return close(fd) < 0 ? oci_fail("spec: %s: %s", path, strerror(errno)) : 0;
}
