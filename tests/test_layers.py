"""Claims 5.1.1-5.1.3 (derivations.layers): shapes, collapse, and ReLU breaking the collapse."""

from __future__ import annotations

import numpy as np
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

import derivations
from derivations import layers
from derivations.chain import shape_of


def test_hidden_and_output_have_the_books_shapes_for_symbolic_sizes():
    problems: list[str] = []
    assert shape_of(layers.hidden(), problems) == (layers.n, layers.h)
    assert shape_of(layers.output(layers.hidden()), problems) == (layers.n, layers.q)
    assert problems == []


def test_adding_an_unbroadcast_bias_row_is_a_shape_error():
    problems: list[str] = []
    shape_of(layers.X * layers.W1 + layers.b1, problems)
    assert problems and "b1 is 1×h" in problems[0]


@settings(max_examples=20)
@given(sizes=st.lists(st.integers(3, 7), min_size=4, max_size=4, unique=True), seed=st.integers(0, 2**16))
def test_collapsed_affine_map_equals_the_two_layer_net_numerically(sizes, seed):
    n, d, h, q = sizes
    rng = np.random.default_rng(seed)
    X, W1, b1, W2, b2 = (rng.standard_normal(s) for s in ((n, d), (d, h), (h,), (h, q), (q,)))
    two_layer = (X @ W1 + b1) @ W2 + b2
    collapsed = X @ (W1 @ W2) + (b1 @ W2 + b2)
    # rounding: both sides are sums of <= d*h + h + 1 products of O(1) numbers; 1e-12 is ~100x that bound
    assert np.max(np.abs(two_layer - collapsed)) <= 1e-12 * max(1.0, np.max(np.abs(two_layer)))


def test_relu_network_violates_the_affine_identity_exactly():
    assert layers.relu_network(sp.Integer(1)) == 1 and layers.relu_network(sp.Integer(-1)) == 1
    assert layers.affine_identity_gap(layers.relu_network, sp.Integer(1)) == 2


def test_every_affine_map_satisfies_the_identity():
    f = lambda u: 3 * u - 7  # noqa: E731 - an affine map
    assert layers.affine_identity_gap(f, sp.Symbol("u")) == 0


def test_claims_5_1_1_to_5_1_3_verify_with_every_step_shown():
    for cid in ("5.1.1", "5.1.2", "5.1.3"):
        result = derivations.claim(cid).verify(examples=5)
        assert result.ok, str(result)
    collapse = derivations.claim("5.1.2").verify()
    assert sum("step" in c.detail for c in collapse.checks) == 4  # 2 row-form + 2 column-form steps
    assert all(c.method == "symbolic" for c in collapse.checks)
