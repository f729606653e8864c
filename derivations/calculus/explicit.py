"""Explicit sizes: a symbolic-size result evaluated on explicit matrices, and the entry-by-entry reference.

The reference differentiates a scalar function of a matrix of fresh symbols
one entry at a time with SymPy's scalar ``diff``, which involves none of the
matrix calculus under test; :func:`entries_match` compares the two.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import sympy as sp
from sympy import Matrix, Symbol

from .normalize import normalize

__all__ = ["entries_match", "entrywise", "substitute_explicit"]


def entrywise(J_of: Callable[[Matrix], sp.Expr], at: Matrix, name: str) -> Matrix:
    """∂J/∂v entry by entry, v a fresh explicit matrix of symbols shaped like ``at``, then evaluated at ``at``.

    ``name`` makes the fresh symbols (``v_{name}_{i}{j}``) distinct from the
    symbols of ``at``; derivatives of undefined functions come out named as
    :func:`~.normalize.normalize` names them.
    """
    v = Matrix(*at.shape, lambda i, j: Symbol(f"v_{name}_{i}{j}"))
    J = J_of(v)
    return v.applyfunc(lambda e: normalize(sp.diff(J, e))).xreplace(dict(zip(v, at)))


def substitute_explicit(expr: sp.Basic, substitution: Mapping[sp.Basic, sp.Basic]) -> Matrix:
    """``expr`` (symbolic sizes) as an explicit Matrix: normalized, ``substitution`` applied (matrix symbols to
    explicit matrices, size symbols to integers), then evaluated node by node on the explicit matrices
    (:func:`~.evaluate.evaluate_exact`; not ``as_explicit``, which builds and expands a ``Sum`` per entry:
    5.3.batch's entrywise check took 7.5 s that way).  Scalar symbols are replaced first, so a size ``h``
    and a matrix named ``h`` (5.3's hidden vector) cannot be confused."""
    from .evaluate import evaluate_exact

    scalars = {k: v for k, v in substitution.items() if not isinstance(k, sp.MatrixSymbol)}
    for k, v in substitution.items():  # sizes read off the explicit matrices (the n of OneMatrix(n, 1))
        if isinstance(k, sp.MatrixSymbol) and hasattr(v, "shape"):
            scalars.update({s: sp.Integer(n) for s, n in zip(k.shape, v.shape) if isinstance(s, sp.Symbol)})
    e = normalize(expr).xreplace(scalars)
    values = {k.xreplace(scalars).name: v for k, v in substitution.items() if isinstance(k, sp.MatrixSymbol)}
    r = evaluate_exact(e, values, {})
    return Matrix(r) if isinstance(r, sp.MatrixBase) else Matrix([[r]])


def entries_match(A: Matrix, B: Matrix) -> tuple[bool, str]:
    """``(True, ...)`` iff A and B have one shape and every entry of A - B expands to 0; else the first difference."""
    if A.shape != B.shape:
        return False, f"shape {A.shape} vs entrywise {B.shape}"
    for idx, (a, b) in enumerate(zip(A, B)):
        if sp.expand(a - b) != 0:
            return False, f"entry {divmod(idx, A.shape[1])} differs: {sp.sstr(a)[:60]} vs {sp.sstr(b)[:60]}"
    return True, "all entries equal"
