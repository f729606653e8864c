"""Minimal exact counterexamples (issue 13): once a step is refuted, search the smallest sizes
first (every dimension from 1 up) and, at each size, small integer or dyadic entries first; a
candidate counts only if both sides are finite there and exact re-evaluation
(:func:`.exact_eval._exact_differs`) shows them different.

Entries are small integers and halves, which float64 stores exactly, so the float and the exact
stages see the same point; the reported counterexample gives them as Python ``int`` /
:class:`fractions.Fraction` scalars and ``int64`` arrays (``float64`` arrays, exact, where an
entry is a half).
"""

from __future__ import annotations

import itertools
import time
from fractions import Fraction
from typing import Any

import numpy as np
import sympy as sp

from .domains import domain_of
from .exact_eval import _exact_differs
from .float_eval import _compare

#: Wall-clock seconds the search may take per refuted step.
MINIMAL_BUDGET = 1.5
#: Largest size tried for a dimension name (above it the random counterexample is kept).
MAX_SIZE = 4
#: Entry values by level (small first); random draws per size and level.
LEVELS = ((0, 1, -1), (0, 1, -1, 2, -2), (0, 1, -1, 2, -2, 3, -3, 0.5, -0.5))
TRIES = (3, 3, 3)
#: All combinations are tried (in order of size) where there are at most this many.
EXHAUSTIVE = 27


def _values(level: int, domain: str) -> list:
    vals = list(LEVELS[level])
    if domain.endswith("integer"):
        vals = [v for v in vals if float(v).is_integer()]
    if domain.startswith("positive"):
        vals = [v for v in vals if v > 0] or [1]
    if domain == "complex" and level == len(LEVELS) - 1:
        vals += [1j, -1j, 1 + 1j, 4j, -4j]  # ±4i: past log's branch cut (|Im| > π), e.g. log(exp(z)) ≠ z
    return vals


def _size_tuples(d: int):
    tuples = itertools.product(range(1, MAX_SIZE + 1), repeat=d)
    return sorted(tuples, key=lambda t: (max(t, default=0), sum(t), t))


def _confirmed(lhs, rhs, point: dict, dims, conditions=()) -> str | None:
    """How the sides differ at ``point`` (exactly, both finite, every condition exactly nonzero), or None."""
    for c in conditions:  # the written step is undefined where a divisor or det(inverted) is 0
        if _exact_differs(c, sp.Integer(0), point, shape_errors=False)[0] is False:
            return None
    try:
        with np.errstate(all="ignore"):
            _, _, _, _, lv, rv, _ = _compare(lhs, rhs, point, dims)
        if not (np.all(np.isfinite(lv)) and np.all(np.isfinite(rv))):
            return None
    except Exception:  # noqa: BLE001 - a side is undefined here (a singular inverse, ...)
        return None
    differs, how = _exact_differs(lhs, rhs, point, shape_errors=False)
    return how if differs else None


def search(
    lhs, rhs, mats, scalars, dims, seed: int, budget: float | None = None, conditions=()
) -> tuple[dict, str] | None:
    """The smallest point found (sizes first, then entries) at which the sides differ exactly, with
    the exact re-check's description; None if none is found within :data:`MINIMAL_BUDGET`.
    ``conditions``: scalar expressions that must be nonzero there (:mod:`.written`)."""
    deadline = time.monotonic() + (MINIMAL_BUDGET if budget is None else budget)
    rng = np.random.default_rng([seed, 13])
    domains = [domain_of(s) for s in scalars]
    for sizes in _size_tuples(len(dims)):
        env = {d.name: int(k) for d, k in zip(dims, sizes)}
        sub = {d: sp.Integer(k) for d, k in zip(dims, sizes)}
        try:
            shapes = [tuple(int(sp.sympify(x).subs(sub)) for x in m.shape) for m in mats]
        except (TypeError, ValueError):
            return None
        slots = [(m.name, shape, "real") for m, shape in zip(mats, shapes)] + [
            (s.name, (), dom) for s, dom in zip(scalars, domains)
        ]
        entries = sum(int(np.prod(shape)) for _, shape, _ in slots)
        for level in range(len(LEVELS)):
            choices = [_values(level, dom) for _, _, dom in slots]
            flat = [vals for (_, shape, _), vals in zip(slots, choices) for _ in range(int(np.prod(shape)))]
            total = int(np.prod([len(v) for v in flat])) if flat else 1
            if total <= EXHAUSTIVE:
                combos = sorted(itertools.product(*flat), key=lambda c: (max(map(abs, c), default=0), sum(map(abs, c))))
            else:
                combos = [tuple(vals[int(rng.integers(len(vals)))] for vals in flat) for _ in range(TRIES[level])]
            for combo in combos:
                if time.monotonic() > deadline:
                    return None
                point, k = dict(env), 0
                for name, shape, _ in slots:
                    n = int(np.prod(shape))
                    chunk = combo[k : k + n]
                    k += n
                    if shape:
                        point[name] = np.array(
                            chunk, dtype=complex if any(isinstance(c, complex) for c in chunk) else float
                        ).reshape(shape)
                    else:
                        point[name] = chunk[0] if isinstance(chunk[0], complex) else float(chunk[0])
                how = _confirmed(lhs, rhs, point, dims, conditions)
                if how is not None:
                    return point, how
            if total <= EXHAUSTIVE and entries == 0:
                break
    return None


def _exact_number(v) -> Any:
    if isinstance(v, (bool, int, np.integer)):
        return int(v)
    z = complex(v)
    if z.imag != 0:  # a Gaussian rational (float parts are exact binary rationals), e.g. 4*I
        re_, im_ = Fraction(z.real), Fraction(z.imag)
        return sp.Rational(re_.numerator, re_.denominator) + sp.Rational(im_.numerator, im_.denominator) * sp.I
    f = Fraction(z.real)  # a float is an exact binary rational
    return int(f) if f.denominator == 1 else f


def exact_form(point: dict) -> dict:
    """``point`` with exact values: ``int`` / ``Fraction`` scalars (complex ones as SymPy Gaussian rationals,
    ``a + b*I``), ``int64`` arrays, or
    ``float64`` arrays of dyadic entries (exact in binary)."""
    out: dict[str, Any] = {}
    for name, v in point.items():
        if isinstance(v, np.ndarray):
            if np.iscomplexobj(v) and np.any(np.imag(v)):
                out[name] = v
                continue
            real = np.real(v).astype(float)
            ints = bool(np.all(real == np.round(real)) and np.all(np.abs(real) < 2**53))
            out[name] = real.astype(np.int64) if ints else real  # halves: float64 stores them exactly
        else:
            out[name] = _exact_number(v)
    return out
