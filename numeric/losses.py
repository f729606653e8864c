"""Losses of sections 5.2–5.3: stable softmax, log-softmax, softmax cross-entropy, squared loss, and their gradients.

Row-major: the class axis is the last one, so ``o`` is one logit vector of
shape ``(q,)`` or a minibatch of shape ``(n, q)`` whose rows are examples
(a column vector of section 5.3 is passed as its ``(q,)`` entries).  Every
loss is per row (no mean over the batch); callers average.

Stability: softmax and log-softmax subtract the row maximum of the *real*
part before exponentiating, so logits of ±1e4 (or ±1e308) give finite
probabilities and no warnings, and complex input (the complex-step
derivative) works.  float32 in gives float32 out; integer logits become
float64.  Non-finite logits (NaN, ±inf) raise ``ValueError``.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

__all__ = [
    "LOSSES",
    "cross_entropy",
    "cross_entropy_grad",
    "get",
    "log_softmax",
    "onehot",
    "softmax",
    "squared_loss",
    "squared_loss_grad",
]


def _logits(o: object, name: str = "o") -> np.ndarray:
    """``o`` as a non-empty, finite float or complex array with at least one axis."""
    arr = np.asarray(o)
    if arr.dtype.kind in "biu":
        if arr.dtype.kind == "b":
            raise ValueError(f"{name} has dtype bool; expected real or complex logits")
        arr = arr.astype(np.float64)
    elif arr.dtype.kind not in "fc":
        raise ValueError(f"{name} has dtype {arr.dtype}; expected real or complex logits")
    if arr.ndim == 0:
        raise ValueError(f"{name} is a scalar; expected logits of shape (q,) or (n, q)")
    if arr.size == 0:
        raise ValueError(f"{name} has shape {arr.shape}, which is empty; expected at least one class and one row")
    finite = np.isfinite(arr)
    if not finite.all():
        bad = tuple(int(i) for i in np.argwhere(~finite)[0])
        raise ValueError(f"{name} has a non-finite entry {arr[bad].item()!r} at index {bad}; expected finite logits")
    return arr


def _shifted(o: np.ndarray, axis: int) -> np.ndarray:
    """``o - max(Re o)`` along ``axis``: every real part <= 0 and one equal to 0."""
    m = np.max(o.real, axis=axis, keepdims=True)
    # o = -1e308 minus m = +1e308 overflows to -inf, whose exp is the correct 0.
    with np.errstate(over="ignore"):
        return o - m


def softmax(o: object, axis: int = -1) -> np.ndarray:
    """softmax(o)_j = exp(o_j) / Σ_k exp(o_k) along ``axis`` (the last by default), max-shifted for stability."""
    e = np.exp(_shifted(_logits(o), axis))
    return e / np.sum(e, axis=axis, keepdims=True)


def log_softmax(o: object, axis: int = -1) -> np.ndarray:
    """log softmax(o)_j = o_j - log Σ_k exp(o_k) along ``axis``, computed as (o_j - m) - log Σ_k exp(o_k - m)."""
    u = _shifted(_logits(o), axis)
    # The sum is >= 1 (the maximum contributes exp(0)), so its log is finite.
    return u - np.log(np.sum(np.exp(u), axis=axis, keepdims=True))


def _labels(y: object, o: np.ndarray) -> np.ndarray:
    """Integer class labels, one per row of ``o``, each in [0, q)."""
    q = o.shape[-1]
    arr = np.asarray(y)
    if arr.dtype.kind not in "iu":
        raise ValueError(f"y has dtype {arr.dtype} (value {_brief(arr)}); expected integer class labels in [0, {q})")
    rows = o.shape[:-1]
    if arr.shape != rows:
        raise ValueError(
            f"y has shape {arr.shape} but o has shape {o.shape}; expected one label per row, y.shape == {rows}"
        )
    if arr.size and (arr.min() < 0 or arr.max() >= q):
        bad = arr[(arr < 0) | (arr >= q)].flat[0]
        raise ValueError(f"y contains the label {int(bad)}, out of range; o has {q} classes, expected 0 <= y < {q}")
    return arr


def _brief(arr: np.ndarray) -> str:
    text = np.array2string(arr, threshold=6)
    return text if len(text) < 80 else text[:77] + "..."


def onehot(y: object, q: int, dtype: object = np.float64) -> np.ndarray:
    """onehot(y)_j = 1 if j == y else 0; shape ``y.shape + (q,)`` (row-major)."""
    if isinstance(q, (bool, np.bool_)) or not isinstance(q, (int, np.integer)) or q < 1:
        raise ValueError(f"q={q!r} is not allowed; expected a positive number of classes")
    labels = _labels(y, np.empty(np.shape(y) + (q,)))
    return (labels[..., None] == np.arange(q)).astype(dtype)


def cross_entropy(o: object, y: object) -> np.ndarray:
    """Eq. 5.3.4 with softmax CE: l(o, y) = -log softmax(o)_y = log Σ_k exp(o_k) - o_y, one loss per row."""
    o = _logits(o)
    labels = _labels(y, o)
    lp = log_softmax(o)
    return -np.take_along_axis(lp, labels[..., None], axis=-1)[..., 0]


def cross_entropy_grad(o: object, y: object) -> np.ndarray:
    """Eq. 5.3.9 for softmax CE: ∂l/∂o = softmax(o) - onehot(y), per row (no 1/n)."""
    o = _logits(o)
    labels = _labels(y, o)
    g = softmax(o)
    np.put_along_axis(g, labels[..., None], np.take_along_axis(g, labels[..., None], axis=-1) - 1, axis=-1)
    return g


def _targets(y: object, o: np.ndarray) -> np.ndarray:
    arr = np.asarray(y)
    if arr.dtype.kind not in "biufc" or arr.dtype.kind == "b":
        raise ValueError(f"y has dtype {arr.dtype}; expected real targets shaped like o {o.shape}")
    if arr.shape != o.shape:
        raise ValueError(f"y has shape {arr.shape} but o has shape {o.shape}; expected y.shape == o.shape")
    if not np.isfinite(arr).all():
        raise ValueError("y has a non-finite entry; expected finite targets")
    return arr.astype(o.dtype, copy=False) if arr.dtype.kind in "iu" else arr


def squared_loss(o: object, y: object) -> np.ndarray:
    """Eq. 5.3.4 with squared loss: l(o, y) = ½ ‖o - y‖² over the last axis, one loss per row."""
    o = _logits(o)
    r = o - _targets(y, o)
    return 0.5 * np.sum(r * r, axis=-1)  # no conj: the complex step needs the analytic extension


def squared_loss_grad(o: object, y: object) -> np.ndarray:
    """Eq. 5.3.9 with squared loss: ∂l/∂o = o - y, per row."""
    o = _logits(o)
    return o - _targets(y, o)


#: Losses by name: ``(loss, grad)``, both per row.  ``"cross_entropy"`` takes
#: integer labels, ``"squared"`` real targets shaped like ``o``.
LOSSES: dict[str, tuple[Callable, Callable]] = {
    "cross_entropy": (cross_entropy, cross_entropy_grad),
    "squared": (squared_loss, squared_loss_grad),
}


def get(name: str) -> tuple[Callable, Callable]:
    """``(loss, loss_grad)`` for ``name``; ``KeyError`` listing the known names otherwise."""
    try:
        return LOSSES[name]
    except (KeyError, TypeError):
        raise KeyError(f"no loss {name!r}; known: {', '.join(sorted(LOSSES))}") from None
