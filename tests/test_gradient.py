"""derivations.gradient: the issue's example, output forms, and one-line errors for bad input."""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp

import derivations
from derivations import gradient

LAYER = {"W": ("h", "d"), "x": ("d", 1), "b": ("h", 1)}


def test_tanh_layer_gradient_is_the_closed_form_with_the_shape_of_W():
    G = gradient("sum(tanh(W*x + b))", "W", matrices=LAYER)
    assert str(G) == "(1 - tanh(W*x + b)**2)*x.T"
    h, d = sp.symbols("h d", integer=True, positive=True)
    assert G.shape == (h, d)
    rng = np.random.default_rng(1)
    W, x, b = rng.standard_normal((3, 2)), rng.standard_normal(2), rng.standard_normal(3)
    expected = np.outer(1 - np.tanh(W @ x + b) ** 2, x)
    assert np.allclose(G.function()(W=W, x=x, b=b), expected, rtol=1e-14, atol=1e-14)
    assert r"\tanh" in G.latex and G._repr_latex_().startswith("$")


def test_public_names_are_exported():
    assert derivations.gradient is gradient
    assert callable(derivations.verify_gradient) and derivations.Gradient


def test_verify_fails_for_a_broken_closed_form():
    G = gradient("sum(tanh(W*x + b))", "W", matrices=LAYER)
    G.expr = 2 * G.expr  # a wrong closed form must be caught by both independent checks
    result = G.verify()
    assert not result.ok
    assert [c.ok for c in result.checks if c.method != "shape"] == [False, False]


BAD = [
    ("non-scalar-f", dict(f="W*x + b", wrt="W", matrices=LAYER), "matrix; expected a scalar"),
    ("wrt-not-in-f", dict(f="sum(W*x)", wrt="b", matrices=LAYER), "does not occur in f"),
    ("wrt-unknown-name", dict(f="sum(W*x)", wrt="V", matrices=LAYER), "does not occur in f"),
    ("wrt-is-a-dimension", dict(f="sum(W*x)", wrt="h", matrices=LAYER), "is a dimension"),
    ("undeclared-matrix-transposed", dict(f="v.T*W*x", wrt="W", matrices=LAYER), "undeclared"),
    ("mismatched-sizes", dict(f="sum(W*b)", wrt="W", matrices=LAYER), "mismatched sizes"),
    ("no-known-derivative", dict(f=sp.floor(sp.Symbol("lam")) + sp.Symbol("lam"), wrt="lam"), "no known derivative"),
    ("kronecker-no-rule", dict(f="trace(kron(W, W).T*kron(W, W))", wrt="W", matrices=LAYER), "no gradient rule"),
    ("empty-f", dict(f="  ", wrt="W", matrices=LAYER), "is empty"),
    ("f-not-an-expression", dict(f=3.5, wrt="W", matrices=LAYER), "expected a SymPy expression"),
]


@pytest.mark.parametrize("kwargs, message", [b[1:] for b in BAD], ids=[b[0] for b in BAD])
def test_bad_input_is_a_one_line_value_error(kwargs, message):
    kwargs = dict(kwargs)
    with pytest.raises(ValueError) as info:
        gradient(kwargs.pop("f"), kwargs.pop("wrt"), **kwargs)
    assert message in str(info.value) and "\n" not in str(info.value)


def test_a_gradient_renders_as_mathml_in_a_notebook():
    g = derivations.gradient("sum(tanh(W*x + b))", "W", matrices={"W": ("h", "d"), "x": ("d", 1), "b": ("h", 1)})
    page = g._repr_html_()
    assert "<math" in page and "<script" not in page and "shape h × d" in page
