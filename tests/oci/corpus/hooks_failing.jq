# A createRuntime hook that fails: run fails, the process never runs, nothing is left.
.hooks.createRuntime = [{path: "/bin/sh", args: ["sh", "-c", "exit 7"]}]
| .process.args = ["/bin/echo", "ran"]
