"""What a check found (:class:`Check`), and the zero test every symbolic proof ends in (:func:`is_zero`).

The one module below both the checking machinery (``claims``, ``checking``, ``report``) and the tools
(``chain``, ``calculus``): a tool reports its findings as :class:`Check` objects without importing the
chapter's registry, and the chapter builds its checks on the same records.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = ["METHODS", "Check", "is_zero"]

#: The ways a check can verify a claim (DESIGN.md).  ``"error"`` marks a check
#: function that raised: the claim's verdict is then undetermined.
METHODS = (
    "symbolic",
    "symbolic-sized",
    "exact",
    "numeric",
    "finite-difference",
    "statistical",
    "counterexample",
    "shape",
    "error",
)


@dataclass(frozen=True)
class Check:
    """One way of verifying a claim, and what it found.

    ``method`` is one of :data:`METHODS`; ``detail`` is one human line;
    ``max_error`` is the largest error the check measured (absolute or
    relative, as ``detail`` says), or None where no error is measured.

    ``refutes`` marks, under an erratum (a claim registered ``expected=False``),
    a check that tests the note's statement itself: its failure refutes the
    statement.  Every other check of an erratum (``refutes=False``) supports the
    correction and must pass; see :meth:`derivations.claims.Claim.verify` for
    the verdict rule.  Claims that are expected to hold ignore the flag.
    """

    method: str
    ok: bool
    detail: str
    max_error: float | None = None
    refutes: bool = False

    def __post_init__(self) -> None:
        if self.method not in METHODS:
            raise ValueError(f"method={self.method!r} is not a check method; expected one of {', '.join(METHODS)}")
        if not isinstance(self.ok, (bool, np.bool_)):
            raise ValueError(f"ok={self.ok!r} must be a bool")
        object.__setattr__(self, "ok", bool(self.ok))
        if not isinstance(self.refutes, bool):
            raise ValueError(f"refutes={self.refutes!r} must be a bool")
        if self.max_error is not None:
            object.__setattr__(self, "max_error", float(self.max_error))

    def __str__(self) -> str:
        mark = "ok" if self.ok else "FAIL"
        err = "" if self.max_error is None else f" (max error {self.max_error:.3g})"
        return f"[{self.method}: {mark}] {self.detail}{err}"


def is_zero(expr: Any) -> bool:
    """True iff SymPy can show ``expr`` (scalar or matrix) is identically zero.

    Tries cheap rewrites before ``simplify``; never guesses: an expression
    SymPy cannot reduce counts as not proved.
    """
    import sympy as sp  # lazy: Check alone needs no SymPy

    if isinstance(expr, (sp.MatrixBase, sp.MatrixExpr)):
        expr = sp.Matrix(expr.as_explicit()) if isinstance(expr, sp.MatrixExpr) else expr
        return all(is_zero(entry) for entry in expr)
    expr = sp.sympify(expr)
    if expr.is_zero:
        return True
    for attempt in (
        sp.expand,
        sp.cancel,
        lambda e: sp.simplify(e),
        lambda e: sp.simplify(e.rewrite(sp.exp)),
        lambda e: sp.simplify(sp.expand(e.rewrite(sp.exp), power_exp=True)),
    ):
        if attempt(expr) == 0:
            return True
    return False
