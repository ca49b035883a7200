# process.cwd missing from the root: created.
.process.cwd = "/not/yet" | .process.args = ["/bin/pwd"]
