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
import re
import sys
import textwrap

from .common import UsageError, non_negative_int, positive_int


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--section", action="append", metavar="S", help="only claims of this section, e.g. 5.3 (repeatable)"
    )
    parser.add_argument("--claim", action="append", metavar="ID", help="only this claim id, e.g. 5.3.11 (repeatable)")
    parser.add_argument("--json", action="store_true", help="print one JSON array instead of a table")
    parser.add_argument(
        "--examples",
        type=positive_int("--examples"),
        default=None,
        metavar="N",
        help="Hypothesis examples per numeric check (default 25)",
    )
    parser.add_argument(
        "--seed", type=non_negative_int("--seed"), default=0, metavar="S", help="seed for every random draw (default 0)"
    )
    parser.add_argument(
        "-v", "--details", action="store_true", help="print every check's detail line, not only failures and errata"
    )
    parser.add_argument(
        "--jobs",
        "-j",
        type=positive_int("--jobs"),
        default=None,
        metavar="N",
        help="worker processes verifying claims in parallel (default: the number of cores; 1: in this process)",
    )
    parser.add_argument(
        "--no-cache",
        action="store_true",
        help="neither read nor write the cache of symbolic results (also: MLP_DERIVATIONS_NO_CACHE=1)",
    )


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
        crashed = any(c.method == "error" for c in result.checks)
        return "ERROR" if crashed or claim.expected else "UNDETERMINED"
    if claim.expected:
        return "ok" if result.holds else "FAILED"
    return "erratum found" if not result.holds else "ERRATUM NOT FOUND"


_STEP = re.compile(r"\bstep (\d+):")


def check_line(claim, check) -> str:
    """One check as a line under its claim: ``✓ method: detail`` or ``✗ method: detail``.

    Under an erratum (a claim of the study note expected to fail) a failing check that tests the
    note's statement (``check.refutes``) is what the project found, not a failure of the project: it reads ``✗ the note's step N fails (method): ...``
    (or ``the note's statement fails`` where the detail names no step).
    """
    err = "" if check.max_error is None else f" (max error {check.max_error:.3g})"
    if check.ok:
        return f"✓ {check.method}: {check.detail}{err}"
    if not claim.expected and check.refutes and check.method != "error":
        step = _STEP.search(check.detail)
        what = f"the note's step {step.group(1)} fails" if step else "the note's statement fails"
        return f"✗ {what} ({check.method}): {check.detail}{err}"
    return f"✗ {check.method}: {check.detail}{err}"


def _fmt_error(value: float | None) -> str:
    return "-" if value is None else f"{value:.1e}"


#: Column widths of the table: title and methods wrap onto further lines instead of being cut.
TITLE_WIDTH = 44
METHODS_WIDTH = 36


def table_rows(claim, result, id_width: int) -> list[str]:
    """The claim's row of the table, its title and methods wrapped within their columns."""
    title = textwrap.wrap(claim.title, TITLE_WIDTH) or [""]
    methods = textwrap.wrap(", ".join(result.methods), METHODS_WIDTH) or [""]
    first = (
        claim.id,
        title[0],
        methods[0],
        _verdict(claim, result),
        _fmt_error(result.max_error),
        f"{result.seconds:.2f}s",
    )
    widths = (id_width, TITLE_WIDTH, METHODS_WIDTH, 17, 9, 7)
    lines = ["  ".join(v.ljust(w) for v, w in zip(first, widths)).rstrip()]
    for k in range(1, max(len(title), len(methods))):
        more = ("", title[k] if k < len(title) else "", methods[k] if k < len(methods) else "")
        lines.append("  ".join(v.ljust(w) for v, w in zip(more, widths)).rstrip())
    return lines


def run(args: argparse.Namespace) -> int:
    from derivations.claims import MAX_EXAMPLES

    if args.examples is not None and args.examples > MAX_EXAMPLES:
        raise UsageError(
            f"mlp-derivations verify: --examples {args.examples} is too many; expected at most {MAX_EXAMPLES:,} "
            f"per check (the thorough test profile draws 1,000)"
        )

    from derivations import cache

    chosen = _selected(args)
    with cache.disabled() if args.no_cache else contextlib.nullcontext():
        return _run(args, chosen)


def _run(args: argparse.Namespace, chosen) -> int:
    from derivations.runner import verify_all

    results = []
    out = sys.stdout
    id_width = max([len(c.id) for c in chosen] + [len("id")])
    widths = (id_width, TITLE_WIDTH, METHODS_WIDTH, 17, 9, 7)
    header = ("id", "title", "methods", "verdict", "max err", "time")
    if not args.json:
        print("  ".join(h.ljust(w) for h, w in zip(header, widths)).rstrip(), file=out)
        print("  ".join("-" * w for w in widths), file=out)
    for c, r in verify_all(chosen, jobs=args.jobs, examples=args.examples, seed=args.seed):
        results.append((c, r))
        if not args.json:
            print("\n".join(table_rows(c, r, id_width)), file=out, flush=True)
            if args.details or not r.ok or not c.expected:
                for check in r.checks:
                    if args.details or not r.ok or not check.ok:
                        print(f"    {check_line(c, check)}", file=out)
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
        summary += f" ({errata} {'erratum' if errata == 1 else 'errata'} of the study note found)" if errata else ""
        summary += f" in {total:.1f}s"
        print(f"\n{summary}" + (f"; not as expected: {', '.join(bad)}" if bad else ""), file=out)
    return 0 if all(r.ok for _, r in results) else 1


def finite_or_none(value: float | None) -> float | None:
    """``value`` for JSON: a non-finite number (inf, NaN) has no JSON form, so it is written as null."""
    return value if value is None or math.isfinite(value) else None
