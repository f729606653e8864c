"""Section 5.4 initializers: default N(0, 0.01²), Xavier (Glorot) normal/uniform, He (Kaiming) normal.

Every initializer returns a ``(fan_in, fan_out)`` array for the book's
row-major minibatch layer ``X @ W`` (rows of ``X`` are examples), so
``fan_in`` is the number of inputs of the layer and ``fan_out`` the number of
outputs.  Randomness comes from ``rng``, a :class:`numpy.random.Generator`;
``rng=None`` draws from a fresh, unseeded ``numpy.random.default_rng()`` (not
reproducible: pass a generator to replay).  ``dtype`` is ``float64``
(default) or ``float32``; the draw is made in float64 and rounded, so the
same generator state gives the same weights in both precisions.

The scale constants are derived, not looked up (``derivations.initialization``
re-derives each one in SymPy):

* forward, Eq. 5.4.5: ``Var[o_i] = n_in σ² γ²``, kept at ``γ²`` iff ``n_in σ² = 1``;
* backward: ``Var[∂/∂x_j] = n_out σ² γ²``, kept iff ``n_out σ² = 1``;
* Xavier, Eq. 5.4.6: the compromise ``½ (n_in + n_out) σ² = 1`` gives
  ``σ² = 2 / (n_in + n_out)``;
* Xavier uniform, Eq. 5.4.7: ``Var U(-a, a) = a² / 3``, so matching ``σ²``
  needs ``a = sqrt(3 σ²) = sqrt(3 · 2 / (n_in + n_out))`` (the familiar
  ``6 = 3 · 2``);
* He: for ReLU, ``E[ReLU(z)²] = Var(z) / 2``, so keeping the second moment
  needs ``½ n_in σ² = 1``, i.e. ``σ² = 2 / n_in``.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from ._validate import generator, positive_int

__all__ = [
    "DEFAULT_SIGMA",
    "INITIALIZERS",
    "get",
    "he_normal",
    "he_std",
    "normal",
    "xavier_normal",
    "xavier_std",
    "xavier_uniform",
    "xavier_uniform_bound",
]

#: The book's default weight scale (section 5.4 / 4.2 scratch models): N(0, 0.01²).
DEFAULT_SIGMA = 0.01

_DTYPES = (np.dtype(np.float64), np.dtype(np.float32))


def _fan(name: str, value: object) -> int:
    """Validate a fan-in/fan-out: a positive integer (the layer's number of inputs or outputs)."""
    return positive_int(name, value, "the number of " + ("inputs" if name == "fan_in" else "outputs") + " of the layer")


def _dtype(dtype: object) -> np.dtype:
    try:
        dt = np.dtype(dtype)
    except TypeError:
        dt = None
    if dt not in _DTYPES:
        raise ValueError(f"dtype={dtype!r} is not supported; expected numpy.float64 or numpy.float32")
    return dt


def xavier_std(fan_in: int, fan_out: int) -> float:
    """Eq. 5.4.6: σ = sqrt(2 / (n_in + n_out)), the solution of ½ (n_in + n_out) σ² = 1."""
    n_in, n_out = _fan("fan_in", fan_in), _fan("fan_out", fan_out)
    # 2 = 1 / ½: Xavier averages the forward (n_in σ² = 1) and backward (n_out σ² = 1) conditions.
    return math.sqrt(2.0 / (n_in + n_out))


def xavier_uniform_bound(fan_in: int, fan_out: int) -> float:
    """Eq. 5.4.7: a = sqrt(3) σ_Xavier = sqrt(6 / (n_in + n_out)), since Var U(-a, a) = a²/3."""
    # 3: Var U(-a, a) = a²/3, so a² = 3 σ²; with σ² = 2/(n_in + n_out) this is the 6 = 3 · 2.
    return math.sqrt(3.0) * xavier_std(fan_in, fan_out)


def he_std(fan_in: int) -> float:
    """Claim 5.4.he: He (aka Kaiming) scale for ReLU, σ = sqrt(2 / n_in), from E[ReLU(z)²] = Var(z)/2 and ½ n_in σ² = 1."""
    # 2 = 1 / ½: ReLU keeps half of the second moment of a zero-mean symmetric z.
    return math.sqrt(2.0 / _fan("fan_in", fan_in))


def _gaussian(fan_in, fan_out, sigma, rng, dtype) -> np.ndarray:
    shape = (_fan("fan_in", fan_in), _fan("fan_out", fan_out))
    dt = _dtype(dtype)
    W = sigma * generator(rng).standard_normal(shape)
    return W.astype(dt, copy=False)


def normal(
    fan_in: int,
    fan_out: int,
    *,
    sigma: float = DEFAULT_SIGMA,
    rng: np.random.Generator | None = None,
    dtype: object = np.float64,
) -> np.ndarray:
    """Claim 5.4.default: W_ij ~ N(0, σ²) i.i.d., σ = 0.01 by default; row-major (fan_in, fan_out).

    ``sigma`` must be a positive finite real.  ``rng=None`` uses a fresh
    unseeded ``numpy.random.default_rng()``.
    """
    if isinstance(sigma, (bool, np.bool_)) or not isinstance(sigma, (int, float, np.integer, np.floating)):
        raise ValueError(f"sigma={sigma!r} is a {type(sigma).__name__}; expected a positive finite real")
    if not (math.isfinite(sigma) and sigma > 0):
        raise ValueError(f"sigma={sigma!r} is not allowed; expected a positive finite real (the weight std)")
    return _gaussian(fan_in, fan_out, float(sigma), rng, dtype)


def xavier_normal(
    fan_in: int, fan_out: int, *, rng: np.random.Generator | None = None, dtype: object = np.float64
) -> np.ndarray:
    """Eq. 5.4.6: Xavier (aka Glorot) normal, W_ij ~ N(0, 2/(n_in + n_out)); row-major (fan_in, fan_out)."""
    return _gaussian(fan_in, fan_out, xavier_std(fan_in, fan_out), rng, dtype)


def xavier_uniform(
    fan_in: int, fan_out: int, *, rng: np.random.Generator | None = None, dtype: object = np.float64
) -> np.ndarray:
    """Eq. 5.4.7: Xavier (aka Glorot) uniform, W_ij ~ U(-a, a), a = sqrt(6/(n_in + n_out)); row-major (fan_in, fan_out)."""
    a = xavier_uniform_bound(fan_in, fan_out)
    dt = _dtype(dtype)
    W = generator(rng).uniform(-a, a, size=(int(fan_in), int(fan_out)))
    return W.astype(dt, copy=False)


def he_normal(
    fan_in: int, fan_out: int, *, rng: np.random.Generator | None = None, dtype: object = np.float64
) -> np.ndarray:
    """Claim 5.4.he: He (aka Kaiming) normal for ReLU layers, W_ij ~ N(0, 2/n_in); row-major (fan_in, fan_out)."""
    _fan("fan_out", fan_out)
    return _gaussian(fan_in, fan_out, he_std(fan_in), rng, dtype)


#: Initializers by name, for ``MLP(init=...)``; every one takes ``(fan_in, fan_out, *, rng, dtype)``.
INITIALIZERS: dict[str, Callable[..., np.ndarray]] = {
    "normal": normal,
    "xavier_normal": xavier_normal,
    "xavier": xavier_normal,
    "glorot_normal": xavier_normal,
    "xavier_uniform": xavier_uniform,
    "glorot_uniform": xavier_uniform,
    "he_normal": he_normal,
    "he": he_normal,
    "kaiming_normal": he_normal,
}


def get(name: str) -> Callable[..., np.ndarray]:
    """The initializer called ``name``; ``KeyError`` listing the known names otherwise."""
    try:
        return INITIALIZERS[name]
    except (KeyError, TypeError):
        raise KeyError(f"no initializer {name!r}; known: {', '.join(sorted(INITIALIZERS))}") from None
