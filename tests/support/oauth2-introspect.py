#!/usr/bin/env python3
"""vigie test support: a stand-in OAuth2 token introspection endpoint
(RFC 7662) for Dovecot's oauth2 passdb, on 127.0.0.1 only.

    oauth2-introspect.py TOKENS_FILE LOGFILE

Answers every POST (form field `token`) with
`{"active": true, "username": USER}` when TOKENS_FILE has a line
`TOKEN USER`, else `{"active": false}`. TOKENS_FILE is read again on each
request, so a test can issue, rotate or revoke tokens while it runs. Each
request is logged to LOGFILE as one JSON line (the token's first 8
characters only). Prints `ready PORT` once listening on a free port.
"""
import json
import sys
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, HTTPServer

TOKENS, LOG = sys.argv[1], sys.argv[2]


def users():
    try:
        with open(TOKENS) as f:
            return dict(line.split(None, 1) for line in f.read().splitlines() if line.strip())
    except OSError:
        return {}


class Introspect(BaseHTTPRequestHandler):
    def answer(self, token):
        user = users().get(token or "")
        body = {"active": True, "username": user.strip()} if user else {"active": False}
        with open(LOG, "a") as log:
            log.write(json.dumps({"time": time.time(), "token": (token or "")[:8], "active": bool(user)}) + "\n")
        data = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        form = urllib.parse.parse_qs(self.rfile.read(length).decode())
        self.answer(form.get("token", [None])[0])

    def do_GET(self):
        auth = self.headers.get("Authorization", "")
        query = urllib.parse.parse_qs(urllib.parse.urlparse(self.path).query)
        token = auth[7:] if auth.startswith("Bearer ") else query.get("access_token", [None])[0]
        self.answer(token)

    def log_message(self, *args):
        pass


server = HTTPServer(("127.0.0.1", 0), Introspect)
print("ready", server.server_address[1], flush=True)
server.serve_forever()
