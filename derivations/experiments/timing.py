"""5.2.ex6–5.2.ex7: timing the SGD step (NumPy against PyTorch) and matrix products near 1024.

Timings run serially in the calling process, one BLAS thread (and one
PyTorch thread): parallel or multi-threaded timing on a shared machine
measures the neighbours.  Measurements are repeated in rounds and, within a
round, taken in a random order (interleaved), so a slow spell of the machine
hits every setting alike; the garbage collector is off while timing.  The
interval of a setting is the Student t 95% interval over rounds; comparisons
between settings are paired by round.
"""

from __future__ import annotations

import gc
import importlib.util
import math
import time

import numpy as np

from . import stats

__all__ = ["EXPERIMENTS", "MATMUL_SIZES", "STEP_WIDTHS", "blas_name", "time_call"]

#: 5.2.ex6: hidden widths of the timed network 64-w-10 (a minibatch of 256 digits).
STEP_WIDTHS = (64, 256, 1024, 4096)
#: 5.2.ex7: the sizes the exercise names: 1024 = 2¹⁰ and four neighbours.
MATMUL_SIZES = (1024, 1025, 1026, 1028, 1032)
#: Rounds per seed: a seed of a timing experiment is a batch of rounds (--seeds 3: 15 or 24 rounds).
STEP_ROUNDS_PER_SEED = 5
MATMUL_ROUNDS_PER_SEED = 8
#: Each timed measurement repeats its call until it lasts at least this long (s): well above the timer's resolution.
MIN_MEASURE = 0.02


def blas_name() -> str:
    """NumPy's BLAS as threadpoolctl reports it (e.g. ``"openblas 0.3.27"``)."""
    from threadpoolctl import threadpool_info

    info = [i for i in threadpool_info() if i.get("user_api") == "blas"]
    return f"{info[0].get('internal_api', '?')} {info[0].get('version', '?')}" if info else "unknown BLAS"


def time_call(fn, repeats: int) -> float:
    """Seconds per call of ``fn()``, over ``repeats`` calls timed together (perf_counter, GC off)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        start = time.perf_counter()
        for _ in range(repeats):
            fn()
        return (time.perf_counter() - start) / repeats
    finally:
        if enabled:
            gc.enable()


def _repeats(fn) -> int:
    """How many calls make one measurement last :data:`MIN_MEASURE` (one call timed after a warm-up)."""
    fn()
    once = max(time_call(fn, 1), 1e-7)
    return max(1, math.ceil(MIN_MEASURE / once))


# -- 5.2.ex6: the NumPy step against PyTorch's ---------------------------------------------------
def _numpy_step(net, X, y, lr):
    def step():
        _, grads = net.loss_and_grads(X, y)
        for p, g in zip(net.params, grads):
            p -= lr * g  # SGD, in place

    return step


def _torch_step(torch, params, X, y, lr):
    W1, b1, W2, b2 = (torch.tensor(p, requires_grad=True) for p in params)
    Xt, yt = torch.from_numpy(X), torch.from_numpy(y)

    def step():
        logits = torch.relu(Xt @ W1 + b1) @ W2 + b2  # Eq. 5.1.1, row-major, as numeric.network.MLP
        loss = torch.nn.functional.cross_entropy(logits, yt)
        loss.backward()
        with torch.no_grad():
            for p in (W1, b1, W2, b2):
                p -= lr * p.grad
                p.grad = None

    return step


def _step_measure(ctx) -> list[dict]:
    from threadpoolctl import threadpool_limits

    from .models import LR, build
    from .runner import digits, job_rng, progress_bar

    widths = (8, 32) if ctx.quick else STEP_WIDTHS
    rounds = 2 if ctx.quick else STEP_ROUNDS_PER_SEED * ctx.seeds
    torch = importlib.import_module("torch") if importlib.util.find_spec("torch") else None
    data = digits()
    X, y = data.X_train[:256], data.y_train[:256]  # one minibatch of the book's size
    rng = job_rng((6, 0))
    steps = {}
    for w in widths:
        net = build([X.shape[1], w, 10], rng=rng, dtype=np.float32)
        params = [p.copy() for p in net.params]
        steps[("numpy", w)] = _numpy_step(net, X, y, LR)
        if torch is not None:
            steps[("torch", w)] = _torch_step(torch, params, X, y, LR)
    times = {k: [] for k in steps}
    bar = progress_bar(rounds, ctx.id, ctx.progress)
    threads = torch.get_num_threads() if torch is not None else None
    try:
        if torch is not None:
            torch.set_num_threads(1)
        with threadpool_limits(limits=1):
            repeats = {k: _repeats(fn) for k, fn in steps.items()}
            for _ in range(rounds):
                keys = list(steps)
                for i in rng.permutation(len(keys)):
                    times[keys[i]].append(time_call(steps[keys[i]], repeats[keys[i]]))
                bar.update(1)
    finally:
        bar.close()
        if torch is not None:
            torch.set_num_threads(threads)
    rows = []
    version = "not installed" if torch is None else torch.__version__
    for (impl, w), ts in times.items():
        s = stats.summarize([1e3 * t for t in ts])
        row = {
            "setting": f"{'NumPy' if impl == 'numpy' else 'PyTorch'} step, {w} units",
            "implementation": impl,
            "width": w,
            "mean": s["mean"],
            "ci": s["ci"],
            "unit": "ms per step",
            "rounds": len(ts),
            "torch": version,
        }
        if impl == "torch":
            ratio = stats.summarize([a / b for a, b in zip(times[("numpy", w)], ts)])
            row.update(numpy_over_torch=ratio["mean"], ratio_ci=ratio["ci"])
        rows.append(row)
    return rows


def _step_conclude(rows: list[dict]) -> str:
    numpy_rows = sorted((r for r in rows if r["implementation"] == "numpy"), key=lambda r: r["width"])
    first, last = numpy_rows[0], numpy_rows[-1]
    growth = (
        f"the NumPy step takes {stats.fmt(first, 3)} ms at {first['width']} units and {stats.fmt(last, 3)} ms at "
        f"{last['width']} units ({last['mean'] / first['mean']:.1f}x for {last['width'] // first['width']}x "
        f"the units)"
    )
    torch_rows = sorted((r for r in rows if r["implementation"] == "torch"), key=lambda r: r["width"])
    if not torch_rows:
        return (
            f"PyTorch is not installed (pip install torch==2.13.0 for the CPU build), so only {growth}, one "
            f"thread, float32, a minibatch of 256."
        )
    parts = []
    for r in torch_rows:
        low, high = r["ratio_ci"]
        if low is None:
            verdict = "one round: no interval"
        elif low > 1:
            verdict = "PyTorch faster beyond the noise"
        elif high < 1:
            verdict = "NumPy faster beyond the noise"
        else:
            verdict = "no difference beyond the noise"
        parts.append(f"{r['numpy_over_torch']:.2f}x at {r['width']} units ({verdict})")
    return (
        f"One thread, float32, a minibatch of 256: {growth}; NumPy's time over PyTorch {torch_rows[0]['torch']}'s "
        f"(paired by round) is " + ", ".join(parts) + "."
    )


def _step_figure(rows: list[dict]):
    from .base import new_figure
    from .common import errorbar_axis

    fig, (ax, ax2) = new_figure(
        2,
        f"5.2.ex6: one SGD step, NumPy against PyTorch ({rows[0]['rounds']} interleaved "
        f"rounds, one thread, float32, batch 256)",
    )
    for impl, label in (("numpy", "NumPy (numeric.network.MLP)"), ("torch", f"PyTorch {rows[0]['torch']}")):
        mine = sorted((r for r in rows if r["implementation"] == impl), key=lambda r: r["width"])
        errorbar_axis(ax, [r["width"] for r in mine], mine, label=label, log2=True)
    ax.set_yscale("log")
    ax.set_xlabel("hidden units of 64-w-10 (log scale)")
    ax.set_ylabel("ms per SGD step (log scale)")
    ax.set_title("time per step")
    ax.grid(alpha=0.3, which="both")
    ax.legend()
    torch_rows = sorted((r for r in rows if r["implementation"] == "torch"), key=lambda r: r["width"])
    if torch_rows:
        ratio = [{"mean": r["numpy_over_torch"], "ci": r["ratio_ci"]} for r in torch_rows]
        errorbar_axis(
            ax2,
            [r["width"] for r in torch_rows],
            ratio,
            log2=True,
            color="tab:green",
            label="NumPy time / PyTorch time",
        )
        ax2.axhline(1, color="gray", linestyle=":")
        ax2.legend()
    else:
        ax2.text(0.5, 0.5, "PyTorch is not installed", ha="center", va="center", transform=ax2.transAxes)
    ax2.set_xlabel("hidden units (log scale)")
    ax2.set_ylabel("time ratio (paired by round)")
    ax2.set_title("NumPy / PyTorch")
    ax2.grid(alpha=0.3)
    return fig


# -- 5.2.ex7: matrix products near 1024 ----------------------------------------------------------
def _matmul_measure(ctx) -> list[dict]:
    from threadpoolctl import threadpool_limits

    from .runner import job_rng, progress_bar

    sizes = (64, 65) if ctx.quick else MATMUL_SIZES
    rounds = 3 if ctx.quick else MATMUL_ROUNDS_PER_SEED * ctx.seeds
    rng = job_rng((7, 0))
    operands = {n: (rng.standard_normal((n, n)), rng.standard_normal((n, n)), np.empty((n, n))) for n in sizes}
    times = {n: [] for n in sizes}
    bar = progress_bar(rounds, ctx.id, ctx.progress)
    try:
        with threadpool_limits(limits=1):
            blas = blas_name()
            for A, B, C in operands.values():
                np.matmul(A, B, out=C)  # warm-up: page in the operands, load the kernels
            for _ in range(rounds):
                for i in rng.permutation(len(sizes)):
                    A, B, C = operands[sizes[i]]
                    times[sizes[i]].append(time_call(lambda A=A, B=B, C=C: np.matmul(A, B, out=C), 1))
                bar.update(1)
    finally:
        bar.close()
    base = sizes[0]
    rows = []
    for n in sizes:
        s = stats.summarize([1e3 * t for t in times[n]])
        # time per multiply-add relative to the power of two, paired by round: (t_n / n³) / (t_1024 / 1024³)
        rel = stats.summarize([(t / n**3) / (t0 / base**3) for t, t0 in zip(times[n], times[base])])
        rows.append(
            {
                "setting": f"n = {n}",
                "n": n,
                "mean": s["mean"],
                "ci": s["ci"],
                "unit": "ms per product",
                "min_ms": 1e3 * min(times[n]),
                "gflops": 2 * n**3 / (s["mean"] * 1e-3) / 1e9,
                "per_flop_vs_base": rel["mean"],
                "ratio_ci": rel["ci"],
                "base": base,
                "rounds": rounds,
                "blas": blas,
                "dtype": "float64",
                "threads": 1,
            }
        )
    return rows


def _matmul_conclude(rows: list[dict]) -> str:
    rows = sorted(rows, key=lambda r: r["n"])
    base = rows[0]
    slower, faster, same = [], [], []
    for r in rows[1:]:
        low, high = r["ratio_ci"]
        text = f"{r['n']}: {r['per_flop_vs_base']:.3f}"
        if low is not None and low > 1:
            slower.append(text)
        elif high is not None and high < 1:
            faster.append(text)
        else:
            same.append(text)
    if slower and not faster and not same:
        verdict = "a power-of-two advantage beyond the noise: every neighbour costs more per multiply-add"
    elif faster and not slower:
        verdict = "no power-of-two advantage: neighbours are as fast or faster per multiply-add"
    elif not slower:
        verdict = "no power-of-two advantage beyond the noise"
    else:
        verdict = "a mixed picture: some neighbours cost more per multiply-add beyond the noise, others do not"
    details = "; ".join(
        f"{label} {', '.join(v)}"
        for label, v in (("slower", slower), ("faster", faster), ("within the noise", same))
        if v
    )
    return (
        f"With {base['blas']}, one thread, float64, {base['rounds']} interleaved rounds, a {base['n']}×{base['n']} "
        f"product takes {stats.fmt(base, 1)} ms ({base['gflops']:.1f} GFLOP/s), and this machine shows {verdict} "
        f"(time per multiply-add relative to {base['n']}, paired by round: {details})."
    )


def _matmul_figure(rows: list[dict]):
    from .base import new_figure
    from .common import errorbar_axis

    rows = sorted(rows, key=lambda r: r["n"])
    fig, (ax, ax2) = new_figure(
        2,
        f"5.2.ex7: n×n matrix products near {rows[0]['n']} ({rows[0]['blas']}, one thread, "
        f"float64, {rows[0]['rounds']} interleaved rounds)",
    )
    errorbar_axis(ax, [r["n"] for r in rows], rows, label="mean, 95% interval")
    ax.scatter([r["n"] for r in rows], [r["min_ms"] for r in rows], marker="x", color="black", label="fastest round")
    ax.set_xlabel("n")
    ax.set_ylabel("ms per product")
    ax.set_title("time per product")
    ax.grid(alpha=0.3)
    ax.legend()
    ratio = [{"mean": r["per_flop_vs_base"], "ci": r["ratio_ci"]} for r in rows]
    errorbar_axis(
        ax2,
        [r["n"] for r in rows],
        ratio,
        color="tab:purple",
        label=f"(t_n / n³) / (t_{rows[0]['n']} / {rows[0]['n']}³)",
    )
    ax2.axhline(1, color="gray", linestyle=":")
    ax2.set_xlabel("n")
    ax2.set_ylabel(f"time per multiply-add relative to n = {rows[0]['n']}")
    ax2.set_title("above 1: the power of two is faster")
    ax2.grid(alpha=0.3)
    ax2.legend()
    return fig


EXPERIMENTS = {
    "5.2.ex6": {"measure": _step_measure, "conclude": _step_conclude, "figure": _step_figure},
    "5.2.ex7": {"measure": _matmul_measure, "conclude": _matmul_conclude, "figure": _matmul_figure},
}
