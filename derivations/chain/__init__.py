"""Check a chain of equalities ``e0 = e1 = ... = ek`` step by step (issue 5).

``verify_chain(steps, matrices=None, seed=0)`` checks every step
``steps[i] -> steps[i+1]`` in three stages:

1. **shape** -- SymPy accepts ``A + B`` and ``A*B`` of mismatched *symbolic*
   shapes, so the expression trees are walked here and every shape condition
   (MatAdd: equal shapes; MatMul: equal inner sizes; powers, inverses and
   traces: square) is collected.  A condition that does not hold for general
   sizes (``h = q`` with free ``h, q``) or a side whose shape differs from the
   other's makes the step fail with method ``"shape"``.
2. **symbolic** -- ``lhs - rhs`` is rewritten (``doit`` + ``expand`` to a fixed
   point, which turns matrix expressions into canonical sums of products of
   non-commuting factors; scalar leftovers go through
   :func:`derivations.check.is_zero`) within :data:`PROOF_BUDGET` CPU seconds.
   A difference that reduces to something plainly nonzero (a nonzero exact
   constant such as 10**-20, which floating point cannot see; a nonzero multiple
   of a matrix symbol; see :func:`_nonzero`) fails here, with a point at which
   the exact re-evaluation below confirms it.
3. **numeric** -- otherwise randomized identity testing at :data:`POINTS`
   points; every size symbol gets a DISTINCT size >= 3 (Amitsur-Levitzki: a
   matrix identity of degree <= 2n holds on all n×n matrices, 1×1 matrices
   commute, so small sizes lie).  Points are complex where every function is
   analytic, real otherwise.  The tolerance is a forward rounding-error bound
   computed alongside the value (see :func:`_evaluate`).  Before a step passes,
   one tested point is re-evaluated exactly (below), since float64 cannot see a
   difference under its rounding bound.

A failing step carries a counterexample: a dict from every free symbol name
(dimension names included) to a number or NumPy array, confirmed before it is
reported by an independent, EXACT re-evaluation (:func:`_exact_differs`: each
float of the point is the binary rational it stores, arithmetic in Gaussian
rationals, or at :data:`HP_BITS` bits with mpmath where exp, sqrt, pi, ...
leave the rationals), so the confirmation is at least as sensitive as the
detection.  Decimal literals in string steps are exact decimals (``0.1`` is
1/10); SymPy ``Float`` constants are approximate, as in SymPy (which rounds
``Rational - Float`` to the Float's precision): they never make a step fail
symbolically, and a step with Floats passes on the float64 test alone.

String steps are parsed with :func:`parse` (grammar in its docstring).

Layout (one stage per module):

- :mod:`.parsing` -- the string grammar (:func:`parse`, :func:`declare`);
- :mod:`.shapes` -- shape conditions (:func:`shape_of`), sizes at a point, free symbols;
- :mod:`.symbolic` -- stage 2, prove or refute (:data:`PROOF_BUDGET`, ``WALL_FACTOR``);
- :mod:`.float_eval` -- stage 3 in float64 with its rounding bound (``TOL_FACTOR``, ``EPS``,
  ``FALLBACK_RTOL``);
- :mod:`.exact_eval` -- the exact / :data:`HP_BITS`-bit confirmation (``HP_BITS``, ``HP_RTOL``);
- :mod:`.randomized` -- "proved-randomized": polynomial steps proved for every size (the lemma and
  its sources in its docstring; ``ERROR_BOUND``, ``ENTRY_RANGE``);
- :mod:`.derivatives` -- unevaluated ``Derivative(f, X)``: SymPy's closed form where trusted, else
  entry by entry from SymPy's scalar ``diff`` at explicit sizes (``MAX_SIZE``);
- :mod:`.checker` -- :func:`verify_chain`, :class:`ChainResult` (:data:`POINTS`, ``SIZE_RANGE``).

Each tunable constant lives in the module named above, and every read of it, in any module, goes
through that module at call time; ``derivations.chain.NAME = value`` (or monkeypatching it) sets
it there, so it takes effect as it did when the checker was one module.
"""

from __future__ import annotations

import sys
import types
from importlib import import_module
from typing import Any

from .checker import ChainResult, verify_chain  # noqa: F401 - re-exported
from .parsing import IllFormed, declare, parse  # noqa: F401 - re-exported
from .shapes import shape_of  # noqa: F401 - re-exported

__all__ = ["ChainResult", "POINTS", "PROOF_BUDGET", "parse", "verify_chain"]

#: Tunable constants and the submodule that owns (and reads) each.
_TUNABLES = {
    "POINTS": "checker",
    "SIZE_RANGE": "checker",
    "STEP_BUDGET": "checker",
    "PROOF_BUDGET": "symbolic",
    "WALL_FACTOR": "symbolic",
    "EPS": "float_eval",
    "TOL_FACTOR": "float_eval",
    "FALLBACK_RTOL": "float_eval",
    "HP_BITS": "exact_eval",
    "HP_RTOL": "exact_eval",
}


def _tunable(name: str, home: str) -> property:
    """``derivations.chain.NAME``: read and set in the owning submodule (a data descriptor, so
    ``monkeypatch.setattr(derivations.chain, NAME, v)`` records and restores the live value)."""

    def get(self: types.ModuleType) -> Any:
        return getattr(import_module(f"{__name__}.{home}"), name)

    def set_(self: types.ModuleType, value: Any) -> None:
        setattr(import_module(f"{__name__}.{home}"), name, value)

    return property(get, set_, doc=f"{name}, owned by {__name__}.{home}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_TUNABLES))


class _Package(types.ModuleType):
    """The package's module type: setting a tunable on it sets it in the submodule that reads it."""


for _name, _home in _TUNABLES.items():
    setattr(_Package, _name, _tunable(_name, _home))
del _name, _home

sys.modules[__name__].__class__ = _Package
