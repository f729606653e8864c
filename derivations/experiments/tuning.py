"""5.2.ex4–5.2.ex5: the learning rate, and searching the hyperparameters (random against grid at equal budget).

Book's settings (``models``) except what is varied.  5.2.ex5 selects on an
inner split of the 1,500 training images (1,200 to train, 300 to select) and
reports the selected configuration's accuracy on the 297 held-out images it
never saw, so the comparison is not flattered by selecting on the test set.
"""

from __future__ import annotations

import math

import numpy as np

from . import stats
from .common import accuracy_row, best_group, errorbar_axis
from .models import EPOCHS, TARGET, WIDTH, sweep

__all__ = ["EXPERIMENTS", "LEARNING_RATES", "SPACE", "grid_configs", "random_configs"]

D, Q = 64, 10  # the digits: 8×8 = 64 pixels, 10 classes

#: 5.2.ex4: learning rates 1e-3 to 10, two per decade (1 and 3).
LEARNING_RATES = (1e-3, 3e-3, 1e-2, 3e-2, 0.1, 0.3, 1.0, 3.0, 10.0)
QUICK_EPOCHS = 2  # tests: the plumbing, not the accuracy


# -- 5.2.ex4: learning rate ----------------------------------------------------------------------
def _lr_measure(ctx) -> list[dict]:
    lrs = (0.1, 10.0) if ctx.quick else LEARNING_RATES
    epochs = QUICK_EPOCHS if ctx.quick else EPOCHS
    width = 16 if ctx.quick else WIDTH
    runs = sweep(ctx, 4, [{"sizes": [D, width, Q], "lr": lr, "epochs": epochs} for lr in lrs], ctx.id)
    return [accuracy_row(f"lr {lr:g}", r, epochs, lr=lr) for lr, r in zip(lrs, runs)]


def _lr_conclude(rows: list[dict]) -> str:
    rows = sorted(rows, key=lambda r: r["lr"])
    best, tied = best_group(rows)
    epochs = rows[0]["epochs"]
    parts = []
    if best is None:
        parts.append(f"every learning rate diverged within {epochs} epochs")
    else:
        lrs = [r["lr"] for r in tied]
        span = f"{min(lrs):g} to {max(lrs):g}" if len(lrs) > 1 else f"{lrs[0]:g} alone"
        parts.append(
            f"after {epochs} epochs the best learning rate is {best['lr']:g} ({stats.fmt(best)}), and rates "
            f"from {span} are indistinguishable from it"
        )
    diverged = [r for r in rows if r["diverged"]]
    if diverged:
        parts.append(
            "training diverged at " + ", ".join(f"{r['lr']:g} ({r['diverged']}/{r['seeds']} seeds)" for r in diverged)
        )
    fast = [r for r in rows if r[f"reached_{TARGET}"] == r["seeds"]]
    if fast:
        quickest = min(fast, key=lambda r: r["epochs_to_target"])
        where = ", ".join(f"{r['lr']:g} ({r['epochs_to_target']:.0f})" for r in fast)
        parts.append(
            f"every seed reached {TARGET} at lr {where} (epochs needed, mean over seeds), fastest at {quickest['lr']:g}"
        )
    never = [r["lr"] for r in rows if not r[f"reached_{TARGET}"]]
    if never:
        parts.append(f"{', '.join(f'{lr:g}' for lr in never)} never reached {TARGET}")
    text = "; ".join(parts)
    return text[0].upper() + text[1:] + "."


def _lr_figure(rows: list[dict]):
    from .base import new_figure

    rows = sorted(rows, key=lambda r: r["lr"])
    fig, (ax, ax2) = new_figure(
        2, f"5.2.ex4: learning rate ({rows[0]['seeds']} seeds, {rows[0]['epochs']} epochs, 256 units, N(0, 0.01²))"
    )
    errorbar_axis(ax, [r["lr"] for r in rows], rows, label="mean, 95% interval")
    ax.set_xscale("log")
    for r in rows:
        if r["diverged"]:
            ax.annotate(
                f"diverged {r['diverged']}/{r['seeds']}", (r["lr"], 0.05), ha="center", fontsize=8, color="tab:red"
            )
    ax.set_ylim(0, 1)
    ax.set_xlabel("learning rate (log scale)")
    ax.set_ylabel("final validation accuracy")
    ax.set_title("accuracy after training")
    ax.grid(alpha=0.3)
    ax.legend(loc="upper left")
    for r in rows:
        needed = [c.index(next(a for a in c if a >= TARGET)) + 1 for c in r["_curves"] if any(a >= TARGET for a in c)]
        ax2.scatter([r["lr"]] * len(needed), needed, color="tab:blue", alpha=0.7)
    ax2.set_xscale("log")
    ax2.set_xlim(min(r["lr"] for r in rows) / 2, max(r["lr"] for r in rows) * 2)
    ax2.set_ylim(0, rows[0]["epochs"] + 1)
    ax2.set_xlabel("learning rate (log scale)")
    ax2.set_ylabel(f"epochs to reach {TARGET} (each seed; absent: never)")
    ax2.set_title(f"epochs needed for validation accuracy {TARGET}")
    ax2.grid(alpha=0.3)
    return fig


# -- 5.2.ex5: random search against grid search ----------------------------------------------------
#: The search space: learning rate log-uniform, epochs uniform up to the experiments' budget (models.EPOCHS),
#: depth (hidden layers) uniform, width log-uniform up to the book's 256.
SPACE = {"lr": (0.01, 1.0), "epochs": (5, EPOCHS), "depth": (1, 2), "width": (16, WIDTH)}
QUICK_SPACE = {"lr": (0.01, 1.0), "epochs": (1, 3), "depth": (1, 2), "width": (4, 16)}

#: Grid points per dimension at full size: 2⁴ = 16 configurations, the budget of both searches.
GRID_POINTS = 2
INNER_TRAIN = 1200  # of the 1,500 training images; the other 300 select the configuration


def _config(space: dict, u: dict, depth: int) -> dict:
    """The configuration at unit coordinates ``u`` (in [0, 1]) of each continuous dimension."""
    (lr0, lr1), (e0, e1), (w0, w1) = space["lr"], space["epochs"], space["width"]
    return {
        "lr": float(10 ** (math.log10(lr0) + u["lr"] * (math.log10(lr1) - math.log10(lr0)))),
        "epochs": int(round(e0 + u["epochs"] * (e1 - e0))),
        "depth": depth,
        "width": int(round(2 ** (math.log2(w0) + u["width"] * (math.log2(w1) - math.log2(w0))))),
    }


def grid_configs(space: dict, points: int) -> list[dict]:
    """``points`` values per dimension, at the quantiles (i + ½)/points of each (log-)scale: ``points⁴`` configurations."""
    qs = [(i + 0.5) / points for i in range(points)]
    d0, d1 = space["depth"]
    depths = sorted({int(round(d0 + q * (d1 - d0))) for q in qs})
    return [
        _config(space, {"lr": a, "epochs": b, "width": c}, depth)
        for a in qs
        for b in qs
        for depth in depths
        for c in qs
    ]


def random_configs(space: dict, budget: int, rng: np.random.Generator) -> list[dict]:
    """``budget`` configurations drawn independently, uniform in each dimension's (log-)scale."""
    d0, d1 = space["depth"]
    return [
        _config(space, {k: rng.random() for k in ("lr", "epochs", "width")}, int(rng.integers(d0, d1 + 1)))
        for _ in range(budget)
    ]


def _search_job(job: dict) -> dict:
    """Train one configuration on the inner split; its accuracy on the 300 selection images and the 297 held out."""
    from numeric.data import Dataset
    from numeric.training import evaluate

    from .models import fit
    from .runner import digits, job_rng

    data = digits()
    n = min(INNER_TRAIN, len(data.y_train) - 1)
    inner = Dataset("digits, inner split", data.X_train[:n], data.y_train[:n], data.X_train[n:], data.y_train[n:])
    c = job["config"]
    result = fit(
        [D] + [c["width"]] * c["depth"] + [Q], rng=job_rng(job["key"]), data=inner, lr=c["lr"], epochs=c["epochs"]
    )
    held = math.nan if result["diverged"] else evaluate(result["model"], data.X_val, data.y_val)[1]
    return {"inner": result["acc"], "held_out": held}


def _describe(c: dict) -> str:
    return f"lr {c['lr']:.3g}, {c['epochs']} epochs, {c['depth']}x{c['width']}"


def _search_measure(ctx) -> list[dict]:
    from .runner import job_rng, run_jobs

    space = QUICK_SPACE if ctx.quick else SPACE
    points = 1 if ctx.quick else GRID_POINTS
    grid = grid_configs(space, points)
    budget = len(grid)
    plans = {
        "grid": [grid] * ctx.seeds,
        "random": [random_configs(space, budget, job_rng((5, 99, s))) for s in range(ctx.seeds)],
    }
    jobs = [
        {"key": (5, m, s, i), "config": c, "cost": c["epochs"] * c["width"] * c["depth"], "method": name, "seed": s}
        for m, name in enumerate(plans)
        for s, configs in enumerate(plans[name])
        for i, c in enumerate(configs)
    ]
    results = run_jobs(_search_job, jobs, jobs_at_once=ctx.jobs, desc=ctx.id, progress=ctx.progress)
    rows, chosen_acc = [], {}
    for name in plans:
        picks, trials = [], []
        for s in range(ctx.seeds):
            mine = [(j, r) for j, r in zip(jobs, results) if j["method"] == name and j["seed"] == s]
            trials += [{"config": j["config"], "inner": r["inner"]} for j, r in mine]
            j, r = max(mine, key=lambda jr: -math.inf if math.isnan(jr[1]["inner"]) else jr[1]["inner"])
            picks.append((j["config"], r))
        chosen_acc[name] = [r["held_out"] for _, r in picks]
        summary = stats.summarize(chosen_acc[name])
        configs = plans[name][0]
        rows.append(
            {
                "setting": f"{name} search ({budget} configurations)",
                "method": name,
                "mean": summary["mean"],
                "ci": summary["ci"],
                "seeds": ctx.seeds,
                "budget": budget,
                "selection_acc": stats.summarize([r["inner"] for _, r in picks])["mean"],
                "distinct_lr": len({c["lr"] for c in configs}),
                "distinct_width": len({c["width"] for c in configs}),
                "chosen": " | ".join(_describe(c) for c, _ in picks),
                "_trials": trials,
            }
        )
    diff = stats.summarize([r - g for r, g in zip(chosen_acc["random"], chosen_acc["grid"])])
    rows.append(
        {
            "setting": "random − grid (paired by seed)",
            "method": "difference",
            "mean": diff["mean"],
            "ci": diff["ci"],
            "seeds": ctx.seeds,
            "budget": budget,
        }
    )
    return rows


def _search_conclude(rows: list[dict]) -> str:
    by = {r["method"]: r for r in rows}
    grid, rand, diff = by["grid"], by["random"], by["difference"]
    low, high = diff["ci"]
    if diff["mean"] is None:
        verdict = "cannot be compared (a search diverged in every seed)"
    elif low is None:
        verdict = f"differ by {diff['mean']:+.3f} (one seed: no interval)"
    elif low > 0 or high < 0:
        verdict = (
            f"differ by {stats.fmt(diff)} (paired over seeds), so "
            f"{'random' if low > 0 else 'grid'} search is better beyond the noise"
        )
    else:
        verdict = f"differ by {stats.fmt(diff)} (paired over seeds), an interval containing 0: no winner"
    return (
        f"At an equal budget of {grid['budget']} trainings, the configuration random search selects reaches held-out "
        f"accuracy {stats.fmt(rand)} and grid search's {stats.fmt(grid)}; they {verdict}; random search tried "
        f"{rand['distinct_lr']} learning rates and {rand['distinct_width']} widths where the grid tried "
        f"{grid['distinct_lr']} and {grid['distinct_width']}."
    )


def _search_figure(rows: list[dict]):
    from .base import new_figure

    by = {r["method"]: r for r in rows}
    fig, (ax, ax2) = new_figure(
        2, f"5.2.ex5: random against grid search, {by['grid']['budget']} trainings each ({by['grid']['seeds']} seeds)"
    )
    pair = [by["grid"], by["random"]]
    errorbar_axis(ax, [0, 1], pair, label="held-out accuracy of the selected configuration", connect=False)
    ax.set_xticks([0, 1], ["grid search", "random search"])
    ax.set_xlabel("search")
    ax.set_xlim(-0.5, 1.5)
    ax.set_ylim(0, 1)
    ax.set_ylabel("held-out accuracy (297 images)")
    ax.set_title("the selected configurations")
    ax.grid(alpha=0.3)
    ax.legend(loc="lower center", fontsize=8)
    for row, color, marker in ((by["grid"], "tab:orange", "s"), (by["random"], "tab:blue", "o")):
        t = [x for x in row["_trials"] if not math.isnan(x["inner"])]
        ax2.scatter(
            [x["config"]["lr"] for x in t],
            [x["inner"] for x in t],
            color=color,
            marker=marker,
            alpha=0.6,
            s=[12 + x["config"]["width"] / 4 for x in t],
            label=f"{row['method']} (size: width)",
        )
    ax2.set_xscale("log")
    ax2.set_ylim(0, 1)
    ax2.set_xlabel("learning rate (log scale)")
    ax2.set_ylabel("selection accuracy (300 inner images)")
    ax2.set_title("every configuration tried")
    ax2.grid(alpha=0.3)
    ax2.legend(loc="lower right", fontsize=8)
    return fig


EXPERIMENTS = {
    "5.2.ex4": {"measure": _lr_measure, "conclude": _lr_conclude, "figure": _lr_figure},
    "5.2.ex5": {"measure": _search_measure, "conclude": _search_conclude, "figure": _search_figure},
}
