/* The runtime-spec "features" document (features.md): what this build of ward accepts in
 * a config.json, kept true to the parser (oci_config.c and its pieces). */
#include <jansson.h>
#include <seccomp.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <unistd.h>

#include "oci.h"
#include "oci_parse.h"
#include "ward/container.h"
#include "ward/ward.h"

static json_t *strings(const char *const *list)
{
	json_t *a = json_array();
	for (size_t i = 0; a && list[i]; i++)
		json_array_append_new(a, json_string(list[i]));
	return a;
}

/* Every capability libcap names up to this kernel's last, as CAP_ names. */
static json_t *capabilities(void)
{
	json_t *a = json_array();
	for (int i = 0; a && i < (int)cap_max_bits() && i < 64; i++) {
		char *name = cap_to_name((cap_value_t)i);
		if (!name)
			continue;
		if (strncmp(name, "cap_", 4) == 0) {
			char up[64];
			snprintf(up, sizeof(up), "%s", name);
			for (char *p = up; *p; p++)
				*p = (char)(*p >= 'a' && *p <= 'z' ? *p - 32 : *p);
			json_array_append_new(a, json_string(up));
		}
		cap_free(name);
	}
	return a;
}

static bool file_says(const char *path, char want)
{
	FILE *f = fopen(path, "re");
	int c = f ? fgetc(f) : EOF;
	if (f)
		fclose(f);
	return c == want;
}

bool oci_host_apparmor(void)
{
	return file_says("/sys/module/apparmor/parameters/enabled", 'Y');
}

bool oci_host_selinux(void)
{
	return access("/sys/fs/selinux/enforce", F_OK) == 0;
}

static json_t *seccomp_features(void)
{
	static const char *const actions[] = {
	    "SCMP_ACT_ALLOW",        "SCMP_ACT_ERRNO",       "SCMP_ACT_KILL",
	    "SCMP_ACT_KILL_PROCESS", "SCMP_ACT_KILL_THREAD", "SCMP_ACT_LOG",
	    "SCMP_ACT_TRACE",        "SCMP_ACT_TRAP",        NULL};
	static const char *const operators[] = {"SCMP_CMP_EQ", "SCMP_CMP_GE", "SCMP_CMP_GT",
	                                        "SCMP_CMP_LE", "SCMP_CMP_LT", "SCMP_CMP_MASKED_EQ",
	                                        "SCMP_CMP_NE", NULL};
	/* the compiler builds for this machine's ABIs; other names are accepted and ignored */
	static const char *const archs[] = {"SCMP_ARCH_X86", "SCMP_ARCH_X86_64", "SCMP_ARCH_X32",
	                                    NULL};
	static const char *const known[] = {"SECCOMP_FILTER_FLAG_TSYNC", "SECCOMP_FILTER_FLAG_LOG",
	                                    "SECCOMP_FILTER_FLAG_SPEC_ALLOW",
	                                    "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV", NULL};
	static const char *const supported[] = {"SECCOMP_FILTER_FLAG_TSYNC",
	                                        "SECCOMP_FILTER_FLAG_LOG",
	                                        "SECCOMP_FILTER_FLAG_SPEC_ALLOW", NULL};
	return json_pack("{s:b,s:o,s:o,s:o,s:o,s:o}", "enabled", 1, "actions", strings(actions),
	                 "operators", strings(operators), "archs", strings(archs), "knownFlags",
	                 strings(known), "supportedFlags", strings(supported));
}

static json_t *linux_features(void)
{
	static const char *const ns[] = {"cgroup", "ipc",  "mount", "network", "pid",
	                                 "time",   "user", "uts",   NULL};
	bool apparmor = oci_host_apparmor(), selinux = oci_host_selinux();
	return json_pack("{s:o,s:o,s:{s:b,s:b,s:b,s:b,s:b},s:o,s:{s:b},s:{s:b},s:{s:b},"
	                 "s:{s:{s:b}}}",
	                 "namespaces", strings(ns), "capabilities", capabilities(), "cgroup", "v1",
	                 1, "v2", 1, "systemd", 0, "systemdUser", 0, "rdma", 0, "seccomp",
	                 seccomp_features(), "apparmor", "enabled", apparmor, "selinux", "enabled",
	                 selinux, "intelRdt", "enabled", 0, "mountExtensions", "idmap", "enabled",
	                 1);
}

char *ward_container_features(void)
{
	static const char *const hooks[] = {"prestart",
	                                    "createRuntime",
	                                    "createContainer",
	                                    "startContainer",
	                                    "poststart",
	                                    "poststop",
	                                    NULL};
	/* the options oci_mounts.c knows; others go to the filesystem as its data */
	static const char *const mount_options[] = {
	    "async",       "atime",         "bind",       "defaults",    "dev",        "diratime",
	    "dirsync",     "exec",          "idmap",      "lazytime",    "loud",       "mand",
	    "noatime",     "nodev",         "nodiratime", "noexec",      "nolazytime", "nomand",
	    "norelatime",  "nostrictatime", "nosuid",     "nosymfollow", "private",    "rbind",
	    "relatime",    "remount",       "ridmap",     "ro",          "rprivate",   "rshared",
	    "rslave",      "runbindable",   "rw",         "shared",      "silent",     "slave",
	    "strictatime", "suid",          "symfollow",  "sync",        "tmpcopyup",  "unbindable",
	    NULL};
	const struct scmp_version *v = seccomp_version();
	char libseccomp[32];
	snprintf(libseccomp, sizeof(libseccomp), "%u.%u.%u", v ? v->major : 0, v ? v->minor : 0,
	         v ? v->micro : 0);
	json_t *doc = json_pack("{s:s,s:s,s:o,s:o,s:o,s:{s:s,s:s,s:s}}", "ociVersionMin", "1.0.0",
	                        "ociVersionMax", "1.2.1", "hooks", strings(hooks), "mountOptions",
	                        strings(mount_options), "linux", linux_features(), "annotations",
	                        "run.ward.version", WARD_VERSION, OCI_ANNOTATION_HARDEN,
	                        "true|false", "io.github.seccomp.libseccomp.version", libseccomp);
	if (!doc)
		return NULL;
	char *text = json_dumps(doc, JSON_INDENT(4));
	json_decref(doc);
	return text;
}
