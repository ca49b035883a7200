# A read-write bind of a host directory: a write reaches the host.
.mounts += [{destination: "/data", type: "bind", source: ($ENV.T + "/data"), options: ["bind", "rw"]}]
| .process.args = ["/bin/sh", "-c", "cat /data/file; echo written >/data/out-$0", $ENV.WHICH]
