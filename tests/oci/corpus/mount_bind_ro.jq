# A read-only bind of a host directory: readable, not writable.
.mounts += [{destination: "/data", type: "bind", source: ($ENV.T + "/data"), options: ["rbind", "ro"]}]
| .process.args = ["/bin/sh", "-c", "cat /data/file; echo no >/data/file 2>/dev/null || echo refused; touch /data/new 2>/dev/null || echo refused"]
