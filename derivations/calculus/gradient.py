"""The public tool: :func:`gradient` (a closed form, at symbolic sizes) and :func:`verify_gradient`.

>>> from derivations import gradient
>>> G = gradient("sum(tanh(W*x + b))", "W", matrices={"W": ("h", "d"), "x": ("d", 1), "b": ("h", 1)})
>>> str(G), G.shape
('(1 - tanh(W*x + b)**2)*x.T', (h, d))

``G.expr`` is the SymPy closed form (entrywise functions as ``ElementwiseApplyFunction``), ``G.latex``
and ``_repr_latex_`` render it with φ(A) meaning φ entry by entry, ``G.function()`` evaluates it in
NumPy and ``G.verify()`` checks it (:mod:`.verify`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np
import sympy as sp
from sympy import Lambda
from sympy.core.function import AppliedUndef
from sympy.matrices.expressions.applyfunc import ElementwiseApplyFunction

from .derive import derive
from .evaluate import evaluate_numpy
from .normalize import normalize
from .parse import parse_scalar

__all__ = ["Gradient", "gradient", "resolve", "verify_gradient"]


def _transposes(expr: sp.Basic) -> int:
    return sum(isinstance(a, sp.Transpose) for a in sp.preorder_traversal(expr))


def _display(expr: sp.Basic, printer: Callable) -> sp.Basic:
    """``expr`` with every entrywise application φ(A) replaced by a symbol printed as φ(A) (innermost first)."""

    def one(e: ElementwiseApplyFunction) -> sp.MatrixExpr:
        flipped = e.expr.T  # φ(xᵀW1ᵀ) reads better as φ(W1 x)ᵀ: the form with fewer transposes inside
        if _transposes(flipped) < _transposes(e.expr):
            return sp.Transpose(one(ElementwiseApplyFunction(e.function, flipped)))
        fn = e.function if isinstance(e.function, Lambda) else Lambda(sp.Dummy("u"), e.function(sp.Dummy("u")))
        arg = _display(e.expr, printer)
        inner = sp.Symbol(printer(arg))
        body = fn.expr.xreplace({fn.variables[0]: inner})
        text = printer(body)
        if not (isinstance(body, sp.Function) and body.args == (inner,)):
            text = (r"\left(" + text + r"\right)") if printer is sp.latex else f"({text})"
        return sp.MatrixSymbol(text, *e.shape)

    apps = [a for a in sp.preorder_traversal(expr) if isinstance(a, ElementwiseApplyFunction)]
    if not apps:
        return expr
    outer = [a for a in apps if not any(a != b and b.has(a) for b in apps)]  # inner ones: by one()'s recursion
    return expr.xreplace({a: one(a) for a in outer})


class Gradient:
    """∂f/∂wrt in closed form (``.expr``, shaped like ``wrt``), with ``.latex``, ``.function()``, ``.verify()``."""

    def __init__(self, f: sp.Basic, wrt: sp.Basic, expr: sp.Basic):
        self.f, self.wrt, self.expr = f, wrt, expr
        self.shape = tuple(wrt.shape) if isinstance(wrt, sp.MatrixExpr) else ()

    def __str__(self) -> str:
        return sp.sstr(_display(normalize(self.expr), sp.sstr))

    def __repr__(self) -> str:
        return f"Gradient(∂f/∂{self.wrt} = {self})"

    @property
    def latex(self) -> str:
        return sp.latex(_display(normalize(self.expr), sp.latex))

    def _repr_latex_(self) -> str:
        return rf"$\displaystyle \frac{{\partial f}}{{\partial {sp.latex(self.wrt)}}} = {self.latex}$"

    def _repr_html_(self) -> str:
        """For a notebook: ∂f/∂wrt as MathML (readable with no script), and its shape."""
        from ..html import escape, math_latex

        shape = " × ".join(map(str, self.shape)) or "scalar"
        lhs = rf"\frac{{\partial f}}{{\partial {sp.latex(self.wrt)}}} = {self.latex}"
        return f"<div>{math_latex(lhs, display=True)}<p>shape {escape(shape)}</p></div>"

    def names(self) -> list[str]:
        """The matrix and scalar names ``f`` depends on (the keyword arguments of :meth:`function`)."""
        syms = {s for s in self.f.free_symbols | self.expr.free_symbols if isinstance(s, (sp.Symbol, sp.MatrixSymbol))}
        dims = {d for m in self.f.atoms(sp.MatrixSymbol) for s in m.shape for d in sp.sympify(s).free_symbols}
        return sorted({s.name for s in syms - dims})

    def function(self, funcs: Mapping[str, Callable] | None = None) -> Callable:
        """A NumPy function of the arrays by name (keywords) returning ∂f/∂wrt shaped like ``wrt``.

        Sizes are read off the arrays (a 1-D array is a column); undefined functions (``phi`` and its
        derivative ``D0phi``) come from ``funcs``.  Mismatched or missing arrays raise ``ValueError``.
        """
        return lambda **arrays: evaluate_at(self.expr, self.f, arrays, funcs, shape_of=self.wrt)

    def verify(self, *, seed: int = 0, examples: int = 20):
        """Check ∂f/∂wrt twice: entrywise at explicit sizes vs SymPy's scalar diff, and vs finite differences."""
        from .verify import verify_gradient_expr

        return verify_gradient_expr(self, seed=seed, examples=examples)


def sizes_from(f: sp.Basic, arrays: Mapping[str, np.ndarray]) -> dict:
    """The size of each dimension symbol of ``f``'s matrices from the arrays given, checked for consistency."""
    sizes: dict = {}
    for m in sorted(f.atoms(sp.MatrixSymbol), key=lambda m: m.name):
        if m.name not in arrays:
            raise ValueError(
                f"no array for {m.name!r}; expected keyword arguments {m.name}=... ({m.shape[0]}×{m.shape[1]})"
            )
        shape = np.shape(arrays[m.name])
        shape = (shape[0], 1) if len(shape) == 1 else shape
        if len(shape) != 2:
            raise ValueError(f"{m.name} has shape {np.shape(arrays[m.name])}; expected a matrix {m.shape}")
        for dim, n in zip(m.shape, shape):
            if isinstance(dim, sp.Symbol):
                if sizes.setdefault(dim, n) != n:
                    raise ValueError(
                        f"{m.name} has shape {shape} but another array set {dim} = {sizes[dim]}; "
                        f"expected {dim} to be one size"
                    )
            elif int(dim) != n:
                raise ValueError(f"{m.name} has shape {shape}; expected {m.shape}")
    return sizes


def evaluate_at(expr, f, arrays, funcs=None, shape_of=None):
    """``expr`` at arrays by name (1-D arrays as columns), the result shaped like ``shape_of`` (or a float)."""
    values = {k: (np.reshape(v, (-1, 1)) if np.ndim(v) == 1 else v) for k, v in arrays.items()}
    sizes = sizes_from(f, values)
    out = evaluate_numpy(expr, values, sizes, funcs)
    if isinstance(shape_of, sp.MatrixExpr):
        shape = tuple(int(sp.sympify(s).xreplace(sizes)) for s in shape_of.shape)
        return np.broadcast_to(np.asarray(out, dtype=np.result_type(out, float)), shape).copy()
    return out


def resolve(f, wrt, matrices=None, symbols=None) -> tuple[sp.Basic, sp.Basic]:
    """(f, wrt) as SymPy objects, validated: ``f`` a scalar (or 1×1), ``wrt`` a matrix or scalar symbol in ``f``."""
    if isinstance(f, str):
        f = parse_scalar(f, matrices, symbols)
    elif not isinstance(f, sp.Basic):
        raise ValueError(f"f is a {type(f).__name__}; expected a SymPy expression or a string like 'sum(tanh(W*x))'")
    if isinstance(f, (sp.MatrixExpr, sp.MatrixBase)) and f.shape != (1, 1):
        raise ValueError(
            f"f = {sp.sstr(f)[:60]} is a {f.shape[0]}×{f.shape[1]} matrix; expected a scalar "
            "(e.g. sum(...), trace(...) or x.T*A*x)"
        )
    names = {s.name: s for s in f.free_symbols | f.atoms(sp.MatrixSymbol) if hasattr(s, "name")}
    dims = {d.name for m in f.atoms(sp.MatrixSymbol) for s in m.shape for d in sp.sympify(s).free_symbols}
    if isinstance(wrt, (sp.MatrixSymbol, sp.Symbol)) and wrt in f.free_symbols | f.atoms(sp.MatrixSymbol):
        return f, wrt  # a symbol object is unambiguous even where a dimension has its name (vector h, size h)
    name = wrt if isinstance(wrt, str) else getattr(wrt, "name", None)
    if not isinstance(name, str):
        raise ValueError(f"wrt={wrt!r}; expected a name or a MatrixSymbol/Symbol, e.g. 'W'")
    if name in dims:
        raise ValueError(f"wrt={name!r} is a dimension of the matrices; expected a matrix or a scalar of f")
    if name not in names:
        declared = name in (matrices or {})
        raise ValueError(
            f"wrt={name!r} {'is declared but ' if declared else ''}does not occur in f; expected one "
            f"of {', '.join(sorted(set(names) - dims)) or '(none)'}"
        )
    sym = names[name]
    if not isinstance(wrt, str) and wrt != sym:
        raise ValueError(f"wrt={wrt!r} has the name of {sym!r} in f but another shape or domain")
    return f, sym


def gradient(f, wrt, *, matrices: dict | None = None, symbols: dict | None = None) -> Gradient:
    """∂f/∂wrt of a scalar ``f`` at symbolic sizes, in closed form (reverse-mode rules, see :mod:`.derive`).

    ``f``: a SymPy expression or a string in the chain checker's grammar (:mod:`.parse`); ``wrt``: a
    name or symbol of ``f``; ``matrices``/``symbols`` as for :func:`derivations.verify_chain`.
    Bad input raises a one-line ``ValueError``.
    """
    f, sym = resolve(f, wrt, matrices, symbols)
    return Gradient(f, sym, derive(f, sym))


def _opaque(exprs: list[sp.Basic]) -> list[sp.Basic]:
    """Undefined functions' applications (φ(A), D0phi(A), φ(t)) replaced by fresh symbols, one per distinct
    application: a proof then holds for every φ; a counterexample names them (``phi(W*x + b)``)."""
    fresh: dict = {}
    exprs = [normalize(e) for e in exprs]  # once: normalize names its Lambdas' variables afresh each call
    for e in exprs:
        for a in sp.preorder_traversal(e):
            if isinstance(a, ElementwiseApplyFunction):
                fn = a.function.expr.func if isinstance(a.function, Lambda) else a.function
                if isinstance(fn, sp.core.function.UndefinedFunction) and a not in fresh:
                    fresh[a] = sp.MatrixSymbol(f"{fn.__name__}({sp.sstr(a.expr)})", *a.shape)
            elif isinstance(a, AppliedUndef) and a not in fresh:
                fresh[a] = sp.Symbol(sp.sstr(a), real=True)
    u = sp.Dummy("u")
    powers = lambda e: e.replace(  # noqa: E731 - the chain checker cannot evaluate HadamardPower (A∘k): as u**k entrywise
        lambda a: isinstance(a, sp.HadamardPower),
        lambda a: ElementwiseApplyFunction(Lambda(u, u ** a.args[1]), a.args[0]),
    )
    return [powers(e.xreplace(fresh)) for e in exprs]


def verify_gradient(f, wrt, claimed, *, matrices: dict | None = None, symbols: dict | None = None, seed: int = 0):
    """Prove ``claimed`` equal to ∂f/∂wrt (by :func:`derivations.verify_chain`), or refute it with a small
    counterexample; a refuting step's detail names the entry that differs and both values."""
    from ..chain import verify_chain

    G = gradient(f, wrt, matrices=matrices, symbols=symbols)
    if isinstance(claimed, str):
        claimed = parse_scalar(claimed, matrices, symbols, what="claimed")
    elif not isinstance(claimed, sp.Basic):
        raise ValueError(f"claimed is a {type(claimed).__name__}; expected a SymPy expression or a string")
    known = {s.name for s in G.f.free_symbols | G.f.atoms(sp.MatrixSymbol) if hasattr(s, "name")}
    known |= {d.name for m in G.f.atoms(sp.MatrixSymbol) for x in m.shape for d in sp.sympify(x).free_symbols}
    extra = sorted(
        {s.name for s in claimed.free_symbols | claimed.atoms(sp.MatrixSymbol) if hasattr(s, "name")} - known
    )
    if extra:
        raise ValueError(
            f"claimed uses {extra[0]!r}, which does not occur in f; expected names of f: {', '.join(sorted(known))}"
        )
    lhs, rhs = _opaque([claimed, G.expr])
    result = verify_chain([lhs, rhs], seed=seed)
    if result.counterexample and result.verdicts[0] == "refuted":
        _name_entry(result, lhs, rhs, isinstance(G.wrt, sp.MatrixExpr))
    return result


def _name_entry(result, lhs, rhs, matrix: bool) -> None:
    """Append to the refuting step the entry [i, j] where claimed and derived differ most, with both values."""
    from ..check import Check

    point = result.counterexample
    dims = {
        d: point[d.name]
        for e in (lhs, rhs)
        for m in e.atoms(sp.MatrixSymbol)
        for s in m.shape
        for d in sp.sympify(s).free_symbols
        if d.name in point
    }
    try:
        a = np.atleast_2d(evaluate_numpy(lhs, point, dims))
        b = np.atleast_2d(evaluate_numpy(rhs, point, dims))
        a, b = np.broadcast_arrays(a, b)
    except (KeyError, ValueError, TypeError):
        return
    k = np.unravel_index(int(np.argmax(np.abs(a - b))), a.shape)
    step = result.steps[0]
    where = f"entry [{k[0]}, {k[1]}]" if matrix else "the value"
    result.steps[0] = Check(
        step.method,
        step.ok,
        f"{step.detail}; {where} differs: claimed {a[k]:.17g} vs derived {b[k]:.17g}",
        step.max_error,
    )
