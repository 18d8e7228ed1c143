#!/usr/bin/env python3
"""vigie test support: run a command and write its peak resident memory.

    maxrss.py OUT_FILE COMMAND [ARG...]

Runs COMMAND (stdin, stdout and stderr inherited), then writes the peak
resident set size of it and its children, in KiB (getrusage's ru_maxrss),
to OUT_FILE, and exits with COMMAND's status."""

import resource
import subprocess
import sys

status = subprocess.run(sys.argv[2:]).returncode
with open(sys.argv[1], "w") as out:
    out.write("%d\n" % resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
sys.exit(status if status >= 0 else 128 - status)
