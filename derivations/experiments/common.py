"""What the training experiments share: a row per setting from its seeds' runs, the comparisons the conclusions
make, and the two plots (accuracy with intervals, mean validation curves).

A row (``accuracy_row``) holds ``setting``, ``mean`` and ``ci`` (Student t 95%
over seeds) of the final validation accuracy, ``seeds``, ``resolution`` (one
held-out image, the accuracy's quantum; see ``stats``), ``epochs``, how many
seeds ``diverged`` and reached :data:`models.TARGET`, and the mean
``epochs_to_target`` of those that did; keys starting with ``_`` (the curves)
feed the figure and are left out of tables and JSON.
"""

from __future__ import annotations

import math

from . import stats
from .models import TARGET

__all__ = ["accuracy_row", "best_group", "errorbar_axis", "curves_axis", "epochs_needed"]


def accuracy_row(setting: str, runs: list[dict], epochs: int, **extra) -> dict:
    """The row of one setting from its seeds' ``models.fit`` results (diverged seeds excluded from the mean)."""
    summary = stats.summarize([r["acc"] for r in runs])
    reached = [r["epochs_to_target"] for r in runs if r["epochs_to_target"] is not None]
    return {
        "setting": setting,
        **extra,
        "mean": summary["mean"],
        "ci": summary["ci"],
        "seeds": len(runs),
        "resolution": 1 / runs[0]["held_out"],
        "epochs": epochs,
        "diverged": sum(r["diverged"] is not None for r in runs),
        f"reached_{TARGET}": len(reached),
        "epochs_to_target": (math.fsum(reached) / len(reached)) if reached else None,
        "_curves": [r["curve"] for r in runs],
    }


def epochs_needed(row: dict) -> str:
    """``"reached 0.9 in 3/3 seeds after 84 epochs on average"`` or ``"never reached 0.9 in 120 epochs"``."""
    k = row[f"reached_{TARGET}"]
    if not k:
        return f"never reached {TARGET} in {row['epochs']} epochs"
    return f"reached {TARGET} in {k}/{row['seeds']} seeds after {row['epochs_to_target']:.0f} epochs on average"


def best_group(rows: list[dict]) -> tuple[dict | None, list[dict]]:
    """The row of highest mean, and every row not distinguished from it (intervals overlap; one seed: equal means)."""
    measured = [r for r in rows if r["mean"] is not None]
    if not measured:
        return None, []
    best = max(measured, key=lambda r: r["mean"])
    tied = [r for r in measured if r is best or not stats.above(best, r)]
    return best, tied


def errorbar_axis(
    ax, xs, rows: list[dict], *, label: str | None = None, color=None, log2: bool = False, connect: bool = True
) -> None:
    """Means with their 95% intervals as error bars (rows without a mean are skipped); ``connect``: join the
    points by a line (False for categories, where a line would suggest an order)."""
    pts = [(x, r) for x, r in zip(xs, rows) if r["mean"] is not None]
    if not pts:
        return
    x = [p[0] for p in pts]
    mean = [p[1]["mean"] for p in pts]
    low = [p[1]["mean"] - (p[1]["ci"][0] if p[1]["ci"][0] is not None else p[1]["mean"]) for p in pts]
    high = [(p[1]["ci"][1] if p[1]["ci"][1] is not None else p[1]["mean"]) - p[1]["mean"] for p in pts]
    ax.errorbar(
        x,
        mean,
        yerr=[low, high],
        marker="o",
        capsize=4,
        linewidth=2,
        label=label,
        color=color,
        linestyle="-" if connect else "none",
    )
    if log2:
        ax.set_xscale("log", base=2)


def curves_axis(ax, rows: list[dict], *, title: str) -> None:
    """Each row's validation accuracy per epoch, mean over seeds (a diverged seed's curve stops early)."""
    from matplotlib import colormaps

    # more curves than the default cycle's 10 colours: an ordered colour map instead (ordered settings, e.g. widths)
    colors = [colormaps["viridis"](i / max(1, len(rows) - 1)) for i in range(len(rows))] if len(rows) > 10 else None
    for i, row in enumerate(rows):
        curves = row["_curves"]
        longest = max((len(c) for c in curves), default=0)
        if not longest:
            continue
        mean = [math.fsum(c[e] for c in curves if len(c) > e) / sum(len(c) > e for c in curves) for e in range(longest)]
        ax.plot(
            range(1, longest + 1),
            mean,
            linewidth=1.8,
            label=row["setting"],
            color=None if colors is None else colors[i],
        )
    ax.axhline(TARGET, color="gray", linestyle=":", linewidth=1, label=f"target {TARGET}")
    ax.set_ylim(0, 1)
    ax.set_xlabel("epoch")
    ax.set_ylabel("validation accuracy (mean over seeds)")
    ax.set_title(title)
    ax.grid(alpha=0.3)
