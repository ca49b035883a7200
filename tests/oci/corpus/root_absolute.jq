# root.path absolute (the base's is relative to the bundle), another root than rootfs/.
.root.path = ($ENV.T + "/" + $ENV.WHICH + "/other") | .process.args = ["/bin/sh", "-c", "cat /marker"]
