/* System endpoints: /_ping, /version, /info, /events. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "serve.h"

static void ping(struct api_req *r)
{
	api_reply_raw(r, 200, "text/plain; charset=utf-8", "OK", 2);
}

/* Docker names architectures as Go does. */
static const char *go_arch(const char *machine)
{
	static const char *const map[][2] = {{"x86_64", "amd64"}, {"aarch64", "arm64"},
	                                     {"i686", "386"},     {"i386", "386"},
	                                     {"armv7l", "arm"},   {"ppc64le", "ppc64le"},
	                                     {"s390x", "s390x"},  {"riscv64", "riscv64"}};
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (!strcmp(machine, map[i][0]))
			return map[i][1];
	return machine;
}

static void version(struct api_req *r)
{
	struct utsname u;
	uname(&u);
	const char *arch = go_arch(u.machine);
	json_t *details =
	    json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s}", "ApiVersion", "1.41", "Arch", arch,
	              "BuildTime", "", "Experimental", "false", "GitCommit", "", "GoVersion", "n/a",
	              "KernelVersion", u.release, "MinAPIVersion", "1.24");
	json_t *engine = json_pack("{s:s,s:s,s:o}", "Name", "Engine", "Version", WARD_VERSION,
	                           "Details", details);
	api_reply_json(r, 200,
	               json_pack("{s:{s:s},s:[o],s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s}", "Platform",
	                         "Name", "ward " WARD_VERSION, "Components", engine, "Version",
	                         WARD_VERSION, "ApiVersion", "1.41", "MinAPIVersion", "1.24",
	                         "GitCommit", "", "GoVersion", "n/a", "Os", "linux", "Arch", arch,
	                         "KernelVersion", u.release, "BuildTime", ""));
}

static long meminfo_total(void)
{
	FILE *f = fopen("/proc/meminfo", "re");
	long kb = 0;
	char line[256];
	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "MemTotal: %ld kB", &kb) == 1)
			break;
	if (f)
		fclose(f);
	return kb * 1024;
}

static const char *os_name(char *buf, size_t len)
{
	FILE *f = fopen("/etc/os-release", "re");
	char line[256];
	snprintf(buf, len, "Linux");
	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, "PRETTY_NAME=", 12)) {
			char *v = line + 12;
			v[strcspn(v, "\n")] = '\0';
			if (*v == '"') {
				v++;
				v[strcspn(v, "\"")] = '\0';
			}
			snprintf(buf, len, "%.*s", (int)(len - 1), v);
		}
	if (f)
		fclose(f);
	return buf;
}

/* Where images live, as ward picks it (README: "Where ward keeps things"). */
static const char *store_dir(const struct serve *s, char *buf, size_t len)
{
	const char *home = getenv("HOME"), *data = getenv("XDG_DATA_HOME");
	if (s->store_dir)
		snprintf(buf, len, "%s", s->store_dir);
	else if (geteuid() == 0)
		snprintf(buf, len, "/var/lib/ward");
	else if (data && data[0] == '/')
		snprintf(buf, len, "%s/ward", data);
	else
		snprintf(buf, len, "%s/.local/share/ward", home ? home : "");
	return buf;
}

static json_t *security_options(void)
{
	json_t *o = json_pack("[s]", "name=seccomp,profile=default");
	json_array_append_new(o, json_string("name=userns"));
	if (geteuid() != 0)
		json_array_append_new(o, json_string("name=rootless"));
	return o;
}

static void info(struct api_req *r)
{
	struct ward_sandbox_info *v = NULL;
	size_t n = 0, running = 0, paused = 0;
	struct ward_error e = {0};
	if (ward_sandbox_list(r->srv->ctx, &v, &n, &e) < 0)
		return api_reply_ward_error(r, 500, &e);
	for (size_t i = 0; i < n; i++) {
		running += v[i].status == WARD_SANDBOX_RUNNING;
		paused += v[i].status == WARD_SANDBOX_PAUSED;
	}
	ward_sandbox_list_free(v, n);
	struct ward_image_info *im = NULL;
	size_t n_images = 0;
	size_t n_names = 0;
	if (ward_image_list(r->srv->store, &im, &n_names, &e) == 0)
		for (size_t i = 0; i < n_names; i++) { /* images, not names: distinct ids */
			size_t k = 0;
			while (k < i && strcmp(im[k].id, im[i].id))
				k++;
			n_images += k == i;
		}
	free(im);
	struct utsname u;
	uname(&u);
	char os[256], root[4096];
	bool v2 = access("/sys/fs/cgroup/cgroup.controllers", F_OK) == 0;
	json_t *j = json_pack(
	    "{s:s,s:I,s:I,s:I,s:I,s:I,s:s,s:s,s:s,s:s,s:I,s:I,s:s,s:s,s:s,s:o,s:s,s:s,s:s,s:[]}",
	    "ID", "ward", "Containers", (json_int_t)n, "ContainersRunning", (json_int_t)running,
	    "ContainersPaused", (json_int_t)paused, "ContainersStopped",
	    (json_int_t)(n - running - paused), "Images", (json_int_t)n_images, "Driver", "ward",
	    "OperatingSystem", os_name(os, sizeof(os)), "OSType", "linux", "Architecture",
	    u.machine, "NCPU", (json_int_t)sysconf(_SC_NPROCESSORS_ONLN), "MemTotal",
	    (json_int_t)meminfo_total(), "Name", u.nodename, "ServerVersion", WARD_VERSION,
	    "KernelVersion", u.release, "SecurityOptions", security_options(), "CgroupVersion",
	    v2 ? "2" : "1", "CgroupDriver", "cgroupfs", "DockerRootDir",
	    store_dir(r->srv, root, sizeof(root)), "Warnings");
	api_reply_json(r, 200, j);
}

/* ward keeps no event log, and a stream that never ends would hold its connection's thread
 * after the client left: refused, saying so. */
static void events(struct api_req *r)
{
	api_reply_error(r, 501, "/events: not supported by ward (it keeps no event log)");
}

const struct api_route api_routes_system[] = {{"GET", "/_ping", ping},
                                              {"GET", "/version", version},
                                              {"GET", "/info", info},
                                              {"GET", "/events", events},
                                              {0}};
