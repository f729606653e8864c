"""5.3.batch's float32 check (derivations/backprop/float32.py): a float32-only slip fails 5.3.batch."""

from __future__ import annotations

import numpy as np
import pytest

from derivations.backprop import float32
from derivations.claims import Context


def _checks():
    return list(float32._float32_matches_float64(Context()))


def test_float32_gradients_match_float64_for_every_activation():
    checks = _checks()
    assert len(checks) == 3 and all(c.ok for c in checks), [str(c) for c in checks]


@pytest.mark.parametrize("slip", ["drop-1/n", "x1.001", "bias-grad-zero"])
def test_a_float32_only_slip_in_the_mlp_gradients_fails(monkeypatch, slip):
    from numeric import network

    original = network.MLP.backward

    def slipped(self, X, y, *, lam=0.0):
        result = original(self, X, y, lam=lam)
        if self.dtype == np.float32:
            n = np.asarray(X).shape[0]
            for k, g in enumerate(result.grads):
                if slip == "drop-1/n":  # the mean's 1/n lost in G_L: every H^T G and 1^T G is n times too big
                    W = self.params[k]
                    g[...] = (g - lam * W) * n + lam * W if k % 2 == 0 else g * n
                elif slip == "x1.001":
                    g *= np.float32(1.001)
                elif k % 2 == 1:
                    g[...] = 0
        return result

    monkeypatch.setattr(network.MLP, "backward", slipped)
    assert not any(c.ok for c in _checks())
