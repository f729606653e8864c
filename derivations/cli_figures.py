"""`mlp-derivations figures`: placeholder until its issue lands."""

from __future__ import annotations

import argparse


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("rest", nargs="*")


def run(args: argparse.Namespace) -> int:
    from .cli import UsageError

    raise UsageError("mlp-derivations figures: not implemented yet")
