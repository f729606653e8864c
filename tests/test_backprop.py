"""Section 5.3: numeric.backprop (column vectors) and the symbolic derivation in derivations.backprop."""

import dataclasses

import numpy as np
import pytest
import sympy as sp
from hypothesis import given
from hypothesis import strategies as st

import derivations
import numeric.backprop as nbp
from derivations import backprop as sym
from derivations.backprop.graph import dphi
from derivations.backprop.sized import entrywise_reference, explicit_of
from derivations.calculus import defects
from derivations.backprop.gradients import derive
from derivations.calculus.explicit import entries_match
from derivations.calculus.normalize import matrices_equal

#: A small graph: sizes d, h in 1..6, q in 2..6, and a seed for N(0, 1) values.
GRAPH_SIZES = st.tuples(st.integers(1, 6), st.integers(1, 6), st.integers(2, 6), st.integers(0, 2**32 - 1))

# Complex step with step 1e-20 is exact to rounding; J and its gradient are O(1..10) for N(0, 1) draws
# with sizes <= 6, so 1e-12 absolute is hundreds of ulps: rounding only.
COMPLEX_STEP_ATOL = 1e-12


def _graph(d, h, q, seed, activation="tanh", loss="cross_entropy", lam=0.3):
    rng = np.random.default_rng(seed)
    x, W1, W2 = rng.standard_normal(d), rng.standard_normal((h, d)), rng.standard_normal((q, h))
    y = int(rng.integers(q)) if loss == "cross_entropy" else rng.standard_normal(q)
    return x, y, W1, W2, dict(lam=lam, activation=activation, loss=loss)


def test_forward_fields_follow_equations_5_3_1_to_5_3_6():
    # A hand-made graph with known values: x = (1, 2), W1 = I, tanh, W2 = [[1, 0], [0, 0]], label 0.
    x, W1, W2 = np.array([1.0, 2.0]), np.eye(2), np.array([[1.0, 0.0], [0.0, 0.0]])
    fwd = nbp.forward(x, 0, W1, W2, lam=2.0, activation="tanh")
    np.testing.assert_array_equal(fwd.z, [1.0, 2.0])
    np.testing.assert_allclose(fwd.h, [np.tanh(1.0), np.tanh(2.0)], rtol=1e-15)
    np.testing.assert_allclose(fwd.o, [np.tanh(1.0), 0.0], rtol=1e-15)
    # L = log(e^o1 + e^o2) - o1 ; s = λ/2 (‖I‖² + 1) = 3
    np.testing.assert_allclose(fwd.L, np.log(np.exp(np.tanh(1.0)) + 1.0) - np.tanh(1.0), rtol=1e-15)
    assert fwd.s == 3.0
    assert fwd.J == fwd.L + fwd.s


@given(
    GRAPH_SIZES, st.sampled_from(["sigmoid", "tanh", "swish", "gelu"]), st.sampled_from(["cross_entropy", "squared"])
)
def test_backward_dJ_dW1_matches_complex_step_through_forward(sizes, activation, loss):
    x, y, W1, W2, kw = _graph(*sizes, activation=activation, loss=loss)
    grad = nbp.backward(nbp.forward(x, y, W1, W2, **kw)).dJ_dW1
    step = 1e-20  # complex step: truncation O(step²), no cancellation
    for idx in np.ndindex(W1.shape):
        Wc = W1.astype(complex)
        Wc[idx] += 1j * step
        assert abs(np.imag(nbp.forward(x, y, Wc, W2, **kw).J) / step - grad[idx]) <= COMPLEX_STEP_ATOL


def test_relu_graph_backward_is_zero_through_inactive_units():
    x, W1, W2 = np.array([1.0]), np.array([[-1.0], [2.0]]), np.ones((3, 2))
    bwd = nbp.backward(nbp.forward(x, 1, W1, W2, activation="relu"))
    assert bwd.dJ_dz[0] == 0.0 and bwd.dJ_dz[1] == bwd.dJ_dh[1]


def test_column_vector_input_is_accepted_as_a_d_by_1_array():
    x, y, W1, W2, kw = _graph(3, 4, 5, 0)
    a = nbp.backward(nbp.forward(x, y, W1, W2, **kw))
    b = nbp.backward(nbp.forward(x[:, None], y, W1, W2, **kw))
    np.testing.assert_array_equal(a.dJ_dW1, b.dJ_dW1)


X3, W1_43, W2_54 = np.ones(3), np.ones((4, 3)), np.ones((5, 4))


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        pytest.param(
            dict(W2=np.ones((3, 5))),
            ValueError,
            r"W2 has shape \(3, 5\) but h has 4 entries .*expected W2.shape\[1\] == 4",
            id="W2-vs-h",
        ),
        pytest.param(
            dict(W1=np.ones((4, 2))),
            ValueError,
            r"W1 has shape \(4, 2\) but x has 3 entries; expected W1.shape\[1\] == 3",
            id="W1-vs-x",
        ),
        pytest.param(dict(y=5), ValueError, r"label 5, out of range; o has 5 classes", id="label-out-of-range"),
        pytest.param(dict(y=1.5), ValueError, r"y has dtype float64.*integer class labels", id="label-non-integer"),
        pytest.param(
            dict(y=[1, 2]), ValueError, r"y has shape \(2,\); expected one integer class label", id="label-vector"
        ),
        pytest.param(
            dict(x=np.array([1.0, np.nan, 0.0])),
            ValueError,
            r"x has a non-finite entry nan at index \(1,\)",
            id="nan-input",
        ),
        pytest.param(dict(x=np.ones(0)), ValueError, r"x has shape \(0,\), which is empty", id="empty-input"),
        pytest.param(
            dict(x=np.ones((3, 2))), ValueError, r"x has shape \(3, 2\); expected a column vector", id="x-not-a-column"
        ),
        pytest.param(dict(lam=-1.0), ValueError, r"lam=-1.0 is not allowed", id="negative-lam"),
        pytest.param(
            dict(b1=np.ones(3)),
            ValueError,
            r"b1 has 3 entries but W1 has shape \(4, 3\); expected 4 entries",
            id="b1-size",
        ),
        pytest.param(dict(activation="softplus"), KeyError, r"softplus", id="unknown-activation"),
        pytest.param(
            dict(activation="prelu"),
            ValueError,
            r"activation='prelu' needs the parameter alpha.*expected one of gelu, relu, sigmoid, swish, tanh",
            id="prelu-without-alpha",
        ),
        pytest.param(
            dict(loss="hinge"), KeyError, r"no loss 'hinge'; known: cross_entropy, squared", id="unknown-loss"
        ),
    ],
)
def test_forward_rejects_bad_inputs_naming_the_operands(kwargs, error, match):
    args = dict(x=X3, y=1, W1=W1_43, W2=W2_54)
    args.update(kwargs)
    x, y, W1, W2 = (args.pop(k) for k in ("x", "y", "W1", "W2"))
    with pytest.raises(error, match=match):
        nbp.forward(x, y, W1, W2, **args)


def test_backward_rejects_something_that_is_not_a_forward():
    with pytest.raises(ValueError, match="fwd is a dict; expected the Forward"):
        nbp.backward({})


#: Each field of backward's result and the claim that must catch a 0.1% error in it.
FIELD_CLAIMS = [
    ("dJ_dL", "5.3.8"), ("dJ_ds", "5.3.8"), ("dJ_do", "5.3.9"), ("ds_dW1", "5.3.10"), ("ds_dW2", "5.3.10"),
    ("dJ_dW2", "5.3.11"), ("dJ_dh", "5.3.12"), ("dJ_dz", "5.3.13"), ("dJ_dW1", "5.3.14"),
]  # fmt: skip


@pytest.mark.parametrize("field, claim_id", FIELD_CLAIMS, ids=[f"{f}-{c}" for f, c in FIELD_CLAIMS])
def test_a_0_1_percent_error_in_one_backward_field_fails_its_claim(monkeypatch, field, claim_id):
    assert derivations.claim(claim_id).verify().ok  # holds unperturbed
    original = nbp.backward

    def perturbed(fwd):
        result = original(fwd)
        return dataclasses.replace(result, **{field: getattr(result, field) * 1.001})

    monkeypatch.setattr(nbp, "backward", perturbed)
    result = derivations.claim(claim_id).verify()
    assert not result.ok
    failed = {c.method for c in result.checks if not c.ok}
    assert failed & {"numeric", "finite-difference"}, str(result)


def test_derived_gradients_are_sympy_objects_importable_for_notebooks():
    assert isinstance(sym.dJ_dW1, sp.MatrixExpr) and sym.dJ_dW1.shape == (sym.h_dim, sym.d)
    assert sym.dJ_dW2.shape == (sym.q, sym.h_dim)
    assert sym.dJ_dL == 1 and sym.dJ_ds == 1
    assert "W_{1}" in sp.latex(sym.dJ_dW1) or "W1" in sp.latex(sym.dJ_dW1)
    with pytest.raises(AttributeError, match="dJ_dW3"):
        sym.dJ_dW3  # noqa: B018


def test_exported_gradients_render_without_reusing_the_dimension_letter_d():
    # SymPy's dummy for φ' is named d, the input dimension's letter: the export renames it t
    for name in ("dJ_dz", "dJ_dW1"):
        latex = sp.latex(getattr(sym, name))
        assert r"t \mapsto \frac{d}{d t} \phi{\left(t \right)}" in latex, latex
        assert r"d \mapsto" not in latex and "d d}" not in latex, latex
    assert sp.simplify(sym.dJ_dW1.shape[1] - sym.d) == 0  # still the same expression, with its shape


def test_the_symbolic_proof_rejects_a_wrong_closed_form():
    """matrices_equal can fail: 5.3.11 without its λ W1 term and 5.3.12 doubled are refuted."""
    ok, _ = matrices_equal(sym.derived()["dJ_dW1"], sp.HadamardProduct(sym.W2.T * sym.g, dphi(sym.z)) * sym.x.T)
    assert not ok  # λ W1 missing
    ok, _ = matrices_equal(sym.derived()["dJ_dh"], sym.W2.T * sym.g * 2)
    assert not ok


def test_the_entrywise_confirmation_rejects_a_wrong_derivative():
    """The explicit-size comparison can fail: φ' replaced by φ in 5.3.13 is caught entry by entry."""
    wrong = sp.HadamardProduct(
        sym.W2.T * sym.g, sp.matrices.expressions.applyfunc.ElementwiseApplyFunction(sym.phi, sym.z_var)
    )
    ok, _ = entries_match(explicit_of(wrong), entrywise_reference()["dJ_dz"])
    assert not ok


def test_importing_derivations_does_not_run_the_derivation():
    """The matrix calculus runs on first use of a gradient, not at import (keeps `import derivations` cheap)."""
    import subprocess
    import sys

    code = (
        "import derivations, derivations.backprop as b; "
        "assert b.derived.cache_info().currsize == 0; b.dJ_dW1; assert b.derived.cache_info().currsize == 1"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


@pytest.mark.parametrize("name", sorted(defects.SYMPY_DEFECTS))
def test_each_recorded_sympy_defect_reproduces_on_the_installed_sympy(name):
    """SYMPY_DEFECTS stays true: if a SymPy release fixes one, this fails and its work-around can be reviewed."""
    assert defects.reproduces(name), (
        f"SymPy {sp.__version__} no longer shows defect {name!r}: {defects.SYMPY_DEFECTS[name]}"
    )


def test_reproduces_rejects_an_unknown_defect_naming_the_known_ones():
    with pytest.raises(
        KeyError, match="no SymPy defect 'trace-product'; known: lambdify-elementwise, trace-elementwise"
    ):
        defects.reproduces("trace-product")


def test_the_tool_gets_right_what_the_trace_sum_defect_gets_wrong():
    """(tr WᵀW + tr W).diff(W) is 0 in SymPy 1.14 (defect 'trace-sum'); derivations.gradient gives 2W + I."""
    n = sp.Symbol("n", integer=True, positive=True)
    W = sp.MatrixSymbol("W", n, n)
    ok, why = matrices_equal(derive(sp.Trace(W.T * W) + sp.Trace(W), W), 2 * W + sp.Identity(n))
    assert ok, why


def test_the_tool_gets_right_what_the_trace_elementwise_defect_gets_wrong():
    """d tr(gᵀ φ(o))/do is a 1-index array in SymPy (defect 'trace-elementwise'); the tool gives g ⊙ φ'(o), q×1."""
    phi_o = sp.matrices.expressions.applyfunc.ElementwiseApplyFunction(sym.phi, sym.o_var)
    result = derive(sp.Trace(sym.g.T * phi_o), sym.o_var)
    assert result.shape == sym.o_var.shape
    ok, why = matrices_equal(result, sp.HadamardProduct(sym.g, dphi(sym.o_var)))
    assert ok, why


def test_the_chapter_derives_with_the_public_tool():
    """Issue 14 point 4: 5.3.8-5.3.14, 5.3.ex2 and 5.3.batch go through derivations.gradient (no private engine)."""
    import derivations.backprop.batch as batch_module
    import derivations.backprop.biases as biases_module
    import derivations.backprop.gradients as gradients_module
    from derivations.calculus import gradient as public_gradient

    assert gradients_module.gradient is public_gradient
    assert biases_module.derive is batch_module.derive is gradients_module.derive
    calls = []
    original = gradients_module.gradient
    try:
        gradients_module.gradient = lambda f, wrt: calls.append(wrt) or original(f, wrt)
        for fn in (gradients_module.derived, biases_module.derived_with_biases, batch_module.derived_batch):
            fn.cache_clear()
            fn()
    finally:
        gradients_module.gradient = original
        for fn in (gradients_module.derived, biases_module.derived_with_biases, batch_module.derived_batch):
            fn.cache_clear()
    assert len(calls) == 7 + 4 + 3, calls


def _imports(path, package: str) -> set[str]:
    """The absolute names of the modules ``path`` (a module of ``package``) imports from."""
    import ast

    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = package.rsplit(".", node.level - 1)[0] if node.level else ""
            found.add(".".join(p for p in (base, node.module) if p))
    return found


def test_the_calculus_tool_imports_nothing_of_derivations_outside_itself():
    """Layering (DESIGN.md): calculus is a tool, it never imports a chapter module, the registry or checking;
    besides itself it may use only derivations.check (Check), derivations.chain (another tool) and
    derivations.html (a leaf module: MathML for notebooks)."""
    from pathlib import Path

    for path in sorted((Path(derivations.__file__).parent / "calculus").glob("*.py")):
        outside = {m for m in _imports(path, "derivations.calculus") if m.split(".")[0] == "derivations"}
        allowed = ("derivations.calculus", "derivations.check", "derivations.chain", "derivations.html")
        outside = {m for m in outside if not m.startswith(allowed)}
        assert not outside, f"calculus/{path.name} imports {sorted(outside)}"


def test_the_backprop_modules_import_each_other_without_a_circle_and_never_the_package_init():
    from graphlib import CycleError, TopologicalSorter
    from pathlib import Path

    graph = {}
    for path in sorted((Path(derivations.__file__).parent / "backprop").glob("*.py")):
        if path.name != "__init__.py":
            imported = _imports(path, "derivations.backprop")
            assert "derivations.backprop" not in imported, f"backprop/{path.name} imports the package __init__"
            graph[path.stem] = {m.rsplit(".", 1)[1] for m in imported if m.startswith("derivations.backprop.")}
    try:
        tuple(TopologicalSorter(graph).static_order())  # static_order is lazy: it raises only when consumed
    except CycleError as exc:
        raise AssertionError(f"import circle among the backprop modules: {exc.args[1]}") from None


@pytest.mark.parametrize("slip", ["L + 2s", "2L + s", "1.001 s"])
def test_a_slip_in_forwards_J_fails_5_3_8(monkeypatch, slip):
    """5.3.8 differentiates the J that numeric.backprop.forward returns (issue 16: not its own L + s)."""
    assert derivations.claim("5.3.8").verify().ok  # holds unperturbed
    original = nbp.forward
    wrong = {
        "L + 2s": lambda f: f.L + 2 * f.s,
        "2L + s": lambda f: 2 * f.L + f.s,
        "1.001 s": lambda f: f.L + 1.001 * f.s,
    }

    def slipped(*args, **kwargs):
        fwd = original(*args, **kwargs)
        return dataclasses.replace(fwd, J=wrong[slip](fwd))

    monkeypatch.setattr(nbp, "forward", slipped)
    result = derivations.claim("5.3.8").verify()
    assert not result.ok
    assert {c.method for c in result.checks if not c.ok} == {"finite-difference"}, str(result)


def _wrong_closed_form(key):
    """The book's closed forms with one entry slipped (a missing λW, φ for φ', dJ/dh for dJ/dz, a factor 1.001)."""
    from sympy.matrices.expressions.applyfunc import ElementwiseApplyFunction as Apply

    from derivations.backprop.graph import W1, W2, dphi, g, lam, phi, z_var

    return {
        "ds_dW1": 2 * lam * W1,
        "dJ_dW2": g * Apply(phi, W1 * sym.x).T,  # λW2 dropped
        "dJ_dh": sp.Rational(1001, 1000) * W2.T * g,
        "dJ_dz": sp.HadamardProduct(W2.T * g, Apply(phi, z_var)),  # φ for φ'
        "dJ_dW1": sp.HadamardProduct(W2.T * g, dphi(W1 * sym.x)) * sym.x.T,  # λW1 dropped
        "dJ_db1": W2.T * g,  # ∂J/∂h instead of ∂J/∂z (issue 16)
    }[key]


TOOL_SLIPS = [("5.3.10", "ds_dW1"), ("5.3.11", "dJ_dW2"), ("5.3.12", "dJ_dh"), ("5.3.13", "dJ_dz"),
              ("5.3.14", "dJ_dW1"), ("5.3.ex2", "dJ_db1")]  # fmt: skip


@pytest.mark.parametrize("claim_id, key", TOOL_SLIPS, ids=[c for c, _ in TOOL_SLIPS])
def test_a_wrong_book_closed_form_fails_the_claims_derivations_gradient_check(monkeypatch, claim_id, key):
    """backprop.tool: derivations.gradient's J derivative, proved against the closed form, refutes a slipped one."""
    from derivations.backprop import tool

    name = "closed_forms_with_biases" if claim_id == "5.3.ex2" else "closed_forms"
    original = getattr(tool, name)
    monkeypatch.setattr(tool, name, lambda: {**original(), key: _wrong_closed_form(key)})
    result = derivations.claim(claim_id).verify()
    assert not result.ok
    failed = [c for c in result.checks if not c.ok]
    assert failed and all("derived by derivations.gradient" in c.detail and "refuted" in c.detail for c in failed), str(
        result
    )


def test_5_3_9_derives_the_softmax_ce_gradient_with_the_tool_and_refutes_a_wrong_softmax(monkeypatch):
    """5.3.9 is no longer circular (issue 16): ∂L/∂o of log(sum(exp(o))) - y.T*o is derived, not assumed g."""
    from derivations.backprop import tool

    checks = derivations.claim("5.3.9").verify().checks
    assert any("softmax CE" in c.detail and "proved" in c.detail and c.method == "symbolic" and c.ok for c in checks)
    monkeypatch.setattr(tool, "SOFTMAX", "2*exp({o})/sum(exp({o}))")
    result = derivations.claim("5.3.9").verify()
    failed = [c for c in result.checks if not c.ok]
    assert not result.ok and len(failed) == 1 and "refuted" in failed[0].detail, str(result)
