# Propagation options on mounts: one shared, one private; the root rslave.
.linux.rootfsPropagation = "rslave"
| .mounts += [{destination: "/mnt/s", type: "tmpfs", source: "tmpfs", options: ["shared"]},
             {destination: "/mnt/p", type: "tmpfs", source: "tmpfs", options: ["private"]}]
| .process.args = ["/bin/sh", "-c", "for m in /mnt/s /mnt/p; do awk -v m=$m '$5 == m { s = \"private\"; for (i = 7; $i != \"-\"; i++) if ($i ~ /^shared:/) s = \"shared\"; print m, s }' /proc/self/mountinfo; done"]
