/* The pieces of a config.json's translation (oci_config.c calls them in order). Each names
 * the culprit of an error by its path in the document ("linux.namespaces[1].type"). */
#ifndef WARD_OCI_PARSE_H
#define WARD_OCI_PARSE_H

#include <jansson.h>
#include <stdbool.h>

#include "oci.h"

struct ward_spec;

/* linux: namespaces, id maps, devices, masked/readonly paths, sysctl, personality,
 * propagation, labels, cgroupsPath, resources, seccomp; refuses what ward cannot honour. */
int oci_linux_parse(json_t *lx, struct ward_spec *s, struct oci_config *o, struct ward_error *e);

/* mounts, after linux (an idmapped mount's own maps must match the container's). */
int oci_mounts_parse(json_t *mounts, json_t *lx, struct oci_config *o, struct ward_error *e);

/* linux.seccomp: kept as text for the launcher, checked now with ward's compiler. */
int oci_seccomp_parse(json_t *seccomp, uint64_t caps, struct oci_config *o, struct ward_error *e);

/* "rprivate" → MS_PRIVATE|MS_REC ...; 0 when unknown. */
unsigned long oci_propagation(const char *name);

/* Capability NAME ("CAP_SYS_ADMIN") as its number, -1 when this kernel does not know it. */
int oci_cap_number(const char *name);

/* Does this host have AppArmor / SELinux enabled? (A config asking for a profile or label
 * on a host without them is refused: it would run unconfined.) */
bool oci_host_apparmor(void);
bool oci_host_selinux(void);

#endif
