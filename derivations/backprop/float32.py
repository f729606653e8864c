"""Claim 5.3.batch in float32: ``numeric.mlp.MLP(..., dtype=float32)`` against the same model in float64.

The float64 model is held to the equations by the other checks of 5.3.batch; this one holds the
float32 code path to the float64 one, so a slip only float32 takes (a dropped 1/n, a lost bias
term, a wrong float32 activation derivative) fails 5.3.batch itself.
"""

from __future__ import annotations

import numpy as np

from ..claims import Check, Context, also_check
from ..strata import eps

__all__: list[str] = []

#: Sizes of the float32 comparison (two hidden layers, so a backward signal passes through φ' twice),
#: and the batch whose mean's 1/n a slip might drop.
_SIZES, _BATCH = (7, 11, 9, 5), 16
#: Normwise tolerance for float32 against float64 (max |g32 - g64| / max |g64| per gradient).  Each
#: entry is a sum of products along a chain of at most k ~ batch + max width + 10 (log-softmax,
#: exp, division) = 37 rounded float32 operations, so the error is <= k eps32 Σ|terms| (Higham's γ_k);
#: taking Σ|terms| / max|g| <= 20 for these well-scaled sizes, k·20·eps32 = 8.8e-5: tolerance 1e-4
#: (the measured errors are ~2e-7, so the bound is loose by ~400x).  A dropped 1/n is an error of n - 1 = 15 (relative), a gradient x1.001 one of 1e-3.
_TOL = 1e-4


@also_check("5.3.batch")
def _float32_matches_float64(ctx: Context):
    """Eq. 5.3.batch (row-major minibatch backprop) in float32 equals float64, to float32's rounding."""
    from numeric.mlp import MLP

    rng = ctx.rng(532)
    for activation in ("relu", "tanh", "sigmoid"):
        net32 = MLP(list(_SIZES), activation=activation, init="xavier_normal", rng=rng, dtype=np.float32)
        for k in range(1, len(net32.params), 2):  # NONZERO biases, so a bias slip shows
            net32.params[k][...] = rng.standard_normal(net32.params[k].shape).astype(np.float32)
        net64 = MLP(list(_SIZES), activation=activation, rng=rng)
        for k, p in enumerate(net32.params):
            net64.params[k][...] = p.astype(np.float64)  # exactly the float32 values
        X = rng.standard_normal((_BATCH, _SIZES[0])).astype(np.float32)
        y = rng.integers(0, _SIZES[-1], _BATCH)
        lam = 0.1
        loss32, g32 = net32.loss_and_grads(X, y, lam=lam)
        loss64, g64 = net64.loss_and_grads(X.astype(np.float64), y, lam=lam)
        dtypes_ok = all(g.dtype == np.float32 for g in g32) and np.asarray(loss32).dtype == np.float32
        errors = [
            float(np.max(np.abs(a - b)) / max(float(np.max(np.abs(b))), np.finfo(np.float32).tiny))
            for a, b in zip(g32, g64)
        ]
        errors.append(abs(float(loss32) - float(loss64)) / abs(float(loss64)))
        worst = max(errors)
        yield Check(
            "numeric",
            dtypes_ok and worst <= _TOL,
            f"MLP({list(_SIZES)}, activation={activation!r}, dtype=float32), nonzero biases, batch {_BATCH}, "
            f"lam={lam}: loss and grads vs the same float32 values in float64: max normwise relative error "
            f"{worst:.3g} <= {_TOL:g} (~37 rounded steps x 20 x eps32 = {37 * 20 * eps(np.float32):.2g}); "
            f"{'all float32' if dtypes_ok else 'NOT all float32'}",
            max_error=worst,
        )
