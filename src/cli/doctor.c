/* ward doctor: print the host report. */
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const char *const state_names[] = {"ok", "limited", "missing"};

int cmd_doctor(int argc, char **argv)
{
	bool json = false;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0) {
			json = true;
		} else if (strcmp(argv[i], "--help") == 0) {
			puts("usage: ward doctor [--json]\n\nChecks what this host allows ward to "
			     "do.");
			return 0;
		} else {
			fprintf(stderr, "ward: doctor: unknown option %s\n", argv[i]);
			return EXIT_WARD;
		}
	}
	struct ward_check checks[32];
	size_t n = ward_doctor(checks, 32);
	bool missing = false;
	if (json)
		putchar('[');
	for (size_t i = 0; i < n; i++) {
		const struct ward_check *c = &checks[i];
		missing |= c->state == WARD_CHECK_MISSING;
		if (json) {
			printf("%s{\"check\":", i ? "," : "");
			json_print_string(stdout, c->name);
			printf(",\"state\":\"%s\",\"detail\":", state_names[c->state]);
			json_print_string(stdout, c->detail);
			printf(",\"advice\":");
			json_print_string(stdout, c->advice);
			putchar('}');
		} else {
			printf("%-8s %-30s %s\n", state_names[c->state], c->name, c->detail);
			if (c->advice[0])
				printf("%-8s %-30s -> %s\n", "", "", c->advice);
		}
	}
	if (json)
		puts("]");
	return missing ? 1 : 0;
}
