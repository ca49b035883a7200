# Joining a namespace by a path that does not exist.
.linux.namespaces |= map(if .type == "network" then .path = "/run/netns/no-such-corpus-netns" else . end)
