/* The main process's routes: attach and resize (attach.c), and /containers/{id}/archive. */
#include "attach.h"
#include "serve.h"

const struct api_route api_routes_archive[] = {
    {"POST", "/containers/{}/attach", attach_handler},
    {"POST", "/containers/{}/resize", resize_handler},
    {0},
};
