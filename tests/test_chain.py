"""Property tests of the chain checker (derivations.chain) and the ``chain`` command.

Expressions are drawn as a small AST (leaves, transpose, product, sum,
scaling) with symbolic sizes, rendered to strings for the checker, and
evaluated INDEPENDENTLY here with NumPy (never through derivations.chain) to
decide whether two expressions really differ.
"""

from __future__ import annotations

import itertools
import re
import warnings

import numpy as np
import pytest
import sympy as sp
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from derivations import cli
from derivations.chain import parse, verify_chain

DIMS = ("n", "m", "k")
LETTERS = ("A", "B")
#: Every leaf matrix: a letter and a shape over DIMS, e.g. "Anm" is n×m.
MATRICES = {f"{L}{r}{c}": (r, c) for L in LETTERS for r in DIMS for c in DIMS}


def _expr(rows: str, cols: str, depth: int):
    """Strategy: an AST of shape rows×cols."""
    leaf = st.sampled_from(LETTERS).map(lambda L: ("sym", f"{L}{rows}{cols}"))
    if depth == 0:
        return leaf
    sub = lambda r, c: st.deferred(lambda: _expr(r, c, depth - 1))  # noqa: E731
    return st.one_of(
        leaf,
        sub(cols, rows).map(lambda a: ("T", a)),
        st.sampled_from(DIMS).flatmap(lambda i: st.tuples(st.just("mul"), sub(rows, i), sub(i, cols))),
        st.tuples(st.just("add"), sub(rows, cols), sub(rows, cols)),
        st.tuples(st.just("scale"), st.sampled_from(["2", "3", "a"]), sub(rows, cols)),  # positive scalars only
    )


#: Well-shaped expressions, n×m, nesting depth <= 3.
EXPRESSIONS = _expr("n", "m", 3)


def render(e) -> str:
    kind = e[0]
    if kind == "sym":
        return e[1]
    if kind == "T":
        return f"({render(e[1])}).T"
    if kind == "mul":
        return f"({render(e[1])})*({render(e[2])})"
    if kind == "add":
        return f"({render(e[1])} + {render(e[2])})"
    if kind == "neg":
        return f"(-({render(e[1])}))"
    return f"{e[1]}*({render(e[2])})"


def evaluate(e, env):
    """Independent NumPy evaluation of an AST (ValueError on ill-sized products/sums)."""
    kind = e[0]
    if kind == "sym":
        return env[e[1]]
    if kind == "T":
        return evaluate(e[1], env).T
    if kind == "mul":
        return evaluate(e[1], env) @ evaluate(e[2], env)
    if kind == "add":
        a, b = evaluate(e[1], env), evaluate(e[2], env)
        if a.shape != b.shape:
            raise ValueError("shapes differ")
        return a + b
    if kind == "neg":
        return -evaluate(e[1], env)
    return env[e[1]] * evaluate(e[2], env) if e[1] == "a" else float(e[1]) * evaluate(e[2], env)


def random_env(seed: int) -> dict:
    rng = np.random.default_rng(seed)
    sizes = dict(zip(DIMS, rng.choice(np.arange(3, 9), size=3, replace=False)))  # distinct, >= 3
    env = {name: rng.standard_normal((sizes[r], sizes[c])) for name, (r, c) in MATRICES.items()}
    env["a"] = rng.standard_normal()
    return env


def differ(e1, e2, env) -> bool:
    try:
        v1, v2 = evaluate(e1, env), evaluate(e2, env)
    except ValueError:
        return True
    return v1.shape != v2.shape or not np.allclose(v1, v2, rtol=1e-9, atol=1e-9)


# --- true rewrites and mutations on the AST ------------------------------------------------------


def _rewrites(e):
    """Every (true) rewrite of the node ``e`` itself."""
    out = []
    kind = e[0]
    if kind == "T" and e[1][0] == "mul":
        out.append(("mul", ("T", e[1][2]), ("T", e[1][1])))  # (AB)ᵀ = BᵀAᵀ
    if kind == "T" and e[1][0] == "add":
        out.append(("add", ("T", e[1][1]), ("T", e[1][2])))  # (A+B)ᵀ = Aᵀ+Bᵀ
    if kind == "T" and e[1][0] == "T":
        out.append(e[1][1])  # Aᵀᵀ = A
    if kind == "T" and e[1][0] == "scale":
        out.append(("scale", e[1][1], ("T", e[1][2])))  # (cA)ᵀ = cAᵀ
    if kind == "mul" and e[2][0] == "add":
        out.append(("add", ("mul", e[1], e[2][1]), ("mul", e[1], e[2][2])))  # A(B+C) = AB+AC
    if kind == "mul" and e[1][0] == "add":
        out.append(("add", ("mul", e[1][1], e[2]), ("mul", e[1][2], e[2])))  # (A+B)C = AC+BC
    if kind == "mul" and e[1][0] == "scale":
        out.append(("scale", e[1][1], ("mul", e[1][2], e[2])))  # (cA)B = c(AB)
    if kind == "mul" and e[1][0] == "mul":
        out.append(("mul", e[1][1], ("mul", e[1][2], e[2])))  # (AB)C = A(BC)
    if kind == "add":
        out.append(("add", e[2], e[1]))  # A+B = B+A
    return out


def _mutations(e):
    """Every (usually false) mutation of the node ``e`` itself."""
    out = []
    kind = e[0]
    if kind == "T":
        out.append(e[1])  # a transpose dropped
    if kind == "mul":
        out.append(("mul", e[2], e[1]))  # a product reversed
    if kind == "add":
        out.append(("add", e[1], ("neg", e[2])))  # a sign flipped
    if kind == "sym":
        other = "B" if e[1][0] == "A" else "A"
        out.append(("sym", other + e[1][1:]))  # a factor changed
    return out


def _positions(e, path=()):
    yield path
    if e[0] in ("T", "neg"):
        yield from _positions(e[1], path + (1,))
    elif e[0] in ("mul", "add"):
        yield from _positions(e[1], path + (1,))
        yield from _positions(e[2], path + (2,))
    elif e[0] == "scale":
        yield from _positions(e[2], path + (2,))


def _get(e, path):
    for p in path:
        e = e[p]
    return e


def _put(e, path, new):
    if not path:
        return new
    parts = list(e)
    parts[path[0]] = _put(e[path[0]], path[1:], new)
    return tuple(parts)


def _apply(draw, e, rules):
    options = [(p, r) for p in _positions(e) for r in rules(_get(e, p))]
    if not options:
        return None
    path, new = draw(st.sampled_from(options))
    return _put(e, path, new)


@st.composite
def true_chains(draw):
    """(list of ASTs) where each is a true rewrite of the previous one; >= 2 expressions."""
    e = draw(EXPRESSIONS)
    chain = [e]
    for _ in range(draw(st.integers(1, 3))):
        nxt = _apply(draw, chain[-1], _rewrites)
        if nxt is None:
            break
        chain.append(nxt)
    if len(chain) == 1:
        chain.append(e)  # no rule applies (a bare leaf): the trivial step e = e
    return chain


def _declare():
    return dict(MATRICES)


@settings(max_examples=25)
@given(chain=true_chains(), seed=st.integers(0, 2**16))
def test_true_rewrite_chains_pass_every_step(chain, seed):
    env = random_env(seed)
    for a, b in zip(chain, chain[1:]):
        assert not differ(a, b, env)  # the test's own oracle agrees the rewrites are true
    result = verify_chain([render(e) for e in chain], matrices=_declare(), seed=seed)
    assert result.ok, str(result)
    assert result.first_failure is None and result.counterexample is None
    assert all(p or n > 0 for p, n in zip(result.proved, result.points))


@settings(max_examples=15)
@given(chain=true_chains(), seed=st.integers(0, 2**16))
def test_true_rewrite_chains_pass_numerically_without_the_prover(chain, seed):
    result = verify_chain([render(e) for e in chain], matrices=_declare(), seed=seed, prove=False)
    assert result.ok, str(result)
    assert not any(result.proved) and all(n >= 1 for n in result.points)


@settings(max_examples=25)
@given(chain=true_chains(), data=st.data(), seed=st.integers(0, 2**16))
def test_a_mutated_step_fails_at_that_step_with_a_real_counterexample(chain, data, seed):
    j = data.draw(st.integers(0, len(chain) - 2), label="mutated step")
    mutated = _apply(data.draw, chain[j + 1], _mutations)
    env = random_env(seed)
    assume(mutated is not None and differ(chain[j], mutated, env))
    chain = chain[: j + 1] + [mutated] + chain[j + 1 :]  # steps j (e_j -> mutated) and j+1 (mutated -> e_{j+1}) break
    result = verify_chain([render(e) for e in chain], matrices=_declare(), seed=seed)
    assert result.first_failure == j, str(result)
    assert all(c.ok for c in result.steps[:j])
    assert not result.steps[j + 1].ok  # later steps are still checked
    cex = result.counterexample
    used = set().union(*(parse(render(e), _declare()).free_symbols for e in (chain[j], mutated)))
    names = {s.name for s in used} | {
        str(s) for m in used if isinstance(m, sp.MatrixSymbol) for s in m.shape if isinstance(s, sp.Symbol)
    }
    assert names <= set(cex), f"counterexample lacks {names - set(cex)}"
    point = {**random_env(0), **cex}  # names outside the step keep any value
    assert differ(chain[j], mutated, point), f"counterexample does not violate step {j}: {result.steps[j].detail}"


# --- small sizes lie: the standard polynomial s4 ---------------------------------------------------


def _parity(perm) -> int:
    """+1 for an even permutation of range(len(perm)), -1 for an odd one (count inversions)."""
    inversions = sum(1 for i in range(len(perm)) for j in range(i + 1, len(perm)) if perm[i] > perm[j])
    return -1 if inversions % 2 else 1


#: The standard polynomial s4(A, B, C, D) = Σ_π sgn(π) X_π1 X_π2 X_π3 X_π4 (24 terms).
PERMUTATIONS = list(itertools.permutations(range(4)))
S4 = " ".join(f"{'-' if _parity(p) < 0 else '+'} {'*'.join('ABCD'[i] for i in p)}" for p in PERMUTATIONS)


def test_standard_polynomial_s4_vanishes_on_2x2_but_is_refuted_for_general_n():
    two = {name: (2, 2) for name in "ABCD"}
    assert verify_chain([S4, "0"], matrices=two, prove=False).ok  # Amitsur-Levitzki: s4 = 0 on 2×2
    general = verify_chain([S4, "0"], matrices={name: ("n", "n") for name in "ABCD"})
    assert general.first_failure == 0
    assert general.steps[0].method == "counterexample"
    cex = general.counterexample
    assert cex["n"] >= 3
    s4 = sum(_parity(p) * np.linalg.multi_dot([cex["ABCD"[i]] for i in p]) for p in PERMUTATIONS)
    assert np.max(np.abs(s4)) > 1e-6  # the counterexample really violates s4 = 0


# --- scalar chains -------------------------------------------------------------------------------


def test_sigmoid_derivative_chain_is_proved_and_a_wrong_factor_is_refuted():
    sig = "1/(1 + exp(-x))"
    good = verify_chain(["exp(-x)/(1 + exp(-x))**2", f"{sig}*(1 - {sig})"])
    assert good.ok and good.proved == [True]
    bad = verify_chain(["exp(-x)/(1 + exp(-x))**2", f"{sig}*(1 + {sig})"])
    assert bad.first_failure == 0
    x = complex(bad.counterexample["x"])
    s = 1 / (1 + np.exp(-x))
    assert abs(np.exp(-x) / (1 + np.exp(-x)) ** 2 - s * (1 + s)) > 1e-6


def test_non_analytic_steps_are_tested_at_real_points():
    result = verify_chain(["Max(x, 0) + Max(-x, 0)", "Abs(x)", "x"])
    assert result.steps[0].ok and "real" in result.steps[0].detail
    assert result.first_failure == 1 and result.counterexample["x"] < 0


# --- the done-when example, shapes and bad input ---------------------------------------------------

COLLAPSE = ["W2*(W1*x + b1) + b2", "(W2*W1)*x + (W2*b1 + b2)", "(W2*W1)*x + b1"]
COLLAPSE_SHAPES = {"W1": ("h", "d"), "W2": ("q", "h"), "x": ("d", 1), "b1": ("h", 1), "b2": ("q", 1)}


def test_collapse_chain_first_step_proved_second_fails_on_shape():
    result = verify_chain(COLLAPSE, matrices=COLLAPSE_SHAPES)
    assert result.proved[0] and result.steps[0].ok
    assert result.first_failure == 1 and result.steps[1].method == "shape"
    assert "b1 is h×1" in result.steps[1].detail and "q×1" in result.steps[1].detail
    assert {"d", "h", "q", "W1", "W2", "x", "b1", "b2"} <= set(result.counterexample)
    assert result.counterexample["h"] != result.counterexample["q"]


def test_sympy_expressions_with_symbolic_sizes_are_accepted():
    n, m = sp.symbols("n m", integer=True, positive=True)
    A, B = sp.MatrixSymbol("A", n, m), sp.MatrixSymbol("B", m, n)
    assert verify_chain([(A * B).T, B.T * A.T]).ok
    assert verify_chain([A * B, B * A]).steps[0].method == "shape"  # n×n vs m×m


BAD_INPUTS = [
    pytest.param(["A*B"], {}, "at least 2", id="one-step"),
    pytest.param("A = B", {}, "at least 2", id="a-string-not-a-list"),
    pytest.param(["", "a"], {}, "empty", id="empty-step"),
    pytest.param(["a +", "a"], {}, "does not parse", id="syntax-error"),
    pytest.param(["W.T*x", "x"], {"x": (3, 1)}, "undeclared", id="undeclared-matrix-transposed"),
    pytest.param(["a.__class__", "a"], {}, "not allowed", id="dunder"),
    pytest.param(["x.shape", "x"], {"x": (3, 1)}, "not allowed", id="attribute-other-than-T"),
    pytest.param(["a", "b"], {"W": (3,)}, "expected (rows, cols)", id="shape-not-a-pair"),
    pytest.param(["a", "b"], {"W": (0, 3)}, "expected a positive integer", id="size-zero"),
    pytest.param(["a", "b"], {"W": ("h-1", 3)}, "dimension name", id="size-not-a-name"),
    pytest.param(["a", "b"], {"1W": (3, 3)}, "not an identifier", id="matrix-name-not-identifier"),
    pytest.param(["h", "h"], {"h": ("h", 1)}, "both as a matrix and as a dimension", id="name-clash"),
    pytest.param(["a", 3.5j, object()], {}, "steps[2]", id="step-of-wrong-type"),
]


@pytest.mark.parametrize("steps, matrices, message", BAD_INPUTS)
def test_bad_input_raises_value_error_naming_the_problem(steps, matrices, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        verify_chain(steps, matrices=matrices)


def test_negative_seed_is_rejected():
    with pytest.raises(ValueError, match="seed=-1"):
        verify_chain(["a", "a"], seed=-1)


# --- the command line ----------------------------------------------------------------------------


def _cli(capsys, *argv):
    code = cli.main(["chain", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_reports_each_step_and_exits_1_on_the_collapse_erratum(capsys):
    flags = [f"--matrix={k}={r},{c}" for k, (r, c) in COLLAPSE_SHAPES.items()]
    code, out, err = _cli(capsys, *COLLAPSE, *flags)
    lines = out.splitlines()
    assert code == 1 and err == ""
    assert lines[0].endswith("✓ proved")
    assert "✗" in lines[1] and "cannot add" in lines[1]


def test_cli_exits_0_when_every_step_holds(capsys):
    code, out, _ = _cli(capsys, "A*(B + C)", "A*B + A*C", "--matrix", "A=n,m", "--matrix", "B=m,k", "--matrix", "C=m,k")
    assert code == 0 and "✓ proved" in out


@pytest.mark.parametrize(
    "argv",
    [
        pytest.param(["a +", "b"], id="parse-error"),
        pytest.param(["W.T*x", "x"], id="undeclared-matrix"),
        pytest.param(["a", "b", "--matrix", "W=3"], id="bad-matrix-spec"),
        pytest.param(["a"], id="one-expression"),
    ],
)
def test_cli_exits_2_with_one_line_on_bad_usage(capsys, argv):
    code, out, err = _cli(capsys, *argv)
    assert code == 2 and out == ""
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err


def test_tolerance_follows_the_rounding_bound_under_cancellation():
    """(A + cB) - cB = A loses ~c·u to rounding and must pass; a 1e-6 relative change (above c·u) must not."""
    n, m = sp.symbols("n m", integer=True, positive=True)
    A, B = sp.MatrixSymbol("A", n, m), sp.MatrixSymbol("B", n, m)
    c = sp.Float(1e8)  # cancellation of 8 digits: rounding error ~1e8·u ~ 1e-8 relative
    lhs = sp.MatAdd(sp.MatAdd(A, c * B, evaluate=False), -c * B, evaluate=False)
    assert verify_chain([lhs, A], prove=False).ok
    assert not verify_chain([lhs, sp.Float(1.000001) * A], prove=False).ok


def _stalled_prover(monkeypatch, *, busy: bool):
    """Make the prover's rewrite stall for up to 5 s, burning CPU (busy) or sleeping; returns its release event."""
    import threading
    import time

    release = threading.Event()
    original = sp.expand

    def slow_expand(*args, **kwargs):
        deadline = time.monotonic() + 5  # a safety net; the test releases it as soon as it has its result
        if busy:
            while not release.is_set() and time.monotonic() < deadline:
                pass
        else:
            release.wait(5)
        return original(*args, **kwargs)

    monkeypatch.setattr(sp, "expand", slow_expand)
    return release


def _distributivity(release):
    from derivations import chain

    result = verify_chain(["A*(B + C)", "A*B + A*C"], matrices={"A": ("n", "m"), "B": ("m", "k"), "C": ("m", "k")})
    release.set()
    # SymPy's proof gave up: the polynomial step is proved for every size by exact randomized evaluation
    assert result.ok and result.proved == [False] and result.verdicts == ["proved-randomized"]
    assert "Schwartz-Zippel" in result.steps[0].detail
    # and with that stage out of reach as well (prove=False), it is tested at POINTS points
    tested = verify_chain(
        ["A*(B + C)", "A*B + A*C"], matrices={"A": ("n", "m"), "B": ("m", "k"), "C": ("m", "k")}, prove=False
    )
    assert tested.verdicts == ["tested"] and tested.points == [chain.POINTS]


def test_a_proof_over_its_cpu_budget_falls_back_to_random_testing(monkeypatch):
    from derivations.chain import symbolic

    monkeypatch.setattr(symbolic, "PROOF_BUDGET", 0.05)  # 50 ms of CPU
    monkeypatch.setattr(symbolic, "WALL_FACTOR", 1000)  # 50 s: only the CPU budget can stop it before the 5 s net
    _distributivity(_stalled_prover(monkeypatch, busy=True))


def test_a_proof_starved_of_cpu_stops_at_the_wall_clock_cap(monkeypatch):
    from derivations.chain import symbolic

    monkeypatch.setattr(symbolic, "PROOF_BUDGET", 1.0)  # 1 CPU second: never reached, the stalled prover sleeps
    monkeypatch.setattr(symbolic, "WALL_FACTOR", 0.2)  # 0.2 s of wall clock
    _distributivity(_stalled_prover(monkeypatch, busy=False))


def test_a_constant_set_on_the_package_reaches_the_stage_that_reads_it(monkeypatch):
    """derivations.chain is a package whose stages read their constants from their own modules;
    setting one on the package (as when chain was one module) must still take effect there.
    PROOF_BUDGET: the sleeping prover uses no CPU and each of its rewrites waits 5 s; the wall cap
    is 0.01 s x 100 = 1 s if the budget took effect, 2.0 s x 100 = 200 s (the prover finishes and
    proves the step) if it did not.
    TOL_FACTOR = 0: every rounding error trips the float stage (see the false-alarm test below)."""
    from derivations import chain
    from derivations.chain import float_eval, symbolic

    monkeypatch.setattr(chain, "PROOF_BUDGET", 0.01)
    monkeypatch.setattr(chain, "WALL_FACTOR", 100)
    assert (symbolic.PROOF_BUDGET, symbolic.WALL_FACTOR) == (chain.PROOF_BUDGET, chain.WALL_FACTOR) == (0.01, 100)
    _distributivity(_stalled_prover(monkeypatch, busy=False))
    monkeypatch.setattr(chain, "TOL_FACTOR", 0)
    assert float_eval.TOL_FACTOR == chain.TOL_FACTOR == 0
    steps = ["(A*(B + C)).T", "(A*B + A*C).T", "B.T*A.T + C.T*A.T"]
    result = verify_chain(steps, matrices={"A": ("n", "m"), "B": ("m", "k"), "C": ("m", "k")}, prove=False)
    assert result.ok, str(result)
    assert any("float64 exceeded its tolerance" in c.detail for c in result.steps), str(result)


# --- regressions: Trace, float-invisible differences, many dimensions, confirmation, names --------


def _exact(expr, point):
    """``expr`` at ``point`` in exact SymPy arithmetic, independently of derivations.chain: every
    float of the point becomes the rational it stores, matrices become explicit matrices."""

    def rational(z):
        z = complex(z)
        return sp.Rational(z.real) + sp.I * sp.Rational(z.imag)

    sub = {}
    for s in expr.free_symbols:
        v = point[s.name]
        if isinstance(s, sp.MatrixSymbol):
            sub[s] = sp.ImmutableMatrix(v.shape[0], v.shape[1], [rational(z) for z in np.ravel(v)])
        elif isinstance(v, (int, np.integer)):
            sub[s] = sp.Integer(int(v))
        else:
            sub[s] = rational(v)
    value = expr.xreplace(sub).doit()
    return sp.Matrix(value).applyfunc(sp.expand) if isinstance(value, sp.MatrixBase) else sp.expand(value)


def _exactly_differs(lhs: str, rhs: str, matrices, point) -> bool:
    """Do the parsed sides differ at ``point`` in exact arithmetic (sizes from the point)?"""
    sized = {k: tuple(point[d] if isinstance(d, str) else d for d in shape) for k, shape in (matrices or {}).items()}
    gap = _exact(parse(lhs, sized) - parse(rhs, sized), point)
    return gap != 0 if not isinstance(gap, sp.MatrixBase) else not gap.is_zero_matrix


SQUARE = {"A": ("n", "n"), "B": ("n", "n")}


@pytest.mark.parametrize("prove", [True, False])
@pytest.mark.parametrize(
    "lhs, rhs",
    [
        ("Trace(A*B)", "Trace(A*B) + 1"),
        ("Trace(A*B)", "Trace(B*A) + Trace(A)"),
        ("Trace(A**-1*B)", "Trace(B*A**-1) + 1"),
    ],
)
def test_a_false_trace_step_fails_with_a_confirmed_counterexample(lhs, rhs, prove):
    """Was: lambdify's NumPyPrinter cannot print Trace, so confirming the failure raised."""
    result = verify_chain([lhs, rhs], matrices=SQUARE, prove=prove)
    assert result.first_failure == 0 and result.steps[0].method in ("symbolic", "counterexample"), str(result)
    assert "NOT confirmed" not in result.steps[0].detail
    cex = result.counterexample
    assert {"n", "A", "B"} <= set(cex) and cex["n"] >= 1  # issue 13: the smallest size found (was >= 3)
    assert _exactly_differs(lhs, rhs, SQUARE, cex)


@pytest.mark.parametrize("prove", [True, False])
def test_a_true_trace_step_passes(prove):
    result = verify_chain(["Trace(A*B)", "Trace(B*A)", "Trace(B.T*A.T)"], matrices=SQUARE, prove=prove)
    assert result.ok, str(result)


def test_an_ill_shaped_trace_step_fails_on_shape_without_raising():
    result = verify_chain(["Trace(A)", "Trace(A) + 1"], matrices={"A": ("n", "m")})
    assert result.first_failure == 0 and result.steps[0].method == "shape"
    assert "not square" in result.steps[0].detail


FLOAT_INVISIBLE = [
    pytest.param("x**2", "x**2 + 10**-20", {}, id="tiny-constant"),
    pytest.param("10**300*x", "10**300*x + 1", {}, id="unit-beside-huge"),
    pytest.param("A + 10**-20*B", "A", {"A": ("n", "m"), "B": ("n", "m")}, id="tiny-matrix-term"),
    pytest.param("A + 10**-20*Identity(n)", "A", {"A": ("n", "n")}, id="tiny-identity"),
    pytest.param("y + 10**-20*x*y", "y", {}, id="tiny-polynomial"),
]


@pytest.mark.parametrize("lhs, rhs, matrices", FLOAT_INVISIBLE)
def test_a_nonzero_difference_floats_cannot_see_fails_symbolically(lhs, rhs, matrices):
    """Was: these passed as 'tested', the difference being below float64's rounding of the sides."""
    result = verify_chain([lhs, rhs], matrices=matrices)
    assert result.first_failure == 0 and result.steps[0].method == "symbolic", str(result)
    assert "nonzero" in result.steps[0].detail and "exactly" in result.steps[0].detail
    assert _exactly_differs(lhs, rhs, matrices, result.counterexample)


@pytest.mark.parametrize(
    "lhs, rhs, matrices",
    [
        pytest.param("A*B + 10**-20*(A*B - B*A)", "A*B", SQUARE, id="tiny-commutator"),
        pytest.param("A*B/3 + 10**-20*(A*B - B*A)", "A*B/3", SQUARE, id="non-dyadic-thirds"),  # QQ_I, not dyadics
        pytest.param("exp(2*x)", "exp(x)**2 + 10**-20*exp(x)", {}, id="tiny-transcendental"),
    ],
)
@pytest.mark.parametrize("prove", [True, False])
def test_a_float_invisible_difference_the_prover_cannot_reduce_is_caught_exactly(lhs, rhs, matrices, prove):
    """Not a plain nonzero form, so the numeric stage decides; float64 agrees at every point and
    only the exact (or 320-bit) re-evaluation before passing sees the 1e-20."""
    result = verify_chain([lhs, rhs], matrices=matrices, prove=prove)
    assert result.first_failure == 0 and result.steps[0].method == "counterexample", str(result)
    # with the prover on, a polynomial step is decided first by exact evaluation at integer points
    # (randomized.py); without it, by the exact re-check before a float pass
    assert "float64 agrees" in result.steps[0].detail or (prove and "random integer point" in result.steps[0].detail)
    if matrices:
        assert _exactly_differs(lhs, rhs, matrices, result.counterexample)
    else:
        x = complex(result.counterexample["x"])
        import mpmath

        with mpmath.workprec(200):
            gap = mpmath.exp(2 * mpmath.mpc(x)) - mpmath.exp(mpmath.mpc(x)) ** 2 - mpmath.exp(mpmath.mpc(x)) / 10**20
        assert abs(gap) > 1e-25


#: Eight dimension names a..h: a chain of seven factors M0 (a×b) ... M6 (g×h), and N (a×h).
EIGHT = {**{f"M{i}": ("abcdefgh"[i], "abcdefgh"[i + 1]) for i in range(7)}, "N": ("a", "h")}
PRODUCT = "*".join(f"M{i}" for i in range(7))


def test_eight_dimension_names_get_distinct_sizes_in_true_and_false_chains():
    """Was: sizes were drawn without replacement from 3..8, so a 7th dimension name raised."""
    true = verify_chain(
        [f"{PRODUCT} + N", "M0*(M1*M2)*(M3*M4*M5*M6) + N", f"N + {PRODUCT}"], matrices=EIGHT, prove=False
    )
    assert true.ok and true.points == [4, 4], str(true)
    for prove in (True, False):
        false = verify_chain([f"{PRODUCT} + N", f"{PRODUCT} - N"], matrices=EIGHT, prove=prove)
        assert false.first_failure == 0, str(false)
        cex = false.counterexample
        sizes = [cex[d] for d in "abcdefgh"]
        assert min(sizes) >= 1  # issue 13: the smallest sizes found, every dimension from 1 (were distinct, >= 3)
        assert _exactly_differs(f"{PRODUCT} + N", f"{PRODUCT} - N", EIGHT, cex)


COLUMN = {"W1": ("h", "d"), "x": ("d", 1)}


@pytest.mark.parametrize("prove", [True, False])
def test_a_small_relative_change_is_a_confirmed_counterexample(prove):
    """Was: detected at 16·u times the rounding bound but 're-evaluated' at 1e-8 relative: NOT confirmed."""
    result = verify_chain(["W1*x", "W1*x + 10**-9*W1*x"], matrices=COLUMN, prove=prove)
    check = result.steps[0]
    assert result.first_failure == 0 and "NOT confirmed" not in check.detail, str(result)
    assert check.method == ("symbolic" if prove else "counterexample")
    if not prove:  # detected at the rounding bound, and confirmed exactly at that same point
        assert "> tolerance" in check.detail and "(rounding bound); re-evaluated exactly" in check.detail
    assert _exactly_differs("W1*x", "W1*x + 10**-9*W1*x", COLUMN, result.counterexample)


def test_a_float_false_alarm_is_overruled_by_exact_arithmetic(monkeypatch):
    """With a zero tolerance every rounding error trips the float stage; the exact re-evaluation
    shows the sides agree at those points, so a true step still passes (was: 'NOT confirmed')."""
    from derivations.chain import float_eval

    monkeypatch.setattr(float_eval, "TOL_FACTOR", 0)
    steps = ["(A*(B + C)).T", "(A*B + A*C).T", "B.T*A.T + C.T*A.T"]
    result = verify_chain(steps, matrices={"A": ("n", "m"), "B": ("m", "k"), "C": ("m", "k")}, prove=False)
    assert result.ok, str(result)
    assert any("float64 exceeded its tolerance" in c.detail for c in result.steps), str(result)


@pytest.mark.parametrize(
    "steps, matrices, name, expected",
    [
        pytest.param(["f(x)", "x"], {}, "'f'", "not a known function", id="undeclared-function"),
        pytest.param(["A(x)", "x"], {"A": (3, 3)}, "'A'", "declared matrix", id="matrix-called"),
        pytest.param(["exp(x) + pi(x)", "x"], {}, "'pi'", "constant", id="constant-called"),
    ],
)
def test_calling_a_name_that_is_not_a_function_names_it(steps, matrices, name, expected):
    """Was: "'Symbol' object is not callable"."""
    with pytest.raises(ValueError, match="does not parse") as info:
        verify_chain(steps, matrices=matrices)
    message = str(info.value)
    assert name in message and expected in message and "expected one of the functions" in message
    assert "exp" in message and "object is not callable" not in message


@pytest.mark.parametrize("argv", [["f(x)", "x"], ["A(x)", "x", "--matrix", "A=3,3"]])
def test_cli_exits_2_naming_an_unknown_function(capsys, argv):
    code, out, err = _cli(capsys, *argv)
    assert code == 2 and out == ""
    assert len(err.strip().splitlines()) == 1 and "is called like a function" in err
    assert repr(argv[0][0]) in err


@pytest.mark.parametrize("size", [2, 4])
def test_cli_prints_every_entry_of_the_counterexample_exactly(capsys, size):
    """Issue 13: the counterexample is printed in full (was: arrays over 9 entries as their shape)."""
    code, out, _ = _cli(capsys, "A*B", "B*A", "--matrix", f"A={size},{size}", "--matrix", f"B={size},{size}")
    assert code == 1
    lines = out.splitlines()
    start = next(k for k, ln in enumerate(lines) if ln.startswith("counterexample"))
    shown = dict(ln.strip().split(" = ") for ln in lines[start + 1 :])
    A, B = (np.array(eval(shown[n]), dtype=object) for n in "AB")  # our own exact output
    assert A.shape == B.shape == (size, size)
    assert all(isinstance(v, int) for v in A.flat)  # small integers, exact
    assert np.any(A.dot(B) != B.dot(A))  # integer arithmetic: really a counterexample


def test_a_dimension_name_in_a_string_is_the_matrices_dimension():
    """Was: 'n' in Identity(n) parsed as a new symbol, unlike A's positive-integer n, so these
    true steps failed on shape (and re-evaluating them raised)."""
    square = {"A": ("n", "n")}
    assert verify_chain(["A + Identity(n)", "Identity(n) + A"], matrices=square).proved == [True]
    assert verify_chain(["Trace(A + Identity(n))", "Trace(A) + n"], matrices=square).proved == [True]
    assert verify_chain(["A*Identity(n)", "A", "Identity(m)*A"], matrices={"A": ("m", "n")}).ok
    for prove in (True, False):  # n only in Identity(n) (A unused) is still a size, never a complex scalar
        false = verify_chain(["Identity(n)", "2*Identity(n)"], matrices=square, prove=prove)
        assert false.first_failure == 0 and "NOT confirmed" not in false.steps[0].detail, str(false)
        assert isinstance(false.counterexample["n"], int) and false.counterexample["n"] >= 1
        assert verify_chain(["Trace(Identity(n))", "n"], matrices=square, prove=prove).ok


def test_decimal_literals_are_exact():
    """0.1 means 1/10: otherwise binary rounding of the literals (0.1 + 0.2 - 0.3 = 5.6e-17 in
    binary) would be a real, exactly confirmed difference now that exact re-evaluation sees it."""
    assert parse("0.1") == sp.Rational(1, 10) and parse("2.5e-3") == sp.Rational(1, 400)
    assert verify_chain(["0.1*x + 0.2*x", "0.3*x"]).proved == [True]
    assert verify_chain(["exp(0.1*x)*exp(0.2*x)", "exp(0.3*x)"]).ok
    assert not verify_chain(["0.1*x + 0.2*x", "0.30000000000000004*x"]).ok


@pytest.mark.parametrize("prove", [True, False])
def test_a_third_is_not_its_sixteen_digit_decimal(prove):
    """B/3 and 0.3333333333333333·B (exact decimal) differ by B/(3·10**16), which float64 cannot
    see (both constants round to the same double): the exact re-check must keep both exact (the
    cheap dyadic arithmetic cannot, and hands over to Gaussian rationals)."""
    steps, matrices = ["B/3", "0.3333333333333333*B"], {"B": ("n", "n")}
    result = verify_chain(steps, matrices=matrices, prove=prove)
    assert result.first_failure == 0 and "NOT confirmed" not in result.steps[0].detail, str(result)
    assert _exactly_differs(*steps, matrices, result.counterexample)
    assert verify_chain(["B/3 + B/3", "2*B/3"], matrices=matrices, prove=prove).ok


@pytest.mark.parametrize("prove", [True, False])
def test_sympy_floats_are_approximate_in_every_stage(prove):
    """SymPy rounds 1/3 - Float(1/3) to 0, so the prover accepts B/3 = Float(1/3)·B; the numeric
    stage must agree (no exact re-check below the Floats' own precision), whatever ``prove``."""
    n = sp.Symbol("n", integer=True, positive=True)
    B, x = sp.MatrixSymbol("B", n, n), sp.Symbol("x")
    assert verify_chain([B / 3, sp.Float(1 / 3) * B], prove=prove).ok
    assert verify_chain([sp.Float(0.1) * x + sp.Float(0.2) * x, sp.Float(0.3) * x], prove=prove).ok
    assert not verify_chain([B / 3, sp.Float(0.3334) * B], prove=prove).ok


@pytest.mark.parametrize("prove", [True, False])
@pytest.mark.parametrize(
    "steps",
    [
        ["(sin(x)**2 + cos(x)**2)*A - A", "0"],
        ["(1/(1 + exp(-x)))*(1 - 1/(1 + exp(-x)))*A - exp(-x)/(1 + exp(-x))**2*A", "0"],
        ["sin(x)**2 + cos(x)**2 - 1", "0"],
    ],
    ids=["pythagoras-matrix", "sigmoid-derivative-matrix", "pythagoras-scalar"],
)
def test_a_true_step_with_an_exactly_zero_side_passes_the_high_precision_recheck(steps, prove):
    """At 320 bits a side that is exactly 0 still carries ~1e-97 of rounding from its intermediates;
    the re-check must not read that as a difference (it compares two precisions)."""
    result = verify_chain(steps, matrices={"A": ("n", "n")}, prove=prove)
    assert result.ok, str(result)


@pytest.mark.parametrize("prove", [True, False])
def test_a_dimension_name_used_as_a_scalar_is_drawn_as_an_integer(prove):
    # with A n×n, n is a positive integer: sin(πn/2)² = (1 − (−1)ⁿ)/2 holds for every integer n
    result = verify_chain(["sin(pi*n/2)**2", "(1 - (-1)**n)/2"], matrices={"A": ("n", "n")}, prove=prove)
    assert result.ok, str(result)
    assert not verify_chain(["sin(pi*n/2)**2", "(1 + (-1)**n)/2"], matrices={"A": ("n", "n")}, prove=prove).ok


@pytest.mark.parametrize(
    "steps",
    [["x", "x + 1e400"], ["exp(x*10**3)", "exp(x*10**3) + 1"], ["sin(2*x*10**40)", "2*sin(x*10**40)*cos(x*10**40)"]],
)
def test_overflowing_evaluations_emit_no_warning_and_never_pass(steps):
    # points where a side overflows are skipped (pytest makes any RuntimeWarning an error here)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = verify_chain(steps, prove=False)
    assert result.steps[0].method in ("numeric", "counterexample")
    if steps[1].endswith("+ 1") or "1e400" in steps[1]:
        assert not result.ok


# --- verdicts (issue 13) ----------------------------------------------------------------------------


def test_each_step_has_a_verdict_and_a_counterexample_slot():
    result = verify_chain(
        ["A*(B + C)", "A*B + A*C", "B*A + A*C", "A + x"],
        matrices={"A": ("n", "n"), "B": ("n", "n"), "C": ("n", "n"), "x": ("n", 1)},
    )
    assert result.verdicts == ["proved", "refuted", "shape"]
    assert result.counterexamples[0] is None and result.counterexamples[1] is not None
    assert verify_chain(["x**2 - 1", "(x - 1)*(x + 1)"], prove=False).verdicts == ["tested"]
    assert verify_chain(["exp(x)*exp(y)", "exp(x + y)"]).verdicts == ["proved"]
