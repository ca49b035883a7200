# domainname in a new uts namespace.
.domainname = "corpus.example" | .process.args = ["/bin/cat", "/proc/sys/kernel/domainname"]
