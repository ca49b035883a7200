#!/usr/bin/python3
"""A fault-injecting HTTP proxy in front of a test registry, on 127.0.0.1 only.

usage: proxy.py DIR UPSTREAM [CAFILE]
  DIR/port   the port it listens on (written once it listens)
  DIR/log    one line per request: METHOD PATH range=R auth=yes|no -> STATUS [note]
  DIR/conf.json  what to do, read again on every request (a test rewrites it between pulls):
    {"cut": N}            the first blob GET response longer than N bytes stops after N body
                          bytes (connection closed)
    {"corrupt": true}     every blob GET body has one byte flipped (or "corrupt": "sha256:HEX")
    {"fail": {"count": N, "status": 429, "retry_after": 1}}   the first N requests get STATUS
    {"slow": BPS}         blob bodies trickle at BPS bytes a second
    {"redirect": true}    blob GETs answered 307 to http://127.0.0.2:P2/... (DIR/port2), a
                          listener serving blobs from the registry storage (DIR/storage) that
                          logs to DIR/log2 whether an Authorization header reached it
    {"serve": {"/v2/NAME/manifests/REF": {"file": F, "type": MEDIATYPE}}}   answered from F
  "Once" faults (cut, fail) count again whenever conf.json changes.
"""
import hashlib
import http.client
import http.server
import json
import os
import socketserver
import ssl
import sys
import threading
import time
import urllib.parse

DIR, UPSTREAM = sys.argv[1], sys.argv[2]
CAFILE = sys.argv[3] if len(sys.argv) > 3 else None
up = urllib.parse.urlsplit(UPSTREAM)
lock = threading.Lock()
state = {"mtime": None, "conf": {}, "cut_done": False, "failed": 0}
HOP = {"connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade",
       "proxy-authorization", "proxy-authenticate"}


def conf():
    """The current configuration and this request's share of the once-only faults."""
    path = os.path.join(DIR, "conf.json")
    try:
        mtime = os.stat(path).st_mtime_ns
    except FileNotFoundError:
        mtime = None
    with lock:
        if mtime != state["mtime"]:
            state["mtime"] = mtime
            state["cut_done"] = False
            state["failed"] = 0
            try:
                with open(path) as f:
                    state["conf"] = json.load(f)
            except (FileNotFoundError, ValueError):
                state["conf"] = {}
        return state["conf"]


def log(name, line):
    with lock, open(os.path.join(DIR, name), "a") as f:
        f.write(line + "\n")


def upstream():
    if up.scheme == "https":
        ctx = ssl.create_default_context(cafile=CAFILE)
        return http.client.HTTPSConnection(up.hostname, up.port, context=ctx, timeout=60)
    return http.client.HTTPConnection(up.hostname, up.port, timeout=60)


class Proxy(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def note(self, status, extra=""):
        log("log", f"{self.command} {self.path} range={self.headers.get('Range', '-')} "
            f"auth={'yes' if self.headers.get('Authorization') else 'no'} -> {status}{extra}")

    def is_blob(self):
        return self.command == "GET" and "/blobs/sha256:" in self.path

    def answer(self, status, headers, body, send_body=True):
        self.send_response(status)
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()
        if send_body and body:
            self.wfile.write(body)

    def relay(self):
        c = conf()
        fail = c.get("fail")
        if fail:
            with lock:
                mine = state["failed"] < fail.get("count", 0)
                if mine:
                    state["failed"] += 1
            if mine:
                hdrs = [("Content-Length", "0")]
                if "retry_after" in fail:
                    hdrs.append(("Retry-After", str(fail["retry_after"])))
                self.note(fail.get("status", 503), " (injected)")
                return self.answer(fail.get("status", 503), hdrs, b"")
        served = c.get("serve", {}).get(self.path.split("?")[0])
        if served and self.command in ("GET", "HEAD"):
            with open(served["file"], "rb") as f:
                body = f.read()
            digest = "sha256:" + hashlib.sha256(body).hexdigest()
            self.note(200, " (served)")
            return self.answer(200, [("Content-Type", served["type"]),
                                     ("Content-Length", str(len(body))),
                                     ("Docker-Content-Digest", digest)],
                               body, self.command == "GET")
        if self.is_blob() and c.get("redirect"):
            port2 = open(os.path.join(DIR, "port2")).read().strip()
            digest = self.path.split("/blobs/")[1].split("?")[0]
            loc = f"http://127.0.0.2:{port2}/blobs/{digest}?signature=test"
            self.note(307, " (redirected)")
            return self.answer(307, [("Location", loc), ("Content-Length", "0")], b"")

        length = int(self.headers.get("Content-Length") or 0)
        data = self.rfile.read(length) if length else None
        conn = upstream()
        conn.putrequest(self.command, self.path, skip_host=True, skip_accept_encoding=True)
        conn.putheader("Host", up.netloc)
        for k, v in self.headers.items():
            if k.lower() not in HOP and k.lower() not in ("host", "content-length"):
                conn.putheader(k, v)
        if data is not None:
            conn.putheader("Content-Length", str(len(data)))
        conn.endheaders(data)
        resp = conn.getresponse()
        body = resp.read() if self.command != "HEAD" else b""
        conn.close()
        out = [(k, v) for k, v in resp.getheaders() if k.lower() not in HOP]
        if self.command != "HEAD":
            out = [(k, v) for k, v in out if k.lower() != "content-length"]
            out.append(("Content-Length", str(len(body))))
        blob = self.is_blob() and resp.status in (200, 206)
        if blob and c.get("corrupt") and body:
            target = c["corrupt"]
            if target is True or target in self.path:
                i = len(body) // 2
                body = body[:i] + bytes([body[i] ^ 0xFF]) + body[i + 1:]
                self.note(resp.status, " (corrupted)")
                return self.answer(resp.status, out, body)
        if blob and "cut" in c and len(body) > c["cut"]:
            with lock:
                mine = not state["cut_done"]
                state["cut_done"] = True
            if mine:
                self.note(resp.status, f" (cut after {c['cut']} of {len(body)})")
                self.answer(resp.status, out, body[:c["cut"]])
                self.wfile.flush()
                self.close_connection = True
                self.connection.shutdown(2)
                return
        self.note(resp.status)
        if blob and c.get("slow"):
            self.send_response(resp.status)
            for k, v in out:
                self.send_header(k, v)
            self.end_headers()
            step = max(1, int(c["slow"]) // 10)
            for i in range(0, len(body), step):
                self.wfile.write(body[i:i + step])
                self.wfile.flush()
                time.sleep(0.1)
            return
        self.answer(resp.status, out, body, self.command != "HEAD")

    def handle_one_request(self):
        try:
            super().handle_one_request()
        except (BrokenPipeError, ConnectionResetError, OSError):
            self.close_connection = True

    do_GET = do_HEAD = do_POST = do_PUT = do_PATCH = do_DELETE = relay


class Storage(http.server.BaseHTTPRequestHandler):
    """Object storage a blob is redirected to: serves the registry's blob files."""
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def do_GET(self):
        auth = "yes" if self.headers.get("Authorization") else "no"
        log("log2", f"GET {self.path} range={self.headers.get('Range', '-')} auth={auth}")
        hexd = self.path.split("/blobs/sha256:")[-1].split("?")[0]
        path = os.path.join(DIR, "storage", "docker/registry/v2/blobs/sha256", hexd[:2], hexd, "data")
        if not all(ch in "0123456789abcdef" for ch in hexd) or not os.path.isfile(path):
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        body = open(path, "rb").read()
        start = 0
        rng = self.headers.get("Range", "")
        if rng.startswith("bytes=") and rng[6:].split("-")[0].isdigit():
            start = int(rng[6:].split("-")[0])
        self.send_response(206 if start else 200)
        if start:
            self.send_header("Content-Range", f"bytes {start}-{len(body) - 1}/{len(body)}")
        self.send_header("Content-Length", str(len(body) - start))
        self.send_header("Content-Type", "application/octet-stream")
        self.end_headers()
        self.wfile.write(body[start:])


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True


def main():
    srv = Server(("127.0.0.1", 0), Proxy)
    if os.path.isdir(os.path.join(DIR, "storage")):
        srv2 = Server(("127.0.0.2", 0), Storage)
        threading.Thread(target=srv2.serve_forever, daemon=True).start()
        with open(os.path.join(DIR, "port2.tmp"), "w") as f:
            f.write(str(srv2.server_address[1]))
        os.rename(os.path.join(DIR, "port2.tmp"), os.path.join(DIR, "port2"))
    with open(os.path.join(DIR, "port.tmp"), "w") as f:
        f.write(str(srv.server_address[1]))
    os.rename(os.path.join(DIR, "port.tmp"), os.path.join(DIR, "port"))
    srv.serve_forever()


main()
