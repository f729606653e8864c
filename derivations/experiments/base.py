"""``Experiment`` and its ``ExperimentResult``: what ``derivations.experiment(id).run(seeds=…)`` returns.

An experiment's module (``capacity``, ``tuning``, ``choices``, ``timing``)
gives, per id, three functions: ``measure(ctx) -> rows`` (the measurements,
one dict per setting), ``conclude(rows) -> str`` (one sentence computed from
the rows alone) and ``figure(rows) -> matplotlib Figure``.  This module only
checks the arguments, times the run, and writes the figure.
"""

from __future__ import annotations

import importlib
import math
import time
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["DPI", "FIGSIZE", "Context", "Experiment", "ExperimentResult", "new_figure"]

#: Figures: 10 × 4.2 inches at 150 dpi (1500 × 630 pixels), titled and labelled.
FIGSIZE = (10.0, 4.2)
DPI = 150


@dataclass(frozen=True)
class Context:
    """How to run: ``seeds`` per setting, ``jobs`` worker processes, ``quick`` (tiny settings, for tests), ``progress`` bar."""

    id: str
    seeds: int
    jobs: int
    quick: bool = False
    progress: bool = True


@dataclass
class ExperimentResult:
    """One run: ``rows`` (a dict per setting: ``setting``, ``mean``, ``ci`` = [low, high] and what else was measured),
    ``conclusion`` (one sentence computed from the rows), ``figure`` (the PNG's path, or None), ``interval``
    (how ``ci`` was computed), ``seconds`` (wall time)."""

    id: str
    title: str
    rows: list[dict]
    conclusion: str
    interval: str
    seconds: float
    seeds: int
    figure: Path | None = None
    quick: bool = False

    def table(self) -> str:
        """The rows as a text table: every key of the first row, in order, lists shortened."""
        if not self.rows:
            return "(no rows)"
        keys = [k for k in self.rows[0] if not k.startswith("_")]
        cells = [[_cell(row.get(k)) for k in keys] for row in self.rows]
        widths = [max(len(k), *(len(c[i]) for c in cells)) for i, k in enumerate(keys)]
        lines = ["  ".join(k.ljust(w) for k, w in zip(keys, widths))]
        lines += ["  ".join(c.ljust(w) for c, w in zip(cell, widths)) for cell in cells]
        return "\n".join(lines)

    def as_dict(self) -> dict:
        """JSON-ready: id, title, seeds, interval, seconds, rows (public keys), conclusion, figure."""
        return {
            "id": self.id,
            "title": self.title,
            "seeds": self.seeds,
            "quick": self.quick,
            "interval": self.interval,
            "seconds": self.seconds,
            "rows": [{k: _json(v) for k, v in row.items() if not k.startswith("_")} for row in self.rows],
            "conclusion": self.conclusion,
            "figure": None if self.figure is None else str(self.figure),
        }


def _json(value):
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, (list, tuple)):
        return [_json(v) for v in value]
    if hasattr(value, "item"):  # NumPy scalars
        return _json(value.item())
    return value


def _cell(value) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return "nan" if math.isnan(value) else f"{value:.4g}"
    if isinstance(value, (list, tuple)):
        inner = ", ".join(_cell(v) for v in value[:6]) + (", ..." if len(value) > 6 else "")
        return f"[{inner}]"
    return str(value)


def new_figure(ncols: int, title: str):
    """A titled matplotlib ``Figure`` (no pyplot, so the Agg canvas, no GUI) with ``ncols`` axes side by side."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=FIGSIZE, dpi=DPI, layout="constrained")
    axes = fig.subplots(1, ncols, squeeze=False)[0]
    fig.suptitle(title, fontsize=12)
    return fig, axes


def _seeds(seeds: object) -> int:
    if isinstance(seeds, bool) or not isinstance(seeds, int):
        raise ValueError(f"seeds={seeds!r} is a {type(seeds).__name__}; expected a positive integer")
    if seeds < 1:
        raise ValueError(f"seeds={seeds!r} is not allowed; expected a positive integer (>= 1)")
    return seeds


@dataclass(frozen=True)
class Experiment:
    """A measured exercise of CHAPTER.md: ``.id``, ``.title``; ``.run(seeds=3, out=None)`` measures it."""

    id: str
    title: str
    module: str
    parallel: bool = True
    _cache: dict = field(default_factory=dict, compare=False, repr=False)

    def _functions(self):
        if not self._cache:
            mod = importlib.import_module(f"{__package__}.{self.module}")
            self._cache.update(mod.EXPERIMENTS[self.id])
        return self._cache

    def conclude(self, rows: list[dict]) -> str:
        """The one-sentence conclusion these ``rows`` support (the same function ``run`` uses)."""
        return self._functions()["conclude"](rows)

    def figure(self, rows: list[dict]):
        """The matplotlib ``Figure`` of these ``rows``."""
        return self._functions()["figure"](rows)

    def run(
        self,
        *,
        seeds: int = 3,
        out: str | Path | None = None,
        jobs: int | None = None,
        quick: bool = False,
        progress: bool = True,
    ) -> ExperimentResult:
        """Measure every setting over ``seeds`` seeds; write ``out/<id>.png`` when ``out`` is given.

        ``jobs``: worker processes (None: every core; timing experiments always
        run serially in this process).  ``quick``: tiny settings, for tests
        only (the numbers mean little).  ``progress``: a tqdm bar on stderr.
        """
        from . import stats
        from .runner import workers

        seeds = _seeds(seeds)
        n_jobs = workers(jobs) if self.parallel else 1
        out_dir = None
        if out is not None:
            out_dir = Path(out)
            if out_dir.exists() and not out_dir.is_dir():
                raise ValueError(f"out={str(out)!r} is a file; expected a directory (created if missing)")
        functions = self._functions()
        start = time.perf_counter()
        rows = functions["measure"](Context(self.id, seeds, n_jobs, bool(quick), bool(progress)))
        conclusion = functions["conclude"](rows)
        path = None
        if out_dir is not None:
            out_dir.mkdir(parents=True, exist_ok=True)
            path = out_dir / f"{self.id}.png"
            functions["figure"](rows).savefig(path, format="png", dpi=DPI)
        rounds = rows[0].get("rounds") if rows else None  # timing experiments repeat rounds, not seeds
        return ExperimentResult(
            self.id,
            self.title,
            rows,
            conclusion,
            stats.describe(seeds, rounds),
            time.perf_counter() - start,
            seeds,
            path,
            bool(quick),
        )
