"""Section 5.3 in SymPy: the graph 5.3.1–5.3.6 with symbolic sizes, and backpropagation 5.3.8–5.3.14 derived and proved.

Column vectors, no biases (5.3.ex2 adds them): ``z = W1 x``, ``h = φ(z)``,
``o = W2 h``, ``L = l(o, y)``, ``s = λ/2 (‖W1‖_F² + ‖W2‖_F²)``, ``J = L + s``,
with ``x: d×1``, ``W1: h×d``, ``W2: q×h`` (``d, h_dim, q`` are the size
symbols; ``h_dim`` prints as ``h``).  ``φ`` is a generic elementwise function
and the loss is generic: by the chain rule only ``g = ∂L/∂o`` (a ``q×1``
symbol) enters, so ``L`` is represented by its first-order term ``gᵀ o``.

The derived gradients are module attributes, computed on first access by
the public tool :func:`derivations.gradient` (reverse-mode rules in
:mod:`derivations.calculus.derive`) and cached:
``dJ_dL, dJ_ds, dJ_do, ds_dW1, ds_dW2, dJ_dW2, dJ_dh, dJ_dz, dJ_dW1``.  In a
notebook ``derivations.backprop.dJ_dW1`` renders as LaTeX.

No derivation is trusted on its own (SymPy's own matrix ``.diff`` has the
defects of ``SYMPY_DEFECTS``, which the tool avoids): each result is (1) proved equal to the book's closed form
at symbolic sizes, (2) confirmed entry by entry at explicit sizes d=3, h=4,
q=5 with fully symbolic entries, generic ``φ`` and a generic loss
``l(o_1, …, o_5)``, with shapes checked, (3) compared with the NumPy code
(``numeric.backprop``), and (4) with finite differences of ``J`` as a function
of the intermediate itself.

Layout (each module imports only those above it, never this ``__init__``):

- :mod:`.problems` -- drawn graphs, φ and ∂l/∂o lambdified, the tolerances;
- :mod:`.graph` -- the symbols and Eqs. 5.3.1–5.3.6, claim ``5.3.1-6``;
- :mod:`.gradients` -- Eqs. 5.3.8–5.3.14 derived (:func:`derived`) and closed (:func:`closed_forms`);
- :mod:`.sized` -- explicit sizes :data:`SIZES` and the entrywise reference;
- :mod:`.checks` -- the symbolic, numeric and finite-difference check builders;
- :mod:`.equations` -- claims ``5.3.8`` … ``5.3.14`` and ``5.3.ex1``;
- :mod:`.biases` -- claim ``5.3.ex2``; :mod:`.batch` -- claim ``5.3.batch``.
"""

from __future__ import annotations

# ruff: noqa: F401 - this __init__ re-exports the names of its submodules, as when backprop was one module
from ..calculus.defects import SYMPY_DEFECTS

# Importing the submodules registers their claims (chapter order is fixed in derivations.claims).
from . import batch, biases, checks, equations, gradients, graph, problems, sized
from . import float32  # 5.3.batch in float32 (its own module, owned apart)
from . import tool  # after equations and biases: its checks attach to their claims (issue 14 point 4)
from . import exercises  # noqa: F401
from .batch import (
    BATCH_SIZES,
    MLPS,
    G_l,
    H_prev,
    W_l,
    Z_prev,
    b_l,
    closed_forms_batch,
    derived_batch,
    n_in,
    n_out,
    n_rows,
)
from .biases import closed_forms_with_biases, derived_with_biases, h_b, o_b, z_b
from .gradients import GRADIENT_NAMES, closed_forms, derived, for_display
from .graph import (
    W1,
    W2,
    L_node,
    b1,
    b2,
    d,
    g,
    h,
    h_dim,
    h_var,
    lam,
    o,
    o_var,
    phi,
    q,
    s,
    s_node,
    x,
    z,
    z_var,
)
from .problems import (
    ACTIVATION_NAMES,
    CENTRAL_TOL,
    COMPLEX_STEP,
    COMPLEX_STEP_TOL,
    KINK_MARGIN,
    LOSS_NAMES,
    NUMERIC_TOL,
    PROBLEMS,
)
from .sized import SIZES

__all__ = [
    "SYMPY_DEFECTS", "W1", "W2", "b1", "b2", "d", "dJ_dL", "dJ_dW1", "dJ_dW2", "dJ_dh", "dJ_do", "dJ_ds", "dJ_dz",
    "ds_dW1", "ds_dW2", "g", "h_dim", "lam", "phi", "q", "x",
]  # fmt: skip


def __getattr__(name: str):
    """``dJ_dW1`` etc.: the derived gradients, computed on first access."""
    if name in GRADIENT_NAMES:
        return for_display(derived()[name])
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
