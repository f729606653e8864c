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
3. **numeric** -- otherwise randomized identity testing at :data:`POINTS`
   points; every size symbol gets a DISTINCT size >= 3 (Amitsur-Levitzki: a
   matrix identity of degree <= 2n holds on all n×n matrices, 1×1 matrices
   commute, so small sizes lie).  Points are complex where every function is
   analytic, real otherwise.  The tolerance is a forward rounding-error bound
   computed alongside the value (see :func:`_evaluate`).

A failing step carries a counterexample: a dict from every free symbol name
(dimension names included) to a number or NumPy array, re-evaluated by an
independent path (``sympy.lambdify``) before it is reported.

String steps are parsed with :func:`parse` (grammar in its docstring).
"""

from __future__ import annotations

import re
import threading
import time
from tokenize import TokenError
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import numpy as np
import sympy as sp
from sympy.matrices.exceptions import NonSquareMatrixError, ShapeError
from sympy.parsing.sympy_parser import convert_xor, parse_expr, standard_transformations

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
#: <= 8 keeps evaluation cheap).
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
    scalars).  ``*`` and ``@`` are both the matrix product.  Anything else
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
    local = {**_FUNCTIONS, **declared}
    names = set(re.findall(r"[A-Za-z_]\w*", re.sub(r"\d+\.\d*|\.T\b", " ", text)))
    for name in names - set(local):
        local[name] = sp.Symbol(name)
    globals_ = {"__builtins__": {}, "Symbol": sp.Symbol, "Integer": sp.Integer, "Float": sp.Float,
                "Rational": sp.Rational}
    try:
        expr = parse_expr(text, local_dict=local, global_dict=globals_,
                          transformations=standard_transformations + (convert_xor,))
    except (ShapeError, NonSquareMatrixError) as exc:
        raise IllFormed(f"{text}: {exc}") from None
    except AttributeError as exc:
        what = re.search(r"'(\w+)' object has no attribute '(\w+)'", str(exc))
        hint = f"{what.group(2)!r} on a {what.group(1)}" if what else str(exc)
        raise ValueError(f"step {text!r}: {hint}; is a matrix undeclared? declare it with --matrix NAME=ROWS,COLS") from None
    except (SyntaxError, TypeError, NameError, ValueError, TokenError) as exc:
        message = " ".join(str(exc).split()) or type(exc).__name__
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


def _lambdified(expr: sp.Basic, names: list[sp.Basic], sizes: dict) -> Any:
    """The independent evaluation path: substitute sizes, lambdify over ``names`` (numpy)."""
    concrete = expr.subs(sizes) if sizes else expr
    symbols = [n.subs(sizes) if sizes else n for n in names]
    return sp.lambdify(symbols, concrete, "numpy")


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
    dims = {s for m in mats for s in m.shape for s in sp.sympify(s).free_symbols}
    scalars = {s for s in expr.free_symbols if isinstance(s, sp.Symbol) and not isinstance(s, sp.MatrixSymbol)}
    key = lambda s: s.name  # noqa: E731
    return sorted(mats, key=key), sorted(scalars - dims, key=key), sorted(dims, key=key)


def _prove(lhs: sp.Basic, rhs: sp.Basic, budget: float) -> bool:
    """True iff ``lhs - rhs`` reduces to zero within ``budget`` seconds (never guesses)."""
    from .checking import is_zero

    outcome: list[bool] = []

    def attempt() -> None:
        try:
            diff = lhs - rhs
            for _ in range(8):  # doit/expand reaches a fixed point in a few rounds
                nxt = sp.expand(diff.doit())
                if nxt == diff:
                    break
                diff = nxt
            if diff == 0 or isinstance(diff, sp.ZeroMatrix) or getattr(diff, "is_ZeroMatrix", False):
                outcome.append(True)
            elif isinstance(diff, sp.MatrixExpr):
                outcome.append(False)
            else:
                outcome.append(bool(is_zero(diff)))
        except Exception:  # noqa: BLE001 - an unprovable form: the numeric stage decides
            outcome.append(False)

    # The budget is CPU time of this process (the waiting thread uses none), so a
    # loaded machine slows the proof without changing its verdict; the wall-clock
    # cap of WALL_FACTOR budgets only stops a proof starved of CPU altogether.
    worker = threading.Thread(target=attempt, daemon=True)
    cpu_start, wall_end = time.process_time(), time.monotonic() + WALL_FACTOR * budget
    worker.start()
    while worker.is_alive() and time.process_time() - cpu_start < budget and time.monotonic() < wall_end:
        worker.join(0.01)
    return bool(outcome and outcome[0])


def _draw_point(rng, mats, scalars, dims, real: bool) -> dict:
    """A random point: distinct sizes >= 3 for ``dims``, standard (complex) normal entries."""
    lo, hi = SIZE_RANGE
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


def _independent_differs(lhs, rhs, point, dims) -> tuple[bool, str]:
    """Re-evaluate at ``point`` through ``sympy.lambdify`` (not :func:`_evaluate`): do the sides differ?"""
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
    if np.shape(lv) != np.shape(rv):
        return True, f"sides evaluate to shapes {np.shape(lv)} and {np.shape(rv)}"
    gap = np.abs(lv - rv)
    scale = np.maximum(np.abs(lv), np.abs(rv))
    # differs by more than a loose 1e-8 relative (far above rounding, far below a real error)
    return bool(np.any(gap > 1e-8 * np.maximum(scale, 1.0))), f"max |lhs - rhs| = {float(np.max(gap)):.3g}"


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
    if prove and _prove(lhs, rhs, PROOF_BUDGET):
        scope = "for all sizes " if mats else ""
        how = "doit/expand" if mats else "expand/cancel/simplify"
        return Check("symbolic", True, f"{name}: proved {scope}(lhs - rhs reduces to 0 by {how})"), None, True, 0
    worst_rel, tested, attempts, all_bounded = 0.0, 0, 0, True
    where = "real" if real else "complex"
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
        scale = max(float(np.max(np.abs(lv))), float(np.max(np.abs(rv))), np.finfo(float).tiny)
        worst_rel = max(worst_rel, float(np.max(diff)) / scale)
        if excess > 0:
            differs, how = _independent_differs(lhs, rhs, point, dims)
            sizes = ", ".join(f"{d.name}={point[d.name]}" for d in dims)
            at = f" ({sizes})" if sizes else ""
            entry = f" entry {tuple(int(k) for k in idx)}" if idx else ""
            detail = (f"{name}: lhs ≠ rhs at a random {where} point{at}:{entry} lhs = {_fmt_number(lv[idx])}, "
                      f"rhs = {_fmt_number(rv[idx])}, |diff| = {float(diff[idx]):.3g} > tolerance {float(tol[idx]):.3g} "
                      f"({'rounding bound' if bounded else f'fallback {FALLBACK_RTOL:g} relative'}); re-evaluated by lambdify: {how}")
            if not differs:
                return Check("numeric", False, detail + " (NOT confirmed)", max_error=worst_rel), None, False, tested
            return Check("counterexample", False, detail, max_error=worst_rel), point, False, tested
    if tested == 0:
        return Check("numeric", False, f"{name}: no random point gave finite values on both sides"), None, False, 0
    return (Check("numeric", True, f"{name}: not proved; equal at {tested} random {where} points with distinct sizes "
                  f">= 3, max relative |lhs - rhs| {worst_rel:.2g} within "
                  + (f"{TOL_FACTOR}·u times the forward rounding bound" if all_bounded
                     else f"the fallback tolerance {FALLBACK_RTOL:g} relative"), max_error=worst_rel), None, False, tested)


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
