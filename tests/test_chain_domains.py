"""Domains of chain steps (issue 13): strings are real by default, ``symbols`` declares others,
and every counterexample lies inside the declared domains."""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp

from derivations.chain import verify_chain

LOGSUMEXP = ["log(exp(a) + exp(b))", "m + log(exp(a - m) + exp(b - m))"]


def _in_domain(value, domain: str) -> bool:
    if isinstance(value, np.ndarray):
        return not np.iscomplexobj(value) or np.all(np.imag(value) == 0)
    if domain == "complex":
        return True
    if isinstance(value, complex):
        return False
    if domain == "integer":
        return float(value) == int(value)
    return domain != "positive" or value > 0


@pytest.mark.parametrize("seed", range(16))
@pytest.mark.parametrize("prove", [True, False])
def test_the_real_logsumexp_shift_holds_at_every_seed(seed, prove):
    """Was refuted at complex points exactly 2πi apart (a branch cut) at some seeds."""
    result = verify_chain(LOGSUMEXP, seed=seed, prove=prove)
    assert result.ok, str(result)


@pytest.mark.parametrize("prove", [True, False])
def test_sqrt_of_a_square_is_refuted_at_a_real_point_and_log_exp_holds(prove):
    bad = verify_chain(["sqrt(x**2)", "x"], prove=prove)
    assert bad.verdicts == ["refuted"]
    x = bad.counterexample["x"]
    assert not isinstance(x, complex) and x < 0
    assert verify_chain(["log(exp(x))", "x"], prove=prove).ok
    # log(x^2) = 2 log(x) fails for real x < 0 (log(-1) = iπ, as SymPy means it), at a real point
    cex = verify_chain(["log(x**2)", "2*log(x)"], prove=prove).counterexample
    assert not isinstance(cex["x"], complex) and cex["x"] < 0


@pytest.mark.parametrize("seed", range(4))
def test_a_complex_symbol_is_drawn_past_the_branch_cut(seed):
    result = verify_chain(["log(exp(z))", "z"], symbols={"z": "complex"}, seed=seed)
    assert result.verdicts == ["refuted"]
    z = complex(result.counterexample["z"])
    assert abs(z.imag) > np.pi


@pytest.mark.parametrize(
    "steps, symbols",
    [
        (["sqrt(p**2)", "p"], {"p": "positive"}),
        (["(-1)**(2*n)", "1"], {"n": "integer"}),
        (["Abs(z)**2", "z**2"], {"z": "real"}),
    ],
)
def test_a_declared_domain_makes_a_true_step_hold(steps, symbols):
    assert verify_chain(steps, symbols=symbols).ok
    if symbols != {"z": "real"}:  # without the declaration (real) these fail at some point
        assert not verify_chain(steps).ok


@pytest.mark.parametrize(
    "steps, symbols",
    [
        (["sqrt(p**2)", "-p"], {"p": "positive"}),
        (["(-1)**n", "1"], {"n": "integer"}),
        (["Abs(z)**2", "z**2"], {"z": "complex"}),
        (["x*y + p", "y*x - p"], {"p": "positive", "y": "integer"}),
    ],
)
def test_every_counterexample_lies_in_its_domains(steps, symbols):
    for prove in (True, False):
        result = verify_chain(steps, symbols=symbols, prove=prove)
        assert result.verdicts == ["refuted"], str(result)
        for name, value in result.counterexample.items():
            assert _in_domain(value, symbols.get(name, "real")), (name, value)


def test_a_sympy_symbol_keeps_its_assumptions_unless_symbols_names_it():
    x = sp.Symbol("x")  # complex, as in SymPy
    assert not verify_chain([sp.Abs(x) ** 2, x**2]).ok
    assert verify_chain([sp.Abs(x) ** 2, x**2], symbols={"x": "real"}).ok


def test_matrix_counterexamples_are_real():
    result = verify_chain(["A*B", "B*A"], matrices={"A": ("n", "n"), "B": ("n", "n")})
    assert not np.iscomplexobj(result.counterexample["A"]) and not np.iscomplexobj(result.counterexample["B"])


def test_i_is_the_imaginary_unit():
    assert verify_chain(["exp(I*x)", "cos(x) + I*sin(x)"]).ok
    assert verify_chain(["I**2", "-1"]).ok


@pytest.mark.parametrize("name", ["nan", "inf", "oo", "zoo"])
def test_infinities_and_nan_are_refused_in_one_line(name):
    with pytest.raises(ValueError, match=rf"'{name}' is not allowed") as info:
        verify_chain([f"x + {name}", "x"])
    assert "\n" not in str(info.value)


@pytest.mark.parametrize(
    "symbols, message",
    [
        ({"x": "rational"}, "expected one of 'real'"),
        ({"1x": "real"}, "not an identifier"),
        ("real", "expected a dict"),
    ],
)
def test_bad_symbols_raise_value_error(symbols, message):
    with pytest.raises(ValueError, match=message):
        verify_chain(["x", "x"], symbols=symbols)
