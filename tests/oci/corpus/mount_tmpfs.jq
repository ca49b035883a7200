# A tmpfs with size and mode.
.mounts += [{destination: "/mnt/t", type: "tmpfs", source: "tmpfs", options: ["size=2m", "mode=710", "nosuid"]}]
| .process.args = ["/bin/sh", "-c", "stat -c %a /mnt/t; grep ' /mnt/t ' /proc/mounts | cut -d' ' -f3,4"]
