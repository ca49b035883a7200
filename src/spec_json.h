/* A prepared spec as JSON and back: what ward start needs to start a stopped or created
 * sandbox again, and the "config" ward inspect shows. */
#ifndef WARD_SPEC_JSON_H
#define WARD_SPEC_JSON_H

#include <jansson.h>

#include "spec.h"

/* S (prepared) as a JSON object: everything the launcher reads, readable by a person
 * (capability names, limits in bytes, mounts, ports, labels); an image-made sandbox also has
 * "image": {"name", "id"}. NULL without memory. */
json_t *spec_to_json(const struct ward_spec *s);
/* Into S (spec_init'ed): the spec O describes, marked prepared (the image is not opened).
 * A field of the wrong type or out of range is an error naming it. */
int spec_from_json(struct ward_spec *s, const json_t *o, struct ward_error *e);

#endif
