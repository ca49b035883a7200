#!/usr/bin/env python3
"""A Docker API attach client over a unix socket, for tests: hijacks
POST /containers/ID/attach (Upgrade: tcp), optionally sends INPUT (after DELAY seconds),
and prints what comes back: for a multiplexed stream each stream's lines as 'STREAM:LINE'
(stdout's first), for a raw stream the bytes as they are.
usage: docker_attach.py SOCKET ID QUERY [INPUT [DELAY]]
A line 'status: N' and 'type: T' go to stderr."""
import os
import struct
import sys
import time

sys.dont_write_bytecode = True  # nothing written into the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from docker_hijack import request  # noqa: E402 (the same directory)


def main():
    sock_path, cid, query = sys.argv[1:4]
    data = sys.argv[4].encode().decode('unicode_escape').encode() if len(sys.argv) > 4 else None
    delay = float(sys.argv[5]) if len(sys.argv) > 5 else 0.5
    s, head = request(sock_path, f"/v1.41/containers/{cid}/attach?{query}", "")
    lines = head.split("\r\n")
    status = int(lines[0].split()[1])
    ctype = ""
    for line in lines[1:]:
        if line.lower().startswith("content-type:"):
            ctype = line.split(":", 1)[1].strip()
    print(f"status: {status}", file=sys.stderr)
    print(f"type: {ctype}", file=sys.stderr)
    if status != 101:
        sys.stdout.write(s.recv(65536).decode(errors="replace"))
        return 1
    if data is not None:
        time.sleep(delay)
        s.sendall(data)
    buf = b""
    while True:
        b = s.recv(65536)
        if not b:
            break
        buf += b
    if "multiplexed" in ctype:
        out = {}
        while len(buf) >= 8:
            st, n = buf[0], struct.unpack(">I", buf[4:8])[0]
            out.setdefault(st, b"")
            out[st] += buf[8:8 + n]
            buf = buf[8 + n:]
        # per stream, line by line: a frame is whatever one read gave
        for st in sorted(out):
            for line in out[st].decode(errors="replace").splitlines():
                print(f"{st}:{line}")
    else:
        sys.stdout.write(buf.decode(errors="replace"))
    return 0


sys.exit(main())
