# root.readonly: a write to the root fails, /tmp of the root included.
.root.readonly = true | .process.args = ["/bin/sh", "-c", "touch /x 2>/dev/null || echo refused; grep ' / ' /proc/mounts | cut -d' ' -f4 | cut -d, -f1"]
