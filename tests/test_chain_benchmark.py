"""The benchmark table of ``tests/chain_cases.py`` run through ``verify_chain`` (issue 13 point 6).

Two halves:

1. the TABLE is checked independently of ``derivations.chain``: every step is evaluated here
   with NumPy (float spot checks at random real points inside the domains, sizes 1-4) and with
   exact SymPy arithmetic, by :func:`evaluate` below (its own reading of the grammar: ``*`` matrix
   product, ``.T``, ``**k``, entrywise functions of matrices); every stated ``min_size`` is
   confirmed by brute force (false at small integer matrices of that size, true symbolically
   at every size below);
2. the CHECKER is run on each case at ``SEEDS`` (0 and 1; all 16 with
   ``MLP_DERIVATIONS_PROFILE=thorough``) against the contract of DESIGN.md: right verdict,
   no exception, counterexamples real, inside the domains, exact and confirmed here, and the
   issue's aggregate targets.  What today's checker lacks is listed in :data:`KNOWN_GAPS`
   (xfail, not strict) -- empty it as the checker improves.
"""

from __future__ import annotations

import functools
import itertools
import os
import re
import time
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import mpmath as mp
import numpy as np
import pytest
import sympy as sp
from chain_cases import BY_ID, CASES, Case
from scipy.special import erf as _erf

from derivations import verify_chain

SEEDS = tuple(range(16)) if os.environ.get("MLP_DERIVATIONS_PROFILE") == "thorough" else (0, 1)

# --- what the checker cannot do yet: "test:id" -> reason; such a test is xfail (not strict). -----
#: Empty: every case and aggregate target of the table passes at every seed.  A future gap is added
#: here with its reason (and removed when fixed), never by widening a test.
KNOWN_GAPS: dict[str, str] = {}


def _gap(test: str, case_id: str) -> str | None:
    return KNOWN_GAPS.get(f"{test}:{case_id}")


# --- an independent evaluator of the grammar (never through derivations.chain) -----------------
class Shape(Exception):
    """Operands whose sizes do not fit (at the sizes of this point)."""


class Mat:
    """A matrix for :func:`evaluate`: ``*`` is the matrix product; a 1×1 matrix meets scalars as a scalar."""

    def __init__(self, a: np.ndarray):
        self.a = a

    T = property(lambda self: Mat(self.a.T))

    def _other(self, o, op):
        if isinstance(o, Mat):
            if o.a.shape != self.a.shape:
                raise Shape(f"{op}: {self.a.shape} vs {o.a.shape}")
            return o.a
        if self.a.shape != (1, 1):
            raise Shape(f"{op}: a {self.a.shape} matrix and a scalar")
        return o

    def __add__(self, o):
        return Mat(self.a + self._other(o, "+"))

    __radd__ = __add__

    def __sub__(self, o):
        return Mat(self.a - self._other(o, "-"))

    def __rsub__(self, o):
        return Mat(self._other(o, "-") - self.a)

    def __neg__(self):
        return Mat(-self.a)

    def __pos__(self):
        return self

    def __mul__(self, o):
        if isinstance(o, Mat):
            if self.a.shape[1] != o.a.shape[0]:
                raise Shape(f"*: {self.a.shape} times {o.a.shape}")
            return Mat(self.a.dot(o.a))
        return Mat(self.a * o)

    def __rmul__(self, o):
        return Mat(o * self.a)

    def __truediv__(self, o):
        return Mat(self.a / (o.a[0, 0] if isinstance(o, Mat) and o.a.shape == (1, 1) else o))

    def __rtruediv__(self, o):
        if self.a.shape != (1, 1):
            raise Shape(f"/: a scalar over a {self.a.shape} matrix")
        return o / self.a[0, 0]

    def __pow__(self, k):
        k = int(k)
        if self.a.shape[0] != self.a.shape[1]:
            raise Shape("** of a non-square matrix")
        base = _ops(self.a).inv(self) if k < 0 else self
        out = Mat(_ops(self.a).eye(self.a.shape[0]))
        for _ in range(abs(k)):
            out = out * base
        return out


def _square(m: Mat) -> Mat:
    if m.a.shape[0] != m.a.shape[1]:
        raise Shape(f"a square matrix expected, got {m.a.shape}")
    return m


class _Float:
    exp, log, sqrt, tanh, sin, cos = np.exp, np.log, np.sqrt, np.tanh, np.sin, np.cos
    erf, pi, E, abs = staticmethod(_erf), np.pi, np.e, np.abs
    eye = staticmethod(lambda n: np.eye(n))
    det = staticmethod(lambda m: np.linalg.det(_square(m).a))
    inv = staticmethod(lambda m: Mat(np.linalg.inv(_square(m).a)))
    max, min = staticmethod(np.maximum), staticmethod(np.minimum)
    rational = staticmethod(lambda p, q: p / q)
    softplus = staticmethod(lambda x: np.logaddexp(0, x))


class _Exact:
    exp, log, sqrt, tanh, sin, cos, erf, pi, E, abs = (
        sp.exp,
        sp.log,
        sp.sqrt,
        sp.tanh,
        sp.sin,
        sp.cos,
        sp.erf,
        sp.pi,
        sp.E,
        sp.Abs,
    )
    eye = staticmethod(lambda n: np.array(sp.eye(n).tolist(), dtype=object))
    det = staticmethod(lambda m: sp.Matrix(_square(m).a.tolist()).det())
    inv = staticmethod(lambda m: Mat(np.array(sp.Matrix(_square(m).a.tolist()).inv().tolist(), dtype=object)))
    max, min = staticmethod(sp.Max), staticmethod(sp.Min)
    rational = staticmethod(sp.Rational)
    softplus = staticmethod(lambda x: sp.log(1 + sp.exp(x)))


def _mp_det(a):
    """``mp.det``, except at a singular matrix, where mpmath 1.3's LU pivoting indexes a row ``None`` (a
    TypeError): a zero pivot column means det = 0, so the determinant is then read off the exact Leibniz sum."""
    try:
        return mp.det(a)
    except (TypeError, ZeroDivisionError):
        n = a.rows
        return mp.fsum(
            sp.combinatorics.Permutation(list(p)).signature() * mp.fprod(a[i, p[i]] for i in range(n))
            for p in itertools.permutations(range(n))
        )


class _Mp:
    """60-digit mpmath, for points given in floating point (exact rationals of floats make 8×8 inverses far
    too slow); each operation errs by ~1e-60 relative, far below the 1e-30 at which :func:`compare` sees a
    difference."""

    exp, log, sqrt, tanh, sin, cos, erf, pi, E = mp.exp, mp.log, mp.sqrt, mp.tanh, mp.sin, mp.cos, mp.erf, mp.pi, mp.e
    abs = staticmethod(abs)
    eye = staticmethod(lambda n: np.array(mp.eye(n).tolist(), dtype=object))
    det = staticmethod(lambda m: _mp_det(mp.matrix(_square(m).a.tolist())))
    inv = staticmethod(lambda m: Mat(np.array(mp.inverse(mp.matrix(_square(m).a.tolist())).tolist(), dtype=object)))
    max, min = staticmethod(max), staticmethod(min)
    rational = staticmethod(lambda p, q: mp.mpf(p) / q)
    softplus = staticmethod(lambda x: mp.log(1 + mp.exp(x)))


MODES = {"float": _Float, "exact": _Exact, "mp": _Mp}


def _ops(a) -> type:
    if not (isinstance(a, np.ndarray) and a.dtype == object):
        return _Float
    return _Mp if a.size and isinstance(a.flat[0], (mp.mpf, mp.mpc)) else _Exact


def _namespace(ops: type, env: dict) -> dict:
    def entrywise(f):
        vf = f if ops is _Float else np.vectorize(f, otypes=[object])
        return lambda x: Mat(vf(x.a)) if isinstance(x, Mat) else f(x)

    def sigmoid(x):
        return 1 / (1 + ops.exp(-x))

    scalar = {
        "exp": ops.exp,
        "log": ops.log,
        "sqrt": ops.sqrt,
        "tanh": ops.tanh,
        "sin": ops.sin,
        "cos": ops.cos,
        "erf": ops.erf,
        "abs": ops.abs,
        "Abs": ops.abs,
        "sigmoid": sigmoid,
        "softplus": ops.softplus,
        "relu": lambda x: ops.max(x, 0),
        "swish": lambda x: x * sigmoid(x),
        "gelu": lambda x: x * (1 + ops.erf(x / ops.sqrt(2))) / 2,
    }
    ns = {k: entrywise(f) for k, f in scalar.items()}

    def trace(m):
        return sum(np.diagonal(_square(m).a)) if isinstance(m, Mat) else m

    def hadamard(x, y):
        if x.a.shape != y.a.shape:
            raise Shape("hadamard of different shapes")
        return Mat(x.a * y.a)

    ns.update(
        trace=trace,
        Trace=trace,
        det=ops.det,
        inv=ops.inv,
        transpose=lambda m: m.T,
        kron=lambda x, y: Mat(np.kron(x.a, y.a)),
        hadamard=hadamard,
        Identity=lambda k: Mat(ops.eye(int(k))),
        Max=ops.max,
        Min=ops.min,
        pi=ops.pi,
        E=ops.E,
        Rational=ops.rational,
        _N=sp.Integer,
    )
    ns.update(env)
    return ns


def evaluate(text: str, env: dict, mode: str) -> Any:
    """The value of one step at ``env`` (name -> Mat, number, or size) in ``mode``: "float" (float64),
    "exact" (SymPy) or "mp" (60-digit mpmath)."""
    if mode == "exact":
        text = re.sub(r"(?<![\w.])(\d+)(?![\w.])", r"_N(\1)", text)  # integer literals exact
    with np.errstate(all="ignore"), mp.workdps(60):
        return eval(text, {"__builtins__": {}}, _namespace(MODES[mode], env))


def names(case: Case) -> tuple[list[str], list[str], list[str]]:
    """(matrices, dimension names, scalar symbols) of a case."""
    words = set(re.findall(r"(?<![\w.])([A-Za-z_]\w*)", " ".join(case.steps))) - {"T"}
    mats = [m for m in case.matrices if m in words]  # declared and used
    every_dim = {s for shape in case.matrices.values() for s in shape if isinstance(s, str)}
    dims = sorted({s for m in mats for s in case.matrices[m] if isinstance(s, str)} | (words & every_dim))
    known = set(_namespace(_Float, {})) | set(case.matrices) | every_dim
    return mats, dims, sorted(words - known)


def draw(case: Case, sizes: dict, rng, exact: bool) -> dict:
    """A point: matrices and scalars at ``sizes``; floats ~ N(0, 1), or small integers if ``exact``."""
    mats, dims, scalars = names(case)
    env: dict[str, Any] = {d: sizes[d] for d in dims}
    for m in mats:
        shape = tuple(sizes[s] if isinstance(s, str) else s for s in case.matrices[m])
        env[m] = Mat(
            np.array([[sp.Integer(v) for v in row] for row in rng.integers(-2, 3, shape)], dtype=object)
            if exact
            else rng.standard_normal(shape)
        )
    for s in scalars:
        dom = case.symbols.get(s, "real")
        if exact:
            v = {"positive": rng.integers(1, 4), "complex": None}.get(dom, rng.integers(-2, 3))
            env[s] = sp.Integer(int(v)) if v is not None else sp.Integer(int(rng.integers(-3, 4))) * sp.I
        else:
            env[s] = {
                "positive": np.exp(rng.standard_normal()),
                "integer": int(rng.integers(-4, 5)),
                "complex": complex(*(2 * rng.standard_normal(2))),
            }.get(dom, 1.5 * rng.standard_normal())
    return env


def _array(v) -> np.ndarray:
    return np.atleast_2d(np.asarray(v.a if isinstance(v, Mat) else v))


def sides(case: Case, i: int, env: dict, mode: str) -> tuple[np.ndarray, np.ndarray]:
    """Both sides of step i as 2-D arrays; a literal 0 opposite a matrix is that matrix's zero."""
    lhs, rhs = (evaluate(case.steps[j], env, mode) for j in (i, i + 1))
    if isinstance(lhs, Mat) and not isinstance(rhs, Mat) and rhs == 0:
        rhs = Mat(lhs.a * 0)
    return _array(lhs), _array(rhs)


def compare(case: Case, i: int, env: dict, mode: str) -> str:
    """'equal', 'differ', 'shape' or 'undefined' (or, in float64, 'unclear') for step i at ``env``."""
    try:
        lhs, rhs = sides(case, i, env, mode)
    except Shape:
        return "shape"
    except (ZeroDivisionError, ValueError, np.linalg.LinAlgError):
        return "undefined"
    if lhs.shape != rhs.shape:
        return "shape"
    if mode == "mp":
        with mp.workdps(60):
            if not all(mp.isfinite(v) for v in itertools.chain(lhs.ravel(), rhs.ravel())):
                return "undefined"
            rel = max(abs(x - y) / (1 + max(abs(x), abs(y))) for x, y in zip(lhs.ravel(), rhs.ravel()))
        return "differ" if rel > 1e-30 else "equal"
    if mode == "exact":
        d = [sp.N(sp.expand(x - y), 50) for x, y in zip(lhs.ravel(), rhs.ravel())]
        if any(not v.is_finite for v in d) or any(not x.is_finite for x in itertools.chain(lhs.ravel(), rhs.ravel())):
            return "undefined"
        return "differ" if max(abs(v) for v in d) > 1e-30 else "equal"
    lhs, rhs = lhs.astype(complex), rhs.astype(complex)
    if not (np.all(np.isfinite(lhs)) and np.all(np.isfinite(rhs))):
        return "undefined"
    # float64 at sizes <= 4 with N(0,1) entries: rounding ~1e-15 times the condition of the few inverses (well
    # under 1e6 at these draws), so 1e-8 relative leaves a margin; the false steps differ by O(1) relative
    rel = np.max(np.abs(lhs - rhs)) / (1 + max(np.max(np.abs(lhs)), np.max(np.abs(rhs))))
    return "differ" if rel > 1e-4 else "equal" if rel < 1e-8 else "unclear"


def shape_case(case: Case) -> bool:
    """Whether the expected wrong step is a shape failure (at distinct sizes 2, 3, ... for the dimensions)."""
    _, dims, _ = names(case)
    if case.expect is None:
        return False
    env = draw(case, {d: 2 + k for k, d in enumerate(dims)}, np.random.default_rng(0), exact=False)
    return compare(case, case.expect, env, "float") == "shape"


def _sizes(case: Case, rng, top: int) -> dict:
    return {d: int(rng.integers(1, top + 1)) for d in names(case)[1]}


# --- 1. the table itself -------------------------------------------------------------------------
@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_table_steps_hold_except_the_expected_one(case):
    """Float spot checks at 30 random points in the domains, sizes 1-4: every step but ``expect`` holds."""
    rng = np.random.default_rng(sum(map(ord, case.id)))
    for i in range(len(case.steps) - 1):
        seen = [compare(case, i, draw(case, _sizes(case, rng, 4), rng, exact=False), "float") for _ in range(30)]
        if i == case.expect:
            assert {"differ", "shape"} & set(seen), f"step {i} is expected wrong but held at 30 points: {seen}"
        else:
            assert set(seen) <= {"equal", "undefined"} and seen.count("equal") >= 20, f"step {i}: {seen}"


def symbolic_env(case: Case, sizes: dict) -> dict:
    """Every entry and scalar a SymPy symbol (real, or as declared), at ``sizes``."""
    mats, _, scalars = names(case)
    env: dict[str, Any] = dict(sizes)
    for m in mats:
        r, c = (sizes[s] if isinstance(s, str) else s for s in case.matrices[m])
        env[m] = Mat(
            np.array([[sp.Symbol(f"{m}_{i}{j}", real=True) for j in range(c)] for i in range(r)], dtype=object)
        )
    for s in scalars:
        dom = case.symbols.get(s, "real")
        env[s] = sp.Symbol(s) if dom == "complex" else sp.Symbol(s, **{dom: True})
    return env


MIN_CASES = [c for c in CASES if c.min_size is not None]


@pytest.mark.parametrize("case", MIN_CASES, ids=[c.id for c in MIN_CASES])
def test_table_min_size_is_right(case):
    """False at some small integer point with every dimension <= min_size; true symbolically below it."""
    rng, i, s = np.random.default_rng(7), case.expect, case.min_size
    _, dims, _ = names(case)
    assert dims, "min_size is for steps with dimension names"
    found = next(
        (
            env
            for env in (draw(case, _sizes(case, rng, s), rng, exact=True) for _ in range(300))
            if compare(case, i, env, "exact") == "differ"
        ),
        None,
    )
    assert found is not None, f"no integer counterexample with sizes <= {s}"
    for combo in itertools.product(range(1, s), repeat=len(dims)):
        env = symbolic_env(case, dict(zip(dims, combo)))
        lhs, rhs = sides(case, i, env, "exact")
        assert lhs.shape == rhs.shape and all(
            sp.simplify(sp.expand(x - y)) == 0 for x, y in zip(lhs.ravel(), rhs.ravel())
        ), f"false at sizes {combo}"


# --- 2. the checker on the table -----------------------------------------------------------------
@dataclass
class Outcome:
    result: Any
    error: BaseException | None
    seconds: float


@functools.cache
def run(case_id: str, seed: int) -> Outcome:
    """``verify_chain`` on one case (``symbols=`` passed only where the case declares domains)."""
    case = BY_ID[case_id]
    kwargs: dict[str, Any] = {"matrices": case.matrices or None, "seed": seed}
    if case.symbols:
        kwargs["symbols"] = case.symbols
    t0 = time.perf_counter()
    try:
        return Outcome(verify_chain(list(case.steps), **kwargs), None, time.perf_counter() - t0)
    except Exception as exc:  # noqa: BLE001 - reported by the tests, which fail on any exception (these inputs are valid)
        return Outcome(None, exc, time.perf_counter() - t0)


def verdicts(result) -> list[str]:
    """``result.verdicts``, or (today's checker, which has none) derived from ``.proved`` and ``.steps``."""
    if hasattr(result, "verdicts"):
        return list(result.verdicts)
    return [
        "proved" if p else "tested" if c.ok else "shape" if c.method == "shape" else "refuted"
        for p, c in zip(result.proved, result.steps)
    ]


TRUE_VERDICTS = {"proved", "proved-randomized", "tested"}


def _params(test: str, cases: list[Case]) -> list:
    out = []
    for c in cases:
        reason = _gap(test, c.id)
        out.append(pytest.param(c, id=c.id, marks=[pytest.mark.xfail(strict=False, reason=reason)] if reason else []))
    return out


@pytest.mark.parametrize("seed", SEEDS, ids=[f"seed{s}" for s in SEEDS])
@pytest.mark.parametrize("case", _params("verdict", CASES))
def test_verdict(case, seed):
    out = run(case.id, seed)
    if out.error is not None:
        kind = "refused (ValueError)" if isinstance(out.error, ValueError) else "crashed"
        pytest.fail(f"{kind} on a valid case: {type(out.error).__name__}: {out.error}")
    r, v = out.result, verdicts(out.result)
    assert (r.ok, r.first_failure) == (case.expect is None, case.expect), "\n".join(r.lines())
    for i, verdict in enumerate(v):
        want = {("shape" if shape_case(case) else "refuted")} if i == case.expect else TRUE_VERDICTS
        assert verdict in want, f"step {i}: {verdict}, expected one of {sorted(want)}\n" + "\n".join(r.lines())


def test_known_gaps_name_real_cases():
    """A typo in KNOWN_GAPS would silently xfail nothing: every entry names a case (or target) of its test."""
    targets = {"verdict": set(BY_ID), "counterexample": set(BY_ID), "aggregate": {"minimal-size", "polynomial-proved"}}
    unknown = [k for k in KNOWN_GAPS if k.split(":", 1)[1] not in targets[k.split(":", 1)[0]]]
    assert not unknown, unknown


def _exact_real(x) -> bool:
    return (isinstance(x, (int, np.integer, Fraction)) and not isinstance(x, (bool, np.bool_))) or isinstance(
        x, sp.Rational
    )


def _exact(x, domain: str) -> bool:
    if domain == "complex" and isinstance(x, sp.Expr) and x.is_number:
        return all(isinstance(p, sp.Rational) for p in x.as_real_imag())
    return _exact_real(x)


def _to_mp(x):
    """The number stored, as a 60-digit mpmath number (exact for ints, floats and small fractions)."""
    with mp.workdps(60):
        if isinstance(x, Fraction):
            return mp.mpf(x.numerator) / x.denominator
        if isinstance(x, sp.Expr):
            re_, im_ = (mp.mpf(sp.Float(p, 60)) for p in x.as_real_imag())
            return mp.mpc(re_, im_) if im_ else re_
        if isinstance(x, (complex, np.complexfloating)):
            return mp.mpc(float(x.real), float(x.imag))
        return mp.mpf(int(x)) if isinstance(x, (int, np.integer)) else mp.mpf(float(x))


def _in_domain(x, domain: str) -> bool:
    z = complex(x)
    return domain == "complex" or (
        z.imag == 0
        and (
            domain == "real" or (domain == "positive" and z.real > 0) or (domain == "integer" and z.real == int(z.real))
        )
    )


def counterexample_problems(case: Case, cex: dict | None) -> list[str]:
    """What is wrong with a counterexample of the case's wrong step by the contract (empty: nothing)."""
    if cex is None:
        return ["no counterexample"]
    mats, dims, scalars = names(case)
    missing = sorted(set(mats + dims + scalars) - set(cex))
    if missing:
        return [f"missing names {missing}"]
    problems, env = [], {}
    for d in dims:
        if not (_exact_real(cex[d]) and int(cex[d]) >= 1):
            problems.append(f"dimension {d} = {cex[d]!r} is not a positive integer")
        env[d] = int(cex[d])
    for m in mats:
        a = np.array(cex[m].tolist() if isinstance(cex[m], sp.MatrixBase) else cex[m], dtype=object)
        a = a.reshape(a.shape + (1,) * (2 - a.ndim))
        shape = tuple(env.get(s, s) for s in case.matrices[m])
        if a.shape != shape:
            problems.append(f"{m} has shape {a.shape}, declared {case.matrices[m]} = {shape}")
        if not all(_in_domain(x, "real") for x in a.ravel()):
            problems.append(f"{m} has complex entries")
        if not all(_exact_real(x) for x in a.ravel()):
            problems.append(f"{m} is not exact (dtype {np.asarray(cex[m]).dtype})")
        env[m] = Mat(np.vectorize(_to_mp, otypes=[object])(a))
    for s in scalars:
        dom = case.symbols.get(s, "real")
        if not _in_domain(cex[s], dom):
            problems.append(f"{s} = {cex[s]!r} is outside its domain {dom}")
        if not _exact(cex[s], dom):
            problems.append(f"{s} = {cex[s]!r} is not exact")
        env[s] = _to_mp(cex[s])
    # confirm the sides differ there, at 60 digits
    if not any("shape" in p for p in problems) and compare(case, case.expect, env, "mp") != "differ":
        problems.append("the sides do not differ at the counterexample (60-digit re-evaluation)")
    return problems


FALSE_VALUE = [c for c in CASES if c.expect is not None and not shape_case(c)]


@pytest.mark.parametrize("seed", SEEDS, ids=[f"seed{s}" for s in SEEDS])
@pytest.mark.parametrize("case", _params("counterexample", FALSE_VALUE))
def test_counterexample(case, seed, record_property):
    """Real, inside the domains, exact, confirmed here; and, for matrices, recorded: at min_size or not."""
    out = run(case.id, seed)
    if out.error is not None:
        pytest.fail(f"{type(out.error).__name__}: {out.error}")
    cex = out.result.counterexamples[case.expect]
    problems = counterexample_problems(case, cex)
    assert not problems, f"{problems}; counterexample {cex}"
    if case.min_size is not None:
        size = max(int(cex[d]) for d in names(case)[1])
        record_property("counterexample_at_min_size", size == case.min_size)
        assert size >= case.min_size, f"confirmed at sizes {size} < min_size {case.min_size}: the table is wrong"


def at_min_size(case: Case, seed: int) -> bool:
    out = run(case.id, seed)
    if out.error is not None or out.result.first_failure != case.expect:
        return False
    cex = out.result.counterexamples[case.expect] or {}
    dims = names(case)[1]
    return all(d in cex for d in dims) and max(int(cex[d]) for d in dims) == case.min_size


def all_proved(case: Case, seed: int) -> bool:
    out = run(case.id, seed)
    return out.error is None and all(v in {"proved", "proved-randomized"} for v in verdicts(out.result))


POLY_TRUE = [c for c in CASES if c.polynomial and c.matrices and c.expect is None]


@pytest.mark.parametrize("target", _params("aggregate", [Case("minimal-size", ()), Case("polynomial-proved", ())]))
def test_aggregate_targets(target):
    """Issue 13: >= 90% of matrix counterexamples at the smallest size; >= 75% of true polynomial identities proved."""
    if target.id == "minimal-size":
        hits = [at_min_size(c, s) for c in MIN_CASES if not shape_case(c) for s in SEEDS]
        assert sum(hits) >= 0.9 * len(hits), f"{sum(hits)}/{len(hits)} counterexamples at min_size"
    else:
        hits = [all_proved(c, s) for c in POLY_TRUE for s in SEEDS]
        assert sum(hits) >= 0.75 * len(hits), f"{sum(hits)}/{len(hits)} proved or proved-randomized"
