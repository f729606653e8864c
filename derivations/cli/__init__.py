"""The ``mlp-derivations`` command: a thin layer over the registry.

Subcommands: ``verify`` (the default), ``chain``, ``train``, ``figures``.
Each lives in its own module of this package (``verify.py``, ``chain.py``,
``train.py``, ``figures.py``) exposing ``add_arguments(parser)`` and
``run(args) -> int``; they share only :mod:`derivations.cli.common` (the
usage error, the parser class, argument types).  This module assembles them.

Exit status: 0 when every verdict matches its expectation, 1 when one does
not, 2 for bad usage (one line on stderr, no traceback).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from . import chain, experiment, figures, train, verify
from .common import Parser, UsageError

__all__ = ["main"]

#: ``(name, module, help)`` of every subcommand, in the order ``--help`` lists them.
_COMMANDS = (
    ("verify", verify, "verify the chapter's claims (the default)"),
    ("chain", chain, "check a chain of equalities step by step"),
    ("train", train, "train the chapter's MLP from scratch"),
    ("figures", figures, "write the chapter's figures as PNG"),
    ("experiment", experiment, "run a measured exercise (5.2.ex1-5.2.ex9)"),
)

SUBCOMMANDS = tuple(name for name, _, _ in _COMMANDS)


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(
        prog="mlp-derivations",
        description="Verify the mathematics of D2L chapter 5 (multilayer perceptrons).",
    )
    sub = parser.add_subparsers(dest="command", parser_class=Parser)
    for name, module, text in _COMMANDS:
        # verify's own --help has no description line (as before the split); the others repeat their help
        p = sub.add_parser(name, help=text, description=None if name == "verify" else text)
        module.add_arguments(p)
        p.set_defaults(run=module.run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or (argv[0] not in SUBCOMMANDS and argv[0] not in ("-h", "--help")):
        argv = ["verify", *argv]
    try:
        args = build_parser().parse_args(argv)
        return args.run(args)
    except UsageError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("mlp-derivations: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # the reader went away (`mlp-derivations verify --json | head`): stop quietly. Point stdout at
        # devnull so the interpreter's final flush does not raise again (Python docs, signal module).
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 1
