"""Gradient checks: finite differences, complex step, Richardson, random projections.

Scalar-valued ``f`` of an array ``x`` of any shape (0-d included).  Every
numerical gradient is returned as float64 shaped like ``x``.  A float32 ``x`` is
upcast and ``f`` is evaluated at float64 points: a difference quotient taken in
float32 (eps = 1.2e-7) would be accurate to about 1e-2 at best, so the checker
does not pretend to one.  If ``f`` itself rounds to float32, pass a larger
``step`` (about eps32**(1/3) = 5e-3 for ``"central"``) and looser tolerances.

Error analysis (eps = 2.2e-16, f and x well scaled, i.e. |f|, |x_i|, and the
derivatives of f of order 1):

* ``"central"``: (f(x+h) - f(x-h)) / 2h = f' + h² f'''/6 + O(h⁴); rounding of
  the two values of f contributes about eps·|f|/h.  The sum h²|f'''|/6 +
  eps|f|/h is smallest at h ≈ (3 eps)^(1/3) ≈ eps^(1/3); we use
  h_i = eps^(1/3)·max(1, |x_i|) ≈ 6.1e-6·max(1, |x_i|), giving an error of about
  eps^(2/3) ≈ 3.7e-11 (relative, times the ratio of |f|, |f'''| to |f'|).
* ``"complex"`` (complex step): Im f(x + i h e_i)/h = f' - h² f'''/6 + ...,
  with no subtraction, so no cancellation: any h small enough makes the
  truncation vanish below rounding.  h = 1e-20·max(1, |x_i|) makes the
  truncation ~1e-40 relative; the result is exact to the rounding of evaluating
  f, a few eps (~1e-15 relative).  f must be analytic and accept complex input.
* ``"richardson"``: central differences D(h), D(h/2), D(h/4) combined by two
  Richardson steps (T11 = (4 D(h/2) - D(h))/3 is O(h⁴); T22 = (16 T21 - T11)/15
  is O(h⁶)).  Truncation ~h⁶, rounding ~ (64/45)·eps|f|/(h/4) ≈ 5.7 eps|f|/h;
  the balance is at h ≈ eps^(1/7) ≈ 5.8e-3, error ~eps^(6/7) ≈ 4e-14 times
  constants; we use h_i = 4·eps^(1/7)·max(1, |x_i|) (the finest step h/4 then
  sits at the optimum) and report |T22 - T21| (the O(h⁴) estimate's distance)
  plus the rounding bound as the error estimate, which over-estimates T22's
  error.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np

__all__ = [
    "METHODS",
    "DEFAULT_TOLERANCES",
    "GradientCheck",
    "DirectionalCheck",
    "numerical_gradient",
    "richardson_gradient",
    "check_gradient",
    "check_directional",
    "directional_miss_bound",
]

METHODS = ("central", "complex", "richardson")

_EPS = np.finfo(np.float64).eps
# Default relative steps, from the error analysis in the module docstring.
_CENTRAL_STEP = _EPS ** (1 / 3)  # ≈ 6.1e-6: balances h²f'''/6 against eps·f/h
_COMPLEX_STEP = 1e-20  # truncation h² ~ 1e-40, far below rounding; h·f' stays a normal float
_RICHARDSON_STEP = 4 * _EPS ** (1 / 7)  # ≈ 2.3e-2: the finest step h/4 = eps^(1/7) balances h⁶ vs eps/h

#: Default (rtol, atol_unit) of check_gradient per method; atol = atol_unit·max(1, |f(x)|)
#: because the rounding error of a difference quotient scales with |f|.
#: central: error ~eps^(2/3) ≈ 4e-11; rtol 1e-6 leaves a factor 1e4 for curvature and scale.
#: richardson: error ~1e-13; rtol 1e-8 leaves a factor 1e5.
#: complex: error a few eps; rtol 1e-10 leaves room for the rounding of the analytic gradient
#: itself (condition numbers up to ~1e5).  All three flag a 1e-3 relative error.
DEFAULT_TOLERANCES = {
    "central": (1e-6, 1e-8),
    "richardson": (1e-8, 1e-10),
    "complex": (1e-10, 1e-13),
}


def _check_method(method):
    if method not in METHODS:
        raise ValueError(f"method={method!r} is not known; expected one of {', '.join(map(repr, METHODS))}")


def _as_point(x, name="x"):
    """Return ``x`` as a float64 copy, rejecting non-numeric, complex and non-finite entries."""
    try:
        arr = np.asarray(x)
    except Exception as exc:  # ragged lists and the like
        raise ValueError(f"{name} could not be converted to an array ({exc}); expected a real array") from None
    if arr.dtype.kind not in "biuf":
        raise ValueError(f"{name} has dtype {arr.dtype}; expected a real (integer or floating) array")
    arr = arr.astype(np.float64, copy=True)
    if not np.all(np.isfinite(arr)):
        bad = tuple(int(i) for i in np.argwhere(~np.isfinite(arr))[0])
        raise ValueError(f"{name} has a non-finite entry {float(arr[bad])!r} at index {bad}; expected finite values")
    return arr


def _as_steps(step, x, default):
    """Per-element steps: the default relative step times max(1, |x_i|), or the user's absolute step."""
    if step is None:
        return default * np.maximum(1.0, np.abs(x))
    try:
        h = np.asarray(step, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(f"step={step!r} is not a number; expected a positive finite step") from None
    if h.ndim and h.shape != x.shape:
        raise ValueError(f"step has shape {h.shape} but x has shape {x.shape}; expected a scalar or x's shape")
    if not np.all(np.isfinite(h) & (h > 0)):
        raise ValueError(f"step={step!r} is not positive and finite; expected a step > 0")
    return np.broadcast_to(h, x.shape).copy()


def _scalar(f, value, where):
    """Return f's value as a Python scalar; non-scalar or non-finite values raise ValueError naming f."""
    arr = np.asarray(value)
    if arr.size != 1:
        raise ValueError(
            f"f={getattr(f, '__name__', f)!r} returned an array of shape {arr.shape} {where}; "
            "expected a scalar-valued function"
        )
    v = arr.reshape(()).item()
    if not np.isfinite(v):
        raise ValueError(f"f={getattr(f, '__name__', f)!r} returned {v!r} {where}; expected a finite value")
    return v


def _eval(f, x, where):
    return _scalar(f, f(x), where)


def _eval_complex(f, z, where):
    """Evaluate f at complex z; a real result or a discarded imaginary part raises ValueError."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", np.exceptions.ComplexWarning)
        try:
            value = f(z)
        except np.exceptions.ComplexWarning:
            raise ValueError(
                f"f={getattr(f, '__name__', f)!r} discarded the imaginary part of its input {where} "
                "(ComplexWarning); method='complex' needs f analytic in x: use method='central' or 'richardson'"
            ) from None
    if not np.iscomplexobj(value):
        raise ValueError(
            f"f={getattr(f, '__name__', f)!r} returned a real {type(value).__name__} for complex input {where}; "
            "method='complex' needs f to propagate the imaginary part (no abs, .real, float(), float arrays): "
            "use method='central' or 'richardson'"
        )
    return _scalar(f, value, where)


def _central(f, x, h):
    """Central differences along every coordinate (step h_i), float64, shaped like x."""
    grad = np.empty_like(x)
    with np.errstate(over="ignore"):  # x ± h beyond ±1.8e308 becomes inf: rejected just below
        too_big = ~(np.isfinite(x + h) & np.isfinite(x - h))
    if np.any(too_big):
        idx = tuple(int(i) for i in np.argwhere(too_big)[0])
        raise ValueError(
            f"x{list(idx)} = {float(x[idx])!r} is too large to difference: x ± h overflows with step h = {h[idx]:.3g}; "
            "expected |x| + step <= 1.8e308 (the largest float64) (pass a smaller step, or method='complex')"
        )
    for idx in np.ndindex(x.shape):
        xp, xm = x.copy(), x.copy()
        xp[idx] += h[idx]
        xm[idx] -= h[idx]
        # The step actually taken: x+h and x-h are rounded, their difference is exact (Sterbenz).
        width = xp[idx] - xm[idx]
        fp = _eval(f, xp, f"at x + h e{idx}")
        fm = _eval(f, xm, f"at x - h e{idx}")
        grad[idx] = (fp - fm) / width
    return grad


def _complex(f, x, h):
    grad = np.empty_like(x)
    for idx in np.ndindex(x.shape):
        z = x.astype(np.complex128)
        z[idx] += 1j * h[idx]
        grad[idx] = _eval_complex(f, z, f"at x + i h e{idx}").imag / h[idx]
    _check_imaginary_part_kept(f, x, grad)
    return grad


def _check_imaginary_part_kept(f, x, grad):
    """Raise ValueError if a complex step gave exactly 0 where f clearly has a nonzero slope.

    An f that drops the imaginary part somewhere inside (``v.real``, ``abs``) but still returns a
    complex number gives Im f = 0 exactly.  Each such element is re-checked with real differences;
    it is flagged only if (a) the central difference exceeds the central method's default atol,
    1e-8·max(1, |f(x)|), about 270 times its rounding error eps^(2/3)·|f| (module docstring), and
    (b) the forward and backward differences agree within 10% of it, i.e. f is smooth there: at a
    kink such as ReLU at 0 the one-sided slopes differ by the size of the slope itself, and the
    complex step's 0 is then the one-sided value (the convention ReLU'(0) = 0), not an error.
    """
    zeros = np.argwhere(grad == 0)
    if not len(zeros):
        return
    f0 = _eval(f, x.copy(), "at x")
    atol = DEFAULT_TOLERANCES["central"][1] * max(1.0, abs(f0))
    h = _CENTRAL_STEP * np.maximum(1.0, np.abs(x))
    for row in zeros:
        idx = tuple(int(i) for i in row)
        xp, xm = x.copy(), x.copy()
        xp[idx] += h[idx]
        xm[idx] -= h[idx]
        fp, fm = _eval(f, xp, f"at x + h e{idx}"), _eval(f, xm, f"at x - h e{idx}")
        central = (fp - fm) / (xp[idx] - xm[idx])
        forward, backward = (fp - f0) / (xp[idx] - x[idx]), (f0 - fm) / (x[idx] - xm[idx])
        smooth = abs(forward - backward) <= 0.1 * abs(central)  # 0.1: one-sided slopes agree to 10%
        if abs(central) > atol and smooth:
            raise ValueError(
                f"f={getattr(f, '__name__', f)!r} ignored the complex step at element {idx} (Im f = 0) although "
                f"a central difference gives {central:.3g}: f drops the imaginary part somewhere (.real, abs, "
                "float arrays); method='complex' needs f analytic in x: use method='central' or 'richardson'"
            )


def richardson_gradient(f, x, *, step=None):
    """Richardson-extrapolated central differences, O(h⁶): return ``(grad, error_estimate)``.

    D(h), D(h/2), D(h/4) -> T22 = (64 D(h/4) - 20 D(h/2) + D(h)) / 45.  The estimate is
    |T22 - T21| (T21 = (4 D(h/4) - D(h/2))/3 is O(h⁴)) plus the rounding bound
    eps·|f(x)|·(64/45·4 + 20/45·2 + 1/45)/h, both elementwise; it over-estimates
    T22's error.  ``step`` is the coarsest absolute step h (default 4·eps^(1/7)·max(1, |x_i|)).
    """
    x = _as_point(x)
    h = _as_steps(step, x, _RICHARDSON_STEP)
    f0 = _eval(f, x, "at x")
    d = [_central(f, x, h / 2**k) for k in range(3)]  # D(h), D(h/2), D(h/4)
    t11 = (4 * d[1] - d[0]) / 3  # 4 = 2², removes the h² term
    t21 = (4 * d[2] - d[1]) / 3
    t22 = (16 * t21 - t11) / 15  # 16 = 2⁴, removes the h⁴ term
    # Rounding: each D(h/2^k) carries ~eps|f|/(h/2^k); weights 64/45, 20/45, 1/45 of T22 in D.
    rounding = _EPS * max(1.0, abs(f0)) * (64 / 45 * 4 + 20 / 45 * 2 + 1 / 45) / h
    return t22, np.abs(t22 - t21) + rounding


def numerical_gradient(f, x, *, method="central", step=None):
    """Numerical gradient of scalar ``f`` at ``x`` (any shape, float64 result shaped like ``x``).

    ``method``: ``"central"`` (~1e-10 relative), ``"complex"`` (complex step, ~1e-15; f must
    accept complex input), ``"richardson"`` (~1e-13; see :func:`richardson_gradient` for the error
    estimate).  ``step``: absolute step, a positive scalar or an array shaped like ``x``; by
    default the method's relative step times max(1, |x_i|) (see the module docstring).
    """
    _check_method(method)
    x = _as_point(x)
    if method == "richardson":
        return richardson_gradient(f, x, step=step)[0]
    if method == "central":
        return _central(f, x, _as_steps(step, x, _CENTRAL_STEP))
    return _complex(f, x, _as_steps(step, x, _COMPLEX_STEP))


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


def _as_analytic(grad, x, what="grad"):
    value = grad(x.copy()) if callable(grad) else grad
    try:
        arr = np.asarray(value)
    except Exception as exc:
        raise ValueError(f"{what} could not be converted to an array ({exc}); expected an array shaped like x")
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
    x = _as_point(x)
    analytic = _as_analytic(grad, x)
    f0 = _eval(f, x.copy(), "at x")
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
    )
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

    f0 = _eval(f, point(0.0, [np.zeros_like(p) for p in xs]), "at x")
    rtol, atol = _tolerances(method, rtol, atol, f0)
    analytic, numeric = np.empty(directions), np.empty(directions)
    for k in range(directions):
        us = [generator.standard_normal(p.shape) for p in xs]
        norm = np.sqrt(sum(float(np.sum(u * u)) for u in us))
        us = [u / norm for u in us]
        analytic[k] = sum(float(np.sum(g * u)) for g, u in zip(gs, us))
        numeric[k] = numerical_gradient(lambda t: f(point(t, us)), 0.0, method=method, step=step)
    ok, max_abs, max_rel, worst, allowed = _compare(analytic, numeric, rtol, atol)
    k = worst[0]
    message = (
        f"directional check {'passed' if ok else 'FAILED'} ({method}, {directions} random unit directions, "
        f"{sum(p.size for p in xs)} elements): worst direction {k}: grad·u {analytic[k]:.10g}, "
        f"d/dt f(x+tu) {numeric[k]:.10g}, abs error {abs(analytic[k] - numeric[k]):.3g}; "
        f"tolerance {allowed[k]:.3g} = atol {atol:.3g} + rtol {rtol:.3g}·max(|a|, |n|)"
    )
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
