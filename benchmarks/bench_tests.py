"""Wall time of the test suite: ``python -m pytest -q`` in a fresh process, with pytest's summary line.

Run on demand: ``python benchmarks/bench_tests.py [pytest args ...]``, e.g.
``benchmarks/bench_tests.py`` (the whole suite, as the README's test command runs it) or
``benchmarks/bench_tests.py tests/test_gradcheck.py``.  Set ``MLP_DERIVATIONS_PROFILE`` (dev, ci,
thorough) to time another Hypothesis profile.  ``--durations`` lists the slowest tests.  The whole
suite occupies both cores for minutes: run it when the machine is otherwise idle.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time

SLOWEST_SHOWN = 10  # pytest --durations rows


def main() -> int:
    args = sys.argv[1:]
    cmd = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", f"--durations={SLOWEST_SHOWN}", *args]
    profile = os.environ.get("MLP_DERIVATIONS_PROFILE", "ci" if os.environ.get("CI") else "dev")
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - t0
    lines = proc.stdout.splitlines()
    summary = next((ln for ln in reversed(lines) if " in " in ln and ("passed" in ln or "failed" in ln)), "")
    start = next((i for i, ln in enumerate(lines) if "slowest" in ln and "durations" in ln), None)
    if start is not None:
        for ln in lines[start : start + SLOWEST_SHOWN + 1]:
            print(ln)
    print(
        f"pytest {' '.join(args) or '(whole suite)'} [profile {profile}]: {seconds:.1f} s wall, "
        f"exit {proc.returncode}; {summary.strip('= ') or 'no summary line'}"
    )
    return proc.returncode


if __name__ == "__main__":
    sys.exit(main())
