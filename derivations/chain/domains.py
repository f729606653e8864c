"""Domains of scalar symbols (issue 13): ``symbols={"z": "complex", "n": "integer", "p": "positive"}``.

A scalar named in a string step is real unless ``symbols`` says otherwise; a SymPy symbol keeps its
own assumptions (a plain ``Symbol("x")`` is complex, as in SymPy) unless ``symbols`` names it, and
then it is replaced by a symbol of that domain.  Matrices are real.  Random points and every
reported counterexample lie inside these domains: a step is refuted only at such a point (complex
numbers may still appear as VALUES, e.g. ``log(-1) = iπ`` as SymPy means it, or with ``I``).
"""

from __future__ import annotations

import re

import sympy as sp

#: Domain name -> SymPy assumptions of a symbol in it.
DOMAINS = {"real": {"real": True}, "positive": {"positive": True}, "integer": {"integer": True}, "complex": {}}


def check_symbols(symbols) -> dict[str, str]:
    """``symbols`` validated: a dict from identifiers to domain names of :data:`DOMAINS`."""
    if symbols is None:
        return {}
    if not isinstance(symbols, dict):
        raise ValueError(f"symbols={symbols!r}; expected a dict from names to domains, e.g. {{'z': 'complex'}}")
    for name, domain in symbols.items():
        if not isinstance(name, str) or not re.fullmatch(r"[A-Za-z_]\w*", name):
            raise ValueError(f"symbols: name {name!r} is not an identifier; expected e.g. 'x'")
        if domain not in DOMAINS:
            raise ValueError(f"symbols[{name!r}] = {domain!r}; expected one of {', '.join(map(repr, DOMAINS))}")
    return dict(symbols)


def scalar(name: str, symbols: dict[str, str]) -> sp.Symbol:
    """The scalar symbol ``name`` of a string step: real unless ``symbols`` gives its domain."""
    return sp.Symbol(name, **DOMAINS[symbols.get(name, "real")])


def domain_of(s: sp.Symbol) -> str:
    """The domain of a symbol from its assumptions (the narrowest of :data:`DOMAINS`)."""
    if s.is_integer:
        return "positive-integer" if s.is_positive else "integer"
    if s.is_positive:
        return "positive"
    return "real" if s.is_real else "complex"


def apply_domains(expr: sp.Basic, symbols: dict[str, str]) -> sp.Basic:
    """A SymPy step with every scalar symbol that ``symbols`` names replaced by one of its domain."""
    swap = {
        s: sp.Symbol(s.name, **DOMAINS[symbols[s.name]])
        for s in expr.free_symbols
        if isinstance(s, sp.Symbol) and not isinstance(s, sp.MatrixSymbol) and s.name in symbols
    }
    return expr.xreplace(swap) if swap else expr
