"""Section 5.1 activations and their derivatives, elementwise (no row/column convention), in NumPy.

Every function accepts a scalar or an array; ints become float64, float32
stays float32, complex stays complex (the smooth activations return the
analytic continuation, so the complex step works through them; ReLU and
pReLU branch on the real part).  Stable for every finite input (no overflow
warning at ±1e308); real ±inf gives the mathematical limit (e.g. swish(-inf) = 0,
GELU'(+inf) = 1) without warnings; NaN in gives NaN out, silently for complex NaN too.
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "ACTIVATIONS", "gelu", "gelu_grad", "get", "prelu", "prelu_grad", "relu", "relu_grad",
    "sigmoid", "sigmoid_grad", "swish", "swish_grad", "tanh", "tanh_grad",
]  # fmt: skip


def _as_array(x, name: str = "x") -> np.ndarray:
    a = np.asarray(x)
    if a.dtype.kind in "biu":
        a = a.astype(np.float64)
    if a.dtype.kind not in "fc":
        raise ValueError(f"{name} has dtype {a.dtype}; expected real or complex numbers")
    return a


def _out(a: np.ndarray, x):
    return a if np.ndim(x) else a[()]


def relu(x):
    """Eq. 5.1.4 (ReLU): max(x, 0)."""
    a = _as_array(x)
    return _out(np.where((a.real > 0) | np.isnan(a), a, np.zeros_like(a)), x)  # NaN in, NaN out


def relu_grad(x):
    """Eq. 5.1.4, derivative of ReLU: 1 for x > 0, 0 for x <= 0 (the book's convention ReLU'(0) = 0)."""
    a = _as_array(x)
    g = (a.real > 0).astype(a.dtype)
    return _out(np.where(np.isnan(a), a, g), x)


def _check_param(value, name: str) -> float:
    if (
        isinstance(value, (bool, np.bool_))
        or not isinstance(value, (int, float, np.integer, np.floating))
        or not np.isfinite(value)
    ):
        raise ValueError(f"{name}={value!r} is not allowed; expected a finite real number")
    return float(value)


def prelu(x, alpha):
    """Eq. 5.1.5 (pReLU): max(0, x) + alpha min(0, x)."""
    a = _as_array(x)
    al = a.dtype.type(_check_param(alpha, "alpha"))
    # alpha = 0: 0·(-inf) would be NaN (with a warning), but the limit of 0·x is 0
    safe = np.where(np.isinf(a), 0, a) if al == 0 else a
    with np.errstate(over="ignore"):  # |alpha x| > 1.8e308 rounds to ±inf, as IEEE prescribes
        neg = al * safe
    return _out(np.where(a.real > 0, a, neg), x)


def prelu_grad(x, alpha):
    """Eq. 5.1.5, derivative of pReLU: 1 for x > 0, alpha for x <= 0 (at 0 the left derivative, like ReLU)."""
    a = _as_array(x)
    al = a.dtype.type(_check_param(alpha, "alpha"))
    g = np.where(a.real > 0, a.dtype.type(1), al).astype(a.dtype)
    return _out(np.where(np.isnan(a), a, g), x)


def sigmoid(x):
    """Eq. 5.1.6: sigmoid(x) = 1 / (1 + exp(-x)), computed without overflow."""
    a = _as_array(x)
    if a.dtype.kind == "c":  # the same two forms, both analytic: exp(-|Re x|) never overflows
        nan, a = _without_nan(a)
        right = a.real >= 0
        e = np.exp(_reflect(a, right))
        return _out(_with_nan(nan, np.where(right, 1 / (1 + e), e / (1 + e))), x)
    e = np.exp(-np.abs(a))  # in (0, 1]: never overflows
    return _out(np.where(a >= 0, 1 / (1 + e), e / (1 + e)).astype(a.dtype, copy=False), x)


def sigmoid_grad(x):
    """Eq. 5.1.7: sigmoid'(x) = exp(-|x|) / (1 + exp(-|x|))² = sigmoid(x)(1 - sigmoid(x)).

    The form with exp(-|x|) keeps full relative accuracy in the tails, where
    s(1 - s) would round 1 - s to 0 (sigmoid_grad(40) = 4.25e-18, not 0).
    """
    a = _as_array(x)
    if a.dtype.kind == "c":  # sigmoid' is even, so e^{-x}/(1+e^{-x})² = e^{x}/(1+e^{x})²: take Re <= 0
        nan, a = _without_nan(a)
        e = np.exp(_reflect(a, a.real >= 0))
        return _out(_with_nan(nan, e / (1 + e) ** 2), x)
    e = np.exp(-np.abs(a))
    # e/(1+e)² can round one ulp above the true maximum 1/4 near 0 (x = 1e-9); the true value is <= 1/4
    return _out(np.minimum(e / (1 + e) ** 2, 0.25).astype(a.dtype, copy=False), x)


def tanh(x):
    """Eq. 5.1.8: tanh(x) = (1 - exp(-2x)) / (1 + exp(-2x)) (NumPy's tanh, stable everywhere)."""
    a = _as_array(x)
    return _out(np.tanh(a), x)


def tanh_grad(x):
    """Eq. 5.1.9: tanh'(x) = 1 - tanh²(x), as 4 e^{-2|x|} / (1 + e^{-2|x|})² for tail accuracy."""
    a = _as_array(x)
    if a.dtype.kind == "c":  # tanh' is even: the same form with Re(x) <= 0, clipped as below
        nan, a = _without_nan(a)
        r = _reflect(a, a.real >= 0)
        e = np.exp(2 * (np.maximum(r.real, -1e3) + 1j * r.imag))  # e^{-2000} is 0 anyway
        return _out(_with_nan(nan, 4 * e / (1 + e) ** 2), x)
    e = np.exp(-2 * np.minimum(np.abs(a), 1e3))  # 2|x| would overflow at 1e308; e^-2000 is 0 anyway
    return _out((4 * e / (1 + e) ** 2).astype(a.dtype, copy=False), x)


def _without_nan(a: np.ndarray):
    """(mask, a with 0 where the mask is set): complex NaN (either part) would make the complex
    division in sigmoid, sigmoid' and tanh' warn ("invalid value"); those entries are computed at 0
    and replaced by :func:`_with_nan`, so NaN in gives NaN out silently."""
    nan = np.isnan(a)
    return nan, np.where(nan, 0, a)


def _with_nan(nan: np.ndarray, out: np.ndarray) -> np.ndarray:
    """``out`` with complex(nan, nan) where ``nan`` is set (the mask from :func:`_without_nan`)."""
    return np.where(nan, out.dtype.type(complex(np.nan, np.nan)), out)


def _reflect(a: np.ndarray, right: np.ndarray) -> np.ndarray:
    """-a where ``right`` (Re a >= 0), a elsewhere: a complex number with Re <= 0, so exp of it is <= 1."""
    return np.where(right, -a, a)


def _beta(beta) -> float:
    return _check_param(beta, "beta")


def swish(x, beta=1.0):
    """Swish (aka SiLU for beta = 1): x sigmoid(beta x) (claim 5.1.swish)."""
    a = _as_array(x)
    b = _beta(beta)
    if a.dtype.kind == "c":
        bc = a.dtype.type(b)
        with np.errstate(over="ignore"):  # beta*x may round to ±inf; sigmoid(±inf) is exact (0 or 1)
            bx = bc * a
        return _out(a * sigmoid(bx), x)
    if a.dtype != np.float64:  # float32: float64 arithmetic then one rounding
        return _out(swish(a.astype(np.float64), b).astype(a.dtype), x)
    return _out(_swish_float64(a, b)[0], x)


def swish_grad(x, beta=1.0):
    """Claim 5.1.swish: d/dx x sigmoid(beta x) = sigmoid(beta x) + beta x sigmoid'(beta x)."""
    a = _as_array(x)
    b = _beta(beta)
    if a.dtype == np.complex64:  # σ + bx σ' cancels near swish's minimum (x ≈ -1.28): complex128, one rounding
        return _out(swish_grad(a.astype(np.complex128), b).astype(np.complex64), x)
    if a.dtype.kind == "c":
        bc = a.dtype.type(b)
        with np.errstate(over="ignore"):  # as in swish: sigmoid and sigmoid' are exact at ±inf
            bx = bc * a
        s, ds = sigmoid(bx), sigmoid_grad(bx)
        with np.errstate(invalid="ignore"):  # inf * 0 where |bx| = inf: the limit is 0
            t = np.where(np.isinf(bx), a.dtype.type(0), bx * ds)
        return _out(s + t, x)
    if a.dtype != np.float64:
        return _out(swish_grad(a.astype(np.float64), b).astype(a.dtype), x)
    return _out(_swish_float64(a, b)[1], x)


_EXP_M700 = 9.85967654375977e-305  # e^{-700} rounded (50-digit mpmath): rescales e^{-|bx|} below float64's range
_SHIFT = 700.0  # e^{-700} is still a normal float (the normal range ends near e^{-708})
_CLIP = 2e3  # |bx| beyond this: e^{-|bx|}·1.8e308 = 0 in float64 even after the shift


def _swish_float64(a: np.ndarray, b: float):
    """Claim 5.1.swish in float64: (x σ(bx), σ(bx) + bx σ'(bx)) to a few ulp, row-major elementwise.

    Two errors are removed.  (1) The rounding of p = b·x: with err = bx - p (exact, Dekker),
    σ(bx) = σ(p) + err σ'(p) and σ'(bx) = σ'(p)(1 + err (1 - 2σ(p))) to first order; without it
    the relative error is |bx|(1 - σ)·eps/2, 44 ulp at bx = -136.  (2) e^{-|p|} is subnormal
    for |p| > 708 while x e^{-|p|} may be normal (x up to 1.8e308): there e^{-|p|} is carried
    as e^{-(|p| - 700)} · e^{-700} (the subtraction is exact for 700 < |p| < 2048).
    """
    # x = ±inf: the limits are set at the end; computing with them would give inf·0 = NaN
    infinite = np.isinf(a)
    a_inf, a = a, np.where(infinite, np.sign(a), a)
    with np.errstate(over="ignore"):  # p may round to ±inf: σ(±inf) is exactly 0 or 1
        p = b * a
    # err from the mantissas (frexp: in [0.5, 1), so Dekker's split neither overflows nor underflows),
    # scaled back by 2^(ea + eb) exactly; only where p is finite and small enough to matter
    fine = np.isfinite(p) & (np.abs(p) < _CLIP)
    ma, ea = np.frexp(np.where(fine, a, 0.0))
    mb, eb = np.frexp(b)
    err = np.ldexp(_two_prod(ma, mb)[1], ea + eb)
    m = np.abs(p)
    big = m > _SHIFT
    e = np.exp(-(np.minimum(m, _CLIP) - np.where(big, _SHIFT, 0.0)))  # <= 1: never overflows
    scale = np.where(big, _EXP_M700, 1.0)  # e^{-|p|} = e · scale
    den = 1 + e * scale
    neg = p < 0
    s_sc = np.where(neg, e / den, 1 / den)  # σ(p) = s_sc · scale_s
    scale_s = np.where(neg, scale, 1.0)
    ds_sc = e / den**2  # σ'(p) = ds_sc · scale
    s = s_sc * scale_s  # may be subnormal: used only where it is absolute-error negligible
    # x σ(bx) = x (σ(p) + err σ'(p)); for p >= 0 and big, err σ'(p) <= 2e3 eps e^{-700}: negligible
    value = np.where(neg, (a * (s_sc + err * ds_sc)) * scale, a * s_sc + (a * err * ds_sc) * scale)
    # σ(bx) + bx σ'(bx) = σ(p) + err σ'(p) + (p + err) σ'(p)(1 + err (1 - 2σ(p)))
    with np.errstate(invalid="ignore"):  # p = ±inf: inf · 0, whose limit (x e^{-|x|} -> 0) is 0
        t = np.where(np.isinf(p), 0.0, (p * ds_sc * (1 + err * (1 - 2 * s)) + 2 * err * ds_sc) * scale)
    grad = np.where(neg, s_sc * scale_s, s_sc) + t
    # limits at x = ±inf: bx -> +inf gives x σ(bx) -> x and swish' -> 1; bx -> -inf gives
    # x σ(bx) -> 0 (with the sign of x) and swish' -> 0; beta = 0 is x/2 with slope 1/2
    up = b * np.sign(a_inf) > 0
    value = np.where(infinite, 0.5 * a_inf if b == 0 else np.where(up, a_inf, np.copysign(0.0, a_inf)), value)
    grad = np.where(infinite, 0.5 if b == 0 else np.where(up, 1.0, 0.0), grad)
    return value, grad


_INV_SQRT2_HI = 0.7071067811865476  # 1/√2 rounded to float64
_INV_SQRT2_LO = -4.833646656726457e-17  # 1/√2 - _INV_SQRT2_HI (from 50-digit mpmath)
_INV_SQRT_PI = 0.5641895835477563  # 1/√π: erfc'(z) = -2/√π e^{-z²}
_INV_SQRT_2PI = 0.3989422804014327  # 1/√(2π) = φ(0)
_SPLIT = 134217729.0  # 2^27 + 1: Veltkamp's constant, splits a float64 into two 26-bit halves
_CORRECT_BELOW = 40.0  # Φ(-40) = 3.7e-350 and φ(40) = 1.5e-348 are 0 in float64; Φ(40) is 1


def _two_prod(a, b):
    """a*b = p + e exactly (Dekker's algorithm; |a|, |b| < 1e150 so nothing overflows)."""
    p = a * b
    ta, tb = _SPLIT * a, _SPLIT * b
    a_hi, b_hi = ta - (ta - a), tb - (tb - b)
    a_lo, b_lo = a - a_hi, b - b_hi
    e = ((a_hi * b_hi - p) + a_hi * b_lo + a_lo * b_hi) + a_lo * b_lo
    return p, e


#: Below this Φ(a) and φ(a) approach float64's subnormal range (Φ(-37.5) = 4.6e-309) while
#: a·Φ(a) and a·φ(a) are still normal: there both are returned as value·e^{-64}.
_RESCALE_BELOW = -37.0
_SHIFT_TAIL = 64.0  # z² and a²/2 lie in [512, 1024) there: subtracting 64 is exact
_EXP_M64 = 1.603810890548638e-28  # e^{-64} rounded (50-digit mpmath)


def _phi_scale(a):
    """The factor the scaled Φ and φ must be multiplied by: e^{-64} in the far left tail, else 1."""
    return np.where(a < _RESCALE_BELOW, _EXP_M64, 1.0)


def _phi_cdf(a, scaled: bool = False):
    """Φ(a) = erfc(-a/√2)/2 to a few ulp, tails included (``scaled``: Φ(a) / _phi_scale(a), float64 only).

    For a < 0 the tail erfc(z), z = -a/√2 > 0, is e^{-z²}·erfcx(z): erfcx (the
    scaled erfc) is well conditioned, and e^{-z²} is taken with z² split
    exactly and with the rounding error dz of z added back to first order
    (rounding z² or z would cost a relative 2z²·eps: 250 ulp at a = -15).
    """
    from scipy import special  # lazy: keeps `import numeric` fast

    if a.dtype.kind == "c":
        return _phi_cdf_complex(a)
    if a.dtype != np.float64:  # float32: float64 arithmetic then one rounding is exact enough
        return _phi_cdf(a.astype(np.float64)).astype(a.dtype)
    ac = np.clip(a, -_CORRECT_BELOW, 0.0)  # the tail branch only; NaN stays NaN
    z, e1 = _two_prod(-ac, _INV_SQRT2_HI)
    dz = e1 - ac * _INV_SQRT2_LO  # z + dz = -a/√2 to ~1e-32 relative
    sq, e2 = _two_prod(z, z)  # z² = sq + e2 exactly
    shift = np.where(ac < _RESCALE_BELOW, _SHIFT_TAIL, 0.0)
    tail = 0.5 * special.erfcx(z) * np.exp(-(sq - shift)) * (1 - e2 - 2 * z * dz)  # e^{-(z+dz)²} to first order
    if not scaled:
        tail = tail * _phi_scale(a)
    central = 0.5 * special.erfc(-a * _INV_SQRT2_HI)  # Φ >= 1/2 for a >= 0: no cancellation, well conditioned
    return np.where((a < 0) & (a > -_CORRECT_BELOW), tail, np.where(a < 0, 0.0, central))


def _two_sum(a, b):
    """a + b = s + e exactly (Knuth's algorithm)."""
    s = a + b
    bb = s - a
    return s, (a - (s - bb)) + (b - bb)


def _phi_cdf_complex(a):
    """Φ(a) = erfc(z)/2, z = -a/√2, for complex a: the analytic continuation, to a few ulp near the real axis.

    Where Re a < 0 (the tail) it is e^{-z²}·erfcx(z)/2 with z and z² carried exactly as in
    :func:`_phi_cdf` (real and imaginary parts split by Dekker's algorithm): rounding z alone
    would cost a relative 2|z|²·eps, 256 ulp at a = -30 + 0i.  |a| < 1e3 keeps the splits
    finite; beyond, and for Re a >= 0 (where erfc(z) ~ 2: well conditioned), plain erfc.
    """
    from scipy import special  # lazy: keeps `import numeric` fast

    if a.dtype == np.complex64:  # the splits assume float64; one final rounding is exact enough
        return _phi_cdf_complex(a.astype(np.complex128)).astype(a.dtype)
    tail = (a.real < 0) & (np.abs(a) < 1e3)
    ac = np.where(tail, a, 0)
    zr, er = _two_prod(-ac.real, _INV_SQRT2_HI)
    zi, ei = _two_prod(-ac.imag, _INV_SQRT2_HI)
    dz = (er - ac.real * _INV_SQRT2_LO) + 1j * (ei - ac.imag * _INV_SQRT2_LO)  # z exact = zr + i zi + dz
    p1, e1 = _two_prod(zr, zr)
    p2, e2 = _two_prod(zi, zi)
    p3, e3 = _two_prod(zr, zi)
    d, ed = _two_sum(p1, -p2)  # Re z² = d + ed + e1 - e2, Im z² = 2 (p3 + e3), all exact
    z = zr + 1j * zi
    small = (ed + e1 - e2) + 2j * e3 + 2 * z * dz  # the part of z_exact² beyond d + 2i p3, to first order
    expo = np.exp(-d) * (np.cos(2 * p3) - 1j * np.sin(2 * p3)) * (1 - small)
    accurate = 0.5 * special.erfcx(z) * expo
    return np.where(tail, accurate, 0.5 * special.erfc(-a * _INV_SQRT2_HI))


def _phi_pdf(a, scaled: bool = False):
    """φ(a) = e^{-a²/2}/√(2π), with a² split exactly (rounding a² would cost a²/2·eps relative)."""
    ac = np.clip(a, -_CORRECT_BELOW, _CORRECT_BELOW)
    sq, e = _two_prod(ac, ac)
    shift = np.where(ac < _RESCALE_BELOW, _SHIFT_TAIL, 0.0)  # as in _phi_cdf
    dens = _INV_SQRT_2PI * np.exp(-(0.5 * sq - shift)) * (1 - 0.5 * e)  # e^{-(sq+e)/2} = e^{-sq/2}(1 - e/2 + ...)
    if not scaled:
        dens = dens * _phi_scale(a)
    return np.where(np.abs(a) < _CORRECT_BELOW, dens, 0.0)  # φ(40) = 1e-348: 0 in float64


def gelu(x):
    """Claim 5.1.gelu: GELU(x) = x Φ(x), Φ the standard normal CDF (exact erf form)."""
    a = _as_array(x)
    if a.dtype == np.float32:  # float64 arithmetic then one rounding (x Φ(x) normal, Φ(x) not, near -13)
        return _out(gelu(a.astype(np.float64)).astype(a.dtype), x)
    if a.dtype == np.float64:  # a·Φ(a) before the e^{-64} of the far tail: no subnormal intermediate
        # x = -inf: -inf·Φ(-inf) = -inf·0 is NaN; the limit of x Φ(x) is 0 (from below)
        lim = np.isneginf(a)
        safe = np.where(lim, -1.0, a)
        return _out(np.where(lim, -0.0, (safe * _phi_cdf(safe, scaled=True)) * _phi_scale(safe)), x)
    return _out(a * _phi_cdf(a), x)


def gelu_grad(x):
    """Claim 5.1.gelu: GELU'(x) = Φ(x) + x φ(x), φ the standard normal density."""
    a = _as_array(x)
    if a.dtype == np.complex64:  # as for float32: double precision, then one rounding
        return _out(gelu_grad(a.astype(np.complex128)).astype(a.dtype), x)
    if a.dtype.kind == "c":
        # |x φ(x)| <= |x| e^{-(Re² - Im²)/2} is 0 in float64 once |Re| > 80 and |Im| < |Re|/2
        # (e^{-0.375·80²} = e^{-2400}); squaring such x could overflow, so those are set to 0.
        negligible = (np.abs(a.real) > 80) & (np.abs(a.imag) < 0.5 * np.abs(a.real))
        safe = np.where(negligible, 0, a)
        dens = np.where(negligible, 0, safe * _INV_SQRT_2PI * np.exp(-0.5 * safe * safe))
        return _out(_phi_cdf(a) + dens, x)
    if a.dtype != np.float64:
        return _out(gelu_grad(a.astype(np.float64)).astype(a.dtype), x)
    # x = ±inf: x φ(x) = ±inf·0 is NaN; its limit is 0, so GELU' -> Φ(±inf) = 1 or 0
    lim = np.isinf(a)
    safe = np.where(lim, np.sign(a), a)
    grad = (_phi_cdf(safe, scaled=True) + safe * _phi_pdf(safe, scaled=True)) * _phi_scale(safe)
    return _out(np.where(lim, np.where(a > 0, 1.0, 0.0), grad), x)


#: name -> (function, derivative), for arguments like activation="relu".
ACTIVATIONS = {
    "relu": (relu, relu_grad),
    "sigmoid": (sigmoid, sigmoid_grad),
    "tanh": (tanh, tanh_grad),
    "swish": (swish, swish_grad),
    "gelu": (gelu, gelu_grad),
    "prelu": (prelu, prelu_grad),
}


def get(name: str):
    """The pair (function, derivative) for an activation name; KeyError listing the known names."""
    try:
        return ACTIVATIONS[name]
    except (KeyError, TypeError):
        raise KeyError(f"unknown activation {name!r}; known: {', '.join(sorted(ACTIVATIONS))}") from None
