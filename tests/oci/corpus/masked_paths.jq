# linux.maskedPaths: /proc/keys and /proc/timer_list (the base's), a file and a directory of the root.
.linux.maskedPaths += ["/etc/secret", "/secretdir"]
| .process.args = ["/bin/sh", "-c", "cat /proc/keys /proc/timer_list | wc -c; cat /etc/secret | wc -c; ls /secretdir | wc -l"]
