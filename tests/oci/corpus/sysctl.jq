# linux.sysctl: a net one in a private netns, an ipc one in a private ipc ns.
.linux.sysctl = {"net.ipv4.ip_forward": "1", "kernel.shmmax": "123456789"}
| .process.args = ["/bin/sh", "-c", "cat /proc/sys/net/ipv4/ip_forward /proc/sys/kernel/shmmax"]
