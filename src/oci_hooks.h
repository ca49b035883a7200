/* OCI hooks (config.json's "hooks"): each run as runc runs them, state on stdin. */
#ifndef WARD_OCI_HOOKS_H
#define WARD_OCI_HOOKS_H

#include "oci.h"

/* Run every hook of KIND in order with STATE_JSON on its stdin, in the caller's namespaces
 * and root; each waited for up to its timeout (then killed). The first failure stops and
 * names it: "hooks.createRuntime[1] /usr/bin/x: exited with 2: <its stderr's last line>". */
int oci_hooks_run(const struct oci_config *o, enum oci_hook_kind kind, const char *state_json,
                  struct ward_error *e);
const char *oci_hook_kind_name(enum oci_hook_kind kind); /* "createRuntime" ... */

#endif
