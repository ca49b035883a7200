/* ward port SANDBOX: its published ports. ward network connect|disconnect SANDBOX: egress
 * on or off while it runs. */
#include <stdio.h>
#include <string.h>

#include "cli.h"

static int print_ports(const struct ward_sandbox_info *r, bool json)
{
	json_t *out = json ? json_array() : NULL;
	for (size_t i = 0; i < r->n_ports; i++) {
		const struct ward_publish *p = &r->ports[i];
		bool v6 = strchr(p->addr, ':') != NULL;
		if (json) /* as docker port prints them */
			json_array_append_new(out, json_pack("{s:i,s:s,s:s,s:i}", "port", p->port,
			                                     "protocol", "tcp", "hostAddress",
			                                     p->addr, "hostPort", p->host_port));
		else
			printf("%u/tcp -> %s%s%s:%u\n", p->port, v6 ? "[" : "", p->addr,
			       v6 ? "]" : "", p->host_port);
	}
	return json ? cli_json_print(out) : 0;
}

int cmd_port(int argc, char **argv)
{
	static const struct cli_cmd c = {
	    "port",
	    "usage: ward port [--json] SANDBOX\n"
	    "\n"
	    "Its published ports: PORT/tcp -> HOSTADDR:HOSTPORT, one a line.\n"
	    "      --json   [{\"port\", \"protocol\", \"hostAddress\", \"hostPort\"}, ...]\n"
	    "  -h, --help   this text\n",
	    cli_json_opts, false};
	struct ward_error e = {0};
	bool json = false;
	int done = cli_simple_flag(&c, argc, argv, 1, 1, "SANDBOX", &json);
	if (done >= 0)
		return done;
	struct ward_sandbox *sb = NULL;
	struct ward_sandbox_info r = {0};
	int rc = ward_sandbox_open(cli_context(false), argv[optind], &sb, &e) < 0 ||
	                 ward_sandbox_inspect(sb, &r, &e) < 0
	             ? -1
	             : 0;
	ward_sandbox_close(sb);
	if (rc < 0)
		return cli_fail(&e);
	rc = print_ports(&r, json);
	ward_sandbox_info_release(&r);
	return rc;
}

static const char network_usage[] =
    "usage: ward network connect SANDBOX      give a running sandbox egress\n"
    "       ward network disconnect SANDBOX   take it away (loopback and published ports "
    "stay)\n"
    "  -h, --help   this text\n";

int cmd_network(int argc, char **argv)
{
	static const struct cli_cmd top = {"network", network_usage, NULL, true};
	static const struct cli_cmd conn = {"network connect", network_usage, NULL, false};
	static const struct cli_cmd disc = {"network disconnect", network_usage, NULL, false};
	const char *sub = argc > 1 ? argv[1] : "";
	const struct cli_cmd *c = !strcmp(sub, "connect")      ? &conn
	                          : !strcmp(sub, "disconnect") ? &disc
	                                                       : &top;
	if (c == &top) {
		int rc = cli_simple(c, argc, argv, 1, -1, "connect or disconnect");
		if (rc >= 0)
			return rc;
		fprintf(stderr,
		        "ward: network: unknown subcommand '%s' (see ward network --help)\n", sub);
		return EXIT_WARD;
	}
	int rc = cli_simple(c, argc - 1, argv + 1, 1, 1, "SANDBOX");
	if (rc >= 0)
		return rc;
	struct ward_error e = {0};
	struct ward_sandbox *sb = NULL;
	rc = ward_sandbox_open(cli_context(false), argv[optind + 1], &sb, &e);
	if (rc == 0)
		rc = ward_sandbox_network(sb, c == &conn, &e);
	ward_sandbox_close(sb);
	return rc < 0 ? cli_fail(&e) : 0;
}
