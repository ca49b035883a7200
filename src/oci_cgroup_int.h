/* What the pieces of the OCI container's cgroups share (oci_cgroup*.c, oci_devices_bpf.c). */
#ifndef WARD_OCI_CGROUP_INT_H
#define WARD_OCI_CGROUP_INT_H

#include "oci_cgroup.h"

struct oci_cg_hier {
	char mnt[256];   /* mount point */
	char ctrls[128]; /* as /proc/self/cgroup names them: "cpu,cpuacct", "name=systemd"; "" v2 */
	char own[512];   /* the caller's cgroup in it */
};
/* Every mounted hierarchy the caller is in, v1 ones first, the unified tree last. */
size_t oci_cg_hierarchies(struct oci_cg_hier *h, size_t max);
/* TOK is one of LIST's comma-separated words. */
bool oci_cg_has_token(const char *list, const char *tok);
/* /sys/fs/cgroup is the unified tree itself (no v1 hierarchies). */
bool oci_cg_pure_v2(void);
/* The host has a v1 hierarchy with controller CTRL mounted. */
bool oci_cg_v1_mounted(const char *ctrl);
/* CG's directory in the v1 hierarchy that has controller CTRL ("memory", "net_cls"), or
 * NULL (not mounted, or left out rootless). */
const char *oci_cg_v1_dir(const struct oci_cgroup *cg, const char *ctrl);
/* Write R into CG. INITIAL (create): the device rules always, runc's defaults after R's. */
int oci_cg_write(const struct oci_cgroup *cg, const struct oci_resources *r, bool initial,
                 struct ward_error *e);
/* runc's always-allowed devices, appended to every container's rules. */
extern const struct oci_device_rule oci_cg_default_devices[];
extern const size_t oci_cg_n_default_devices;
/* v1: RULES then DEFAULTS into DIR's devices.allow/deny, by their outcome. */
int oci_devices_v1(const char *dir, const struct oci_device_rule *rules, size_t n,
                   const struct oci_device_rule *defaults, size_t n_defaults, struct ward_error *e);
/* v2: a BPF_PROG_TYPE_CGROUP_DEVICE program for RULES then DEFAULTS (the last match wins,
 * default deny) attached to DIR, replacing the one attached before. */
int oci_devices_bpf(const char *dir, const struct oci_device_rule *rules, size_t n,
                    const struct oci_device_rule *defaults, size_t n_defaults,
                    struct ward_error *e);

#endif
