"""Stratified inputs for the numeric checks of elementwise functions: the whole float range on purpose.

A uniform draw over the floats almost never lands where an implementation
switches formula, so the checks draw from named strata -- the core, the tails
(|x| from 20 to 700), the neighbourhood of the kink at 0, subnormals, the
extremes -- and run a fixed minimum of points from every stratum whatever the
number of examples (:func:`stratum_points`, run as Hypothesis explicit
examples).  Both float64 and float32 are covered; a dtype's tolerances come
from its own epsilon (:func:`eps`).
"""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

__all__ = ["DTYPES", "eps", "stratified_floats", "stratum_points", "tiny"]

#: The floating dtypes every stratified check runs in.
DTYPES = (np.float64, np.float32)

#: Fixed points of each stratum (absolute values; each is used with both signs): the tails include
#: 30.5 and 50.5 just past where tanh' (30) and sigmoid' (50) could switch formula unnoticed, and 700,
#: where exp(x) is about to overflow in float64.
_CORE = (0.5, 1.25, 2.0, 3.75)
_TAILS = (20.0, 25.0, 30.5, 37.0, 50.5, 64.0, 100.0, 250.0, 700.0)
_KINK = (0.0, 1e-12, 1e-6, 1e-3)


def eps(dtype) -> float:
    """Machine epsilon of ``dtype`` (2.2e-16 for float64, 1.2e-7 for float32)."""
    return float(np.finfo(dtype).eps)


def tiny(dtype) -> float:
    """Smallest normal number of ``dtype``: results below it are judged absolutely."""
    return float(np.finfo(dtype).tiny)


def _width(dtype) -> int:
    if np.dtype(dtype) not in (np.dtype(np.float64), np.dtype(np.float32)):
        raise ValueError(f"dtype={dtype!r} is not allowed; expected float64 or float32")
    return 64 if np.dtype(dtype) == np.dtype(np.float64) else 32


def stratified_floats(dtype=np.float64) -> st.SearchStrategy[float]:
    """Finite floats of ``dtype`` drawn stratum by stratum: core, tails, kink, subnormals, anywhere."""
    w = _width(dtype)
    t = tiny(dtype)

    def floats(lo, hi):  # bounds rounded to the dtype (Hypothesis wants them representable)
        return st.floats(float(dtype(lo)), float(dtype(hi)), width=w, allow_nan=False, allow_infinity=False)

    def both_signs(s):
        return st.one_of(s, s.map(lambda v: -v))

    return st.one_of(
        floats(-8.0, 8.0),  # the core, where the functions bend
        both_signs(floats(20.0, 700.0)),  # the tails
        floats(-1e-3, 1e-3),  # the neighbourhood of the kink at 0 (ReLU, pReLU) and of 0 in general
        both_signs(floats(0.0, t)),  # subnormals (and the smallest normal)
        st.floats(width=w, allow_nan=False, allow_infinity=False),  # anywhere, extremes favoured
    )


def stratum_points(dtype=np.float64) -> tuple[float, ...]:
    """The fixed minimum: every stratum's points with both signs, and the dtype's extremes and subnormals.

    Values are Python floats exactly representable in ``dtype``.
    """
    _width(dtype)  # validates dtype
    info = np.finfo(dtype)
    smallest = float(np.nextafter(dtype(0), dtype(1)))  # the smallest subnormal
    subnormal = (smallest, float(dtype(info.tiny) / dtype(1024)), float(np.nextafter(dtype(info.tiny), dtype(0))))
    extremes = (float(info.max), float(dtype(info.max) / dtype(4)))
    magnitudes = [float(dtype(v)) for v in (*_CORE, *_TAILS, *_KINK[1:])] + [*subnormal, *extremes]
    return (0.0, *magnitudes, *(-v for v in magnitudes))
