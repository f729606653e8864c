"""Section 5.2: the book's MLP from scratch (``MLPScratch``) and minibatch SGD (``train``, ``evaluate``).

Row-major minibatches (``X @ W + b``, one example per row) as in the book.
The forward and backward passes are ``numeric.network.MLP``'s (claim 5.3.batch):
there is no second backpropagation here, only the model's defaults, the SGD
loop and the bookkeeping.  ``numeric.mlp`` re-exports ``MLPScratch`` and
``train`` with ``MLP``; this module imports ``numeric.network``, never
``numeric.mlp``, so there is no import circle.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass

import numpy as np

from . import losses as _losses
from ._validate import generator as _generator
from ._validate import positive_int as _positive_int
from .network import MLP
from .threads import blas_threads, train_threads

__all__ = ["EpochStats", "MLPScratch", "evaluate", "train"]

#: Epochs of the default run on the digits: 120 × 6 minibatches. With weights
#: N(0, 0.01²) the logits start near 0 and SGD at lr 0.1 needs ~80–100 epochs to
#: pass 0.95 validation accuracy; 120 leaves a margin (measured: >= 0.956 for
#: seeds 0–19, and the epoch loss fell every epoch up to 138 for all of them).
DEFAULT_EPOCHS = 120

#: Rows per forward pass in :func:`evaluate` (bounds memory, not results).
EVAL_CHUNK = 4096


def _positive_real(name: str, value: object) -> float:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise ValueError(f"{name}={value!r} is a {type(value).__name__}; expected a finite real > 0")
    if not (math.isfinite(value) and value > 0):
        raise ValueError(f"{name}={value!r} is not allowed; expected a finite real > 0")
    return float(value)


class MLPScratch:
    """The book's MLP of section 5.2, row-major: ``O = ReLU(X @ W1 + b1) @ W2 + b2``.

    Defaults as in the book: ``num_inputs=784`` (28×28 Fashion-MNIST pixels),
    ``num_hiddens=256`` ReLU units, ``num_outputs=10`` classes, weights drawn
    from ``N(0, sigma²)`` with ``sigma=0.01``, biases 0, learning rate
    ``lr=0.1`` (used by :func:`train` when it is given none).  ``rng``: a
    ``numpy.random.Generator`` (None: fresh and unseeded).  ``dtype``: float64
    (default) or float32.  ``.params = [W1, b1, W2, b2]``; ``forward`` and
    ``loss_and_grads`` are those of the underlying ``numeric.network.MLP``
    (``.net``), the loss being the mean softmax cross-entropy.
    """

    def __init__(
        self,
        num_inputs: int = 784,
        num_outputs: int = 10,
        num_hiddens: int = 256,
        lr: float = 0.1,
        sigma: float = 0.01,
        rng: np.random.Generator | None = None,
        *,
        dtype: object = np.float64,
    ) -> None:
        d = _positive_int("num_inputs", num_inputs)
        q = _positive_int("num_outputs", num_outputs)
        h = _positive_int("num_hiddens", num_hiddens)
        self.lr = _positive_real("lr", lr)
        self.sigma = _positive_real("sigma", sigma)
        rng = _generator(rng)
        self.net = MLP([d, h, q], activation="relu", init="normal", rng=rng, dtype=dtype)
        # The book's init with this model's sigma: W ~ N(0, sigma²), b = 0 (in place, as MLP allows).
        for W in self.net.params[0::2]:
            W[...] = self.sigma * rng.standard_normal(W.shape)
        for b in self.net.params[1::2]:
            b[...] = 0

    @property
    def params(self) -> list[np.ndarray]:
        """``[W1, b1, W2, b2]``: W1 ``(d, h)``, b1 ``(h,)``, W2 ``(h, q)``, b2 ``(q,)``; may be updated in place."""
        return self.net.params

    @property
    def num_params(self) -> int:
        """Every weight and bias entry: ``d·h + h + h·q + q`` (claim 5.2.params)."""
        return sum(p.size for p in self.params)

    @property
    def dtype(self) -> np.dtype:
        return self.net.dtype

    def forward(self, X: object) -> np.ndarray:
        """Eq. 5.1.1, row-major: the logits ``ReLU(X @ W1 + b1) @ W2 + b2``, shape ``(n, q)``."""
        return self.net.forward(X)

    def loss_and_grads(self, X: object, y: object, *, lam: float = 0.0):
        """Claim 5.3.batch: mean softmax cross-entropy (+ lam/2 Σ‖W‖²) and its gradients, aligned with ``params``."""
        return self.net.loss_and_grads(X, y, lam=lam)

    def __repr__(self) -> str:
        d, h, q = self.net.sizes
        return f"MLPScratch(num_inputs={d}, num_outputs={q}, num_hiddens={h}, lr={self.lr}, sigma={self.sigma})"


@dataclass(frozen=True)
class EpochStats:
    """One epoch of :func:`train`: mean training loss over the epoch's minibatches, validation loss and accuracy, wall time."""

    epoch: int
    train_loss: float
    val_loss: float
    val_acc: float
    seconds: float

    def as_dict(self) -> dict[str, float]:
        return asdict(self)


def _labelled(name: str, X: object, y: object) -> tuple[np.ndarray, np.ndarray]:
    X = np.asarray(X)
    y = np.asarray(y)
    if X.ndim != 2 or X.shape[0] == 0:
        raise ValueError(f"{name} inputs have shape {X.shape}; expected (n, d) with n >= 1, one example per row")
    if y.shape != (X.shape[0],):
        raise ValueError(
            f"{name} labels have shape {y.shape} but the inputs have {X.shape[0]} rows; expected ({X.shape[0]},)"
        )
    return X, y


def evaluate(model, X: object, y: object) -> tuple[float, float]:
    """Mean softmax cross-entropy (Eq. 5.3.4 averaged over rows) and accuracy of ``model`` on ``(X, y)``, row-major."""
    X, y = _labelled("evaluation", X, y)
    total, correct = 0.0, 0
    for start in range(0, X.shape[0], EVAL_CHUNK):
        O = model.forward(X[start : start + EVAL_CHUNK])
        yb = y[start : start + EVAL_CHUNK]
        total += float(np.sum(_losses.cross_entropy(O, yb), dtype=np.float64))
        correct += int(np.count_nonzero(O.argmax(axis=1) == yb))
    return total / X.shape[0], correct / X.shape[0]


def train(
    model,
    data,
    *,
    epochs: int,
    lr: float | None = None,
    batch_size: int = 256,
    rng: np.random.Generator | None = None,
    callback: Callable[[EpochStats], object] | None = None,
    progress: Callable[[int], object] | None = None,
) -> list[EpochStats]:
    """Minibatch SGD (section 5.2): each epoch shuffles the training rows with ``rng`` and steps ``W -= lr ∂J/∂W`` per batch.

    ``model``: anything with ``params`` and ``loss_and_grads(X, y)`` (mean
    softmax cross-entropy), e.g. :class:`MLPScratch`; ``data``: a
    ``numeric.data.Dataset`` (row-major ``X_train, y_train, X_val, y_val``).
    ``lr`` defaults to ``model.lr``; the last batch of an epoch may be
    smaller.  ``progress(k)`` is called after each minibatch with its row
    count (e.g. a progress bar's ``update``); ``callback(stats)`` after each
    epoch.  Small products run on one BLAS thread (:func:`numeric.threads.train_threads`).
    Returns one :class:`EpochStats` per epoch, whose ``train_loss`` is
    the row-weighted mean of the epoch's minibatch losses (the book's figure).
    """
    epochs = _positive_int("epochs", epochs)
    batch_size = _positive_int("batch_size", batch_size)
    lr = _positive_real("lr", model.lr if lr is None else lr)
    rng = _generator(rng)
    X, y = _labelled("training", data.X_train, data.y_train)
    X_val, _ = _labelled("validation", data.X_val, data.y_val)
    if X_val.shape[1] != X.shape[1]:
        raise ValueError(
            f"validation inputs have {X_val.shape[1]} columns but training inputs have {X.shape[1]}; expected the same d"
        )
    n = X.shape[0]
    history = []
    steps = 0
    # one BLAS thread for small products (the digits model), the library's threads for large ones
    with blas_threads(train_threads(model.params, batch_size)):
        for epoch in range(1, epochs + 1):
            start = time.perf_counter()
            order = rng.permutation(n)
            total = 0.0
            for first in range(0, n, batch_size):
                rows = order[first : first + batch_size]
                try:
                    with np.errstate(over="raise", invalid="raise"):  # overflow once trained is divergence, not data
                        loss, grads = model.loss_and_grads(X[rows], y[rows])
                        for p, g in zip(model.params, grads):
                            p -= lr * g  # SGD step on the parameters, in place
                except (ValueError, FloatingPointError) as exc:
                    if steps == 0:
                        raise  # nothing trained yet: the data or the model are wrong, say so as they do
                    raise FloatingPointError(
                        f"training diverged in epoch {epoch} after {steps} SGD steps ({exc}); lr={lr} is too large"
                    ) from exc
                steps += 1
                total += float(loss) * rows.size
                if progress is not None:
                    progress(rows.size)
            if not math.isfinite(total):
                raise FloatingPointError(f"training diverged in epoch {epoch}: mean loss {total}; lr={lr} is too large")
            try:
                with np.errstate(over="raise", invalid="raise"):
                    val_loss, val_acc = evaluate(model, data.X_val, data.y_val)
            except (ValueError, FloatingPointError) as exc:
                raise FloatingPointError(f"training diverged in epoch {epoch} ({exc}); lr={lr} is too large") from exc
            stats = EpochStats(epoch, total / n, val_loss, val_acc, time.perf_counter() - start)
            history.append(stats)
            if callback is not None:
                callback(stats)
    return history
