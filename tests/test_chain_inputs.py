"""Bad input to the chain checker (issue 13): one-line ValueErrors naming the input, what is wrong
and what is expected; long inputs parse; a step has a time budget."""

from __future__ import annotations

import time

import pytest
import sympy as sp

from derivations import chain
from derivations.chain import verify_chain

x = sp.Symbol("x")


@pytest.mark.parametrize(
    "steps, message",
    [
        (["(x + 1", "x"], r"the '\(' at character 1 is never closed"),
        (["x + (1 + (y)", "x"], r"the '\(' at character 5 is never closed"),
        (["x + 1)", "x"], r"the '\)' at character 6 closes nothing"),
        (["x/0", "x"], r"undefined or infinite .*division by zero"),
        ([x / 0, x], r"steps\[0\] is undefined or infinite"),
        (["10**10**10", "x"], r"exponent 10\*\*10 is too large to evaluate; expected \|exponent\| <= 1000"),
        (["x^(10^10)", "x"], r"too large to evaluate"),
        ([sp.Eq(x, x), x], r"steps\[0\] is a BooleanTrue .*not an expression"),
        ([sp.Eq(x, x + 1, evaluate=False), x], r"steps\[0\] is a Equality"),
        (["x == x", "x"], r"is a bool"),
        (["x < 1", "x"], r"is a StrictLessThan"),
    ],
)
def test_bad_input_is_one_line_value_error(steps, message):
    start = time.monotonic()
    with pytest.raises(ValueError, match=message) as info:
        verify_chain(steps)
    assert "\n" not in str(info.value)
    assert time.monotonic() - start < 2  # refused at once (10**10**10 used to hang)


def test_a_9999_character_sum_parses_without_recursion_error():
    text = "+".join(["x"] * 5000)  # 9,999 characters
    assert len(text) == 9999
    result = verify_chain([text, "5000*x"])
    assert result.verdicts == ["proved"]
    assert verify_chain([text + " - y", "4999*x + x - y"]).ok
    assert not verify_chain([text, "4999*x"]).ok


def test_a_deeply_nested_product_is_refused_in_one_line():
    with pytest.raises(ValueError, match="nested too deeply") as info:
        verify_chain(["*".join(["x"] * 5000), "x"])
    assert "\n" not in str(info.value)


def test_a_step_stops_drawing_points_at_its_budget(monkeypatch):
    monkeypatch.setattr(chain, "STEP_BUDGET", 0.0)
    result = verify_chain(["A*(B + C)", "A*B + A*C"], matrices={k: ("n", "n") for k in "ABC"}, prove=False)
    assert result.ok and result.points == [1] and "step budget" in result.steps[0].detail
