/* Capability sets of processes inside the sandbox. */
#ifndef WARD_CAPS_H
#define WARD_CAPS_H

#include <stdbool.h>
#include <stdint.h>

/* Drop every capability not in KEEP from the bounding set and clear the ambient set. */
int caps_limit_bounding(uint64_t keep);

/* Set effective and permitted to KEEP (container root) or to nothing, inheritable empty. */
int caps_apply(uint64_t keep, bool is_root);

#endif
