"""Where a step *as written* is defined: the operands it divides by and the matrices it inverts.

SymPy simplifies while it parses -- ``det(A)*det(B)/det(A)`` becomes ``det(B)``, ``x*y/x`` becomes
``y`` -- so the parsed step is defined at points where the written one is not (``det A = 0``).  A
counterexample must lie where the step the user wrote is defined, so :func:`requirements` reads
them off the text: the operand after each ``/`` must be nonzero and the argument of each ``inv(…)``
nonsingular.  :func:`.minimal.search` rejects a candidate at which one of them is exactly zero.
"""

from __future__ import annotations

import re

__all__ = ["requirements"]

_NAME = re.compile(r"[A-Za-z_]\w*|\d+\.?\d*(?:[eE][-+]?\d+)?|\.\d+")


def _group(text: str, start: int) -> int:
    """Index just past the parenthesis group opening at ``text[start] == '('`` (len(text) if unclosed)."""
    depth = 0
    for k in range(start, len(text)):
        depth += {"(": 1, ")": -1}.get(text[k], 0)
        if depth == 0:
            return k + 1
    return len(text)


def _primary(text: str, k: int) -> int:
    """Index just past the primary (with its unary signs, call, ``.T`` and ``**`` suffixes) at ``k``."""
    n = len(text)
    while k < n and text[k] in " +-":
        k += 1
    if k < n and text[k] == "(":
        k = _group(text, k)
    else:
        m = _NAME.match(text, k)
        if not m:
            return k
        k = m.end()
        j = k
        while j < n and text[j] == " ":
            j += 1
        if j < n and text[j] == "(":
            k = _group(text, j)
    while True:
        if text.startswith(".T", k):
            k += 2
        elif text.startswith("**", k) or text.startswith("^", k):
            k = _primary(text, k + (2 if text[k] == "*" else 1))
        else:
            return k


def requirements(text: str) -> tuple[list[str], list[str]]:
    """``(divisors, inverted)``: the texts of the operands ``text`` divides by, and of the arguments of
    its ``inv(…)`` -- each must be nonzero (nonsingular) where the written step is defined."""
    divisors = []
    for m in re.finditer(r"/", text):
        end = _primary(text, m.end())
        operand = text[m.end() : end].strip()
        if operand:
            divisors.append(operand)
    inverted = []
    for m in re.finditer(r"(?<![\w.])inv\s*\(", text):
        end = _group(text, m.end() - 1)
        inverted.append(text[m.end() : end - 1].strip())
    return divisors, inverted
