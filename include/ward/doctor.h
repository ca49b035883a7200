/* ward/doctor.h: what this host allows, each probe done for real in a child process. */
#ifndef WARD_DOCTOR_H
#define WARD_DOCTOR_H

#include <stddef.h>

enum ward_check_state { WARD_CHECK_OK, WARD_CHECK_LIMITED, WARD_CHECK_MISSING };

struct ward_check {
	const char *name;
	enum ward_check_state state;
	char detail[256]; /* what was found */
	char advice[256]; /* what to do about it; empty when ok */
};

/* Fills up to max checks, returns how many. */
size_t ward_doctor(struct ward_check *checks, size_t max);

#endif
