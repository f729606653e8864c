"""Summaries of repeated measurements: mean and Student t 95% interval over seeds, and comparisons of intervals.

Every experiment reports, per setting, the mean of its seeds' measurements and
the two-sided Student t 95% confidence interval for that mean,
``mean ± t_{0.975, n-1} · s / √n`` (``s`` the sample standard deviation with
``n - 1`` degrees of freedom).  With one seed there is no interval: its ends
are ``None`` and comparisons fall back to the means, saying so.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

__all__ = ["INTERVAL", "LEVEL", "above", "describe", "fmt", "overlap", "summarize"]

#: Confidence level of every interval (two-sided).
LEVEL = 0.95

#: How every ``ci`` of a row is computed, in words (reported with the results).
INTERVAL = "Student t 95% interval of the mean over seeds"


def _t_quantile(df: int) -> float:
    """The 0.975 quantile of Student's t with ``df`` degrees of freedom (scipy.stats, imported on first use)."""
    from scipy import stats

    return float(stats.t.ppf(0.5 + LEVEL / 2, df))


def summarize(values: Sequence[float]) -> dict:
    """``{"mean", "ci", "sd", "n"}`` of the finite ``values``: ``ci = [low, high]``, the Student t 95% interval.

    ``ci`` is ``[None, None]`` with fewer than two values; ``mean`` is ``None``
    when there are none (e.g. every seed diverged).
    """
    xs = [float(v) for v in values if v is not None and math.isfinite(float(v))]
    n = len(xs)
    if n == 0:
        return {"mean": None, "ci": [None, None], "sd": None, "n": 0}
    mean = math.fsum(xs) / n
    if n < 2:
        return {"mean": mean, "ci": [None, None], "sd": None, "n": 1}
    sd = math.sqrt(math.fsum((x - mean) ** 2 for x in xs) / (n - 1))
    half = _t_quantile(n - 1) * sd / math.sqrt(n)
    return {"mean": mean, "ci": [mean - half, mean + half], "sd": sd, "n": n}


def _ends(s: dict) -> tuple[float, float]:
    """The interval compared: ``ci`` widened to at least ``mean ± resolution`` when the row has one.

    An accuracy on 297 held-out images is a multiple of 1/297: three seeds that
    land on the same count give a zero-width t interval, which would call a
    difference of one image "beyond the noise".  No difference below the
    measurement's resolution is claimed.
    """
    r = s.get("resolution") or 0.0
    return min(s["ci"][0], s["mean"] - r), max(s["ci"][1], s["mean"] + r)


def overlap(a: dict, b: dict) -> bool | None:
    """Whether two summaries' intervals overlap (``None`` when either has no interval or no mean).

    Non-overlapping 95% intervals (widened to the resolution, see :func:`_ends`)
    are the conservative criterion used for "beyond the noise": two means whose
    intervals overlap are reported as not distinguished by the measurement.
    """
    if a.get("mean") is None or b.get("mean") is None or None in a["ci"] or None in b["ci"]:
        return None
    (a0, a1), (b0, b1) = _ends(a), _ends(b)
    return a0 <= b1 and b0 <= a1


def above(a: dict, b: dict) -> bool:
    """``a`` is higher than ``b`` beyond the noise: its interval lies wholly above ``b``'s (one seed: higher mean)."""
    if a.get("mean") is None or b.get("mean") is None:
        return False
    o = overlap(a, b)
    return a["mean"] > b["mean"] if o is None else (not o and a["mean"] > b["mean"])


def fmt(summary: dict, digits: int = 3) -> str:
    """``"0.962 [0.955, 0.969]"`` (mean and interval), ``"0.962"`` with one seed, ``"n/a"`` without a mean."""
    mean = summary.get("mean")
    if mean is None:
        return "n/a"
    low, high = summary["ci"]
    if low is None:
        return f"{mean:.{digits}f}"
    return f"{mean:.{digits}f} [{low:.{digits}f}, {high:.{digits}f}]"


def describe(seeds: int, rounds: int | None = None) -> str:
    """The interval used, with the number of seeds (one seed: none), or of rounds for a timing experiment."""
    if rounds is not None:
        return (
            f"Student t 95% interval of the mean over {rounds} interleaved rounds"
            if rounds > 1
            else "no interval (1 round)"
        )
    return INTERVAL + f" ({seeds} seeds)" if seeds > 1 else "no interval (1 seed)"
