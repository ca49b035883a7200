/* The main process's endpoints (attach.c); their routes are in archive.c's table. */
#ifndef WARD_SERVE_ATTACH_H
#define WARD_SERVE_ATTACH_H

#include "serve.h"

/* REF (with or without Docker's leading "/") opened; else 404 "No such container: REF" (or
 * the error) already replied and -1. */
int attach_open_container(struct api_req *r, const char *ref, struct ward_sandbox **sb);
/* POST /containers/{id}/attach?stream&stdin&stdout&stderr&logs: hijacked. */
void attach_handler(struct api_req *r);
/* POST /containers/{id}/resize?h=&w= */
void resize_handler(struct api_req *r);

#endif
