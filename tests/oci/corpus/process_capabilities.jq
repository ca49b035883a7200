# process.capabilities: all five sets, for a non-root user (ambient is what survives exec).
.process.user = {uid: 1000, gid: 1000}
| .process.capabilities = {
    bounding: ["CAP_CHOWN", "CAP_KILL", "CAP_NET_RAW"],
    effective: ["CAP_CHOWN", "CAP_KILL"],
    permitted: ["CAP_CHOWN", "CAP_KILL"],
    inheritable: ["CAP_CHOWN"],
    ambient: ["CAP_CHOWN"]}
| .process.args = ["/bin/grep", "^Cap", "/proc/self/status"]
