#!/usr/bin/env bash
# `vigie scan --json` the way users run it: 5,000 saved messages (the
# fixture corpus, cycled), 500 files per process, 10 processes one after
# the other, all on one core (taskset -c 0). Prints messages per second,
# and the start-up cost of one process on one file.
#
# Run: benches/scan-cli.sh   (builds the release binary first)
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
bin=target/release/vigie
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mapfile -t fixtures < <(ls tests/fixtures/*.eml | sort)
for i in $(seq 0 4999); do
  cp "${fixtures[$((i % ${#fixtures[@]}))]}" "$work/m$i.eml"
done
now() { date +%s%N; }
run_all() {
  for p in $(seq 0 9); do
    files=()
    for i in $(seq $((p * 500)) $((p * 500 + 499))); do files+=("$work/m$i.eml"); done
    taskset -c 0 "$bin" scan --json "${files[@]}" >/dev/null || [ $? -le 1 ]
  done
}
run_all # warm the page cache
best=0
for round in 1 2 3; do
  start=$(now); run_all; end=$(now)
  rate=$(( 5000 * 1000000000 / (end - start) ))
  echo "round $round: $(( (end - start) / 1000000 )) ms for 5000 messages in 10 processes: $rate messages/s"
  [ "$rate" -gt "$best" ] && best=$rate
done
start=$(now)
for i in $(seq 1 50); do taskset -c 0 "$bin" scan --json "$work/m0.eml" >/dev/null || true; done
end=$(now)
echo "start-up: one process on one file: $(( (end - start) / 50000 )) µs"
echo "best: $best messages/s (target 20000)"
