"""numeric.mlp.MLP: any depth, biases, row-major X @ W + b, mean softmax CE + lam/2 Σ‖W‖², gradients (5.3.batch)."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from scipy.special import logsumexp

import numeric.backprop as nbp
from numeric import activations, gradcheck, losses
from numeric import network as mlp_module  # the MLP core that numeric.mlp re-exports
from numeric.mlp import MLP

#: (widths, rows, seed): 1..4 layers of 1..6 units, 1..5 rows.
NETWORKS = st.tuples(st.lists(st.integers(1, 6), min_size=2, max_size=5), st.integers(1, 5), st.integers(0, 2**32 - 1))

ACTIVATIONS = ["relu", "sigmoid", "tanh", "swish", "gelu"]


def _network(sizes, n, seed, activation="tanh"):
    sizes = [*sizes[:-1], max(sizes[-1], 2)]
    rng = np.random.default_rng(seed)
    model = MLP(sizes, activation=activation, init="xavier_normal", rng=rng)
    for b in model.params[1::2]:
        b[...] = rng.standard_normal(b.shape)
    return model, rng.standard_normal((n, sizes[0])), rng.integers(0, sizes[-1], n)


#: Real arrays as the MLP sees them: any finite float32/float64 value, zeros and infinities included.
REAL_ARRAYS = st.sampled_from([np.float32, np.float64]).flatmap(
    lambda dt: arrays(dt, st.integers(1, 20), elements=st.floats(allow_nan=False, width=32 if dt == np.float32 else 64))
)


@given(REAL_ARRAYS)
def test_the_mlps_fast_relu_equals_numeric_activations_relu(Z):
    np.testing.assert_array_equal(mlp_module._relu_real(Z), activations.relu(Z))
    np.testing.assert_array_equal(mlp_module._relu_grad_real(Z), activations.relu_grad(Z))
    assert mlp_module._relu_real(Z).dtype == Z.dtype and mlp_module._relu_grad_real(Z).dtype == Z.dtype


def test_the_books_model_has_203530_parameters_in_the_documented_layout():
    model = MLP([784, 256, 10], rng=np.random.default_rng(0))
    assert model.num_params == 203_530  # (784 + 1) * 256 + (256 + 1) * 10
    assert [p.shape for p in model.params] == [(784, 256), (256,), (256, 10), (10,)]
    assert all(not b.any() for b in model.params[1::2])  # biases start at 0


def test_default_init_draws_weights_with_standard_deviation_0_01():
    W = MLP([784, 256, 10], rng=np.random.default_rng(0)).params[0]
    # 200,704 draws: the sample std of N(0, σ²) has relative sd 1/sqrt(2N) ≈ 0.0016; 2% is > 12 sd.
    assert abs(W.std() / 0.01 - 1) < 0.02


@given(NETWORKS)
def test_loss_is_mean_cross_entropy_plus_half_lam_times_squared_weight_norms(network):
    model, X, y = _network(*network)
    lam = 0.7
    H = X
    for l in range(model.depth):  # an independent forward pass
        Z = H @ model.params[2 * l] + model.params[2 * l + 1]
        H = np.tanh(Z) if l < model.depth - 1 else Z
    ce = np.mean(logsumexp(H, axis=1) - H[np.arange(len(y)), y])
    decay = lam / 2 * sum(np.sum(W**2) for W in model.params[0::2])  # weights only
    loss, _ = model.loss_and_grads(X, y, lam=lam)
    # Same float64 formulas, different order: a few ulps of the O(1..10) loss.
    assert abs(loss - (ce + decay)) <= 1e-13 * max(1.0, abs(ce + decay))
    np.testing.assert_allclose(model.forward(X), H, rtol=1e-13, atol=1e-13)


@given(NETWORKS, st.sampled_from(ACTIVATIONS))
def test_forward_all_exposes_each_layers_pre_activation_and_activation(network, activation):
    model, X, _ = _network(*network, activation=activation)
    layers = model.forward_all(X)
    assert len(layers) == model.depth
    H = X
    for l, (Z, Hl) in enumerate(layers, start=1):
        np.testing.assert_array_equal(Z, H @ model.params[2 * l - 2] + model.params[2 * l - 1])
        H = Hl
    np.testing.assert_array_equal(layers[-1].H, layers[-1].Z)  # no activation on the logits


@given(NETWORKS)
def test_backward_signals_are_the_gradients_of_J_in_each_pre_activation(network):
    """G_l = ∂J/∂Z_l, checked by complex step of J as a function of Z_l (the downstream layers only)."""
    model, X, y = _network(*network)
    result = model.backward(X, y)
    step = 1e-20  # complex step: exact to rounding
    for l in range(1, model.depth + 1):
        Z = result.layers[l - 1].Z

        def J_of(Zl, l=l):
            H = np.tanh(Zl) if l < model.depth else Zl
            for k in range(l + 1, model.depth + 1):
                Zk = H @ model.params[2 * k - 2] + model.params[2 * k - 1]
                H = np.tanh(Zk) if k < model.depth else Zk
            m = H.real.max(axis=1, keepdims=True)
            lse = np.log(np.sum(np.exp(H - m), axis=1)) + m[:, 0]
            return np.mean(lse - H[np.arange(len(y)), y])

        for idx in np.ndindex(Z.shape):
            Zc = Z.astype(complex)
            Zc[idx] += 1j * step
            # |G| <= 1; complex step and backward both round to a few ulps: 1e-14 absolute.
            assert abs(np.imag(J_of(Zc)) / step - result.G[l - 1][idx]) <= 1e-14


@given(NETWORKS)
def test_two_layer_mlp_gradients_equal_the_mean_of_section_5_3_column_gradients(network):
    """5.3.batch vs 5.3.11–14 + 5.3.ex2: the row-major mean equals the average of per-example column gradients."""
    sizes, n, seed = network
    model, X, y = _network([sizes[0], sizes[-1] + 1, sizes[-1]], n, seed)
    lam = 0.2
    _, grads = model.loss_and_grads(X, y, lam=lam)
    W1, b1, W2, b2 = model.params
    col = [nbp.backward(nbp.forward(X[i], int(y[i]), W1.T, W2.T, b1=b1, b2=b2, activation="tanh")) for i in range(n)]
    expected = [
        np.mean([c.dJ_dW1.T for c in col], axis=0) + lam * W1,
        np.mean([c.dJ_db1 for c in col], axis=0),
        np.mean([c.dJ_dW2.T for c in col], axis=0) + lam * W2,
        np.mean([c.dJ_db2 for c in col], axis=0),
    ]
    for got, want in zip(grads, expected):
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-14)  # reordered float64 sums


def test_float32_model_computes_and_returns_float32():
    rng = np.random.default_rng(0)
    model = MLP([5, 4, 3], rng=rng, dtype=np.float32)
    X = rng.standard_normal((6, 5)).astype(np.float32)
    loss, grads = model.loss_and_grads(X, rng.integers(0, 3, 6), lam=0.1)
    assert loss.dtype == np.float32 and model.forward(X).dtype == np.float32
    assert all(g.dtype == np.float32 for g in grads)
    assert all(layer.Z.dtype == np.float32 and layer.H.dtype == np.float32 for layer in model.forward_all(X))


def test_params_can_be_overwritten_in_place_by_an_sgd_step():
    rng = np.random.default_rng(1)
    model = MLP([4, 8, 3], activation="relu", init="he_normal", rng=rng)
    X, y = rng.standard_normal((32, 4)), rng.integers(0, 3, 32)
    before, grads = model.loss_and_grads(X, y)
    for p, g in zip(model.params, grads):
        p -= 0.1 * g  # lr 0.1, the book's
    after, _ = model.loss_and_grads(X, y)
    assert after < before  # a small gradient step lowers the loss


def test_large_logits_give_finite_loss_and_gradients_without_warnings():
    model = MLP([2, 2], rng=np.random.default_rng(0))
    model.params[0][...] = [[1e4, -1e4], [0.0, 0.0]]
    loss, grads = model.loss_and_grads(np.array([[1.0, 0.0]]), np.array([1]))
    assert loss == 2e4 and all(np.isfinite(g).all() for g in grads)


def _books_model_and_loss():
    """MLP([784, 256, 10]) (ReLU, N(0, 0.01²) weights), a batch of 256 pixel-like rows, and J as a function of params."""
    rng = np.random.default_rng(0)
    model = MLP([784, 256, 10], rng=rng)
    X, y = rng.random((256, 784)), rng.integers(0, 10, 256)

    def J(params):
        original = model.params
        model.params = list(params)
        try:
            return float(np.mean(losses.cross_entropy(model.forward(X), y)))
        finally:
            model.params = original

    return model, X, y, J


def test_directional_check_confirms_the_books_model_gradients():
    """5.3.batch at 203,530 parameters: grad·u vs central differences along 3 seeded random unit directions."""
    model, X, y, J = _books_model_and_loss()
    _, grads = model.loss_and_grads(X, y)
    result = gradcheck.check_directional(J, grads, model.params, directions=3, rng=0)
    assert result.ok, result.message


# Power: with n = 203,530 and tolerance tau ~ 2.4e-8 (atol 1e-8·|J|, J ~ 2.3), an entry wrong by delta = 1e-3
# (max |grad| ~ 0.04) escapes one direction with probability <= (tau/delta)·sqrt(2(n-1)/pi) ~ 8.6e-3, all three
# <= 6.4e-7 (numeric.gradcheck.check_directional's bound); the directions are seeded, so the test is deterministic.
WRONG_ENTRIES = [(0, (400, 100)), (1, (7,)), (2, (255, 9)), (3, (0,))]


@pytest.mark.parametrize("param, index", WRONG_ENTRIES, ids=["W1", "b1", "W2", "b2"])
def test_directional_check_catches_a_single_wrong_gradient_entry(param, index):
    model, X, y, J = _books_model_and_loss()
    _, grads = model.loss_and_grads(X, y)
    grads[param][index] += 1e-3
    assert not gradcheck.check_directional(J, grads, model.params, directions=3, rng=0).ok


@pytest.mark.parametrize("dtype, big", [(np.float64, 1e308), (np.float32, 3e38)], ids=["float64-1e308", "float32-3e38"])
def test_huge_inputs_give_finite_loss_and_gradients_without_warnings(dtype, big):
    model = MLP([3, 4, 2], init="xavier_normal", rng=np.random.default_rng(0), dtype=dtype)
    loss, grads = model.loss_and_grads(np.full((2, 3), big, dtype=dtype), np.array([0, 1]))
    assert np.isfinite(loss) and loss.dtype == dtype
    assert all(np.isfinite(g).all() and g.dtype == dtype for g in grads)


@pytest.mark.parametrize(
    "call, error, match",
    [
        pytest.param(
            lambda m: m.forward(np.ones((2, 3))),
            ValueError,
            r"X has shape \(2, 3\) but W1 has shape \(4, 5\); expected X of shape \(n, 4\)",
            id="X-vs-W1",
        ),
        pytest.param(
            lambda m: m.forward(np.ones((0, 4))), ValueError, r"X has shape \(0, 4\), an empty batch", id="empty-batch"
        ),
        pytest.param(
            lambda m: m.forward(np.full((1, 4), np.nan)),
            ValueError,
            r"X has a non-finite entry nan at row 0, column 0",
            id="nan-input",
        ),
        pytest.param(
            lambda m: MLP([4, 3], dtype=np.float32).forward(np.ones((1, 4))),
            ValueError,
            r"X has dtype float64 but the model's parameters are float32",
            id="dtype-would-round",
        ),
        pytest.param(
            lambda m: m.loss_and_grads(np.ones((2, 4)), [0, 3]),
            ValueError,
            r"label 3, out of range; o has 3 classes",
            id="label-out-of-range",
        ),
        pytest.param(
            lambda m: m.loss_and_grads(np.ones((2, 4)), [0.0, 1.0]),
            ValueError,
            r"y has dtype float64.*integer class labels",
            id="label-non-integer",
        ),
        pytest.param(
            lambda m: m.loss_and_grads(np.ones((2, 4)), [0]),
            ValueError,
            r"y has shape \(1,\) but o has shape \(2, 3\)",
            id="label-count",
        ),
        pytest.param(
            lambda m: m.loss_and_grads(np.ones((2, 4)), [0, 1], lam=-0.1),
            ValueError,
            r"lam=-0.1 is not allowed",
            id="negative-lam",
        ),
        pytest.param(
            lambda m: (m.params.__setitem__(2, np.ones((6, 3))), m.forward(np.ones((1, 4)))),
            ValueError,
            r"W2 \(params\[2\]\) has shape \(6, 3\).*expected shape \(5, 3\)",
            id="replaced-param-shape",
        ),
        pytest.param(
            lambda m: MLP([4]), ValueError, r"sizes=\[4\] has 1 entries; expected at least 2", id="sizes-too-short"
        ),
        pytest.param(lambda m: MLP([4, 0, 3]), ValueError, r"sizes\[1\]=0 is not allowed", id="sizes-zero-width"),
        pytest.param(
            lambda m: MLP([4, 3], dtype=np.int32),
            ValueError,
            r"dtype=<class 'numpy.int32'> is not supported",
            id="dtype-int",
        ),
        pytest.param(
            lambda m: MLP([4, 3], init="lecun"), KeyError, r"no initializer 'lecun'; known: ", id="unknown-init"
        ),
        pytest.param(lambda m: MLP([4, 3], activation="softplus"), KeyError, r"softplus", id="unknown-activation"),
        pytest.param(
            lambda m: MLP([4, 3], activation="prelu"),
            ValueError,
            r"activation='prelu' needs the parameter alpha.*expected one of gelu, relu, sigmoid, swish, tanh",
            id="prelu-without-alpha",
        ),
    ],
)
def test_bad_inputs_raise_errors_naming_the_operands(call, error, match):
    model = MLP([4, 5, 3], rng=np.random.default_rng(0))
    with pytest.raises(error, match=match):
        call(model)


def test_float32_inputs_to_a_float64_model_are_widened_exactly():
    model = MLP([4, 5, 3], rng=np.random.default_rng(0))
    X32 = np.random.default_rng(1).standard_normal((6, 4)).astype(np.float32)
    out = model.forward(X32)
    assert out.dtype == np.float64
    np.testing.assert_array_equal(out, model.forward(X32.astype(np.float64)))  # the same numbers: widening is exact
    loss, grads = model.loss_and_grads(X32, [0, 1, 2, 0, 1, 2])
    assert loss.dtype == np.float64 and all(g.dtype == np.float64 for g in grads)
