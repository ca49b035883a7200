/* libward: daemonless Linux sandboxes. One umbrella header; each part documents its calls.
 *
 *   ward/context.h  where state, images and policies live; the log callback
 *   ward/spec.h     describing a sandbox through setters
 *   ward/run.h      one-shot runs: start, pid, cancel, wait, result
 *   ward/sandbox.h  persistent sandboxes: create, exec, stop, kill, remove, list, files
 *   ward/image.h    the image store: import, open, list, remove, prune, pack
 *   ward/files.h    files in a root directory fd
 *   ward/policy.h   seccomp policies;  ward/doctor.h: host checks;  ward/parse.h: grammars
 *
 * Every fallible call returns 0 (or a count) or -1 with a struct ward_error filled. The
 * library never prints; it reports through the context's log function. Link with
 * `pkg-config --cflags --libs ward`. */
#ifndef WARD_H
#define WARD_H

#define WARD_VERSION "0.1.0"

/* Container ids 0..65535 of a root-started sandbox live at this host id by default: above
 * every range useradd and systemd hand out to users and containers. */
#define WARD_ROOT_IDMAP_BASE 2000000000u
#define WARD_IDMAP_SIZE      65536u

#include "ward/context.h"
#include "ward/doctor.h"
#include "ward/error.h"
#include "ward/files.h"
#include "ward/image.h"
#include "ward/parse.h"
#include "ward/policy.h"
#include "ward/run.h"
#include "ward/sandbox.h"
#include "ward/spec.h"

#endif
