"""Wall time of ``mlp-derivations verify`` in a fresh interpreter: section 5.1 (target <= 3 s) and everything.

Run on demand: ``python benchmarks/bench_verify.py [--repeat R] [--section S ...] [--skip-all] [--examples N]``.
Each run is ``python -m derivations verify --json [--section S]`` in a new process, so the time includes
starting Python, importing SymPy and registering every claim, exactly what a user waits for.  The best of
R runs is the figure least disturbed by other load on the machine; the median is printed too.  The
slowest claims (from the JSON ``seconds`` field of the fastest run) show where the time goes.  Works for
whatever claims are registered; a section without claims is reported, not an error.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time

TARGET_SECTION_51 = 3.0  # seconds on 2 cores (issue 2, item 10)
SLOWEST_SHOWN = 5  # claims listed per run, enough to see where the time goes


def _run(extra: list[str]) -> tuple[float, int, list[dict], str]:
    cmd = [sys.executable, "-m", "derivations", "verify", "--json", *extra]
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - t0
    try:
        claims = json.loads(proc.stdout) if proc.stdout.strip() else []
    except json.JSONDecodeError:
        claims = []
    return seconds, proc.returncode, claims, proc.stderr.strip()


def _bench(label: str, extra: list[str], repeat: int, target: float | None) -> None:
    runs = []
    for _ in range(repeat):
        seconds, code, claims, err = _run(extra)
        if code == 2:  # bad usage, e.g. a section with no claims yet: timing it means nothing
            print(f"{label}: not timed ({err})")
            return
        runs.append((seconds, code, claims))
    median = statistics.median(r[0] for r in runs)
    best, code, claims = min(runs, key=lambda r: r[0])  # the figures below all come from the fastest run
    ok = sum(1 for c in claims if c.get("ok"))
    in_claims = sum(c.get("seconds", 0.0) for c in claims)
    line = (
        f"{label}: best {best:.2f} s, median {median:.2f} s over {repeat} runs; {len(claims)} claims "
        f"({ok} as expected, exit {code}); {in_claims:.2f} s inside verify(), "
        f"{best - in_claims:.2f} s start-up and import"
    )
    if target is not None:
        line += f"; target <= {target:.1f} s {'met' if best <= target else 'NOT met'}"
    print(line)
    for c in sorted(claims, key=lambda c: -c.get("seconds", 0.0))[:SLOWEST_SHOWN]:
        print(f"    {c['seconds']:6.2f} s  {c['id']:<16} {c['title']}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs per figure (best and median printed)")
    parser.add_argument("--section", action="append", default=None, help="sections to time (default 5.1)")
    parser.add_argument("--skip-all", action="store_true", help="do not time the full verify")
    parser.add_argument("--examples", type=int, default=None, help="passed to verify (default: verify's own)")
    args = parser.parse_args()
    if args.repeat < 1:
        parser.error(f"--repeat must be >= 1, got {args.repeat}")
    common = [] if args.examples is None else ["--examples", str(args.examples)]
    for section in args.section or ["5.1"]:
        target = TARGET_SECTION_51 if section == "5.1" and not common else None
        _bench(f"verify --section {section}", ["--section", section, *common], args.repeat, target)
    if not args.skip_all:
        _bench("verify (all claims)", common, args.repeat, None)
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(
        f"1-minute load average at the end: {load:.2f} on {os.cpu_count()} cores (timings under load are upper bounds)"
    )


if __name__ == "__main__":
    main()
