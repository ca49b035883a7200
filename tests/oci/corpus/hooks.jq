# hooks of every kind, each saving the state it reads on stdin to a marker in the host
# directory $T/m-WHICH, bound into the container at /m. startContainer runs in the container
# after its root is in place: it writes to /m. createContainer runs in the container's mount
# namespace before the root moves (its path resolves as the runtime's): the host path.
# The container lists what it sees (poststart may or may not have run by then).
def hook(name): {path: "/bin/sh", args: ["sh", "-c", "cat >" + (if name == "startContainer" then "/m" else $ENV.T + "/m-" + $ENV.WHICH end) + "/" + name + ".json"]};
.mounts += [{destination: "/m", type: "bind", source: ($ENV.T + "/m-" + $ENV.WHICH), options: ["bind", "rw"]}]
| .hooks = {prestart: [hook("prestart")], createRuntime: [hook("createRuntime")],
            createContainer: [hook("createContainer")], startContainer: [hook("startContainer")],
            poststart: [hook("poststart")], poststop: [hook("poststop")]}
| .process.args = ["/bin/sh", "-c", "ls /m | grep -v poststart | sort | tr '\\n' ' '"]
