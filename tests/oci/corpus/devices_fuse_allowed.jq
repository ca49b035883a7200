# linux.devices: a /dev/fuse node allowed by the device cgroup: it opens.
.linux.devices = [{path: "/dev/fuse", type: "c", major: 10, minor: 229, fileMode: 438}]
| .linux.resources.devices += [{allow: true, type: "c", major: 10, minor: 229, access: "rwm"}]
| .process.args = ["/bin/sh", "-c", "exec 3</dev/fuse && echo opened"]
