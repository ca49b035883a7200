# process.noNewPrivileges false
.process.noNewPrivileges = false | .process.args = ["/bin/grep", "^NoNewPrivs", "/proc/self/status"]
