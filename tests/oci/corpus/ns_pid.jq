# A new pid namespace: the process is pid 1, its parent outside.
.process.args = ["/bin/sh", "-c", "echo $$ $PPID"]
