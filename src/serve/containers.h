/* What the containers endpoints (containers_create.c, containers.c, containers_logs.c,
 * containers_json.c) share: a container is a ward sandbox plus, when the API made it, its
 * Docker config kept as one label. */
#ifndef WARD_SERVE_CONTAINERS_H
#define WARD_SERVE_CONTAINERS_H

#include <jansson.h>
#include <stdint.h>

#include "serve.h"

/* The label that holds {"Config": {...}, "HostConfig": {...}} as the client sent them. */
#define CTR_CONFIG_LABEL "ward.docker.config"

/* The sandbox REF names ("/x", x, an id or a unique prefix of one); NULL with a 404
 * ("No such container: REF") or another error already replied. */
struct ward_sandbox *ctr_open(struct api_req *r, const char *ref);
/* Docker's state of one: created, running, paused, exited. */
const char *ctr_state(const struct ward_sandbox_info *i);
/* Docker's status line: "Up 5 seconds", "Exited (0) 3 seconds ago", "Created". */
void ctr_status_text(const struct ward_sandbox_info *i, int64_t now_ms, char *buf, size_t len);
/* Docker's units.HumanDuration of MS milliseconds. */
void ctr_human_duration(int64_t ms, char *buf, size_t len);
/* The stored Docker config (new reference), or NULL for a sandbox `ward create` made. */
json_t *ctr_docker_config(const struct ward_sandbox_info *i);
/* The sandbox's own config file as JSON (new reference), or an empty object. */
json_t *ctr_ward_config(const struct ward_sandbox_info *i);
/* The labels a client sees (without CTR_CONFIG_LABEL), as a JSON object. */
json_t *ctr_labels(const struct ward_sandbox_info *i);

/* The body of POST /containers/create → a spec ready for ward_sandbox_new, the image opened
 * (IMG: close after the sandbox is made). Returns 0, or an HTTP status (400, 404, 500) with
 * MSG filled: a refusal names its field. */
struct ward_store;
int ctr_spec_from_body(struct ward_store *st, json_t *body, const char *name,
                       struct ward_spec **out, struct ward_image **img, char *msg, size_t len);
/* The server-side AutoRemove: wait for ID to stop, then remove it, on a thread of its own. */
void ctr_auto_remove_watch(struct serve *srv, const char *id);

/* AutoRemove containers a server that is gone was watching: running ones get a watcher,
 * stopped ones are removed (and their V[i].id emptied). */
void ctr_auto_remove_sweep(struct serve *srv, struct ward_sandbox_info *v, size_t n);

/* The logs endpoint (containers_logs.c). */
void ctr_logs(struct api_req *r);

#endif
