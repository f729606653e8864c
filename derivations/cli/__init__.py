"""The ``mlp-derivations`` command: a thin layer over the registry.

Subcommands: ``verify`` (the default), ``list``, ``chain``, ``grad``, ``train``, ``figures``, ``report``,
``experiment``.
Each lives in its own module of this package (``verify.py``, ``listing.py``, ``chain.py``,
``train.py``, ``figures.py``, ``report.py``) exposing ``add_arguments(parser)`` and
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

from . import chain, experiment, figures, grad, listing, report, train, verify
from .common import Parser, UsageError

__all__ = ["main"]

#: ``(name, module, help)`` of every subcommand, in the order ``--help`` lists them.
_COMMANDS = (
    ("verify", verify, "verify the chapter's claims (the default)"),
    ("list", listing, "list the claim ids and titles"),
    ("chain", chain, "check a chain of equalities step by step"),
    ("grad", grad, "derive (and check) the gradient of a scalar expression"),
    ("train", train, "train the chapter's MLP from scratch"),
    ("figures", figures, "write the chapter's figures as PNG"),
    ("report", report, "write the verification report as one self-contained HTML page"),
    ("experiment", experiment, "run a measured exercise (5.2.ex1-5.2.ex9)"),
)

SUBCOMMANDS = tuple(name for name, _, _ in _COMMANDS)


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The parser; only ``command``'s own arguments are added (the other subcommands'
    ``add_arguments`` may import NumPy or the registry, which ``--help`` need not pay for)."""
    parser = Parser(
        prog="mlp-derivations",
        description="Verify the mathematics of D2L chapter 5 (multilayer perceptrons).",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {version()}")
    sub = parser.add_subparsers(dest="command", parser_class=Parser, metavar="COMMAND")
    for name, module, text in _COMMANDS:
        # verify's own --help has no description line (as before the split); the others repeat their help
        p = sub.add_parser(name, help=text, description=None if name == "verify" else text)
        if name == command:
            module.add_arguments(p)
        p.set_defaults(run=module.run)
    return parser


def version() -> str:
    """The installed distribution's version (``0+unknown`` when run from a source tree not installed)."""
    from importlib import metadata

    try:
        return metadata.version("mlp-derivations")
    except metadata.PackageNotFoundError:
        return "0+unknown"


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        if argv and not argv[0].startswith("-") and argv[0] not in SUBCOMMANDS:
            raise UsageError(
                f"mlp-derivations: unknown command {argv[0]!r}; the commands are {', '.join(SUBCOMMANDS)} "
                f"(verify is the default: mlp-derivations --claim 5.3.11)"
            )
        if not argv or argv[0] not in (*SUBCOMMANDS, "-h", "--help", "--version"):
            argv = ["verify", *argv]
        args = build_parser(argv[0] if argv[0] in SUBCOMMANDS else None).parse_args(argv)
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
