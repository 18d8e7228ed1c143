#!/usr/bin/env bash
# vigie test support: stop the Dovecot started by dovecot-up.sh DIR (by its
# pid file; never by name).
# Safe to run when it is not running.
set -euo pipefail

[ $# -eq 1 ] || { echo "usage: $0 DIR" >&2; exit 2; }
PIDFILE=$1/run/master.pid
[ -s "$PIDFILE" ] || exit 0
PID=$(cat "$PIDFILE")

running() {  # a live (not zombie) dovecot process
  local st=/proc/$PID/status
  grep -qx 'Name:.dovecot' "$st" 2>/dev/null && ! grep -q '^State:.Z' "$st"
}

if running; then
  # The master sends BYE to clients, stops its children and exits, usually
  # in about 1.1 s. Now and then (a connection made while the server was
  # still starting) it lingers 6 s more with nothing left to do, so after
  # 2 s kill what is left: the master leads a process group of its own.
  kill -TERM "$PID"
  for _ in $(seq 40); do running || break; sleep 0.05; done
  if running; then
    kill -KILL -- "-$PID"
    for _ in $(seq 20); do running || break; sleep 0.05; done
  fi
fi
# The master's exit does not always end the imap processes that serve
# connections already open (they keep serving an idling client): end what
# is left of the master's process group, so that clients see the server go.
kill -KILL -- "-$PID" 2>/dev/null || true
rm -f "$PIDFILE"
