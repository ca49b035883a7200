# No network namespace asked: the host's is shared.
.linux.namespaces |= map(select(.type != "network"))
| .process.env += ["HOSTNET=" + $ENV.HOSTNET]
| .process.args = ["/bin/sh", "-c", "test \"$(readlink /proc/self/ns/net)\" = \"$HOSTNET\" && echo host-net"]
