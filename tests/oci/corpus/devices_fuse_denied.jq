# The same node without the device cgroup's leave (the base denies all): open fails.
.linux.devices = [{path: "/dev/fuse", type: "c", major: 10, minor: 229, fileMode: 438}]
| .process.args = ["/bin/sh", "-c", "test -c /dev/fuse && echo node; (exec 3</dev/fuse) 2>/dev/null && echo opened || echo denied"]
