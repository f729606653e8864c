"""The matrix grammar of string steps (issue 13): ``det``, ``inv``, ``kron``, ``hadamard``; scalar
functions applied to a matrix act entrywise (``relu(W1*x + b1)``, the book's φ(z)), including the
chapter's activations, defined here (the chain tool imports no chapter module):

- ``relu(t) = max(t, 0)`` (Eq. 5.1.4), ``sigmoid(t) = 1/(1 + exp(-t))`` (Eq. 5.1.6),
  ``tanh`` (Eq. 5.1.8), ``softplus(t) = log(1 + exp(t))``, ``swish(t) = t·sigmoid(t)``,
  ``gelu(t) = t·Φ(t) = t·(1 + erf(t/√2))/2``.

``Identity(n)`` is parsed as a placeholder first (:func:`identity_placeholder`), so that a shape
mismatch it takes part in (``Identity(m)*A`` with ``A`` n×n, which SymPy simplifies to ``A``) is
seen before SymPy drops it (:func:`restore_identities`).
"""

from __future__ import annotations

import sympy as sp
from sympy.matrices.expressions.applyfunc import ElementwiseApplyFunction

_t = sp.Dummy("t")

#: The chapter's activations as functions of one scalar.
ACTIVATIONS = {
    "relu": sp.Lambda(_t, sp.Max(_t, 0)),
    "sigmoid": sp.Lambda(_t, 1 / (1 + sp.exp(-_t))),
    "softplus": sp.Lambda(_t, sp.log(1 + sp.exp(_t))),
    "swish": sp.Lambda(_t, _t / (1 + sp.exp(-_t))),
    "gelu": sp.Lambda(_t, _t * (1 + sp.erf(_t / sp.sqrt(2))) / 2),
}

#: Scalar functions of one argument that act entrywise on a matrix argument.
ENTRYWISE = ("exp", "log", "sqrt", "sin", "cos", "tan", "tanh", "sinh", "cosh", "erf", "Abs", "Heaviside")


def _is_matrix(a) -> bool:
    return isinstance(a, (sp.MatrixExpr, sp.MatrixBase))


def entrywise(name: str, scalar_function):
    """``name(a)``: ``scalar_function(a)`` for a scalar, entrywise for a matrix ``a``."""
    lam = scalar_function if isinstance(scalar_function, sp.Lambda) else sp.Lambda(_t, scalar_function(_t))

    def apply(*args):
        if len(args) != 1:
            raise TypeError(f"{name}() takes one argument ({len(args)} given)")
        a = args[0]
        if _is_matrix(a):
            return ElementwiseApplyFunction(lam, a)
        return scalar_function(a) if not isinstance(scalar_function, sp.Lambda) else lam(a)

    apply.__name__ = name
    return apply


def _binary(name: str, build):
    def apply(*args):
        if len(args) < 2 or not all(_is_matrix(a) for a in args):
            raise TypeError(f"{name}() takes two or more matrices")
        return build(*args)

    apply.__name__ = name
    return apply


def _unary_matrix(name: str, build):
    def apply(*args):
        if len(args) != 1 or not _is_matrix(args[0]):
            raise TypeError(f"{name}() takes one matrix")
        return build(args[0])

    apply.__name__ = name
    return apply


def functions() -> dict:
    """The grammar's matrix functions and entrywise functions, by name."""
    out = {name: entrywise(name, getattr(sp, name)) for name in ENTRYWISE}
    out["abs"] = entrywise("abs", sp.Abs)
    out.update({name: entrywise(name, lam) for name, lam in ACTIVATIONS.items()})
    out["det"] = _unary_matrix("det", sp.Determinant)
    out["inv"] = _unary_matrix("inv", sp.Inverse)
    out["kron"] = _binary("kron", lambda *a: sp.KroneckerProduct(*a))
    out["hadamard"] = _binary("hadamard", lambda *a: sp.HadamardProduct(*a))
    out["Identity"] = identity_placeholder
    return out


_PLACEHOLDER = "Identity("


def identity_placeholder(n) -> sp.MatrixSymbol:
    """``Identity(n)`` as a matrix symbol SymPy does not simplify away."""
    n = sp.sympify(n)
    return sp.MatrixSymbol(f"{_PLACEHOLDER}{sp.sstr(n)})", n, n)


def restore_identities(expr: sp.Basic) -> sp.Basic:
    """Every placeholder of :func:`identity_placeholder` replaced by SymPy's ``Identity``."""
    swap = {m: sp.Identity(m.shape[0]) for m in expr.atoms(sp.MatrixSymbol) if m.name.startswith(_PLACEHOLDER)}
    return expr.xreplace(swap) if swap else expr
