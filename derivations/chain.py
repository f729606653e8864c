"""Check a chain of equalities ``e0 = e1 = ... = ek`` step by step (issue 5).

``verify_chain(steps, matrices=None, seed=0)`` checks every step
``steps[i] -> steps[i+1]`` in three stages:

1. **shape** -- SymPy accepts ``A + B`` and ``A*B`` of mismatched *symbolic*
   shapes, so the expression trees are walked here and every shape condition
   (MatAdd: equal shapes; MatMul: equal inner sizes; powers, inverses and
   traces: square) is collected.  A condition that does not hold for general
   sizes (``h = q`` with free ``h, q``) or a side whose shape differs from the
   other's makes the step fail with method ``"shape"``.
2. **symbolic** -- ``lhs - rhs`` is rewritten (``doit`` + ``expand`` to a fixed
   point, which turns matrix expressions into canonical sums of products of
   non-commuting factors; scalar leftovers go through
   :func:`derivations.checking.is_zero`) within :data:`PROOF_BUDGET` CPU seconds.
   A difference that reduces to something plainly nonzero (a nonzero exact
   constant such as 10**-20, which floating point cannot see; a nonzero multiple
   of a matrix symbol; see :func:`_nonzero`) fails here, with a point at which
   the exact re-evaluation below confirms it.
3. **numeric** -- otherwise randomized identity testing at :data:`POINTS`
   points; every size symbol gets a DISTINCT size >= 3 (Amitsur-Levitzki: a
   matrix identity of degree <= 2n holds on all n×n matrices, 1×1 matrices
   commute, so small sizes lie).  Points are complex where every function is
   analytic, real otherwise.  The tolerance is a forward rounding-error bound
   computed alongside the value (see :func:`_evaluate`).  Before a step passes,
   one tested point is re-evaluated exactly (below), since float64 cannot see a
   difference under its rounding bound.

A failing step carries a counterexample: a dict from every free symbol name
(dimension names included) to a number or NumPy array, confirmed before it is
reported by an independent, EXACT re-evaluation (:func:`_exact_differs`: each
float of the point is the binary rational it stores, arithmetic in Gaussian
rationals, or at :data:`HP_BITS` bits with mpmath where exp, sqrt, pi, ...
leave the rationals), so the confirmation is at least as sensitive as the
detection.  Decimal literals in string steps are exact decimals (``0.1`` is
1/10); SymPy ``Float`` constants are approximate, as in SymPy (which rounds
``Rational - Float`` to the Float's precision): they never make a step fail
symbolically, and a step with Floats passes on the float64 test alone.

String steps are parsed with :func:`parse` (grammar in its docstring).
"""

from __future__ import annotations

import re
import threading
import time
from tokenize import TokenError
from dataclasses import dataclass, field
from fractions import Fraction
from functools import cache
from typing import Any

import mpmath
import numpy as np
import sympy as sp
from sympy.polys.domains import QQ, QQ_I
from sympy.polys.matrices import DomainMatrix
from sympy.matrices.exceptions import NonSquareMatrixError, ShapeError
from sympy.parsing.sympy_parser import convert_xor, parse_expr, rationalize, standard_transformations

from .claims import Check

__all__ = ["ChainResult", "POINTS", "PROOF_BUDGET", "parse", "verify_chain"]

#: Random points per unproved step.  A false identity is a nonzero analytic
#: function of the entries, which vanishes on a set of measure zero, so one
#: continuous random point already refutes it with probability 1; 4 points
#: with different sizes guard against size coincidences.
POINTS = 4
#: CPU seconds the symbolic stage may spend on a step before the numeric
#: stage decides (the proof runs in a daemon thread that is abandoned on
#: timeout).  Every chain the registry checks proves in under 0.02 s.
PROOF_BUDGET = 2.0
#: A proof also stops after this many budgets of wall-clock time.
WALL_FACTOR = 10
#: Sizes drawn for dimension symbols: distinct, in [3, 8] (>= 3, see above;
#: <= 8 keeps evaluation cheap); with more than 4 dimension names the upper end grows
#: to 3 + len(dims) + 1, so distinct sizes always exist (7+ names used to crash).
SIZE_RANGE = (3, 8)
#: Unit roundoff of float64/complex128.
EPS = np.finfo(np.float64).eps / 2
#: Safety factor on the first-order rounding bound: complex multiplication
#: rounds to within sqrt(5)·u (Brent et al. 2007) and libm functions to a few
#: ulps, both below this factor.
TOL_FACTOR = 16

#: Relative tolerance where no running error bound is available (nodes such as Inverse that
#: _evaluate does not model): rounding error grows with the condition number, and 1e-8 allows
#: condition numbers up to ~1e7 at unit roundoff 1.1e-16, while a false step is off by O(1).
FALLBACK_RTOL = 1e-8

#: Functions that are not analytic: with one of them, points are real.
_NON_ANALYTIC = (sp.Abs, sp.Max, sp.Min, sp.Heaviside, sp.sign, sp.re, sp.im, sp.conjugate,
                 sp.floor, sp.ceiling, sp.Piecewise, sp.arg)
#: Names the string grammar may call (besides declared matrices and scalars).
_FUNCTIONS = {name: getattr(sp, name) for name in (
    "exp", "log", "sqrt", "sin", "cos", "tan", "tanh", "sinh", "cosh", "Abs", "Max", "Min",
    "Heaviside", "erf", "pi", "E", "transpose", "Trace", "Identity", "Rational")}
_FUNCTIONS.update({"abs": sp.Abs, "max": sp.Max, "min": sp.Min, "trace": sp.Trace})


# --- parsing ------------------------------------------------------------------------------------


def _dimension(value: Any, name: str) -> sp.Expr:
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        if value < 1:
            raise ValueError(f"matrices[{name!r}] has size {value}; expected a positive integer or a dimension name")
        return sp.Integer(int(value))
    if isinstance(value, str) and value.strip().isdigit():
        return _dimension(int(value), name)
    if isinstance(value, str) and re.fullmatch(r"[A-Za-z_]\w*", value.strip()):
        return sp.Symbol(value.strip(), integer=True, positive=True)
    if isinstance(value, sp.Symbol):
        return value
    raise ValueError(f"matrices[{name!r}] has size {value!r}; expected a positive integer or a dimension name like 'h'")


def declare(matrices: dict | None) -> dict[str, sp.MatrixSymbol]:
    """``{"W1": ("h", "d")}`` -> ``{"W1": MatrixSymbol("W1", h, d)}``, validated."""
    out: dict[str, sp.MatrixSymbol] = {}
    for name, shape in (matrices or {}).items():
        if not isinstance(name, str) or not re.fullmatch(r"[A-Za-z_]\w*", name):
            raise ValueError(f"matrix name {name!r} is not an identifier; expected e.g. 'W1'")
        if not isinstance(shape, (tuple, list)) or len(shape) != 2:
            raise ValueError(f"matrices[{name!r}] = {shape!r}; expected (rows, cols), e.g. ('h', 'd')")
        out[name] = sp.MatrixSymbol(name, _dimension(shape[0], name), _dimension(shape[1], name))
    dims = {s.name for m in out.values() for s in m.shape if isinstance(s, sp.Symbol)}
    clash = sorted(dims & set(out))
    if clash:
        raise ValueError(f"{clash[0]!r} is declared both as a matrix and as a dimension; use distinct names")
    return out


class IllFormed(Exception):
    """A step SymPy refuses to build (numeric sizes that do not fit)."""


def parse(text: str, matrices: dict | None = None) -> sp.Basic:
    """Parse one step.  Grammar (a safe subset of Python/SymPy syntax):

    ``expr := expr (+|-|*|@|/) expr | -expr | expr**k | expr^k | (expr) | expr.T |
    f(expr, ...) | NAME | NUMBER`` where ``f`` is one of exp, log, sqrt, sin, cos,
    tan, tanh, sinh, cosh, abs/Abs, max/Max, min/Min, Heaviside, erf,
    transpose, trace/Trace, Identity, Rational; NAME is a declared matrix
    (``matrices``), or else a scalar symbol (dimension names may appear as
    scalars).  ``*`` and ``@`` are both the matrix product.  Decimal literals are exact
    (``0.1`` is 1/10, so ``0.1*x + 0.2*x = 0.3*x`` holds).  Anything else
    (attributes other than ``.T``, dunder names, lambda, strings) is rejected
    with ``ValueError``; ill-sized numeric products raise :class:`IllFormed`.
    """
    if not isinstance(text, str) or not text.strip():
        raise ValueError(f"step {text!r} is empty; expected an expression such as 'W2*(W1*x + b1)'")
    forbidden = re.search(r"__|\blambda\b|\bimport\b|['\"\[\]{};:]|\.(?!T\b)[A-Za-z_]", text)
    if forbidden:
        raise ValueError(f"step {text!r}: {forbidden.group(0)!r} is not allowed; expected +, -, *, @, **, .T, "
                         "numbers, names and functions such as exp(...)")
    declared = declare(matrices)
    callable_names = sorted(n for n, f in _FUNCTIONS.items() if callable(f) and not isinstance(f, sp.Basic))
    for called in re.findall(r"(?<![\w.])([A-Za-z_]\w*)\s*\(", text):  # not .T(, not 1e3(
        if called not in callable_names:
            what = (f"{called!r} is a declared matrix" if called in declared
                    else f"{called!r} is a constant" if called in _FUNCTIONS else f"{called!r} is not a known function")
            hint = "; write products with '*', e.g. A*(x)" if called in declared or called in _FUNCTIONS else ""
            raise ValueError(f"step {text!r} does not parse: {what} but is called like a function, {called}(...); "
                             f"expected one of the functions {', '.join(callable_names)}{hint}")
    local = {**_FUNCTIONS, **declared}
    names = set(re.findall(r"[A-Za-z_]\w*", re.sub(r"\d+\.\d*|\.T\b", " ", text)))
    # a dimension name in the text (Identity(n), a scalar n) is the matrices' positive integer n
    dimensions = {s.name: s for m in declared.values() for s in m.shape if isinstance(s, sp.Symbol)}
    for name in names - set(local):
        local[name] = dimensions.get(name, sp.Symbol(name))
    globals_ = {"__builtins__": {}, "Symbol": sp.Symbol, "Integer": sp.Integer, "Float": sp.Float,
                "Rational": sp.Rational}
    try:
        expr = parse_expr(text, local_dict=local, global_dict=globals_,
                          transformations=standard_transformations + (convert_xor, rationalize))
    except (ShapeError, NonSquareMatrixError) as exc:
        raise IllFormed(f"{text}: {exc}") from None
    except AttributeError as exc:
        what = re.search(r"'(\w+)' object has no attribute '(\w+)'", str(exc))
        hint = f"{what.group(2)!r} on a {what.group(1)}" if what else str(exc)
        raise ValueError(f"step {text!r}: {hint}; is a matrix undeclared? declare it with --matrix NAME=ROWS,COLS") from None
    except (SyntaxError, TypeError, NameError, ValueError, TokenError) as exc:
        message = " ".join(str(exc).split()) or type(exc).__name__
        called = re.fullmatch(r"'(\w+)' object is not callable", message)
        if called:  # e.g. x.T(y) or 2 (x): a value followed by parentheses
            message = (f"a value ({called.group(1)}) is called like a function; expected one of the functions "
                       f"{', '.join(callable_names)}, and '*' for products, e.g. x.T*(y)")
        raise ValueError(f"step {text!r} does not parse: {message}") from None
    if not isinstance(expr, sp.Basic):
        raise ValueError(f"step {text!r} is a {type(expr).__name__}, expected an expression")
    return expr


# --- shapes -------------------------------------------------------------------------------------


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
                problems.append(f"{sp.sstr(left)} is {_fmt(ls)} but {sp.sstr(a)} is {_fmt(s)}: cannot multiply "
                                f"({_size(ls[1])} ≠ {_size(s[0])})")
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
        if isinstance(node, sp.Trace):
            s = shape_of(node.arg, problems)
            if s is not None and not _same(s[0], s[1]):
                problems.append(f"{sp.sstr(node.arg)} is {_fmt(s)}, not square: cannot take its trace")


# --- numeric evaluation with a rounding-error bound ---------------------------------------------


class _Unsupported(Exception):
    pass


@cache
def _function_and_partials(func, nargs: int):
    """Lambdified ``func(a1..an)`` and its partial derivatives (numpy)."""
    real = func in _NON_ANALYTIC or (isinstance(func, type) and issubclass(func, _NON_ANALYTIC))
    dummies = sp.symbols(f"a0:{nargs}", real=real)  # real: d|a|/da = sign(a), not a complex-variable form
    node = func(*dummies)
    f = sp.lambdify(dummies, node, "numpy")
    partials = [sp.lambdify(dummies, sp.diff(node, a), "numpy") for a in dummies]
    return f, partials


def _int_size(size: sp.Expr, env: dict) -> int:
    """A (possibly symbolic) size at ``env``, where dimension names map to ints."""
    size = sp.sympify(size)
    return int(size.subs({s: env[s.name] for s in size.free_symbols}))


def _evaluate(expr: sp.Basic, env: dict) -> tuple[Any, Any]:
    """Value of ``expr`` at ``env`` and a first-order bound ``B`` on its rounding error, ``|err| <~ u·B``.

    Running error analysis (Higham, ch. 3): a sum of k terms adds
    ``(k-1)·Σ|v_i|``; a product adds ``Σ_i err_i·Π_{j≠i}|v_j| + |v|``; a matrix
    product ``A B`` adds ``errA|B| + |A|errB + inner·|A||B|``; a function
    ``f(a)`` adds ``Σ|∂f/∂a_i|·err_i + |f|``.  Inputs are exact (err 0).
    """
    if isinstance(expr, (sp.MatrixSymbol, sp.Symbol)):
        v = env[expr.name]
        return v, np.zeros_like(np.abs(v), dtype=float)
    if isinstance(expr, sp.Number) or expr in (sp.pi, sp.E):
        v = complex(expr) if not expr.is_real else float(expr)
        return v, abs(v)
    if isinstance(expr, sp.Identity):
        size = _int_size(expr.shape[0], env)
        return np.eye(size), np.zeros((size, size))
    if isinstance(expr, (sp.ZeroMatrix, sp.OneMatrix)):
        shape = tuple(_int_size(s, env) for s in expr.shape)
        return (np.zeros if isinstance(expr, sp.ZeroMatrix) else np.ones)(shape), np.zeros(shape)
    if isinstance(expr, (sp.MatAdd, sp.Add)):
        parts = [_evaluate(a, env) for a in expr.args]
        value = sum(p[0] for p in parts)
        bound = sum(p[1] for p in parts) + (len(parts) - 1) * sum(np.abs(p[0]) for p in parts)
        return value, bound
    if isinstance(expr, (sp.MatMul, sp.Mul, sp.HadamardProduct)):
        value, bound = _evaluate(expr.args[0], env)
        for a in expr.args[1:]:
            v, b = _evaluate(a, env)
            if np.ndim(value) == 2 and np.ndim(v) == 2 and not isinstance(expr, sp.HadamardProduct):
                value, bound = value @ v, bound @ np.abs(v) + np.abs(value) @ b + value.shape[1] * (
                    np.abs(value) @ np.abs(v))
            else:
                value, bound = value * v, bound * np.abs(v) + np.abs(value) * b + np.abs(value * v)
        return value, bound
    if isinstance(expr, sp.Transpose):
        v, b = _evaluate(expr.arg, env)
        return np.transpose(v), np.transpose(b)
    if isinstance(expr, sp.MatPow) and expr.exp.is_Integer and expr.exp > 0:
        return _evaluate(sp.MatMul(*([expr.base] * int(expr.exp)), evaluate=False), env)
    if isinstance(expr, sp.Trace):
        v, b = _evaluate(expr.arg, env)
        d = np.diag(v)
        return d.sum(), np.diag(b).sum() + (len(d) - 1) * np.abs(d).sum()
    if isinstance(expr, sp.Expr) and not isinstance(expr, sp.MatrixExpr) and expr.args:
        parts = [_evaluate(a, env) for a in expr.args]
        if any(np.ndim(p[0]) for p in parts):
            raise _Unsupported(type(expr).__name__)
        try:
            f, partials = _function_and_partials(expr.func, len(parts))
        except Exception as exc:  # noqa: BLE001 - an exotic node: the caller falls back
            raise _Unsupported(type(expr).__name__) from exc
        args = [p[0] for p in parts]
        with np.errstate(all="ignore"):  # non-finite results are detected and the point redrawn
            value = f(*args)
            bound = abs(value) + sum(np.abs(df(*args)) * p[1] for df, p in zip(partials, parts))
        return value, bound
    raise _Unsupported(type(expr).__name__)


#: lambdify's NumPyPrinter has no printer for Trace: map it to numpy.trace by name.
_LAMBDIFY_MODULES = [{"Trace": np.trace}, "numpy"]


def _lambdified(expr: sp.Basic, names: list[sp.Basic], sizes: dict) -> Any:
    """The independent evaluation path: substitute sizes, lambdify over ``names`` (numpy)."""
    concrete = expr.subs(sizes) if sizes else expr
    symbols = [n.subs(sizes) if sizes else n for n in names]
    return sp.lambdify(symbols, concrete, _LAMBDIFY_MODULES)


# --- exact / high-precision re-evaluation (the confirmation path) -------------------------------

#: Working precision (bits) of the high-precision path, used where a step leaves rational
#: arithmetic (exp, sqrt, pi, ...).  Its rounding unit 2**-320 ~ 5e-97 is ~1e81 times below
#: float64's, so it resolves every difference the float stage can see.
HP_BITS = 320
#: Agreement of the high-precision path with itself: the sides differ iff |lhs − rhs| is nonzero at
#: 2·HP_BITS bits and equals its value at HP_BITS bits to a relative HP_RTOL. A real difference D
#: does (both evaluations are accurate to 2**-320 times the intermediate values, far below any D the
#: float stage can flag, >= 16·u ~ 2e-15 times its rounding bound); rounding noise does not (it
#: shrinks by ~2**-320 from one precision to the next).
HP_RTOL = 2.0 ** -160


class _Inexact(Exception):
    """The expression leaves the current exact arithmetic: try the next (see :func:`_exact_differs`)."""


class _Dyadic:
    """An exact complex dyadic rational ``(re + i·im)·2**e`` (Python ints ``re``, ``im``, ``e``).

    Every float is one, and +, -, * keep them exact with plain integer arithmetic (no gcds,
    unlike general rationals, which makes the exact re-check ~10x cheaper); a division leaves
    them (:class:`_Inexact`) and the Gaussian rationals ``QQ_I`` take over."""

    __slots__ = ("re", "im", "e")

    def __init__(self, re: int, im: int, e: int) -> None:
        self.re, self.im, self.e = re, im, e

    @staticmethod
    def of(z) -> "_Dyadic":
        z = complex(z)
        (rp, rq), (ip, iq) = z.real.as_integer_ratio(), z.imag.as_integer_ratio()  # q: powers of 2
        re_, im_ = _Dyadic(rp, 0, 1 - rq.bit_length()), _Dyadic(0, ip, 1 - iq.bit_length())
        return re_ + im_

    @staticmethod
    def _coerce(o) -> "_Dyadic | None":
        if isinstance(o, _Dyadic):
            return o
        if isinstance(o, int):
            return _Dyadic(o, 0, 0)
        return None

    def __add__(self, other):
        o = _Dyadic._coerce(other)
        if o is None:
            return NotImplemented
        a, b = (self, o) if self.e <= o.e else (o, self)
        shift = b.e - a.e
        return _Dyadic(a.re + (b.re << shift), a.im + (b.im << shift), a.e)

    __radd__ = __add__

    def __neg__(self):
        return _Dyadic(-self.re, -self.im, self.e)

    def __sub__(self, other):
        o = _Dyadic._coerce(other)
        return NotImplemented if o is None else self + (-o)

    def __rsub__(self, other):
        o = _Dyadic._coerce(other)
        return NotImplemented if o is None else o + (-self)

    def __mul__(self, other):
        o = _Dyadic._coerce(other)
        if o is None:
            return NotImplemented
        return _Dyadic(self.re * o.re - self.im * o.im, self.re * o.im + self.im * o.re, self.e + o.e)

    __rmul__ = __mul__

    def __pow__(self, k: int):
        if k < 0:
            raise _Inexact("a negative power")
        out = _Dyadic(1, 0, 0)
        for _ in range(k):
            out = out * self
        return out

    def __bool__(self) -> bool:
        return bool(self.re) or bool(self.im)

    def __abs__(self) -> float:
        scale = Fraction(2) ** self.e
        return float(np.hypot(float(self.re * scale), float(self.im * scale)))


def _qq(z) -> Any:
    """A float or complex as an exact Gaussian rational (every binary float is a rational)."""
    z = complex(z)
    return QQ_I(QQ(*z.real.as_integer_ratio()), QQ(*z.imag.as_integer_ratio()))


def _mp(z) -> Any:
    z = complex(z)
    return mpmath.mpf(z.real) if z.imag == 0 else mpmath.mpc(z.real, z.imag)


def _hp_number(expr: sp.Basic, kind: str) -> Any:
    if kind != "mp":
        if isinstance(expr, (sp.Rational, sp.Float)) or expr is sp.I:
            re_, im_ = (sp.Rational(p) for p in expr.as_real_imag())  # a Float is an exact binary rational
            if kind == "rational":
                return QQ_I(QQ(int(re_.p), int(re_.q)), QQ(int(im_.p), int(im_.q)))
            if re_.q & (re_.q - 1) or im_.q & (im_.q - 1):
                raise _Inexact(f"the non-dyadic constant {expr}")
            return _Dyadic(int(re_.p), 0, 1 - int(re_.q).bit_length()) + _Dyadic(0, int(im_.p), 1 - int(im_.q).bit_length())
        raise _Inexact(type(expr).__name__)
    re_, im_ = (mpmath.mpf(sp.Float(p, mpmath.mp.dps + 10)) for p in expr.as_real_imag())
    return re_ if im_ == 0 else mpmath.mpc(re_, im_)


@cache
def _mp_function(func, nargs: int):
    dummies = sp.symbols(f"a0:{nargs}")
    return sp.lambdify(dummies, func(*dummies), "mpmath")


def _square(v, what: str):
    if np.ndim(v) != 2 or v.shape[0] != v.shape[1]:
        raise ShapeError(f"{what} of a {np.shape(v)} array")
    return v


def _hp_eval(expr: sp.Basic, env: dict, kind: str) -> Any:
    """Value of ``expr`` at ``env`` in exact arithmetic (``kind`` "dyadic": :class:`_Dyadic`;
    "rational": Gaussian rationals ``QQ_I``) or at :data:`HP_BITS` bits ("mp": mpmath),
    matrices as NumPy object arrays.  Independent of :func:`_evaluate` (no rounding bound:
    the arithmetic is exact or far more precise)."""
    ev = lambda e: _hp_eval(e, env, kind)  # noqa: E731
    one, zero = {"dyadic": (_Dyadic(1, 0, 0), _Dyadic(0, 0, 0)), "rational": (QQ_I.one, QQ_I.zero),
                 "mp": (mpmath.mpf(1), mpmath.mpf(0))}[kind]
    if isinstance(expr, (sp.MatrixSymbol, sp.Symbol)):
        v = env[expr.name]
        return _hp_number(sp.Integer(v), kind) if isinstance(v, int) else v  # a dimension used as a scalar
    if isinstance(expr, sp.MatrixBase):
        return np.array([[ev(expr[i, j]) for j in range(expr.cols)] for i in range(expr.rows)], dtype=object)
    if isinstance(expr, (sp.Number, sp.NumberSymbol)) or expr is sp.I:
        return _hp_number(expr, kind)
    if isinstance(expr, (sp.Identity, sp.ZeroMatrix, sp.OneMatrix)):
        rows, cols = (_int_size(s, env) for s in expr.shape)
        fill = [[one if isinstance(expr, sp.OneMatrix) or (isinstance(expr, sp.Identity) and i == j) else zero
                 for j in range(cols)] for i in range(rows)]
        return np.array(fill, dtype=object).reshape(rows, cols)
    if isinstance(expr, (sp.MatAdd, sp.Add)):
        parts = [ev(a) for a in expr.args]
        if len({np.shape(p) for p in parts}) > 1:  # object arrays would broadcast (3,1) + (1,3)
            raise ShapeError(f"cannot add shapes {sorted({np.shape(p) for p in parts})}")
        value = parts[0]
        for p in parts[1:]:
            value = value + p
        return value
    if isinstance(expr, (sp.MatMul, sp.Mul, sp.HadamardProduct)):
        value = ev(expr.args[0])
        for a in expr.args[1:]:
            v = ev(a)
            if np.ndim(value) == 2 and np.ndim(v) == 2 and not isinstance(expr, sp.HadamardProduct):
                if value.shape[1] != v.shape[0]:
                    raise ShapeError(f"cannot multiply shapes {value.shape} and {v.shape}")
                value = value @ v
            else:
                if isinstance(expr, sp.HadamardProduct) and np.shape(value) != np.shape(v):
                    raise ShapeError(f"cannot multiply shapes {np.shape(value)} and {np.shape(v)} elementwise")
                # scalar times array: the array on the left (a QQ_I scalar cannot take an array operand)
                value = v * value if np.ndim(v) and not np.ndim(value) else value * v
        return value
    if isinstance(expr, sp.Transpose):
        return np.transpose(ev(expr.arg))
    if isinstance(expr, sp.Trace):
        return np.trace(_square(ev(expr.arg), "trace"))
    if isinstance(expr, sp.Inverse) or (isinstance(expr, sp.MatPow) and expr.exp.is_Integer and expr.exp < 0):
        v = _square(ev(expr.args[0]), "inverse")
        if kind == "dyadic":
            raise _Inexact("an inverse")
        if kind == "rational":
            inv = np.array(DomainMatrix(v.tolist(), v.shape, QQ_I).inv().to_list(), dtype=object)
        else:
            inv = np.array(mpmath.inverse(mpmath.matrix(v.tolist())).tolist(), dtype=object)
        out = inv
        for _ in range((1 if isinstance(expr, sp.Inverse) else -int(expr.exp)) - 1):
            out = out @ inv
        return out
    if isinstance(expr, sp.MatPow) and expr.exp.is_Integer:
        v = _square(ev(expr.base), "power")
        out = np.array([[one if i == j else zero for j in range(v.shape[0])] for i in range(v.shape[0])],
                       dtype=object)
        for _ in range(int(expr.exp)):
            out = out @ v
        return out
    if isinstance(expr, sp.Pow) and expr.exp.is_Integer and not isinstance(expr, sp.MatrixExpr):
        base = ev(expr.base)
        if np.ndim(base):
            raise _Unsupported(f"elementwise power of a {np.shape(base)} array")
        return base ** int(expr.exp)
    if kind != "mp":
        raise _Inexact(type(expr).__name__)
    if isinstance(expr, sp.Expr) and not isinstance(expr, sp.MatrixExpr) and expr.args:
        args = [ev(a) for a in expr.args]
        if any(np.ndim(a) for a in args):
            raise _Unsupported(type(expr).__name__)
        return _mp_function(expr.func, len(args))(*args)
    raise _Unsupported(type(expr).__name__)


def _hp_abs(z, kind: str) -> float:
    if kind == "rational":
        return float(np.hypot(float(z.x), float(z.y)))
    return float(abs(z))


def _matmul(a, b):
    if np.shape(a)[1] != np.shape(b)[0]:
        raise ShapeError(f"cannot multiply shapes {np.shape(a)} and {np.shape(b)}")
    return a @ b


def _hp_apply(expr: sp.Basic, env: dict, kind: str, left, right) -> Any:
    """``left @ expr @ right`` (``left`` a 1×rows row, ``right`` a cols×1 column, either None) at
    ``env``, pushing the vectors through products, sums and transposes so that a product of k
    n×n factors costs k vector-matrix products (O(k n²)) instead of k-1 matrix products (O(k n³))."""
    if left is None and right is None:
        return _hp_eval(expr, env, kind)
    if isinstance(expr, sp.MatPow) and expr.exp.is_Integer and expr.exp > 0:
        expr = sp.MatMul(*([expr.base] * int(expr.exp)), evaluate=False)
    if isinstance(expr, sp.MatAdd):
        parts = [_hp_apply(a, env, kind, left, right) for a in expr.args]
        if len({np.shape(p) for p in parts}) > 1:
            raise ShapeError(f"cannot add shapes {sorted({np.shape(p) for p in parts})}")
        value = parts[0]
        for p in parts[1:]:
            value = value + p
        return value
    if isinstance(expr, sp.MatMul):
        factors = [a for a in expr.args if isinstance(a, sp.MatrixExpr)]
        scale = [_hp_eval(a, env, kind) for a in expr.args if not isinstance(a, sp.MatrixExpr)]
        if left is not None:
            value = left
            for f in factors:
                value = _hp_apply(f, env, kind, value, None)
            value = value if right is None else _matmul(value, right)
        else:
            value = right
            for f in reversed(factors):
                value = _hp_apply(f, env, kind, None, value)
        for c in scale:
            value = value * c
        return value
    if isinstance(expr, sp.Transpose):
        return np.transpose(_hp_apply(expr.arg, env, kind, None if right is None else np.transpose(right),
                                      None if left is None else np.transpose(left)))
    value = _hp_eval(expr, env, kind)
    value = value if left is None else _matmul(left, value)
    return value if right is None else _matmul(value, right)


def _exact_differs(lhs, rhs, point: dict, entry: tuple | None = None,
                   project: bool = False) -> tuple[bool | None, str]:
    """Re-evaluate both sides at ``point`` exactly (Gaussian rationals: each float of the point
    is the rational it stores) or, where a function leaves rational arithmetic, at
    :data:`HP_BITS` bits.  ``(True, how)`` if the sides differ there, ``(False, how)`` if they
    agree, ``(None, why)`` if they cannot be re-evaluated.  Never raises.

    Matrix sides are compared entirely, or only at ``entry`` (i, j), or (``project``) through
    u·(lhs - rhs)·v for random vectors u, v: a nonzero matrix D gives u·D·v = 0 only on a
    measure-zero set of (u, v), and each is O(n²) per factor instead of O(n³).
    """
    mats, scalars, dims = _free(sp.Tuple(lhs, rhs))
    if not isinstance(lhs, sp.MatrixExpr) or not isinstance(rhs, sp.MatrixExpr):
        entry, project = None, False
    try:
        for kind in ("dyadic", "rational", "mp"):  # the cheapest arithmetic that can evaluate the step
            try:
                exact = kind != "mp"
                conv = {"dyadic": _Dyadic.of, "rational": _qq, "mp": _mp}[kind]
                label = "exactly (rational arithmetic)" if exact else f"at {HP_BITS}-bit precision (mpmath)"
                vec = np.vectorize(conv, otypes=[object])
                env: dict[str, Any] = {d.name: point[d.name] for d in dims}
                for n in mats + scalars:
                    v = point[n.name]
                    if isinstance(v, (int, np.integer)):  # a dimension's size: _int_size needs the int
                        env[n.name] = int(v)
                        continue
                    env[n.name] = vec(np.asarray(v)) if np.ndim(v) else conv(v)
                left = right = None
                if entry is not None or project:
                    rows, cols = (_int_size(s, env) for s in lhs.shape)
                    if entry is not None:
                        left, right = (np.zeros((1, rows)), np.zeros((cols, 1)))
                        left[0, entry[0]] = right[entry[1], 0] = 1.0
                    else:  # fixed-seed vectors: the re-check is reproducible
                        vrng = np.random.default_rng(rows * 1009 + cols)
                        left, right = vrng.standard_normal((1, rows)), vrng.standard_normal((cols, 1))
                    left, right = vec(left), vec(right)
                with mpmath.workprec(HP_BITS):
                    lv, rv = (_as_scalar(_hp_apply(e, env, kind, left, right)) for e in (lhs, rhs))
                    if np.shape(lv) != np.shape(rv):
                        return True, f"re-evaluated {label}: sides have shapes {np.shape(lv)} and {np.shape(rv)}"
                    gaps = np.vectorize(lambda a, b: _hp_abs(a - b, kind), otypes=[float])(lv, rv)
                    if exact:
                        nonzero = np.vectorize(lambda a, b: bool(a - b), otypes=[bool])(lv, rv)
                if not exact:
                    # Rounding at HP_BITS is relative to the intermediate values, not to the result: a
                    # side that is exactly 0 (sin² + cos² − 1) still shows ~1e-97 of it. So evaluate
                    # again at twice the precision: a real difference is the same at both (to
                    # HP_RTOL), rounding shrinks by ~2**-HP_BITS.
                    with mpmath.workprec(2 * HP_BITS):
                        lv2, rv2 = (_as_scalar(_hp_apply(e, env, kind, left, right)) for e in (lhs, rhs))
                        nonzero = np.vectorize(
                            lambda a, b, a2, b2: abs(a2 - b2) > 0
                            and abs(abs(a2 - b2) - abs(a - b)) <= HP_RTOL * abs(a2 - b2),
                            otypes=[bool])(lv, rv, lv2, rv2)
                gap = float(np.max(gaps, initial=0.0))
                what = ("|lhs - rhs|" if entry is None and not project else
                        f"entry {tuple(int(k) for k in entry)} |lhs - rhs|" if entry is not None else
                        "|u·(lhs - rhs)·v| for random vectors u, v")
                if np.any(nonzero):
                    idx = np.unravel_index(int(np.argmax(np.where(nonzero, gaps, -1.0))), np.shape(gaps))
                    where = f" entry {tuple(int(k) for k in idx)}" if np.ndim(gaps) else ""
                    return True, f"re-evaluated {label}:{where} {what} = {float(gaps[idx]):.3g} ≠ 0"
                return False, f"re-evaluated {label}: sides agree ({what} = {gap:.3g})"
            except _Inexact:
                continue
    except (ShapeError, NonSquareMatrixError) as exc:
        return True, f"re-evaluation fails: {' '.join(str(exc).split())[:80]}"
    except Exception as exc:  # noqa: BLE001 - a node this path cannot evaluate (or a singular inverse)
        return None, f"cannot re-evaluate exactly: {type(exc).__name__}: {' '.join(str(exc).split())[:60]}"
    return None, "cannot re-evaluate exactly"


# --- the checker --------------------------------------------------------------------------------


@dataclass
class ChainResult:
    """What :func:`verify_chain` found.

    ``ok``: every step holds; ``first_failure``: index i of the first failing
    step ``steps[i] -> steps[i+1]`` (None if none); ``steps``: one
    :class:`~derivations.claims.Check` per step; ``counterexample``: the first
    failing step's counterexample (every free symbol name, dimension names
    included, to a number or array), None if none; ``counterexamples``: one
    per step (None where the step holds); ``proved``: per step, True if
    proved symbolically; ``points``: per step, random points tested.
    """

    expressions: list[sp.Basic]
    steps: list[Check] = field(default_factory=list)
    counterexamples: list[dict | None] = field(default_factory=list)
    proved: list[bool] = field(default_factory=list)
    points: list[int] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(c.ok for c in self.steps)

    @property
    def first_failure(self) -> int | None:
        return next((i for i, c in enumerate(self.steps) if not c.ok), None)

    @property
    def counterexample(self) -> dict | None:
        i = self.first_failure
        return None if i is None else self.counterexamples[i]

    def lines(self) -> list[str]:
        """One line per step: ``✓ proved``, ``✓ tested on N points`` or ``✗ reason``."""
        out = []
        for i, check in enumerate(self.steps):
            head = f"step {i + 1}: {_show(self.expressions[i])}  =  {_show(self.expressions[i + 1])}"
            if check.ok:
                mark = "✓ proved" if self.proved[i] else f"✓ tested on {self.points[i]} points (not proved)"
            else:
                mark = f"✗ {check.detail}"
            out.append(f"{head}: {mark}")
        return out

    def __str__(self) -> str:
        return "\n".join(self.lines())


def _show(e: Any) -> str:
    return e if isinstance(e, str) else sp.sstr(e)


def _free(expr: sp.Basic) -> tuple[list, list, list]:
    """(matrix symbols, scalar symbols, dimension symbols) of ``expr``, sorted by name."""
    mats = {m for m in expr.atoms(sp.MatrixSymbol)}
    # sizes of matrix symbols and of Identity(n), ZeroMatrix(n, m), OneMatrix(n, m) are dimensions
    shaped = mats | expr.atoms(sp.Identity, sp.ZeroMatrix, sp.OneMatrix)
    dims = {s for m in shaped for s in m.shape for s in sp.sympify(s).free_symbols}
    scalars = {s for s in expr.free_symbols if isinstance(s, sp.Symbol) and not isinstance(s, sp.MatrixSymbol)}
    key = lambda s: s.name  # noqa: E731
    return sorted(mats, key=key), sorted(scalars - dims, key=key), sorted(dims, key=key)


def _exact_nonzero_number(c: sp.Basic) -> bool:
    """``c`` is a number whose real and imaginary parts are exact Rationals, not both 0.  (A SymPy
    Float is approximate: SymPy itself rounds Rational - Float to the Float's precision, so a
    Float difference such as 5.6e-17 left by 0.1 + 0.2 - 0.3 is no evidence.)"""
    if not isinstance(c, sp.Expr) or not c.is_number:
        return False
    parts = c.as_real_imag()
    return all(isinstance(p, sp.Rational) for p in parts) and any(p != 0 for p in parts)


def _nonzero_scalar(c: sp.Basic) -> str | None:
    """Why the scalar ``c`` (expanded, no matrices) is not identically 0, or None if that is not plain."""
    if _exact_nonzero_number(c):
        return f"the nonzero constant {sp.sstr(c)}"
    gens = sorted(c.free_symbols, key=lambda g: g.name)
    if not gens or c.atoms(sp.MatrixSymbol) or not c.is_polynomial(*gens):
        return None
    coeffs = sp.Poly(c, *gens).coeffs()
    # a nonzero polynomial vanishes only on a measure-zero set (and not on all integer points)
    if coeffs and all(_exact_nonzero_number(k) for k in coeffs):
        return f"the nonzero polynomial {sp.sstr(c)}"
    return None


def _nonzero_matrix(diff: sp.MatrixExpr) -> str | None:
    """Why the expanded matrix expression ``diff`` is not identically 0, or None.

    Recognized: one term ``c·F1···Fk`` with every factor a matrix symbol, its transpose, an
    identity or all-ones matrix (all-ones matrices make the product a positive multiple of the
    all-ones matrix, so it is nonzero wherever the scalar ``c`` is); ``c·K`` with ``K`` an
    explicit nonzero constant matrix; or a sum of terms ``c_i·M_i`` over DISTINCT matrix
    symbols, plus at most one ``c·I`` (set every symbol but one to 0).
    """
    terms = list(diff.args) if isinstance(diff, sp.MatAdd) else [diff]
    split = []
    for t in terms:
        coeff, factors = t.as_coeff_mmul() if isinstance(t, sp.MatMul) else (sp.Integer(1), t)
        factors = list(factors.args) if isinstance(factors, sp.MatMul) else [factors]
        scalars = [f for f in factors if not isinstance(f, (sp.MatrixExpr, sp.MatrixBase))]
        factors = [f for f in factors if isinstance(f, (sp.MatrixExpr, sp.MatrixBase))]
        coeff = sp.expand(sp.Mul(coeff, *scalars))
        if _nonzero_scalar(coeff) is None:
            return None
        split.append((coeff, factors))
    simple = (sp.MatrixSymbol, sp.Identity, sp.OneMatrix)
    if len(split) == 1:
        coeff, factors = split[0]
        if all(isinstance(f, simple) or (isinstance(f, sp.Transpose) and isinstance(f.arg, sp.MatrixSymbol))
               for f in factors):
            return f"the nonzero term {sp.sstr(diff)}"
        if len(factors) == 1 and isinstance(factors[0], sp.MatrixBase) and any(
                _exact_nonzero_number(e) for e in factors[0]):
            return f"the nonzero constant matrix {sp.sstr(diff)}"
        return None
    singles = [f[0] for _, f in split if len(f) == 1]
    if len(singles) != len(split):
        return None
    symbols = [f for f in singles if isinstance(f, sp.MatrixSymbol)]
    identities = [f for f in singles if isinstance(f, sp.Identity)]
    if len(symbols) + len(identities) == len(singles) and len(set(symbols)) == len(symbols) and len(identities) <= 1:
        return f"{sp.sstr(diff)}, a nonzero combination of distinct matrices"
    return None


def _nonzero(diff: sp.Basic) -> str | None:
    """Why the reduced difference ``diff`` is plainly not identically zero (None if it is not plain)."""
    try:
        if isinstance(diff, sp.MatrixExpr):
            return _nonzero_matrix(diff)
        return _nonzero_scalar(diff)
    except Exception:  # noqa: BLE001 - an exotic form: leave it to the numeric stage
        return None


def _symbolic(lhs: sp.Basic, rhs: sp.Basic, budget: float) -> tuple[bool | None, str]:
    """Within ``budget`` CPU seconds: ``(True, "")`` if ``lhs - rhs`` reduces to zero,
    ``(False, why)`` if it reduces to something plainly nonzero (see :func:`_nonzero`: a
    nonzero exact constant such as 1e-20 that floating point cannot see, a nonzero multiple of
    a matrix symbol, ...), ``(None, "")`` otherwise.  Never guesses."""
    from .checking import is_zero

    outcome: list[tuple[bool | None, str]] = []

    def attempt() -> None:
        try:
            diff = lhs - rhs
            for _ in range(8):  # doit/expand reaches a fixed point in a few rounds
                nxt = sp.expand(diff.doit())
                if nxt == diff:
                    break
                diff = nxt
            if diff == 0 or isinstance(diff, sp.ZeroMatrix) or getattr(diff, "is_ZeroMatrix", False):
                outcome.append((True, ""))
                return
            why = _nonzero(diff)
            if why is not None:
                outcome.append((False, why))
            elif isinstance(diff, sp.MatrixExpr):
                outcome.append((None, ""))
            else:
                outcome.append((True, "") if is_zero(diff) else (None, ""))
        except Exception:  # noqa: BLE001 - an unprovable form: the numeric stage decides
            outcome.append((None, ""))

    # The budget is CPU time of this process (the waiting thread uses none), so a
    # loaded machine slows the proof without changing its verdict; the wall-clock
    # cap of WALL_FACTOR budgets only stops a proof starved of CPU altogether.
    worker = threading.Thread(target=attempt, daemon=True)
    cpu_start, wall_end = time.process_time(), time.monotonic() + WALL_FACTOR * budget
    worker.start()
    while worker.is_alive() and time.process_time() - cpu_start < budget and time.monotonic() < wall_end:
        worker.join(0.01)
    return outcome[0] if outcome else (None, "")


def _prove(lhs: sp.Basic, rhs: sp.Basic, budget: float) -> bool:
    """True iff ``lhs - rhs`` reduces to zero within ``budget`` seconds (never guesses)."""
    return _symbolic(lhs, rhs, budget)[0] is True


def _draw_point(rng, mats, scalars, dims, real: bool) -> dict:
    """A random point: distinct sizes >= 3 for ``dims``, standard (complex) normal entries."""
    lo, hi = SIZE_RANGE
    hi = max(hi, lo + len(dims) + 1)  # room for len(dims) distinct sizes, with a choice left over
    sizes = rng.choice(np.arange(lo, hi + 1), size=len(dims), replace=False) if dims else []
    point: dict[str, Any] = {d.name: int(s) for d, s in zip(dims, sizes)}
    sub = {d: sp.Integer(point[d.name]) for d in dims}

    def draw(shape=()):
        z = rng.standard_normal(shape)
        return z if real else z + 1j * rng.standard_normal(shape)

    for m in mats:
        point[m.name] = draw(tuple(int(sp.sympify(s).subs(sub)) for s in m.shape))
    for s in scalars:
        value = draw()
        if s.is_integer:  # e.g. a dimension name used as a scalar: an integer (sizes >= 3 if positive)
            point[s.name] = int(rng.integers(lo, hi + 1) if s.is_positive else rng.integers(-hi, hi + 1))
            continue
        if s.is_positive:
            value = abs(rng.standard_normal()) + 0.5  # positive symbols get positive reals
        elif s.is_real:
            value = rng.standard_normal()
        point[s.name] = complex(value) if np.iscomplexobj(value) else float(value)
    return point


def _as_scalar(v):
    a = np.asarray(v)
    return a.reshape(()) if a.shape == (1, 1) else a


def _compare(lhs, rhs, point, dims):
    """(max |lhs - rhs| - tol, max |diff|, worst entry index, lhs, rhs values) at ``point``."""
    env = dict(point)
    try:
        lv, lb = _evaluate(lhs, env)
        rv, rb = _evaluate(rhs, env)
        bounded = True
    except _Unsupported:  # e.g. an inverse: evaluate through lambdify, with the fallback tolerance
        mats, scalars, _ = _free(sp.Tuple(lhs, rhs))
        sizes = {d: sp.Integer(point[d.name]) for d in dims}
        args = [point[n.name] for n in mats + scalars]
        with np.errstate(all="ignore"):  # non-finite values are detected by the caller
            lv = _lambdified(lhs, mats + scalars, sizes)(*args)
            rv = _lambdified(rhs, mats + scalars, sizes)(*args)
        lb = rb = np.zeros(np.shape(lv))
        bounded = False
    lv, rv, lb, rb = (_as_scalar(a) for a in (lv, rv, lb, rb))
    if lv.shape != rv.shape:
        raise ShapeError(f"sides evaluate to shapes {lv.shape} and {rv.shape}")
    diff = np.abs(lv - rv)
    if bounded:
        tol = TOL_FACTOR * EPS * (lb + rb)  # both sides' first-order rounding bounds
    else:
        tol = FALLBACK_RTOL * np.maximum(np.maximum(np.abs(lv), np.abs(rv)), 1.0)
    excess = diff - tol
    idx = np.unravel_index(int(np.argmax(excess)), np.shape(excess)) if np.ndim(excess) else ()
    return excess[idx], diff, tol, idx, lv, rv, bounded


def _independent_differs(lhs, rhs, point, dims, tol=None) -> tuple[bool | None, str]:
    """Re-evaluate at ``point`` in float64 through ``sympy.lambdify`` (not :func:`_evaluate`): do the
    sides differ by more than ``tol`` (default: a loose 1e-8 relative)?  ``None`` if lambdify
    cannot evaluate them; never raises.  (:func:`_exact_differs` is the exact path.)"""
    mats, scalars, _ = _free(sp.Tuple(lhs, rhs))
    names = mats + scalars
    sizes = {d: sp.Integer(point[d.name]) for d in dims}
    args = [point[n.name] for n in names]
    try:
        with np.errstate(all="ignore"):
            lv = _as_scalar(_lambdified(lhs, names, sizes)(*args))
            rv = _as_scalar(_lambdified(rhs, names, sizes)(*args))
    except (ValueError, ShapeError) as exc:
        return True, f"evaluation fails: {' '.join(str(exc).split())[:80]}"
    except Exception as exc:  # noqa: BLE001 - e.g. a node lambdify's printer does not know
        return None, f"lambdify cannot evaluate it ({type(exc).__name__})"
    if np.shape(lv) != np.shape(rv):
        return True, f"sides evaluate to shapes {np.shape(lv)} and {np.shape(rv)}"
    gap = np.abs(lv - rv)
    if tol is None:  # a loose 1e-8 relative (far above rounding, far below a real error)
        tol = 1e-8 * np.maximum(np.maximum(np.abs(lv), np.abs(rv)), 1.0)
    return bool(np.any(gap > tol)), f"max |lhs - rhs| = {float(np.max(gap)):.3g} (float64, lambdify)"


def _fmt_number(v) -> str:
    v = complex(v)
    return f"{v.real:.4g}" if v.imag == 0 else f"{v.real:.4g}{v.imag:+.4g}j"


def _check_step(i: int, lhs, rhs, seed: int, prove: bool = True) -> tuple[Check, dict | None, bool, int]:
    name = f"step {i + 1}"
    problems: list[str] = []
    # a literal 0 opposite a matrix is that matrix's zero (SymPy turns 0*A and A - A into the scalar 0)
    if lhs == 0 and isinstance(rhs, sp.MatrixExpr):
        lhs = sp.ZeroMatrix(*rhs.shape)
    if rhs == 0 and isinstance(lhs, sp.MatrixExpr):
        rhs = sp.ZeroMatrix(*lhs.shape)
    ls, rs = shape_of(lhs, problems), shape_of(rhs, problems)
    _trace_squares(sp.Tuple(lhs, rhs), problems)
    if not problems and (ls is None) != (rs is None):
        s = ls if ls is not None else rs
        if not (_same(s[0], 1) and _same(s[1], 1)):
            problems.append(f"left side is {_fmt(ls)} but right side is {_fmt(rs)}")
    elif not problems and ls is not None and not (_same(ls[0], rs[0]) and _same(ls[1], rs[1])):
        problems.append(f"left side {sp.sstr(lhs)} is {_fmt(ls)} but right side {sp.sstr(rhs)} is {_fmt(rs)}")
    mats, scalars, dims = _free(sp.Tuple(lhs, rhs))
    real = any(lhs.has(f) or rhs.has(f) for f in _NON_ANALYTIC)
    rng = np.random.default_rng([seed, i])
    if problems:
        point = _draw_point(rng, mats, scalars, dims, real=True)
        differs, how = _independent_differs(lhs, rhs, point, dims)
        sizes = ", ".join(f"{d.name}={point[d.name]}" for d in dims)
        note = f"; at {sizes}: {how}" if differs and sizes else ""
        return Check("shape", False, f"{name}: {problems[0]} (not equal for general sizes){note}"), point, False, 0
    where = "real" if real else "complex"

    def at(point) -> str:
        sizes = ", ".join(f"{d.name}={point[d.name]}" for d in dims)
        return f" ({sizes})" if sizes else ""

    verdict, why = _symbolic(lhs, rhs, PROOF_BUDGET) if prove else (None, "")
    if verdict is True:
        scope = "for all sizes " if mats else ""
        how = "doit/expand" if mats else "expand/cancel/simplify"
        return Check("symbolic", True, f"{name}: proved {scope}(lhs - rhs reduces to 0 by {how})"), None, True, 0
    if verdict is False:
        # refuted symbolically; the sides differ at almost every point: confirm one exactly
        for _ in range(3):
            point = _draw_point(rng, mats, scalars, dims, real)
            differs, how = _exact_differs(lhs, rhs, point)
            if differs:
                return (Check("symbolic", False, f"{name}: lhs - rhs reduces to {why}, not 0 (doit/expand); at a "
                              f"random {where} point{at(point)}: {how}"), point, False, 0)
        # never confirmed (an exotic form): the numeric stage decides
    worst_rel, tested, attempts, all_bounded = 0.0, 0, 0, True
    exact_note, passed = "", []
    while tested < POINTS and attempts < 4 * POINTS:  # redraw points where a side is not finite
        attempts += 1
        point = _draw_point(rng, mats, scalars, dims, real)
        try:
            excess, diff, tol, idx, lv, rv, bounded = _compare(lhs, rhs, point, dims)
        except _Unsupported as exc:
            return Check("error", False, f"{name}: cannot evaluate {exc} numerically; not proved either"), None, False, 0
        if not (np.all(np.isfinite(lv)) and np.all(np.isfinite(rv))):
            continue
        tested += 1
        all_bounded = all_bounded and bounded
        # relative to the values and, where known, to the intermediates' magnitudes (the rounding bound
        # over TOL_FACTOR·EPS): a side that is exactly 0 would otherwise make any rounding "relative 1"
        size = float(np.max(tol)) / (TOL_FACTOR * EPS) if bounded and TOL_FACTOR > 0 else 0.0
        scale = max(float(np.max(np.abs(lv))), float(np.max(np.abs(rv))), size, np.finfo(float).tiny)
        worst_rel = max(worst_rel, float(np.max(diff)) / scale)
        if excess > 0:
            # confirm exactly (at least as sensitive as the rounding-bound detection)
            differs, how = _exact_differs(lhs, rhs, point, entry=idx if len(idx) == 2 else None)
            if differs is False and len(idx) == 2:  # that entry agrees exactly: any other entry?
                differs, how = _exact_differs(lhs, rhs, point, project=True)
            if differs is None:  # exact path unavailable: float64 lambdify with the detection tolerance
                differs, fhow = _independent_differs(lhs, rhs, point, dims, tol=tol)
                how = f"{how}; {fhow}"
            elif differs is False:  # a float false alarm: exact arithmetic shows the sides agree here
                exact_note = f"; float64 exceeded its tolerance at a point where {how}"
                passed.append(point)
                continue
            entry = f" entry {tuple(int(k) for k in idx)}" if idx else ""
            detail = (f"{name}: lhs ≠ rhs at a random {where} point{at(point)}:{entry} lhs = {_fmt_number(lv[idx])}, "
                      f"rhs = {_fmt_number(rv[idx])}, |diff| = {float(diff[idx]):.3g} > tolerance {float(tol[idx]):.3g} "
                      f"({'rounding bound' if bounded else f'fallback {FALLBACK_RTOL:g} relative'}); {how}")
            if not differs:
                return Check("numeric", False, detail + " (NOT confirmed)", max_error=worst_rel), None, False, tested
            return Check("counterexample", False, detail, max_error=worst_rel), point, False, tested
        passed.append(point)
    if tested == 0:
        return Check("numeric", False, f"{name}: no random point gave finite values on both sides"), None, False, 0
    if not exact_note and (lhs.has(sp.Float) or rhs.has(sp.Float)):
        # Float constants carry float precision themselves: below it there is nothing to resolve
        exact_note = "; no exact re-check (the step has Float constants, themselves approximate)"
    if not exact_note:
        # float64 cannot see a difference below its rounding bound (x**2 vs x**2 + 1e-20 under an
        # unproved form): re-evaluate exactly at the cheapest tested point before passing
        point = min(passed, key=lambda p: sum(p[d.name] for d in dims))
        differs, how = _exact_differs(lhs, rhs, point, project=True)
        if differs:
            return (Check("counterexample", False, f"{name}: lhs ≠ rhs at a random {where} point{at(point)} although "
                          f"float64 agrees within its rounding bound: {how}", max_error=worst_rel), point, False, tested)
        exact_note = "; " + (how.replace("re-evaluated", "re-evaluated at one point") if differs is False
                             else f"no exact re-check ({how})")
    return (Check("numeric", True, f"{name}: not proved; equal at {tested} random {where} points with distinct sizes "
                  f">= 3, max relative |lhs - rhs| {worst_rel:.2g} within "
                  + (f"{TOL_FACTOR}·u times the forward rounding bound" if all_bounded
                     else f"the fallback tolerance {FALLBACK_RTOL:g} relative") + exact_note,
                  max_error=worst_rel), None, False, tested)


def verify_chain(steps, *, matrices: dict | None = None, seed: int = 0, prove: bool = True) -> ChainResult:
    """Check every step ``steps[i] -> steps[i+1]`` of a chain of equalities.

    ``steps``: SymPy expressions (scalar, or matrix expressions over
    ``MatrixSymbol``s with numeric or symbolic sizes) or strings (see
    :func:`parse`); ``matrices`` maps a name used in strings to its
    ``(rows, cols)``.  ``seed`` fixes the random points.  Later steps are
    checked even after a failure.  ``prove=False`` skips the symbolic stage
    (every step is then tested numerically).  Bad input raises ``ValueError``.
    """
    if isinstance(steps, (str, sp.Basic)) or not hasattr(steps, "__len__") or len(steps) < 2:
        raise ValueError(f"steps={steps!r}; expected a list of at least 2 expressions")
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"seed={seed!r}; expected a non-negative integer")
    exprs: list[Any] = []
    for k, s in enumerate(steps):
        if isinstance(s, str):
            try:
                exprs.append(parse(s, matrices))
            except IllFormed as exc:
                exprs.append(exc)
        elif isinstance(s, (sp.Basic, int, float, complex)):
            exprs.append(sp.sympify(s))
        else:
            raise ValueError(f"steps[{k}] is a {type(s).__name__}; expected a SymPy expression or a string")
    result = ChainResult([s if isinstance(s, str) or isinstance(e, IllFormed) else e for s, e in zip(steps, exprs)])
    for i in range(len(exprs) - 1):
        lhs, rhs = exprs[i], exprs[i + 1]
        bad = lhs if isinstance(lhs, IllFormed) else rhs if isinstance(rhs, IllFormed) else None
        if bad is not None:
            check, cex, proved, pts = Check("shape", False, f"step {i + 1}: ill-formed, {bad}"), None, False, 0
        else:
            check, cex, proved, pts = _check_step(i, lhs, rhs, int(seed), bool(prove))
        result.steps.append(check)
        result.counterexamples.append(cex)
        result.proved.append(proved)
        result.points.append(pts)
    return result
