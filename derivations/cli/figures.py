"""`mlp-derivations figures --out DIR`: the chapter's five figures as PNG (matplotlib, Agg, imported on first use).

Writes ``activations.png``, ``sigmoid_vanishing.png``, ``exploding_products.png``,
``depth_variance.png`` and ``training_curves.png`` (the default training run
on the digits) into DIR, creating it if needed.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from .common import dpi, non_negative_int


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--out", metavar="DIR", required=True, help="directory to write the PNG files into (created if missing)"
    )
    parser.add_argument(
        "--dpi", type=dpi, default=150, metavar="D", help="resolution in dots per inch (default 150: 1650 × 675 pixels)"
    )
    parser.add_argument(
        "--seed",
        type=non_negative_int("--seed"),
        default=0,
        metavar="S",
        help="seed of the simulations and the training run (default 0)",
    )


def _unwritable_dir(out: Path) -> str:
    """Why the figures cannot be written into ``out`` ('' if they can): creates it (as ``write_figures``
    would) and tries a file in it."""
    try:
        out.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=out):
            pass
    except OSError as exc:
        return exc.strerror or str(exc)
    return ""


def run(args: argparse.Namespace) -> int:
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        print("mlp-derivations figures: needs matplotlib: python -m pip install '.[plots]'", file=sys.stderr)
        return 1
    import numpy as np

    from derivations.training import default_run
    from numeric import plots

    problem = _unwritable_dir(Path(args.out))
    if problem:  # say so now, not after the training run and the simulations (~40 s)
        print(f"mlp-derivations figures: cannot write to --out {args.out}: {problem}", file=sys.stderr)
        return 1
    try:
        data, history = default_run(args.seed)
        paths = plots.write_figures(
            args.out, history=history, dataset=data.name, rng=np.random.default_rng(args.seed), dpi=args.dpi
        )
    except OSError as exc:
        print(f"mlp-derivations figures: cannot write to --out {args.out}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    for path in paths:
        print(f"wrote {path}")
    return 0
