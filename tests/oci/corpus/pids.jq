# linux.resources.pids.limit: the cgroup shows it, a fork loop stops short (the shell dies
# of it; /tmp/count in the root says how far it went).
.linux.resources.pids = {limit: 10}
| .process.args = ["/bin/sh", "-c", "cat /sys/fs/cgroup/pids/pids.max 2>/dev/null || cat /sys/fs/cgroup/pids.max; i=0; while [ $i -lt 30 ]; do sleep 5 & i=$((i + 1)); echo $i >/tmp/count; done 2>/dev/null"]
