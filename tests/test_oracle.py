"""An independent oracle: numeric.backprop.backward and MLP.loss_and_grads against PyTorch autograd (float64).

Skipped cleanly when torch is not installed (``pip install "mlp-derivations[oracle]"``).
"""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import numeric.backprop as nbp
from numeric.mlp import MLP

torch = pytest.importorskip("torch")

pytestmark = pytest.mark.oracle

# Both sides evaluate the same float64 formulas in different orders (BLAS blocking, torch's fused softmax):
# differences are O(10 eps) relative to the largest entry of the array (max-norm); RTOL = 1e-12 (~4500 eps)
# bounds that with margin. But a gradient can be a small difference of O(1) numbers: ∂L/∂o = softmax(o) −
# onehot(y) at a confident prediction is 1 − p_y ≈ 1e-6, and either side rounds p_y to eps absolute, so
# its relative error is eps / 1e-6 ≈ 1e-10 from cancellation alone (the thorough profile drew such a case:
# d = h = 1, q = 2, GELU, entry 1.22e-6, relative gap 7.9e-12). The terms cancelling are probabilities (≤ 1),
# or o − y with |o|, |y| = O(1) for squared loss, times weights of size O(1) downstream, so an absolute
# allowance ATOL = 1e-12 at scale 1 covers them: the check is |ours − torch| ≤ RTOL·max|torch| + ATOL.
RTOL = 1e-12
ATOL = 1e-12

TORCH_ACTIVATIONS = {
    "relu": torch.relu,
    "sigmoid": torch.sigmoid,
    "tanh": torch.tanh,
    "swish": lambda t: t * torch.sigmoid(t),  # β = 1 (torch.nn.functional.silu)
    "gelu": lambda t: torch.nn.functional.gelu(t),  # exact erf form, not the tanh approximation
}

#: (d, h, q, seed, activation, loss, lam) for the column-vector graph of section 5.3.
GRAPHS = st.tuples(
    st.integers(1, 7), st.integers(1, 7), st.integers(2, 7), st.integers(0, 2**32 - 1),
    st.sampled_from(sorted(TORCH_ACTIVATIONS)), st.sampled_from(["cross_entropy", "squared"]),
    st.sampled_from([0.0, 0.3]),
)  # fmt: skip

#: (widths, rows, seed, activation, lam) for the row-major MLP.
NETWORKS = st.tuples(
    st.lists(st.integers(1, 8), min_size=2, max_size=5), st.integers(1, 6), st.integers(0, 2**32 - 1),
    st.sampled_from(sorted(TORCH_ACTIVATIONS)), st.sampled_from([0.0, 0.3]),
)  # fmt: skip


def _agree(ours, theirs) -> bool:
    """max |ours − theirs| ≤ RTOL · max |theirs| + ATOL (same shapes required)."""
    a, b = np.asarray(ours, dtype=float), np.asarray(theirs, dtype=float)
    assert a.shape == b.shape
    return float(np.max(np.abs(a - b))) <= RTOL * float(np.max(np.abs(b))) + ATOL


def _t(a):
    return torch.tensor(np.asarray(a), dtype=torch.float64, requires_grad=True)


@given(GRAPHS)
def test_backward_matches_torch_autograd_for_every_intermediate(graph):
    d, h, q, seed, activation, loss, lam = graph
    rng = np.random.default_rng(seed)
    x, W1, W2 = rng.standard_normal(d), rng.standard_normal((h, d)), rng.standard_normal((q, h))
    y = int(rng.integers(q)) if loss == "cross_entropy" else rng.standard_normal(q)
    fwd = nbp.forward(x, y, W1, W2, lam=lam, activation=activation, loss=loss)
    bwd = nbp.backward(fwd)

    tW1, tW2 = _t(W1), _t(W2)
    tz = tW1 @ torch.tensor(x)
    tz.retain_grad()
    th = TORCH_ACTIVATIONS[activation](tz)
    th.retain_grad()
    to = tW2 @ th
    to.retain_grad()
    if loss == "cross_entropy":
        tL = torch.nn.functional.cross_entropy(to[None, :], torch.tensor([y]))
    else:
        tL = 0.5 * torch.sum((to - torch.tensor(y)) ** 2)
    ts = lam / 2 * (torch.sum(tW1**2) + torch.sum(tW2**2))
    (tL + ts).backward()

    assert _agree(fwd.J, float((tL + ts).detach()))
    for ours, theirs in [
        (bwd.dJ_do, to.grad), (bwd.dJ_dh, th.grad), (bwd.dJ_dz, tz.grad),
        (bwd.dJ_dW1, tW1.grad), (bwd.dJ_dW2, tW2.grad),
    ]:  # fmt: skip
        assert _agree(ours, theirs.numpy())


@given(NETWORKS)
def test_mlp_loss_and_grads_match_torch_autograd(network):
    sizes, n, seed, activation, lam = network
    sizes = [*sizes[:-1], max(sizes[-1], 2)]
    rng = np.random.default_rng(seed)
    model = MLP(sizes, activation=activation, init="xavier_normal", rng=rng)
    for b in model.params[1::2]:
        b[...] = rng.standard_normal(b.shape)
    X = rng.standard_normal((n, sizes[0]))
    y = rng.integers(0, sizes[-1], n)
    loss, grads = model.loss_and_grads(X, y, lam=lam)

    params = [_t(p) for p in model.params]
    H = torch.tensor(X)
    for l in range(model.depth):
        Z = H @ params[2 * l] + params[2 * l + 1]
        H = TORCH_ACTIVATIONS[activation](Z) if l < model.depth - 1 else Z
    J = torch.nn.functional.cross_entropy(H, torch.tensor(y)) + lam / 2 * sum(torch.sum(W**2) for W in params[0::2])
    J.backward()

    assert _agree(float(loss), float(J.detach()))
    for ours, p in zip(grads, params):
        assert _agree(ours, p.grad.numpy())


def test_the_oracle_catches_a_wrong_gradient():
    """The comparison can fail: a 0.1% error in one MLP gradient entry exceeds the tolerance by far."""
    rng = np.random.default_rng(0)
    model = MLP([4, 3, 2], activation="tanh", init="xavier_normal", rng=rng)
    X, y = rng.standard_normal((5, 4)), rng.integers(0, 2, 5)
    _, grads = model.loss_and_grads(X, y)
    params = [_t(p) for p in model.params]
    Z = torch.tanh(torch.tensor(X) @ params[0] + params[1]) @ params[2] + params[3]
    torch.nn.functional.cross_entropy(Z, torch.tensor(y)).backward()
    wrong = grads[0].copy()
    k = np.unravel_index(np.argmax(np.abs(wrong)), wrong.shape)
    wrong[k] *= 1.001
    assert not _agree(wrong, params[0].grad.numpy())
