"""Numerical gradients of a scalar ``f``: central differences, complex step, Richardson extrapolation.

The differencing behind ``numeric.gradcheck`` (which re-exports every public name
here and compares the results with analytic gradients); it imports no other
``numeric`` module.

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

import numpy as np

__all__ = ["DEFAULT_TOLERANCES", "METHODS", "numerical_gradient", "richardson_gradient"]

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
    """Return f's value as a Python scalar; non-numeric, non-scalar or non-finite values raise ValueError naming f."""
    try:
        arr = np.asarray(value)
    except Exception:  # noqa: BLE001 - ragged sequences and the like: reported below as non-numeric
        arr = np.asarray(None)
    if arr.dtype.kind not in "biufc":  # str, bytes, None, objects: np.isfinite would raise a TypeError
        raise ValueError(
            f"f={getattr(f, '__name__', f)!r} returned {_brief(value)} {where}; "
            "expected a real number (a float, or an array with one element)"
        )
    if arr.size != 1:
        raise ValueError(
            f"f={getattr(f, '__name__', f)!r} returned an array of shape {arr.shape} {where}; "
            "expected a scalar-valued function"
        )
    v = arr.reshape(()).item()
    if not np.isfinite(v):
        raise ValueError(f"f={getattr(f, '__name__', f)!r} returned {v!r} {where}; expected a finite value")
    return v


def _brief(value):
    """``value`` as a short phrase for a message: its type and a shortened repr."""
    text = repr(value)
    return f"a {type(value).__name__} {text[:40] + '...' if len(text) > 40 else text}"


def _eval(f, x, where):
    return _scalar(f, f(x), where)


def _low_precision_hint(dtype, method):
    """A sentence for a failed check's message when ``f`` computed in a lower precision than float64, else "".

    Error analysis of the module docstring with float64's eps replaced by f's: at the default steps
    central differences carry rounding eps_f/h ≈ eps_f/6.1e-6 (2e-2 for float32), Richardson
    ≈ 5.7 eps_f/(h/4) (3e-5), the complex step about eps_f (1.2e-7), all far above the float64
    tolerances.  Central differences at h = eps_f^(1/3) (4.9e-3 for float32) balance truncation and
    rounding at about eps_f^(2/3) (2.4e-4).
    """
    if dtype is None:
        return ""
    dtype = np.dtype(dtype)
    eps = float(np.finfo(dtype).eps)
    if eps <= _EPS:
        return ""
    rounding = {"central": eps / _CENTRAL_STEP, "richardson": 5.7 * eps / _RICHARDSON_STEP, "complex": eps}[method]
    return (
        f"; note: f computed in {dtype.name} (its value is a {dtype.name}, eps {eps:.2g}), so f is rounded to "
        f"{dtype.name} and the {method} gradient is accurate to only about {rounding:.1g} relative: compute f in "
        f"float64 to check the formula, or pass method='central', step={eps ** (1 / 3):.2g}·max(1, |x|) "
        f"and rtol={10 * eps ** (2 / 3):.1g}"
    )


def _value_and_precision(f, x, where):
    """f(x) as a Python scalar, and the floating dtype f computed it in (None if not a NumPy float).

    The dtype is read from f's own result (a ``numpy.float32`` scalar, or an array of that dtype),
    so a float32 ``f`` can be named in a failed check's message: its values are rounded to float32.
    """
    value = f(x)
    v = _scalar(f, value, where)
    dtype = getattr(value, "dtype", None)
    return v, (dtype if dtype is not None and np.dtype(dtype).kind in "fc" else None)


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
