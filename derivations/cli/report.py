"""``mlp-derivations report --html FILE``: the verification report as one self-contained page.

Every claim (or ``--section``) is verified in worker processes as ``verify`` does, then written
with :func:`derivations.report_html.write_html`: the claim table by section, statements as MathML,
errata with the note's words and the correction, figures embedded; no script and no network needed
to read it.  Exit status 0 iff every claim is as expected, 1 otherwise (the page is written either
way), 2 for bad usage.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .common import UsageError, dpi, non_negative_int, positive_int


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--html", metavar="FILE", required=True, help="write the page to FILE (e.g. report.html)")
    parser.add_argument("--section", action="append", metavar="S", help="only claims of this section (repeatable)")
    parser.add_argument(
        "--examples",
        type=positive_int("--examples"),
        default=None,
        metavar="N",
        help="Hypothesis examples per numeric check (default 25)",
    )
    parser.add_argument("--seed", type=non_negative_int("--seed"), default=0, metavar="S", help="seed (default 0)")
    parser.add_argument(
        "--jobs",
        "-j",
        type=positive_int("--jobs"),
        default=None,
        metavar="N",
        help="verify in N worker processes (default: the number of cores)",
    )
    parser.add_argument("--no-figures", action="store_true", help="leave the figures out (no matplotlib needed)")
    parser.add_argument(
        "--dpi",
        type=dpi,
        default=None,
        metavar="D",
        help="resolution of the embedded figures (default 72: the page stays under ~0.5 MB)",
    )


def run(args: argparse.Namespace) -> int:
    import derivations
    from derivations.report_html import FIGURE_DPI, write_html
    from derivations.runner import verify_all

    path = Path(args.html)
    if path.is_dir() or not (path.parent if str(path.parent) else Path(".")).is_dir():
        raise UsageError(f"mlp-derivations report: cannot write --html {args.html}: no such directory or it is one")
    everything = derivations.claims()
    known = sorted({c.section for c in everything})
    for section in args.section or []:
        if section not in known:
            raise UsageError(
                f"mlp-derivations report: --section {section!r} has no claims; known sections: {', '.join(known)}"
            )
    chosen = [c for c in everything if not args.section or c.section in args.section]
    results = [r for _, r in verify_all(chosen, jobs=args.jobs, examples=args.examples, seed=args.seed)]
    try:
        write_html(
            path, results, claims=chosen, figures=not args.no_figures, seed=args.seed, dpi=args.dpi or FIGURE_DPI
        )
    except OSError as exc:
        print(f"mlp-derivations report: cannot write --html {args.html}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    bad = [r.claim_id for r in results if not r.ok]
    print(
        f"wrote {path}: {len(results) - len(bad)} of {len(results)} claims as expected"
        + (f"; not as expected: {', '.join(bad)}" if bad else "")
    )
    return 0 if not bad else 1
