"""``mlp-derivations chain EXPR EXPR ... [--matrix NAME=ROWS,COLS ...]``: check a chain of equalities.

Prints one line per step (``✓ proved``, ``✓ tested on N points``, ``✗ reason``)
and, for the first failing step, its counterexample in full and exactly (every
entry; integers and fractions such as 1/2, floats as their exact round-trip repr).  Exit status 0 if every
step holds, 1 if one fails, 2 for a parse error or a bad ``--matrix`` (one
line on stderr).  The expression grammar is :func:`derivations.chain.parse`'s.
"""

from __future__ import annotations

import argparse
import re
from fractions import Fraction

from .common import UsageError


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "steps",
        nargs="*",
        metavar="EXPR",
        help="two or more expressions, e.g. 'W2*(W1*x + b1) + b2' '(W2*W1)*x + (W2*b1 + b2)'",
    )
    parser.add_argument(
        "--matrix",
        action="append",
        default=[],
        metavar="NAME=ROWS,COLS",
        help="declare a matrix, sizes as integers or dimension names, e.g. W1=h,d (repeatable)",
    )
    parser.add_argument(
        "--symbol",
        action="append",
        default=[],
        metavar="NAME=DOMAIN",
        help="declare a scalar's domain: real (the default), positive, integer or complex, "
        "e.g. p=positive (repeatable)",
    )
    parser.add_argument("--seed", type=int, default=0, metavar="S", help="seed for the random points (default 0)")


def _symbol_spec(spec: str) -> tuple[str, str]:
    match = re.fullmatch(r"\s*([A-Za-z_]\w*)\s*=\s*(\w+)\s*", spec)
    if not match:
        raise ValueError(f"--symbol {spec!r} is not NAME=DOMAIN; expected e.g. --symbol p=positive")
    return match.group(1), match.group(2)


def _matrix_spec(spec: str) -> tuple[str, tuple[str, str]]:
    match = re.fullmatch(r"\s*([A-Za-z_]\w*)\s*=\s*(\w+)\s*,\s*(\w+)\s*", spec)
    if not match:
        raise ValueError(f"--matrix {spec!r} is not NAME=ROWS,COLS; expected e.g. --matrix W1=h,d or --matrix x=3,1")
    return match.group(1), (match.group(2), match.group(3))


def _exact(v) -> str:
    """One value exactly: ints, fractions (1/2), floats and complex numbers as Python writes them
    (their repr reads back to the same binary value)."""
    import numpy as np

    if isinstance(v, (bool, int, np.integer)):
        return str(int(v))
    if isinstance(v, Fraction):
        return str(v)
    if isinstance(v, (complex, np.complexfloating)):
        return repr(complex(v))
    if hasattr(v, "as_real_imag"):  # a SymPy number, e.g. the Gaussian rational 4*I: exact as SymPy writes it
        return str(v)
    return repr(float(v))


def _full(value) -> str:
    """A counterexample value in full, every entry exact: a matrix as [[row], [row], ...]."""
    import numpy as np  # here, not at import: building the parser needs no NumPy

    if isinstance(value, np.ndarray):
        return "[" + ", ".join("[" + ", ".join(_exact(v) for v in row) + "]" for row in value) + "]"
    return _exact(value)


def run(args: argparse.Namespace) -> int:
    from derivations.chain import verify_chain

    if len(args.steps) < 2:
        raise UsageError("mlp-derivations chain: give at least two expressions, e.g. chain 'A*(B+C)' 'A*B + A*C'")
    if args.seed < 0:
        raise UsageError(f"mlp-derivations chain: --seed {args.seed} must be a non-negative integer")
    matrices: dict = {}
    try:
        for spec in args.matrix:
            name, shape = _matrix_spec(spec)
            if name in matrices:
                raise ValueError(f"--matrix {name} is declared twice")
            matrices[name] = shape
        symbols: dict = {}
        for spec in args.symbol:
            name, domain = _symbol_spec(spec)
            if name in symbols:
                raise ValueError(f"--symbol {name} is declared twice")
            symbols[name] = domain
        result = verify_chain(args.steps, matrices=matrices, symbols=symbols or None, seed=args.seed)
    except ValueError as exc:
        raise UsageError(f"mlp-derivations chain: {' '.join(str(exc).split())}") from None
    for line in result.lines():
        print(line)
    if result.ok:
        print(f"all {len(result.steps)} steps hold")
        return 0
    failed = [i + 1 for i, c in enumerate(result.steps) if not c.ok]
    print(f"{len(failed)} of {len(result.steps)} steps fail (first: step {failed[0]})")
    if result.counterexample:
        print(f"counterexample (step {failed[0]}, exact):")
        for k, v in result.counterexample.items():
            print(f"  {k} = {_full(v)}")
    return 1
