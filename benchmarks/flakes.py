"""Flakes: the test suite (or some files of it) under many Hypothesis seeds; target 0 failures in 50 seeds.

Run on demand, never in CI: ``python benchmarks/flakes.py [--seeds 50] [--start 0] [--all | FILE ...]``.
Each seed is one ``python -m pytest -q -p no:cacheprovider -p no:randomly --hypothesis-seed=N`` run in a
fresh process under the ``dev`` Hypothesis profile (random, not derandomized: the ``ci`` profile would
ignore the seed, so ``CI`` is removed from the child's environment).  Without ``--all`` or files it runs
the test files that use Hypothesis (a full-suite run takes minutes on the busy 2-core machine; 50 of them
do not fit in an afternoon).  Prints one line per seed (time, counts, failed test ids) and a summary; the
exit status is 1 if any seed failed.  Replay a failure with the printed command.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def hypothesis_files() -> list[str]:
    """The test files that import Hypothesis (strategies.py and conftest.py are not tests)."""
    return [
        str(p.relative_to(ROOT))
        for p in sorted((ROOT / "tests").glob("test_*.py"))
        if re.search(r"^\s*(from|import) hypothesis", p.read_text(encoding="utf-8"), re.M)
    ]


def run_seed(seed: int, files: list[str], extra: list[str]) -> tuple[float, int, str, list[str]]:
    """(seconds, pytest's exit code, its summary line, the failed test ids) for one seed."""
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    env["MLP_DERIVATIONS_PROFILE"] = "dev"
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH", "")) if p)
    cmd = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:randomly",
           f"--hypothesis-seed={seed}", *extra, *files]  # fmt: skip
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, env=env, check=False)
    seconds = time.perf_counter() - t0
    lines = proc.stdout.strip().splitlines()
    summary = lines[-1] if lines else proc.stderr.strip()[-200:]
    failed = [ln.split(" ", 1)[1].split(" - ")[0] for ln in lines if ln.startswith(("FAILED ", "ERROR "))]
    return seconds, proc.returncode, summary, failed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="*", help="test files (default: those using Hypothesis)")
    parser.add_argument("--seeds", type=int, default=50, help="how many seeds (default 50)")
    parser.add_argument("--start", type=int, default=0, help="first seed (default 0)")
    parser.add_argument("--all", action="store_true", help="the whole suite instead of the Hypothesis files")
    parser.add_argument("--pytest-arg", action="append", default=[], help="passed to pytest (repeatable), e.g. -x")
    args = parser.parse_args(argv)
    if args.seeds < 1:
        parser.error(f"--seeds {args.seeds} is not allowed; expected a positive number of seeds")
    files = [] if args.all else (args.files or hypothesis_files())
    print(f"{args.seeds} seeds from {args.start}: {'the whole suite' if args.all else ' '.join(files)}", flush=True)
    t0 = time.perf_counter()
    bad: dict[int, list[str]] = {}
    for seed in range(args.start, args.start + args.seeds):
        seconds, code, summary, failed = run_seed(seed, files, args.pytest_arg)
        if code != 0:
            bad[seed] = failed or [summary]
        print(f"seed {seed:4d}: {seconds:6.1f} s  exit {code}  {summary}", flush=True)
        for test in failed:
            print(f"    FAILED {test}  (replay: python -m pytest -p no:randomly --hypothesis-seed={seed} '{test}')")
    total = time.perf_counter() - t0
    print(f"{args.seeds} seeds in {total:.0f} s ({total / args.seeds:.0f} s per seed); failing seeds: {len(bad)}"
          + (f" ({', '.join(map(str, bad))})" if bad else ""))  # fmt: skip
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
