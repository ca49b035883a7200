.process.args = ["/bin/sh", "-c", "echo before; exit 3"]
