"""5.2.ex8–5.2.ex9: the activations of section 5.1 and the initializations of section 5.4, against each other.

Book's settings (``models``) except what is varied: 256 hidden units, lr 0.1,
minibatches of 256, :data:`models.EPOCHS` epochs; ex8 keeps the book's
``N(0, 0.01²)`` weights, ex9 the book's ReLU.
"""

from __future__ import annotations

from . import stats
from .common import accuracy_row, best_group, curves_axis, epochs_needed, errorbar_axis
from .models import ACTIVATIONS, EPOCHS, INITS, TARGET, WIDTH, sweep

__all__ = ["EXPERIMENTS"]

D, Q = 64, 10  # the digits: 8×8 = 64 pixels, 10 classes
QUICK_EPOCHS = 2  # tests: the plumbing, not the accuracy

#: Legend names of the activations (pReLU's slope: models.PRELU_ALPHA).
ACTIVATION_NAMES = {
    "relu": "ReLU",
    "prelu": "pReLU (α = 0.25)",
    "sigmoid": "sigmoid",
    "tanh": "tanh",
    "swish": "swish",
    "gelu": "GELU",
}


def _seeds(rows: list[dict]) -> str:
    return "1 seed" if rows[0]["seeds"] == 1 else f"{rows[0]['seeds']} seeds"


def _measure(ctx, number: int, key: str, values) -> list[dict]:
    epochs = QUICK_EPOCHS if ctx.quick else EPOCHS
    width = 16 if ctx.quick else WIDTH
    runs = sweep(ctx, number, [{"sizes": [D, width, Q], key: v, "epochs": epochs} for v in values], ctx.id)
    names = ACTIVATION_NAMES if key == "activation" else INITS
    return [accuracy_row(names[v], r, epochs, **{key: v}) for v, r in zip(values, runs)]


def _conclude(rows: list[dict], what: str) -> str:
    best, tied = best_group(rows)
    if best is None:
        return f"Every {what} diverged; none can be compared."
    order = sorted((r for r in rows if r["mean"] is not None), key=lambda r: -r["mean"])
    others = [r for r in tied if r is not best]
    ties = (
        f", and {', '.join(r['setting'] for r in others)} {'is' if len(others) == 1 else 'are'} indistinguishable "
        f"from it"
        if others
        else ", ahead of every other beyond the noise"
    )
    worst = order[-1]
    slow = [r["setting"] for r in rows if not r[f"reached_{TARGET}"]]
    never = f"; {', '.join(slow)} never reached {TARGET}" if slow else ""
    return (
        f"After {best['epochs']} epochs the best {what} is {best['setting']} ({stats.fmt(best)}; "
        f"{epochs_needed(best)}){ties}; the worst is {worst['setting']} ({stats.fmt(worst)}){never}."
    )


def _figure(rows: list[dict], title: str, what: str):
    from .base import new_figure

    fig, (ax, ax2) = new_figure(2, title)
    curves_axis(ax, rows, title="validation accuracy per epoch")
    ax.legend(fontsize=8, loc="best")
    errorbar_axis(ax2, list(range(len(rows))), rows, label="mean, 95% interval", connect=False)
    ax2.set_xticks(range(len(rows)), [r["setting"] for r in rows], rotation=20, fontsize=8)
    ax2.set_xlim(-0.5, len(rows) - 0.5)
    ax2.set_xlabel(what)
    ax2.set_ylim(0, 1)
    ax2.set_ylabel(f"validation accuracy after {rows[0]['epochs']} epochs")
    ax2.set_title(f"final accuracy by {what}")
    ax2.grid(alpha=0.3)
    ax2.legend(loc="lower left", fontsize=8)
    return fig


# -- 5.2.ex8: activations ------------------------------------------------------------------------
def _activation_measure(ctx) -> list[dict]:
    return _measure(ctx, 8, "activation", ("relu", "sigmoid") if ctx.quick else ACTIVATIONS)


def _activation_figure(rows: list[dict]):
    return _figure(rows, f"5.2.ex8: activations ({_seeds(rows)}, 256 units, N(0, 0.01²), lr 0.1)", "activation")


# -- 5.2.ex9: initializations --------------------------------------------------------------------
def _init_measure(ctx) -> list[dict]:
    return _measure(ctx, 9, "init", ("normal", "zero") if ctx.quick else tuple(INITS))


def _init_figure(rows: list[dict]):
    return _figure(rows, f"5.2.ex9: initializations ({_seeds(rows)}, 256 ReLU units, lr 0.1)", "initialization")


EXPERIMENTS = {
    "5.2.ex8": {
        "measure": _activation_measure,
        "conclude": lambda rows: _conclude(rows, "activation"),
        "figure": _activation_figure,
    },
    "5.2.ex9": {
        "measure": _init_measure,
        "conclude": lambda rows: _conclude(rows, "initialization"),
        "figure": _init_figure,
    },
}
