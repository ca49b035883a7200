# New uts, ipc, net and mount namespaces: none is the host's (its inodes in $ENV.HOSTNS).
.process.env += ["HOSTNS=" + $ENV.HOSTNS]
| .process.args = ["/bin/sh", "-c", "for n in uts ipc net mnt pid; do case \" $HOSTNS \" in *\" $(readlink /proc/self/ns/$n) \"*) echo $n host;; *) echo $n own;; esac; done"]
