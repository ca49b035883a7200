#!/usr/bin/env python3
"""A hijacked Docker API request over a unix socket, as the docker CLI makes one.

usage: docker_hijack.py SOCKET PATH BODY [--raw] [--stdin TEXT] [--resize PATH] [--status]
Sends POST PATH with "Upgrade: tcp" (--status: its status line to stderr), then copies the
stream: with --raw as is to stdout; else Docker's 8-byte frames decoded, stream 1 to stdout
and 2 to stderr. --stdin TEXT is sent, then the write side is shut (end of input).
--resize PATH: a second request (POST PATH) made once the stream is open."""
import os
import socket
import struct
import sys


def request(sock_path, path, body):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(sock_path)
    data = body.encode()
    s.sendall(("POST %s HTTP/1.1\r\nHost: docker\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n"
               "Content-Type: application/json\r\nContent-Length: %d\r\n\r\n" % (path, len(data))).encode() + data)
    head = b""
    while b"\r\n\r\n" not in head:
        got = s.recv(1)
        if not got:
            break
        head += got
    return s, head.decode(errors="replace")


def simple(sock_path, path):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(sock_path)
    s.sendall(("POST %s HTTP/1.1\r\nHost: docker\r\nContent-Length: 0\r\nConnection: close\r\n\r\n" % path).encode())
    out = b""
    while True:
        got = s.recv(4096)
        if not got:
            break
        out += got
    s.close()
    return out.decode(errors="replace")


def main():
    args = sys.argv[1:]
    sock_path, path, body = args[0], args[1], args[2]
    raw = "--raw" in args
    stdin = args[args.index("--stdin") + 1] if "--stdin" in args else None
    resize = args[args.index("--resize") + 1] if "--resize" in args else None
    s, head = request(sock_path, path, body)
    status = head.split("\r\n", 1)[0]
    sys.stderr.write("status: %s\n" % status) if "--status" in args else None
    if " 101 " not in status and " 200 " not in status:
        sys.stdout.write(head)
        rest = s.recv(65536)
        sys.stdout.write(rest.decode(errors="replace"))
        sys.exit(2)
    if resize:
        simple(sock_path, resize)
    if stdin is not None:
        s.sendall(stdin.encode())
        s.shutdown(socket.SHUT_WR)
    buf = b""
    while True:
        got = s.recv(65536)
        if not got:
            break
        if raw:
            os.write(1, got)
            continue
        buf += got
        while len(buf) >= 8:
            stream, length = struct.unpack(">BxxxI", buf[:8])
            if len(buf) < 8 + length:
                break
            os.write(1 if stream == 1 else 2, buf[8:8 + length])
            buf = buf[8 + length:]
    if buf:
        sys.stderr.write("docker_hijack: %d bytes left that are not a whole frame\n" % len(buf))
        sys.exit(3)


if __name__ == "__main__":
    main()
