"""Section 5.3 in NumPy: the one-hidden-layer graph (Eqs. 5.3.1–5.3.6) and backpropagation (Eqs. 5.3.8–5.3.14).

Column-vector form as in the book: ``z = W1 x``, ``h = φ(z)``, ``o = W2 h``,
``L = l(o, y)``, ``s = λ/2 (‖W1‖_F² + ‖W2‖_F²)``, ``J = L + s`` with
``x ∈ R^d, W1 ∈ R^{h×d}, W2 ∈ R^{q×h}``.  Vectors are stored as 1-D arrays
holding the column's entries (``x`` may also be given as a ``(d, 1)``
column); gradients with respect to matrices are 2-D.  No biases unless
``b1``/``b2`` are given (claim 5.3.ex2; they are never regularized).

Every gradient is computed by its own function, named after the quantity
and citing its equation; :func:`backward` just chains them.  Real and
complex inputs both work (complex for the complex-step derivative; ``s``
uses ``Σ w²``, not ``Σ |w|²``, so it stays analytic).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

from . import losses as _losses
from ._validate import weight_decay

__all__ = [
    "Backward",
    "Forward",
    "backward",
    "dJ_dL",
    "dJ_dW1",
    "dJ_dW2",
    "dJ_db1",
    "dJ_db2",
    "dJ_dh",
    "dJ_do",
    "dJ_ds",
    "dJ_dz",
    "ds_dW1",
    "ds_dW2",
    "forward",
]


@dataclass(frozen=True)
class Forward:
    """The forward values of the graph 5.3.1–5.3.6 (column vectors as 1-D arrays) and what produced them."""

    x: np.ndarray
    y: Any
    W1: np.ndarray
    W2: np.ndarray
    b1: np.ndarray | None
    b2: np.ndarray | None
    lam: float
    activation: str
    loss: str
    z: np.ndarray
    h: np.ndarray
    o: np.ndarray
    L: Any
    s: Any
    J: Any
    phi_grad: Callable = None  # φ' of the activation, used by Eq. 5.3.13
    loss_grad: Callable = None  # ∂l/∂o of the loss, used by Eq. 5.3.9


@dataclass(frozen=True)
class Backward:
    """The gradients of Eqs. 5.3.8–5.3.14 (and 5.3.ex2's ``dJ_db1``, ``dJ_db2`` when the graph has biases)."""

    dJ_dL: Any
    dJ_ds: Any
    dJ_do: np.ndarray
    ds_dW1: np.ndarray
    ds_dW2: np.ndarray
    dJ_dW2: np.ndarray
    dJ_dh: np.ndarray
    dJ_dz: np.ndarray
    dJ_dW1: np.ndarray
    dJ_db1: np.ndarray | None = None
    dJ_db2: np.ndarray | None = None


# -- validation ---------------------------------------------------------------------------------------
def _array(name: str, value: object, ndim: tuple[int, ...]) -> np.ndarray:
    arr = np.asarray(value)
    if arr.dtype.kind in "iu":
        arr = arr.astype(np.float64)
    elif arr.dtype.kind not in "fc":
        raise ValueError(f"{name} has dtype {arr.dtype}; expected real (or complex, for the complex step) numbers")
    if arr.ndim not in ndim:
        raise ValueError(f"{name} has shape {arr.shape}; expected {' or '.join(f'{k}-D' for k in ndim)} array")
    if arr.size == 0:
        raise ValueError(f"{name} has shape {arr.shape}, which is empty; expected at least one entry")
    finite = np.isfinite(arr)
    if not finite.all():
        bad = tuple(int(i) for i in np.argwhere(~finite)[0])
        raise ValueError(f"{name} has a non-finite entry {arr[bad].item()!r} at index {bad}; expected finite numbers")
    return arr


def _column(name: str, value: object) -> np.ndarray:
    """A column vector given as ``(k,)`` or ``(k, 1)``, returned as ``(k,)``."""
    arr = _array(name, value, (1, 2))
    if arr.ndim == 2:
        if arr.shape[1] != 1:
            raise ValueError(
                f"{name} has shape {arr.shape}; expected a column vector of shape ({arr.shape[0]},) or ({arr.shape[0]}, 1)"
            )
        arr = arr[:, 0]
    return arr


def _activation(name: str):
    from ._validate import activation

    return activation(name)


# -- forward: Eqs. 5.3.1–5.3.6 -------------------------------------------------------------------------
def frobenius_squared(W: np.ndarray) -> Any:
    """Eq. 5.3.5 (norm): ‖W‖_F² = Σ_ij w_ij² = tr(Wᵀ W), without conjugation (analytic for the complex step)."""
    return np.sum(W * W)


def forward(
    x: object,
    y: object,
    W1: object,
    W2: object,
    *,
    lam: float = 0.0,
    activation: str = "relu",
    loss: str = "cross_entropy",
    b1: object = None,
    b2: object = None,
) -> Forward:
    """Eqs. 5.3.1–5.3.6, column vectors: z = W1 x (+ b1), h = φ(z), o = W2 h (+ b2), L = l(o, y), s, J = L + s.

    ``y`` is an integer label for ``loss="cross_entropy"`` (softmax CE) or a
    real target vector of length q for ``loss="squared"`` (l = ½‖o - y‖²).
    """
    x = _column("x", x)
    W1 = _array("W1", W1, (2,))
    W2 = _array("W2", W2, (2,))
    lam = weight_decay(lam)
    phi, phi_grad = _activation(activation)
    loss_fn, loss_grad = _losses.get(loss)
    if W1.shape[1] != x.shape[0]:
        raise ValueError(
            f"W1 has shape {W1.shape} but x has {x.shape[0]} entries; expected W1.shape[1] == {x.shape[0]}"
        )
    if W2.shape[1] != W1.shape[0]:
        raise ValueError(
            f"W2 has shape {W2.shape} but h has {W1.shape[0]} entries (W1 has shape {W1.shape}); expected W2.shape[1] == {W1.shape[0]}"
        )
    if b1 is not None:
        b1 = _column("b1", b1)
        if b1.shape != (W1.shape[0],):
            raise ValueError(
                f"b1 has {b1.shape[0]} entries but W1 has shape {W1.shape}; expected {W1.shape[0]} entries"
            )
    if b2 is not None:
        b2 = _column("b2", b2)
        if b2.shape != (W2.shape[0],):
            raise ValueError(
                f"b2 has {b2.shape[0]} entries but W2 has shape {W2.shape}; expected {W2.shape[0]} entries"
            )
    z = W1 @ x if b1 is None else W1 @ x + b1  # Eq. 5.3.1
    h = phi(z)  # Eq. 5.3.2
    o = W2 @ h if b2 is None else W2 @ h + b2  # Eq. 5.3.3
    if loss == "cross_entropy":
        y = np.asarray(y)
        if y.ndim != 0:
            raise ValueError(
                f"y has shape {y.shape}; expected one integer class label for the column o of {o.shape[0]} entries"
            )
    L = loss_fn(o, y)[()]  # Eq. 5.3.4
    s = lam / 2 * (frobenius_squared(W1) + frobenius_squared(W2))  # Eq. 5.3.5
    J = L + s  # Eq. 5.3.6
    return Forward(x, y, W1, W2, b1, b2, lam, activation, loss, z, h, o, L, s, J, phi_grad, loss_grad)


# -- backward: one equation, one function ----------------------------------------------------------
def dJ_dL() -> float:
    """Eq. 5.3.8: ∂J/∂L = 1, since J = L + s."""
    return 1.0


def dJ_ds() -> float:
    """Eq. 5.3.8: ∂J/∂s = 1, since J = L + s."""
    return 1.0


def dJ_do(dJ_dL: float, dL_do: np.ndarray) -> np.ndarray:
    """Eq. 5.3.9: ∂J/∂o = prod(∂J/∂L, ∂L/∂o) = ∂L/∂o ∈ R^q (softmax CE: softmax(o) - onehot(y))."""
    return dJ_dL * dL_do


def ds_dW1(W1: np.ndarray, lam: float) -> np.ndarray:
    """Eq. 5.3.10: ∂s/∂W1 = λ W1."""
    return lam * W1


def ds_dW2(W2: np.ndarray, lam: float) -> np.ndarray:
    """Eq. 5.3.10: ∂s/∂W2 = λ W2."""
    return lam * W2


def dJ_dW2(dJ_do: np.ndarray, h: np.ndarray, dJ_ds: float, ds_dW2: np.ndarray) -> np.ndarray:
    """Eq. 5.3.11: ∂J/∂W2 = (∂J/∂o) hᵀ + (∂J/∂s) ∂s/∂W2 = (∂J/∂o) hᵀ + λ W2 ∈ R^{q×h}."""
    return np.outer(dJ_do, h) + dJ_ds * ds_dW2


def dJ_dh(W2: np.ndarray, dJ_do: np.ndarray) -> np.ndarray:
    """Eq. 5.3.12: ∂J/∂h = W2ᵀ (∂J/∂o) ∈ R^h."""
    return W2.T @ dJ_do


def dJ_dz(dJ_dh: np.ndarray, phi_prime_z: np.ndarray) -> np.ndarray:
    """Eq. 5.3.13: ∂J/∂z = (∂J/∂h) ⊙ φ'(z)."""
    return dJ_dh * phi_prime_z


def dJ_dW1(dJ_dz: np.ndarray, x: np.ndarray, dJ_ds: float, ds_dW1: np.ndarray) -> np.ndarray:
    """Eq. 5.3.14: ∂J/∂W1 = (∂J/∂z) xᵀ + (∂J/∂s) ∂s/∂W1 = (∂J/∂z) xᵀ + λ W1 ∈ R^{h×d}."""
    return np.outer(dJ_dz, x) + dJ_ds * ds_dW1


def dJ_db1(dJ_dz: np.ndarray) -> np.ndarray:
    """Claim 5.3.ex2: with z = W1 x + b1, ∂J/∂b1 = ∂J/∂z (biases are not regularized)."""
    return dJ_dz.copy()


def dJ_db2(dJ_do: np.ndarray) -> np.ndarray:
    """Claim 5.3.ex2: with o = W2 h + b2, ∂J/∂b2 = ∂J/∂o (biases are not regularized)."""
    return dJ_do.copy()


def backward(fwd: Forward) -> Backward:
    """Eqs. 5.3.8–5.3.14 chained, column vectors: every gradient of J along the graph, in the book's order."""
    if not isinstance(fwd, Forward):
        raise ValueError(f"fwd is a {type(fwd).__name__}; expected the Forward that numeric.backprop.forward returns")
    g_L, g_s = dJ_dL(), dJ_ds()
    g_o = dJ_do(g_L, fwd.loss_grad(fwd.o, fwd.y))
    s_W1, s_W2 = ds_dW1(fwd.W1, fwd.lam), ds_dW2(fwd.W2, fwd.lam)
    g_W2 = dJ_dW2(g_o, fwd.h, g_s, s_W2)
    g_h = dJ_dh(fwd.W2, g_o)
    g_z = dJ_dz(g_h, fwd.phi_grad(fwd.z))
    g_W1 = dJ_dW1(g_z, fwd.x, g_s, s_W1)
    g_b1 = dJ_db1(g_z) if fwd.b1 is not None else None
    g_b2 = dJ_db2(g_o) if fwd.b2 is not None else None
    return Backward(g_L, g_s, g_o, s_W1, s_W2, g_W2, g_h, g_z, g_W1, g_b1, g_b2)
