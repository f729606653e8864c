"""The string grammar of chain steps: :func:`parse` (and :func:`declare` for the matrices' shapes)."""

from __future__ import annotations

import re
from tokenize import TokenError
from typing import Any

import numpy as np
import sympy as sp
from sympy.matrices.exceptions import NonSquareMatrixError, ShapeError
from sympy.parsing.sympy_parser import (
    convert_xor,
    parse_expr,
    rationalize,
    standard_transformations,
)

from . import grammar
from .domains import check_symbols, scalar
from .inputs import check_exponents, check_parentheses, check_value, top_level_terms
from .shapes import _trace_squares, shape_of

#: The scalar functions of the string grammar (SymPy's, by name), shared with the gradient tool's parser.
SCALAR_FUNCTIONS = {
    name: getattr(sp, name)
    for name in (
        "exp",
        "log",
        "sqrt",
        "sin",
        "cos",
        "tan",
        "tanh",
        "sinh",
        "cosh",
        "Abs",
        "Max",
        "Min",
        "Heaviside",
        "erf",
    )
}
SCALAR_FUNCTIONS.update({"abs": sp.Abs, "max": sp.Max, "min": sp.Min})

#: Names the string grammar may call (besides declared matrices and scalars).
_FUNCTIONS = dict(SCALAR_FUNCTIONS)
_FUNCTIONS.update({name: getattr(sp, name) for name in ("pi", "E", "I", "transpose", "Trace", "Identity", "Rational")})
_FUNCTIONS["trace"] = sp.Trace


def _dimension(value: Any, name: str) -> sp.Expr:
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        if value < 1:
            raise ValueError(f"matrices[{name!r}] has size {value}; expected a positive integer or a dimension name")
        return sp.Integer(int(value))
    if isinstance(value, str) and value.strip().isdigit():
        return _dimension(int(value), name)
    if isinstance(value, str) and re.fullmatch(r"[A-Za-z_]\w*", value.strip()):
        return sp.Symbol(value.strip(), integer=True, positive=True)
    if isinstance(value, sp.Symbol):
        return value
    raise ValueError(f"matrices[{name!r}] has size {value!r}; expected a positive integer or a dimension name like 'h'")


def declare(matrices: dict | None) -> dict[str, sp.MatrixSymbol]:
    """``{"W1": ("h", "d")}`` -> ``{"W1": MatrixSymbol("W1", h, d)}``, validated."""
    out: dict[str, sp.MatrixSymbol] = {}
    for name, shape in (matrices or {}).items():
        if not isinstance(name, str) or not re.fullmatch(r"[A-Za-z_]\w*", name):
            raise ValueError(f"matrix name {name!r} is not an identifier; expected e.g. 'W1'")
        if not isinstance(shape, (tuple, list)) or len(shape) != 2:
            raise ValueError(f"matrices[{name!r}] = {shape!r}; expected (rows, cols), e.g. ('h', 'd')")
        out[name] = sp.MatrixSymbol(name, _dimension(shape[0], name), _dimension(shape[1], name))
    dims = {s.name for m in out.values() for s in m.shape if isinstance(s, sp.Symbol)}
    clash = sorted(dims & set(out))
    if clash:
        raise ValueError(f"{clash[0]!r} is declared both as a matrix and as a dimension; use distinct names")
    return out


class IllFormed(Exception):
    """A step SymPy refuses to build (numeric sizes that do not fit)."""


#: Names refused in strings (SymPy would read them as infinities or NaN, or as plain symbols).
_REFUSED = ("nan", "NaN", "inf", "Inf", "oo", "zoo", "infinity", "Infinity")


def parse(text: str, matrices: dict | None = None, symbols: dict | None = None) -> sp.Basic:
    """Parse one step.  Grammar (a safe subset of Python/SymPy syntax):

    ``expr := expr (+|-|*|@|/) expr | -expr | expr**k | expr^k | (expr) | expr.T |
    f(expr, ...) | NAME | NUMBER`` where ``f`` is one of exp, log, sqrt, sin, cos,
    tan, tanh, sinh, cosh, abs/Abs, max/Max, min/Min, Heaviside, erf,
    transpose, trace/Trace, Identity, Rational; NAME is a declared matrix
    (``matrices``), or else a scalar symbol, real unless ``symbols`` gives its domain
    (:mod:`.domains`; dimension names may appear as scalars: positive integers).  ``I`` is the
    imaginary unit, as in SymPy (a step with it has complex values), ``pi`` and ``E`` the
    constants; ``nan``, ``inf``, ``oo`` and ``zoo`` are refused (``ValueError``).  ``*`` and ``@`` are both the matrix product.  Decimal literals are exact
    (``0.1`` is 1/10, so ``0.1*x + 0.2*x = 0.3*x`` holds).  Anything else
    (attributes other than ``.T``, dunder names, lambda, strings) is rejected
    with ``ValueError``; ill-sized numeric products raise :class:`IllFormed`.
    """
    if not isinstance(text, str) or not text.strip():
        raise ValueError(f"step {text!r} is empty; expected an expression such as 'W2*(W1*x + b1)'")
    forbidden = re.search(r"__|\blambda\b|\bimport\b|['\"\[\]{};:]|\.(?!T\b)[A-Za-z_]", text)
    if forbidden:
        raise ValueError(
            f"step {text!r}: {forbidden.group(0)!r} is not allowed; expected +, -, *, @, **, .T, "
            "numbers, names and functions such as exp(...)"
        )
    check_parentheses(text)
    check_exponents(text)
    declared = declare(matrices)
    symbols = check_symbols(symbols)
    refused = sorted(set(re.findall(r"[A-Za-z_]\w*", text)) & set(_REFUSED))
    if refused:
        raise ValueError(
            f"step {text!r}: {refused[0]!r} is not allowed (no infinities or NaN in a step); "
            "expected finite numbers and names"
        )
    callable_names = sorted(
        {n for n, f in _FUNCTIONS.items() if callable(f) and not isinstance(f, sp.Basic)} | set(grammar.functions())
    )
    for called in re.findall(r"(?<![\w.])([A-Za-z_]\w*)\s*\(", text):  # not .T(, not 1e3(
        if called not in callable_names:
            what = (
                f"{called!r} is a declared matrix"
                if called in declared
                else f"{called!r} is a constant"
                if called in _FUNCTIONS
                else f"{called!r} is not a known function"
            )
            hint = "; write products with '*', e.g. A*(x)" if called in declared or called in _FUNCTIONS else ""
            raise ValueError(
                f"step {text!r} does not parse: {what} but is called like a function, {called}(...); "
                f"expected one of the functions {', '.join(callable_names)}{hint}"
            )
    local = {**_FUNCTIONS, **grammar.functions(), **declared}
    names = set(re.findall(r"[A-Za-z_]\w*", re.sub(r"\d+\.\d*|\.T\b", " ", text)))
    # a dimension name in the text (Identity(n), a scalar n) is the matrices' positive integer n
    dimensions = {s.name: s for m in declared.values() for s in m.shape if isinstance(s, sp.Symbol)}
    clash = sorted(set(symbols) & (set(declared) | set(dimensions)))
    if clash:
        raise ValueError(f"symbols[{clash[0]!r}]: {clash[0]!r} is a matrix or a dimension name; expected a scalar")
    for name in names - set(local):
        local[name] = dimensions.get(name) or scalar(name, symbols)
    globals_ = {
        "__builtins__": {},
        "Symbol": sp.Symbol,
        "Integer": sp.Integer,
        "Float": sp.Float,
        "Rational": sp.Rational,
    }
    chunks = top_level_terms(text) or [text]
    try:
        parts = [
            parse_expr(
                c,
                local_dict=local,
                global_dict=globals_,
                transformations=standard_transformations + (convert_xor, rationalize),
            )
            for c in chunks
        ]
        expr = parts[0] if len(parts) == 1 else sp.Add(*parts)
    except (ShapeError, NonSquareMatrixError) as exc:
        raise IllFormed(f"{text}: {exc}") from None
    except RecursionError:
        raise ValueError(
            f"step {text[:60]!r}... ({len(text)} characters) is nested too deeply to parse; expected "
            "fewer nested operations (a long sum of terms is fine)"
        ) from None
    except AttributeError as exc:
        what = re.search(r"'(\w+)' object has no attribute '(\w+)'", str(exc))
        hint = f"{what.group(2)!r} on a {what.group(1)}" if what else str(exc)
        raise ValueError(
            f"step {text!r}: {hint}; is a matrix undeclared? declare it with --matrix NAME=ROWS,COLS"
        ) from None
    except (SyntaxError, TypeError, NameError, ValueError, TokenError) as exc:
        message = " ".join(str(exc).split()) or type(exc).__name__
        called = re.fullmatch(r"'(\w+)' object is not callable", message)
        if called:  # e.g. x.T(y) or 2 (x): a value followed by parentheses
            message = (
                f"a value ({called.group(1)}) is called like a function; expected one of the functions "
                f"{', '.join(callable_names)}, and '*' for products, e.g. x.T*(y)"
            )
        raise ValueError(f"step {text!r} does not parse: {message}") from None
    check_value(expr, f"step {text[:60]!r}")
    if not isinstance(expr, sp.Basic):
        raise ValueError(f"step {text!r} is a {type(expr).__name__}, expected an expression")
    before: list[str] = []
    shape_of(expr, before)
    _trace_squares(expr, before)
    expr = grammar.restore_identities(expr)
    after: list[str] = []
    shape_of(expr, after)
    if before and not after:  # SymPy dropped an Identity of the wrong size: Identity(m)*A -> A
        raise IllFormed(f"{text}: {before[0].replace('Identity(', 'Identity(')}")
    return expr
