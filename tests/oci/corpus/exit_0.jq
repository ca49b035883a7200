.process.args = ["/bin/true"]
