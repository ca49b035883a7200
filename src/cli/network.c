/* ward port SANDBOX: its published ports. ward network connect|disconnect SANDBOX: egress
 * on or off while it runs. */
#include <stdio.h>
#include <string.h>

#include "cli.h"

int cmd_port(int argc, char **argv)
{
	if (argc != 2 || argv[1][0] == '-') {
		fputs("usage: ward port SANDBOX\n", stderr);
		return EXIT_WARD;
	}
	struct ward_error e = {0};
	struct ward_sandbox *sb = NULL;
	struct ward_sandbox_info r;
	int rc = ward_sandbox_open(cli_context(false), argv[1], &sb, &e) < 0 ||
	                 ward_sandbox_inspect(sb, &r, &e) < 0
	             ? -1
	             : 0;
	ward_sandbox_close(sb);
	if (rc < 0) {
		cli_error(&e);
		return EXIT_WARD;
	}
	/* as docker port prints them */
	for (size_t i = 0; i < r.n_ports; i++) {
		bool v6 = strchr(r.ports[i].addr, ':') != NULL;
		printf("%u/tcp -> %s%s%s:%u\n", r.ports[i].port, v6 ? "[" : "", r.ports[i].addr,
		       v6 ? "]" : "", r.ports[i].host_port);
	}
	return 0;
}

int cmd_network(int argc, char **argv)
{
	if (argc != 3 || (strcmp(argv[1], "connect") && strcmp(argv[1], "disconnect"))) {
		fputs("usage: ward network connect|disconnect SANDBOX\n", stderr);
		return EXIT_WARD;
	}
	struct ward_error e = {0};
	struct ward_sandbox *sb = NULL;
	int rc = ward_sandbox_open(cli_context(false), argv[2], &sb, &e);
	if (rc == 0)
		rc = ward_sandbox_network(sb, !strcmp(argv[1], "connect"), &e);
	ward_sandbox_close(sb);
	if (rc < 0) {
		cli_error(&e);
		return EXIT_WARD;
	}
	return 0;
}
