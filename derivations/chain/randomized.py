"""Proofs for every size by exact randomized evaluation (issue 13, verdict ``"proved-randomized"``).

A step ``lhs = rhs`` is proved here when its difference ``D = lhs - rhs`` is a polynomial in the
entries of the matrices and in the scalars, and it is shown identically zero by the two arguments
below.  Where a condition fails the step is left to the numeric stage (``"tested"``);
:func:`covered` says which condition.

**1. Schwartz-Zippel at one size** (Schwartz 1980, Lemma 1; Zippel 1979; DeMillo-Lipton 1978).
Fix the sizes.  Each entry of ``D`` is a commutative polynomial over Q in the entries x_ij of the
matrices (``A`` and ``A.T`` share their variables) and the scalar symbols, of total degree at most
Δ (:func:`degree`: an upper bound, summed over products, ``k·Δ`` for a power k and for the
determinant of a k×k matrix).  If that polynomial is not zero, it vanishes at a point drawn
uniformly from S^N, S a finite subset of Q, with probability at most Δ/|S|; at t independent points
at most (Δ/|S|)^t.  Here S = {-2^40, ..., 2^40} (positive scalars: {1, ..., 2^41 + 1}), |S| =
2^41 + 1, and t is the least number with (Δ/|S|)^t <= :data:`ERROR_BOUND` = 1e-30.  The evaluation
is exact (Python integers and fractions, :func:`evaluate`, independent of the float and exact
stages).  A polynomial that vanishes on Z^N is zero, so the step then holds for all real (and
complex, integer, positive) values: its domains do not matter.  When no dimension name is free
(every size a number: e.g. Cayley-Hamilton at 2×2), this is the whole proof; there det, kron,
``Identity``, all-ones matrices and entries ``A[i, j]`` are allowed too.

**2. From one size to every size** (dimension names free).  Allowed: matrix symbols whose sizes
are dimension names or numbers, zero matrices, +, scalar multiples by polynomials in the scalars
with rational coefficients, matrix products, integer powers >= 1, transposes, traces and Hadamard
products (no ``Identity``, all-ones matrix, det, inverse, kron, entry access or dimension name
used as a number: these make the identity depend on the size itself, e.g. trace(I_n) = n).
Lemma: expand ``D`` into terms c·m·T, c rational, m a monomial in the scalars, T a product of
matrix entries summed over index variables; draw T as a graph (Penrose's index notation): each
index variable of a dimension with more than one value is a vertex of that dimension's type (an
index of size 1 has one value and is dropped), each matrix factor an edge labelled by its symbol
from its row to its column index (a transpose reverses it; a Hadamard product joins ends; a trace
joins the two external indices), the entry's indices (i, j) marked.  Isomorphic graphs give the
same polynomial at every size, so collect them: D = Σ_G c_G·P_G.  If some c_G ≠ 0, take such a G
with the most vertices, and sizes N_d at least the number of type-d vertices of every term
(:func:`vertices`, an upper bound computed on the tree; a numeric size k >= 2 must itself be at
least that count).  Give G's vertices distinct values: the monomial of that assignment is met only
by assignments of graphs H with a label-preserving, edge-bijective homomorphism onto G that is
onto G's vertices (every vertex lies on an edge); H has at most as many vertices as G, so the map
is an isomorphism and H ≅ G.  That monomial's coefficient in D is c_G times the number of G's
automorphisms fixing (i, j), not 0: D is not zero at sizes N.  So D ≡ 0 at sizes N (established
by 1.) implies every c_G = 0, and D ≡ 0 at every size.

This is the "distinct indices" argument behind the bound half of the Amitsur-Levitzki theorem
(Amitsur & Levitzki 1950: s_2n is an identity of n×n matrices; no nonzero polynomial of degree
< 2n is, e.g. Rowen, *Polynomial Identities in Ring Theory*, 1980, ch. 1), extended to transposes,
traces, Hadamard products and rectangular sizes; it asks for larger sizes than Amitsur-Levitzki
(a word of degree k has k + 1 indices: N >= k + 1 rather than 2N > k) and needs no theory of
trace identities (Razmyslov 1974, Procesi 1976: every trace identity of n×n matrices follows from
the Cayley-Hamilton polynomial of degree n, so none has degree <= n).
"""

from __future__ import annotations

import math
from collections import Counter
from fractions import Fraction

import numpy as np
import sympy as sp
from sympy.matrices.expressions.matexpr import MatrixElement

#: Bound on the chance that a step that does not hold is reported proved.
ERROR_BOUND = 1e-30
#: Entries are uniform integers in [-ENTRY_RANGE, ENTRY_RANGE] (exact in int64 and float64).
ENTRY_RANGE = 2**40
#: Largest size evaluated (above it the step is left to the numeric stage).
MAX_SIZE = 24
#: The every-size theorem's name, for the detail line.
THEOREM = (
    "index-graph lemma (derivations.chain.randomized: an identity at sizes >= the index count holds at every size)"
)

_BASE = (
    sp.MatAdd,
    sp.Add,
    sp.MatMul,
    sp.Mul,
    sp.HadamardProduct,
    sp.Transpose,
    sp.Trace,
    sp.MatPow,
    sp.Pow,
    sp.MatrixSymbol,
    sp.Symbol,
    sp.Rational,
    sp.ZeroMatrix,
)
_FIXED_ONLY = (sp.Identity, sp.OneMatrix, sp.Determinant, sp.KroneckerProduct, MatrixElement)


class NotCovered(Exception):
    """The step is outside the classes this module proves; the message says why."""


def _shape_types(m, dims, fixed: bool) -> tuple:
    types = []
    for s in m.shape:
        s = sp.sympify(s)
        if s.is_Integer and s > 0:
            types.append(int(s))
        elif not fixed and isinstance(s, sp.Symbol) and s in dims:
            types.append(s.name)
        else:
            raise NotCovered(f"the size {sp.sstr(s)} of {sp.sstr(m)} is neither a number nor a dimension name")
    return tuple(types)


def _check(expr, dims, fixed: bool) -> None:
    """Raise :class:`NotCovered` unless every node of ``expr`` is allowed (see the module docstring)."""
    if isinstance(expr, (sp.MatrixSymbol, sp.ZeroMatrix, sp.Identity, sp.OneMatrix)):
        _shape_types(expr, dims, fixed)
        return
    if isinstance(expr, sp.Symbol):
        if expr in dims:
            raise NotCovered(f"the dimension {expr.name} is used as a number")
        return
    if isinstance(expr, sp.Rational):
        return
    if isinstance(expr, (sp.Pow, sp.MatPow)):
        k = expr.exp
        if not (k.is_Integer and (k >= 1 or (k == 0 and isinstance(expr, sp.Pow)))):
            raise NotCovered(f"the power {sp.sstr(expr)} is not a non-negative integer power")
        _check(expr.base, dims, fixed)
        return
    if isinstance(expr, MatrixElement) and fixed:
        if not (expr.i.is_Integer and expr.j.is_Integer):
            raise NotCovered(f"the entry {sp.sstr(expr)} has a symbolic index")
        _check(expr.parent, dims, fixed)
        return
    if not isinstance(expr, _BASE + (_FIXED_ONLY if fixed else ())):
        what = type(expr).__name__
        raise NotCovered(
            f"{what} is not polynomial in the entries"
            if not fixed or what not in ("Identity", "OneMatrix", "Determinant", "KroneckerProduct", "MatrixElement")
            else f"{what} depends on the size itself"
        )
    for a in expr.args:
        _check(a, dims, fixed)


def covered(lhs, rhs, mats, dims) -> str:
    """``"fixed"`` (no free size) or ``"every"`` (dimension names free); else :class:`NotCovered`."""
    tree = sp.Tuple(lhs, rhs)
    if tree.has(sp.Float):
        raise NotCovered("it has Float constants (approximate)")
    if not dims:
        for side in (lhs, rhs):
            _check(side, set(), True)
        return "fixed"
    dimset = set(dims)
    for side in (lhs, rhs):
        for node in sp.preorder_traversal(side):
            if isinstance(node, _FIXED_ONLY):
                what = type(node).__name__
                raise NotCovered(
                    f"{what} is not covered by the every-size lemma (it depends on the size itself"
                    + (
                        ")"
                        if what in ("Identity", "OneMatrix")
                        else "; det has degree n, kron and entries change with the sizes)"
                    )
                )
        _check(side, dimset, False)
    return "every"


def degree(expr) -> int:
    """An upper bound on the total degree of ``expr``'s entries in the entries and scalars."""
    if isinstance(expr, (sp.MatrixSymbol, sp.Symbol)):
        return 1
    if isinstance(expr, (sp.Rational, sp.Identity, sp.ZeroMatrix, sp.OneMatrix)):
        return 0
    if isinstance(expr, (sp.Pow, sp.MatPow)):
        return int(expr.exp) * degree(expr.base)
    if isinstance(expr, sp.Determinant):
        return int(expr.arg.shape[0]) * degree(expr.arg)
    if isinstance(expr, MatrixElement):
        return degree(expr.parent)
    if isinstance(expr, (sp.MatAdd, sp.Add)):
        return max(degree(a) for a in expr.args)
    if isinstance(expr, (sp.Transpose, sp.Trace)):
        return degree(expr.args[0])
    return sum(degree(a) for a in expr.args)  # products of every kind


def _vt(t):
    """The vertex type of an index of dimension type ``t`` (None: size 1, one value, no vertex)."""
    return None if t == 1 else t


def _one(t) -> Counter:
    return Counter() if _vt(t) is None else Counter({t: 1})


def _max(counters) -> Counter:
    out: Counter = Counter()
    for c in counters:
        for k, v in c.items():
            out[k] = max(out[k], v)
    return out


def vertices(expr, dims) -> Counter:
    """An upper bound, per dimension type, on the index vertices of a term of ``expr`` (externals
    included; see the lemma in the module docstring)."""
    if isinstance(expr, sp.MatrixSymbol):
        r, c = _shape_types(expr, set(dims), False)
        return _one(r) + _one(c)
    if isinstance(expr, (sp.Symbol, sp.Rational, sp.ZeroMatrix)):
        return Counter()
    if isinstance(expr, (sp.MatAdd, sp.Add)):
        return _max(vertices(a, dims) for a in expr.args)
    if isinstance(expr, sp.Transpose):
        return vertices(expr.arg, dims)
    if isinstance(expr, sp.Trace):
        return vertices(expr.arg, dims) - _one(_type(expr.arg.shape[0]))
    if isinstance(expr, sp.Pow):
        return Counter({k: int(expr.exp) * v for k, v in vertices(expr.base, dims).items()})
    if isinstance(expr, sp.MatPow):
        k = int(expr.exp)
        out = Counter({t: k * v for t, v in vertices(expr.base, dims).items()})
        return out - Counter({t: (k - 1) * v for t, v in _one(_type(expr.base.shape[0])).items()})
    if isinstance(expr, sp.HadamardProduct):
        out = sum((vertices(a, dims) for a in expr.args), Counter())
        merged = _one(_type(expr.shape[0])) + _one(_type(expr.shape[1]))
        return out - Counter({t: (len(expr.args) - 1) * v for t, v in merged.items()})
    if isinstance(expr, (sp.MatMul, sp.Mul)):
        out = sum((vertices(a, dims) for a in expr.args), Counter())
        chain = [a for a in expr.args if isinstance(a, sp.MatrixExpr)]
        for a in chain[:-1]:  # each contraction merges a column index with the next row index
            out = out - _one(_type(a.shape[1]))
        return out
    raise NotCovered(type(expr).__name__)


def _type(s):
    s = sp.sympify(s)
    return int(s) if s.is_Integer else s.name


def _det(rows: list[list]) -> Fraction:
    """Exact determinant by Gaussian elimination over the rationals."""
    a = [[Fraction(x) for x in row] for row in rows]
    n, out = len(a), Fraction(1)
    for k in range(n):
        p = next((r for r in range(k, n) if a[r][k] != 0), None)
        if p is None:
            return Fraction(0)
        if p != k:
            a[k], a[p], out = a[p], a[k], -out
        out *= a[k][k]
        for r in range(k + 1, n):
            f = a[r][k] / a[k][k]
            if f:
                a[r] = [x - f * y for x, y in zip(a[r], a[k])]
    return out


def evaluate(expr, env: dict, sizes: dict):
    """Exact value of ``expr`` (Python ints / Fractions; matrices as object arrays) at ``env``."""
    ev = lambda e: evaluate(e, env, sizes)  # noqa: E731

    def dim(s):
        return int(sp.sympify(s).xreplace(sizes))

    if isinstance(expr, (sp.MatrixSymbol, sp.Symbol)):
        return env[expr.name]
    if isinstance(expr, sp.Integer):
        return int(expr)
    if isinstance(expr, sp.Rational):
        return Fraction(int(expr.p), int(expr.q))
    if isinstance(expr, (sp.ZeroMatrix, sp.OneMatrix, sp.Identity)):
        r, c = dim(expr.shape[0]), dim(expr.shape[1])
        fill = 1 if isinstance(expr, sp.OneMatrix) else 0
        out = np.array(
            [[1 if isinstance(expr, sp.Identity) and i == j else fill for j in range(c)] for i in range(r)],
            dtype=object,
        ).reshape(r, c)
        return out
    if isinstance(expr, (sp.MatAdd, sp.Add)):
        value = ev(expr.args[0])
        for a in expr.args[1:]:
            value = value + ev(a)
        return value
    if isinstance(expr, (sp.MatMul, sp.Mul)):
        value = ev(expr.args[0])
        for a in expr.args[1:]:
            v = ev(a)
            value = value.dot(v) if np.ndim(value) == 2 and np.ndim(v) == 2 else v * value if np.ndim(v) else value * v
        return value
    if isinstance(expr, sp.HadamardProduct):
        value = ev(expr.args[0])
        for a in expr.args[1:]:
            value = value * ev(a)
        return value
    if isinstance(expr, sp.KroneckerProduct):
        value = ev(expr.args[0])
        for a in expr.args[1:]:
            b = ev(a)
            value = np.block([[value[i, j] * b for j in range(value.shape[1])] for i in range(value.shape[0])])
        return value
    if isinstance(expr, sp.Transpose):
        return ev(expr.arg).T
    if isinstance(expr, sp.Trace):
        v = ev(expr.arg)
        return sum((v[i, i] for i in range(v.shape[0])), 0)
    if isinstance(expr, sp.MatPow):
        base, value = ev(expr.base), None
        for _ in range(int(expr.exp)):
            value = base if value is None else value.dot(base)
        return value
    if isinstance(expr, sp.Pow):
        return ev(expr.base) ** int(expr.exp)
    if isinstance(expr, sp.Determinant):
        return _det(ev(expr.arg).tolist())
    if isinstance(expr, MatrixElement):
        return ev(expr.parent)[int(expr.i), int(expr.j)]
    raise NotCovered(type(expr).__name__)


def points_needed(deg: int) -> tuple[int, float]:
    """(t, (deg/|S|)**t): the fewest points whose Schwartz-Zippel bound is at most ERROR_BOUND."""
    s = 2 * ENTRY_RANGE + 1
    if deg == 0:
        return 1, 0.0
    t = max(1, math.ceil(math.log(ERROR_BOUND) / math.log(deg / s)))
    return t, (deg / s) ** t


def _draw(rng, mats, scalars, sizes: dict, positive: set) -> dict:
    env: dict = {}
    for m in mats:
        shape = tuple(int(sp.sympify(s).xreplace(sizes)) for s in m.shape)
        draws = rng.integers(-ENTRY_RANGE, ENTRY_RANGE + 1, size=shape)
        env[m.name] = np.array([[int(x) for x in row] for row in draws], dtype=object).reshape(shape)
    for s in scalars:  # Python ints: no int64 overflow in the products
        v = int(rng.integers(-ENTRY_RANGE, ENTRY_RANGE + 1))
        env[s.name] = v + ENTRY_RANGE + 1 if s.name in positive else v
    return env


def _zero(v) -> bool:
    return not any(np.ravel(np.asarray(v, dtype=object)) != 0) if np.ndim(v) else v == 0


def prove(lhs, rhs, mats, scalars, dims, seed: int, index: int, positive: set):
    """``(True, detail)`` if proved, ``(False, point, how)`` if the sides differ exactly at an integer
    point; :class:`NotCovered` if the step is outside the covered classes."""
    kind = covered(lhs, rhs, mats, dims)
    deg = max(degree(lhs), degree(rhs))
    sizes: dict = {}
    if kind == "every":
        need = vertices(lhs, dims) | vertices(rhs, dims)
        for t, v in need.items():
            if isinstance(t, int) and v > t:
                raise NotCovered(f"a term has {v} indices of the fixed size {t}: the lemma needs at most {t}")
        sizes = {d: sp.Integer(max(1, need.get(d.name, 0))) for d in dims}
        if max(sizes.values()) > MAX_SIZE:
            raise NotCovered(f"the lemma needs sizes up to {max(sizes.values())} (> {MAX_SIZE})")
    t, bound = points_needed(deg)
    rng = np.random.default_rng([seed, index, 29])
    for _ in range(t):
        env = _draw(rng, mats, scalars, sizes, positive)
        lv, rv = evaluate(lhs, env, sizes), evaluate(rhs, env, sizes)
        lv, rv = (v[0, 0] if np.shape(v) == (1, 1) and not np.ndim(o) else v for v, o in ((lv, rv), (rv, lv)))
        if not _zero(lv - rv):
            point = dict(env, **{d.name: int(v) for d, v in sizes.items()})
            point.update({m.name: np.array(env[m.name].tolist(), dtype=np.int64) for m in mats})
            return False, point, "re-evaluated exactly (integer arithmetic): lhs ≠ rhs"
    at = ", ".join(f"{d.name}={v}" for d, v in sizes.items())
    why = (
        f"for every size by the {THEOREM}, evaluated at {at}"
        if kind == "every"
        else "at the given sizes (no size is free)"
    )
    return True, (
        f"proved-randomized {why}: lhs - rhs, of degree <= {deg} in the entries and scalars, is 0 "
        f"exactly (integer arithmetic) at {t} random points with entries uniform in "
        f"[-2^40, 2^40]; chance of a false pass <= ({deg}/(2^41+1))^{t} = {bound:.1e} < "
        f"{ERROR_BOUND:g} (Schwartz-Zippel)"
    )
