# process.capabilities for root: the bounding set bounds all, nothing inherited.
.process.capabilities = {
    bounding: ["CAP_CHOWN", "CAP_KILL", "CAP_NET_RAW"],
    effective: ["CAP_CHOWN", "CAP_KILL", "CAP_NET_RAW"],
    permitted: ["CAP_CHOWN", "CAP_KILL", "CAP_NET_RAW"]}
| .process.args = ["/bin/grep", "^Cap", "/proc/self/status"]
