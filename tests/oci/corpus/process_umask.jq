# process.user.umask
.process.user.umask = 63 | .process.args = ["/bin/sh", "-c", "umask; touch /tmp/f; stat -c %a /tmp/f"]
