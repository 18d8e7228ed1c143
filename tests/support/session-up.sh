#!/usr/bin/env bash
# vigie test support (driven by tests/common/mod.rs, `Session`): start a
# private desktop-like session for tests, without any X server:
#   - a D-Bus session bus listening on DIR/bus (a Unix socket, no TCP),
#   - notify-capture.py owning org.freedesktop.Notifications and logging
#     every notification to DIR/notifications.jsonl,
#   - gnome-keyring-daemon (Secret Service) with an unlocked login keyring
#     kept under DIR/home.
#
#   eval "$(session-up.sh DIR)"     # exports DBUS_SESSION_BUS_ADDRESS
#
# The keyring password is KEYRING_PASSWORD (default "test"). Running it again
# while the session is up just prints the same line. Stop with session-down.sh.
set -euo pipefail

[ $# -eq 1 ] || { echo "usage: $0 DIR" >&2; exit 2; }
mkdir -p "$1"
DIR=$(cd "$1" && pwd)
HERE=$(cd "$(dirname "$0")" && pwd)
ADDR=unix:path=$DIR/bus
OUT="export DBUS_SESSION_BUS_ADDRESS=$ADDR"

alive() {  # alive NAME COMM: DIR/NAME.pid names a live process called COMM
  local st
  st=/proc/$(cat "$DIR/$1.pid" 2>/dev/null)/status
  grep -qx "Name:.$2" "$st" 2>/dev/null && ! grep -q '^State:.Z' "$st"
}
if alive dbus dbus-daemon && alive notify python3 && alive keyring gnome-keyring-d; then
  echo "$OUT"; exit 0
fi
"$HERE/session-down.sh" "$DIR"   # clear a half-started session

# The bus and the keyring get a HOME and runtime dir inside DIR, so nothing
# is written to the real home, even by a service the bus starts on demand,
# and sessions running side by side do not share a keyring.
mkdir -p "$DIR/home" "$DIR/runtime"
chmod 700 "$DIR/home" "$DIR/runtime"
private_env=(env -u XDG_DATA_HOME -u XDG_CONFIG_HOME -u XDG_CACHE_HOME
             HOME="$DIR/home" XDG_RUNTIME_DIR="$DIR/runtime")

# 1. The bus.
rm -f "$DIR/bus"
"${private_env[@]}" dbus-daemon --session --fork --nopidfile --address="$ADDR" \
  --print-pid=3 3>"$DIR/dbus.pid" </dev/null >/dev/null 2>"$DIR/dbus.log"
export DBUS_SESSION_BUS_ADDRESS=$ADDR

# 2. Notification capture.
/usr/bin/python3 "$HERE/notify-capture.py" "$DIR/notifications.jsonl" \
  </dev/null >"$DIR/notify.log" 2>&1 &
echo $! >"$DIR/notify.pid"

# 3. Keyring: creates (or opens) DIR/home/.local/share/keyrings/login.keyring
# and unlocks it with the password read from stdin.
printf %s "${KEYRING_PASSWORD:-test}" |
  "${private_env[@]}" gnome-keyring-daemon --foreground --unlock \
    --components=secrets >"$DIR/keyring.log" 2>&1 &
echo $! >"$DIR/keyring.pid"

for name in org.freedesktop.Notifications org.freedesktop.secrets; do
  if ! gdbus wait --session --timeout 10 "$name"; then
    echo "session-up.sh: $name did not appear; see $DIR/*.log" >&2; exit 1
  fi
done
echo "$OUT"
