"""LARS, layer-wise adaptive rate scaling (You, Gitman & Ginsburg 2017, "Large Batch Training of Convolutional
Networks", arXiv:1708.03888, Algorithm 1), for ``numeric.mlp.MLP`` parameters.

Per layer ``l`` with weights ``w_l`` and gradient ``∇L(w_l)`` (Algorithm 1)::

    λ_l = η · ‖w_l‖ / (‖∇L(w_l)‖ + β ‖w_l‖)          local LR, η the trust coefficient, β the weight decay
    v_l ← m v_l + γ · λ_l · (∇L(w_l) + β w_l)         γ the global LR, m the momentum
    w_l ← w_l − v_l

so without momentum a step changes each layer by at most ``γ η ‖w_l‖`` (relative update ≤ γη), whatever the
gradient's size.  Biases (which start at zero, so ``‖w‖ = 0``) take the plain step ``γ ∇`` as is common practice.
"""

from __future__ import annotations

import numpy as np

__all__ = ["LARS", "lars_local_lr"]


def lars_local_lr(w: np.ndarray, g: np.ndarray, *, trust: float, weight_decay: float) -> float:
    """Algorithm 1's local LR η‖w‖/(‖∇w‖ + β‖w‖) (You, Gitman & Ginsburg 2017); 1 where ‖w‖ or the denominator is 0."""
    wn, gn = float(np.linalg.norm(w)), float(np.linalg.norm(g))
    denom = gn + weight_decay * wn
    return 1.0 if wn == 0.0 or denom == 0.0 else trust * wn / denom


def _positive(name: str, value: object, *, zero_ok: bool = False) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.floating, np.integer)):
        raise ValueError(
            f"{name}={value!r} is not a number; expected a {'non-negative' if zero_ok else 'positive'} float"
        )
    v = float(value)
    if not np.isfinite(v) or v < 0 or (v == 0 and not zero_ok):
        raise ValueError(
            f"{name}={value!r} is out of range; expected a {'non-negative' if zero_ok else 'positive'} finite float"
        )
    return v


class LARS:
    """LARS (You, Gitman & Ginsburg 2017, Algorithm 1): ``step(params, grads)`` updates ``params`` in place.

    ``lr`` is the global rate γ, ``trust`` the trust coefficient η (the paper's 0.001), ``weight_decay`` β,
    ``momentum`` m.  Weight matrices (2-D) get the layer-wise rate; 1-D arrays (biases) the plain γ step.
    """

    def __init__(self, lr: float, *, trust: float = 0.001, weight_decay: float = 0.0, momentum: float = 0.0) -> None:
        self.lr = _positive("lr", lr)
        self.trust = _positive("trust", trust)
        self.weight_decay = _positive("weight_decay", weight_decay, zero_ok=True)
        self.momentum = _positive("momentum", momentum, zero_ok=True)
        if self.momentum >= 1:
            raise ValueError(f"momentum={momentum!r} is out of range; expected 0 <= momentum < 1")
        self._velocity: list[np.ndarray] | None = None

    def step(self, params: list[np.ndarray], grads: list[np.ndarray]) -> None:
        if len(params) != len(grads):
            raise ValueError(f"grads has {len(grads)} arrays; expected {len(params)}, one per parameter")
        if self._velocity is None:
            self._velocity = [np.zeros_like(p) for p in params]
        for p, g, v in zip(params, grads, self._velocity):
            if p.ndim >= 2:
                local = lars_local_lr(p, g, trust=self.trust, weight_decay=self.weight_decay)
                update = self.lr * local * (g + self.weight_decay * p)
            else:
                update = self.lr * g
            v *= self.momentum
            v += update
            p -= v
