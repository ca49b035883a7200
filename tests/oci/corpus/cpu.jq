# linux.resources.cpu: shares, quota and period as the cgroup shows them (v1: cpu.shares and
# cpu.cfs_*; v2: cpu.weight and cpu.max).
.linux.resources.cpu = {shares: 512, quota: 50000, period: 100000}
| .process.args = ["/bin/sh", "-c", "cd /sys/fs/cgroup/cpu 2>/dev/null && cat cpu.shares cpu.cfs_quota_us cpu.cfs_period_us || cat /sys/fs/cgroup/cpu.weight /sys/fs/cgroup/cpu.max"]
