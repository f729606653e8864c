"""numeric.losses: stable softmax / log-softmax / cross-entropy / squared loss and their gradients."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from numeric import losses

#: A minibatch of logits (n, q), n in 1..5, q in 2..6, moderate entries, and matching labels.
LOGITS_AND_LABELS = st.tuples(st.integers(1, 5), st.integers(2, 6)).flatmap(
    lambda nq: st.tuples(
        arrays(np.float64, nq, elements=st.floats(-30.0, 30.0, allow_nan=False)),
        arrays(np.int64, (nq[0],), elements=st.integers(0, nq[1] - 1)),
    )
)

#: Logits anywhere in ±1e308 (the stability claim), with labels.
EXTREME_LOGITS_AND_LABELS = st.tuples(st.integers(1, 4), st.integers(2, 5)).flatmap(
    lambda nq: st.tuples(
        arrays(np.float64, nq, elements=st.floats(-1e308, 1e308, allow_nan=False)),
        arrays(np.int64, (nq[0],), elements=st.integers(0, nq[1] - 1)),
    )
)

# Complex step: the derivative is Im f(o + i t e_j) / t with no cancellation; t = 1e-20 puts the
# truncation error O(t²) far below one ulp, so the error is a few ulps of the gradient (|g| <= 1):
# 1e-14 absolute is ~45 ulps of 1.0, covering the exp/log/sum rounding of a q <= 6 log-sum-exp.
COMPLEX_STEP = 1e-20
COMPLEX_STEP_TOL = 1e-14


def _complex_step_gradient(f, o):
    g = np.zeros_like(o)
    for idx in np.ndindex(o.shape):
        e = np.zeros(o.shape, dtype=complex)
        e[idx] = 1j * COMPLEX_STEP
        g[idx] = np.imag(f(o + e)) / COMPLEX_STEP
    return g


@given(LOGITS_AND_LABELS)
def test_cross_entropy_grad_is_softmax_minus_onehot_by_complex_step(batch):
    o, y = batch
    analytic = losses.cross_entropy_grad(o, y)
    numeric = _complex_step_gradient(lambda v: losses.cross_entropy(v, y).sum(), o)
    assert np.max(np.abs(analytic - numeric)) <= COMPLEX_STEP_TOL


@given(LOGITS_AND_LABELS)
def test_squared_loss_grad_is_o_minus_y_by_complex_step(batch):
    o, _ = batch
    target = np.cos(np.arange(o.size, dtype=float)).reshape(o.shape)  # any fixed real target
    numeric = _complex_step_gradient(lambda v: losses.squared_loss(v, target).sum(), o)
    # o - y is exact to 1 ulp of |o - y| <= 31; 1e-12 absolute is ~ 300 ulps of 31: rounding only.
    assert np.max(np.abs(losses.squared_loss_grad(o, target) - numeric)) <= 1e-12


@given(LOGITS_AND_LABELS)
def test_softmax_rows_are_probabilities_and_log_softmax_is_its_log(batch):
    o, _ = batch
    p = losses.softmax(o)
    assert np.all(p >= 0)
    # Sum of q <= 6 terms in [0, 1]: rounding at most q ulps of 1.
    np.testing.assert_allclose(p.sum(axis=-1), 1.0, rtol=0, atol=8 * np.finfo(float).eps)
    # log of a probability >= e^-60 (|o| <= 30): relative rounding of a few ulps.
    np.testing.assert_allclose(np.exp(losses.log_softmax(o)), p, rtol=1e-13, atol=0)


def test_cross_entropy_matches_hand_computed_value():
    # l([0, log 3], y=0) = log(1 + 3) - 0 = log 4 (exact reference, not from the code).
    o = np.array([[0.0, np.log(3.0)]])
    np.testing.assert_allclose(losses.cross_entropy(o, [0]), [np.log(4.0)], rtol=1e-15)
    np.testing.assert_allclose(losses.cross_entropy_grad(o, [0]), [[0.25 - 1, 0.75]], rtol=1e-15)


@given(EXTREME_LOGITS_AND_LABELS)
def test_extreme_logits_give_no_warning_and_bounded_finite_results(batch):
    o, y = batch
    g = losses.cross_entropy_grad(o, y)  # pytest turns any warning into an error
    assert np.all(np.isfinite(g)) and np.all(np.abs(g) <= 1)
    loss = losses.cross_entropy(o, y)
    assert np.all(loss >= 0) and not np.any(np.isnan(loss))


def test_logits_of_1e4_give_finite_loss_and_gradient():
    o = np.array([[1e4, -1e4, 0.0], [-1e4, 1e4, 1e4]])
    y = np.array([1, 0])
    loss = losses.cross_entropy(o, y)
    # log Σ exp(o) - o_y: 2e4 exactly for row 0; row 1: 1e4 + log 2 - (-1e4).
    np.testing.assert_allclose(loss, [2e4, 2e4 + np.log(2.0)], rtol=1e-15)
    np.testing.assert_allclose(losses.cross_entropy_grad(o, y), [[1, -1, 0], [-1, 0.5, 0.5]], atol=0)


def test_float32_in_gives_float32_out():
    o = np.array([[1.0, 2.0, 3.0]], dtype=np.float32)
    for out in (
        losses.softmax(o),
        losses.log_softmax(o),
        losses.cross_entropy(o, [1]),
        losses.cross_entropy_grad(o, [1]),
        losses.squared_loss(o, np.zeros_like(o)),
        losses.squared_loss_grad(o, np.zeros_like(o)),
    ):
        assert out.dtype == np.float32


@pytest.mark.parametrize(
    "call, match",
    [
        pytest.param(
            lambda: losses.cross_entropy([[1.0, 2.0]], [2]), r"label 2, out of range.*0 <= y < 2", id="label-too-large"
        ),
        pytest.param(lambda: losses.cross_entropy([[1.0, 2.0]], [-1]), r"label -1, out of range", id="label-negative"),
        pytest.param(
            lambda: losses.cross_entropy([[1.0, 2.0]], [0.5]),
            r"y has dtype float64.*integer class labels",
            id="label-non-integer",
        ),
        pytest.param(
            lambda: losses.cross_entropy([[1.0, 2.0]], [0, 1]),
            r"y has shape \(2,\) but o has shape \(1, 2\)",
            id="labels-count",
        ),
        pytest.param(
            lambda: losses.cross_entropy([[np.nan, 2.0]], [0]),
            r"o has a non-finite entry nan at index \(0, 0\)",
            id="nan-logit",
        ),
        pytest.param(lambda: losses.softmax([[np.inf, 2.0]]), r"o has a non-finite entry inf", id="inf-logit"),
        pytest.param(
            lambda: losses.cross_entropy(np.zeros((0, 3)), np.zeros(0, int)),
            r"o has shape \(0, 3\), which is empty",
            id="empty-batch",
        ),
        pytest.param(lambda: losses.softmax(3.0), r"o is a scalar", id="scalar-logits"),
        pytest.param(
            lambda: losses.squared_loss([1.0, 2.0], [1.0]),
            r"y has shape \(1,\) but o has shape \(2,\)",
            id="squared-shape",
        ),
        pytest.param(lambda: losses.onehot([1], 0), r"q=0", id="onehot-no-classes"),
    ],
)
def test_bad_inputs_raise_valueerror_naming_the_argument(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_unknown_loss_name_raises_keyerror_listing_known():
    with pytest.raises(KeyError, match="no loss 'hinge'; known: cross_entropy, squared"):
        losses.get("hinge")
