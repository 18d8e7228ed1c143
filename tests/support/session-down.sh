#!/usr/bin/env bash
# vigie test support: stop what session-up.sh DIR started (by its pid files,
# never by name). Safe to repeat.
set -euo pipefail

[ $# -eq 1 ] || { echo "usage: $0 DIR" >&2; exit 2; }
for entry in notify:python3 keyring:gnome-keyring-d dbus:dbus-daemon; do
  f=$1/${entry%%:*}.pid
  [ -s "$f" ] || continue
  pid=$(cat "$f")
  # Only signal the process if it still is the one we started.
  if [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = "${entry#*:}" ] &&
     kill -TERM "$pid" 2>/dev/null; then
    for _ in $(seq 50); do   # up to 2.5 s; a zombie counts as gone
      grep -qs '^State:.[^Z]' "/proc/$pid/status" || break
      sleep 0.05
    done
  fi
  rm -f "$f"
done
