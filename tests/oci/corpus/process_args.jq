# process.args: argv as given, spaces and all.
.process.args = ["/bin/echo", "hello", "two words", ""]
