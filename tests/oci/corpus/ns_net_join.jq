# Joining a network namespace made by the test: its veth address shows.
.linux.namespaces |= map(if .type == "network" then .path = ("/run/netns/" + $ENV.NETNS) else . end)
| .process.args = ["/bin/sh", "-c", "ip -o -4 addr | cut -d' ' -f2,7"]
