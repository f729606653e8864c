"""Argument checks shared by the ``numeric`` modules: each error names the argument, the value and what was expected."""

from __future__ import annotations

import math

import numpy as np

__all__ = ["activation", "generator", "positive_int", "weight_decay"]


def positive_int(name: str, value: object, what: str = "") -> int:
    """``value`` as an int >= 1 (Python or NumPy integer; bool rejected); ``what`` says what it counts."""
    why = f" ({what})" if what else ""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        raise ValueError(f"{name}={value!r} is a {type(value).__name__}; expected a positive integer{why}")
    if value < 1:
        raise ValueError(f"{name}={value!r} is not allowed; expected a positive integer (>= 1){why}")
    return int(value)


def generator(rng: object) -> np.random.Generator:
    """``rng`` itself if it is a Generator; a fresh, unseeded ``default_rng()`` for None."""
    if rng is None:
        return np.random.default_rng()
    if not isinstance(rng, np.random.Generator):
        raise ValueError(
            f"rng={rng!r} is a {type(rng).__name__}; expected a numpy.random.Generator "
            "(e.g. numpy.random.default_rng(0)) or None"
        )
    return rng


def weight_decay(lam: object) -> float:
    """The weight decay λ of Eq. 5.3.5 as a finite float >= 0."""
    if isinstance(lam, (bool, np.bool_)) or not isinstance(lam, (int, float, np.integer, np.floating)):
        raise ValueError(f"lam={lam!r} is a {type(lam).__name__}; expected a finite real >= 0")
    if not (math.isfinite(lam) and lam >= 0):
        raise ValueError(f"lam={lam!r} is not allowed; expected a finite real >= 0 (the weight decay)")
    return float(lam)


def activation(name: object) -> tuple:
    """``(φ, φ')`` for a hidden-layer activation name: one whose functions take only the pre-activation.

    ``"prelu"`` needs its slope ``alpha`` as a second argument, which a layer given only a name cannot
    supply, so it is refused here with a ``ValueError`` rather than failing later with a ``TypeError``;
    an unknown name gets ``numeric.activations.get``'s ``KeyError`` listing the known ones.
    """
    import inspect

    from . import activations

    def required(f) -> list[str]:  # parameters after the input that have no default
        params = list(inspect.signature(f).parameters.values())[1:]
        return [p.name for p in params if p.default is inspect.Parameter.empty]

    pair = activations.get(name)
    extra = required(pair[0])
    if extra:
        usable = sorted(n for n, (f, _) in activations.ACTIVATIONS.items() if not required(f))
        raise ValueError(
            f"activation={name!r} needs the parameter {', '.join(extra)}, which a layer named by its "
            f"activation cannot take; expected one of {', '.join(usable)}"
        )
    return pair
