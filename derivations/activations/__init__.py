"""Section 5.1 activations in SymPy: ReLU, pReLU, sigmoid, tanh, swish, GELU (claims 5.1.4–5.1.9, 5.1.ex5, swish, GELU).

``ACTIVATIONS[name]`` has ``.expr`` and ``.derivative``, SymPy expressions in
the real symbol :data:`x` (and :data:`alpha` / :data:`beta`).  Each
derivative is ``sp.diff(expr, x)``; the only change is the value at the kink:
SymPy writes ReLU' as ``Heaviside(x)`` with ``Heaviside(0) = 1/2``, and the
book's convention is the left derivative, so ``Heaviside(x)`` becomes
``Heaviside(x, 0)`` and ``Heaviside(-x)`` becomes ``Heaviside(-x, 1)``
(ReLU'(0) = 0, pReLU'(0) = alpha).

Each claim is checked three ways where that applies: SymPy proves it;
``numeric.activations`` agrees with the SymPy expression evaluated in 340-digit
mpmath on Hypothesis-drawn floats (extremes included); and each ``*_grad``
agrees with finite differences of its function (complex step where the
function is analytic, central differences kept away from the kink at 0).

Layout (each module registers its claims on import, in this order):

- :mod:`.definitions`: the symbols, :class:`Activation` and :data:`ACTIVATIONS` (no claims)
- :mod:`.checks`: the check builders (mpmath twins, finite differences, one-sided derivatives)
- :mod:`.relu`: 5.1.4 ReLU, 5.1.5 pReLU
- :mod:`.sigmoid`: 5.1.6 sigmoid, 5.1.7 its derivative
- :mod:`.tanh`: 5.1.8 tanh, 5.1.9 its derivative, 5.1.ex5 tanh(x) + 1 = 2σ(2x)
- :mod:`.swish_gelu`: 5.1.swish, 5.1.gelu
"""

from __future__ import annotations

from .definitions import (  # noqa: F401 - re-exported
    ACTIVATIONS,
    Activation,
    alpha,
    beta,
    normal_cdf,
    normal_pdf,
    sigmoid_expr,
    x,
)

# Registration order: 5.1.4, 5.1.5, 5.1.6, 5.1.7, 5.1.8, 5.1.9, 5.1.ex5, 5.1.swish, 5.1.gelu.
# isort: off
from . import relu, sigmoid, tanh, swish_gelu  # noqa: F401
from . import exercises  # noqa: F401
# isort: on

__all__ = ["ACTIVATIONS", "Activation", "alpha", "beta", "x"]
