#!/usr/bin/env bash
# Resident memory of an idle `vigie run`: one account on the project's test
# Dovecot (tests/support/dovecot-up.sh: IMAPS on 127.0.0.1, self-signed
# certificate trusted through tls_ca_file), no mail, the agent in IDLE.
# Once the agent has synced (start-up over), every second it samples
# /proc/PID/status (VmRSS, VmHWM) and /proc/PID/smaps_rollup (Rss, Pss,
# Private_Clean, Private_Dirty, Shared_Clean) and the thread count, beside
# a plain reference in the same run (benches/idle_reference.py, Python's
# imaplib in IDLE). It prints the max idle VmRSS, the peak (VmHWM, start-up
# included), the final PSS and private memory, the CPU time spent idle, and
# the biggest mappings at the end (what each MiB is). Then it times
# `vigie check` (connect, TLS handshake, login, one pass) a few times.
#
# Run: benches/memory.sh                   (2 minutes idle, release build)
#      SECONDS_IDLE=20 benches/memory.sh   (quick run)
#      PROFILE=dist benches/memory.sh      (the .deb's build: fat LTO)
#      VIGIE_BIN=path benches/memory.sh    (an already built binary)
#      CHECKS=0 benches/memory.sh          (no `vigie check` timing)
#      DESKTOP=1 benches/memory.sh         (with a session bus and a
#                                           notification server, as on a desktop)
# Needs dovecot, doveadm and openssl (as the integration tests do). Works as
# root and without a desktop: no session bus is used.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH=$PATH:/usr/sbin:/sbin
SECONDS_IDLE=${SECONDS_IDLE:-120}
PROFILE=${PROFILE:-release}
CHECKS=${CHECKS:-10}

if [ -n "${VIGIE_BIN:-}" ]; then
  bin=$VIGIE_BIN
else
  cargo build --profile "$PROFILE" --quiet
  bin=target/$PROFILE/vigie
fi
for tool in dovecot doveadm openssl python3; do
  command -v "$tool" >/dev/null || { echo "memory.sh: $tool is missing" >&2; exit 2; }
done

# Under /tmp, world-searchable: as root, Dovecot's mail user must reach
# the Maildirs (the config and data dirs inside stay private).
work=$(mktemp -d /tmp/vigie-mem.XXXXXX)
chmod 755 "$work"
agent= reference=
cleanup() {
  # `if`, not `&&`: under `set -e` a failing last command of an `&&` list
  # (a reference already gone) would end the trap before Dovecot is stopped.
  if [ -n "$reference" ]; then kill "$reference" 2>/dev/null || true; fi
  if [ -n "$agent" ] && kill -0 "$agent" 2>/dev/null; then
    kill -TERM "$agent"; wait "$agent" 2>/dev/null || true
  fi
  tests/support/dovecot-down.sh "$work/imap" || true
  if [ -d "$work/session" ]; then tests/support/session-down.sh "$work/session" || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
DOVECOT_TEST_USERS="alice:secret" tests/support/dovecot-up.sh "$work/imap" "$port" >/dev/null
mkdir -m 700 "$work/config" "$work/data"
cat > "$work/config/config.toml" <<EOF
[[account]]
name = "Bench"
imap_host = "127.0.0.1"
imap_port = $port
username = "alice"
password_command = "printf secret"
tls_ca_file = "$work/imap/tls/cert.pem"
EOF
chmod 600 "$work/config/config.toml"
if [ "${DESKTOP:-0}" = 1 ]; then
  # As on a desktop: a private session bus with a notification server
  # (tests/support/session-up.sh); the agent listens there for clicks.
  eval "$(tests/support/session-up.sh "$work/session")"
else
  # No desktop: no notification server, no keyring.
  export DBUS_SESSION_BUS_ADDRESS=unix:path=/nonexistent/vigie-bench-bus
fi
vigie() { "$bin" --config "$work/config/config.toml" --data-dir "$work/data" "$@"; }

kib() { awk -v k="$1" '$1 == k":" { print $2 }' "$2"; }
mib() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }

# One process's CPU time so far, in nanoseconds: the sum over its threads
# of schedstat's time on a CPU (clock ticks would round an idle minute to 0).
cpu_ns() { cat /proc/"$1"/task/*/schedstat | awk '{ ns += $1 } END { printf "%d", ns }'; }

# Started directly (not through the function): $! must be vigie's PID.
"$bin" --config "$work/config/config.toml" --data-dir "$work/data" run 2>"$work/agent.log" &
agent=$!
# The reference, in the same run: Python's smallest IDLE client.
python3 benches/idle_reference.py "$port" alice secret "$work/imap/tls/cert.pem" >"$work/reference.out" &
reference=$!
for _ in $(seq 1 100); do
  grep -q "synced" "$work/agent.log" && grep -q "idling" "$work/reference.out" && break
  kill -0 "$agent" 2>/dev/null || { echo "vigie run exited:" >&2; cat "$work/agent.log" >&2; exit 1; }
  sleep 0.1
done
grep -q "synced" "$work/agent.log" || { echo "memory.sh: the agent never synced:" >&2; cat "$work/agent.log" >&2; exit 1; }
grep -q "idling" "$work/reference.out" || { echo "memory.sh: the Python reference never idled" >&2; exit 1; }
# Start-up and the first sync are over: what follows is the idle agent.
start_ns=$(cpu_ns "$agent")
max_rss=0 max_ref=0
echo "sampling pid $agent (vigie) and $reference (Python reference) for $SECONDS_IDLE s"
for t in $(seq 1 "$SECONDS_IDLE"); do
  sleep 1
  kill -0 "$agent" 2>/dev/null || { echo "vigie run exited:" >&2; cat "$work/agent.log" >&2; exit 1; }
  status=/proc/$agent/status rollup=/proc/$agent/smaps_rollup
  rss=$(kib VmRSS "$status")
  [ "$rss" -gt "$max_rss" ] && max_rss=$rss
  ref=$(kib VmRSS "/proc/$reference/status")
  [ "$ref" -gt "$max_ref" ] && max_ref=$ref
  pss=$(kib Pss "$rollup")
  private=$(( $(kib Private_Clean "$rollup") + $(kib Private_Dirty "$rollup") ))
  threads=$(ls "/proc/$agent/task" | wc -l)
  if [ "$t" -le 5 ] || [ $((t % 10)) -eq 0 ]; then
    printf '%4d s  VmRSS %6s KiB  Pss %6s KiB  private %6s KiB  threads %s   reference VmRSS %6s KiB\n' \
      "$t" "$rss" "$pss" "$private" "$threads" "$ref"
  fi
done
idle_ns=$(( $(cpu_ns "$agent") - start_ns ))
ref_hwm=$(kib VmHWM "/proc/$reference/status")
kill "$reference" 2>/dev/null || true

status=/proc/$agent/status rollup=/proc/$agent/smaps_rollup
echo
echo "--- final smaps_rollup"
grep -E '^(Rss|Pss|Pss_Anon|Pss_File|Shared_Clean|Shared_Dirty|Private_Clean|Private_Dirty|Anonymous):' "$rollup"
echo
echo "--- resident by mapping (KiB: Rss, Pss, private), largest first"
# Anonymous mappings are told apart by size: thread stacks (about 2 MiB
# each, or what std::thread::Builder::stack_size asked), the others one by
# one (a thread's malloc arena is the readable part of a 64 MiB reservation).
awk '
  /^[0-9a-f]+-[0-9a-f]+ / {
    addr = $1; name = $6; n = split(name, parts, "/"); name = parts[n]; anon = (name == "")
    next
  }
  $1 == "Size:" && anon {
    name = ($2 >= 1900 && $2 <= 2100) ? "[anon ~2 MiB: thread stacks]" : sprintf("[anon %d kB at %s]", $2, addr)
  }
  $1 == "Rss:" { rss[name] += $2 }
  $1 == "Pss:" { pss[name] += $2 }
  $1 == "Private_Clean:" || $1 == "Private_Dirty:" { priv[name] += $2 }
  END { for (m in rss) if (rss[m] > 0) printf "%7d %7d %7d  %s\n", rss[m], pss[m], priv[m], m }
' "/proc/$agent/smaps" | sort -rn | head -15

hwm=$(kib VmHWM "$status")
pss=$(kib Pss "$rollup")
private=$(( $(kib Private_Clean "$rollup") + $(kib Private_Dirty "$rollup") ))
threads=$(ls "/proc/$agent/task" | wc -l)
kill -TERM "$agent"; wait "$agent" 2>/dev/null || true
agent=

echo
echo "binary: $bin, $(stat -c %s "$bin") bytes"
echo "idle: max VmRSS $(mib "$max_rss") MiB over $SECONDS_IDLE s, sampled every second (target 10, aim 8)"
echo "peak: VmHWM $(mib "$hwm") MiB (start-up and first sync included)"
echo "final Pss: $(mib "$pss") MiB, private: $(mib "$private") MiB, threads: $threads"
echo "CPU while idle: $(awk -v ns="$idle_ns" -v s="$SECONDS_IDLE" \
  'BEGIN { printf "%.1f ms over %d s (%.2f s an hour)", ns / 1e6, s, ns / 1e9 * 3600 / s }')"
echo "reference (Python imaplib IDLE client): max VmRSS $(mib "$max_ref") MiB idle, VmHWM $(mib "$ref_hwm") MiB"

if [ "$CHECKS" -gt 0 ]; then
  vigie check >/dev/null 2>&1 || true # warm up
  start=$(date +%s%N)
  for _ in $(seq 1 "$CHECKS"); do vigie check >/dev/null 2>&1 || { echo "vigie check failed" >&2; exit 1; }; done
  end=$(date +%s%N)
  echo "vigie check (TLS connect, login, one pass): $(( (end - start) / CHECKS / 1000000 )) ms each, over $CHECKS"
  # The reference: curl (OpenSSL) connects, logs in and lists the folders.
  if command -v curl >/dev/null; then
    start=$(date +%s%N)
    for _ in $(seq 1 "$CHECKS"); do
      curl -s --cacert "$work/imap/tls/cert.pem" -u alice:secret "imaps://127.0.0.1:$port/" >/dev/null \
        || { echo "curl failed" >&2; exit 1; }
    done
    end=$(date +%s%N)
    echo "reference: curl with OpenSSL (TLS connect, login, LIST): $(( (end - start) / CHECKS / 1000000 )) ms each"
  fi
fi
