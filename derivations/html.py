"""Small HTML pieces shared by the report page and the notebooks' ``_repr_html_`` (a leaf module).

Imports nothing from the package (SymPy and latex2mathml only inside the functions that need
them), so the chapter, the registry and the tools (``chain``, ``calculus``) may all use it:

- :func:`escape` -- text for HTML;
- :func:`mark` -- ✓ or ✗, coloured;
- :func:`math_latex` / :func:`math_sympy` -- a formula as MathML (``<math xmlns=...>``), which
  browsers lay out natively: no script, no network;
- :func:`book_latex` -- a SymPy expression in the book's notation (``φ′(z)``, ``⊙``, ``xᵀ``)
  rather than SymPy's (``(d ↦ φ(d))∘(W1 x)``, ``∘``);
- :func:`table` -- a compact table; :func:`checks_table` -- one row per check (✓/✗, method,
  detail, max error) for anything with ``.ok``, ``.method``, ``.detail``, ``.max_error``.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence
from typing import Any

__all__ = [
    "MATHML_NS",
    "book_latex",
    "checks_table",
    "escape",
    "fmt_error",
    "mark",
    "math_latex",
    "math_sympy",
    "table",
    "verdict_text",
]

#: The MathML namespace (an identifier, never fetched).
MATHML_NS = "http://www.w3.org/1998/Math/MathML"

_CELL = "padding:2px 8px;text-align:left;vertical-align:top;border-bottom:1px solid #ddd"


def escape(text: Any) -> str:
    """``text`` (any object, via ``str``) with ``& < > " '`` escaped for HTML."""
    return html.escape(str(text), quote=True)


def mark(ok: bool | None) -> str:
    """✓ (green) for True, ✗ (red) for False, ? (orange) for None (undetermined)."""
    if ok is None:
        return '<span style="color:#b60" title="undetermined">?</span>'
    return '<span style="color:#070" title="ok">✓</span>' if ok else '<span style="color:#b00" title="fails">✗</span>'


def fmt_error(value: float | None) -> str:
    """A max error for a table cell: ``-`` when none was measured, else three significant digits."""
    return "-" if value is None else f"{value:.3g}"


def verdict_text(expected: bool, holds: bool | None) -> str:
    """A verdict in words: a claim holds or fails; an erratum of the study note is found or not found."""
    if holds is None:
        return "undetermined: a check raised"
    if expected:
        return "holds" if holds else "FAILS"
    return "erratum found: the note's claim is refuted" if not holds else "ERRATUM NOT FOUND: the note's claim passed"


def _wrap(inner: str, display: bool) -> str:
    mode = "block" if display else "inline"
    return f'<math xmlns="{MATHML_NS}" display="{mode}">{inner}</math>'


def math_latex(latex: str, *, display: bool = False) -> str:
    """``latex`` as a MathML ``<math>`` element (latex2mathml); the escaped source in ``<code>`` if it cannot convert."""
    try:
        from latex2mathml.converter import convert
    except ImportError:  # an optional nicety: the report still reads without it
        return f'<code class="tex">{escape(latex)}</code>'
    try:
        converted = convert(latex, display="block" if display else "inline")
    except Exception:  # noqa: BLE001 - any parse failure: show the source rather than lose the page
        return f'<code class="tex">{escape(latex)}</code>'
    # latex2mathml writes <math xmlns=... display=...>; keep one spelling of the namespace.
    return converted if converted.startswith("<math") else _wrap(converted, display)


def math_sympy(expr: Any, *, display: bool = False, book: bool = True) -> str:
    """A SymPy expression as MathML: via :func:`book_latex` (``book=True``) or SymPy's presentation printer."""
    if book:
        return math_latex(book_latex(expr), display=display)
    from sympy.printing.mathml import mathml

    return _wrap(mathml(expr, printer="presentation"), display)


def book_latex(expr: Any) -> str:
    """LaTeX of ``expr`` in the book's notation.

    An entrywise function ``ElementwiseApplyFunction(f, X)`` prints as ``f(X)`` -- and as ``f'(X)``
    when ``f`` is ``t ↦ d/dt f(t)`` or a function named ``D0f`` (SymPy's name for the derivative of
    ``f`` in its first argument); a Hadamard product as ``⊙``; a transpose as ``ᵀ`` (``x^\\top``).
    """
    from sympy.printing.latex import LatexPrinter

    class _Book(LatexPrinter):
        def _print_ElementwiseApplyFunction(self, e):
            flipped = e.expr.T  # φ(xᵀW1ᵀ) as the book writes it, φ(W1 x)ᵀ: fewer transposes inside
            if _transposes(flipped) < _transposes(e.expr):
                return f"{{{_function_latex(self, e.function)}\\left({self._print(flipped)}\\right)}}^{{\\top}}"
            return f"{_function_latex(self, e.function)}\\left({self._print(e.expr)}\\right)"

        def _print_HadamardProduct(self, e):
            return r" \odot ".join(
                self.parenthesize(a, 1_000, strict=True) if not a.is_symbol else self._print(a) for a in e.args
            )

        def _print_Transpose(self, e):
            base = self._print(e.arg)
            if not (e.arg.is_symbol or getattr(e.arg, "is_MatrixSymbol", False)):
                base = f"\\left({base}\\right)"
            return f"{{{base}}}^{{\\top}}"

    return _Book().doprint(expr)


def _transposes(expr: Any) -> int:
    import sympy as sp

    return sum(isinstance(a, sp.Transpose) for a in sp.preorder_traversal(expr))


def _function_latex(printer, function) -> str:
    import sympy as sp

    if isinstance(function, sp.Lambda) and len(function.variables) == 1:
        (t,), body = function.variables, function.expr
        if isinstance(body, sp.Derivative) and body.variables == (t,) and body.expr.args == (t,):
            return _name_latex(printer, body.expr.func) + "'"
        if isinstance(body, sp.Function) and body.args == (t,):
            return _name_latex(printer, body.func)
        return printer._print(function)
    return _name_latex(printer, function)


def _name_latex(printer, func) -> str:
    import sympy as sp

    name = getattr(func, "__name__", str(func))
    if name.startswith("D0") and len(name) > 2:
        return printer._print(sp.Function(name[2:])) + "'"
    return printer._print(sp.Function(name)) if isinstance(func, type) else printer._print(func)


def table(
    header: Sequence[str], rows: Iterable[Sequence[str]], *, caption: str | None = None, css_class: str | None = None
) -> str:
    """An HTML table; ``header`` is plain text (escaped here), ``rows`` are HTML cells (escape them first)."""
    attrs = f' class="{escape(css_class)}"' if css_class else ' style="border-collapse:collapse"'
    out = [f"<table{attrs}>"]
    if caption:
        out.append(f'<caption style="text-align:left;font-weight:bold">{caption}</caption>')
    out.append("<tr>" + "".join(f'<th style="{_CELL}">{escape(h)}</th>' for h in header) + "</tr>")
    for row in rows:
        out.append("<tr>" + "".join(f'<td style="{_CELL}">{cell}</td>' for cell in row) + "</tr>")
    out.append("</table>")
    return "".join(out)


def checks_table(checks: Iterable[Any], *, caption: str | None = None) -> str:
    """One row per check: ✓/✗, method, detail line, max error (objects with ``.ok .method .detail .max_error``)."""
    rows = [(mark(c.ok), escape(c.method), escape(c.detail), escape(fmt_error(c.max_error))) for c in checks]
    return table(("", "method", "detail", "max error"), rows, caption=caption)
