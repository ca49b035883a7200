# linux.resources.memory.limit: the container's cgroup shows it (v1 or v2), a hog dies.
.linux.resources.memory = {limit: 33554432, swap: 33554432}
| .process.args = ["/bin/sh", "-c", "cat /sys/fs/cgroup/memory/memory.limit_in_bytes 2>/dev/null || cat /sys/fs/cgroup/memory.max; head -c 100000000 /dev/zero | tail -c 100000000 >/dev/null; echo hog=$?"]
