# linux.devices: a char node with /dev/null's numbers under another name, allowed.
.linux.devices = [{path: "/dev/corpusnull", type: "c", major: 1, minor: 3, fileMode: 438, uid: 0, gid: 0}]
| .linux.resources.devices += [{allow: true, type: "c", major: 1, minor: 3, access: "rwm"}]
| .process.args = ["/bin/sh", "-c", "stat -c '%F %t %T %a' /dev/corpusnull; echo x >/dev/corpusnull && echo written; cat /dev/corpusnull; echo read=$?"]
