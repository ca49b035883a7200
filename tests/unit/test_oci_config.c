/* Unit tests: a bundle's config.json into a spec (oci_config.c and its pieces). Configs are
 * written here into a temporary bundle (JSON written with ' for ", turned into " on
 * writing): runc's own `runc spec` and `runc spec --rootless`, a podman-like one, one with
 * every field, and bad ones, each of which must name its field in one line. Also an exec's
 * process object, update's resources object and the features document. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/personality.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>
#include <linux/capability.h>
#include <linux/seccomp.h>

#include <cmocka.h>

#include <jansson.h>

#include "oci.h"
#include "spec.h"
#include "ward/container.h"

static char bundle[64];

static void write_file(const char *name, const char *text, bool quotes)
{
	char p[160];
	snprintf(p, sizeof(p), "%s/%s", bundle, name);
	FILE *f = fopen(p, "w");
	assert_non_null(f);
	for (const char *c = text; *c; c++)
		fputc(quotes && *c == '\'' ? '"' : *c, f);
	fclose(f);
}

static int setup(void **state)
{
	(void)state;
	snprintf(bundle, sizeof(bundle), "/tmp/test_oci_config.XXXXXX");
	assert_non_null(mkdtemp(bundle));
	char p[128];
	snprintf(p, sizeof(p), "%s/rootfs", bundle);
	assert_int_equal(mkdir(p, 0755), 0);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", bundle);
	assert_int_equal(system(cmd), 0);
	return 0;
}

/* Load TEXT as BUNDLE/config.json into a new spec; S NULL: free it. */
static int load(const char *text, struct ward_spec **s, struct ward_error *e)
{
	struct ward_spec *spec;
	if (text)
		write_file("config.json", text, true);
	assert_int_equal(ward_spec_new(&spec, e), 0);
	int rc = ward_spec_load_oci(spec, bundle, e);
	if (s)
		*s = spec;
	else
		ward_spec_free(spec);
	return rc;
}

static bool has(char **v, const char *s)
{
	for (; v && *v; v++)
		if (!strcmp(*v, s))
			return true;
	return false;
}

static size_t count(char **v)
{
	size_t n = 0;
	while (v && v[n])
		n++;
	return n;
}

static const struct oci_mount *mount_at(const struct oci_config *o, const char *dest)
{
	for (size_t i = 0; i < o->n_mounts; i++)
		if (!strcmp(o->mounts[i].destination, dest))
			return &o->mounts[i];
	fail_msg("no mount at %s", dest);
	return NULL;
}

static void runc_spec(bool rootless)
{
	char cmd[192];
	snprintf(cmd, sizeof(cmd), "cd '%s' && rm -f config.json && runc spec%s", bundle,
	         rootless ? " --rootless" : "");
	if (system(cmd) != 0)
		skip();
}

#define CAP(c) (1ULL << CAP_##c)

static void test_runc_spec(void **state)
{
	(void)state;
	runc_spec(false);
	struct ward_spec *s;
	struct ward_error e = {0};
	assert_int_equal(load(NULL, &s, &e), 0);
	struct oci_config *o = s->oci;
	assert_non_null(o);
	assert_string_equal(s->argv[0], "sh");
	assert_null(s->argv[1]);
	assert_int_equal(count(s->env), 2);
	assert_true(has(s->env, "TERM=xterm"));
	assert_int_equal(s->n_default_env, 0);
	assert_string_equal(s->cwd, "/");
	assert_true(s->tty);
	assert_int_equal(s->uid, 0);
	uint64_t caps = CAP(AUDIT_WRITE) | CAP(KILL) | CAP(NET_BIND_SERVICE);
	assert_int_equal(o->caps.bounding, caps);
	assert_int_equal(o->caps.ambient, caps);
	assert_int_equal(o->caps.inheritable, 0);
	assert_int_equal(s->capabilities, caps);
	assert_int_equal(s->n_rlimits, 1);
	assert_int_equal(s->rlimits[0].resource, RLIMIT_NOFILE);
	assert_int_equal(s->rlimits[0].soft, 1024);
	assert_true(o->no_new_privs);
	assert_true(o->root_readonly);
	assert_true(s->read_only);
	char root[128];
	snprintf(root, sizeof(root), "%s/rootfs", bundle);
	assert_string_equal(o->root_path, root);
	assert_string_equal(s->rootfs, root);
	assert_string_equal(o->bundle, bundle);
	assert_string_equal(s->hostname, "runc");
	assert_int_equal(o->n_mounts, 7);
	const struct oci_mount *dev = mount_at(o, "/dev");
	assert_string_equal(dev->type, "tmpfs");
	assert_string_equal(dev->source, "tmpfs");
	assert_int_equal(dev->flags, MS_NOSUID | MS_STRICTATIME);
	assert_string_equal(dev->data, "mode=755,size=65536k");
	const struct oci_mount *pts = mount_at(o, "/dev/pts");
	assert_string_equal(pts->data, "newinstance,ptmxmode=0666,mode=0620,gid=5");
	assert_int_equal(pts->flags, MS_NOSUID | MS_NOEXEC);
	const struct oci_mount *sys = mount_at(o, "/sys");
	assert_int_equal(sys->flags, MS_NOSUID | MS_NOEXEC | MS_NODEV | MS_RDONLY);
	assert_false(sys->bind);
	assert_null(sys->data);
	assert_int_equal(o->n_ns, 5);
	assert_int_equal(o->ns[1].type, CLONE_NEWNET);
	assert_null(o->ns[1].path);
	assert_int_equal(s->idmaps.n_uid_map, 0);
	assert_false(o->has_uid_mappings);
	assert_false(s->idmapped_root);
	assert_int_equal(count(o->masked), 10);
	assert_true(has(o->masked, "/proc/kcore"));
	assert_int_equal(count(o->readonly), 5);
	assert_true(o->resources.devices_set);
	assert_int_equal(o->resources.n_devices, 1);
	assert_false(o->resources.devices[0].allow);
	assert_int_equal(o->resources.devices[0].type, 'a');
	assert_int_equal(o->resources.devices[0].major, -1);
	assert_string_equal(o->resources.devices[0].access, "rwm");
	assert_int_equal(o->resources.memory_limit, OCI_UNSET);
	assert_true(s->seccomp_unconfined);
	assert_null(o->seccomp);
	assert_int_equal(s->network, WARD_NET_NONE);
	assert_int_equal(s->n_publish, 0);
	assert_false(o->harden);
	ward_spec_free(s);
}

static void test_runc_spec_rootless(void **state)
{
	(void)state;
	runc_spec(true);
	struct ward_spec *s;
	struct ward_error e = {0};
	assert_int_equal(load(NULL, &s, &e), 0);
	struct oci_config *o = s->oci;
	assert_true(o->has_uid_mappings);
	assert_int_equal(s->idmaps.n_uid_map, 1);
	assert_int_equal(s->idmaps.n_gid_map, 1);
	assert_int_equal(s->idmaps.uid_map[0].count, 1);
	assert_int_equal(s->idmaps.uid_map[0].outside, getuid());
	const struct oci_mount *sys = mount_at(o, "/sys");
	assert_true(sys->bind);
	assert_true(sys->recursive);
	assert_string_equal(sys->type, "bind");
	assert_string_equal(sys->source, "/sys");
	assert_int_equal(sys->flags, MS_NOSUID | MS_NOEXEC | MS_NODEV | MS_RDONLY);
	bool user = false;
	for (size_t i = 0; i < o->n_ns; i++)
		user |= o->ns[i].type == CLONE_NEWUSER;
	assert_true(user);
	ward_spec_free(s);
}

/* containerd's default spec (`ctr oci spec`), with the args ctr adds at run. */
static void test_containerd_spec(void **state)
{
	(void)state;
	char cmd[160], path[128];
	snprintf(cmd, sizeof(cmd), "ctr oci spec > '%s/config.json' 2>/dev/null", bundle);
	if (system(cmd) != 0)
		skip();
	snprintf(path, sizeof(path), "%s/config.json", bundle);
	json_t *cfg = json_load_file(path, 0, NULL);
	assert_non_null(cfg);
	json_object_set_new(json_object_get(cfg, "process"), "args", json_pack("[s]", "sh"));
	assert_int_equal(json_dump_file(cfg, path, 0), 0);
	json_decref(cfg);
	struct ward_spec *s;
	struct ward_error e = {0};
	if (load(NULL, &s, &e) < 0)
		fail_msg("%s", e.msg);
	struct oci_config *o = s->oci;
	assert_string_equal(o->cgroups_path, "/default");
	assert_true(o->caps.bounding & CAP(NET_RAW));
	assert_true(mount_at(o, "/run")->flags & MS_NOSUID);
	assert_true(o->resources.devices_set);
	assert_true(s->seccomp_unconfined); /* ctr adds its profile only when asked */
	ward_spec_free(s);
}

/* The shape podman 4 writes: its env, capability lists, seccomp with errnoRet, a
 * cgroupsPath, tmpfs mounts with tmpcopyup, binds, annotations. */
static const char podman_config[] =
    "{'ociVersion':'1.0.2-dev','process':{'user':{'uid':1000,'gid':1000,'umask':18,"
    "'additionalGids':[10,1000]},'args':['/bin/sh','-c','true'],'env':["
    "'PATH=/usr/local/bin:/usr/bin','container=podman','HOSTNAME=abc','HOME=/root'],"
    "'cwd':'/','capabilities':{'bounding':['CAP_CHOWN','CAP_KILL','CAP_NOT_A_CAP'],"
    "'effective':['CAP_CHOWN'],'permitted':['CAP_CHOWN','CAP_SETUID'],"
    "'inheritable':[],'ambient':[]},'rlimits':[{'type':'RLIMIT_NOFILE','hard':20000,"
    "'soft':20000},{'type':'RLIMIT_NPROC','hard':18446744073709551615,"
    "'soft':18446744073709551615}],'terminal':false,'oomScoreAdj':0,"
    "'selinuxLabel':'','apparmorProfile':''},"
    "'root':{'path':'rootfs'},'hostname':'abc','mounts':[{'destination':'/proc',"
    "'type':'proc','source':'proc','options':['nosuid','noexec','nodev']},"
    "{'destination':'/tmp','type':'tmpfs','source':'tmpfs','options':['rw','rprivate',"
    "'nosuid','nodev','tmpcopyup']},{'destination':'/etc/hosts','type':'bind',"
    "'source':'hosts','options':['bind','rprivate']},{'destination':'/data',"
    "'type':'none','source':'/srv/data','options':['rbind','ro','slave']}],"
    "'annotations':{'io.podman.annotations.autoremove':'TRUE',"
    "'org.opencontainers.image.stopSignal':'15'},'linux':{'sysctl':{"
    "'net.ipv4.ping_group_range':'0 0'},'resources':{'devices':[{'allow':false,"
    "'access':'rwm'},{'allow':true,'type':'c','major':1,'minor':3,'access':'rwm'}],"
    "'memory':{'limit':104857600,'swap':209715200,'swappiness':18446744073709551615},"
    "'pids':{'limit':2048},'cpu':{'quota':50000,'period':100000,'cpus':'0-1'}},"
    "'cgroupsPath':'/libpod_parent/libpod-abc','namespaces':[{'type':'pid'},"
    "{'type':'network','path':'/run/netns/pod1'},{'type':'ipc'},{'type':'uts'},"
    "{'type':'mount'},{'type':'cgroup'}],'seccomp':{'defaultAction':'SCMP_ACT_ERRNO',"
    "'defaultErrnoRet':38,'architectures':['SCMP_ARCH_X86_64','SCMP_ARCH_X86',"
    "'SCMP_ARCH_X32'],'syscalls':[{'names':['read','write','exit','exit_group',"
    "'rt_sigreturn','execve','brk','mmap'],'action':'SCMP_ACT_ALLOW'},{'names':["
    "'personality'],'action':'SCMP_ACT_ALLOW','args':[{'index':0,'value':"
    "4294967295,'op':'SCMP_CMP_EQ'}]},{'names':['ptrace'],'action':'SCMP_ACT_ERRNO',"
    "'errnoRet':1}]},'maskedPaths':['/proc/acpi','/proc/kcore'],'readonlyPaths':["
    "'/proc/sys']}}";

static void test_podman_like(void **state)
{
	(void)state;
	struct ward_spec *s;
	struct ward_error e = {0};
	int rc = load(podman_config, &s, &e);
	if (rc < 0)
		fail_msg("%s", e.msg);
	struct oci_config *o = s->oci;
	assert_int_equal(s->uid, 1000);
	assert_int_equal(s->gid, 1000);
	assert_true(o->umask_set);
	assert_int_equal(o->umask, 022);
	assert_int_equal(o->n_groups, 2);
	assert_int_equal(o->groups[0], 10);
	assert_string_equal(s->env[1], "container=podman");
	assert_int_equal(count(s->env), 4);
	/* the unknown name is skipped, as runc does */
	assert_int_equal(o->caps.bounding, CAP(CHOWN) | CAP(KILL));
	assert_int_equal(s->capabilities, CAP(CHOWN) | CAP(SETUID));
	assert_int_equal(s->n_rlimits, 2);
	assert_int_equal(s->rlimits[1].resource, RLIMIT_NPROC);
	assert_true(s->rlimits[1].hard == UINT64_MAX);
	assert_false(s->tty);
	assert_true(o->oom_score_adj_set);
	assert_int_equal(o->oom_score_adj, 0);
	assert_null(o->apparmor); /* "": none */
	assert_null(o->selinux_label);
	const struct oci_mount *tmp = mount_at(o, "/tmp");
	assert_true(tmp->copy_up);
	assert_int_equal(tmp->clear, MS_RDONLY);
	assert_int_equal(tmp->propagation, MS_PRIVATE | MS_REC);
	assert_null(tmp->data);
	const struct oci_mount *hosts = mount_at(o, "/etc/hosts");
	char want[128];
	snprintf(want, sizeof(want), "%s/hosts", bundle);
	assert_string_equal(hosts->source, want);
	assert_true(hosts->bind);
	assert_false(hosts->recursive);
	const struct oci_mount *data = mount_at(o, "/data");
	assert_true(data->recursive);
	assert_string_equal(data->type, "bind");
	assert_int_equal(data->propagation, MS_SLAVE);
	assert_int_equal(data->flags, MS_RDONLY);
	assert_true(has(o->annotations, "org.opencontainers.image.stopSignal=15"));
	assert_true(has(o->sysctl, "net.ipv4.ping_group_range=0 0"));
	assert_int_equal(o->resources.memory_limit, 104857600);
	assert_int_equal(o->resources.memory_swap, 209715200);
	assert_int_equal(o->resources.memory_swappiness, OCI_UNSET);
	assert_int_equal(o->resources.pids_limit, 2048);
	assert_int_equal(o->resources.cpu_quota, 50000);
	assert_int_equal(o->resources.cpu_period, 100000);
	assert_string_equal(o->resources.cpus, "0-1");
	assert_int_equal(o->resources.n_devices, 2);
	assert_int_equal(o->resources.devices[1].type, 'c');
	assert_int_equal(o->resources.devices[1].minor, 3);
	assert_string_equal(o->cgroups_path, "/libpod_parent/libpod-abc");
	assert_int_equal(o->n_ns, 6);
	assert_string_equal(o->ns[1].path, "/run/netns/pod1");
	assert_false(s->seccomp_unconfined);
	assert_non_null(o->seccomp);
	json_t *sec = json_loads(o->seccomp, 0, NULL);
	assert_non_null(sec);
	assert_int_equal(json_integer_value(json_object_get(sec, "defaultErrnoRet")), 38);
	/* read as reals (a uint64 above INT64_MAX elsewhere), written back as integers */
	json_t *arg = json_array_get(
	    json_object_get(json_array_get(json_object_get(sec, "syscalls"), 1), "args"), 0);
	assert_true(json_is_integer(json_object_get(arg, "value")));
	assert_int_equal(json_integer_value(json_object_get(arg, "value")), 4294967295LL);
	json_decref(sec);
	ward_spec_free(s);
}

/* Every field ward reads, with values to check. */
static const char full_config[] =
    "{'ociVersion':'1.2.0','root':{'path':'rootfs','readonly':false},"
    "'hostname':'box','domainname':'example.org',"
    "'process':{'terminal':true,'consoleSize':{'height':25,'width':80},"
    "'user':{'uid':5,'gid':6,'umask':63,'additionalGids':[7],'username':'ignored'},"
    "'args':['/bin/app','--flag'],'env':['A=1','EMPTY='],'cwd':'/work',"
    "'capabilities':{'bounding':['CAP_SYS_ADMIN','CAP_NET_RAW'],'effective':"
    "['CAP_NET_RAW'],'inheritable':['CAP_NET_RAW'],'permitted':['CAP_NET_RAW'],"
    "'ambient':['CAP_NET_RAW']},'rlimits':[{'type':'RLIMIT_CORE','soft':0,'hard':0},"
    "{'type':'RLIMIT_STACK','soft':8388608,'hard':16777216}],'noNewPrivileges':true,"
    "'oomScoreAdj':-500},"
    "'mounts':[{'destination':'/m','type':'tmpfs','source':'tmpfs','options':['ro','suid',"
    "'dev','exec','sync','dirsync','remount','mand','atime','diratime','norelatime',"
    "'nostrictatime','lazytime','size=1m','shared','x-helper']},"
    "{'destination':'/b','source':'/srv','options':['rbind','idmap','runbindable']},"
    "{'destination':'/c','type':'bind','source':'/srv','options':['ridmap'],"
    "'uidMappings':[{'containerID':0,'hostID':100000,'size':65536}]}],"
    "'hooks':{'prestart':[{'path':'/usr/bin/pre','args':['pre','x'],'env':['K=V'],"
    "'timeout':5}],'createRuntime':[{'path':'/bin/cr'}],'createContainer':[{'path':"
    "'/bin/cc'},{'path':'/bin/cc2'}],'startContainer':[{'path':'/bin/sc'}],"
    "'poststart':[{'path':'/bin/ps'}],'poststop':[{'path':'/bin/pst','timeout':1}]},"
    "'annotations':{'run.ward.harden':'true','a':'b'},"
    "'linux':{'namespaces':[{'type':'pid'},{'type':'network'},{'type':'mount'},"
    "{'type':'ipc','path':'/proc/1/ns/ipc'},{'type':'uts'},{'type':'user'},"
    "{'type':'cgroup'},{'type':'time'}],"
    "'uidMappings':[{'containerID':0,'hostID':100000,'size':65536}],"
    "'gidMappings':[{'containerID':0,'hostID':100000,'size':1000},"
    "{'containerID':1000,'hostID':200000,'size':10}],"
    "'devices':[{'path':'/dev/fuse','type':'c','major':10,'minor':229,'fileMode':438,"
    "'uid':0,'gid':0},{'path':'/dev/fifo','type':'p'}],"
    "'maskedPaths':['/proc/kcore'],'readonlyPaths':['/proc/sys'],"
    "'sysctl':{'kernel.domainname':'x'},'personality':{'domain':'LINUX32'},"
    "'rootfsPropagation':'rslave',"
    "'cgroupsPath':'/ward/test',"
    "'resources':{'memory':{'limit':1000000,'reservation':500000,'swap':-1,'kernel':-1,"
    "'kernelTCP':1000,'swappiness':60,'disableOOMKiller':true,'useHierarchy':true},"
    "'cpu':{'shares':512,'quota':-1,'period':100000,'realtimeRuntime':0,"
    "'realtimePeriod':1000000,'cpus':'0','mems':'0','idle':1},'pids':{'limit':-1},"
    "'blockIO':{'weight':500,'leafWeight':300,'weightDevice':[{'major':8,'minor':0,"
    "'weight':200,'leafWeight':100}],'throttleReadBpsDevice':[{'major':8,'minor':0,"
    "'rate':1048576}],'throttleWriteIOPSDevice':[{'major':8,'minor':16,'rate':100}]},"
    "'hugepageLimits':[{'pageSize':'2MB','limit':0}],'network':{'classID':42},"
    "'unified':{'memory.high':'900000','io.weight':'default 100'},"
    "'devices':[]},"
    "'seccomp':{'defaultAction':'SCMP_ACT_ALLOW','architectures':['SCMP_ARCH_X86_64'],"
    "'flags':['SECCOMP_FILTER_FLAG_LOG','SECCOMP_FILTER_FLAG_SPEC_ALLOW'],"
    "'syscalls':[{'names':['kexec_load'],'action':'SCMP_ACT_KILL_PROCESS'},"
    "{'names':['mount'],'action':'SCMP_ACT_ERRNO','errnoRet':13},"
    "{'names':['swapon'],'action':'SCMP_ACT_LOG'},"
    "{'names':['clone'],'action':'SCMP_ACT_ERRNO','args':[{'index':0,"
    "'value':2114060288,'valueTwo':0,'op':'SCMP_CMP_MASKED_EQ'}]}]},"
    "'unknownFutureKey':{'x':1}},"
    "'futureTopLevel':true}";

static void check_full_process(const struct ward_spec *s, const struct oci_config *o)
{
	assert_string_equal(s->argv[1], "--flag");
	assert_string_equal(s->env[1], "EMPTY=");
	assert_string_equal(s->cwd, "/work");
	assert_int_equal(s->uid, 5);
	assert_int_equal(s->gid, 6);
	assert_int_equal(o->umask, 077);
	assert_int_equal(o->n_groups, 1);
	assert_true(s->tty);
	assert_int_equal(o->console_height, 25);
	assert_int_equal(o->console_width, 80);
	assert_int_equal(o->caps.bounding, CAP(SYS_ADMIN) | CAP(NET_RAW));
	assert_int_equal(o->caps.inheritable, CAP(NET_RAW));
	assert_int_equal(s->capabilities, CAP(NET_RAW));
	assert_int_equal(s->rlimits[1].resource, RLIMIT_STACK);
	assert_int_equal(s->rlimits[1].hard, 16777216);
	assert_true(o->no_new_privs);
	assert_false(s->allow_setuid);
	assert_int_equal(o->oom_score_adj, -500);
}

static void check_full_mounts(const struct oci_config *o)
{
	const struct oci_mount *m = mount_at(o, "/m");
	assert_int_equal(m->flags, MS_RDONLY | MS_SYNCHRONOUS | MS_DIRSYNC | MS_REMOUNT |
	                               MS_MANDLOCK | MS_LAZYTIME);
	assert_int_equal(m->clear, MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_NOATIME | MS_NODIRATIME |
	                               MS_RELATIME | MS_STRICTATIME);
	assert_int_equal(m->propagation, MS_SHARED);
	assert_string_equal(m->data, "size=1m");
	const struct oci_mount *b = mount_at(o, "/b");
	assert_true(b->bind && b->recursive && b->idmap);
	assert_string_equal(b->type, "bind");
	assert_int_equal(b->propagation, MS_UNBINDABLE | MS_REC);
	assert_true(mount_at(o, "/c")->idmap);
}

static void check_full_linux(const struct ward_spec *s, const struct oci_config *o)
{
	assert_int_equal(o->n_ns, 8);
	assert_string_equal(o->ns[3].path, "/proc/1/ns/ipc");
	assert_int_equal(o->ns[7].type, CLONE_NEWTIME);
	assert_int_equal(s->idmaps.n_gid_map, 2);
	assert_int_equal(s->idmaps.gid_map[1].outside, 200000);
	assert_int_equal(o->n_devices, 2);
	assert_int_equal(o->devices[0].major, 10);
	assert_int_equal(o->devices[0].mode, 0666);
	assert_int_equal(o->devices[1].type, 'p');
	assert_true(has(o->sysctl, "kernel.domainname=x"));
	assert_true(o->personality_set);
	assert_int_equal(o->personality, PER_LINUX32);
	assert_int_equal(o->rootfs_propagation, MS_SLAVE | MS_REC);
	assert_string_equal(o->cgroups_path, "/ward/test");
	assert_int_equal(o->seccomp_flags, SECCOMP_FILTER_FLAG_LOG | (1U << 2));
	assert_non_null(strstr(o->seccomp, "SCMP_ACT_KILL_PROCESS"));
}

static void check_full_resources(const struct oci_resources *r)
{
	assert_int_equal(r->memory_reservation, 500000);
	assert_int_equal(r->memory_swap, -1);
	assert_int_equal(r->memory_kernel_tcp, 1000);
	assert_int_equal(r->memory_swappiness, 60);
	assert_int_equal(r->disable_oom_killer, 1);
	assert_int_equal(r->cpu_shares, 512);
	assert_int_equal(r->cpu_quota, -1);
	assert_int_equal(r->cpu_rt_period, 1000000);
	assert_int_equal(r->cpu_idle, 1);
	assert_string_equal(r->mems, "0");
	assert_int_equal(r->pids_limit, -1);
	assert_int_equal(r->blkio_weight, 500);
	assert_int_equal(r->blkio_leaf_weight, 300);
	assert_int_equal(r->n_weight_device, 1);
	assert_int_equal(r->weight_device[0].value, 200);
	assert_int_equal(r->weight_device[0].leaf_weight, 100);
	assert_int_equal(r->n_throttle[0], 1);
	assert_int_equal(r->throttle[0][0].value, 1048576);
	assert_int_equal(r->n_throttle[1], 0);
	assert_int_equal(r->n_throttle[3], 1);
	assert_int_equal(r->throttle[3][0].minor, 16);
	assert_int_equal(r->n_hugepages, 1);
	assert_string_equal(r->hugepages[0].pagesize, "2MB");
	assert_int_equal(r->net_class_id, 42);
	assert_true(has(r->unified, "io.weight=default 100"));
	assert_true(r->devices_set);
	assert_int_equal(r->n_devices, 0);
}

static void test_every_field(void **state)
{
	(void)state;
	struct ward_spec *s;
	struct ward_error e = {0};
	if (load(full_config, &s, &e) < 0)
		fail_msg("%s", e.msg);
	struct oci_config *o = s->oci;
	assert_false(s->read_only);
	assert_string_equal(s->hostname, "box");
	assert_string_equal(o->domainname, "example.org");
	check_full_process(s, o);
	check_full_mounts(o);
	check_full_linux(s, o);
	check_full_resources(&o->resources);
	assert_int_equal(o->n_hooks[OCI_HOOK_PRESTART], 1);
	const struct oci_hook *pre = &o->hooks[OCI_HOOK_PRESTART][0];
	assert_string_equal(pre->path, "/usr/bin/pre");
	assert_string_equal(pre->args[1], "x");
	assert_string_equal(pre->env[0], "K=V");
	assert_int_equal(pre->timeout_s, 5);
	assert_int_equal(o->n_hooks[OCI_HOOK_CREATE_CONTAINER], 2);
	assert_null(o->hooks[OCI_HOOK_CREATE_RUNTIME][0].args);
	assert_int_equal(o->n_hooks[OCI_HOOK_POSTSTOP], 1);
	assert_true(o->harden);
	assert_true(has(o->annotations, "a=b"));
	ward_spec_free(s);
}

/* A profile or label is kept where the host has AppArmor / SELinux, refused elsewhere
 * (the process would run unconfined). */
static void test_lsm(void **state)
{
	(void)state;
	static const struct {
		const char *process, *lx, *refusal;
		bool apparmor;
	} cases[] = {
	    {",'apparmorProfile':'prof'", "", "process.apparmorProfile: AppArmor is not enabled",
	     true},
	    {",'selinuxLabel':'system_u:r:t:s0'", "",
	     "process.selinuxLabel: SELinux is not enabled", false},
	    {"", ",'mountLabel':'system_u:object_r:t:s0'",
	     "linux.mountLabel: SELinux is not enabled", false},
	};
	bool apparmor = access("/sys/module/apparmor/parameters/enabled", F_OK) == 0;
	bool selinux = access("/sys/fs/selinux/enforce", F_OK) == 0;
	if (apparmor) {
		FILE *f = fopen("/sys/module/apparmor/parameters/enabled", "r");
		apparmor = f && fgetc(f) == 'Y';
		if (f)
			fclose(f);
	}
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char text[512];
		snprintf(text, sizeof(text),
		         "{'ociVersion':'1.1.0','root':{'path':'rootfs'},'process':{'args':['sh'],"
		         "'cwd':'/'%s},'linux':{'namespaces':[{'type':'mount'}]%s}}",
		         cases[i].process, cases[i].lx);
		struct ward_spec *s;
		struct ward_error e = {0};
		int rc = load(text, &s, &e);
		if (cases[i].apparmor ? apparmor : selinux) {
			assert_int_equal(rc, 0);
			assert_true(s->oci->apparmor || s->oci->selinux_label ||
			            s->oci->mount_label);
		} else {
			assert_int_equal(rc, -1);
			assert_non_null(strstr(e.msg, cases[i].refusal));
		}
		ward_spec_free(s);
	}
}

/* A bad config: {version, process body, linux body, more top-level keys, the message}. */
struct bad {
	const char *version, *process, *lx, *top, *expect;
};

#define P(extra) "'args':['sh'],'cwd':'/'" extra
#define NS       "'namespaces':[{'type':'mount'},{'type':'uts'}]"
#define NS_USER  "'namespaces':[{'type':'mount'},{'type':'user'}]"
#define MAPS                                                                                       \
	"'uidMappings':[{'containerID':0,'hostID':1000,'size':1}],'gidMappings':[{'containerID':"  \
	"0,'hostID':1000,'size':1}]"
#define SECCOMP(body) NS ",'seccomp':{" body "}"
#define RES(body)     NS ",'resources':{" body "}"

static const struct bad bads[] = {
    {"2.0.0", 0, 0, 0, "ociVersion: '2.0.0': ward reads runtime-spec 1.x only"},
    {"one", 0, 0, 0, "ociVersion: 'one': not a version"},
    {0, "'args':[],'cwd':'/'", 0, 0, "process.args: required"},
    {0, "'args':[''],'cwd':'/'", 0, 0, "process.args[0]: must not be empty"},
    {0, "'args':['sh',3],'cwd':'/'", 0, 0, "process.args[1]: must be a string"},
    {0, "'args':['sh'],'cwd':'tmp'", 0, 0, "process.cwd: must be an absolute path"},
    {0, "'args':['sh']", 0, 0, "process.cwd: required (an absolute path)"},
    {0, P(",'env':['NOEQUALS']"), 0, 0, "process.env[0]: expected NAME=VALUE"},
    {0, P(",'user':{'uid':-1}"), 0, 0, "process.user.uid: must be an integer from 0 to"},
    {0, P(",'user':{'gid':4294967296}"), 0, 0, "process.user.gid: must be an integer"},
    {0, P(",'user':{'umask':4096}"), 0, 0, "process.user.umask: must be at most 0777"},
    {0, P(",'user':{'additionalGids':['x']}"), 0, 0, "process.user.additionalGids[0]: must"},
    {0, P(",'terminal':'yes'"), 0, 0, "process.terminal: must be true or false"},
    {0, P(",'consoleSize':{'height':-1}"), 0, 0, "process.consoleSize.height: must be"},
    {0, P(",'capabilities':{'bounding':[1]}"), 0, 0,
     "process.capabilities.bounding[0]: must be a capability name"},
    {0, P(",'capabilities':{'ambient':'CAP_KILL'}"), 0, 0,
     "process.capabilities.ambient: must be a list"},
    {0, P(",'rlimits':[{'type':'RLIMIT_FOO','soft':1,'hard':1}]"), 0, 0,
     "process.rlimits[0].type: unknown limit 'RLIMIT_FOO'"},
    {0, P(",'rlimits':[{'type':'RLIMIT_NOFILE','soft':2,'hard':1}]"), 0, 0,
     "process.rlimits[0]: soft limit above hard limit"},
    {0, P(",'rlimits':[{'type':'RLIMIT_NOFILE','soft':2}]"), 0, 0,
     "process.rlimits[0]: needs soft and hard"},
    {0,
     P(",'rlimits':[{'type':'RLIMIT_CPU','soft':1,'hard':1},{'type':'RLIMIT_CPU','soft':1,"
       "'hard':1}]"),
     0, 0, "process.rlimits[1].type: RLIMIT_CPU given twice"},
    {0, P(",'oomScoreAdj':2000"), 0, 0, "process.oomScoreAdj: must be an integer from -1000"},
    {0, P(",'noNewPrivileges':1"), 0, 0, "process.noNewPrivileges: must be true or false"},
    {0, P(",'apparmorProfile':7"), 0, 0, "process.apparmorProfile: must be a string"},
    {0, P(",'scheduler':{'policy':'SCHED_FIFO'}"), 0, 0,
     "process.scheduler: not supported by ward"},
    {0, P(",'ioPriority':{'class':'IOPRIO_CLASS_IDLE'}"), 0, 0,
     "process.ioPriority: not supported by ward"},
    {0, P(",'execCPUAffinity':{'initial':'0'}"), 0, 0,
     "process.execCPUAffinity: not supported by ward"},
    {0, 0, "'namespaces':[{'type':'pid'},{'type':'pid'}]", 0,
     "linux.namespaces[1].type: pid listed twice"},
    {0, 0, "'namespaces':[{'type':'net'}]", 0,
     "linux.namespaces[0].type: unknown namespace type 'net'"},
    {0, 0, "'namespaces':[{'type':'ipc','path':'ns/ipc'}]", 0,
     "linux.namespaces[0].path: must be an absolute path"},
    {0, 0, "'namespaces':{}", 0, "linux.namespaces: must be a list"},
    {0, 0, NS "," MAPS, 0, "linux.uidMappings: given without a user namespace"},
    {0, 0, NS_USER, 0, "linux.uidMappings: a new user namespace needs uidMappings"},
    {0, 0, "'namespaces':[{'type':'user','path':'/proc/1/ns/user'}]," MAPS, 0,
     "linux.uidMappings: given with a joined user namespace"},
    {0, P(",'user':{'uid':2}"), NS_USER "," MAPS, 0,
     "process.user.uid: 2 is not in linux.uidMappings"},
    {0, P(",'user':{'gid':3}"), NS_USER "," MAPS, 0,
     "process.user.gid: 3 is not in linux.gidMappings"},
    {0, P(",'user':{'additionalGids':[0,9]}"), NS_USER "," MAPS, 0,
     "process.user.additionalGids: 9 is not in linux.gidMappings"},
    {0, 0, NS_USER ",'uidMappings':[{'containerID':0,'hostID':1,'size':0}]", 0,
     "linux.uidMappings[0].size: must be positive"},
    {0, 0, NS_USER ",'gidMappings':[{'containerID':0,'size':1}]", 0,
     "linux.gidMappings[0]: needs containerID, hostID and size"},
    {0, 0, NS, ",'mounts':[{'destination':'proc','type':'proc'}]",
     "mounts[0].destination: must be an absolute path"},
    {0, 0, NS,
     ",'mounts':[{'destination':'/proc','type':'proc'},{'destination':'/a','type':'tmpfs'},"
     "{'type':'tmpfs'}]",
     "mounts[2].destination: required (an absolute path)"},
    {0, 0, NS, ",'mounts':[{'destination':'/x','source':'/y'}]",
     "mounts[0].type: required unless the mount is a bind"},
    {0, 0, NS, ",'mounts':[{'destination':'/x','type':'bind'}]",
     "mounts[0].source: required for a bind mount"},
    {0, 0, NS,
     ",'mounts':[{'destination':'/x','type':'none','source':'/y','options':['rro',"
     "'rbind']}]",
     "mounts[0].options[0]: 'rro': recursive mount attributes are not supported by ward"},
    {0, 0, NS, ",'mounts':[{'destination':'/x','type':'tmpfs','options':['idmap']}]",
     "mounts[0].options: idmap needs a bind mount"},
    {0, 0, NS, ",'mounts':[{'destination':'/x','source':'/y','options':['bind','tmpcopyup']}]",
     "mounts[0].options: tmpcopyup needs a tmpfs mount"},
    {0, 0, NS, ",'mounts':[{'destination':'/x','type':'tmpfs','options':['a,b']}]",
     "mounts[0].options[0]: 'a,b': not a mount option"},
    {0, 0, NS, ",'mounts':[{'destination':'/x','type':'tmpfs','options':[5]}]",
     "mounts[0].options[0]: must be a string"},
    {0, 0, NS_USER "," MAPS,
     ",'mounts':[{'destination':'/x','source':'/y','options':['bind'],'uidMappings':[{"
     "'containerID':0,'hostID':5,'size':1}]}]",
     "mounts[0].uidMappings: must equal linux.uidMappings"},
    {0, 0, NS, ",'mounts':{}", "mounts: must be a list"},
    {0, 0, NS ",'devices':[{'path':'/dev/x','type':'x'}]", 0,
     "linux.devices[0].type: must be c, b, u or p"},
    {0, 0, NS ",'devices':[{'path':'/dev/x','type':'c','major':1}]", 0,
     "linux.devices[0]: a c device needs major and minor"},
    {0, 0, NS ",'devices':[{'path':'dev/x','type':'p'}]", 0,
     "linux.devices[0].path: must be an absolute path"},
    {0, 0, NS ",'devices':[{'path':'/dev/x','type':'p','fileMode':2559}]", 0,
     "linux.devices[0].fileMode: must be permission bits"},
    {0, 0, NS ",'maskedPaths':['proc/kcore']", 0, "linux.maskedPaths[0]: must be an absolute"},
    {0, 0, NS ",'readonlyPaths':[1]", 0, "linux.readonlyPaths[0]: must be a string"},
    {0, 0, NS ",'sysctl':{'net.ipv4.ip_forward':1}", 0,
     "linux.sysctl.net.ipv4.ip_forward: must be a string of one line"},
    {0, 0, NS ",'sysctl':{'../../x':'1'}", 0, "linux.sysctl.../../x: not a sysctl name"},
    {0, 0, NS ",'sysctl':{'kernel.panic':'1'}", 0,
     "linux.sysctl.kernel.panic: not in a namespace of the container's own"},
    {0, 0, NS ",'sysctl':{'net/ipv4/ip_forward':'1'}", 0,
     "linux.sysctl.net/ipv4/ip_forward: needs the container's own network namespace"},
    {0, 0, "'namespaces':[{'type':'network','path':'/proc/self/ns/net'}],'sysctl':{'net.a':'1'}", 0,
     "linux.sysctl.net.a: the network namespace joined is the host's"},
    {0, 0, NS ",'sysctl':{'fs.mqueue.msg_max':'1'}", 0,
     "linux.sysctl.fs.mqueue.msg_max: needs the container's own ipc namespace"},
    {0, 0, NS ",'personality':{'domain':'LINUX64'}", 0,
     "linux.personality.domain: must be LINUX or LINUX32"},
    {0, 0, NS ",'personality':{'domain':'LINUX','flags':['x']}", 0,
     "linux.personality.flags: not supported by ward"},
    {0, 0, NS ",'rootfsPropagation':'weird'", 0,
     "linux.rootfsPropagation: unknown propagation 'weird'"},
    {0, 0, NS ",'cgroupsPath':'/a/../../b'", 0, "linux.cgroupsPath: must not contain .."},
    {0, 0, NS ",'intelRdt':{'closID':'x'}", 0, "linux.intelRdt: not supported by ward"},
    {0, 0, NS ",'memoryPolicy':{'mode':'MPOL_BIND'}", 0,
     "linux.memoryPolicy: not supported by ward"},
    {0, 0, NS ",'netDevices':{'eth1':{}}", 0, "linux.netDevices: not supported by ward"},
    {0, 0, NS ",'timeOffsets':{'monotonic':{'secs':1}}", 0,
     "linux.timeOffsets: not supported by ward"},
    {0, 0, RES("'memory':{'limit':'1g'}"), 0, "linux.resources.memory.limit: must be an integer"},
    {0, 0, RES("'memory':{'swappiness':200}"), 0,
     "linux.resources.memory.swappiness: must be an integer from 0 to 100"},
    {0, 0, RES("'memory':{'disableOOMKiller':1}"), 0,
     "linux.resources.memory.disableOOMKiller: must be true or false"},
    {0, 0, RES("'cpu':{'cpus':'abc'}"), 0, "linux.resources.cpu.cpus: expected a list"},
    {0, 0, RES("'cpu':{'shares':-2}"), 0, "linux.resources.cpu.shares: must be an integer"},
    {0, 0, RES("'cpu':{'burst':1000}"), 0, "linux.resources.cpu.burst: not supported by ward"},
    {0, 0, RES("'pids':{'limit':'x'}"), 0, "linux.resources.pids.limit: must be an integer"},
    {0, 0, RES("'devices':[{'access':'rwm'}]"), 0,
     "linux.resources.devices[0].allow: required (true or false)"},
    {0, 0, RES("'devices':[{'allow':true,'access':'rwx'}]"), 0,
     "linux.resources.devices[0].access: must be letters of rwm"},
    {0, 0, RES("'devices':[{'allow':true,'type':'p'}]"), 0,
     "linux.resources.devices[0].type: must be a, c or b"},
    {0, 0, RES("'unified':{'../x':'1'}"), 0,
     "linux.resources.unified.../x: not a cgroup file name"},
    {0, 0, RES("'unified':{'memory.max':5}"), 0,
     "linux.resources.unified.memory.max: must be a string of one line"},
    {0, 0, RES("'rdma':{'mlx':{'hcaHandles':1}}"), 0,
     "linux.resources.rdma: not supported by ward"},
    {0, 0, RES("'network':{'priorities':[{'name':'eth0','priority':1}]}"), 0,
     "linux.resources.network.priorities: not supported by ward"},
    {0, 0, RES("'hugepageLimits':[{'limit':1}]"), 0,
     "linux.resources.hugepageLimits[0].pageSize: expected a size"},
    {0, 0, RES("'blockIO':{'throttleReadBpsDevice':[{'major':8,'minor':0}]}"), 0,
     "linux.resources.blockIO.throttleReadBpsDevice[0].rate: required"},
    {0, 0, RES("'blockIO':{'weightDevice':[{'major':8}]}"), 0,
     "linux.resources.blockIO.weightDevice[0]: needs major and minor"},
    {0, 0, RES("'blockIO':{'weight':70000}"), 0, "linux.resources.blockIO.weight: must be"},
    {0, 0, SECCOMP("'defaultAction':'SCMP_ACT_ALLOW','listenerPath':'/run/x.sock'"), 0,
     "linux.seccomp.listenerPath: not supported"},
    {0, 0, SECCOMP("'syscalls':[]"), 0, "linux.seccomp.defaultAction: required"},
    {0, 0, SECCOMP("'defaultAction':'SCMP_ACT_MAYBE'"), 0,
     "linux.seccomp.defaultAction: unknown action 'SCMP_ACT_MAYBE'"},
    {0, 0,
     SECCOMP("'defaultAction':'SCMP_ACT_ALLOW','syscalls':[{'names':['nosuchcall'],'action':"
             "'SCMP_ACT_ERRNO'}]"),
     0, "linux.seccomp.syscalls[0] (nosuchcall): unknown system call 'nosuchcall'"},
    {0, 0,
     SECCOMP("'defaultAction':'SCMP_ACT_ALLOW','syscalls':[{'names':['getpid'],'action':"
             "'SCMP_ACT_NOTIFY'}]"),
     0, "linux.seccomp.syscalls[0] (getpid): SCMP_ACT_NOTIFY needs a listener"},
    {0, 0,
     SECCOMP("'defaultAction':'SCMP_ACT_ALLOW','syscalls':[{'names':['read'],'action':"
             "'SCMP_ACT_ERRNO','args':[{'index':9,'value':1,'op':'SCMP_CMP_EQ'}]}]"),
     0, "linux.seccomp.syscalls[0] (read): args[0]: needs index 0..5"},
    {0, 0, SECCOMP("'defaultAction':'SCMP_ACT_ALLOW','flags':['SECCOMP_FILTER_FLAG_NEW_LISTENER']"),
     0, "linux.seccomp.flags[0]: 'SECCOMP_FILTER_FLAG_NEW_LISTENER': not supported by ward"},
    {0, 0, NS, ",'hooks':{'prestart':[{'path':'bin/x'}]}",
     "hooks.prestart[0].path: must be an absolute path"},
    {0, 0, NS, ",'hooks':{'poststop':[{'path':'/bin/x','timeout':0}]}",
     "hooks.poststop[0].timeout: must be a positive number of seconds"},
    {0, 0, NS, ",'hooks':{'preStart':[{'path':'/bin/x'}]}", "hooks.preStart: unknown hook kind"},
    {0, 0, NS, ",'hooks':{'poststart':[{'args':['x']}]}", "hooks.poststart[0].path: required"},
    {0, 0, NS, ",'hooks':{'poststart':{}}", "hooks.poststart: must be a list"},
    {0, 0, NS, ",'annotations':{'run.ward.harden':'yes'}",
     "annotations.run.ward.harden: 'yes': must be \"true\" or \"false\""},
    {0, 0, NS, ",'annotations':{'n':1}", "annotations.n: must be a string"},
    {0, 0, NS, ",'windows':{'layerFolders':[]}", "windows: not a Linux container's section"},
    {0, 0, NS, ",'vm':{'kernel':{'path':'/k'}}", "vm: not a Linux container's section"},
    {0, 0, "'namespaces':[{'type':'mount'}]", ",'hostname':'h'",
     "hostname: needs a uts namespace in linux.namespaces"},
    {0, 0, NS,
     ",'hostname':'"
     "0123456789012345678901234567890123456789012345678901234567890123456789'",
     "hostname: at most 64 characters"},
    {0, 0, NS, ",'domainname':5", "domainname: must be a string"},
};

static void test_bad_configs(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(bads) / sizeof(bads[0]); i++) {
		const struct bad *b = &bads[i];
		char text[2048];
		snprintf(
		    text, sizeof(text),
		    "{'ociVersion':'%s','root':{'path':'rootfs'},'process':{%s},'linux':{%s}%s}",
		    b->version ? b->version : "1.0.2", b->process ? b->process : P(""),
		    b->lx ? b->lx : NS, b->top ? b->top : "");
		struct ward_error e = {0};
		if (load(text, NULL, &e) == 0)
			fail_msg("bad config %zu accepted (wanted: %s)", i, b->expect);
		if (strncmp(e.msg, "config.json: ", 13) != 0 || !strstr(e.msg, b->expect) ||
		    strchr(e.msg, '\n'))
			fail_msg("bad config %zu: got \"%s\", wanted \"%s\"", i, e.msg, b->expect);
	}
}

/* Documents whose shape the table's template cannot make. */
static void test_bad_documents(void **state)
{
	(void)state;
	static const struct {
		const char *text, *expect;
	} docs[] = {
	    {"{'ociVersion':'1.0.0','process':{'args':['sh'],'cwd':'/'}}",
	     "config.json: root: required"},
	    {"{'ociVersion':'1.0.0','root':{'path':'nothere'},'process':{'args':['sh'],'cwd':'/'}}",
	     "config.json: root.path "},
	    {"{'ociVersion':'1.0.0','root':{'path':'rootfs'}}", "config.json: process: required"},
	    {"{'root':{'path':'rootfs'}}", "config.json: ociVersion: required"},
	    {"{'ociVersion':'1.0.0','root':{'readonly':true},'process':{'args':['sh'],'cwd':'/'}}",
	     "config.json: root.path: required"},
	    {"{'ociVersion':'1.0.0','ociVersion':'1.0.1'}", "duplicate object key"},
	    {"{'ociVersion':", "line 1"},
	    {"[1]", "must be a JSON object"},
	};
	for (size_t i = 0; i < sizeof(docs) / sizeof(docs[0]); i++) {
		struct ward_error e = {0};
		if (load(docs[i].text, NULL, &e) == 0)
			fail_msg("document %zu accepted", i);
		if (!strstr(e.msg, docs[i].expect))
			fail_msg("document %zu: got \"%s\", wanted \"%s\"", i, e.msg,
			         docs[i].expect);
	}
	struct ward_spec *s;
	struct ward_error e = {0};
	assert_int_equal(ward_spec_new(&s, &e), 0);
	assert_int_equal(ward_spec_load_oci(s, "/nonexistent/bundle", &e), -1);
	assert_non_null(strstr(e.msg, "bundle /nonexistent/bundle"));
	char path[128];
	snprintf(path, sizeof(path), "%s/config.json", bundle);
	unlink(path);
	assert_int_equal(ward_spec_load_oci(s, bundle, &e), -1);
	assert_non_null(strstr(e.msg, "config.json"));
	assert_non_null(strstr(e.msg, "No such file"));
	ward_spec_free(s);
}

/* An exec's process.json over a loaded container: the process part is replaced. */
static void test_exec_process(void **state)
{
	(void)state;
	struct ward_spec *s;
	struct ward_error e = {0};
	assert_int_equal(load(full_config, &s, &e), 0);
	json_t *p = json_loads("{\"args\":[\"ls\"],\"cwd\":\"/tmp\",\"env\":[\"X=1\"],"
	                       "\"user\":{\"uid\":1}}",
	                       0, NULL);
	assert_non_null(p);
	assert_int_equal(oci_process_parse(p, "process", s, s->oci, &e), 0);
	assert_string_equal(s->argv[0], "ls");
	assert_string_equal(s->cwd, "/tmp");
	assert_int_equal(count(s->env), 1);
	assert_int_equal(s->uid, 1);
	assert_int_equal(s->gid, 0);
	assert_false(s->tty);
	assert_int_equal(s->n_rlimits, 0);
	assert_int_equal(s->oci->caps.bounding, 0);
	assert_int_equal(s->oci->n_groups, 0);
	assert_null(s->oci->apparmor);
	assert_false(s->oci->no_new_privs);
	json_decref(p);
	p = json_loads("{\"args\":[\"ls\"],\"cwd\":\"x\"}", 0, NULL);
	assert_int_equal(oci_process_parse(p, "process.json", s, s->oci, &e), -1);
	assert_string_equal(e.msg, "process.json.cwd: must be an absolute path");
	json_decref(p);
	ward_spec_free(s);
}

/* update --resources: a LinuxResources object on its own. */
static void test_update_resources(void **state)
{
	(void)state;
	struct oci_resources r;
	struct ward_error e = {0};
	oci_resources_init(&r);
	json_t *obj = json_loads("{\"memory\":{\"limit\":2000000},\"pids\":{\"limit\":10},"
	                         "\"unified\":{\"cpu.max\":\"max 100000\"}}",
	                         0, NULL);
	assert_int_equal(oci_resources_parse(obj, "resources", &r, &e), 0);
	assert_int_equal(r.memory_limit, 2000000);
	assert_int_equal(r.pids_limit, 10);
	assert_int_equal(r.cpu_shares, OCI_UNSET);
	assert_false(r.devices_set);
	assert_string_equal(r.unified[0], "cpu.max=max 100000");
	json_decref(obj);
	obj = json_loads("{\"cpu\":{\"quota\":\"x\"}}", 0, NULL);
	assert_int_equal(oci_resources_parse(obj, "resources", &r, &e), -1);
	assert_non_null(strstr(e.msg, "resources.cpu.quota: must be an integer"));
	json_decref(obj);
	oci_resources_clear(&r);
}

static void test_features(void **state)
{
	(void)state;
	char *text = ward_container_features();
	assert_non_null(text);
	json_error_t err;
	json_t *f = json_loads(text, JSON_REJECT_DUPLICATES, &err);
	if (!f)
		fail_msg("features: %s", err.text);
	assert_string_equal(json_string_value(json_object_get(f, "ociVersionMin")), "1.0.0");
	assert_non_null(json_string_value(json_object_get(f, "ociVersionMax")));
	assert_int_equal(json_array_size(json_object_get(f, "hooks")), 6);
	json_t *opts = json_object_get(f, "mountOptions"), *v;
	size_t i;
	bool rbind = false;
	json_array_foreach(opts, i, v) rbind |= !strcmp(json_string_value(v), "rbind");
	assert_true(rbind);
	json_t *lx = json_object_get(f, "linux");
	assert_int_equal(json_array_size(json_object_get(lx, "namespaces")), 8);
	assert_true(json_array_size(json_object_get(lx, "capabilities")) >= 38);
	assert_string_equal(
	    json_string_value(json_array_get(json_object_get(lx, "capabilities"), 0)), "CAP_CHOWN");
	json_t *cg = json_object_get(lx, "cgroup");
	assert_true(json_is_true(json_object_get(cg, "v2")));
	assert_true(json_is_false(json_object_get(cg, "systemd")));
	json_t *sec = json_object_get(lx, "seccomp");
	assert_true(json_is_true(json_object_get(sec, "enabled")));
	static const char *const keys[] = {"actions", "operators", "archs", "knownFlags",
	                                   "supportedFlags"};
	for (size_t k = 0; k < 5; k++)
		assert_true(json_array_size(json_object_get(sec, keys[k])) > 0);
	assert_true(json_is_boolean(json_object_get(json_object_get(lx, "apparmor"), "enabled")));
	assert_true(json_is_boolean(json_object_get(json_object_get(lx, "selinux"), "enabled")));
	assert_non_null(json_object_get(json_object_get(f, "annotations"), OCI_ANNOTATION_HARDEN));
	json_decref(f);
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_runc_spec),       cmocka_unit_test(test_runc_spec_rootless),
	    cmocka_unit_test(test_containerd_spec), cmocka_unit_test(test_podman_like),
	    cmocka_unit_test(test_every_field),     cmocka_unit_test(test_lsm),
	    cmocka_unit_test(test_bad_configs),     cmocka_unit_test(test_bad_documents),
	    cmocka_unit_test(test_exec_process),    cmocka_unit_test(test_update_resources),
	    cmocka_unit_test(test_features),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
