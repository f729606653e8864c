"""``Gradient.verify()``: a derived gradient checked twice, independently of the rules that derived it.

1. **symbolic-sized** -- at explicit sizes (each dimension a distinct size 2, 3, 4, …), every other
   matrix and scalar an exact random rational, ``f`` written out entry by entry (:mod:`.evaluate`)
   as a function of a matrix of fresh symbols in place of ``wrt`` and differentiated one entry at
   a time by SymPy's SCALAR ``diff``, then compared EXACTLY with the closed form evaluated at the
   same point.  Undefined functions stay symbolic (φ(3/2), φ'(3/2)), so the agreement holds for
   every φ.  A false closed form agrees at a random rational point with negligible probability.
2. **finite-difference** -- at Hypothesis-drawn sizes (1..4) and N(0, 1) values, the closed form in
   NumPy against ``numeric.gradcheck``'s complex step of ``f`` where ``f`` is analytic, central
   differences otherwise (``Max``, ``Abs``, ``Heaviside``: ReLU).  An undefined φ is replaced by
   ``sin(t) + t²/3`` (φ' = ``cos(t) + 2t/3``), an analytic function with no special structure.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np
import sympy as sp
from hypothesis import HealthCheck, Phase, Verbosity, assume, given, settings
from hypothesis import seed as hypothesis_seed
from hypothesis import strategies as st
from sympy.core.function import AppliedUndef

from ..check import Check
from .evaluate import evaluate_exact, evaluate_numpy
from .finite_differences import fd_gradient, relative_error
from .normalize import named_derivative, normalize

__all__ = ["GradientResult", "verify_gradient_expr"]

#: Complex step (numeric.gradcheck, step 1e-20): no cancellation, each entry exact to a few ulps of the
#: terms it sums; points whose inverted or determinant matrices have condition number > COND_MAX are
#: rejected, so rounding is at most ~ COND_MAX · n · eps ≈ 1e4 · 4 · 2.2e-16 ≈ 1e-11 relative; 1e-9 leaves 100×.
COMPLEX_TOL = 1e-9
#: Central differences (step eps^(1/3) ≈ 6e-6 × max(1, |v|)): truncation step²/6 · |f'''| plus rounding
#: eps |f| / step, each ~ 4e-11 at O(1) scales, times COND_MAX³ at worst for an inverse; 1e-5 bounds it
#: and is 1e5 times smaller than the O(1) error of a wrong gradient.
CENTRAL_TOL = 1e-5
#: Points whose inverted matrices are worse conditioned than this are rejected (see COMPLEX_TOL).
COND_MAX = 1e4
_NON_ANALYTIC = (sp.Max, sp.Min, sp.Abs, sp.Heaviside, sp.sign, sp.Piecewise)


@dataclass
class GradientResult:
    """What ``Gradient.verify()`` found: ``ok`` (= ``holds``), ``checks`` (``Check`` per method), ``seconds``."""

    what: str
    checks: list[Check] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def holds(self) -> bool:
        return bool(self.checks) and all(c.ok for c in self.checks)

    ok = holds

    def __str__(self) -> str:
        return "\n".join(
            [f"{self.what}: {'ok' if self.ok else 'FAILED'} ({self.seconds:.2f}s)"] + [f"  {c}" for c in self.checks]
        )


def _dims(f: sp.Basic) -> list[sp.Symbol]:
    return sorted(
        {d for m in f.atoms(sp.MatrixSymbol) for s in m.shape for d in sp.sympify(s).free_symbols}, key=lambda s: s.name
    )


def _explicit_sizes(f: sp.Basic) -> dict:
    """Distinct sizes 2, 3, 4, … (dimensions of inverted/determinant matrices get the smallest: cost)."""
    inverted = {
        d
        for node in sp.preorder_traversal(f)
        if isinstance(node, (sp.Inverse, sp.Determinant, sp.MatPow))
        for s in node.args[0].shape
        for d in sp.sympify(s).free_symbols
    }
    order = sorted(_dims(f), key=lambda s: (s not in inverted, s.name))
    return {d: k + 2 for k, d in enumerate(order)}


def _rational(rng) -> sp.Rational:
    """A random nonzero rational p/q, |p| <= 9, q in 1..4."""
    p = int(rng.integers(1, 10)) * (1 if rng.random() < 0.5 else -1)
    return sp.Rational(p, int(rng.integers(1, 5)))


def _scalars(f):
    dims = set(_dims(f))
    return sorted(
        (
            s
            for s in f.free_symbols
            if isinstance(s, sp.Symbol) and not isinstance(s, sp.MatrixSymbol) and s not in dims
        ),
        key=lambda s: s.name,
    )


def entrywise_check(G, seed: int = 0) -> Check:
    """Check 1 of the module docstring (``G`` a :class:`~.gradient.Gradient`)."""
    f, wrt = G.f, G.wrt
    sizes = _explicit_sizes(f)
    rng = np.random.default_rng(seed)
    for _attempt in range(5):  # a singular drawn matrix: draw again
        values = {
            m.name: sp.Matrix(*(int(sp.sympify(s).xreplace(sizes)) for s in m.shape), lambda i, j: _rational(rng))
            for m in f.atoms(sp.MatrixSymbol)
        }
        values.update({s.name: _rational(rng) for s in _scalars(f)})
        try:
            at = values[wrt.name]
            if isinstance(wrt, sp.MatrixSymbol):
                v = sp.Matrix(*at.shape, lambda i, j: sp.Symbol(f"v_{i}_{j}"))
            else:
                v = sp.Symbol("v")
            F = normalize(evaluate_exact(f, {**values, wrt.name: v}, sizes))
            F = F[0, 0] if isinstance(F, sp.MatrixBase) else F
            point = dict(zip(v, at)) if isinstance(v, sp.MatrixBase) else {v: at}
            reference = (
                v.applyfunc(lambda e, F=F, point=point: normalize(sp.diff(F, e)).xreplace(point))
                if isinstance(v, sp.MatrixBase)
                else sp.Matrix([[normalize(sp.diff(F, v)).xreplace(point)]])
            )
            ours = normalize(evaluate_exact(G.expr, values, sizes))
            ours = ours if isinstance(ours, sp.MatrixBase) else sp.Matrix([[ours]])
            break
        except (ZeroDivisionError, ValueError, sp.matrices.exceptions.NonInvertibleMatrixError):
            continue
    else:
        return Check("symbolic-sized", False, "could not draw a rational point where f is defined (5 attempts)")
    at_sizes = ", ".join(f"{d}={n}" for d, n in sizes.items()) or "no dimensions"
    if ours.shape != reference.shape:
        return Check(
            "symbolic-sized",
            False,
            f"at {at_sizes}: the closed form is {ours.shape}, ∂f/∂{wrt} entrywise is {reference.shape}",
        )
    hp = 0
    for k, (a, b) in enumerate(zip(ours, reference)):
        d = a - b
        if d == 0 or sp.expand(d) == 0:
            continue
        hp += 1
        if not _vanishes(d, rng):
            i, j = divmod(k, ours.shape[1])
            return Check(
                "symbolic-sized",
                False,
                f"at {at_sizes}, a random rational point: entry [{i}, {j}] differs, "
                f"closed form {sp.sstr(a)[:60]} vs SymPy's scalar diff {sp.sstr(b)[:60]}",
            )
    how = "exact" if not hp else f"{len(ours) - hp} exact, {hp} to {HP_DIGITS} digits with φ's values drawn"
    return Check(
        "symbolic-sized",
        True,
        f"at {at_sizes}, every other input an exact random rational: all "
        f"{len(ours)} entries of the closed form equal SymPy's scalar diff of f entry by entry ({how})",
    )


#: Digits of the fallback comparison; a difference below 10^-(HP_DIGITS - 15) relative to the size of its
#: terms is rounding (60-digit arithmetic loses at most a few digits on these small sums), a wrong entry O(1).
HP_DIGITS = 60


def _vanishes(d: sp.Expr, rng) -> bool:
    """``d`` (exact, no expansion to 0) is 0: each undefined function's value an independent random
    rational (a polynomial identity in them is then tested at a random point), evaluated at HP_DIGITS."""
    d = d.xreplace({a: _rational(rng) for a in d.atoms(AppliedUndef)})
    value = sp.N(d, HP_DIGITS)
    scale = max([abs(sp.N(t, 20)) for t in sp.Add.make_args(sp.expand(d))] + [1])
    return value.is_number and abs(value) <= scale * sp.Float(10) ** -(HP_DIGITS - 15)


def _concrete_funcs(exprs) -> dict:
    """NumPy stand-ins for undefined functions: φ = sin(t) + t²/3, D0φ = cos(t) + 2t/3."""
    out = {}
    for e in exprs:
        for a in sp.preorder_traversal(normalize(e)):
            fn = a.func if isinstance(a, AppliedUndef) else None
            if isinstance(a, sp.Lambda) and isinstance(a.expr, AppliedUndef):
                fn = a.expr.func
            if fn is None:
                continue
            name = fn.__name__
            base = name[2:] if name.startswith("D0") else name
            out[base] = lambda t: np.sin(t) + t * t / 3
            out[named_derivative(sp.Function(base)).__name__] = lambda t: np.cos(t) + 2 * t / 3
    return out


def fd_check(G, seed: int = 0, examples: int = 20) -> Check:
    """Check 2 of the module docstring."""
    f, wrt, expr = G.f, G.wrt, normalize(G.expr)
    dims, scalars = _dims(f), _scalars(f)
    funcs = _concrete_funcs([f, expr])
    analytic = not any(f.atoms(c) for c in _NON_ANALYTIC)
    inverted = [n.args[0] for n in sp.preorder_traversal(f) if isinstance(n, (sp.Inverse, sp.Determinant, sp.MatPow))]
    tol = COMPLEX_TOL if analytic else CENTRAL_TOL
    worst, failure = [0.0], []

    def body(draw):
        sizes_list, s = draw
        sizes = dict(zip(dims, sizes_list))
        rng = np.random.default_rng(s)
        values = {
            m.name: rng.standard_normal(tuple(int(sp.sympify(x).xreplace(sizes)) for x in m.shape))
            for m in sorted(f.atoms(sp.MatrixSymbol), key=lambda m: m.name)
        }
        values.update(
            {
                x.name: float(abs(rng.standard_normal()) + 0.1) if x.is_positive else float(rng.standard_normal())
                for x in scalars
            }
        )
        for A in inverted:
            M = np.asarray(evaluate_numpy(A, values, sizes, funcs), dtype=float)
            assume(M.ndim == 2 and M.shape[0] == M.shape[1] and np.linalg.cond(M) < COND_MAX)
        f0 = complex(np.asarray(evaluate_numpy(f, values, sizes, funcs)).reshape(()))
        assume(np.isfinite(f0) and abs(f0.imag) <= 1e-12 * max(1.0, abs(f0)))  # f real and defined here

        def J(x):
            value = np.asarray(evaluate_numpy(f, {**values, wrt.name: x}, sizes, funcs)).reshape(())
            return value[()] if analytic else float(np.real(value))

        at = values[wrt.name]
        numeric = fd_gradient(J, np.asarray(at, dtype=float), complex_step=analytic)
        shape = np.shape(at)
        ours = np.asarray(evaluate_numpy(expr, values, sizes, funcs), dtype=complex)
        ours = np.real(np.broadcast_to(ours, shape))
        e = relative_error(ours, np.real(numeric))
        if not e <= tol:
            failure.append((sizes, s, e))
            raise AssertionError(e)
        worst[0] = max(worst[0], e)

    strategy = st.tuples(st.lists(st.integers(1, 4), min_size=len(dims), max_size=len(dims)), st.integers(0, 2**32 - 1))
    test = settings(
        max_examples=examples,
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        phases=(Phase.explicit, Phase.generate, Phase.shrink),
        verbosity=Verbosity.quiet,
        print_blob=False,
        report_multiple_bugs=False,
    )(hypothesis_seed(seed)(given(strategy)(body)))
    how = "complex step (step 1e-20" if analytic else "central differences (step eps^(1/3)"
    try:
        test()
    except AssertionError:
        sizes, s, e = failure[-1]
        return Check(
            "finite-difference",
            False,
            f"closed form vs {how}, tol {tol:g}): error {e:.3g} at sizes "
            f"{ {str(k): v for k, v in sizes.items()} }, values seed {s}",
            max_error=e,
        )
    except Exception as exc:  # hypothesis.errors.Unsatisfiable: no drawn point where f is defined
        return Check(
            "finite-difference",
            False,
            f"closed form vs {how}): no check ({type(exc).__name__}: {' '.join(str(exc).split())[:100]})",
        )
    return Check(
        "finite-difference",
        True,
        f"closed form in NumPy vs {how}, tol {tol:g} relative to max(|entry|, 1)) "
        f"of f at {examples} Hypothesis-drawn points (sizes 1..4, N(0, 1) values): max {worst[0]:.3g}",
        max_error=worst[0],
    )


def verify_gradient_expr(G, *, seed: int = 0, examples: int = 20) -> GradientResult:
    """The checks of the module docstring for the Gradient ``G``, and the shape."""
    t0 = time.perf_counter()
    result = GradientResult(f"∂({sp.sstr(G.f)[:60]})/∂{G.wrt} = {str(G)[:80]}")
    shape = getattr(G.expr, "shape", ())
    result.checks.append(Check("shape", tuple(shape) == G.shape, f"closed form {tuple(shape)}, {G.wrt} {G.shape}"))
    result.checks.append(entrywise_check(G, seed))
    result.checks.append(fd_check(G, seed, examples))
    result.seconds = time.perf_counter() - t0
    return result
