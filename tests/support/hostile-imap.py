#!/usr/bin/env python3
"""vigie test support: a scripted IMAPS server on 127.0.0.1 that behaves
normally up to a point, then misbehaves on demand (driven by
tests/common/hostile.rs, `HostileServer`).

    hostile-imap.py DIR MODE [FIXTURE]

DIR      working directory: tls/cert.pem and tls/key.pem (made with openssl
         if missing, like dovecot-up.sh), commands.log (every command
         received, one per line). The port is printed on stdout.
MODE     what the server does:
  quiet      one unrelated message; everything answered normally
  literal    the ameli message's body FETCH announces a 1 GiB literal
             and streams it
  line       the SEARCH answer is one endless line
  trickle    the SEARCH answer comes one byte every 2 s, for ever
  stall      EXAMINE is never answered
  drop       the connection is cut halfway through a body
  big40      40 messages of 9 MB from an ameli sender
  bigprefix  FIXTURE followed by 12 MiB of padding (RFC822.SIZE > 10 MiB);
             partial fetches (BODY.PEEK[]<0.N>) are honoured
  idleok     IDLE is answered at once with a tagged OK (no continuation)
  tls11      TLS 1.1 at most (and everything else as quiet)
  keepalive  INBOX and Junk; during IDLE, Dovecot's "* OK Still here"
             every 2 s

The login is accepted whatever the credentials. Runs until killed.
"""

import itertools
import os
import re
import socket
import ssl
import subprocess
import sys
import threading
import time
import warnings

DIR, MODE = sys.argv[1], sys.argv[2]
FIXTURE = sys.argv[3] if len(sys.argv) > 3 else None
LOG = open(os.path.join(DIR, "commands.log"), "a", buffering=1)

AMELI_HEADER = (
    b"From: Assurance Maladie <assurance-maladie@info.ameli.fr>\r\n"
    b"To: alice@example.org\r\n"
    b"Subject: Votre compte ameli - Information de connexion\r\n"
    b"Date: Fri, 20 Nov 2026 10:15:00 +0100\r\n"
    b"Message-ID: <%d.hostile@info.ameli.fr>\r\n"
    b"MIME-Version: 1.0\r\n"
    b"Content-Type: text/plain; charset=utf-8\r\n\r\n"
)
UNRELATED = (
    b"From: Jardin <news@jardin.example>\r\nSubject: Semis d'hiver\r\n"
    b"Date: Fri, 20 Nov 2026 10:15:00 +0100\r\nMessage-ID: <1@jardin.example>\r\n\r\nBonjour.\r\n"
)


class Message:
    """A message: `lead` (its first bytes, header included) then what
    `body_chunks` generates (never held whole)."""

    def __init__(self, lead, size, body_chunks):
        self.lead, self.size, self.body_chunks = lead, size, body_chunks
        self.header = lead.split(b"\r\n\r\n", 1)[0] + b"\r\n\r\n"

    def chunks(self, start=0, length=None):
        """The message's bytes from `start`, `length` of them."""
        end = self.size if length is None else min(self.size, start + length)
        pos = 0
        for chunk in itertools.chain([self.lead], self.body_chunks()):
            lo, hi = max(start, pos), min(end, pos + len(chunk))
            if lo < hi:
                yield chunk[lo - pos : hi - pos]
            pos += len(chunk)
            if pos >= end:
                return


def padding(total, line=b"x" * 74 + b"\r\n"):
    block = line * (65536 // len(line))

    def gen():
        left = total
        while left > 0:
            yield block[:left]
            left -= len(block)

    return gen


def messages():
    if MODE in ("quiet", "idleok", "tls11", "keepalive"):
        return [Message(UNRELATED, len(UNRELATED), lambda: [])]
    if MODE == "big40":
        body = 9_000_000
        out = []
        for uid in range(1, 41):
            header = AMELI_HEADER % uid
            out.append(Message(header, len(header) + body, padding(body)))
        return out
    if MODE == "bigprefix":
        raw = open(FIXTURE, "rb").read().replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
        extra = 12 << 20
        return [Message(raw, len(raw) + extra, padding(extra))]
    header = AMELI_HEADER % 1
    return [Message(header, len(header) + 2000, padding(2000))]


MESSAGES = messages()


def uid_set(spec):
    uids = set()
    top = len(MESSAGES)
    for part in spec.split(","):
        lo, _, hi = part.partition(":")
        lo = top if lo == "*" else int(lo)
        hi = lo if not hi else (top if hi == "*" else int(hi))
        uids.update(range(min(lo, hi), max(lo, hi) + 1))
    return sorted(u for u in uids if 1 <= u <= top)


class Client:
    def __init__(self, conn):
        self.conn = conn
        self.buf = b""

    def send(self, data):
        self.conn.sendall(data)

    def line(self):
        while b"\r\n" not in self.buf:
            data = self.conn.recv(65536)
            if not data:
                raise EOFError
            self.buf += data
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line.decode("utf-8", "replace")

    def forever(self, data, every):
        while True:
            self.send(data)
            time.sleep(every)

    def serve(self):
        self.send(b"* OK [CAPABILITY IMAP4rev1 IDLE] hostile server ready\r\n")
        while True:
            line = self.line()
            LOG.write(line + "\n")
            tag, _, rest = line.partition(" ")
            cmd = rest.upper()
            if cmd.startswith("CAPABILITY"):
                self.send(b"* CAPABILITY IMAP4rev1 IDLE\r\n%s OK done\r\n" % tag.encode())
            elif cmd.startswith("LOGIN") or cmd.startswith("NOOP"):
                self.send(b"%s OK done\r\n" % tag.encode())
            elif cmd.startswith("LIST"):
                if MODE == "keepalive":
                    self.send(b'* LIST (\\HasNoChildren \\Junk) "/" Junk\r\n')
                self.send(b'* LIST (\\HasNoChildren) "/" INBOX\r\n%s OK done\r\n' % tag.encode())
            elif cmd.startswith("EXAMINE") or cmd.startswith("SELECT"):
                if MODE == "stall":
                    time.sleep(3600)
                n = len(MESSAGES)
                self.send(
                    b"* FLAGS (\\Seen)\r\n* %d EXISTS\r\n* OK [UIDVALIDITY 42] ok\r\n"
                    b"* OK [UIDNEXT %d] ok\r\n%s OK [READ-ONLY] done\r\n" % (n, n + 1, tag.encode())
                )
            elif cmd.startswith("UID SEARCH"):
                self.search(tag)
            elif cmd.startswith("UID FETCH"):
                self.fetch(tag, rest.split(" ", 3)[2], cmd)
            elif cmd.startswith("IDLE") and MODE == "idleok":
                self.send(b"%s OK done\r\n" % tag.encode())
            elif cmd.startswith("IDLE"):
                self.send(b"+ idling\r\n")
                self.idle()
                self.send(b"%s OK done\r\n" % tag.encode())
            elif cmd.startswith("LOGOUT"):
                self.send(b"* BYE bye\r\n%s OK done\r\n" % tag.encode())
                return
            else:
                self.send(b"%s BAD unknown\r\n" % tag.encode())

    def idle(self):
        """Until DONE; with keepalives in that mode."""
        if MODE != "keepalive":
            self.line()
            return
        self.conn.settimeout(2)
        try:
            while True:
                try:
                    self.line()
                    return
                except (socket.timeout, TimeoutError):
                    self.send(b"* OK Still here\r\n")
        finally:
            self.conn.settimeout(None)

    def search(self, tag):
        if MODE == "line":
            self.send(b"* SEARCH")
            self.forever(b" 1" * 32768, 0)
        if MODE == "trickle":
            self.send(b"* SEARCH")
            self.forever(b" ", 2)
        uids = " ".join(str(u) for u in range(1, len(MESSAGES) + 1)).encode()
        self.send(b"* SEARCH %s\r\n%s OK done\r\n" % (uids, tag.encode()))

    def fetch(self, tag, spec, cmd):
        partial = re.search(r"BODY\.PEEK\[(HEADER)?\]<(\d+)\.(\d+)>", cmd)
        for uid in uid_set(spec):
            m = MESSAGES[uid - 1]
            if "HEADER" in cmd:
                hdr = m.header
                if partial:
                    hdr = hdr[: int(partial.group(3))]
                self.send(
                    b"* %d FETCH (UID %d RFC822.SIZE %d BODY[HEADER]<0> {%d}\r\n%s)\r\n"
                    % (uid, uid, m.size, len(hdr), hdr)
                )
                continue
            if MODE == "literal":
                self.send(b"* %d FETCH (UID %d BODY[] {1073741824}\r\n" % (uid, uid))
                self.forever(b"y" * 65536, 0)
            start, length = (int(partial.group(2)), int(partial.group(3))) if partial else (0, None)
            size = (m.size if length is None else min(m.size - start, length))
            section = b"BODY[]<%d>" % start if partial else b"BODY[]"
            self.send(b"* %d FETCH (UID %d %s {%d}\r\n" % (uid, uid, section, size))
            sent = 0
            for chunk in m.chunks(start, length):
                if MODE == "drop" and sent + len(chunk) > size // 2:
                    self.conn.shutdown(socket.SHUT_RDWR)
                    raise EOFError
                self.send(chunk)
                sent += len(chunk)
            self.send(b")\r\n")
        self.send(b"%s OK done\r\n" % tag.encode())


def certificate():
    tls = os.path.join(DIR, "tls")
    os.makedirs(tls, exist_ok=True)
    cert, key = os.path.join(tls, "cert.pem"), os.path.join(tls, "key.pem")
    if not (os.path.exists(cert) and os.path.exists(key)):
        subprocess.run(
            ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
             "-days", "3650", "-subj", "/CN=localhost",
             "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
             "-addext", "basicConstraints=critical,CA:FALSE",
             "-addext", "extendedKeyUsage=serverAuth",
             "-keyout", key, "-out", cert],
            check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
    return cert, key


def handle(raw, context):
    try:
        with context.wrap_socket(raw, server_side=True) as conn:
            Client(conn).serve()
    except (EOFError, OSError, ssl.SSLError):
        pass


def main():
    cert, key = certificate()
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    if MODE == "tls11":
        warnings.simplefilter("ignore", DeprecationWarning)
        context.set_ciphers("DEFAULT:@SECLEVEL=0")
        context.minimum_version = ssl.TLSVersion.TLSv1
        context.maximum_version = ssl.TLSVersion.TLSv1_1
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    print(listener.getsockname()[1], flush=True)
    while True:
        raw, _ = listener.accept()
        threading.Thread(target=handle, args=(raw, context), daemon=True).start()


main()
