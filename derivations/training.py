"""Section 5.2 claims: the parameter count of the book's MLP (5.2.params) and training it from scratch (5.2.train).

Row-major minibatches as in the book: ``H = ReLU(X W1 + b1)``, ``O = H W2 + b2``
with ``W1 ∈ R^{d×h}``, ``b1 ∈ R^{1×h}``, ``W2 ∈ R^{h×q}``, ``b2 ∈ R^{1×q}``.
The count is derived from these shapes (symbolic ``d, h, q``) and compared
with a real ``numeric.training.MLPScratch``; the training claim runs the
book's settings on the embedded digits dataset.
"""

from __future__ import annotations

import functools

import numpy as np
import sympy as sp
from hypothesis import strategies as st

from .checking import hypothesis_check, symbolic_equal
from .claims import Check, Context, register
from numeric.training import DEFAULT_EPOCHS  # the default run's epochs (re-exported)

__all__ = ["BOOK_SIZES", "DEFAULT_EPOCHS", "parameter_count", "parameter_shapes"]

d, h, q = sp.symbols("d h q", positive=True, integer=True)

#: The book's model: 784 = 28×28 Fashion-MNIST pixels, 256 hidden units, 10 classes.
BOOK_SIZES = {d: 784, h: 256, q: 10}

#: The book's parameter count, as printed (claim 5.2.params).
BOOK_COUNT = 203_530


#: "Far above chance" for 10 balanced classes (chance ≈ 0.1): at least 0.9, nine
#: times chance. A predictor independent of the labels exceeds it on 297
#: validation images with probability below 1e-200 (binomial tail, reported).
FAR_ABOVE_CHANCE = 0.9

#: Sizes (d, q, h) for the count check on other widths: small, so building is cheap.
SMALL_SIZES = st.tuples(st.integers(1, 40), st.integers(1, 12), st.integers(1, 40))


def parameter_shapes() -> dict[str, tuple]:
    """Eq. 5.1.1 shapes, row-major: ``W1 (d, h)``, ``b1 (1, h)``, ``W2 (h, q)``, ``b2 (1, q)``."""
    return {
        "W1": sp.MatrixSymbol("W1", d, h).shape,
        "b1": sp.MatrixSymbol("b1", 1, h).shape,
        "W2": sp.MatrixSymbol("W2", h, q).shape,
        "b2": sp.MatrixSymbol("b2", 1, q).shape,
    }


def parameter_count() -> sp.Expr:
    """Claim 5.2.params: Σ rows·cols over the shapes of Eq. 5.1.1 = ``d·h + h + h·q + q``."""
    return sp.Add(*(rows * cols for rows, cols in parameter_shapes().values()))


def _statement() -> sp.Eq:
    return sp.Eq(parameter_count(), BOOK_COUNT)


@register(
    "5.2.params",
    title="The book's MLP 784-256-10 has 203,530 parameters",
    latex=r"\underbrace{d h + h}_{W_1,\, b_1} + \underbrace{h q + q}_{W_2,\, b_2}"
    r"\Big|_{d=784,\ h=256,\ q=10} = 203{,}530",
    statement=_statement,
)
def _parameter_count(ctx: Context):
    from numeric.training import MLPScratch

    count = parameter_count()
    yield symbolic_equal(
        count, d * h + h + h * q + q, "Σ rows·cols of W1 (d×h), b1 (1×h), W2 (h×q), b2 (1×q) = dh + h + hq + q"
    )
    book = count.subs(BOOK_SIZES)
    yield Check(
        "symbolic",
        book == BOOK_COUNT,
        f"dh + h + hq + q at d=784, h=256, q=10 is {book}; the book prints {BOOK_COUNT:,}",
    )

    model = MLPScratch(rng=ctx.rng(1))
    shapes = [tuple(int(s.subs(BOOK_SIZES)) for s in shape) for shape in parameter_shapes().values()]
    real = [p.shape if p.ndim == 2 else (1, p.shape[0]) for p in model.params]  # a bias (h,) is the row 1×h
    yield Check(
        "shape",
        real == shapes and model.num_params == BOOK_COUNT,
        f"MLPScratch() has params of shapes {real} (biases as 1×n rows) holding {model.num_params:,} numbers; "
        f"derived {shapes} and {BOOK_COUNT:,}",
    )

    def error(sizes):
        n_in, n_out, n_hid = sizes
        built = MLPScratch(n_in, n_out, n_hid, rng=np.random.default_rng(0)).num_params
        return abs(built - int(count.subs({d: n_in, q: n_out, h: n_hid})))

    yield hypothesis_check(
        "shape",
        "MLPScratch(d, q, h).num_params vs dh + h + hq + q (exact integers)",
        SMALL_SIZES,
        error,
        ctx=ctx,
        tol=0,  # integer counts: any difference is an error
        salt=2,
    )


@functools.cache
def default_run(seed: int = 0):
    """The default ``mlp-derivations train`` run on the digits (book settings, ``DEFAULT_EPOCHS``), cached per seed."""
    from numeric.data import load_digits
    from numeric.training import MLPScratch, train

    data = load_digits()
    rng = np.random.default_rng(seed)
    model = MLPScratch(num_inputs=data.num_inputs, num_outputs=data.num_classes, rng=rng)
    return data, train(model, data, epochs=DEFAULT_EPOCHS, lr=0.1, batch_size=256, rng=rng)


@register(
    "5.2.train",
    title="The scratch MLP learns: loss falls, accuracy far above chance",
    latex=r"\text{SGD}(\eta{=}0.1,\ B{=}256,\ W \sim \mathcal{N}(0, 0.01^2),\ b{=}0):\ "
    r"\bar L_{t+1} < \bar L_t,\quad \mathrm{acc}_{\mathrm{val}} \gg \tfrac{1}{10}",
    statement=lambda: sp.Symbol(r"\bar{L}_{t+1}") < sp.Symbol(r"\bar{L}_{t}"),
)
def _training(ctx: Context):
    from scipy import stats

    data, history = default_run(ctx.seed)
    losses = [s.train_loss for s in history]
    rises = [s.epoch for prev, s in zip(history, history[1:]) if not s.train_loss < prev.train_loss]
    yield Check(
        "numeric",
        not rises,
        f"mean epoch training loss fell every epoch, {losses[0]:.4f} -> {losses[-1]:.4f} over {len(losses)} epochs"
        if not rises
        else f"mean epoch training loss did not fall at epochs {rises[:5]} (seed {ctx.seed})",
    )
    final = history[-1]
    n_val = data.y_val.size
    correct = round(final.val_acc * n_val)
    chance = np.bincount(data.y_val).max() / n_val  # the best label-blind predictor: the commonest class
    p_value = stats.binom.sf(correct - 1, n_val, chance)
    yield Check(
        "numeric",
        final.val_acc >= FAR_ABOVE_CHANCE,
        f"validation accuracy {final.val_acc:.4f} ({correct}/{n_val}) after {len(history)} epochs vs required "
        f"{FAR_ABOVE_CHANCE} (9x the 1/10 chance level); a label-blind predictor (accuracy <= {chance:.3f}) scores this well "
        f"with probability {p_value:.1e} (binomial tail)",
    )
