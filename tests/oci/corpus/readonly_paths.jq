# linux.readonlyPaths: /proc/sys (the base's) and a directory of the root.
.linux.readonlyPaths += ["/etc"]
| .process.args = ["/bin/sh", "-c", "echo x >/proc/sys/kernel/hostname 2>/dev/null || echo sys-refused; touch /etc/new 2>/dev/null || echo etc-refused; touch /tmp/new && echo tmp-ok"]
