#!/usr/bin/env python3
"""Runs the test executables of one `cargo test --no-run` build, several at a
time, and reports each one's output and duration.

Usage: run-tests.py BUILD.json [JOBS]

BUILD.json holds the JSON messages of
`cargo test --all-targets --no-run --message-format=json-render-diagnostics`;
the executables run are those `cargo test --lib --bins --tests` runs.
`cargo test` runs its executables one after the other, and most of them spend
their time waiting on real servers, deadlines and D-Bus: run side by side
they take as long as the slowest one instead of the sum. Every test still
runs, in its own executable, with its usual harness arguments; each
executable's output is printed whole when it ends, never interleaved.

Executables whose tests all wait on long deadlines (SLOW below) start first
and run with one test thread per test, so that their waits overlap.
"""

import json
import os
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

# Executables to start first, slowest first (seconds measured in CI), and
# the test threads each gets (their tests wait on deadlines, not the CPU).
SLOW = {
    "hostile_server": 16,
    "browser_logins": None,
    "setup_mistakes": None,
    "xoauth2": None,
    "imap": None,
    "reload": None,
    "desktop_sink": None,
}


def executables(build_json):
    """(label, path, target name) for each test executable of the build."""
    found = []
    with open(build_json, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if not line.startswith("{"):
                continue
            msg = json.loads(line)
            if msg.get("reason") != "compiler-artifact" or not msg.get("executable"):
                continue
            if not msg.get("profile", {}).get("test"):
                continue
            target = msg["target"]
            # Benches and examples are built (and linted) with the tests but
            # run by hand: cargo test --lib --bins --tests runs these kinds.
            if not set(target["kind"]) & {"lib", "bin", "test"}:
                continue
            src = os.path.relpath(target["src_path"])
            kind = "unittests " if target["kind"] != ["test"] else ""
            found.append((f"{kind}{src}", msg["executable"], target["name"]))
    order = list(SLOW)
    found.sort(key=lambda e: order.index(e[2]) if e[2] in order else len(order))
    return found


def main():
    build_json = sys.argv[1]
    jobs = int(sys.argv[2]) if len(sys.argv) > 2 else 4
    todo = executables(build_json)
    if not todo:
        print("run-tests.py: no test executable in the build", file=sys.stderr)
        return 1
    lock = threading.Lock()
    results = []

    def run(entry):
        label, path, name = entry
        env = dict(os.environ)
        threads = SLOW.get(name)
        if threads:
            env["RUST_TEST_THREADS"] = str(threads)
        # libtest's --report-time needs -Z unstable-options, which the stable
        # harness accepts with RUSTC_BOOTSTRAP=1 (set for the test
        # executable only: cargo would rebuild everything if it saw it).
        env["RUSTC_BOOTSTRAP"] = "1"
        started = time.monotonic()
        proc = subprocess.run(
            [path, "-Z", "unstable-options", "--report-time"],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            env=env,
        )
        took = time.monotonic() - started
        with lock:
            print(f"\n     Running {label} ({os.path.relpath(path)}) in {took:.1f} s", flush=True)
            sys.stdout.buffer.write(proc.stdout)
            sys.stdout.flush()
            results.append((took, label, proc.returncode))

    with ThreadPoolExecutor(max_workers=jobs) as pool:
        list(pool.map(run, todo))

    print("\nrun-tests.py: test executables by duration")
    for took, label, code in sorted(results, reverse=True):
        print(f"  {took:7.1f} s  {'ok    ' if code == 0 else 'FAILED'}  {label}")
    failed = [label for _, label, code in results if code != 0]
    if failed:
        print(f"run-tests.py: FAILED: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
