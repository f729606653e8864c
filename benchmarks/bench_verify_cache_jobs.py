"""Wall time of the full ``mlp-derivations verify``: cache off vs cold vs warm, ``--jobs 1`` vs the default.

Run: ``python benchmarks/bench_verify_cache_jobs.py [--repeat R] [--section S]``.  Every run is a fresh
``python -m derivations verify --json`` (start-up, imports and registration included), with the cache
in a temporary directory of this script's own (``MLP_DERIVATIONS_CACHE_DIR``), so the user's cache is
neither read nor written.  Per repeat, in this order: ``--jobs 1 --no-cache`` (the state before the
cache and the workers), ``--jobs 1`` on an empty cache (cold: the cost of writing it), ``--jobs 1``
again (warm), the default jobs on a new empty cache (cold), and again (warm).  Prints best and median
of each, the speed-up against the first, and the load average (the machine is shared: figures under
load are upper bounds).  Targets (issue 18): warm <= 5 s, cold <= 12 s for the 41 claims.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

VARIANTS = [
    ("jobs 1, no cache (before)", ["--jobs", "1", "--no-cache"], "fresh-off"),
    ("jobs 1, cold cache", ["--jobs", "1"], "fresh"),
    ("jobs 1, warm cache", ["--jobs", "1"], "keep"),
    ("default jobs, cold cache", [], "fresh"),
    ("default jobs, warm cache", [], "keep"),
]


def _run(extra: list[str], cache_dir: str) -> tuple[float, int, int]:
    env = {**os.environ, "MLP_DERIVATIONS_CACHE_DIR": cache_dir}
    env.pop("MLP_DERIVATIONS_NO_CACHE", None)
    t0 = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "derivations", "verify", "--json", *extra],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    seconds = time.perf_counter() - t0
    claims = json.loads(proc.stdout) if proc.stdout.strip() else []
    return seconds, proc.returncode, len(claims)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--section", action="append", default=[], help="only this section (repeatable)")
    args = parser.parse_args()
    extra = [a for s in args.section for a in ("--section", s)]
    times: dict[str, list[float]] = {label: [] for label, _, _ in VARIANTS}
    with tempfile.TemporaryDirectory(prefix="mlp-derivations-bench-") as root:
        for r in range(args.repeat):
            cache_dir = None
            for k, (label, flags, mode) in enumerate(VARIANTS):
                if mode != "keep":
                    cache_dir = os.path.join(root, f"cache-{r}-{k}")
                load = os.getloadavg()[0]
                seconds, code, n = _run([*flags, *extra], cache_dir)
                times[label].append(seconds)
                print(f"  run {r + 1}: {label}: {seconds:.2f} s, exit {code}, {n} claims, load {load:.2f}", flush=True)
    base = min(times[VARIANTS[0][0]])
    print(
        f"\nloads (1, 5, 15 min) at the end: {', '.join(f'{v:.2f}' for v in os.getloadavg())}; {os.cpu_count()} cores"
    )
    for label, _, _ in VARIANTS:
        best, med = min(times[label]), statistics.median(times[label])
        print(f"{label:28s} best {best:7.2f} s  median {med:7.2f} s  ({base / best:.2f}x the first)")


if __name__ == "__main__":
    main()
