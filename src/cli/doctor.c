/* ward doctor: print the host report. */
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const char *const state_names[] = {"ok", "limited", "missing"};

int cmd_doctor(int argc, char **argv)
{
	static const struct cli_cmd c = {
	    "doctor",
	    "usage: ward doctor [--json]\n"
	    "\n"
	    "Checks what this host allows ward to do; exit status 1 when something is missing.\n"
	    "      --json   [{\"check\", \"state\", \"detail\", \"advice\"}, ...]\n"
	    "  -h, --help   this text\n",
	    cli_json_opts, false};
	bool json = false;
	int done = cli_simple_flag(&c, argc, argv, 0, 0, "", &json);
	if (done >= 0)
		return done;
	struct ward_check checks[32];
	size_t n = ward_doctor(checks, 32);
	bool missing = false;
	json_t *out = json ? json_array() : NULL;
	for (size_t i = 0; i < n; i++) {
		const struct ward_check *k = &checks[i];
		missing |= k->state == WARD_CHECK_MISSING;
		if (json) {
			json_array_append_new(out,
			                      json_pack("{s:s,s:s,s:s,s:s}", "check", k->name,
			                                "state", state_names[k->state], "detail",
			                                k->detail, "advice", k->advice));
		} else {
			printf("%-8s %-30s %s\n", state_names[k->state], k->name, k->detail);
			if (k->advice[0])
				printf("%-8s %-30s -> %s\n", "", "", k->advice);
		}
	}
	if (json && cli_json_print(out))
		return EXIT_WARD;
	return missing ? 1 : 0;
}
