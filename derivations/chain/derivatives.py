"""Unevaluated derivatives ``Derivative(f, X)`` of a scalar ``f`` with respect to a matrix ``X``
(issue 13): SymPy's closed form where it is trusted (:func:`_derivatives_done`), otherwise evaluated
numerically at the point's sizes, entry by entry, from SymPy's SCALAR ``diff`` of the explicit
entries (:func:`explicit`), independently of SymPy's matrix-derivative code."""

from __future__ import annotations

import sympy as sp
from sympy.matrices.expressions.matexpr import _matrix_derivative


#: Nodes over which SymPy's matrix derivative (``_matrix_derivative``) is used.
_MATRIX_LINES = (
    sp.MatrixSymbol,
    sp.MatMul,
    sp.MatAdd,
    sp.Transpose,
    sp.Trace,
    sp.Number,
    sp.Mul,
    sp.Add,
    sp.Identity,
    sp.ZeroMatrix,
    sp.Symbol,
    sp.Tuple,
    sp.core.symbol.Str,
)


def _derivatives_done(expr):
    """``expr`` with each unevaluated ``Derivative`` (e.g. d Trace(A X)/dX) replaced by SymPy's closed
    form where ``doit`` finds one; every stage, the exact re-check included, then sees that form."""
    if not isinstance(expr, sp.Basic) or not expr.has(sp.Derivative):
        return expr
    swap = {}
    for node in expr.atoms(sp.Derivative):
        try:
            done = node.doit()
        except Exception:  # noqa: BLE001 - e.g. Trace's _eval_derivative raises NotImplementedError
            done = node
        inner, wrt = node.expr, [v for v, _ in node.variable_count]
        if (
            done.has(sp.Derivative)
            and len(wrt) == 1
            and isinstance(wrt[0], sp.MatrixSymbol)
            and all(isinstance(a, _MATRIX_LINES) for a in sp.preorder_traversal(inner))
        ):
            # SymPy's matrix-lines derivative, only over products, sums, transposes and traces (it
            # returns 0 for d det(X)/dX, so nothing else is trusted to it)
            try:
                done = _matrix_derivative(inner, wrt[0])
            except Exception:  # noqa: BLE001 - left unevaluated: the numeric stage reports it
                continue
        if not done.has(sp.Derivative):
            swap[node] = done
    return expr.xreplace(swap) if swap else expr


#: Largest size at which a derivative is expanded entry by entry (SymPy's explicit determinant of
#: a 5×5 matrix of symbols and its 25 partial derivatives take ~1.2 s of CPU, 4×4 ~0.2 s, cached per
#: size); steps with a derivative are tested at sizes 2 to MAX_SIZE.
MAX_SIZE = 4


def shape(node):
    """The shape of ``Derivative(f, X)`` (``f`` scalar or 1×1, ``X`` one matrix symbol), else None."""
    if not isinstance(node, sp.Derivative) or len(node.variable_count) != 1:
        return None
    wrt, count = node.variable_count[0]
    inner = node.expr
    scalar = not isinstance(inner, sp.MatrixExpr) or tuple(inner.shape) == (1, 1)
    return tuple(wrt.shape) if isinstance(wrt, sp.MatrixSymbol) and count == 1 and scalar else None


def _entries(m: sp.MatrixSymbol) -> sp.ImmutableMatrix:
    """``m`` (numeric shape) as a matrix of real scalar symbols named ``m[i,j]``."""
    rows, cols = (int(s) for s in m.shape)
    return sp.ImmutableMatrix(rows, cols, lambda i, j: sp.Symbol(f"{m.name}[{i},{j}]", real=True))


def _explicit_scalar(e):
    """``e`` with every node over explicit matrices evaluated (determinants by Berkowitz: a
    polynomial, no divisions); a 1×1 result as its entry."""
    if isinstance(e, sp.Determinant):
        return sp.expand(_explicit_matrix(e.arg).det(method="berkowitz"))  # expanded: diff is 5x faster
    if isinstance(e, (sp.MatrixExpr, sp.MatrixBase)):
        m = _explicit_matrix(e)
        if m.shape != (1, 1):
            raise ValueError(f"a derivative of the {m.shape[0]}×{m.shape[1]} {sp.sstr(e)}, not a scalar")
        return m[0, 0]
    if not e.args:
        return e
    return e.func(*(_explicit_scalar(a) for a in e.args))


def _explicit_matrix(e) -> sp.ImmutableMatrix:
    if isinstance(e, sp.MatrixBase):
        return sp.ImmutableMatrix(e)
    if any(isinstance(a, sp.Determinant) for a in sp.preorder_traversal(e)):
        swap = {d: _explicit_scalar(d) for d in e.atoms(sp.Determinant)}
        e = e.xreplace(swap)
    return sp.ImmutableMatrix(e.as_explicit())


_CACHE: dict = {}


def explicit(node: sp.Derivative, sizes: dict) -> tuple[sp.ImmutableMatrix, dict]:
    """``Derivative(f, X)`` at explicit sizes (``sizes``: dimension name -> int) as the matrix of
    SymPy's scalar partial derivatives of the explicit entry f(x_11, ...) with respect to each
    x_ij, and the map from each entry symbol's name to (matrix name, i, j).  Cached per size."""
    key = (node, tuple(sorted(sizes.items())))
    if key not in _CACHE:
        dims = {s for m in node.atoms(sp.MatrixSymbol) for sz in m.shape for s in sp.sympify(sz).free_symbols}
        sub = {d: sp.Integer(sizes[d.name]) for d in dims}
        if any(v > MAX_SIZE for v in sub.values()):
            raise ValueError(f"a derivative at size {max(sub.values())} (> {MAX_SIZE})")
        inner, wrt = node.expr.xreplace(sub), node.variable_count[0][0].xreplace(sub)
        mats = inner.atoms(sp.MatrixSymbol) | {wrt}
        swap = {m: _entries(m) for m in mats}
        f = _explicit_scalar(sp.sympify(inner).xreplace(swap).doit())
        x = swap[wrt]
        grad = sp.ImmutableMatrix(x.rows, x.cols, lambda i, j: sp.diff(f, x[i, j]))
        names = {
            swap[m][i, j].name: (m.name, i, j) for m in mats for i in range(swap[m].rows) for j in range(swap[m].cols)
        }
        _CACHE[key] = (grad, names)
    return _CACHE[key]


def entry_env(node: sp.Derivative, env: dict) -> tuple[sp.ImmutableMatrix, dict]:
    """(the explicit derivative at ``env``'s sizes, ``env`` with every entry symbol's value added)."""
    sizes = {k: v for k, v in env.items() if isinstance(v, int) and not isinstance(v, bool)}
    grad, names = explicit(node, sizes)
    out = dict(env)
    for name, (m, i, j) in names.items():
        out[name] = env[m][i, j]
    return grad, out
