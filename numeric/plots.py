"""The chapter's figures as PNG (matplotlib, imported on first use; no pyplot, so no GUI backend is touched).

Each ``*_figure`` function returns a ``matplotlib.figure.Figure`` of
:data:`FIGSIZE` inches at :data:`DPI`; :func:`save` writes one as PNG and
:func:`write_figures` writes all five into a directory:

a. ``activations.png`` — ReLU, sigmoid, tanh and their derivatives on [-8, 8) (section 5.1);
b. ``sigmoid_vanishing.png`` — the sigmoid and its gradient, at most 1/4 (section 5.4);
c. ``exploding_products.png`` — log10 max|entry| of 101-factor 4×4 products (section 5.4);
d. ``depth_variance.png`` — activation variance through depth, default / Xavier / He, tanh and ReLU;
e. ``training_curves.png`` — per-epoch losses and validation accuracy of a training run (section 5.2).
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

__all__ = [
    "DPI",
    "FIGSIZE",
    "FIGURES",
    "NOTE_PRODUCT_MAX",
    "activations_figure",
    "depth_variance_figure",
    "exploding_products_figure",
    "save",
    "sigmoid_vanishing_figure",
    "training_curves_figure",
    "write_figures",
]

# Literals inside the figure functions (line widths, alpha, font sizes, 60 histogram bins) are
# cosmetic choices made by looking at the PNGs; none changes what a figure shows.

#: Every figure is 11 × 4.5 inches at 100 dpi: 1100 × 450 pixels, readable at 100% zoom.
FIGSIZE = (11.0, 4.5)
DPI = 100

#: The book's plotting grid: torch.arange(-8.0, 8.0, 0.1).
X_GRID = np.arange(-8.0, 8.0, 0.1)

#: The largest |entry| the study note prints for its 101-factor 4×4 product.
NOTE_PRODUCT_MAX = 3.8092853e21

#: File names of the five figures, in the order of the module docstring.
FIGURES = (
    "activations.png",
    "sigmoid_vanishing.png",
    "exploding_products.png",
    "depth_variance.png",
    "training_curves.png",
)


def _figure(ncols: int, title: str):
    from matplotlib.figure import Figure

    fig = Figure(figsize=FIGSIZE, dpi=DPI, layout="constrained")
    axes = fig.subplots(1, ncols, squeeze=False)[0]
    fig.suptitle(title, fontsize=13)
    return fig, axes


def save(fig, path: str | Path) -> Path:
    """Write ``fig`` as a PNG of exactly ``FIGSIZE × DPI`` pixels; returns the path."""
    path = Path(path)
    fig.savefig(path, format="png", dpi=DPI)
    return path


def activations_figure():
    """Eqs. 5.1.4–5.1.9: ReLU, sigmoid, tanh (solid) and their derivatives (dashed) on the book's grid [-8, 8)."""
    from . import activations as act

    fig, axes = _figure(3, "Activation functions and their derivatives (section 5.1)")
    for ax, name, f, df in (
        (axes[0], "ReLU", act.relu, act.relu_grad),
        (axes[1], "sigmoid", act.sigmoid, act.sigmoid_grad),
        (axes[2], "tanh", act.tanh, act.tanh_grad),
    ):
        ax.plot(X_GRID, f(X_GRID), label=f"{name}(x)", linewidth=2)
        ax.plot(X_GRID, df(X_GRID), "--", label=f"d/dx {name}(x)", linewidth=2)
        ax.set_title(name)
        ax.set_xlabel("x")
        ax.set_ylabel("value")
        ax.grid(alpha=0.3)
        ax.legend(loc="upper left")
    return fig


def sigmoid_vanishing_figure():
    """Eq. 5.1.7 and section 5.4: sigmoid(x) and sigmoid'(x) = sigmoid(x)(1 - sigmoid(x)) <= 1/4, vanishing for large |x|."""
    from . import activations as act

    fig, axes = _figure(2, "The sigmoid's gradient vanishes (section 5.4.1.1)")
    ax = axes[0]
    ax.plot(X_GRID, act.sigmoid(X_GRID), label="sigmoid(x)", linewidth=2)
    ax.plot(X_GRID, act.sigmoid_grad(X_GRID), "--", label="sigmoid'(x)", linewidth=2)
    ax.axhline(0.25, color="gray", linewidth=1, linestyle=":", label="1/4, the largest gradient (x = 0)")
    ax.set_xlabel("x")
    ax.set_ylabel("value")
    ax.set_title("sigmoid and its derivative")
    ax.grid(alpha=0.3)
    ax.legend(loc="upper left")
    ax = axes[1]
    ax.semilogy(X_GRID, act.sigmoid_grad(X_GRID), linewidth=2, label="sigmoid'(x)")
    ax.semilogy(X_GRID, np.exp(-np.abs(X_GRID)), ":", linewidth=2, label="exp(-|x|), an upper bound")
    ax.set_xlabel("x")
    ax.set_ylabel("gradient (log scale)")
    ax.set_title("gradient on a log scale")
    ax.grid(alpha=0.3, which="both")
    ax.legend(loc="lower center")
    return fig


def exploding_products_figure(*, samples: int = 4000, n: int = 4, factors: int = 101, rng=None):
    """Section 5.4 exploding gradients: histogram of log10 max|entry| of ``samples`` products of ``factors`` n×n N(0, 1) matrices.

    Marks the Lyapunov prediction ``factors · λ / ln 10`` (λ = ½ (ln 2 + ψ(n/2)))
    and the study note's printed largest entry (:data:`NOTE_PRODUCT_MAX`).
    """
    from .stability import lyapunov_exponent, scaled_matrix_product

    P, e = scaled_matrix_product(n, factors, size=samples, rng=rng)
    log10_max = np.log10(np.max(np.abs(P), axis=(1, 2))) + e * math.log10(2)
    lam = lyapunov_exponent(n)
    predicted = factors * lam / math.log(10)
    note = math.log10(NOTE_PRODUCT_MAX)
    percentile = 100 * np.mean(log10_max <= note)
    fig, axes = _figure(1, f"Exploding products: {factors} random {n}×{n} matrices multiplied (section 5.4.1.2)")
    ax = axes[0]
    counts, _, _ = ax.hist(log10_max, bins=60, color="tab:blue", alpha=0.75, label=f"{samples} simulated products")
    ax.set_ylim(0, 1.3 * counts.max())  # 1.3: headroom so the legend does not cover the bars
    ax.axvline(predicted, color="tab:red", linewidth=2,
               label=f"Lyapunov prediction {factors}·λ/ln 10 = {predicted:.1f} (λ = {lam:.3f})")
    ax.axvline(note, color="black", linestyle="--", linewidth=2,
               label=f"study note's value 3.81e21 (log10 = {note:.2f}, percentile {percentile:.0f})")
    ax.set_xlabel("log10 of the largest |entry| of the product")
    ax.set_ylabel("number of products")
    ax.grid(alpha=0.3)
    ax.legend(loc="upper right")
    return fig


#: Initializers compared in the depth figure, with their legend names.
DEPTH_INITS = (("normal", "default N(0, 0.01²)"), ("xavier_normal", "Xavier normal"), ("he_normal", "He normal"))


def depth_variance_figure(*, depth: int = 50, width: int = 256, rng=None):
    """Section 5.4.2: Var h^(l) (solid) and Var ∂ℓ/∂h^(l-1) (dashed) through ``depth`` layers, tanh and ReLU, row-major."""
    from .stability import depth_experiment

    rng = np.random.default_rng(0) if rng is None else rng
    fig, axes = _figure(2, f"Variance through depth, {width} units per layer (section 5.4.2)")
    colors = ("tab:gray", "tab:blue", "tab:orange")
    for ax, activation in zip(axes, ("tanh", "relu")):
        for (init, label), color in zip(DEPTH_INITS, colors):
            run = depth_experiment(init, activation, depth=depth, width=width, rng=rng)
            ax.semilogy(run.layers, run.activation_variance, color=color, linewidth=2, label=f"{label}: activations")
            ax.semilogy(run.layers, run.gradient_variance, color=color, linewidth=1.5, linestyle="--",
                        label=f"{label}: gradients")
        ax.set_title(f"{'tanh' if activation == 'tanh' else 'ReLU'} network")
        ax.set_xlabel("layer l")
        ax.set_ylabel("variance (log scale)")
        ax.grid(alpha=0.3, which="major")
    fig.legend(*axes[0].get_legend_handles_labels(), loc="outside right center", fontsize=9)
    return fig


def training_curves_figure(history, *, title: str = "Training the scratch MLP (section 5.2)"):
    """Section 5.2: per-epoch mean training loss, validation loss and validation accuracy of ``history`` (``EpochStats``)."""
    if not history:
        raise ValueError("history is empty; expected one EpochStats per epoch from numeric.training.train")
    epochs = [s.epoch for s in history]
    fig, axes = _figure(2, title)
    ax = axes[0]
    ax.plot(epochs, [s.train_loss for s in history], linewidth=2, label="training loss (epoch mean)")
    ax.plot(epochs, [s.val_loss for s in history], "--", linewidth=2, label="validation loss")
    ax.set_xlabel("epoch")
    ax.set_ylabel("mean softmax cross-entropy")
    ax.set_title("loss")
    ax.grid(alpha=0.3)
    ax.legend()
    ax = axes[1]
    ax.plot(epochs, [s.val_acc for s in history], color="tab:green", linewidth=2, label="validation accuracy")
    ax.axhline(0.1, color="gray", linestyle=":", label="chance (10 classes)")
    ax.set_ylim(0, 1)
    ax.set_xlabel("epoch")
    ax.set_ylabel("accuracy")
    ax.set_title(f"validation accuracy (final {history[-1].val_acc:.3f})")
    ax.grid(alpha=0.3)
    ax.legend(loc="lower right")
    return fig


def write_figures(out_dir: str | Path, *, history, rng=None) -> list[Path]:
    """Write the five figures of :data:`FIGURES` into ``out_dir`` (created if missing); ``history`` feeds (e)."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(0) if rng is None else rng
    figures = (
        activations_figure(),
        sigmoid_vanishing_figure(),
        exploding_products_figure(rng=rng),
        depth_variance_figure(rng=rng),
        training_curves_figure(history),
    )
    return [save(fig, out / name) for fig, name in zip(figures, FIGURES)]
