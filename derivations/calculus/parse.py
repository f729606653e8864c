"""Strings for :func:`~.gradient.gradient`: the chain checker's grammar, with what a scalar loss needs on top.

The grammar is :func:`derivations.chain.parse`'s (its functions, ``det``, ``inv``, ``hadamard``, the
chapter's activations acting entrywise, ``.T``, exact decimals), evaluated with a local dictionary of
our own (``chain.parse`` takes none), adding:

- ``sum(A)``: the sum of all entries of ``A``, as ``tr(1 A)`` with ``1`` an all-ones matrix;
- a 1×1 matrix next to a scalar acts as that scalar (``log(sum(exp(o))) - y.T*o``), written
  ``tr(M)``; SymPy alone refuses "Mix of Matrix and Scalar symbols"; a scalar added to a larger
  matrix is added to every entry (``1 - hadamard(t, t)``, i.e. ``c·1``);
- a called name that is no known function is an undefined scalar function (``phi(W*x + b)``, the
  book's φ), entrywise on a matrix; ``phi_prime(...)`` is its derivative φ' (``D0phi``).

Bad input is a one-line ``ValueError`` naming the text and what is wrong.
"""

from __future__ import annotations

import re

import sympy as sp
from sympy import Lambda
from sympy.matrices.exceptions import NonSquareMatrixError, ShapeError
from sympy.matrices.expressions.applyfunc import ElementwiseApplyFunction
from sympy.parsing.sympy_parser import convert_xor, parse_expr, rationalize, standard_transformations

from ..chain import declare, grammar, shape_of
from ..chain.domains import check_symbols, scalar
from ..chain.parsing import SCALAR_FUNCTIONS
from .normalize import named_derivative

__all__ = ["parse_scalar", "scalar_of", "sum_entries"]

_u = sp.Dummy("u")

_SCALAR_FUNCTIONS = SCALAR_FUNCTIONS  # the chain grammar's, so the two parsers read the same names
_CONSTANTS = {"pi": sp.pi, "E": sp.E}
_FORBIDDEN = re.compile(r"__|\blambda\b|\bimport\b|['\"\[\]{};:]|\.(?!T\b)[A-Za-z_]")


def _is_matrix(e) -> bool:
    return isinstance(e, sp.MatrixExpr)


def scalar_of(e: sp.Basic) -> sp.Basic:
    """A 1×1 matrix expression as the scalar it is (``tr(M)``); anything else unchanged."""
    return sp.Trace(e) if _is_matrix(e) and e.shape == (1, 1) else e


def sum_entries(A: sp.MatrixExpr) -> sp.Expr:
    """Σ_ij A_ij as ``tr(1 A)``, ``1`` the all-ones cols×rows matrix (the Cookbook's 1ᵀ A 1)."""
    return sp.Trace(sp.OneMatrix(A.shape[1], A.shape[0]) * A) if A.shape != (1, 1) else sp.Trace(A)


class _V:
    """A parsed value (SymPy object ``e``) whose operators let a 1×1 matrix act as a scalar."""

    __slots__ = ("e",)

    def __init__(self, e):
        self.e = e

    @staticmethod
    def of(a):
        return a.e if isinstance(a, _V) else sp.sympify(a)

    def _pair(self, other, reverse=False):
        a, b = self.e, _V.of(other)
        if _is_matrix(a) != _is_matrix(b):  # a 1×1 matrix beside a scalar is that scalar
            a, b = scalar_of(a), scalar_of(b)
        if _is_matrix(a) != _is_matrix(b):  # c + A: c added to every entry (1 - tanh²(z), entrywise)
            shape = (a if _is_matrix(a) else b).shape
            a, b = (
                (a if _is_matrix(a) else a * sp.OneMatrix(*shape)),
                (b if _is_matrix(b) else b * sp.OneMatrix(*shape)),
            )
        return (b, a) if reverse else (a, b)

    def __add__(self, o):
        a, b = self._pair(o)
        return _V(a + b)

    def __radd__(self, o):
        a, b = self._pair(o, True)
        return _V(a + b)

    def __sub__(self, o):
        a, b = self._pair(o)
        return _V(a - b)

    def __rsub__(self, o):
        a, b = self._pair(o, True)
        return _V(a - b)

    def __neg__(self):
        return _V(-self.e)

    def __pos__(self):
        return self

    def _product(self, a, b):
        if _is_matrix(a) and _is_matrix(b) and a.shape[1] != b.shape[0]:
            if a.shape == (1, 1):
                a = scalar_of(a)
            elif b.shape == (1, 1):
                b = scalar_of(b)
        return _V(a * b)

    def __mul__(self, o):
        return self._product(self.e, _V.of(o))

    def __rmul__(self, o):
        return self._product(_V.of(o), self.e)

    __matmul__, __rmatmul__ = __mul__, __rmul__

    def __truediv__(self, o):
        return _V(self.e * scalar_of(_V.of(o)) ** -1)

    def __rtruediv__(self, o):
        return _V(_V.of(o) * scalar_of(self.e) ** -1)

    def __pow__(self, o):
        base, k = self.e, _V.of(o)
        if _is_matrix(base) and base.shape == (1, 1):
            base = scalar_of(base)
        return _V(base**k)

    def __rpow__(self, o):
        return _V(_V.of(o) ** scalar_of(self.e))

    @property
    def T(self):
        if not _is_matrix(self.e):  # as in the chain grammar: x.T of a scalar is an undeclared matrix
            raise AttributeError(f"'{sp.sstr(self.e)}' is a scalar and has no attribute 'T'")
        return _V(self.e.T)


def _entrywise(name: str, scalar_function):
    """``name(a)``: scalar on a scalar (or a 1×1 matrix), entrywise on a matrix."""
    lam = scalar_function if isinstance(scalar_function, Lambda) else Lambda(_u, scalar_function(_u))

    def apply(*args):
        if len(args) != 1:
            raise TypeError(f"{name}() takes one argument ({len(args)} given)")
        a = scalar_of(_V.of(args[0]))
        return _V(ElementwiseApplyFunction(lam, a) if _is_matrix(a) else lam(a))

    return apply


def _scalar_only(name: str, f):
    def apply(*args):
        vals = [scalar_of(_V.of(a)) for a in args]
        if any(_is_matrix(v) for v in vals):
            raise TypeError(f"{name}() of a matrix is not defined here; apply it to scalars")
        return _V(f(*vals))

    return apply


def _matrix_function(name: str, build, arity: int | None = 1):
    def apply(*args):
        vals = [_V.of(a) for a in args]
        if (arity is not None and len(vals) != arity) or not all(_is_matrix(v) for v in vals):
            raise TypeError(f"{name}() takes {'one matrix' if arity == 1 else 'two or more matrices'}")
        return _V(build(*vals))

    return apply


def _local(text: str, declared: dict, symbols: dict) -> dict:
    """The names of ``text``: functions, matrices (wrapped), scalars and undefined functions."""
    local: dict = {
        name: _entrywise(name, f) for name, f in _SCALAR_FUNCTIONS.items() if name not in ("Max", "Min", "max", "min")
    }
    local.update(
        {
            name: _scalar_only(name, f)
            for name, f in (("Max", sp.Max), ("Min", sp.Min), ("max", sp.Max), ("min", sp.Min))
        }
    )
    local.update({name: _entrywise(name, lam) for name, lam in grammar.ACTIVATIONS.items()})
    local.update(
        det=_matrix_function("det", sp.Determinant),
        inv=_matrix_function("inv", sp.Inverse),
        hadamard=_matrix_function("hadamard", sp.HadamardProduct, None),
        kron=_matrix_function("kron", sp.KroneckerProduct, None),
        trace=_matrix_function("trace", sp.Trace),
        Trace=_matrix_function("trace", sp.Trace),
        transpose=_matrix_function("transpose", sp.Transpose),
        sum=_matrix_function("sum", sum_entries),
        Identity=lambda n: _V(sp.Identity(_V.of(n))),
    )
    local.update({k: _V(v) for k, v in _CONSTANTS.items()})
    local.update({k: _V(v) for k, v in declared.items()})
    dims = {s.name: s for m in declared.values() for s in m.shape if isinstance(s, sp.Symbol)}
    called = set(re.findall(r"(?<![\w.])([A-Za-z_]\w*)\s*\(", text))
    for name in sorted(called - set(local)):
        if name in declared or name in dims:
            raise ValueError(
                f"f {text!r}: {name!r} is a matrix or a dimension but is called like a function, "
                f"{name}(...); write products with '*', e.g. {name}*(x)"
            )
        base = name[: -len("_prime")] if name.endswith("_prime") else name
        fn = named_derivative(sp.Function(base)) if base != name else sp.Function(name)
        local[name] = _entrywise(name, Lambda(_u, fn(_u)))
    for name in set(re.findall(r"[A-Za-z_]\w*", re.sub(r"\d+\.\d*(e[+-]?\d+)?|\.T\b", " ", text))) - set(local):
        local[name] = _V(dims.get(name) or scalar(name, symbols))
    return local


def parse_scalar(text: str, matrices: dict | None = None, symbols: dict | None = None, *, what: str = "f") -> sp.Basic:
    """Parse ``text`` (the chain grammar plus ``sum``, 1×1-as-scalar and undefined functions, see the module)."""
    if not isinstance(text, str) or not text.strip():
        raise ValueError(f"{what}={text!r} is empty; expected an expression such as 'sum(tanh(W*x + b))'")
    bad = _FORBIDDEN.search(text)
    if bad:
        raise ValueError(
            f"{what}={text!r}: {bad.group(0)!r} is not allowed; expected +, -, *, @, **, .T, "
            "numbers, names and functions such as exp(...)"
        )
    if text.count("(") != text.count(")"):
        raise ValueError(
            f"{what}={text!r} has {text.count('(')} '(' but {text.count(')')} ')'; expected balanced parentheses"
        )
    declared = declare(matrices)
    local = _local(text, declared, check_symbols(symbols))
    glob = {"__builtins__": {}, "Symbol": sp.Symbol, "Integer": sp.Integer, "Float": sp.Float, "Rational": sp.Rational}
    try:
        value = parse_expr(
            text,
            local_dict=local,
            global_dict=glob,
            transformations=standard_transformations + (convert_xor, rationalize),
        )
    except (ShapeError, NonSquareMatrixError) as exc:
        raise ValueError(f"{what}={text!r} has mismatched sizes: {' '.join(str(exc).split())}") from None
    except AttributeError as exc:
        raise ValueError(f"{what}={text!r}: {exc}; is a matrix undeclared? declare it in matrices") from None
    except (SyntaxError, TypeError, NameError, ValueError) as exc:
        raise ValueError(
            f"{what}={text!r} does not parse: {' '.join(str(exc).split()) or type(exc).__name__}"
        ) from None
    expr = _V.of(value)
    problems: list[str] = []
    shape_of(expr, problems)
    if problems:
        raise ValueError(f"{what}={text!r} has mismatched sizes: {problems[0]}")
    return expr
