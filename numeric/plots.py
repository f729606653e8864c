"""The chapter's figures as PNG (matplotlib, imported on first use; no pyplot, so no GUI backend is touched).

Each ``*_figure`` function returns a ``matplotlib.figure.Figure`` of
:data:`FIGSIZE` inches (:data:`ACTIVATIONS_FIGSIZE` for the activations) at
``dpi`` (default :data:`DPI`); :func:`save` writes one as PNG and
:func:`write_figures` writes all five into a directory:

a. ``activations.png`` — ReLU, sigmoid, tanh (top) and their derivatives (bottom, each on its own y-range;
   ReLU′ in two pieces, ReLU′(0) = 0 marked) on [-8, 8) (section 5.1);
b. ``sigmoid_vanishing.png`` — the sigmoid and its gradient, at most 1/4 (section 5.4);
c. ``exploding_products.png`` — log10 max|entry| of 101-factor 4×4 products (section 5.4);
d. ``depth_variance.png`` — activation variance through depth, default / Xavier / He, tanh and ReLU, on
   :data:`DEPTH_YLIM` (a box in each panel says how far the curves that leave it go);
e. ``training_curves.png`` — per-epoch losses and validation accuracy of a training run, the dataset in the
   title (section 5.2).
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

__all__ = [
    "ACTIVATIONS_FIGSIZE",
    "DEPTH_YLIM",
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

#: Figures are 11 × 4.5 inches; at the default 150 dpi, 1650 × 675 pixels (sharp on a high-density screen).
FIGSIZE = (11.0, 4.5)
#: The activations figure has two rows (functions, derivatives): 11 × 6.5 inches.
ACTIVATIONS_FIGSIZE = (11.0, 6.5)
DPI = 150

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


def _check_dpi(dpi) -> int:
    if isinstance(dpi, bool) or not isinstance(dpi, (int, np.integer)) or not 10 <= dpi <= 1200:
        raise ValueError(f"dpi={dpi!r} is not allowed; expected an integer from 10 to 1200")
    return int(dpi)


def _figure(ncols: int, title: str, dpi: int, *, nrows: int = 1, figsize=FIGSIZE):
    from matplotlib.figure import Figure

    fig = Figure(figsize=figsize, dpi=_check_dpi(dpi), layout="constrained")
    axes = fig.subplots(nrows, ncols, squeeze=False)
    fig.suptitle(title, fontsize=13)
    return fig, (axes[0] if nrows == 1 else axes)


def save(fig, path: str | Path, *, dpi: int | None = None) -> Path:
    """Write ``fig`` as a PNG of its size × ``dpi`` pixels (default: the dpi it was made with); returns the path."""
    path = Path(path)
    fig.savefig(path, format="png", dpi=fig.dpi if dpi is None else _check_dpi(dpi))
    return path


def activations_figure(*, dpi: int = DPI):
    """Eqs. 5.1.4–5.1.9: ReLU, sigmoid, tanh (top) and their derivatives (bottom) on the book's grid [-8, 8).

    Every panel has its own y-range.  ReLU′ is drawn as its two pieces (0 for x < 0, 1 for x > 0) with
    the value at 0 marked: ReLU′(0) = 0, the book's convention (a filled dot; the open circle at 1 is
    the right-hand limit).
    """
    from . import activations as act

    fig, axes = _figure(
        3,
        "Activation functions (top) and their derivatives (bottom), section 5.1",
        dpi,
        nrows=2,
        figsize=ACTIVATIONS_FIGSIZE,
    )
    for col, (name, f, df) in enumerate(
        (
            ("ReLU", act.relu, act.relu_grad),
            ("sigmoid", act.sigmoid, act.sigmoid_grad),
            ("tanh", act.tanh, act.tanh_grad),
        )
    ):
        top, bottom = axes[0][col], axes[1][col]
        top.plot(X_GRID, f(X_GRID), linewidth=2, color="tab:blue")
        top.set_title(f"{name}(x)")
        top.set_ylabel(f"{name}(x)")
        if name == "ReLU":
            left, right = X_GRID[X_GRID < 0], X_GRID[X_GRID > 0]
            bottom.plot(left, df(left), linewidth=2, color="tab:orange")
            bottom.plot(right, df(right), linewidth=2, color="tab:orange")
            bottom.plot(
                [0.0],
                [float(df(np.array([0.0]))[0])],
                "o",
                color="tab:orange",
                markersize=7,
                label="ReLU′(0) = 0 (convention)",
            )
            bottom.plot([0.0], [1.0], "o", markerfacecolor="white", color="tab:orange", markersize=7)
            bottom.set_ylim(-0.15, 1.15)
            bottom.legend(loc="center left", fontsize=9)
        else:
            bottom.plot(X_GRID, df(X_GRID), linewidth=2, color="tab:orange")
        bottom.set_title(f"{name}′(x)")
        bottom.set_ylabel(f"{name}′(x)")
        for ax in (top, bottom):
            ax.set_xlabel("x")
            ax.grid(alpha=0.3)
    return fig


def sigmoid_vanishing_figure(*, dpi: int = DPI):
    """Eq. 5.1.7 and section 5.4: sigmoid(x) and sigmoid'(x) = sigmoid(x)(1 - sigmoid(x)) <= 1/4, vanishing for large |x|."""
    from . import activations as act

    fig, axes = _figure(2, "The sigmoid's gradient vanishes (section 5.4.1.1)", dpi)
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


def exploding_products_figure(*, samples: int = 4000, n: int = 4, factors: int = 101, rng=None, dpi: int = DPI):
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
    fig, axes = _figure(1, f"Exploding products: {factors} random {n}×{n} matrices multiplied (section 5.4.1.2)", dpi)
    ax = axes[0]
    counts, _, _ = ax.hist(log10_max, bins=60, color="tab:blue", alpha=0.75, label=f"{samples} simulated products")
    ax.set_ylim(0, 1.3 * counts.max())  # 1.3: headroom so the legend does not cover the bars
    ax.axvline(
        predicted,
        color="tab:red",
        linewidth=2,
        label=f"Lyapunov prediction {factors}·λ/ln 10 = {predicted:.1f} (λ = {lam:.3f})",
    )
    ax.axvline(
        note,
        color="black",
        linestyle="--",
        linewidth=2,
        label=f"study note's value 3.81e21 (log10 = {note:.2f}, percentile {percentile:.0f})",
    )
    ax.set_xlabel("log10 of the largest |entry| of the product")
    ax.set_ylabel("number of products")
    ax.grid(alpha=0.3)
    ax.legend(loc="upper right")
    return fig


#: Initializers compared in the depth figure, with their legend names.
DEPTH_INITS = (("normal", "default N(0, 0.01²)"), ("xavier_normal", "Xavier normal"), ("he_normal", "He normal"))


#: The depth figure's y-range: 7 decades around the variances Xavier and He keep (tanh: 0.01 to 100), so
#: those curves are told apart; a curve that vanishes (the default init: 1e-80 by layer 50) leaves the
#: axes, and a box in the panel gives the extreme value it reaches.
DEPTH_YLIM = (1e-4, 1e3)


def depth_variance_figure(*, depth: int = 50, width: int = 256, rng=None, dpi: int = DPI):
    """Section 5.4.2: Var h^(l) (solid) and Var ∂ℓ/∂h^(l-1) (dashed) through ``depth`` layers, tanh and ReLU, row-major."""
    from .stability import depth_experiment

    rng = np.random.default_rng(0) if rng is None else rng
    fig, axes = _figure(2, f"Variance through depth, {width} units per layer (section 5.4.2)", dpi)
    colors = ("tab:gray", "tab:blue", "tab:orange")
    lo, hi = DEPTH_YLIM
    for ax, activation in zip(axes, ("tanh", "relu")):
        off = []
        for (init, label), color in zip(DEPTH_INITS, colors):
            run = depth_experiment(init, activation, depth=depth, width=width, rng=rng)
            for values, style, what in (
                (run.activation_variance, "-", "activations"),
                (run.gradient_variance, "--", "gradients"),
            ):
                values = np.asarray(values)
                ax.semilogy(
                    run.layers,
                    values,
                    color=color,
                    linewidth=2 if style == "-" else 1.5,
                    linestyle=style,
                    label=f"{label}: {what}",
                )
                low, high = float(values.min()), float(values.max())
                if low < lo or high > hi:
                    off.append(
                        f"{label.split(' ')[0]} {what}: {'down to' if low < lo else 'up to'} "
                        f"{low if low < lo else high:.0e}"
                    )
        ax.set_ylim(lo, hi)
        ax.axhline(1.0, color="black", linewidth=0.8, linestyle=":")
        if off:
            ax.text(
                0.98,
                0.97,
                "off the axes:\n" + "\n".join(off),
                transform=ax.transAxes,
                ha="right",
                va="top",
                fontsize=8,
                bbox={"facecolor": "white", "edgecolor": "#bbb", "alpha": 0.9},
            )
        ax.set_title(f"{'tanh' if activation == 'tanh' else 'ReLU'} network")
        ax.set_xlabel("layer l")
        ax.set_ylabel("variance (log scale)")
        ax.grid(alpha=0.3, which="major")
    fig.legend(*axes[0].get_legend_handles_labels(), loc="outside right center", fontsize=9)
    return fig


def training_curves_figure(history, *, title: str | None = None, dataset: str | None = None, dpi: int = DPI):
    """Section 5.2: per-epoch mean training loss, validation loss and validation accuracy of ``history`` (``EpochStats``).

    The title names ``dataset`` (default title: "Training the scratch MLP on DATASET (section 5.2)").
    """
    if title is None:
        title = f"Training the scratch MLP{f' on {dataset}' if dataset else ''} (section 5.2)"
    if not history:
        raise ValueError("history is empty; expected one EpochStats per epoch from numeric.training.train")
    epochs = [s.epoch for s in history]
    fig, axes = _figure(2, title, dpi)
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


def write_figures(out_dir: str | Path, *, history, dataset: str | None = None, rng=None, dpi: int = DPI) -> list[Path]:
    """Write the five figures of :data:`FIGURES` into ``out_dir`` (created if missing); ``history`` (on ``dataset``) feeds (e)."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(0) if rng is None else rng
    figures = (
        activations_figure(dpi=dpi),
        sigmoid_vanishing_figure(dpi=dpi),
        exploding_products_figure(rng=rng, dpi=dpi),
        depth_variance_figure(rng=rng, dpi=dpi),
        training_curves_figure(history, dataset=dataset, dpi=dpi),
    )
    return [save(fig, out / name) for fig, name in zip(figures, FIGURES)]
