"""``mlp-derivations verify`` (the default subcommand): every selected claim verified, as a table or JSON.

``--section`` and ``--claim`` (both repeatable) select claims; ``--json`` prints
one array with an object per claim instead of the table; ``-v`` prints every
check's detail line; ``--jobs N`` verifies in N worker processes (default: the
cores; rows still in chapter order, each as soon as it and those above are
done); ``--no-cache`` bypasses the cache of symbolic results.  Exit status 0
iff every claim's verdict matches its expectation, 1 otherwise, 2 for an
unknown claim or section.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import sys

from .common import UsageError, non_negative_int, positive_int


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--section", action="append", metavar="S",
                        help="only claims of this section, e.g. 5.3 (repeatable)")
    parser.add_argument("--claim", action="append", metavar="ID",
                        help="only this claim id, e.g. 5.3.11 (repeatable)")
    parser.add_argument("--json", action="store_true", help="print one JSON array instead of a table")
    parser.add_argument("--examples", type=positive_int("--examples"), default=None, metavar="N",
                        help="Hypothesis examples per numeric check (default 25)")
    parser.add_argument("--seed", type=non_negative_int("--seed"), default=0, metavar="S",
                        help="seed for every random draw (default 0)")
    parser.add_argument("-v", "--details", action="store_true",
                        help="print every check's detail line, not only failures and errata")
    parser.add_argument("--jobs", "-j", type=positive_int("--jobs"), default=None, metavar="N",
                        help="worker processes verifying claims in parallel (default: the number of cores; "
                             "1: in this process)")
    parser.add_argument("--no-cache", action="store_true",
                        help="neither read nor write the cache of symbolic results (also: MLP_DERIVATIONS_NO_CACHE=1)")


def _selected(args: argparse.Namespace):
    import derivations

    everything = derivations.claims()
    chosen = everything
    if args.claim:
        for cid in args.claim:
            try:
                derivations.claim(cid)
            except KeyError as exc:
                raise UsageError(f"mlp-derivations verify: --claim {exc.args[0]}") from None
        chosen = [c for c in chosen if c.id in args.claim]
    if args.section:
        known = sorted({c.section for c in everything})
        unknown = [s for s in args.section if s not in known]
        if unknown:
            raise UsageError(
                f"mlp-derivations verify: --section {unknown[0]!r} has no claims; known sections: {', '.join(known)}"
            )
        chosen = [c for c in chosen if c.section in args.section]
    if not chosen:
        raise UsageError(
            f"mlp-derivations verify: no claim is both among --claim {' '.join(args.claim)} "
            f"and in --section {' '.join(args.section)}; nothing to verify"
        )
    return chosen


def _verdict(claim, result) -> str:
    if result.holds is None:
        return "ERROR"
    if claim.expected:
        return "ok" if result.holds else "FAILED"
    return "erratum found" if not result.holds else "ERRATUM NOT FOUND"


def _fmt_error(value: float | None) -> str:
    return "-" if value is None else f"{value:.1e}"


def run(args: argparse.Namespace) -> int:
    from derivations import cache

    chosen = _selected(args)
    with cache.disabled() if args.no_cache else contextlib.nullcontext():
        return _run(args, chosen)


def _run(args: argparse.Namespace, chosen) -> int:
    from derivations.runner import verify_all

    results = []
    out = sys.stdout
    id_width = max([len(c.id) for c in chosen] + [len("id")])
    # the longest method list a claim has today is 55 characters; titles are cut at 44
    widths = (id_width, 44, 55, 17, 9, 7)
    header = ("id", "title", "methods", "verdict", "max err", "time")
    if not args.json:
        print("  ".join(h.ljust(w) for h, w in zip(header, widths)).rstrip(), file=out)
        print("  ".join("-" * w for w in widths), file=out)
    for c, r in verify_all(chosen, jobs=args.jobs, examples=args.examples, seed=args.seed):
        results.append((c, r))
        if not args.json:
            title = c.title if len(c.title) <= widths[1] else c.title[: widths[1] - 1] + "…"
            row = (c.id, title, ",".join(r.methods), _verdict(c, r), _fmt_error(r.max_error), f"{r.seconds:.2f}s")
            print("  ".join(v.ljust(w) for v, w in zip(row, widths)).rstrip(), file=out, flush=True)
            if args.details or not r.ok or not c.expected:
                for check in r.checks:
                    if args.details or not r.ok or not check.ok:
                        print(f"    {check}", file=out)
    if args.json:
        payload = [
            {
                "id": c.id,
                "section": c.section,
                "title": c.title,
                "expected": c.expected,
                "holds": r.holds,
                "ok": r.ok,
                "seconds": r.seconds,
                "checks": [
                    {"method": k.method, "ok": k.ok, "detail": k.detail, "max_error": finite_or_none(k.max_error)}
                    for k in r.checks
                ],
            }
            for c, r in results
        ]
        json.dump(payload, out, indent=2, allow_nan=False)  # strict JSON: no NaN/Infinity tokens
        out.write("\n")
    else:
        bad = [c.id for c, r in results if not r.ok]
        errata = sum(1 for c, r in results if not c.expected and r.ok)
        total = sum(r.seconds for _, r in results)
        summary = f"{len(results) - len(bad)} of {len(results)} claims as expected"
        summary += f" ({errata} errata of the study note found)" if errata else ""
        summary += f" in {total:.1f}s"
        print(f"\n{summary}" + (f"; not as expected: {', '.join(bad)}" if bad else ""), file=out)
    return 0 if all(r.ok for _, r in results) else 1


def finite_or_none(value: float | None) -> float | None:
    """``value`` for JSON: a non-finite number (inf, NaN) has no JSON form, so it is written as null."""
    return value if value is None or math.isfinite(value) else None
