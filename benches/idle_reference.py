#!/usr/bin/env python3
"""The plain reference for benches/memory.sh: the smallest IMAP IDLE client
Python's standard library makes (TLS with a CA file, login, EXAMINE, IDLE,
then block reading). Usage: idle_reference.py PORT USER PASSWORD CA_FILE"""
import imaplib
import ssl
import sys

port, user, password, ca_file = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
context = ssl.create_default_context(cafile=ca_file)
imap = imaplib.IMAP4_SSL("127.0.0.1", port, ssl_context=context)
imap.login(user, password)
imap.select("INBOX", readonly=True)
tag = imap._new_tag().decode()
imap.send(f"{tag} IDLE\r\n".encode())
if not imap.readline().startswith(b"+"):
    sys.exit("no IDLE")
print("idling", flush=True)
while imap.readline():
    pass
