"""``mlp-derivations list`` (this module is not named list.py, which would shadow the builtin in the package): the claim ids and titles, in chapter order (``--section`` to narrow).

Nothing is verified; errata of the study note are marked.  Exit status 2 for an unknown section.
"""

from __future__ import annotations

import argparse
import sys

from .common import UsageError


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--section", action="append", metavar="S", help="only claims of this section, e.g. 5.3 (repeatable)"
    )


def run(args: argparse.Namespace) -> int:
    import derivations

    everything = derivations.claims()
    known = sorted({c.section for c in everything})
    for section in args.section or []:
        if section not in known:
            raise UsageError(
                f"mlp-derivations list: --section {section!r} has no claims; known sections: {', '.join(known)}"
            )
    chosen = [c for c in everything if not args.section or c.section in args.section]
    width = max(len(c.id) for c in chosen)
    for c in chosen:
        mark = "" if c.expected else "(erratum of the study note) "
        print(f"{c.id.ljust(width)}  {mark}{c.title}", file=sys.stdout)
    return 0
