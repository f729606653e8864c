"""`mlp-derivations experiment ID|--list [--seeds N] [--out DIR] [--json]`: run one measured exercise (5.2.ex1-ex9).

Prints the experiment's table (a row per setting: mean, Student t 95%
interval over seeds, and what else was measured), its conclusion (computed
from the rows) and, with ``--out``, the path of its figure; ``--json`` prints
the same as one object.  A progress bar appears only on a terminal and never
with ``--json``.  An unknown ID prints the known ones and exits 2.
"""

from __future__ import annotations

import argparse
import json
import sys

from .common import UsageError, positive_int


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("id", nargs="?", metavar="ID", help="the experiment, e.g. 5.2.ex1 (see --list)")
    parser.add_argument("--list", action="store_true", help="list the experiments' ids and titles")
    parser.add_argument(
        "--seeds",
        type=positive_int("--seeds"),
        default=3,
        metavar="N",
        help="seeds per setting (timing experiments: batches of rounds); default 3",
    )
    parser.add_argument(
        "--out", metavar="DIR", default=None, help="write the figure to DIR/<ID>.png (created if missing)"
    )
    parser.add_argument("--json", action="store_true", help="print the result as one JSON object (no progress bar)")
    parser.add_argument(
        "--jobs",
        type=positive_int("--jobs"),
        default=None,
        metavar="N",
        help="worker processes for the training runs (default: every core; timing runs serially)",
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="tiny settings that only show the plumbing works (seconds; the numbers mean little)",
    )


def run(args: argparse.Namespace) -> int:
    from derivations.experiments import experiment, experiments

    if args.list:
        for e in experiments():
            print(f"{e.id:<9} {e.title}")
        return 0
    if args.id is None:
        raise UsageError("mlp-derivations experiment: give an experiment ID or --list")
    try:
        chosen = experiment(args.id)
    except KeyError as exc:
        raise UsageError(f"mlp-derivations experiment: {exc.args[0]}") from None
    try:
        result = chosen.run(
            seeds=args.seeds,
            out=args.out,
            jobs=args.jobs,
            quick=args.quick,
            progress=sys.stderr.isatty() and not args.json,
        )
    except (OSError, ValueError) as exc:
        print(f"mlp-derivations experiment: {exc}", file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps(result.as_dict(), indent=2))
        return 0
    print(f"{result.id}: {result.title}" + ("  [--quick: tiny settings]" if result.quick else ""))
    print(result.table())
    print(f"ci: {result.interval}")
    print(f"conclusion: {result.conclusion}")
    if result.figure is not None:
        print(f"figure: {result.figure}")
    print(f"time: {result.seconds:.1f} s")
    return 0
