# A new network namespace: only lo, and lo is up.
.process.args = ["/bin/sh", "-c", "ip -o link | cut -d' ' -f2,3; ip -o -4 addr | cut -d' ' -f2,7"]
