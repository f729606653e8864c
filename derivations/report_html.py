"""The verification report as ONE self-contained HTML page (for ``mlp-derivations report --html FILE``).

:func:`write_html` verifies the claims (or takes results already computed) and writes a page that
reads with no network and no script:

- a summary, then the claim table by section: verdict (✓/✗ and in words), methods, max error, time;
- each claim: its statement as MathML (the claim's LaTeX through latex2mathml), SymPy's form of it
  where that is an equation (:func:`derivations.html.book_latex`, the book's notation), and its checks;
- the errata of the study note: the note's words and formula, the correction, the checks that refute it;
- the gradients of section 5.3 as SymPy derives them (Eqs. 5.3.8–5.3.14), in the book's notation;
- the chapter's figures (numeric.plots) as PNG data URIs at :data:`FIGURE_DPI`.

The page has a ``<style>`` element and no ``<script>``, no ``src``/``href`` to anything but a
``data:`` URI or an anchor in the page.
"""

from __future__ import annotations

import base64
import io
import time
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from . import html

__all__ = ["FIGURE_DPI", "errata_parts", "figure_pngs", "render_html", "write_html"]

#: Figures are embedded at 72 dpi (792 × 324 pixels at plots.FIGSIZE): readable on screen, ~50 kB each.
FIGURE_DPI = 72

_STYLE = """
body{font-family:system-ui,sans-serif;max-width:70em;margin:1em auto;padding:0 1em;color:#222;line-height:1.4}
table{border-collapse:collapse;margin:.5em 0}
table.claims{width:100%}
table.claims td:nth-child(5),table.claims td:nth-child(6){white-space:nowrap}
th,td{padding:2px 8px;text-align:left;vertical-align:top;border-bottom:1px solid #ddd}
.claim{border-left:3px solid #ccc;padding-left:.8em;margin:1.2em 0}
.erratum{border-left-color:#c60}
.bad{background:#fee}
math{font-size:1.1em}
img{max-width:100%;border:1px solid #eee}
code{font-size:.9em}
"""


def write_html(
    path: str | Path,
    results: Mapping[str, Any] | Iterable[Any] | None = None,
    *,
    claims: Iterable[Any] | None = None,
    figures: bool | Mapping[str, bytes] = True,
    examples: int | None = None,
    seed: int = 0,
    dpi: int = FIGURE_DPI,
) -> Path:
    """Write the report page to ``path``; returns the path.

    ``claims``: the claims to report (default every registered claim, chapter order).
    ``results``: already computed :class:`~derivations.claims.Result` s (a mapping by claim id or an
    iterable); a claim without one is verified here with ``examples`` and ``seed``.  ``figures``:
    True embeds the chapter's figures at ``dpi`` (:func:`figure_pngs`; needs matplotlib, the training
    figure uses the default run), False none, a mapping (file name -> PNG bytes) those given.
    """
    import derivations

    chosen = list(derivations.claims() if claims is None else claims)
    given = dict(results) if isinstance(results, Mapping) else {r.claim_id: r for r in (results or ())}
    pairs = [(c, given[c.id] if c.id in given else c.verify(examples=examples, seed=seed)) for c in chosen]
    pngs = dict(figures) if isinstance(figures, Mapping) else figure_pngs(seed=seed, dpi=dpi) if figures else {}
    path = Path(path)
    path.write_text(render_html(pairs, figures=pngs), encoding="utf-8")
    return path


def figure_pngs(*, seed: int = 0, dpi: int = FIGURE_DPI) -> dict[str, bytes]:
    """The chapter's figures as PNG bytes by file name; empty if matplotlib is not installed."""
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        return {}
    import numpy as np

    from numeric import plots

    from .training import default_run

    data, history = default_run(seed)
    rng = np.random.default_rng(seed)
    made = {
        "activations.png": plots.activations_figure(),
        "sigmoid_vanishing.png": plots.sigmoid_vanishing_figure(),
        "exploding_products.png": plots.exploding_products_figure(rng=rng),
        "depth_variance.png": plots.depth_variance_figure(rng=rng),
        "training_curves.png": plots.training_curves_figure(history, dataset=data.name),
    }
    out = {}
    for name, fig in made.items():
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", dpi=dpi)
        out[name] = buffer.getvalue()
    return out


def errata_parts(title: str) -> tuple[str, str | None]:
    """An erratum's title split into the note's words and the correction: ``"Note: A (correct: B)"`` -> (A, B)."""
    words = title.removeprefix("Note: ")
    head, sep, tail = words.partition(" (correct: ")
    if not sep or not tail.endswith(")"):
        return words, None
    return head, tail[:-1]


def _verdict_cell(claim: Any, result: Any) -> str:
    return f"{html.mark(result.ok)} {html.escape(html.verdict_text(claim.expected, result.holds))}"


def _sympy_form(claim: Any) -> str:
    """SymPy's statement of ``claim`` in the book's notation, where it is an equation or inequality."""
    import sympy as sp

    try:
        statement = claim.statement
    except Exception:  # noqa: BLE001 - a statement that cannot be built is left out, the checks say why
        return ""
    if not isinstance(statement, sp.Rel):
        return ""
    return f"<p>SymPy's form: {html.math_sympy(statement, display=True)}</p>"


def _section_key(section: str) -> tuple:
    return tuple(int(p) for p in section.split(".") if p.isdigit())


def render_html(pairs: list[tuple[Any, Any]], *, figures: Mapping[str, bytes] | None = None) -> str:
    """The page for ``(claim, result)`` pairs and figures (file name -> PNG bytes)."""
    import derivations

    out = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        "<title>mlp-derivations: verification report</title>",
        f"<style>{_STYLE}</style></head><body>",
        "<h1>mlp-derivations: the MLP chapter of <i>Dive into Deep Learning</i>, verified</h1>",
    ]
    bad = [c.id for c, r in pairs if not r.ok]
    errata = [(c, r) for c, r in pairs if not c.expected]
    total = sum(r.seconds for _, r in pairs)
    summary = f"{len(pairs) - len(bad)} of {len(pairs)} claims as expected"
    summary += f" ({sum(r.ok for _, r in errata)} errata of the study note found)" if errata else ""
    summary += f" in {total:.1f} s" + (f"; NOT as expected: {', '.join(bad)}" if bad else "")
    out.append(
        f'<p id="summary">{html.mark(not bad)} {html.escape(summary)}. mlp-derivations '
        f"{html.escape(derivations.__version__)}, {html.escape(time.strftime('%Y-%m-%d %H:%M'))}.</p>"
    )
    out.append(
        '<p>Contents: <a href="#table">claims by section</a> · <a href="#claims">statements and checks</a>'
        ' · <a href="#errata">errata of the study note</a> · <a href="#gradients">derived gradients</a>'
        + (' · <a href="#figures">figures</a>' if figures else "")
        + "</p>"
    )

    out.append('<h2 id="table">Claims by section</h2>')
    for section in sorted({c.section for c, _ in pairs}, key=_section_key):
        rows = [
            (
                f'<a href="#c-{html.escape(c.id)}">{html.escape(c.id)}</a>',
                html.escape(c.title),
                html.escape(", ".join(r.methods)),
                _verdict_cell(c, r),
                html.escape(html.fmt_error(r.max_error)),
                f"{r.seconds:.2f} s",
            )
            for c, r in pairs
            if c.section == section
        ]
        out.append(
            html.table(
                ("id", "title", "methods", "verdict", "max error", "time"),
                rows,
                caption=f"Section {html.escape(section)}",
                css_class="claims",
            )
        )

    out.append('<h2 id="claims">Statements and checks</h2>')
    for c, r in pairs:
        kind = "Claim" if c.expected else "Erratum of the study note"
        css = "claim" + ("" if c.expected else " erratum") + ("" if r.ok else " bad")
        out.append(
            f'<div class="{css}" id="c-{html.escape(c.id)}"><h3>{kind} {html.escape(c.id)}: '
            f"{html.escape(c.title)}</h3><p>{_verdict_cell(c, r)}</p>"
            f"{html.math_latex(c.latex, display=True)}{_sympy_form(c)}{html.checks_table(r.checks)}</div>"
        )

    out.append('<h2 id="errata">Errata of the study note</h2>')
    if not errata:
        out.append("<p>No erratum among the reported claims.</p>")
    for c, r in errata:
        words, correction = errata_parts(c.title)
        refuting = [k for k in r.checks if not k.ok]
        out.append(
            f'<div class="claim erratum"><h3>{html.escape(c.id)} {_verdict_cell(c, r)}</h3>'
            f"<p><b>The note says:</b> {html.escape(words)}</p>{html.math_latex(c.latex, display=True)}"
            + (f"<p><b>Correction:</b> {html.escape(correction)}</p>" if correction else "")
            + (html.checks_table(refuting, caption="What refutes it") if refuting else "")
            + "</div>"
        )

    out.append(_gradients())
    if figures:
        out.append('<h2 id="figures">Figures</h2>')
        for name, png in figures.items():
            data = base64.b64encode(png).decode("ascii")
            out.append(
                f'<figure><img alt="{html.escape(name)}" src="data:image/png;base64,{data}">'
                f"<figcaption>{html.escape(name)}</figcaption></figure>"
            )
    out.append("</body></html>")
    return "\n".join(out)


#: The gradients of section 5.3 shown in the report: key of backprop.derived(), its left side, its equation.
GRADIENTS = (
    ("dJ_do", r"\frac{\partial J}{\partial o}", "5.3.9"),
    ("dJ_dW2", r"\frac{\partial J}{\partial W_2}", "5.3.11"),
    ("dJ_dh", r"\frac{\partial J}{\partial h}", "5.3.12"),
    ("dJ_dz", r"\frac{\partial J}{\partial z}", "5.3.13"),
    ("dJ_dW1", r"\frac{\partial J}{\partial W_1}", "5.3.14"),
)


def _gradients() -> str:
    """The derived gradients of 5.3 (derivations.gradient) in the book's notation, with the symbols introduced."""
    from . import backprop

    derived = backprop.derived()
    rows = [(f"Eq. {eq}", html.math_latex(f"{lhs} = {html.book_latex(derived[key])}")) for key, lhs, eq in GRADIENTS]
    return (
        '<h2 id="gradients">Derived gradients (section 5.3)</h2>'
        "<p><code>derivations.gradient</code> differentiates "
        + html.math_latex(r"J = l(o, y) + \frac{\lambda}{2}\left(\|W_1\|_F^2 + \|W_2\|_F^2\right)")
        + " with "
        + html.math_latex(r"z = W_1 x,\ h = \phi(z),\ o = W_2 h")
        + " at symbolic sizes; "
        + html.math_latex(r"g = \frac{\partial L}{\partial o}")
        + " is the loss's gradient, "
        + html.math_latex(r"\phi'")
        + " the activation's derivative applied entrywise, "
        + html.math_latex(r"\odot")
        + " the entrywise product.</p>"
        + html.table(("equation", "derived"), rows)
    )
