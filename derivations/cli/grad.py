"""``mlp-derivations grad EXPR --wrt NAME [--matrix NAME=ROWS,COLS ...] [--claimed EXPR] [--latex]``.

Prints ∂EXPR/∂NAME in closed form (text, or LaTeX with ``--latex``), its shape, and the checks of
``Gradient.verify()``; with ``--claimed``, whether the claimed gradient equals it
(:func:`derivations.verify_gradient`), and a counterexample in full when it does not.  Exit status
0 if everything holds, 1 if a check fails or the claimed gradient is wrong, 2 for bad input.
"""

from __future__ import annotations

import argparse
import re

from .common import UsageError


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("expr", metavar="EXPR", help="a scalar expression, e.g. 'sum(tanh(W*x + b))'")
    parser.add_argument("--wrt", required=True, metavar="NAME", help="the matrix or scalar to differentiate by")
    parser.add_argument(
        "--matrix",
        action="append",
        default=[],
        metavar="NAME=ROWS,COLS",
        help="declare a matrix, sizes as integers or dimension names, e.g. W=h,d (repeatable)",
    )
    parser.add_argument("--claimed", metavar="EXPR", help="a gradient to check against the derived one")
    parser.add_argument("--latex", action="store_true", help="print the gradient as LaTeX")
    parser.add_argument("--seed", type=int, default=0, metavar="S", help="seed for the checks (default 0)")


def _matrices(specs: list[str]) -> dict:
    out: dict = {}
    for spec in specs:
        match = re.fullmatch(r"\s*([A-Za-z_]\w*)\s*=\s*(\w+)\s*,\s*(\w+)\s*", spec)
        if not match:
            raise ValueError(f"--matrix {spec!r} is not NAME=ROWS,COLS; expected e.g. --matrix W=h,d")
        if match.group(1) in out:
            raise ValueError(f"--matrix {match.group(1)} is declared twice")
        out[match.group(1)] = (match.group(2), match.group(3))
    return out


def run(args: argparse.Namespace) -> int:
    from derivations import gradient, verify_gradient

    if args.seed < 0:
        raise UsageError(f"mlp-derivations grad: --seed {args.seed} must be a non-negative integer")
    try:
        matrices = _matrices(args.matrix)
        G = gradient(args.expr, args.wrt, matrices=matrices)
        claimed = (
            verify_gradient(args.expr, args.wrt, args.claimed, matrices=matrices, seed=args.seed)
            if args.claimed
            else None
        )
    except (ValueError, KeyError) as exc:
        raise UsageError(f"mlp-derivations grad: {' '.join(str(exc).split())}") from None
    shape = "scalar" if not G.shape else f"{G.shape[0]}×{G.shape[1]}"
    print(f"∂f/∂{args.wrt} = {G.latex if args.latex else G}")
    print(f"shape: {shape}")
    result = G.verify(seed=args.seed)
    for c in result.checks:
        print(f"  {'✓' if c.ok else '✗'} {c.method}: {c.detail}")
    ok = result.ok
    if claimed is not None:
        verdict = claimed.verdicts[0]
        print(f"claimed {args.claimed}: {verdict}" + ("" if claimed.ok else f" -- {claimed.steps[0].detail}"))
        if claimed.counterexample:
            print("counterexample (exact):")
            for k, v in claimed.counterexample.items():
                print(f"  {k} = {v.tolist() if hasattr(v, 'tolist') else v}")
        ok = ok and claimed.ok
    return 0 if ok else 1
