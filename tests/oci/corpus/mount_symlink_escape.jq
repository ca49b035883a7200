# A bind whose destination in the root is a symlink to a host path outside the root: it is
# resolved inside the root, the host path stays as it was.
.mounts += [{destination: "/link", type: "bind", source: ($ENV.T + "/data"), options: ["bind", "ro"]}]
| .process.args = ["/bin/sh", "-c", "cat /link/file"]
