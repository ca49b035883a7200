#!/usr/bin/python3
"""The test registry's token service (Docker's token auth), on 127.0.0.1 only.

usage: token-service.py DIR
  DIR/token.key, DIR/token.crt   the signing key and its certificate (the registry's
                                 rootcertbundle)
  DIR/users      lines USER:PASS whose basic credentials it accepts
  DIR/refuse     when present, every token request is refused (401)
  DIR/token-port the port it listens on; DIR/token-log one line per request
Without credentials it grants nothing (the registry then answers 401); with good ones every
scope asked for; with bad ones 401.
"""
import base64
import http.server
import json
import os
import socketserver
import sys
import time
import urllib.parse
import uuid

import jwt
from cryptography import x509
from cryptography.hazmat.primitives import serialization

DIR = sys.argv[1]
KEY = open(os.path.join(DIR, "token.key"), "rb").read()
CERT = x509.load_pem_x509_certificate(open(os.path.join(DIR, "token.crt"), "rb").read())
X5C = base64.b64encode(CERT.public_bytes(serialization.Encoding.DER)).decode()
SERVICE, ISSUER = "ward-test", "ward-test-issuer"


def users():
    try:
        with open(os.path.join(DIR, "users")) as f:
            return {line.rstrip("\n").split(":", 1)[0]: line.rstrip("\n").split(":", 1)[1]
                    for line in f if ":" in line}
    except FileNotFoundError:
        return {}


class Token(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def reply(self, status, obj):
        body = json.dumps(obj).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        q = urllib.parse.parse_qs(urllib.parse.urlsplit(self.path).query)
        scopes = q.get("scope", [])
        auth = self.headers.get("Authorization", "")
        user = None
        with open(os.path.join(DIR, "token-log"), "a") as f:
            f.write(f"GET {self.path} auth={'yes' if auth else 'no'}\n")
        if os.path.exists(os.path.join(DIR, "refuse")):
            return self.reply(401, {"errors": [{"code": "UNAUTHORIZED", "message": "refused"}]})
        if auth.startswith("Basic "):
            try:
                name, _, pw = base64.b64decode(auth[6:]).decode().partition(":")
            except ValueError:
                name, pw = "", None
            if users().get(name) != pw:
                return self.reply(401, {"errors": [{"code": "UNAUTHORIZED",
                                                    "message": "bad credentials"}]})
            user = name
        access = []
        if user:
            for s in scopes:
                for one in s.split(" "):
                    kind, _, rest = one.partition(":")
                    name, _, actions = rest.rpartition(":")
                    if kind == "repository" and name:
                        access.append({"type": kind, "name": name,
                                       "actions": [a for a in actions.split(",") if a]})
        now = int(time.time())
        claims = {"iss": ISSUER, "sub": user or "", "aud": SERVICE, "exp": now + 300,
                  "nbf": now - 10, "iat": now, "jti": uuid.uuid4().hex, "access": access}
        tok = jwt.encode(claims, KEY, algorithm="RS256", headers={"x5c": [X5C]})
        self.reply(200, {"token": tok, "access_token": tok, "expires_in": 300,
                         "issued_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now))})


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True


srv = Server(("127.0.0.1", 0), Token)
with open(os.path.join(DIR, "token-port.tmp"), "w") as f:
    f.write(str(srv.server_address[1]))
os.rename(os.path.join(DIR, "token-port.tmp"), os.path.join(DIR, "token-port"))
srv.serve_forever()
