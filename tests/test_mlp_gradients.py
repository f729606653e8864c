"""numeric.mlp.MLP.loss_and_grads: every gradient (biases included) against the complex step of an independent
loss, and the float32 model's gradient VALUES against the float64 model's, within float32's error bound.

Issue 16: ``dJ/db1 = dJ/dh`` instead of ``dJ/dz`` and float32 gradients without the mean's ``1/n`` passed
the suite; each test here was seen failing under that slip (benchmarks/mutants.py applies both).
"""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from numeric.gradcheck import numerical_gradient
from numeric.mlp import MLP

#: (seed, widths [d, h_1, .., q] with 1 or 2 hidden layers of 1..6 units, rows n >= 2, activation, lam).
#: n >= 2 so that a missing 1/n changes the gradient; smooth activations so the complex step applies.
NETWORKS = st.tuples(
    st.integers(0, 2**32 - 1),
    st.lists(st.integers(1, 6), min_size=3, max_size=4),
    st.integers(2, 8),
    st.sampled_from(["tanh", "sigmoid"]),
    st.sampled_from([0.0, 0.1]),
)

_PHI = {"tanh": np.tanh, "sigmoid": lambda z: 1 / (1 + np.exp(-z))}


def _network(seed, sizes, n, activation, dtype=np.float64):
    """An MLP with N(0, 1/fan_in) weights and N(0, 1) biases (nonzero, so every bias gradient matters)."""
    rng = np.random.default_rng(seed)
    net = MLP(sizes, activation=activation, rng=rng, dtype=dtype)
    for l in range(net.depth):
        net.params[2 * l][...] = rng.standard_normal(net.params[2 * l].shape) / np.sqrt(sizes[l])
        net.params[2 * l + 1][...] = rng.standard_normal(sizes[l + 1])
    X = rng.standard_normal((n, sizes[0]))
    y = rng.integers(0, sizes[-1], size=n)
    return net, X, y


def _reference_loss(params, X, y, activation, lam):
    """J = mean softmax CE + lam/2 Σ‖W‖², written out independently of numeric.mlp (complex-step safe: no abs, no conj)."""
    H = X
    depth = len(params) // 2
    for l in range(depth):
        Z = H @ params[2 * l] + params[2 * l + 1]
        H = _PHI[activation](Z) if l < depth - 1 else Z
    m = H.real.max(axis=1, keepdims=True)  # shift by the real part only: the imaginary step passes through
    lse = m[:, 0] + np.log(np.sum(np.exp(H - m), axis=1))
    return np.mean(lse - H[np.arange(len(y)), y]) + lam / 2 * sum(np.sum(W * W) for W in params[0::2])


# Complex step: exact to the rounding of the reference loss (a few eps relative, module numeric.differences);
# the analytic side sums <= 8 rows of <= 7-term products of O(1) numbers: <= ~60 eps ≈ 1.3e-14 of the
# entries' scale.  The error is taken relative to max(max|entry|, 1) (absolute below 1: a gradient entry can
# be a small difference of O(1) terms); 1e-11 leaves a factor ~700.  dJ/dh vs dJ/dz differ by the factor
# φ'(z) (tanh: 1 - tanh², sigmoid: <= 1/4), far beyond it.
COMPLEX_STEP_TOL = 1e-11


@given(NETWORKS)
def test_every_mlp_gradient_matches_the_complex_step_of_an_independent_loss(draw):
    seed, sizes, n, activation, lam = draw
    net, X, y = _network(seed, sizes, n, activation)
    loss, grads = net.loss_and_grads(X, y, lam=lam)
    params = [p.copy() for p in net.params]
    assert abs(loss - _reference_loss(params, X, y, activation, lam)) <= COMPLEX_STEP_TOL * max(1.0, abs(loss))
    for i, (p, g) in enumerate(zip(params, grads)):

        def J(v, i=i):
            return _reference_loss(params[:i] + [v] + params[i + 1 :], X, y, activation, lam)

        numeric = numerical_gradient(J, p, method="complex")
        error = np.max(np.abs(g - numeric)) / max(np.max(np.abs(numeric)), 1.0)
        kind = "W" if i % 2 == 0 else "b"
        assert error <= COMPLEX_STEP_TOL, f"∂J/∂{kind}{i // 2 + 1}: relative error {error:.3g} ({activation}, {sizes})"


@pytest.mark.parametrize("activation", ["tanh", "sigmoid"])
def test_hidden_bias_gradients_are_dJ_dz_not_dJ_dh(activation):
    """Claim 5.3.ex2 in the row-major MLP: ∂J/∂b_l = 1ᵀ G_l, G_l = ∂J/∂Z_l, not the pre-φ' signal ∂J/∂H_l."""
    net, X, y = _network(7, [3, 4, 2], 5, activation)
    result = net.backward(X, y)
    dJ_dH1 = result.G[1] @ net.params[2].T
    assert np.allclose(result.grads[1], result.G[0].sum(axis=0), rtol=0, atol=1e-15)
    assert not np.allclose(result.grads[1], dJ_dH1.sum(axis=0), rtol=1e-3)


def _float32_bound(net64, X):
    """First-order bound on |g32 - g64| / max(max|g64|, 1) for the same network and inputs in float32.

    Each dot product of length k (plus a bias) is off by <= (k + 1) u relative to the sum of the absolute
    terms (Higham's γ_{k+1}, u = eps32/2 = 6e-8); φ, exp, log and the division add <= 4 u each.  The forward
    pass and the backward pass each take ``depth`` such products, of length m <= max(width, n) + 1, and an
    error in layer l reaches the gradient through the later layers' |W| (max row sum, times max|φ'| <= 1 for
    tanh, 1/4 for sigmoid: bounded by 1 here), so in total <= 2·depth·(m + 4)·u·A, A = Π_l max(1, ‖|W_l|‖_∞).
    A factor 4 covers the absolute-value sums exceeding the result's scale; the bound is ~1e-5 relative for
    the drawn sizes, and the slip it must catch (a missing 1/n, n >= 2) is an error of 100% or more.
    """
    u = float(np.finfo(np.float32).eps) / 2
    m = max(max(net64.sizes), len(X)) + 1
    A = np.prod([max(1.0, float(np.max(np.sum(np.abs(W), axis=1)))) for W in net64.params[0::2]])
    return 4 * 2 * net64.depth * (m + 4) * u * A


@given(NETWORKS)
def test_float32_gradients_equal_the_float64_ones_within_float32_rounding(draw):
    seed, sizes, n, activation, lam = draw
    net64, X, y = _network(seed, sizes, n, activation)
    net32 = MLP(sizes, activation=activation, rng=np.random.default_rng(0), dtype=np.float32)
    net32.params[:] = [p.astype(np.float32) for p in net64.params]
    net64.params[:] = [p.astype(np.float64) for p in net32.params]  # the same (float32-representable) values
    X32 = X.astype(np.float32)
    loss64, g64 = net64.loss_and_grads(X32.astype(np.float64), y, lam=lam)
    loss32, g32 = net32.loss_and_grads(X32, y, lam=lam)
    tol = _float32_bound(net64, X)
    assert abs(float(loss32) - loss64) <= tol * max(1.0, abs(loss64))
    for i, (a, b) in enumerate(zip(g32, g64)):
        assert a.dtype == np.float32
        error = np.max(np.abs(a.astype(np.float64) - b)) / max(np.max(np.abs(b)), 1.0)
        assert error <= tol, f"params[{i}]: float32 vs float64 relative error {error:.3g} > {tol:.3g} ({sizes}, n={n})"
