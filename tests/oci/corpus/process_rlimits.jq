# process.rlimits: soft and hard apart.
.process.rlimits = [{type: "RLIMIT_NOFILE", soft: 123, hard: 456}, {type: "RLIMIT_CORE", soft: 0, hard: 0}]
| .process.args = ["/bin/sh", "-c", "ulimit -n; ulimit -Hn; ulimit -c"]
