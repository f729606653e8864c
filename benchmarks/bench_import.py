"""Time of ``import numeric`` in a fresh interpreter (target <= 0.2 s) and proof that it does not import SymPy.

Run on demand: ``python benchmarks/bench_import.py [--repeat R]``.
Each repeat starts a new Python process that times ``import numeric`` with ``time.perf_counter`` and
reports whether ``sympy`` (or scipy, matplotlib, sklearn, torch: heavy modules numeric loads only when
used) is in ``sys.modules`` afterwards; the script exits 1 if SymPy was imported or the target is missed.
Also prints ``import derivations`` for comparison and the slowest modules of ``-X importtime``.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys

TARGET = 0.2  # seconds (issue 2, item 10)
HEAVY = ("sympy", "scipy", "matplotlib", "sklearn", "torch")
SLOWEST_SHOWN = 8  # rows of -X importtime to print

PROBE = """
import json, sys, time
t0 = time.perf_counter()
import {module}
seconds = time.perf_counter() - t0
print(json.dumps({{"seconds": seconds, "loaded": [m for m in {heavy!r} if m in sys.modules]}}))
"""


def _probe(module: str) -> dict:
    code = PROBE.format(module=module, heavy=HEAVY)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    return json.loads(out)


def _importtime(module: str) -> list[tuple[int, str]]:
    """Cumulative microseconds per module from ``python -X importtime`` (stderr)."""
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", f"import {module}"], capture_output=True, text=True, check=True
    )
    rows = []
    for line in proc.stderr.splitlines():
        parts = line.split("|")
        if len(parts) == 3 and parts[1].strip().isdigit():
            rows.append((int(parts[1]), parts[2].rstrip()))
    return sorted(rows, reverse=True)[:SLOWEST_SHOWN]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7, help="fresh interpreters per module (best and median)")
    args = parser.parse_args()
    if args.repeat < 1:
        parser.error(f"--repeat must be >= 1, got {args.repeat}")
    status = 0
    for module in ("numeric", "derivations"):
        runs = [_probe(module) for _ in range(args.repeat)]
        times = [r["seconds"] for r in runs]
        loaded = sorted({m for r in runs for m in r["loaded"]})
        line = (
            f"import {module}: best {min(times) * 1e3:.0f} ms, median {statistics.median(times) * 1e3:.0f} ms "
            f"over {args.repeat} fresh interpreters; heavy modules loaded: {', '.join(loaded) or 'none'}"
        )
        if module == "numeric":
            met = min(times) <= TARGET
            line += f"; target <= {TARGET * 1e3:.0f} ms {'met' if met else 'NOT met'}"
            line += "; sympy NOT imported (good)" if "sympy" not in loaded else "; SYMPY IMPORTED (layering broken)"
            status = 0 if met and "sympy" not in loaded else 1
        print(line)
    print("slowest modules under `import numeric` (python -X importtime, cumulative):")
    for micro, name in _importtime("numeric"):
        print(f"    {micro / 1e3:7.1f} ms  {name.strip()}")
    return status


if __name__ == "__main__":
    sys.exit(main())
