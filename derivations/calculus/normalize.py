"""Canonical forms of derivation results, and a proof of matrix equality at symbolic sizes.

SymPy writes the derivative of an undefined function in several ways
(``Subs(Derivative(F(ξ), ξ), ξ, a)``, ``Derivative(F(u), u)``, inside
``Lambda``s with dummy names) and the bound index of a ``Sum`` by any name;
:func:`normalize` and :func:`canonical_sums` pick one form, so that equal
results compare equal.
"""

from __future__ import annotations

import sympy as sp
from sympy import Function, Lambda, Symbol
from sympy.core.function import AppliedUndef

__all__ = ["canonical_sums", "matrices_equal", "named_derivative", "normalize"]


def named_derivative(f: sp.FunctionClass, k: int = 0) -> sp.FunctionClass:
    """The undefined function ``D{k}f`` that :func:`normalize` writes for ∂f/∂(argument k), e.g. ``D0phi`` = φ'."""
    return Function(f"D{k}{f.__name__}")


def normalize(expr: sp.Basic) -> sp.Basic:
    """Name every derivative of an undefined function and eta-reduce ``Lambda(u, F(u))`` to ``F``.

    ``Subs(Derivative(F(…, ξ, …), ξ), ξ, a)`` and ``Derivative(F(…, u, …), u)``
    become ``D{k}F(…, a, …)`` (``k`` the argument position, see
    :func:`named_derivative`), so that two results that differ only in the
    names of bound variables compare equal.
    """

    def first_order(der: sp.Basic) -> bool:
        return (
            isinstance(der, sp.Derivative)
            and isinstance(der.expr, AppliedUndef)
            and len(der.variable_count) == 1
            and der.variable_count[0][1] == 1
            and der.args[1][0] in der.expr.args
        )

    def named(f: AppliedUndef, k: int, args) -> sp.Basic:
        return named_derivative(f.func, k)(*args)

    def subs_rule(e):
        der, mapping = e.expr, dict(zip(e.variables, e.point))
        v = der.variables[0]
        return named(der.expr, der.expr.args.index(v), [a.xreplace(mapping) for a in der.expr.args])

    expr = expr.replace(lambda e: isinstance(e, sp.Subs) and first_order(e.expr), subs_rule)
    expr = expr.replace(first_order, lambda e: named(e.expr, e.expr.args.index(e.variables[0]), e.expr.args))
    return expr.replace(
        lambda e: (
            isinstance(e, Lambda)
            and len(e.variables) == 1
            and isinstance(e.expr, AppliedUndef)
            and e.expr.args == e.variables
        ),
        lambda e: e.expr.func,
    )


def canonical_sums(expr: sp.Basic) -> sp.Basic:
    """Rename the bound index of every Sum by its nesting level, so alpha-equivalent sums are identical."""

    def level(e: sp.Basic) -> int:
        inner = [level(a) for a in e.args] if e.args else [0]
        return max(inner) + (1 if isinstance(e, sp.Sum) else 0)

    def rename(e: sp.Sum) -> sp.Sum:
        lv = level(e)
        mapping = {lim[0]: Symbol(f"k{lv}_{i}", integer=True) for i, lim in enumerate(e.limits)}
        return e.xreplace(mapping)

    return expr.replace(lambda e: isinstance(e, sp.Sum), rename)


def matrices_equal(A: sp.MatrixExpr, B: sp.MatrixExpr) -> tuple[bool, str]:
    """Prove A == B at symbolic sizes: shapes, then the difference, then a generic entry [i, j].

    Returns ``(proved, why)``; False means not proved (the shapes differ, or
    the generic entry of ``A - B`` did not simplify to 0), never a guess.
    """
    if A.shape != B.shape:
        return False, f"shapes differ: {A.shape} vs {B.shape}"
    A, B = normalize(A), normalize(B)
    diff = (A - B).doit()
    if diff == 0 or isinstance(diff, sp.ZeroMatrix):
        return True, "difference simplifies to the zero matrix"
    i, j = sp.Dummy("i", integer=True, nonnegative=True), sp.Dummy("j", integer=True, nonnegative=True)
    m_i, m_j = sp.Dummy("m", integer=True, nonnegative=True), sp.Dummy("m", integer=True, nonnegative=True)
    rows, cols = A.shape
    ii = 0 if rows == 1 else i
    jj = 0 if cols == 1 else j
    entry = (A[ii, jj] - B[ii, jj]).doit()
    # A generic valid index: rows = i + 1 + m_i with m_i >= 0 (so 0 <= i < rows), likewise for columns.
    bounds = {}
    if rows != 1 and isinstance(rows, Symbol):
        bounds[rows] = i + 1 + m_i
    if cols != 1 and isinstance(cols, Symbol):
        bounds[cols] = j + 1 + m_j
    entry = canonical_sums(entry.subs(bounds))
    entry = entry.replace(
        lambda e: isinstance(e, sp.Piecewise),
        lambda e: next((val for val, cond in e.args if sp.simplify(cond) is sp.true), e),
    )
    if sp.expand(entry) == 0 or sp.simplify(entry) == 0:
        return True, "generic entry [i, j] of the difference simplifies to 0"
    return False, f"generic entry of the difference does not vanish: {sp.sstr(entry)[:120]}"
