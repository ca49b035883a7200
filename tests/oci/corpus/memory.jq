# linux.resources.memory: the container's cgroup shows the limit and the swap limit (v1:
# memory+swap; v2: swap.max, what is left of it over the limit). No hog: which process the
# OOM killer takes (the hog or the shell) varies from run to run with runc already.
.linux.resources.memory = {limit: 33554432, swap: 50331648}
| .process.args = ["/bin/sh", "-c", "cd /sys/fs/cgroup/memory 2>/dev/null && cat memory.limit_in_bytes memory.memsw.limit_in_bytes || cat /sys/fs/cgroup/memory.max /sys/fs/cgroup/memory.swap.max"]
