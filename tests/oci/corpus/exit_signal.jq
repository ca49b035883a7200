# Killed by SIGKILL (no pid namespace: a namespace's init cannot be sent it from inside).
.linux.namespaces |= map(select(.type != "pid"))
| .process.args = ["/bin/sh", "-c", "echo before; kill -9 $$; echo after"]
