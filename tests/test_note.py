"""Errata of the study note (derivations.note): each is refuted, and only where the note is wrong."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
import sympy as sp

import derivations
from derivations.check import Check
from derivations import note
from derivations.chain import verify_chain

ERRATA = (
    "note.5.1.collapse",
    "note.5.1.hidden-layers",
    "note.5.4.gradient-product",
    "note.5.4.v-vector",
    "note.5.4.symmetry",
    "note.5.1.row-column",
    "note.5.1.every-layer",
    "note.5.4.product-count",
    "note.5.4.log-space",
    "note.5.4.activation-variance",
)


def test_every_erratum_is_registered_as_expected_false_and_found():
    for cid in ERRATA:
        claim = derivations.claim(cid)
        result = claim.verify(examples=5)
        assert claim.expected is False
        assert result.holds is False and result.ok, str(result)


def test_note_collapse_fails_exactly_at_its_last_step():
    shapes = {**{k: v for k, v in note.COLUMN_SHAPES.items() if k != "h"}}
    result = verify_chain(note.NOTE_COLLAPSE[1:], matrices=shapes)
    assert result.first_failure == len(note.NOTE_COLLAPSE) - 3  # the last of the steps checked
    assert all(c.ok for c in result.steps[:-1])
    checks = derivations.claim("note.5.1.collapse").verify().checks
    failing = [c for c in checks if not c.ok]
    assert "cannot add" in failing[0].detail and "b1 is h×1" in failing[0].detail
    assert any(c.ok and "b = W2 b1 + b2" in c.detail for c in checks)  # the correction is shown and holds


def test_corrected_collapse_with_the_right_bias_passes():
    shapes = {k: v for k, v in note.COLUMN_SHAPES.items() if k != "h"}
    assert verify_chain([*note.NOTE_COLLAPSE[1:3], "(W2*W1)*x + (W2*b1 + b2)"], matrices=shapes).ok


def test_note_gradient_product_is_the_gradient_with_respect_to_h_t_not_W_t():
    rng = np.random.default_rng(0)
    n = note.WIDTHS
    Ws = [rng.standard_normal((n[k + 1], n[k])) for k in range(3)]
    x = rng.standard_normal(n[0])
    product, _ = note.note_gradient_product(Ws, x, 2)
    true = note._true_dW(Ws, x, 2)
    assert product.shape != true.shape


def test_swapping_hidden_units_needs_w2_columns_not_outputs():
    checks = derivations.claim("note.5.4.symmetry").verify().checks
    assert [c.ok for c in checks] == [False, True]  # the note's swap changes o; the correct one keeps it


def test_one_hidden_layer_computes_xor_which_no_affine_map_can():
    # XOR's truth table (by hand): 0, 1, 1, 0 at (0,0), (1,0), (0,1), (1,1); an affine f would need
    # f(0,0) + f(1,1) = f(1,0) + f(0,1), i.e. 0 = 2
    assert [note.xor_network(*p) for p in ((0, 0), (1, 0), (0, 1), (1, 1))] == [0, 1, 1, 0]
    assert note.XOR_W1.shape == (2, 2) and note.XOR_W2.shape == (1, 2)  # exactly one hidden layer of 2 units
    checks = derivations.claim("note.5.1.hidden-layers").verify().checks
    assert [c.ok for c in checks] == [True, False, True]


def _with_checks_changed(monkeypatch, cid, change):
    """Wrap the erratum's check functions so that ``change`` rewrites every Check they produce."""
    claim = derivations.claim(cid)

    def wrap(function):
        def changed(ctx):
            produced = function(ctx)
            return [change(c) for c in ([produced] if isinstance(produced, Check) else produced)]

        return changed

    monkeypatch.setattr(claim, "_check_functions", [wrap(f) for f in claim._check_functions])
    return claim


def _broken(c):
    return replace(c, ok=False, detail="broken: " + c.detail) if not c.refutes else c


def _survives(c):
    return replace(c, ok=True) if c.refutes else c


@pytest.mark.parametrize("cid", ERRATA)
def test_every_erratum_has_a_refuting_check_and_a_correction(cid):
    checks = derivations.claim(cid).verify(examples=5).checks
    assert any(c.refutes and not c.ok for c in checks)
    assert any(not c.refutes and c.ok for c in checks)


@pytest.mark.parametrize("cid", ERRATA)
@pytest.mark.parametrize("change", [_broken, _survives], ids=["broken-correction", "note-survives"])
def test_an_erratum_with_a_broken_correction_or_a_surviving_statement_is_not_ok(monkeypatch, cid, change):
    result = _with_checks_changed(monkeypatch, cid, change).verify(examples=5)
    assert result.holds is None and not result.ok, str(result)


def test_a_real_slip_in_the_xor_network_leaves_the_hidden_layer_erratum_undetermined(monkeypatch):
    # b1 = (0, -2): the network no longer computes XOR, so neither the counterexample nor the correction stands
    monkeypatch.setattr(note, "XOR_B1", sp.Matrix([0, -2]))
    result = derivations.claim("note.5.1.hidden-layers").verify()
    assert result.holds is None and not result.ok, str(result)


def test_every_registered_erratum_is_in_the_list_above():
    assert {c.id for c in derivations.claims() if c.expected is False} == set(ERRATA)


def test_the_every_layer_erratum_rests_on_the_output_relu(monkeypatch):
    from derivations import note_more

    # a real slip: the "every layer" network without max(·, 0) on its output is l.27's network, so the note's
    # reading is no longer refuted and the erratum must not be found
    checks = derivations.claim("note.5.1.every-layer").verify().checks
    assert [(c.refutes, c.ok) for c in checks] == [(True, False), (True, False), (False, True), (False, True)]
    real = note_more.every_layer_logits
    monkeypatch.setattr(note_more, "every_layer_logits", lambda x, output_relu: real(x, output_relu=False))
    result = derivations.claim("note.5.1.every-layer").verify()
    assert result.holds is None and not result.ok, str(result)
    assert [c.ok for c in result.checks if c.refutes] == [True, True]  # the note's reading now survives both


def test_a_failing_correction_under_an_erratum_is_printed_as_a_failure_not_as_the_note_failing():
    from derivations.cli.verify import check_line

    claim = derivations.claim("note.5.4.symmetry")
    refuting = Check("counterexample", False, "x", refutes=True)
    correction = Check("numeric", False, "y")
    assert check_line(claim, refuting).startswith("✗ the note's statement fails (counterexample)")
    assert check_line(claim, correction) == "✗ numeric: y"
