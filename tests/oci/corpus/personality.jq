# linux.personality LINUX32
.linux.personality = {domain: "LINUX32"} | .process.args = ["/bin/uname", "-m"]
