# Joining the ipc and uts namespaces of a process the test started (as a pod's containers join
# its sandbox's): its hostname shows, its ipc namespace is the container's. No hostname set
# (it would rename the joined namespace).
.linux.namespaces |= map(if .type == "ipc" or .type == "uts" then .path = ("/proc/" + $ENV.HOLDER + "/ns/" + .type) else . end)
| del(.hostname)
| .process.env += ["HOLDER_IPC=" + $ENV.HOLDER_IPC]
| .process.args = ["/bin/sh", "-c", "hostname; test \"$(readlink /proc/self/ns/ipc)\" = \"$HOLDER_IPC\" && echo same-ipc"]
