"""What every subcommand of ``mlp-derivations`` shares: the usage error, the parser class, argument types.

The subcommand modules import from here and from nowhere else in ``derivations.cli``;
this module imports only the standard library, so building the parser stays cheap.
"""

from __future__ import annotations

import argparse
import math

__all__ = ["Parser", "UsageError", "dpi", "non_negative_int", "positive_int", "positive_real"]


class UsageError(Exception):
    """Bad usage: reported on one line, exit status 2."""


class Parser(argparse.ArgumentParser):
    """An ``ArgumentParser`` whose errors are a :class:`UsageError` (one line, no usage dump)."""

    def error(self, message: str) -> None:  # one line, no usage dump
        raise UsageError(f"{self.prog}: {message}")


def positive_int(name: str):
    """An argparse ``type``: the text of an integer >= 1 (``"3"``, not ``"3.0"`` or ``"+3"``), else an error naming ``name``."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            value = 0
        if value < 1 or str(value) != text.strip():
            raise argparse.ArgumentTypeError(f"{name} must be a positive integer, got {text!r}")
        return value

    return parse


def non_negative_int(name: str):
    """An argparse ``type``: an integer >= 0, else an error naming ``name``."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            value = -1
        if value < 0:
            raise argparse.ArgumentTypeError(f"{name} must be a non-negative integer, got {text!r}")
        return value

    return parse


def positive_real(name: str):
    """An argparse ``type``: a finite number > 0, else an error naming ``name``."""

    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            value = math.nan
        if not (math.isfinite(value) and value > 0):
            raise argparse.ArgumentTypeError(f"{name} must be a finite number > 0, got {text!r}")
        return value

    return parse


def dpi(text: str) -> int:
    """An argparse ``type`` for ``--dpi``: an integer from 10 to 1200 (what the figure code accepts)."""
    try:
        value = int(text)
    except ValueError:
        value = 0
    if not 10 <= value <= 1200 or str(value) != text.strip():
        raise argparse.ArgumentTypeError(f"--dpi must be an integer from 10 to 1200, got {text!r}")
    return value
