"""Gradient checks: an analytic gradient against finite differences, complex step, Richardson, random projections.

``check_gradient`` compares every element with :func:`numerical_gradient`;
``check_directional`` compares random directional derivatives, for inputs too
large to difference element by element.  The numerical gradients, their steps
and their error analysis (which sets ``DEFAULT_TOLERANCES``) are in
``numeric.differences``; this module re-exports its public names, so
``from numeric.gradcheck import numerical_gradient`` keeps working.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .differences import (
    DEFAULT_TOLERANCES,
    METHODS,
    _as_point,
    _check_method,
    _value_and_precision,
    _low_precision_hint,
    numerical_gradient,
    richardson_gradient,
)

__all__ = [
    "DEFAULT_TOLERANCES",
    "METHODS",
    "DirectionalCheck",
    "GradientCheck",
    "check_directional",
    "check_gradient",
    "directional_miss_bound",
    "numerical_gradient",
    "richardson_gradient",
]


def _tolerances(method, rtol, atol, f0):
    rtol_default, atol_unit = DEFAULT_TOLERANCES[method]
    rtol = rtol_default if rtol is None else rtol
    atol = atol_unit * max(1.0, abs(f0)) if atol is None else atol
    for name, value in (("rtol", rtol), ("atol", atol)):
        if not (np.isfinite(value) and value >= 0):
            raise ValueError(f"{name}={value!r} is not a finite number >= 0; expected e.g. {name}=1e-6")
    return float(rtol), float(atol)


def _compare(analytic, numeric, rtol, atol):
    """Elementwise |a - n| <= atol + rtol·max(|a|, |n|): (ok, max_abs, max_rel, worst_index, worst_ratio)."""
    diff = np.abs(analytic - numeric)
    size = np.maximum(np.abs(analytic), np.abs(numeric))
    allowed = atol + rtol * size
    with np.errstate(divide="ignore", invalid="ignore"):  # 0/0 where both are exactly 0: handled below
        rel = np.where(diff == 0, 0.0, diff / size)
        ratio = np.where(diff == 0, 0.0, diff / allowed)
    ratio = np.where(np.isnan(ratio), np.inf, ratio)  # a NaN analytic entry is the worst possible
    worst = np.unravel_index(int(np.argmax(ratio)), analytic.shape) if analytic.size else ()
    worst = tuple(int(i) for i in worst)
    ok = bool(np.all(ratio <= 1)) and bool(np.all(np.isfinite(analytic)))
    max_abs = float(np.max(diff)) if diff.size else 0.0
    max_rel = float(np.max(rel)) if rel.size else 0.0
    return ok, max_abs, max_rel, worst, allowed


@dataclass(frozen=True)
class GradientCheck:
    """Result of :func:`check_gradient`; ``message`` names the worst element."""

    ok: bool
    max_abs_error: float
    max_rel_error: float
    worst_index: tuple
    analytic: np.ndarray = field(repr=False)
    numeric: np.ndarray = field(repr=False)
    method: str
    rtol: float
    atol: float
    message: str

    def __bool__(self):
        return self.ok


def _nonempty(x, name="x"):
    if x.size == 0:
        raise ValueError(f"{name} has shape {x.shape}, which is empty; expected at least one element to check")
    return x


def _as_analytic(grad, x, what="grad"):
    value = grad(x.copy()) if callable(grad) else grad
    try:
        arr = np.asarray(value)
    except Exception as exc:
        raise ValueError(
            f"{what} could not be converted to an array ({exc}); expected an array shaped like x"
        ) from None
    if arr.dtype.kind not in "biuf":
        raise ValueError(f"{what} has dtype {arr.dtype}; expected a real array shaped like x")
    if arr.shape != x.shape:
        raise ValueError(f"{what} has shape {arr.shape} but x has shape {x.shape}; expected {what}.shape == x.shape")
    return arr.astype(np.float64)


def check_gradient(f, grad, x, *, method="central", rtol=None, atol=None, step=None) -> GradientCheck:
    """Compare an analytic gradient (array, or callable ``grad(x)``) with :func:`numerical_gradient`.

    Element i passes when |a_i - n_i| <= atol + rtol·max(|a_i|, |n_i|).  Defaults per method are
    ``DEFAULT_TOLERANCES`` (rtol, and atol = atol_unit·max(1, |f(x)|)), from the error analysis in
    the module docstring.  ``worst_index`` is the element with the largest error relative to its
    tolerance; ``max_rel_error`` is the largest |a - n| / max(|a|, |n|) (0 where both are 0).
    """
    _check_method(method)
    x = _nonempty(_as_point(x))
    analytic = _as_analytic(grad, x)
    f0, precision = _value_and_precision(f, x.copy(), "at x")
    rtol, atol = _tolerances(method, rtol, atol, f0)
    numeric = numerical_gradient(f, x, method=method, step=step)
    ok, max_abs, max_rel, worst, allowed = _compare(analytic, numeric, rtol, atol)
    a, n = analytic[worst], numeric[worst]
    err = abs(a - n)
    rel = err / max(abs(a), abs(n)) if err else 0.0
    message = (
        f"gradient check {'passed' if ok else 'FAILED'} ({method}, {x.size} elements): "
        f"worst element {worst}: analytic {a:.10g}, numeric {n:.10g}, abs error {err:.3g}, "
        f"rel error {rel:.3g}; tolerance {allowed[worst]:.3g} = atol {atol:.3g} + rtol {rtol:.3g}·max(|a|, |n|)"
    ) + ("" if ok else _low_precision_hint(precision, method))
    return GradientCheck(ok, max_abs, max_rel, worst, analytic, numeric, method, rtol, atol, message)


@dataclass(frozen=True)
class DirectionalCheck:
    """Result of :func:`check_directional`: one analytic and one numeric slope per direction."""

    ok: bool
    max_abs_error: float
    max_rel_error: float
    worst_direction: int
    analytic: np.ndarray = field(repr=False)
    numeric: np.ndarray = field(repr=False)
    method: str
    rtol: float
    atol: float
    message: str

    def __bool__(self):
        return self.ok


def check_directional(
    f, grad, x, *, directions=3, rng=None, method="central", rtol=None, atol=None, step=None
) -> DirectionalCheck:
    """Seeded random-projection gradient check: grad(x)·u vs d/dt f(x + t u) at t = 0.

    For inputs too large to difference element by element (cost: 1, 2 or 6 evaluations of f
    per direction for complex, central, richardson).  ``x`` is an array of any shape, or a
    list/tuple of numpy arrays (then ``f`` and ``grad`` take and return such a list, e.g. an
    MLP's parameters; the direction is one unit vector over all of them, so the result is the
    same as for the flattened concatenation).  A list of plain numbers is one vector.  ``rng``: a ``numpy.random.Generator`` or an int seed;
    ``None`` means seed 0, so the check is reproducible.

    Power: u = g/|g| with g standard normal in n dimensions, so u_i has density
    Γ(n/2)/(√π Γ((n-1)/2))·(1-t²)^((n-3)/2) <= sqrt((n-1)/(2π)) (Wendel's inequality).  A single
    wrong entry of size δ changes grad·u by δ·u_i, which escapes a tolerance τ only if
    |u_i| < τ/|δ|, probability <= (τ/|δ|)·sqrt(2(n-1)/π) per direction, independently per
    direction: with k directions the miss probability is <= ((τ/|δ|)·sqrt(2(n-1)/π))^k
    (τ <= atol + rtol·(|grad| + |δ|) since |u| = 1; :func:`directional_miss_bound` computes it).
    Example (tests/test_gradcheck.py): n = 1e5, |f| ~ 1, central defaults give τ ≈ 1.2e-8; for
    δ = 1e-3 the bound is 3e-3 per direction, 3e-8 for three.  The default atol scales with
    |f(x)|, so for a large sum (|f| ~ n) prefer method="complex" or pass atol.
    """
    _check_method(method)
    if isinstance(directions, bool) or not isinstance(directions, (int, np.integer)) or directions < 1:
        raise ValueError(f"directions={directions!r} is not a positive integer; expected e.g. directions=3")
    parts = isinstance(x, (list, tuple)) and all(isinstance(p, np.ndarray) for p in x)
    xs = [_as_point(p, f"x[{i}]") for i, p in enumerate(x)] if parts else [_as_point(x)]
    if callable(grad):
        g_value = grad([p.copy() for p in xs] if parts else xs[0].copy())
    else:
        g_value = grad
    if parts:
        if not isinstance(g_value, (list, tuple)) or len(g_value) != len(xs):
            raise ValueError(f"grad has {type(g_value).__name__} value; expected a list of {len(xs)} arrays like x")
        gs = [_as_analytic(g, p, f"grad[{i}]") for i, (g, p) in enumerate(zip(g_value, xs))]
    else:
        gs = [_as_analytic(g_value, xs[0])]
    if sum(p.size for p in xs) == 0:
        raise ValueError("x has no elements; expected at least one entry to take a direction over")
    generator = rng if isinstance(rng, np.random.Generator) else np.random.default_rng(0 if rng is None else rng)

    def point(t, us):
        pts = [p + t * u for p, u in zip(xs, us)]
        return pts if parts else pts[0]

    f0, precision = _value_and_precision(f, point(0.0, [np.zeros_like(p) for p in xs]), "at x")
    rtol, atol = _tolerances(method, rtol, atol, f0)
    analytic, numeric = np.empty(directions), np.empty(directions)
    for k in range(directions):
        us = [generator.standard_normal(p.shape) for p in xs]
        norm = np.sqrt(sum(float(np.sum(u * u)) for u in us))
        us = [u / norm for u in us]
        analytic[k] = sum(float(np.sum(g * u)) for g, u in zip(gs, us))
        numeric[k] = numerical_gradient(lambda t, us=us: f(point(t, us)), 0.0, method=method, step=step)
    ok, max_abs, max_rel, worst, allowed = _compare(analytic, numeric, rtol, atol)
    k = worst[0]
    message = (
        f"directional check {'passed' if ok else 'FAILED'} ({method}, {directions} random unit directions, "
        f"{sum(p.size for p in xs)} elements): worst direction {k}: grad·u {analytic[k]:.10g}, "
        f"d/dt f(x+tu) {numeric[k]:.10g}, abs error {abs(analytic[k] - numeric[k]):.3g}; "
        f"tolerance {allowed[k]:.3g} = atol {atol:.3g} + rtol {rtol:.3g}·max(|a|, |n|)"
    ) + ("" if ok else _low_precision_hint(precision, method))
    return DirectionalCheck(ok, max_abs, max_rel, k, analytic, numeric, method, rtol, atol, message)


def directional_miss_bound(n, delta, tol, directions=3):
    """Upper bound on the probability that :func:`check_directional` misses one wrong entry.

    n: number of elements; delta: size of the error in that entry; tol: the tolerance on the
    directional derivative (atol + rtol·max(|a|, |n|), see the check's message).  Per direction
    P(|u_i| < tol/|delta|) <= (tol/|delta|)·sqrt(2(n-1)/π) (density of u_i bounded by
    sqrt((n-1)/(2π)), Wendel's inequality); directions are independent.
    """
    if n < 2:
        # n = 1: u = ±1, the error delta is seen in full whenever |delta| > tol.
        return 0.0 if abs(delta) > tol else 1.0
    per_direction = min(1.0, tol / abs(delta) * np.sqrt(2 * (n - 1) / np.pi))
    return per_direction**directions
