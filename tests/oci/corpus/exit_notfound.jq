# An args[0] that does not exist.
.process.args = ["/bin/no-such-program"]
