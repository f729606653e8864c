"""Minimal, exact counterexamples of the chain checker (issue 13)."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
import sympy as sp

from derivations import cli
from derivations.chain import verify_chain, written

SQUARE = {"A": ("n", "n"), "B": ("n", "n")}


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("prove", [True, False])
def test_transpose_of_a_product_slip_gives_two_2x2_integer_matrices(seed, prove):
    result = verify_chain(["(A*B).T", "A.T*B.T"], matrices=SQUARE, seed=seed, prove=prove)
    assert result.verdicts == ["refuted"]
    cex = result.counterexample
    assert cex["n"] == 2  # 1×1 matrices commute: 2 is the smallest size that admits one
    A, B = cex["A"], cex["B"]
    assert A.shape == B.shape == (2, 2) and A.dtype.kind == B.dtype.kind == "i"
    assert np.max(np.abs(A)) <= 3 and np.max(np.abs(B)) <= 3
    MA, MB = sp.Matrix(A.tolist()), sp.Matrix(B.tolist())
    assert (MA * MB).T != MA.T * MB.T  # exact integer arithmetic confirms it


def test_every_dimension_starts_from_one():
    shapes = {"A": ("m", "n"), "B": ("n", "p")}
    cex = verify_chain(["A*B", "2*A*B"], matrices=shapes).counterexample
    assert (cex["m"], cex["n"], cex["p"]) == (1, 1, 1)
    assert cex["A"].shape == (1, 1) and cex["A"][0, 0] != 0 and cex["B"][0, 0] != 0


@pytest.mark.parametrize(
    "steps, expected",
    [
        (["sqrt(x**2)", "x"], {"x": -1}),
        (["(x + 1)**2", "x**2 + 1"], {"x": 1}),
        (["x/2 + x/2", "x/3"], {"x": 1}),
    ],
)
def test_scalar_counterexamples_are_the_smallest_integers(steps, expected):
    for prove in (True, False):
        cex = verify_chain(steps, prove=prove).counterexample
        assert cex == expected and all(type(v) is int for v in cex.values())


def test_a_half_is_used_where_no_small_integer_works():
    # sin(πx) = 0 holds at every integer: the smallest counterexample is a half
    for prove in (True, False):
        cex = verify_chain(["sin(pi*x)", "0"], prove=prove).counterexample
        assert cex["x"] == Fraction(1, 2) and isinstance(cex["x"], Fraction)


def test_the_cli_prints_n_2_and_two_2x2_integer_matrices(capsys):
    code = cli.main(["chain", "(A*B).T", "A.T*B.T", "--matrix", "A=n,n", "--matrix", "B=n,n"])
    out = capsys.readouterr().out
    assert code == 1
    assert "  n = 2" in out.splitlines()
    matrices = [ln for ln in out.splitlines() if ln.startswith(("  A = ", "  B = "))]
    assert len(matrices) == 2
    for line in matrices:
        value = eval(line.split(" = ")[1])
        assert np.array(value).shape == (2, 2) and all(isinstance(v, int) for row in value for v in row)


# --- the step as written: counterexamples where it is defined (derivations/chain/written.py) -----
@pytest.mark.parametrize(
    "text, divisors, inverted",
    [
        ("det(A)*det(B)/det(A)", ["det(A)"], []),
        ("a/(b + c)*d", ["(b + c)"], []),
        ("x/y**2 + 1", ["y**2"], []),
        ("1/exp(-x)", ["exp(-x)"], []),
        ("inv(A*B)*C", [], ["A*B"]),
        ("x*y - z", [], []),
    ],
)
def test_requirements_read_divisors_and_inverses_off_the_text(text, divisors, inverted):
    assert written.requirements(text) == (divisors, inverted)


def test_a_counterexample_never_sits_where_the_written_step_divides_by_zero():
    """SymPy parses x*y/x as y; the smallest point of y ≠ x*y is x = 0, where the written step is undefined."""
    (cex,) = verify_chain(["x*y/x", "x*y"]).counterexamples
    assert cex["x"] != 0 and cex["x"] * cex["y"] != cex["y"], cex
    sq = {"A": ("n", "n"), "B": ("n", "n")}
    (cex,) = verify_chain(["det(A)*det(B)/det(A)", "det(A)*det(B)"], matrices=sq).counterexamples
    assert sp.Matrix(cex["A"]).det() not in (0, 1), cex  # defined, and det(B) ≠ det(A) det(B) there


def test_cli_prints_a_complex_counterexample_exactly(capsys):
    """log(exp(z)) = z fails for complex z past the branch cut: the smallest is z = 4i, printed exactly."""
    code = cli.main(["chain", "log(exp(z))", "z", "--symbol", "z=complex"])
    out = capsys.readouterr().out
    assert code == 1 and "  z = 4*I" in out, out
