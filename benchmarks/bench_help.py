"""Wall time of ``mlp-derivations --help`` in a fresh process (target < 0.3 s, issue 17).

Run on demand: ``python benchmarks/bench_help.py [--repeat R]``.  Prints the best and median of R
runs of ``python -m derivations --help`` (the console script's code path) and the load average,
since a busy machine inflates every figure; exits 1 if the best run misses the target.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time

TARGET = 0.3  # seconds (issue 17)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=10)
    args = parser.parse_args()
    times = []
    for _ in range(args.repeat):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "derivations", "--help"], capture_output=True, check=True)
        times.append(time.perf_counter() - start)
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(
        f"mlp-derivations --help: best {min(times):.3f} s, median {statistics.median(times):.3f} s "
        f"over {args.repeat} runs (target {TARGET} s; load average {load:.1f})"
    )
    return 0 if min(times) < TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
