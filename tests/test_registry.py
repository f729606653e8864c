"""Every registered claim verifies as expected; the registry API behaves as DESIGN.md says."""

import pytest

import derivations
from derivations.claims import CHAPTER_ORDER, METHODS, Check, Claim


@pytest.mark.parametrize("claim", derivations.claims(), ids=lambda c: c.id)
def test_every_registered_claim_verifies_as_expected(claim, verified):
    result = verified(claim.id)
    assert result.ok, str(result)
    assert result.claim_id == claim.id
    assert result.checks and all(isinstance(c, Check) for c in result.checks)
    assert all(c.method in METHODS and c.method != "error" for c in result.checks)


def test_claims_come_in_chapter_order():
    ids = [c.id for c in derivations.claims()]
    listed = [i for i in ids if i in CHAPTER_ORDER]
    assert listed == sorted(listed, key=CHAPTER_ORDER.index)


def test_unknown_claim_id_raises_keyerror_listing_known_ids():
    with pytest.raises(KeyError, match="no claim '9.9.9'; known: .*5.1.4"):
        derivations.claim("9.9.9")


def test_claim_renders_as_latex():
    latex = derivations.claim("5.1.4")._repr_latex_()
    assert latex.startswith("$") and latex.endswith("$") and "5.1.4" in latex


def test_a_crashing_check_function_is_never_ok_even_for_an_erratum():
    def boom(ctx):
        raise RuntimeError("kaboom")

    for expected in (True, False):
        c = Claim("x.1", "x", "t", "l", expected, None, [boom])
        result = c.verify()
        assert result.holds is None and not result.ok
        assert "kaboom" in result.checks[0].detail


def _erratum(*checks):
    return Claim("x.2", "x", "t", "l", False, None, [lambda ctx: list(checks)])


def test_an_erratum_is_ok_when_a_refuting_check_fails_and_every_correction_passes():
    c = _erratum(Check("counterexample", False, "refuted", refutes=True), Check("numeric", True, "correction"))
    assert c.verify().ok and c.verify().holds is False


@pytest.mark.parametrize(
    "checks",
    [
        pytest.param(
            [Check("counterexample", False, "refuted", refutes=True), Check("numeric", False, "correction")],
            id="broken-correction",
        ),
        pytest.param(
            [Check("counterexample", True, "survived", refutes=True), Check("numeric", True, "correction")],
            id="statement-survives",
        ),
        pytest.param([Check("counterexample", False, "not marked as testing the note")], id="unmarked-failure"),
        pytest.param([Check("numeric", True, "correction only")], id="nothing-refutes"),
    ],
)
def test_an_erratum_is_undetermined_and_not_ok_unless_refuted_with_every_correction_passing(checks):
    result = _erratum(*checks).verify()
    assert result.holds is None and not result.ok, str(result)


def test_refutes_is_ignored_by_a_claim_expected_to_hold():
    c = Claim("x.3", "x", "t", "l", True, None, [lambda ctx: Check("numeric", True, "fine", refutes=True)])
    assert c.verify().holds is True and c.verify().ok
    c = Claim("x.4", "x", "t", "l", True, None, [lambda ctx: Check("numeric", False, "wrong", refutes=True)])
    assert c.verify().holds is False and not c.verify().ok


def test_check_rejects_a_non_bool_refutes():
    with pytest.raises(ValueError, match="refutes='yes'"):
        Check("numeric", True, "x", refutes="yes")


@pytest.mark.parametrize(
    "kwargs, match",
    [
        pytest.param({"examples": 0}, "examples=0", id="examples-zero"),
        pytest.param({"examples": 2.5}, "examples=2.5", id="examples-float"),
        pytest.param({"seed": -1}, "seed=-1", id="seed-negative"),
    ],
)
def test_verify_rejects_bad_arguments_naming_them(kwargs, match):
    with pytest.raises(ValueError, match=match):
        derivations.claim("5.1.4").verify(**kwargs)


def test_check_rejects_an_unknown_method():
    with pytest.raises(ValueError, match="method='guess'"):
        Check("guess", True, "x")
