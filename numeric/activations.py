"""Section 5.1 activations and their derivatives, elementwise, in NumPy.

Every function accepts a scalar or an array; ints become float64, float32
stays float32, complex stays complex (the smooth activations return the
analytic continuation, so the complex step works through them; ReLU and
pReLU branch on the real part).  Stable for every finite input (no overflow
warning at ±1e308); NaN in gives NaN out.
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
    """Derivative of ReLU: 1 for x > 0, 0 for x <= 0 (the book's convention ReLU'(0) = 0)."""
    a = _as_array(x)
    g = (a.real > 0).astype(a.dtype)
    return _out(np.where(np.isnan(a), a, g), x)


def _check_param(value, name: str) -> float:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.integer, np.floating)) or not np.isfinite(value):
        raise ValueError(f"{name}={value!r} is not allowed; expected a finite real number")
    return float(value)


def prelu(x, alpha):
    """Eq. 5.1.5 (pReLU): max(0, x) + alpha min(0, x)."""
    a = _as_array(x)
    al = a.dtype.type(_check_param(alpha, "alpha"))
    return _out(np.where(a.real > 0, a, al * a), x)


def prelu_grad(x, alpha):
    """Derivative of pReLU: 1 for x > 0, alpha for x <= 0 (at 0 the left derivative, like ReLU)."""
    a = _as_array(x)
    al = a.dtype.type(_check_param(alpha, "alpha"))
    g = np.where(a.real > 0, a.dtype.type(1), al).astype(a.dtype)
    return _out(np.where(np.isnan(a), a, g), x)


def sigmoid(x):
    """Eq. 5.1.6: sigmoid(x) = 1 / (1 + exp(-x)), computed without overflow."""
    a = _as_array(x)
    if a.dtype.kind == "c":
        return _out(0.5 * (1 + np.tanh(a / 2)), x)  # analytic continuation, no overflow
    e = np.exp(-np.abs(a))  # in (0, 1]: never overflows
    return _out(np.where(a >= 0, 1 / (1 + e), e / (1 + e)).astype(a.dtype, copy=False), x)


def sigmoid_grad(x):
    """Eq. 5.1.7: sigmoid'(x) = exp(-|x|) / (1 + exp(-|x|))² = sigmoid(x)(1 - sigmoid(x)).

    The form with exp(-|x|) keeps full relative accuracy in the tails, where
    s(1 - s) would round 1 - s to 0 (sigmoid_grad(40) = 4.25e-18, not 0).
    """
    a = _as_array(x)
    if a.dtype.kind == "c":
        return _out(0.25 / np.cosh(a / 2) ** 2, x)
    e = np.exp(-np.abs(a))
    return _out((e / (1 + e) ** 2).astype(a.dtype, copy=False), x)


def tanh(x):
    """Eq. 5.1.8: tanh(x) = (1 - exp(-2x)) / (1 + exp(-2x)) (NumPy's tanh, stable everywhere)."""
    a = _as_array(x)
    return _out(np.tanh(a), x)


def tanh_grad(x):
    """Eq. 5.1.9: tanh'(x) = 1 - tanh²(x), as 4 e^{-2|x|} / (1 + e^{-2|x|})² for tail accuracy."""
    a = _as_array(x)
    if a.dtype.kind == "c":
        return _out(1 / np.cosh(a) ** 2, x)
    e = np.exp(-2 * np.minimum(np.abs(a), 1e3))  # 2|x| would overflow at 1e308; e^-2000 is 0 anyway
    return _out((4 * e / (1 + e) ** 2).astype(a.dtype, copy=False), x)


def _beta(beta) -> float:
    return _check_param(beta, "beta")


def swish(x, beta=1.0):
    """Swish (aka SiLU for beta = 1): x sigmoid(beta x) (claim 5.1.swish)."""
    a = _as_array(x)
    b = a.dtype.type(_beta(beta))
    with np.errstate(over="ignore"):  # beta*x may round to ±inf; sigmoid(±inf) is exact (0 or 1)
        bx = b * a
    return _out(a * sigmoid(bx), x)


def swish_grad(x, beta=1.0):
    """Claim 5.1.swish: d/dx x sigmoid(beta x) = sigmoid(beta x) + beta x sigmoid'(beta x)."""
    a = _as_array(x)
    b = a.dtype.type(_beta(beta))
    with np.errstate(over="ignore"):  # as in swish: sigmoid and sigmoid' are exact at ±inf
        bx = b * a
    s = sigmoid(bx)
    ds = sigmoid_grad(bx)
    # beta x sigmoid'(beta x): x e^{-|bx|} underflows to 0 before it can overflow
    with np.errstate(invalid="ignore"):  # inf * 0 where |bx| = inf: the limit is 0
        t = np.where(np.isinf(bx), a.dtype.type(0), bx * ds)
    return _out(s + t, x)


_SQRT2 = np.sqrt(2.0)  # Φ(x) = (1 + erf(x / √2)) / 2
_INV_SQRT_2PI = 1 / np.sqrt(2 * np.pi)  # φ(0) = 1 / √(2π)


def _phi_cdf(a):
    from scipy import special  # lazy: keeps `import numeric` fast

    if a.dtype.kind == "c":
        return 0.5 * (1 + special.erf(a / _SQRT2))
    return (0.5 * special.erfc(-a / _SQRT2)).astype(a.dtype, copy=False)  # erfc keeps the left tail accurate


def gelu(x):
    """Claim 5.1.gelu: GELU(x) = x Φ(x), Φ the standard normal CDF (exact erf form)."""
    a = _as_array(x)
    return _out(a * _phi_cdf(a), x)


def gelu_grad(x):
    """Claim 5.1.gelu: GELU'(x) = Φ(x) + x φ(x), φ the standard normal density."""
    a = _as_array(x)
    m = np.minimum(np.abs(a), 1e3) if a.dtype.kind != "c" else a  # x² overflows at 1e308; φ(1e3) = 0
    dens = (_INV_SQRT_2PI * np.exp(-0.5 * m * m)).astype(a.dtype, copy=False)
    with np.errstate(invalid="ignore"):  # inf * 0 cannot arise for finite x; NaN stays NaN
        return _out(_phi_cdf(a) + a * dens, x)


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
