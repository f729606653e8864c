"""The chapter in NumPy: activations, losses, backpropagation, MLPs, initializers, gradient checks.

A plain NumPy library (it never imports SymPy).  Float64 by default; float32
in gives float32 out.  Submodules: ``activations``, ``losses``, ``backprop``,
``mlp`` (re-exporting ``network`` and ``training``), ``init``, ``gradcheck``
(with ``differences``), ``stability``, ``data``, ``plots``
(``data`` and ``plots`` load scikit-learn / matplotlib only when used, and
are imported explicitly: ``from numeric import plots``).
"""

from . import (
    activations,
    backprop,
    differences,
    gradcheck,
    init,
    losses,
    mlp,
    network,
    stability,
    training,
)

__all__ = [
    "activations",
    "backprop",
    "differences",
    "gradcheck",
    "init",
    "losses",
    "mlp",
    "network",
    "stability",
    "training",
]
