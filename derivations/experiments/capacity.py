"""5.2.ex1–5.2.ex3: the capacity of the hidden layer (its width, one more layer, a single unit), on the digits.

Book's settings (``models``) except the setting varied: 256 ReLU units,
``N(0, 0.01²)`` weights, lr 0.1, minibatches of 256, :data:`models.EPOCHS`
epochs of the digits' 6 minibatches (the book's 10 are for Fashion-MNIST's
235 minibatches an epoch).
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np

from . import stats
from .common import accuracy_row, best_group, curves_axis, epochs_needed, errorbar_axis
from .models import EPOCHS, WIDTH, sweep

__all__ = ["EXPERIMENTS", "exact_rank", "numerical_rank", "single_unit_logits"]

D, Q = 64, 10  # the digits: 8×8 = 64 pixels, 10 classes

#: 5.2.ex1's widths: powers of two from 1 to 1024.
WIDTHS = tuple(2**k for k in range(11))
QUICK_EPOCHS = 2  # tests: two epochs show the plumbing, not the accuracy


def _epochs(ctx) -> int:
    return QUICK_EPOCHS if ctx.quick else EPOCHS


# -- 5.2.ex1: width ------------------------------------------------------------------------------
def _width_measure(ctx) -> list[dict]:
    widths = (1, 8) if ctx.quick else WIDTHS
    epochs = _epochs(ctx)
    runs = sweep(ctx, 1, [{"sizes": [D, w, Q], "epochs": epochs} for w in widths], ctx.id)
    return [accuracy_row(_units(w), r, epochs, width=w) for w, r in zip(widths, runs)]


def _units(width: int) -> str:
    return f"{width} unit" if width == 1 else f"{width} units"


def _width_conclude(rows: list[dict]) -> str:
    rows = sorted(rows, key=lambda r: r["width"])
    best, tied = best_group(rows)
    if best is None:
        return "Every run diverged; no width can be compared."
    up_to_best = [r for r in rows if r["width"] <= best["width"]]
    k = len(up_to_best) - 1  # the plateau: the longest run of widths, ending at the best, all tied with it
    while k > 0 and up_to_best[k - 1] in tied:
        k -= 1
    plateau = up_to_best[k]
    lower = [r for r in rows if r["width"] > best["width"] and r not in tied]
    how = "95% intervals" if best["ci"][0] is not None else "one seed: means"
    if plateau is rows[0]:
        text = (
            f"After {best['epochs']} epochs, held-out accuracy does not rise with width: from "
            f"{_units(rows[0]['width'])} ({stats.fmt(rows[0])}) on, every width up to the best "
            f"({_units(best['width'])}, {stats.fmt(best)}) is within its {how}"
        )
    else:
        text = (
            f"After {best['epochs']} epochs, held-out accuracy rises with width from {stats.fmt(rows[0])} with "
            f"{_units(rows[0]['width'])} to {stats.fmt(plateau)} at {_units(plateau['width'])} and is flat "
            f"beyond: every width from {plateau['width']} to {best['width']} units is within the {how} of the "
            f"best ({_units(best['width'])}, {stats.fmt(best)})"
        )
    wider = [r for r in rows if r["width"] > best["width"]]
    if lower:
        return text + f"; wider still, {', '.join(_units(r['width']) for r in lower)} fall below it beyond the noise."
    if wider:
        return text + f", as is every wider layer up to {_units(rows[-1]['width'])}."
    return text + "."


def _width_figure(rows: list[dict]):
    from .base import new_figure

    rows = sorted(rows, key=lambda r: r["width"])
    fig, (ax, ax2) = new_figure(
        2,
        f"5.2.ex1: accuracy against width ({rows[0]['seeds']} seeds, {rows[0]['epochs']} epochs, lr 0.1, N(0, 0.01²))",
    )
    errorbar_axis(ax, [r["width"] for r in rows], rows, log2=True, label="mean, 95% interval")
    ax.set_xlabel("hidden units (log scale)")
    ax.set_ylabel("validation accuracy after training")
    ax.set_title("final validation accuracy")
    ax.set_ylim(0, 1)
    ax.grid(alpha=0.3)
    ax.legend(loc="lower right")
    curves_axis(ax2, rows, title="validation accuracy per epoch")
    ax2.legend(fontsize=7, ncol=2, loc="best")
    return fig


# -- 5.2.ex2: one added hidden layer -------------------------------------------------------------
def _depth_measure(ctx) -> list[dict]:
    width = 16 if ctx.quick else WIDTH
    epochs = _epochs(ctx)
    settings = [{"sizes": [D, width, Q], "epochs": epochs}, {"sizes": [D, width, width, Q], "epochs": epochs}]
    runs = sweep(ctx, 2, settings, ctx.id)
    return [
        accuracy_row(f"1 hidden layer ({width})", runs[0], epochs, hidden_layers=1),
        accuracy_row(f"2 hidden layers ({width}, {width})", runs[1], epochs, hidden_layers=2),
    ]


def _depth_conclude(rows: list[dict]) -> str:
    one, two = sorted(rows, key=lambda r: r["hidden_layers"])
    if stats.above(one, two):
        verdict = "lower than"
    elif stats.above(two, one):
        verdict = "higher than"
    else:
        verdict = "not distinguishable from"
    return (
        f"After {one['epochs']} epochs, adding a second hidden layer gives held-out accuracy {stats.fmt(two)}, "
        f"{verdict} the book's single layer ({stats.fmt(one)}); two layers {epochs_needed(two)}, one layer "
        f"{epochs_needed(one)}."
    )


def _depth_figure(rows: list[dict]):
    from .base import new_figure

    fig, (ax, ax2) = new_figure(2, f"5.2.ex2: one added hidden layer ({rows[0]['seeds']} seeds, lr 0.1, N(0, 0.01²))")
    curves_axis(ax, rows, title="validation accuracy per epoch")
    ax.legend(loc="best")  # "best": the curves rise to the lower right corner too
    errorbar_axis(ax2, [r["hidden_layers"] for r in rows], rows, label="mean, 95% interval", connect=False)
    ax2.set_xticks([r["hidden_layers"] for r in rows], [r["setting"] for r in rows])
    ax2.set_xlabel("hidden layers")
    ax2.set_xlim(0.5, 2.5)
    ax2.set_ylim(0, 1)
    ax2.set_ylabel(f"validation accuracy after {rows[0]['epochs']} epochs")
    ax2.set_title("final validation accuracy")
    ax2.grid(alpha=0.3)
    return fig


# -- 5.2.ex3: a single hidden unit ---------------------------------------------------------------
def single_unit_logits(X: np.ndarray, W1: np.ndarray, b1: np.ndarray, W2: np.ndarray) -> list[list[Fraction]]:
    """Eq. 5.1.1 exactly, row-major: ``O - b2 = ReLU(X W1 + b1) W2`` in rational arithmetic (every float is a rational)."""
    Xq = [[Fraction(float(v)) for v in row] for row in X]
    W1q = [[Fraction(float(v)) for v in row] for row in W1]
    b1q = [Fraction(float(v)) for v in b1]
    W2q = [[Fraction(float(v)) for v in row] for row in W2]
    h = len(b1q)
    H = [
        [max(sum((x[k] * W1q[k][j] for k in range(len(x))), Fraction(0)) + b1q[j], Fraction(0)) for j in range(h)]
        for x in Xq
    ]
    return [[sum((Hi[j] * W2q[j][c] for j in range(h)), Fraction(0)) for c in range(len(W2q[0]))] for Hi in H]


def exact_rank(M: list[list[Fraction]]) -> int:
    """The rank of a rational matrix by Gaussian elimination in exact arithmetic (no tolerance needed)."""
    A = [list(row) for row in M]
    rank, cols = 0, len(A[0]) if A else 0
    for c in range(cols):
        pivot = next((r for r in range(rank, len(A)) if A[r][c] != 0), None)
        if pivot is None:
            continue
        A[rank], A[pivot] = A[pivot], A[rank]
        for r in range(rank + 1, len(A)):
            if A[r][c] != 0:
                f = A[r][c] / A[rank][c]
                A[r] = [a - f * p for a, p in zip(A[r], A[rank])]
        rank += 1
    return rank


def numerical_rank(X: np.ndarray, W1: np.ndarray, b1: np.ndarray, W2: np.ndarray) -> tuple[int, np.ndarray, float]:
    """``(rank, singular values, tolerance)`` of ``ReLU(X W1 + b1) W2`` computed in float64 from the parameters.

    Tolerance, derived: each entry of the float64 product carries a rounding
    error at most ``γ_m |ReLU(|X||W1| + |b1|)| |W2|`` with ``m = d + h + 2``
    operations in its chain and ``γ_m = m u / (1 - m u)``, ``u = 2⁻⁵³``; the
    spectral norm of the error is at most its Frobenius norm, and a singular
    value above that bound cannot be rounding (Weyl).
    """
    X, W1, b1, W2 = (np.asarray(a, dtype=np.float64) for a in (X, W1, b1, W2))
    M = np.maximum(X @ W1 + b1, 0) @ W2
    m = X.shape[1] + W1.shape[1] + 2
    u = 2.0**-53
    gamma = m * u / (1 - m * u)
    bound = gamma * (np.maximum(np.abs(X) @ np.abs(W1) + np.abs(b1), 0) @ np.abs(W2))
    tol = float(np.linalg.norm(bound))
    sv = np.linalg.svd(M, compute_uv=False)
    return int(np.count_nonzero(sv > tol)), sv, tol


def _rank_measure(ctx) -> list[dict]:
    from .runner import digits

    epochs = _epochs(ctx)
    settings = [
        {"sizes": [D, 1, Q], "epochs": epochs, "keep_params": True},
        {"sizes": [D, WIDTH, Q], "epochs": epochs, "keep_params": True},
    ]
    runs = sweep(ctx, 3, settings, ctx.id)
    X = digits().X_val[:40] if ctx.quick else digits().X_val
    rows = []
    for width, seeds in zip((1, WIDTH), runs):
        exact, numeric, ratio = [], [], []
        for r in seeds:
            W1, b1, W2, _ = r["params"]
            rank, sv, _tol = numerical_rank(X, W1, b1, W2)
            numeric.append(rank)
            ratio.append(float(sv[1] / sv[0]) if sv[0] > 0 else 0.0)
            if width == 1:
                exact.append(exact_rank(single_unit_logits(X, W1, b1, W2)))
        rows.append(
            accuracy_row(
                _units(width),
                seeds,
                epochs,
                width=width,
                exact_rank=exact or None,
                numerical_rank=numeric,
                sv2_over_sv1=ratio,
                held_out_rows=len(X),
            )
        )
    return rows


def _rank_conclude(rows: list[dict]) -> str:
    one, wide = sorted(rows, key=lambda r: r["width"])
    ranks = one["exact_rank"] or []
    exact = (
        f"of rank at most 1 (exact ranks per seed, in rational arithmetic: {', '.join(map(str, ranks))})"
        if ranks and max(ranks) <= 1
        else f"of exact ranks {ranks}"
        if ranks
        else "of unknown exact rank"
    )
    cost = wide["mean"] - one["mean"] if wide["mean"] is not None and one["mean"] is not None else None
    beyond = "beyond the noise" if stats.above(wide, one) else "not beyond the noise"
    costs = f"costs {cost:.3f} of held-out accuracy ({beyond})" if cost is not None else "has an unmeasured cost"
    return (
        f"With a single hidden unit the logits minus b2 on the held-out set are {exact}, against numerical rank "
        f"{max(wide['numerical_rank'])} with {wide['width']} units, and the bottleneck {costs}: "
        f"{stats.fmt(one)} against {stats.fmt(wide)} after {one['epochs']} epochs."
    )


def _rank_figure(rows: list[dict]):
    from .base import new_figure

    rows = sorted(rows, key=lambda r: r["width"])
    fig, (ax, ax2) = new_figure(
        2, f"5.2.ex3: a single hidden unit ({rows[0]['seeds']} seeds, {rows[0]['epochs']} epochs)"
    )
    errorbar_axis(ax, [0, 1], rows, label="mean, 95% interval", connect=False)
    ax.set_xticks([0, 1], [r["setting"] for r in rows])
    ax.set_xlabel("hidden layer width")
    ax.set_xlim(-0.5, 1.5)
    ax.set_ylim(0, 1)
    ax.set_ylabel("validation accuracy")
    ax.set_title("held-out accuracy")
    ax.grid(alpha=0.3)
    for x, r in enumerate(rows):
        ax2.bar(x, max(r["numerical_rank"]), color="tab:blue" if x else "tab:orange")
        ax2.text(
            x,
            max(r["numerical_rank"]) + 0.2,
            f"rank {max(r['numerical_rank'])}" + (f" (exact: {max(r['exact_rank'])})" if r.get("exact_rank") else ""),
            ha="center",
        )
    ax2.set_xticks([0, 1], [r["setting"] for r in rows])
    ax2.set_xlabel("hidden layer width")
    ax2.set_ylim(0, 11.5)
    ax2.set_ylabel(f"rank of logits − b2 ({rows[0]['held_out_rows']} × {Q})")
    ax2.set_title("rank of the logits minus b2")
    ax2.grid(alpha=0.3, axis="y")
    return fig


EXPERIMENTS = {
    "5.2.ex1": {"measure": _width_measure, "conclude": _width_conclude, "figure": _width_figure},
    "5.2.ex2": {"measure": _depth_measure, "conclude": _depth_conclude, "figure": _depth_figure},
    "5.2.ex3": {"measure": _rank_measure, "conclude": _rank_conclude, "figure": _rank_figure},
}
