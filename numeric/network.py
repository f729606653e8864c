"""An MLP of any depth with biases, in the book's row-major minibatch form (``X @ W + b``), with backprop (5.3.batch).

The network core behind ``numeric.mlp`` (which re-exports it with ``numeric.training``'s
``MLPScratch`` and ``train``); it imports neither of them.

Layer ``l = 1..L`` (``L = len(sizes) - 1``) computes, for a minibatch ``X``
of shape ``(n, sizes[0])`` whose rows are examples::

    Z_l = H_{l-1} @ W_l + b_l        H_0 = X,  W_l: (sizes[l-1], sizes[l]),  b_l: (sizes[l],)
    H_l = φ(Z_l)  for l < L          H_L = Z_L = O, the logits (no activation on the output)

and the objective is the mean softmax cross-entropy over the ``n`` rows plus
``lam/2 · Σ_l ‖W_l‖_F²`` (weights only, biases are not regularized).  The
backward signals ``G_l = ∂J/∂Z_l`` (shape ``(n, sizes[l])``, the ``1/n`` of
the mean included) obey, claim 5.3.batch::

    G_L = (softmax(O) - onehot(y)) / n
    ∂J/∂W_l = H_{l-1}ᵀ G_l + lam W_l,   ∂J/∂b_l = 1ᵀ G_l,   G_{l-1} = (G_l W_lᵀ) ⊙ φ'(Z_{l-1})

Precision: the parameters are created in ``dtype`` (float64 by default or
float32); inputs must have that precision (integer inputs are converted), so a
float32 model given float32 data computes, and returns, float32 throughout.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from . import init as _init
from . import losses as _losses
from ._validate import weight_decay

__all__ = ["MLP", "Backward", "Layer", "backward_signal"]

_DTYPES = (np.dtype(np.float64), np.dtype(np.float32))


def backward_signal(G: np.ndarray, W: np.ndarray, phi_grad_Z: np.ndarray | None = None) -> np.ndarray:
    """The backward rule of :meth:`MLP.backward`, row-major (Eqs. 5.3.12–5.3.13 for a minibatch).

    ``G``: ``G_l = ∂J/∂Z_l`` of shape ``(n, fan_out)``; ``W``: ``W_l`` of shape ``(fan_in, fan_out)``.
    Returns ``∂J/∂H_{l-1} = G_l W_lᵀ`` (the gradient with respect to the layer's input), or, given
    ``phi_grad_Z = φ'(Z_{l-1})``, the next signal ``G_{l-1} = (G_l W_lᵀ) ⊙ φ'(Z_{l-1})``.
    """
    dH = G @ W.T
    if phi_grad_Z is not None:
        dH *= phi_grad_Z
    return dH


class Layer(NamedTuple):
    """One layer's forward values, row-major: ``Z = H_prev @ W + b`` and ``H = φ(Z)`` (``H = Z`` on the output)."""

    Z: np.ndarray
    H: np.ndarray


@dataclass(frozen=True)
class Backward:
    """What :meth:`MLP.backward` computes (row-major, layer ``l`` at index ``l - 1``).

    ``loss``: J, a scalar of the model's dtype; ``grads``: aligned with
    ``MLP.params`` (``[∂J/∂W1, ∂J/∂b1, ...]``); ``G``: the backward signals
    ``G_l = ∂J/∂Z_l``; ``layers``: the forward values ``(Z_l, H_l)``.
    """

    loss: np.floating
    grads: list[np.ndarray]
    G: list[np.ndarray]
    layers: list[Layer]


def _relu_real(Z: np.ndarray) -> np.ndarray:
    """Eq. 5.1.4 for real arrays: max(Z, 0) (NaN propagates), the same values as numeric.activations.relu."""
    return np.maximum(Z, 0)


def _relu_grad_real(Z: np.ndarray) -> np.ndarray:
    """ReLU'(Z) for real arrays: 1 where Z > 0, else 0 (ReLU'(0) = 0), as numeric.activations.relu_grad for non-NaN Z."""
    return (Z > 0).astype(Z.dtype)


def _activation(name: str):
    """``(φ, φ')`` from ``numeric.activations.get`` (imported on first use).

    ReLU is the book's default and the benchmark's hot spot: the MLP's values are always real, so it uses
    ``np.maximum`` and a comparison directly, about 10x faster than the complex-step-ready
    ``numeric.activations.relu`` on a 256×256 float32 array; tests/test_mlp.py checks that both agree.
    """
    from ._validate import activation

    pair = activation(name)
    return (_relu_real, _relu_grad_real) if name == "relu" else pair


def _sizes(sizes: object) -> tuple[int, ...]:
    if not isinstance(sizes, Sequence) or isinstance(sizes, str):
        raise ValueError(f"sizes={sizes!r} is not a sequence; expected layer widths like [784, 256, 10]")
    if len(sizes) < 2:
        raise ValueError(f"sizes={list(sizes)!r} has {len(sizes)} entries; expected at least 2 (inputs and outputs)")
    for i, s in enumerate(sizes):
        if isinstance(s, (bool, np.bool_)) or not isinstance(s, (int, np.integer)) or s < 1:
            raise ValueError(f"sizes[{i}]={s!r} is not allowed; expected a positive integer layer width")
    return tuple(int(s) for s in sizes)


class MLP:
    """Row-major MLP ``X @ W + b`` of any depth (claim 5.3.batch); ``.params = [W1, b1, W2, b2, ...]``.

    ``sizes``: layer widths ``[d, h_1, ..., q]``; ``activation``: a name known
    to ``numeric.activations`` (hidden layers only; the output gives logits);
    ``init``: a name known to ``numeric.init`` ("normal" = N(0, 0.01²), the
    book's default; "xavier_normal", "xavier_uniform", "he_normal"); biases
    start at 0.  ``rng``: a ``numpy.random.Generator`` (None: fresh, unseeded).
    ``dtype``: float64 (default) or float32 for the parameters and all
    computation.  ``params`` may be overwritten in place (``p -= lr * g``) or
    replaced by arrays of the same shape and dtype.
    """

    def __init__(
        self,
        sizes: Sequence[int],
        *,
        activation: str = "relu",
        init: str = "normal",
        rng: np.random.Generator | None = None,
        dtype: object = np.float64,
    ) -> None:
        self.sizes = _sizes(sizes)
        dt = np.dtype(dtype) if isinstance(dtype, (type, np.dtype, str)) else None
        if dt not in _DTYPES:
            raise ValueError(f"dtype={dtype!r} is not supported; expected numpy.float64 or numpy.float32")
        self.dtype = dt
        self.activation = activation
        self._phi, self._phi_grad = _activation(activation)
        initializer = _init.get(init)
        self.init = init
        if rng is None:
            rng = np.random.default_rng()
        self.params: list[np.ndarray] = []
        for fan_in, fan_out in zip(self.sizes[:-1], self.sizes[1:]):
            self.params.append(initializer(fan_in, fan_out, rng=rng, dtype=dt))
            self.params.append(np.zeros(fan_out, dtype=dt))

    def __repr__(self) -> str:
        return f"MLP({list(self.sizes)}, activation={self.activation!r}, init={self.init!r}, dtype={self.dtype.name})"

    @property
    def depth(self) -> int:
        """The number of affine layers L (``len(sizes) - 1``)."""
        return len(self.sizes) - 1

    @property
    def num_params(self) -> int:
        """Σ_l (sizes[l-1] + 1) · sizes[l]: every weight and bias entry (203,530 for [784, 256, 10])."""
        return sum(p.size for p in self.params)

    # -- validation -------------------------------------------------------------------------------
    def _check_params(self) -> None:
        if len(self.params) != 2 * self.depth:
            raise ValueError(
                f"params has {len(self.params)} arrays; expected {2 * self.depth} ([W1, b1, ..., W{self.depth}, b{self.depth}])"
            )
        for l in range(1, self.depth + 1):
            W, b = self.params[2 * l - 2], self.params[2 * l - 1]
            expected = (self.sizes[l - 1], self.sizes[l])
            if not isinstance(W, np.ndarray) or W.shape != expected or W.dtype != self.dtype:
                raise ValueError(
                    f"W{l} (params[{2 * l - 2}]) has shape {np.shape(W)} and dtype {getattr(W, 'dtype', type(W).__name__)}; "
                    f"expected shape {expected} and dtype {self.dtype.name}"
                )
            if not isinstance(b, np.ndarray) or b.shape != (self.sizes[l],) or b.dtype != self.dtype:
                raise ValueError(
                    f"b{l} (params[{2 * l - 1}]) has shape {np.shape(b)} and dtype {getattr(b, 'dtype', type(b).__name__)}; "
                    f"expected shape ({self.sizes[l]},) and dtype {self.dtype.name}"
                )

    def _inputs(self, X: object) -> np.ndarray:
        arr = np.asarray(X)
        if arr.dtype.kind in "iu" or (arr.dtype.kind == "f" and np.can_cast(arr.dtype, self.dtype, "safe")):
            arr = arr.astype(self.dtype, copy=False)  # integers, and float32 into a float64 model: exact
        elif arr.dtype.kind != "f":
            raise ValueError(f"X has dtype {arr.dtype}; expected real inputs of dtype {self.dtype.name}")
        else:  # float64 into a float32 model would round every input: say so rather than do it silently
            raise ValueError(
                f"X has dtype {arr.dtype} but the model's parameters are {self.dtype.name}; "
                f"cast X or build MLP(..., dtype=numpy.{arr.dtype.name})"
            )
        if arr.ndim != 2 or arr.shape[1] != self.sizes[0]:
            raise ValueError(
                f"X has shape {arr.shape} but W1 has shape {(self.sizes[0], self.sizes[1])}; "
                f"expected X of shape (n, {self.sizes[0]}) with one example per row"
            )
        if arr.shape[0] == 0:
            raise ValueError(f"X has shape {arr.shape}, an empty batch; expected at least one row")
        if not np.isfinite(arr).all():
            r, c = (int(i) for i in np.argwhere(~np.isfinite(arr))[0])
            raise ValueError(
                f"X has a non-finite entry {arr[r, c].item()!r} at row {r}, column {c}; expected finite inputs"
            )
        return arr

    # -- forward / backward -----------------------------------------------------------------------
    def forward_all(self, X: object) -> list[Layer]:
        """Eq. 5.1.1 per layer, row-major: ``[(Z_1, H_1), ..., (Z_L, H_L)]`` with ``H_L = Z_L`` the logits."""
        return self._forward(self._inputs(X))

    def _forward(self, H: np.ndarray) -> list[Layer]:
        self._check_params()
        layers = []
        for l in range(1, self.depth + 1):
            W, b = self.params[2 * l - 2], self.params[2 * l - 1]
            Z = H @ W
            Z += b
            H = self._phi(Z) if l < self.depth else Z
            layers.append(Layer(Z, H))
        return layers

    def forward(self, X: object) -> np.ndarray:
        """Eq. 5.1.1, row-major: the logits ``O = H_{L-1} @ W_L + b_L`` of shape ``(n, sizes[-1])``."""
        return self.forward_all(X)[-1].H

    def backward(self, X: object, y: object, *, lam: float = 0.0) -> Backward:
        """Claim 5.3.batch, row-major: J, ∂J/∂(W_l, b_l) and the backward signals G_l = ∂J/∂Z_l.

        ``y``: integer labels in ``[0, sizes[-1])``, one per row of ``X``.
        """
        lam = weight_decay(lam)
        X = self._inputs(X)
        layers = self._forward(X)
        O = layers[-1].H
        labels = _losses._labels(y, O)
        n = O.shape[0]
        rows = np.arange(n)
        lp = _losses.log_softmax(O)
        loss = -np.mean(lp[rows, labels])  # mean softmax cross-entropy over the n rows
        G = np.exp(lp)
        G[rows, labels] -= 1
        G /= n  # G_L = (softmax(O) - onehot(y)) / n: the mean's 1/n
        if lam:
            loss = loss + lam / 2 * sum(np.vdot(W, W) for W in self.params[0::2])
        grads: list[np.ndarray] = [None] * len(self.params)  # type: ignore[list-item]
        Gs: list[np.ndarray] = [None] * self.depth  # type: ignore[list-item]
        for l in range(self.depth, 0, -1):
            W = self.params[2 * l - 2]
            H_prev = layers[l - 2].H if l > 1 else X
            Gs[l - 1] = G
            dW = H_prev.T @ G  # ∂J/∂W_l = H_{l-1}ᵀ G_l (+ lam W_l)
            if lam:
                dW += lam * W
            grads[2 * l - 2] = dW
            grads[2 * l - 1] = G.sum(axis=0)  # ∂J/∂b_l = 1ᵀ G_l
            if l > 1:
                G = backward_signal(G, W, self._phi_grad(layers[l - 2].Z))  # G_{l-1} = (G_l W_lᵀ) ⊙ φ'(Z_{l-1})
        return Backward(self.dtype.type(loss), grads, Gs, layers)

    def loss_and_grads(self, X: object, y: object, *, lam: float = 0.0) -> tuple[np.floating, list[np.ndarray]]:
        """Claim 5.3.batch: ``(J, grads)``, J = mean softmax CE + lam/2 Σ‖W_l‖_F², grads aligned with ``params``."""
        result = self.backward(X, y, lam=lam)
        return result.loss, result.grads
