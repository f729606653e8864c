"""Reverse-mode matrix calculus on SymPy expression trees: ∂f/∂X in closed form, at symbolic sizes.

:func:`derive` walks ``f`` from the top, carrying the adjoint ``G = ∂f/∂node`` (a matrix shaped like
the node, or a scalar), and applies one rule per kind of node (Matrix Cookbook numbers in brackets):

- ``A + B``: G to each; ``c·A₁⋯A_k``: ``A_i`` gets ``c (A₁⋯A_{i-1})ᵀ G (A_{i+1}⋯A_k)ᵀ`` [Eq. 70, 71],
  the scalar ``c`` gets ``tr(Gᵀ A₁⋯A_k)``; ``Aᵀ``: Gᵀ; ``tr A`` (scalar G): ``G I`` [Eq. 100];
- ``A⁻¹``: ``-A⁻ᵀ G A⁻ᵀ`` [Eq. 59]; ``det A``: ``G det(A) A⁻ᵀ`` [Eq. 49] (so ``log det A`` gives
  ``A⁻ᵀ``, Eq. 57); ``Aᵏ`` (integer k > 0): ``Σ_r (Aᵀ)^r G (Aᵀ)^(k-1-r)`` [Eq. 90];
- ``A ⊙ B``: ``G ⊙ B`` for A; ``φ(A)`` entrywise: ``G ⊙ φ'(A)``, φ' by SymPy's scalar ``diff``
  (an undefined φ gets the undefined ``D0phi``, see :func:`~.normalize.named_derivative`);
- scalar nodes (``+``, ``·``, powers, ``exp``, ``log``, …): the scalar chain rule by SymPy's ``diff``.

This replaces SymPy's matrix ``.diff`` (defects ``trace-sum``, ``trace-elementwise`` in
:data:`~.defects.SYMPY_DEFECTS`, and ``d det X/dX = 0``); nothing here trusts it.  A node with no
rule raises ``ValueError`` naming it.
"""

from __future__ import annotations

import sympy as sp
from sympy import Lambda
from sympy.core.function import AppliedUndef
from sympy.matrices.expressions.applyfunc import ElementwiseApplyFunction
from sympy.matrices.expressions.matexpr import MatrixElement

from .normalize import normalize

__all__ = ["derive", "simplify_gradient"]

_CONSTANT_MATRICES = (sp.Identity, sp.ZeroMatrix, sp.OneMatrix, sp.MatrixSymbol)


def _is_matrix(e) -> bool:
    return isinstance(e, sp.MatrixExpr)


def _prod(factors, shape):
    if not factors:
        return sp.Identity(shape)
    return factors[0] if len(factors) == 1 else sp.MatMul(*factors)


def _hadamard(G, M):
    """G ⊙ M, with the all-ones matrix as the unit (also times a scalar: (c 1) ⊙ M = c M)."""
    if isinstance(G, sp.MatMul):
        c = sp.Mul(*[a for a in G.args if not _is_matrix(a)])
        mats = [a for a in G.args if _is_matrix(a)]
        if len(mats) == 1 and isinstance(mats[0], sp.OneMatrix):
            return c * M
    if isinstance(G, sp.OneMatrix):
        return M
    if isinstance(M, sp.OneMatrix):
        return G
    return sp.HadamardProduct(G, M)


def _scalar_derivative(node: sp.Basic, k: int) -> sp.Basic:
    """∂node/∂(argument k) at the node's arguments, by SymPy's scalar diff on a dummy."""
    dummies = [sp.Dummy(f"a{i}") for i in range(len(node.args))]
    r = sp.diff(node.func(*dummies), dummies[k])
    if r.has(sp.Derivative) and not all(isinstance(d.expr, AppliedUndef) for d in r.atoms(sp.Derivative)):
        raise ValueError(
            f"{sp.sstr(node.func)} has no known derivative (SymPy leaves {sp.sstr(r)}); "
            "expected a function SymPy can differentiate"
        )
    return normalize(r.xreplace(dict(zip(dummies, node.args))))


def _entrywise_derivative(fn: Lambda) -> Lambda:
    """φ' for an entrywise φ (a one-variable Lambda), undefined functions' derivatives named D0phi."""
    u = fn.variables[0]
    d = sp.diff(fn.expr, u)
    if d.has(sp.Derivative) and not all(isinstance(x.expr, AppliedUndef) for x in d.atoms(sp.Derivative)):
        raise ValueError(f"entrywise function {sp.sstr(fn)} has no known derivative (SymPy leaves {sp.sstr(d)})")
    return Lambda(u, normalize(d))


def derive(f: sp.Basic, wrt: sp.Basic) -> sp.Basic:
    """∂f/∂wrt for a scalar ``f`` (or a 1×1 matrix), in closed form; shaped like ``wrt`` (Eqs. above).

    ``wrt`` is a ``MatrixSymbol`` or a scalar ``Symbol``.  The terms are summed unsimplified, then
    tidied by :func:`simplify_gradient`.
    """
    seed = sp.Identity(1) if _is_matrix(f) else sp.Integer(1)
    terms: list[sp.Basic] = []
    _back(f, seed, wrt, terms)
    if _is_matrix(wrt):
        terms = [t for t in terms if not isinstance(t, sp.ZeroMatrix)]
        return (
            simplify_gradient(sp.MatAdd(*terms) if len(terms) > 1 else terms[0]) if terms else sp.ZeroMatrix(*wrt.shape)
        )
    return sp.Add(*terms)


def _back(node: sp.Basic, G: sp.Basic, wrt: sp.Basic, out: list) -> None:
    """Add to ``out`` the contributions of ``node``, whose adjoint is ``G``, to ∂f/∂wrt."""
    if isinstance(G, (sp.MatMul, sp.Transpose, sp.MatAdd)):
        G = G.doit(deep=False)  # 1ᵀ -> 1, I·A -> A, (Aᵀ)ᵀ -> A: the top level only, EAFs untouched
    if node == wrt:
        out.append(G)
        return
    if not node.has(wrt) or isinstance(node, _CONSTANT_MATRICES):
        return
    if _is_matrix(node):
        _back_matrix(node, G, wrt, out)
    elif isinstance(node, sp.Trace):
        A = node.arg
        _back(A, G * sp.Identity(A.shape[0]), wrt, out)  # Cookbook Eq. 100
    elif isinstance(node, sp.Determinant):
        A = node.arg
        _back(A, G * node * sp.Inverse(A).T, wrt, out)  # Cookbook Eq. 49
    elif isinstance(node, sp.Add):
        for a in node.args:
            _back(a, G, wrt, out)
    elif isinstance(node, sp.Mul):
        for k, a in enumerate(node.args):
            if a.has(wrt):
                rest = sp.Mul(*(node.args[:k] + node.args[k + 1 :]))
                _back(a, G * rest, wrt, out)
    elif isinstance(node, sp.Pow):
        base, k = node.args
        if base.has(wrt):
            _back(base, G * k * base ** (k - 1), wrt, out)
        if k.has(wrt):
            _back(k, G * node * sp.log(base), wrt, out)
    elif isinstance(node, MatrixElement):
        raise ValueError(
            f"{sp.sstr(node)}: entries of matrices (A[i, j]) have no gradient rule here; "
            "write the expression with matrix operations (e.g. e_i.T*A*e_j)"
        )
    elif isinstance(node, (sp.Function, AppliedUndef)) or node.args:
        for k, a in enumerate(node.args):
            if a.has(wrt):
                _back(a, G * _scalar_derivative(node, k), wrt, out)
    else:
        raise ValueError(f"no gradient rule for {type(node).__name__} {sp.sstr(node)}")


def _back_matrix(node: sp.MatrixExpr, G: sp.Basic, wrt, out: list) -> None:
    if isinstance(node, sp.MatAdd):
        for a in node.args:
            _back(a, G, wrt, out)
    elif isinstance(node, sp.MatMul):
        scalars = [a for a in node.args if not _is_matrix(a)]
        mats = [a for a in node.args if _is_matrix(a)]
        c = sp.Mul(*scalars)
        if c.has(wrt):
            _back(c, sp.Trace(G.T * _prod(mats, node.shape[0])), wrt, out)
        for i, M in enumerate(mats):
            if not M.has(wrt):
                continue
            left, right = mats[:i], mats[i + 1 :]
            adj = [c] if c != 1 else []
            if left:
                adj.append(_prod(left, None).T)
            adj.append(G)
            if right:
                adj.append(_prod(right, None).T)
            _back(M, sp.MatMul(*adj) if len(adj) > 1 else adj[0], wrt, out)  # Cookbook Eqs. 70, 71
    elif isinstance(node, sp.Transpose):
        _back(node.arg, G.T, wrt, out)
    elif isinstance(node, sp.Inverse):
        Ai = sp.Inverse(node.arg)
        _back(node.arg, -Ai.T * G * Ai.T, wrt, out)  # Cookbook Eq. 59
    elif isinstance(node, sp.MatPow):
        A, k = node.args
        if k.has(wrt) or not k.is_integer:
            raise ValueError(f"{sp.sstr(node)}: only integer powers of a matrix have a gradient rule here")
        if k < 0:
            _back(sp.Inverse(A) ** (-k) if k != -1 else sp.Inverse(A), G, wrt, out)
            return
        terms = [
            sp.MatMul(
                *[f for f in (A.T**r if r else None, G, A.T ** (k - 1 - r) if k - 1 - r else None) if f is not None]
            )
            for r in range(int(k))
        ]  # Cookbook Eq. 90
        _back(A, sp.MatAdd(*terms) if len(terms) > 1 else terms[0], wrt, out)
    elif isinstance(node, sp.HadamardProduct):
        for i, a in enumerate(node.args):
            if a.has(wrt):
                others = node.args[:i] + node.args[i + 1 :]
                M = others[0] if len(others) == 1 else sp.HadamardProduct(*others)
                _back(a, _hadamard(G, M), wrt, out)
    elif isinstance(node, sp.HadamardPower):
        A, k = node.args
        if k.has(wrt):
            raise ValueError(f"{sp.sstr(node)}: a Hadamard power with the variable in the exponent has no rule here")
        _back(A, _hadamard(G, k * (sp.HadamardPower(A, k - 1) if k != 2 else A)), wrt, out)
    elif isinstance(node, ElementwiseApplyFunction):
        fn = node.function if isinstance(node.function, Lambda) else Lambda(sp.Dummy("u"), node.function(sp.Dummy("u")))
        d = _entrywise_derivative(fn)
        if d.expr == 1:
            _back(node.expr, G, wrt, out)
        elif not d.expr.has(d.variables[0]):
            _back(node.expr, d.expr * G, wrt, out)
        else:
            _back(node.expr, _hadamard(G, ElementwiseApplyFunction(d, node.expr)), wrt, out)
    else:
        raise ValueError(
            f"no gradient rule for {type(node).__name__} {sp.sstr(node)} (e.g. Kronecker products "
            "are not supported); expected sums, products, transposes, traces, inverses, det, "
            "Hadamard products and entrywise functions"
        )


def simplify_gradient(G: sp.Basic) -> sp.Basic:
    """Tidy a derived gradient without changing its value: like terms collected (``doit``), ``I A = A``."""
    G = G.doit()

    def tidy(e):
        if isinstance(e, sp.MatMul):
            args = [a for a in e.args if not (isinstance(a, sp.Identity))]
            if len(args) != len(e.args):
                mats = [a for a in args if _is_matrix(a)]
                if not mats:
                    return e
                return sp.MatMul(*args).doit(deep=False) if len(args) > 1 else args[0]
        return e

    prev = None
    while prev != G:
        prev = G
        G = G.replace(lambda e: isinstance(e, sp.MatMul), tidy)
    return G
