/* What create hands its container's process across clone3. */
#ifndef WARD_CONTAINER_CREATE_H
#define WARD_CONTAINER_CREATE_H

#include <stdbool.h>

#include "container.h"
#include "oci.h"
#include "spec.h"

struct container_launch {
	const struct ward_spec *s;
	const char *id;
	struct container_filters filter;
	int nsfd[OCI_MAX_NAMESPACES]; /* joined namespaces, by oci->ns index; -1 */
	int pidns;                    /* the pid namespace joined (one of nsfd), or -1 */
	int new_ns;                   /* CLONE_NEW* made at clone3 */
	bool late_cgroupns;           /* a new cgroup namespace, made after the v1 attach */
	bool userns;                  /* the container has a user namespace of its own */
	bool host_root;               /* create runs as root of the host's user namespace */
	bool harden_userns;           /* ...made by run.ward.harden: the root comes idmapped */
	int fifo;                     /* the start fifo, held read-write */
	unsigned preserve_fds;
	bool no_pivot;
};

/* The clone3 child: never returns. */
__attribute__((noreturn)) void container_child(const struct container_launch *l, int sock);

#endif
