# A prestart hook over its timeout (1 s; it would sleep 20): run fails without waiting it out.
.hooks.prestart = [{path: "/bin/sleep", args: ["sleep", "20"], timeout: 1}]
| .process.args = ["/bin/echo", "ran"]
