# hostname in a new uts namespace.
.hostname = "corpus-host" | .process.args = ["/bin/hostname"]
