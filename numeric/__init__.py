"""The chapter in NumPy: activations, losses, backpropagation, MLPs, initializers, gradient checks.

A plain NumPy library (it never imports SymPy).  Float64 by default; float32
in gives float32 out.  Submodules: ``activations``, ``losses``, ``backprop``,
``mlp``, ``init``, ``gradcheck``, ``stability``, ``data``, ``plots``
(``data`` and ``plots`` load scikit-learn / matplotlib only when used).
"""

from . import activations, gradcheck, losses, backprop, mlp

__all__ = ["activations", "gradcheck", "losses", "backprop", "mlp"]
