# process.cwd: an existing directory.
.process.cwd = "/etc" | .process.args = ["/bin/sh", "-c", "pwd"]
