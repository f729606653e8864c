"""Exact statistical tests of sampled weights and layer outputs, shared by the claims of section 5.4.

Every check has false-alarm probability :data:`ALPHA` and a stated power
against a weight scale off by 5% (:data:`SCALE_ERRORS`):
:func:`chi2_scale_check` (exact χ² quantiles, :func:`chi2_miss`) and the
per-shape initializer checks (:func:`_initializer_checks`).
"""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from ..claims import Check, Context

__all__ = ["ALPHA", "FANS", "SCALE_ERRORS", "chi2_miss", "chi2_scale_check"]

#: False-alarm probability of every statistical check of section 5.4 (the project's ceiling).
ALPHA = 1e-6
#: Scale error every statistical check must catch: a weight scale off by 5% (variance off by ~10%).
SCALE_ERRORS = (0.95, 1.05)


def _chi2_band(N: int, alpha: float) -> tuple[float, float]:
    from scipy import stats as sstats  # lazy: ~0.4 s to import

    return float(sstats.chi2.ppf(alpha / 2, N)), float(sstats.chi2.isf(alpha / 2, N))


def chi2_miss(N: int, alpha: float, ratio: float) -> float:
    """P(the two-sided χ²_N test at level alpha accepts) when the true variance is ``ratio`` × the claimed one."""
    from scipy import stats as sstats  # lazy: ~0.4 s to import

    lo, hi = _chi2_band(N, alpha)
    return float(sstats.chi2.cdf(hi / ratio, N) - sstats.chi2.cdf(lo / ratio, N))


def chi2_scale_check(samples: np.ndarray, variance: float, what: str, *, alpha: float = ALPHA) -> Check:
    """Exact test that ``samples`` are i.i.d. N(0, variance): Σ x²/variance ~ χ²_N, two-sided at level alpha.

    The detail line gives the false-alarm probability (exact: chi-square
    quantiles) and the miss probability (exact) for a scale off by 5% either way.
    """
    x = np.asarray(samples, dtype=np.float64).ravel()
    N = x.size
    S = float(np.sum(x * x) / variance)
    lo, hi = _chi2_band(N, alpha)
    miss = max(chi2_miss(N, alpha, r * r) for r in SCALE_ERRORS)
    ok = lo <= S <= hi
    return Check(
        "statistical",
        ok,
        f"{what}: Σx²/σ² = {S:.6g} over N={N}, {'inside' if ok else 'OUTSIDE'} the χ²_N band "
        f"[{lo:.6g}, {hi:.6g}] (measured/claimed variance {S / N:.4f}); false alarm {alpha:.2g} (exact χ² quantiles); "
        f"a scale off by 5% (variance x0.9025 or x1.1025) is missed with probability <= {miss:.1e}",
        max_error=abs(S / N - 1.0),
    )


#: Layer shapes (fan_in, fan_out) the initializer checks sample: the book's 784-256-10 MLP, a wide
#: square layer and a tiny one; each is drawn repeatedly until >= _MIN_SAMPLES weights are in.
_SHAPES = ((784, 256), (256, 10), (256, 256), (3, 5))
#: 40000 i.i.d. draws: exact χ² miss probability < 1e-18 at a 5% scale error (chi2_miss).
_MIN_SAMPLES = 40_000


def _draws(initializer, fan_in_: int, fan_out_: int, rng, **kw) -> np.ndarray:
    reps = -(-_MIN_SAMPLES // (fan_in_ * fan_out_))  # ceiling division
    return np.concatenate([initializer(fan_in_, fan_out_, rng=rng, **kw).ravel() for _ in range(reps)])


def _initializer_checks(name: str, variance_of, ctx: Context, salt: int, **kw):
    """χ² checks for every shape of _SHAPES at level ALPHA / len(_SHAPES) each (Bonferroni: ALPHA in all)."""
    from numeric import init

    initializer = getattr(init, name)
    rng = ctx.rng(salt)
    for fi, fo in _SHAPES:
        W = _draws(initializer, fi, fo, rng, **kw)
        yield chi2_scale_check(W, variance_of(fi, fo), f"numeric.init.{name}({fi}, {fo})", alpha=ALPHA / len(_SHAPES))


FANS = st.tuples(st.integers(1, 10_000), st.integers(1, 10_000))
