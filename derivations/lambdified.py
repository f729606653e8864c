"""``sympy.lambdify`` once per expression: :func:`lambdified` keeps the functions it has built.

``lambdify`` prints the expression to Python source and compiles it: tens of
milliseconds for a matrix expression (5.3.ex2 rebuilt four per Hypothesis
example, 44 ms each).  The same arguments, expression and modules give the
same function, so it is built once per process.  The key is the ``srepr`` of
the arguments and of the expression (which names every symbol with its
assumptions), the class manifest :mod:`derivations.cache` uses (undefined
functions' assumptions, which ``srepr`` omits), the modules (names, or the
identity of the functions a dict maps to, kept alive by the entry so an
identity is never reused) and the other keyword arguments.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from typing import Any

__all__ = ["MAX_ENTRIES", "clear", "lambdified"]

#: Functions kept; the least recently used go first beyond this (a claim uses a few dozen).
MAX_ENTRIES = 2048

_built: OrderedDict[tuple, tuple[Callable, Any]] = OrderedDict()


def _modules_key(modules: Any) -> Any:
    if modules is None or isinstance(modules, str):
        return modules
    if isinstance(modules, dict):
        return ("dict", tuple(sorted((str(k), id(v)) for k, v in modules.items())))
    if isinstance(modules, (list, tuple)):
        return ("seq", tuple(_modules_key(m) for m in modules))
    return ("object", id(modules))  # a module object or a namespace: by identity


def _expr_key(value: Any) -> str:
    import sympy as sp

    from .cache import expression_key

    if isinstance(value, (list, tuple)):
        return "[" + ",".join(_expr_key(v) for v in value) + "]"
    if isinstance(value, sp.MatrixBase) or isinstance(value, sp.Basic):
        key = expression_key(value)
        if key is not None:
            return key
    # not a SymPy object the key can describe (a class built at run time, a Python object): by srepr
    # and identity; the entry keeps ``value`` alive, so the identity is not reused while it is cached
    return f"{sp.srepr(value)} id={id(value)}"


def lambdified(args: Any, expr: Any, modules: Any = None, **kwargs: Any) -> Callable:
    """``sympy.lambdify(args, expr, modules, **kwargs)``, built once per distinct call and reused."""
    import sympy as sp

    key = (
        _expr_key(args),
        _expr_key(expr),
        _modules_key(modules),
        tuple(sorted((k, repr(v)) for k, v in kwargs.items())),
    )
    entry = _built.get(key)
    if entry is not None:
        _built.move_to_end(key)
        return entry[0]
    function = sp.lambdify(args, expr, modules, **kwargs)
    _built[key] = (function, (args, expr, modules))  # keeps every object whose id is in the key alive
    if len(_built) > MAX_ENTRIES:
        _built.popitem(last=False)
    return function


def clear() -> None:
    """Forget every built function (benchmarks time a cold build with it)."""
    _built.clear()
