"""Shapes of matrix expressions (:func:`shape_of`: every violated shape condition), sizes at a point, free symbols."""

from __future__ import annotations

import sympy as sp

from .derivatives import shape as derivative_shape


def _size(s: sp.Expr) -> str:
    return sp.sstr(s)


def _fmt(shape) -> str:
    return "scalar" if shape is None else f"{_size(shape[0])}×{_size(shape[1])}"


def _same(a: sp.Expr, b: sp.Expr) -> bool:
    return sp.simplify(sp.sympify(a) - sp.sympify(b)) == 0


def shape_of(expr: sp.Basic, problems: list[str]) -> tuple | None:
    """The shape of ``expr`` (None for a scalar); every violated shape condition is appended to ``problems``."""
    if isinstance(expr, sp.MatrixBase):
        return expr.shape
    if isinstance(expr, sp.Derivative) and derivative_shape(expr) is not None:
        shape_of(expr.expr, problems)
        return derivative_shape(expr)
    if not isinstance(expr, sp.MatrixExpr):
        for arg in expr.args:
            if isinstance(arg, sp.Basic):
                shape_of(arg, problems)
        return None
    if isinstance(expr, sp.MatrixSymbol) or not expr.args:
        return expr.shape
    if isinstance(expr, (sp.MatAdd, sp.HadamardProduct)):
        verb = "add" if isinstance(expr, sp.MatAdd) else "multiply elementwise"
        shapes = [(a, shape_of(a, problems)) for a in expr.args]
        first, s0 = shapes[0]
        for a, s in shapes[1:]:
            if s is not None and s0 is not None and not (_same(s[0], s0[0]) and _same(s[1], s0[1])):
                problems.append(f"{sp.sstr(a)} is {_fmt(s)} but {sp.sstr(first)} is {_fmt(s0)}: cannot {verb}")
        return s0
    if isinstance(expr, sp.MatMul):
        left, ls = None, None
        for a in expr.args:
            s = shape_of(a, problems)
            if s is None:
                continue
            if ls is not None and not _same(ls[1], s[0]):
                problems.append(
                    f"{sp.sstr(left)} is {_fmt(ls)} but {sp.sstr(a)} is {_fmt(s)}: cannot multiply "
                    f"({_size(ls[1])} ≠ {_size(s[0])})"
                )
            left = a if left is None else sp.MatMul(left, a, evaluate=False)
            ls = s if ls is None else (ls[0], s[1])
        return ls
    if isinstance(expr, sp.Transpose):
        s = shape_of(expr.arg, problems)
        return None if s is None else (s[1], s[0])
    if isinstance(expr, (sp.MatPow, sp.Inverse)):
        s = shape_of(expr.args[0], problems)
        if s is not None and not _same(s[0], s[1]):
            problems.append(f"{sp.sstr(expr.args[0])} is {_fmt(s)}, not square: cannot take a power or inverse")
        return s
    for arg in expr.args:
        if isinstance(arg, sp.Basic):
            shape_of(arg, problems)
    return expr.shape


def _trace_squares(expr: sp.Basic, problems: list[str]) -> None:
    for node in sp.preorder_traversal(expr):
        if isinstance(node, (sp.Trace, sp.Determinant)):
            s = shape_of(node.arg, problems)
            what = "trace" if isinstance(node, sp.Trace) else "determinant"
            if s is not None and not _same(s[0], s[1]):
                problems.append(f"{sp.sstr(node.arg)} is {_fmt(s)}, not square: cannot take its {what}")


def _int_size(size: sp.Expr, env: dict) -> int:
    """A (possibly symbolic) size at ``env``, where dimension names map to ints."""
    size = sp.sympify(size)
    return int(size.subs({s: env[s.name] for s in size.free_symbols}))


def _free(expr: sp.Basic) -> tuple[list, list, list]:
    """(matrix symbols, scalar symbols, dimension symbols) of ``expr``, sorted by name."""
    mats = {m for m in expr.atoms(sp.MatrixSymbol)}
    # sizes of matrix symbols and of Identity(n), ZeroMatrix(n, m), OneMatrix(n, m) are dimensions
    shaped = mats | expr.atoms(sp.Identity, sp.ZeroMatrix, sp.OneMatrix)
    dims = {s for m in shaped for s in m.shape for s in sp.sympify(s).free_symbols}
    scalars = {s for s in expr.free_symbols if isinstance(s, sp.Symbol) and not isinstance(s, sp.MatrixSymbol)}
    key = lambda s: s.name  # noqa: E731
    return sorted(mats, key=key), sorted(scalars - dims, key=key), sorted(dims, key=key)
