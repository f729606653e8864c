"""What :func:`~derivations.chain.verify_chain` returns: :class:`ChainResult`, one verdict and one
counterexample per step, as text (``lines``) and as HTML for a notebook (``_repr_html_``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import sympy as sp

from ..check import Check

#: The per-step verdicts of :class:`ChainResult` (see there).
VERDICTS = ("proved", "proved-randomized", "tested", "refuted", "shape", "unknown")


@dataclass
class ChainResult:
    """What :func:`verify_chain` found.

    ``ok``: every step holds; ``first_failure``: index i of the first failing
    step ``steps[i] -> steps[i+1]`` (None if none); ``steps``: one
    :class:`~derivations.claims.Check` per step; ``counterexample``: the first
    failing step's counterexample (every free symbol name, dimension names
    included, to a number or array), None if none; ``counterexamples``: one
    per step (None where the step holds); ``proved``: per step, True if
    proved symbolically; ``points``: per step, random points tested;
    ``verdicts``: per step, one of :data:`VERDICTS`:

    - ``"proved"``: ``lhs - rhs`` reduces to 0 symbolically (for every size);
    - ``"proved-randomized"``: for every size, by a stated theorem and exact evaluation at
      random integer points, with the stated bound on the chance of a false pass (see
      :mod:`.randomized`);
    - ``"tested"``: equal at random points (and re-checked exactly at one), not proved;
    - ``"refuted"``: the sides differ at the confirmed counterexample;
    - ``"shape"``: the sides are not both defined with equal shapes for general sizes;
    - ``"unknown"``: neither proved nor refuted (a side could not be evaluated, or a float
      difference was not confirmed exactly); ``ok`` is False, as for a failure.
    """

    expressions: list[sp.Basic]
    steps: list[Check] = field(default_factory=list)
    counterexamples: list[dict | None] = field(default_factory=list)
    proved: list[bool] = field(default_factory=list)
    points: list[int] = field(default_factory=list)
    verdicts: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(c.ok for c in self.steps)

    @property
    def first_failure(self) -> int | None:
        return next((i for i, c in enumerate(self.steps) if not c.ok), None)

    @property
    def counterexample(self) -> dict | None:
        i = self.first_failure
        return None if i is None else self.counterexamples[i]

    def lines(self) -> list[str]:
        """One line per step: ``✓ proved``, ``✓ proved-randomized ...`` (theorem, size, points, error
        bound), ``✓ tested on N points`` or ``✗ reason``."""
        out = []
        for i, check in enumerate(self.steps):
            head = f"step {i + 1}: {_show(self.expressions[i])}  =  {_show(self.expressions[i + 1])}"
            if check.ok:
                mark = (
                    "✓ proved"
                    if self.verdicts[i] == "proved"
                    else "✓ " + check.detail[check.detail.index("proved-randomized") :]
                    if self.verdicts[i] == "proved-randomized"
                    else f"✓ tested on {self.points[i]} points (not proved)"
                )
            else:
                mark = f"✗ {check.detail}"
            out.append(f"{head}: {mark}")
        return out

    def __str__(self) -> str:
        return "\n".join(self.lines())

    def _repr_html_(self) -> str:
        """A notebook's view: one row per step (the two sides as MathML, ✓/✗, how it was judged, a counterexample)."""
        from .. import html

        def side(e: Any) -> str:
            return html.math_sympy(e) if isinstance(e, sp.Basic) else f"<code>{html.escape(e)}</code>"

        def value(v: Any) -> str:
            return np.array2string(v, precision=3, separator=", ") if isinstance(v, np.ndarray) else repr(v)

        rows = []
        for i, check in enumerate(self.steps):
            how = (
                ("proved" if self.proved[i] else f"tested on {self.points[i]} points (not proved)")
                if check.ok
                else check.detail
            )
            found = self.counterexamples[i] if i < len(self.counterexamples) else None
            if found is not None:
                how += "; counterexample: " + ", ".join(f"{k} = {value(v)}" for k, v in found.items())
            rows.append(
                (
                    str(i + 1),
                    f"{side(self.expressions[i])} = {side(self.expressions[i + 1])}",
                    html.mark(check.ok),
                    html.escape(check.method),
                    html.escape(how),
                )
            )
        verdict = "every step holds" if self.ok else f"step {self.first_failure + 1} fails"
        return (
            f"<div><b>chain</b> {html.mark(self.ok)} {html.escape(verdict)}"
            f"{html.table(('step', 'equality', '', 'method', 'how'), rows)}</div>"
        )


def _show(e: Any) -> str:
    return e if isinstance(e, str) else sp.sstr(e)
