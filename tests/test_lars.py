"""numeric.lars: the trust ratio of You, Gitman & Ginsburg (2017), Algorithm 1, and its argument checks."""

import numpy as np
import pytest

from numeric.lars import LARS, lars_local_lr


def test_local_lr_is_the_trust_ratio():
    w, g = np.array([[3.0, 4.0]]), np.array([[0.0, 10.0]])
    assert lars_local_lr(w, g, trust=0.1, weight_decay=0.0) == pytest.approx(0.1 * 5 / 10)
    assert lars_local_lr(w, g, trust=0.1, weight_decay=2.0) == pytest.approx(0.1 * 5 / (10 + 2 * 5))


def test_step_moves_a_layer_by_lr_times_trust_times_its_norm():
    rng = np.random.default_rng(0)
    W = rng.standard_normal((4, 3))
    before = W.copy()
    LARS(2.0, trust=0.05).step([W], [1e8 * rng.standard_normal((4, 3))])
    assert np.linalg.norm(W - before) == pytest.approx(2.0 * 0.05 * np.linalg.norm(before), rel=1e-12)


def test_weight_decay_term_enters_the_update():
    W = np.ones((2, 2))
    LARS(1.0, trust=1.0, weight_decay=1.0).step([W], [np.zeros((2, 2))])
    # local lr = ‖w‖/(0 + ‖w‖) = 1, update = 1·1·(0 + 1·w) = w
    assert np.allclose(W, 0.0)


def test_momentum_accumulates():
    W = np.ones((2, 2))
    opt = LARS(1.0, trust=0.1, momentum=0.9)
    G = np.ones((2, 2))
    opt.step([W], [G])
    first = 1 - W[0, 0]
    opt.step([W], [G])
    assert 1 - W[0, 0] > 2 * first  # the second step adds 0.9 of the first


@pytest.mark.parametrize(
    "kwargs",
    [
        {"lr": 0.0},
        {"lr": -1.0},
        {"lr": float("nan")},
        {"lr": 1.0, "momentum": 1.0},
        {"lr": 1.0, "trust": 0.0},
        {"lr": True},
    ],
)
def test_bad_arguments_raise(kwargs):
    with pytest.raises(ValueError):
        LARS(**kwargs)


def test_mismatched_grads_raise():
    with pytest.raises(ValueError, match="grads has 1 arrays"):
        LARS(1.0).step([np.ones((2, 2)), np.ones(2)], [np.ones((2, 2))])
