"""Building blocks for check functions: symbolic proofs and Hypothesis-driven comparisons.

Every claim module builds its :class:`~derivations.claims.Check` objects with
these, so a proof reads the same everywhere and a failure always names the
input that broke it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import sympy as sp
from hypothesis import HealthCheck, Phase, Verbosity, example, given, settings
from hypothesis import seed as hypothesis_seed
from hypothesis import strategies as st

from . import check as _check
from .cache import cached
from .check import Check, is_zero
from .claims import Context

__all__ = ["hypothesis_check", "is_zero", "symbolic_equal", "symbolic_true"]


# Cached on disk (derivations.cache): the key covers the inputs, `what`, `method`, this module, check.py
# (is_zero) and the SymPy version, so a cached proof is the proof this code would find now.
@cached("proofs", sources=[_check], accept=lambda value: isinstance(value, Check))
def symbolic_equal(lhs: Any, rhs: Any, what: str, *, method: str = "symbolic") -> Check:
    """A check that ``lhs - rhs`` simplifies to zero; ``what`` names the identity."""
    if isinstance(lhs, sp.MatrixExpr) or isinstance(rhs, sp.MatrixExpr):
        if lhs.shape != rhs.shape:
            return Check("shape", False, f"{what}: shapes differ, {lhs.shape} vs {rhs.shape}")
        diff = (lhs - rhs).doit()
        proved = diff == sp.ZeroMatrix(*lhs.shape) or is_zero(sp.expand(diff))
    else:
        proved = is_zero(sp.sympify(lhs) - sp.sympify(rhs))
    if proved:
        return Check(method, True, f"proved {what}")
    return Check(method, False, f"could not prove {what}: {sp.sstr(lhs)} vs {sp.sstr(rhs)}")


@cached("proofs", sources=[_check], accept=lambda value: isinstance(value, Check))
def symbolic_true(condition: Any, what: str, *, method: str = "symbolic") -> Check:
    """A check that a SymPy relation or boolean is identically true."""
    value = sp.simplify(condition) if not isinstance(condition, bool) else condition
    ok = value is sp.true or value is True
    return Check(method, ok, f"{'proved' if ok else 'could not prove'} {what}")


class _ToleranceExceeded(AssertionError):
    pass


def _short(value: Any, limit: int = 160) -> str:
    with np.printoptions(precision=17, threshold=12, linewidth=10_000):
        text = repr(value)
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def hypothesis_check(
    method: str,
    what: str,
    strategy: st.SearchStrategy,
    error: Callable[[Any], float],
    *,
    ctx: Context,
    tol: float,
    salt: int = 0,
    explicit: Sequence[Any] = (),
) -> Check:
    """Check ``error(value) <= tol`` for ``ctx.examples`` values Hypothesis draws.

    ``error`` returns the measured error for one drawn value (NaN counts as a
    failure).  Hypothesis is seeded by ``ctx.seed`` and ``salt``, so a failure
    replays; it shrinks a failure to a minimal input, which the detail line
    names with its error and the tolerance.  ``explicit`` values are always
    run first, whatever ``ctx.examples`` (a fixed minimum per input stratum).
    """
    worst = [0.0]
    failure: list[tuple[Any, float]] = []

    def body(value: Any) -> None:
        e = float(error(value))
        if not e <= tol:  # also catches NaN
            failure.append((value, e))
            raise _ToleranceExceeded(e)
        worst[0] = max(worst[0], e)

    for value in reversed(list(explicit)):
        body = example(value)(body)
    test = settings(
        max_examples=ctx.examples,
        database=None,
        deadline=None,
        derandomize=False,
        suppress_health_check=list(HealthCheck),
        phases=(Phase.explicit, Phase.generate, Phase.shrink),
        verbosity=Verbosity.quiet,
        print_blob=False,
        report_multiple_bugs=False,  # one shrunk failure, never an ExceptionGroup
    )(hypothesis_seed(ctx.seed * 1_000_003 + salt)(given(strategy)(body)))
    try:
        test()
    except _ToleranceExceeded:
        value, e = failure[-1]  # the last failure is the shrunk one
        return Check(
            method,
            False,
            f"{what}: error {e:.3g} > tolerance {tol:.3g} at {_short(value)}",
            max_error=e,
        )
    return Check(
        method,
        True,
        f"{what}: max error {worst[0]:.3g} <= {tol:.3g} over {ctx.examples} Hypothesis examples"
        + (f" and {len(explicit)} fixed points" if explicit else ""),
        max_error=worst[0],
    )
