# process.noNewPrivileges true
.process.noNewPrivileges = true | .process.args = ["/bin/grep", "^NoNewPrivs", "/proc/self/status"]
