"""Exercises of section 5.1 on activations: tanh and sigmoid networks are reparametrizations (5.1.ex5b), and an
explicit vanishing gradient of the sigmoid (5.1.ex7)."""

from __future__ import annotations

import numpy as np
import sympy as sp
from hypothesis import strategies as st

from ..checking import hypothesis_check, symbolic_equal
from ..claims import Check, Context, register

__all__ = ["sigmoid_from_tanh", "tanh_from_sigmoid"]

_z = sp.Symbol("z", real=True)


def _equal(lhs, rhs, what: str) -> Check:
    """A symbolic identity: cancel after rewriting in exp (rational in e^z: a complete zero test), else the full cascade."""
    if sp.cancel(sp.expand((sp.sympify(lhs) - rhs).rewrite(sp.exp))) == 0:
        return Check("symbolic", True, f"proved {what}")
    return symbolic_equal(lhs, rhs, what)


def _sig(x):
    return 1 / (1 + np.exp(-x))


def tanh_from_sigmoid(layers):
    """5.1.ex5b via Eq. 5.1.9/5.1.10 (tanh z = 2 sigmoid(2z) − 1): a sigmoid net equal to the tanh net ``layers``.

    ``layers`` = [(W_1, b_1), ..., (V, c)] in column form; returns the sigmoid net's layers:
    (2W_1, 2b_1), then (4W_l, 2(b_l − W_l 1)) for hidden l ≥ 2, then (2V, c − V 1).
    """
    out = []
    for l, (W, b) in enumerate(layers):
        if l == 0:
            out.append((2 * W, 2 * b))
        elif l < len(layers) - 1:
            out.append((4 * W, 2 * (b - W.sum(axis=1))))
        else:
            out.append((2 * W, b - W.sum(axis=1)))
    return out


def sigmoid_from_tanh(layers):
    """5.1.ex5b, converse (sigmoid z = (tanh(z/2) + 1)/2): a tanh net equal to the sigmoid net ``layers``."""
    out = []
    for l, (W, b) in enumerate(layers):
        if l == 0:
            out.append((W / 2, b / 2))
        elif l < len(layers) - 1:
            out.append((W / 4, b / 2 + W.sum(axis=1) / 4))
        else:
            out.append((W / 2, b + W.sum(axis=1) / 2))
    return out


def _run(layers, phi, x):
    h = x
    for W, b in layers[:-1]:
        h = phi(W @ h + b)
    V, c = layers[-1]
    return V @ h + c


@st.composite
def _tanh_net(draw):
    L = draw(st.integers(1, 5))  # hidden layers
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    widths = rng.integers(1, 5, size=L + 2)
    layers = [
        (rng.standard_normal((widths[i + 1], widths[i])), rng.standard_normal(widths[i + 1])) for i in range(L + 1)
    ]
    return layers, rng.standard_normal(widths[0])


def _ex5b_error(drawn) -> float:
    layers, x = drawn
    o = _run(layers, np.tanh, x)
    s = _run(tanh_from_sigmoid(layers), _sig, x)
    back = _run(sigmoid_from_tanh(tanh_from_sigmoid(layers)), np.tanh, x)
    return float(max(np.max(np.abs(o - s)), np.max(np.abs(o - back))) / (1 + np.max(np.abs(o))))


@register(
    "5.1.ex5b",
    title="Exercise 5.1.5b: tanh and sigmoid networks parametrize the same functions (any depth)",
    latex=r"V\tanh(Wx+b)+c = 2V\,\sigma(2Wx+2b) + c - V\mathbf{1}",
)
def _ex5b(ctx: Context):
    sig = lambda u: 1 / (1 + sp.exp(-u))  # noqa: E731
    yield _equal(sp.tanh(_z), 2 * sig(2 * _z) - 1, "tanh z = 2 sigmoid(2z) − 1")
    # Induction step, per unit of width 3 with symbolic weights: if h_j = 2 s_j − 1 (the previous layer), the
    # pre-activation u = Σ W_j h_j + b equals half the sigmoid layer's (4W, 2(b − Σ W_j)) pre-activation, so
    # tanh(u) = 2 sigmoid(2u) − 1 carries the relation to the next layer, and the output V h + c = 2 V s + c − V 1.
    Ws, ss = sp.symbols("w1:4", real=True), sp.symbols("s1:4", real=True)
    b, c = sp.symbols("b c", real=True)
    u = sum(w * (2 * s - 1) for w, s in zip(Ws, ss)) + b
    u_sig = sum(4 * w * s for w, s in zip(Ws, ss)) + 2 * (b - sum(Ws))
    # with z = u in the identity above, tanh(u) = 2 sigmoid(2u) − 1, so it remains to show u_sig = 2u
    yield _equal(
        u_sig,
        2 * u,
        "induction step: the sigmoid layer's pre-activation Σ 4W_j s_j + 2(b − Σ W_j) "
        "equals 2 Σ W_j (2 s_j − 1) + 2b, so tanh(u) = 2 sigmoid(u_sig) − 1 (symbolic W, s, b)",
    )
    yield _equal(
        sum(w * (2 * s - 1) for w, s in zip(Ws, ss)) + c,
        sum(2 * w * s for w, s in zip(Ws, ss)) + c - sum(Ws),
        "output layer: V(2s − 1) + c = 2V s + (c − V 1)",
    )
    # values and weights O(1), ≤ 6 layers of width ≤ 4: rounding ~ 1e-15 per layer amplified by the ≤ 4x weights; 1e-10 safe
    yield hypothesis_check(
        "numeric",
        "Hypothesis-drawn tanh nets of depth 1-5: the converted sigmoid net and the "
        "converted-back tanh net give the same outputs",
        _tanh_net(),
        _ex5b_error,
        ctx=ctx,
        tol=1e-10,
        salt=51,
    )


@register(
    "5.1.ex7",
    title="Exercise 5.1.7: the sigmoid's gradient vanishes (sigmoid'(10) ≈ 4.5e-5; at most 4^-L through L layers)",
    latex=r"\sigma'(10) = \frac{e^{-10}}{(1+e^{-10})^2},\ \Big|\tfrac{d}{dx}\sigma^{\circ L}\Big| \le 4^{-L}",
)
def _ex7(ctx: Context):
    sig = 1 / (1 + sp.exp(-_z))
    dsig = sp.diff(sig, _z)
    at10 = dsig.subs(_z, 10)
    ok10 = sp.cancel(at10 - sp.exp(-10) / (1 + sp.exp(-10)) ** 2) == 0 and abs(float(at10) - 4.5396e-5) < 1e-8
    yield Check(
        "exact",
        ok10,
        f"sigmoid'(10) = e^-10/(1 + e^-10)² = {float(at10):.6g} exactly (vanishing: ~ 2·10⁴ times below 1/4)",
    )
    yield _equal(
        sp.Rational(1, 4) - dsig,
        (1 - sp.exp(-_z)) ** 2 / (4 * (1 + sp.exp(-_z)) ** 2),
        "1/4 − sigmoid'(z) = (1 − e^-z)²/(4(1 + e^-z)²) ≥ 0, zero only at z = 0",
    )
    # L unit-weight layers h_l = sigmoid(h_{l-1} − 1/2) (bias −1/2 keeps every pre-activation at 0 from x = 1/2):
    # the chain rule's product reaches 4^-L exactly.
    # the chain rule in exact arithmetic: d h_L/dx = Π_l sigmoid'(z_l), z_l = h_{l-1} − 1/2, from h_0 = 1/2
    exact, h, g = True, sp.Rational(1, 2), sp.Integer(1)
    for L in range(1, 6):
        g, h = g * dsig.subs(_z, h - sp.Rational(1, 2)), sig.subs(_z, h - sp.Rational(1, 2))
        exact = exact and g == sp.Rational(1, 4) ** L
    yield Check(
        "exact",
        exact,
        "L = 1..5 layers h_l = sigmoid(h_{l-1} − 1/2) at x = 1/2: d h_L/dx = 4^-L exactly (the bound is reached)",
    )

    def excess(drawn):
        xv, L = drawn
        h = complex(xv, 1e-30)  # complex step: d h_L/dx = Im h_L(x + i·1e-30) / 1e-30, no cancellation
        for _ in range(L):
            h = 1 / (1 + np.exp(-h))
        return max(0.0, abs(h.imag / 1e-30) * 4.0**L - 1.0)

    # the complex step is exact to rounding (~1e-16 relative per layer, ≤ 8 layers): 1e-12 covers it
    yield hypothesis_check(
        "numeric",
        "unit-weight sigmoid chains of depth 1-8 at Hypothesis-drawn x: |d h_L/dx| ≤ 4^-L",
        st.tuples(st.floats(-30, 30), st.integers(1, 8)),
        excess,
        ctx=ctx,
        tol=1e-12,
        salt=71,
    )
