# nosuid, nodev, noexec: the flags show, an exec from the noexec mount fails, a device node
# on a nodev bind (the test's $T/dev/null, /dev/null's numbers) cannot be opened.
.mounts += [{destination: "/mnt/x", type: "tmpfs", source: "tmpfs", options: ["nosuid", "nodev", "noexec", "mode=755"]},
            {destination: "/mnt/d", type: "bind", source: ($ENV.T + "/dev"), options: ["bind", "nodev"]}]
| .process.args = ["/bin/sh", "-c", "grep ' /mnt/x ' /proc/mounts | cut -d' ' -f4 | tr , '\\n' | grep -E '^no(suid|dev|exec)$'; cp /bin/busybox /mnt/x/bb; /mnt/x/bb true 2>/dev/null; echo exec=$?; cat /mnt/d/null 2>/dev/null; echo open=$?"]
