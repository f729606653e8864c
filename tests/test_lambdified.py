"""derivations.lambdified: one sympy.lambdify per distinct (arguments, expression, modules), the same results."""

import numpy as np
import sympy as sp

from derivations import lambdified as lam

x, y = sp.symbols("x y")


def test_the_same_call_reuses_the_function_and_gives_lambdifys_values(monkeypatch):
    built = []
    original = sp.lambdify
    monkeypatch.setattr(sp, "lambdify", lambda *a, **k: built.append(a) or original(*a, **k))
    lam.clear()
    W = sp.MatrixSymbol("W", 2, 2)
    f = lam.lambdified([W, x], x * W.T * W, "numpy")
    g = lam.lambdified([W, x], x * W.T * W, "numpy")
    assert f is g and len(built) == 1
    A = np.array([[1.0, 2.0], [3.0, 4.0]])
    assert np.allclose(f(A, 2.0), 2.0 * A.T @ A)


def test_anything_that_changes_the_function_is_in_the_key():
    lam.clear()
    real_x = sp.Symbol("x", real=True)
    f_real, f_plain = sp.Function("f", real=True), sp.Function("f")
    calls = [
        ([x], x**2, "numpy"),
        ([x], x**3, "numpy"),  # another expression
        ([y], x**2, "numpy"),  # other arguments
        ([real_x], real_x**2, "numpy"),  # other assumptions
        ([x], x**2, "math"),  # other modules
        ([x], f_real(x), [{"f": np.sin}, "numpy"]),
        ([x], f_plain(x), [{"f": np.sin}, "numpy"]),  # srepr alike, assumptions differ
        ([x], f_plain(x), [{"f": np.cos}, "numpy"]),  # another implementation of f
    ]
    functions = [lam.lambdified(*c) for c in calls]
    assert len({id(f) for f in functions}) == len(calls)
    assert functions[-1](0.0) == 1.0 and functions[-2](0.0) == 0.0


def test_the_cache_is_bounded(monkeypatch):
    lam.clear()
    monkeypatch.setattr(lam, "MAX_ENTRIES", 3)
    for k in range(5):
        lam.lambdified([x], x + k)
    assert len(lam._built) == 3
