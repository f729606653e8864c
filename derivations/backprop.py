"""Section 5.3 in SymPy: the graph 5.3.1–5.3.6 with symbolic sizes, and backpropagation 5.3.8–5.3.14 derived and proved.

Column vectors, no biases (5.3.ex2 adds them): ``z = W1 x``, ``h = φ(z)``,
``o = W2 h``, ``L = l(o, y)``, ``s = λ/2 (‖W1‖_F² + ‖W2‖_F²)``, ``J = L + s``,
with ``x: d×1``, ``W1: h×d``, ``W2: q×h`` (``d, h_dim, q`` are the size
symbols; ``h_dim`` prints as ``h``).  ``φ`` is a generic elementwise function
and the loss is generic: by the chain rule only ``g = ∂L/∂o`` (a ``q×1``
symbol) enters, so ``L`` is represented by its first-order term ``gᵀ o``.

The derived gradients are module attributes, computed on first access with
SymPy's matrix calculus (``.diff`` on matrix expressions) and cached:
``dJ_dL, dJ_ds, dJ_do, ds_dW1, ds_dW2, dJ_dW2, dJ_dh, dJ_dz, dJ_dW1``.  In a
notebook ``derivations.backprop.dJ_dW1`` renders as LaTeX.

SymPy's matrix ``.diff`` is not trusted on its own (defects found, see
``SYMPY_DEFECTS``): each result is (1) proved equal to the book's closed form
at symbolic sizes, (2) confirmed entry by entry at explicit sizes d=3, h=4,
q=5 with fully symbolic entries, generic ``φ`` and a generic loss
``l(o_1, …, o_5)``, with shapes checked, (3) compared with the NumPy code
(``numeric.backprop``), and (4) with finite differences of ``J`` as a function
of the intermediate itself.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Callable, Sequence

import numpy as np
import sympy as sp
from hypothesis import assume
from hypothesis import strategies as st
from sympy import Function, Lambda, Matrix, MatrixSymbol, Symbol, Trace
from sympy.core.function import AppliedUndef
from sympy.matrices.expressions.applyfunc import ElementwiseApplyFunction

from .checking import hypothesis_check
from .claims import Check, Context, also_check, register

__all__ = [
    "SYMPY_DEFECTS", "W1", "W2", "b1", "b2", "d", "g", "h_dim", "lam", "phi", "q", "x",
    "dJ_dL", "dJ_ds", "dJ_do", "ds_dW1", "ds_dW2", "dJ_dW2", "dJ_dh", "dJ_dz", "dJ_dW1",
]  # fmt: skip

# -- the graph, symbolic sizes ---------------------------------------------------------------------
d, q = sp.symbols("d q", integer=True, positive=True)
h_dim = Symbol("h", integer=True, positive=True)
x = MatrixSymbol("x", d, 1)
W1 = MatrixSymbol("W1", h_dim, d)
W2 = MatrixSymbol("W2", q, h_dim)
b1 = MatrixSymbol("b1", h_dim, 1)
b2 = MatrixSymbol("b2", q, 1)
g = MatrixSymbol("g", q, 1)  # ∂L/∂o: the generic loss enters the chain rule only through it
lam = Symbol("lambda", real=True)
phi = Function("phi")
L_node, s_node = sp.symbols("L s", real=True)  # the scalar nodes of J = L + s (Eq. 5.3.6)
# The intermediates as free variables, for "J as a function of that intermediate".
z_var = MatrixSymbol("z", h_dim, 1)
h_var = MatrixSymbol("h", h_dim, 1)
o_var = MatrixSymbol("o", q, 1)

z = W1 * x  # Eq. 5.3.1
h = ElementwiseApplyFunction(phi, z)  # Eq. 5.3.2
o = W2 * h  # Eq. 5.3.3
s = lam / 2 * (Trace(W1.T * W1) + Trace(W2.T * W2))  # Eq. 5.3.5


def _phi_prime_name() -> Function:
    return Function("D0phi")  # φ' as a named function (see _normalize)


#: SymPy 1.14 matrix-calculus defects met while deriving (each worked around and caught by the entrywise check).
SYMPY_DEFECTS = {
    "trace-sum": "(Trace(W.T*W) + Trace(W)).diff(W) returns 0 for W = MatrixSymbol('W', n, n) (also for 3×3); each "
    "term alone is right (2*W and I). Hence s = λ/2 (tr W1ᵀW1 + tr W2ᵀW2) has .diff(W1) == 0. Workaround: expand and "
    "differentiate term by term (_gradient).",
    "trace-elementwise": "Trace(g.T*ElementwiseApplyFunction(phi, z)).diff(z) (g, z: n×1) returns an ArrayContraction of "
    "shape (n,), not n×1, which convert_array_to_matrix rejects (AssertionError); (g.T*EAF(phi, z)).diff(z) returns an "
    "ArrayDiagonal of shape (n,). With a matrix in between, (g.T*W2*EAF(phi, z)).diff(z) = DiagMatrix(W2.T*g)*phi'(z), "
    "correct (used here and confirmed entrywise). Same for .diff(b1) through phi(W1*x + b1) in a trace.",
    "lambdify-elementwise": "lambdify prints ElementwiseApplyFunction as 'Lambda(_d, ...).(M)', a SyntaxError; worked around "
    "by evaluating each elementwise application separately.",
}


# -- matrix calculus helpers -----------------------------------------------------------------------
def _gradient(terms: Sequence[sp.Basic], wrt: MatrixSymbol) -> sp.MatrixExpr:
    """Σ_k ∂terms[k]/∂wrt by SymPy's matrix .diff, term by term (defect 'trace-sum'); the result must be wrt-shaped."""
    parts = []
    for term in terms:
        pieces = sp.Add.make_args(sp.expand(term)) if not isinstance(term, sp.MatrixExpr) else (term,)
        for piece in pieces:
            r = piece.diff(wrt)
            if r == 0 or isinstance(r, sp.ZeroMatrix):
                continue
            if not isinstance(r, sp.MatrixExpr) or r.shape != wrt.shape:
                raise ValueError(
                    f"SymPy's d({piece})/d{wrt} came back as {type(r).__name__} of shape "
                    f"{getattr(r, 'shape', None)}; expected a matrix of shape {wrt.shape}"
                )
            parts.append(r)
    if not parts:
        return sp.ZeroMatrix(*wrt.shape)
    return sp.MatAdd(*parts).doit() if len(parts) > 1 else parts[0]


def _normalize(expr: sp.Basic) -> sp.Basic:
    """Name every derivative of an undefined function and eta-reduce ``Lambda(u, F(u))`` to ``F``.

    ``Subs(Derivative(F(…, ξ, …), ξ), ξ, a)`` and ``Derivative(F(…, u, …), u)``
    become ``D{k}F(…, a, …)`` (``k`` the argument position), so that two
    results that differ only in the names of bound variables compare equal.
    """

    def first_order(der: sp.Basic) -> bool:
        return (
            isinstance(der, sp.Derivative)
            and isinstance(der.expr, AppliedUndef)
            and len(der.variable_count) == 1
            and der.variable_count[0][1] == 1
            and der.args[1][0] in der.expr.args
        )

    def named(f: AppliedUndef, k: int, args) -> sp.Basic:
        return Function(f"D{k}{f.func.__name__}")(*args)

    def subs_rule(e):
        der, mapping = e.expr, dict(zip(e.variables, e.point))
        v = der.variables[0]
        return named(der.expr, der.expr.args.index(v), [a.xreplace(mapping) for a in der.expr.args])

    expr = expr.replace(lambda e: isinstance(e, sp.Subs) and first_order(e.expr), subs_rule)
    expr = expr.replace(first_order, lambda e: named(e.expr, e.expr.args.index(e.variables[0]), e.expr.args))
    return expr.replace(
        lambda e: isinstance(e, Lambda)
        and len(e.variables) == 1
        and isinstance(e.expr, AppliedUndef)
        and e.expr.args == e.variables,
        lambda e: e.expr.func,
    )


def _canonical_sums(expr: sp.Basic) -> sp.Basic:
    """Rename the bound index of every Sum by its nesting level, so alpha-equivalent sums are identical."""

    def level(e: sp.Basic) -> int:
        inner = [level(a) for a in e.args] if e.args else [0]
        return max(inner) + (1 if isinstance(e, sp.Sum) else 0)

    def rename(e: sp.Sum) -> sp.Sum:
        lv = level(e)
        mapping = {lim[0]: Symbol(f"k{lv}_{i}", integer=True) for i, lim in enumerate(e.limits)}
        return e.xreplace(mapping)

    return expr.replace(lambda e: isinstance(e, sp.Sum), rename)


def _matrices_equal(A: sp.MatrixExpr, B: sp.MatrixExpr) -> tuple[bool, str]:
    """Prove A == B at symbolic sizes: shapes, then the difference, then a generic entry [i, j]."""
    if A.shape != B.shape:
        return False, f"shapes differ: {A.shape} vs {B.shape}"
    A, B = _normalize(A), _normalize(B)
    diff = (A - B).doit()
    if diff == 0 or isinstance(diff, sp.ZeroMatrix):
        return True, "difference simplifies to the zero matrix"
    i, j = sp.Dummy("i", integer=True, nonnegative=True), sp.Dummy("j", integer=True, nonnegative=True)
    m_i, m_j = sp.Dummy("m", integer=True, nonnegative=True), sp.Dummy("m", integer=True, nonnegative=True)
    rows, cols = A.shape
    ii = 0 if rows == 1 else i
    jj = 0 if cols == 1 else j
    entry = (A[ii, jj] - B[ii, jj]).doit()
    # A generic valid index: rows = i + 1 + m_i with m_i >= 0 (so 0 <= i < rows), likewise for columns.
    bounds = {}
    if rows != 1 and isinstance(rows, Symbol):
        bounds[rows] = i + 1 + m_i
    if cols != 1 and isinstance(cols, Symbol):
        bounds[cols] = j + 1 + m_j
    entry = _canonical_sums(entry.subs(bounds))
    entry = entry.replace(
        lambda e: isinstance(e, sp.Piecewise),
        lambda e: next((val for val, cond in e.args if sp.simplify(cond) is sp.true), e),
    )
    if sp.expand(entry) == 0 or sp.simplify(entry) == 0:
        return True, "generic entry [i, j] of the difference simplifies to 0"
    return False, f"generic entry of the difference does not vanish: {sp.sstr(entry)[:120]}"


# -- the derivation (cached: import stays cheap) ---------------------------------------------------
def _loss_term(o_expr: sp.MatrixExpr) -> Trace:
    """L to first order around o: gᵀ o (as a trace, a scalar); its gradient in any variable is the chain rule's."""
    return Trace(g.T * o_expr)


@functools.cache
def derived() -> dict[str, sp.Basic]:
    """Every gradient of J in 5.3, by SymPy's matrix calculus (term by term; see SYMPY_DEFECTS)."""
    J = [_loss_term(o), s]
    return {
        "dJ_dL": sp.diff(L_node + s_node, L_node),  # J = L + s
        "dJ_ds": sp.diff(L_node + s_node, s_node),
        "dJ_do": _gradient([_loss_term(o_var), s], o_var),
        "ds_dW1": _gradient([s], W1),
        "ds_dW2": _gradient([s], W2),
        "dJ_dW2": _gradient(J, W2),
        "dJ_dh": _gradient([_loss_term(W2 * h_var), s], h_var),
        # Defect 'trace-elementwise': use the 1×1 matrix gᵀ W2 φ(z) rather than its trace.
        "dJ_dz": _gradient([g.T * W2 * ElementwiseApplyFunction(phi, z_var)], z_var),
        "dJ_dW1": _gradient(J, W1),
    }


def _dphi(arg: sp.MatrixExpr) -> sp.MatrixExpr:
    return ElementwiseApplyFunction(_phi_prime_name(), arg)


@functools.cache
def closed_forms() -> dict[str, sp.Basic]:
    """The book's Eqs. 5.3.8–5.3.14, written with the same symbols (∂J/∂o = g)."""
    dz = sp.HadamardProduct(W2.T * g, _dphi(z))  # 5.3.13 at z = W1 x
    return {
        "dJ_dL": sp.Integer(1),
        "dJ_ds": sp.Integer(1),
        "dJ_do": g,
        "ds_dW1": lam * W1,
        "ds_dW2": lam * W2,
        "dJ_dW2": g * h.T + lam * W2,
        "dJ_dh": W2.T * g,
        "dJ_dz": sp.HadamardProduct(W2.T * g, _dphi(z_var)),
        "dJ_dW1": dz * x.T + lam * W1,
    }


_WRT = {"dJ_do": o_var, "ds_dW1": W1, "ds_dW2": W2, "dJ_dW2": W2, "dJ_dh": h_var, "dJ_dz": z_var, "dJ_dW1": W1}


def _for_display(expr):
    """``expr`` with each ``Lambda``'s variable named t: SymPy's dummy for φ' is ``_d``, which LaTeX prints
    as d (``d ↦ d/dd φ(d)``), the same letter as the input dimension d."""
    if not isinstance(expr, sp.Basic):
        return expr
    t = Symbol("t")
    return expr.xreplace({lam: sp.Lambda(t, lam.expr.xreplace({lam.variables[0]: t}))
                          for lam in expr.atoms(sp.Lambda) if len(lam.variables) == 1})


def __getattr__(name: str):
    """``dJ_dW1`` etc.: the derived gradients, computed on first access."""
    if name in ("dJ_dL", "dJ_ds", "dJ_do", "ds_dW1", "ds_dW2", "dJ_dW2", "dJ_dh", "dJ_dz", "dJ_dW1"):
        return _for_display(derived()[name])
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


# -- explicit sizes: entrywise confirmation --------------------------------------------------------
#: The explicit sizes of the entrywise confirmation: distinct and >= 3, so a transposed or mis-shaped result shows.
SIZES = {"d": 3, "h": 4, "q": 5}


@functools.cache
def _explicit() -> dict[str, object]:
    """Fully symbolic explicit matrices at SIZES, generic φ and generic loss l(o_1, …, o_q)."""
    D, H, Q = SIZES["d"], SIZES["h"], SIZES["q"]
    xe = Matrix(D, 1, lambda i, _: Symbol(f"x_{i + 1}"))
    W1e = Matrix(H, D, lambda i, j: Symbol(f"w1_{i + 1}{j + 1}"))
    W2e = Matrix(Q, H, lambda i, j: Symbol(f"w2_{i + 1}{j + 1}"))
    b1e = Matrix(H, 1, lambda i, _: Symbol(f"b1_{i + 1}"))
    b2e = Matrix(Q, 1, lambda i, _: Symbol(f"b2_{i + 1}"))
    ze = W1e * xe
    he_ = ze.applyfunc(phi)
    oe = W2e * he_
    l = Function("l")  # the generic loss of q arguments
    se = lam / 2 * (sum(w**2 for w in W1e) + sum(w**2 for w in W2e))
    ge = Matrix(Q, 1, lambda k, _: Function(f"D{k}l")(*oe))  # ∂l/∂o_k at o
    return dict(x=xe, W1=W1e, W2=W2e, b1=b1e, b2=b2e, z=ze, h=he_, o=oe, l=l, s=se, g=ge)


def _entrywise(J_of: Callable[[Matrix], sp.Expr], at: Matrix, name: str) -> Matrix:
    """∂J/∂v entry by entry, v a fresh explicit matrix of symbols shaped like ``at``, then evaluated at ``at``."""
    v = Matrix(*at.shape, lambda i, j: Symbol(f"v_{name}_{i}{j}"))
    J = J_of(v)
    return v.applyfunc(lambda e: _normalize(sp.diff(J, e))).xreplace(dict(zip(v, at)))


def _explicit_of(expr: sp.Basic, extra: dict | None = None) -> Matrix:
    """A symbolic-size result evaluated at SIZES: MatrixSymbols replaced by the explicit matrices."""
    e = _explicit()
    sub = {x: e["x"], W1: e["W1"], W2: e["W2"], g: e["g"], z_var: e["z"], h_var: e["h"], o_var: e["o"],
           b1: e["b1"], b2: e["b2"], d: SIZES["d"], h_dim: SIZES["h"], q: SIZES["q"]}  # fmt: skip
    sub.update(extra or {})
    r = _normalize(expr).xreplace(sub).doit()
    return Matrix(r.as_explicit()) if isinstance(r, sp.MatrixExpr) else Matrix(r)


@functools.cache
def _entrywise_reference() -> dict[str, Matrix]:
    """Each gradient of J differentiated entry by entry at SIZES, J taken as a function of that quantity."""
    e = _explicit()
    l, se, W1e, W2e, xe = e["l"], e["s"], e["W1"], e["W2"], e["x"]

    def s_of(A, B):
        return lam / 2 * (sum(w**2 for w in A) + sum(w**2 for w in B))

    return {
        "dJ_do": _entrywise(lambda v: l(*v) + se, e["o"], "o"),
        "dJ_dh": _entrywise(lambda v: l(*(W2e * v)) + se, e["h"], "h"),
        "dJ_dz": _entrywise(lambda v: l(*(W2e * v.applyfunc(phi))) + se, e["z"], "z"),
        "dJ_dW2": _entrywise(lambda v: l(*(v * (W1e * xe).applyfunc(phi))) + s_of(W1e, v), W2e, "W2"),
        "dJ_dW1": _entrywise(lambda v: l(*(W2e * (v * xe).applyfunc(phi))) + s_of(v, W2e), W1e, "W1"),
        "ds_dW1": _entrywise(lambda v: s_of(v, W2e), W1e, "sW1"),
        "ds_dW2": _entrywise(lambda v: s_of(W1e, v), W2e, "sW2"),
    }


def _entries_match(A: Matrix, B: Matrix) -> tuple[bool, str]:
    if A.shape != B.shape:
        return False, f"shape {A.shape} vs entrywise {B.shape}"
    for idx, (a, b) in enumerate(zip(A, B)):
        if sp.expand(a - b) != 0:
            return False, f"entry {divmod(idx, A.shape[1])} differs: {sp.sstr(a)[:60]} vs {sp.sstr(b)[:60]}"
    return True, "all entries equal"


def _symbolic_checks(key: str, eq: str) -> list[Check]:
    """The symbolic (symbolic sizes) and symbolic-sized (entrywise at SIZES) checks of one gradient."""
    der, closed = derived()[key], closed_forms()[key]
    ok, why = _matrices_equal(der, closed)
    wrt = _WRT[key]
    checks = [
        Check(
            "symbolic",
            ok,
            f"Eq. {eq}: SymPy's matrix .diff of J w.r.t. {wrt} (sizes d, h, q symbolic) equals the closed form "
            f"{sp.sstr(closed)}: {why}",
        ),
        Check(
            "shape",
            der.shape == wrt.shape,
            f"{key} has shape {der.shape}, the shape of {wrt} is {wrt.shape} (symbolic sizes)",
        ),
    ]
    reference = _entrywise_reference()[key]
    sized = [("derived", _explicit_of(der)), ("closed form", _explicit_of(closed))]
    fails = [(n, why) for n, M in sized for ok_, why in [_entries_match(M, reference)] if not ok_]
    checks.append(
        Check(
            "symbolic-sized",
            not fails,
            f"Eq. {eq} entrywise at d=3, h=4, q=5 (symbolic entries, generic φ and loss l(o_1..o_5)): derived and "
            f"closed form both equal ∂J/∂{wrt}[i,j] differentiated entry by entry, shape {reference.shape}"
            + ("" if not fails else f"; FAILED: {fails[0][0]}: {fails[0][1]}"),
        )
    )
    return checks


# -- numeric side: activations and losses as SymPy expressions, lambdified ---------------------------
_u = Symbol("u", real=True)


@functools.cache
def _scalar_activation(name: str) -> tuple[Callable, Callable]:
    """(φ, φ') lambdified from SymPy expressions (the ReLU convention φ'(0) = 0 written out)."""
    exprs = {
        "relu": sp.Piecewise((0, _u <= 0), (_u, True)),
        "sigmoid": 1 / (1 + sp.exp(-_u)),
        "tanh": sp.tanh(_u),
        "swish": _u / (1 + sp.exp(-_u)),  # β = 1
        "gelu": _u * (1 + sp.erf(_u / sp.sqrt(2))) / 2,
    }
    f = exprs[name]
    df = sp.Piecewise((0, _u <= 0), (1, True)) if name == "relu" else sp.diff(f, _u)
    return (sp.lambdify(_u, f, ["scipy", "numpy"]), sp.lambdify(_u, df, ["scipy", "numpy"]))


@functools.cache
def _loss_gradient(loss: str, Q: int, label: int | None) -> Callable:
    """∂l/∂o at explicit size Q, derived by SymPy and lambdified (softmax CE for ``label``, or ½‖o − t‖²)."""
    os_ = sp.symbols(f"o_0:{Q}", real=True)
    if loss == "cross_entropy":
        ell = sp.log(sum(sp.exp(v) for v in os_)) - os_[label]
        args = list(os_)
    else:
        ts = sp.symbols(f"t_0:{Q}", real=True)
        ell = sum((v - t) ** 2 for v, t in zip(os_, ts)) / 2
        args = list(os_) + list(ts)
    grad = [sp.diff(ell, v) for v in os_]
    return sp.lambdify(args, grad, "numpy")


def _function_name(f) -> str:
    """The name of an elementwise function: ``phi`` for ``phi`` or ``Lambda(u, phi(u))``."""
    return f.expr.func.__name__ if isinstance(f, Lambda) else f.__name__


def _lambdify_matrix(expr: sp.Basic, args: Sequence[sp.Basic], funcs: dict[str, Callable]) -> Callable:
    """lambdify a matrix expression whose elementwise applications (unprintable, SYMPY_DEFECTS) are evaluated aside."""
    expr = _normalize(expr)
    applications = sorted(expr.atoms(ElementwiseApplyFunction), key=sp.default_sort_key)
    holders = [MatrixSymbol(f"E{k}", *a.shape) for k, a in enumerate(applications)]
    outer = sp.lambdify(list(args) + holders, expr.xreplace(dict(zip(applications, holders))), "numpy")
    inner = [
        (funcs[_function_name(a.function)], _lambdify_matrix(a.expr, args, funcs))
        for a in applications
    ]

    def evaluate(*values):
        extra = [f(np.asarray(arg(*values), dtype=float)) for f, arg in inner]
        return np.asarray(outer(*values, *extra), dtype=float)

    return evaluate


@functools.cache
def _derived_numeric(key: str) -> Callable:
    """The derived gradient ``key`` as a NumPy function of (x, W1, W2, g, lam, z, h, o, phi-name)."""
    args = [x, W1, W2, g, lam, z_var, h_var, o_var]
    cache: dict[str, Callable] = {}

    def f(values, activation):
        if activation not in cache:
            phi_np, dphi_np = _scalar_activation(activation)
            cache[activation] = _lambdify_matrix(derived()[key], args, {"phi": phi_np, "D0phi": dphi_np})
        return cache[activation](*values)

    return f


ACTIVATION_NAMES = ("relu", "sigmoid", "tanh", "swish", "gelu")
LOSS_NAMES = ("cross_entropy", "squared")

#: A drawn problem: sizes (d, h, q) in 1..6, a seed, an activation, a loss, and lam.
PROBLEMS = st.tuples(
    st.integers(1, 6), st.integers(1, 6), st.integers(1, 6), st.integers(0, 2**32 - 1),
    st.sampled_from(ACTIVATION_NAMES), st.sampled_from(LOSS_NAMES),
    st.sampled_from([0.0, 0.1, 1.5]),  # no decay, small, large
)  # fmt: skip


def _problem(draw) -> dict:
    """A concrete graph from a drawn tuple: x, W1, W2 ~ N(0, 1), a label or target, the forward and backward."""
    import numeric.backprop as nbp

    D, H, Q, seed, activation, loss, lam_ = draw
    rng = np.random.default_rng(seed)
    x_ = rng.standard_normal(D)
    W1_ = rng.standard_normal((H, D))
    W2_ = rng.standard_normal((Q, H))
    y_ = int(rng.integers(Q)) if loss == "cross_entropy" else rng.standard_normal(Q)
    fwd = nbp.forward(x_, y_, W1_, W2_, lam=lam_, activation=activation, loss=loss)
    return dict(fwd=fwd, bwd=nbp.backward(fwd), activation=activation, loss=loss, lam=lam_, y=y_)


def _symbolic_g(p: dict) -> np.ndarray:
    fwd = p["fwd"]
    Q = fwd.o.shape[0]
    if p["loss"] == "cross_entropy":
        return np.asarray(_loss_gradient("cross_entropy", Q, p["y"])(*fwd.o), dtype=float)
    return np.asarray(_loss_gradient("squared", Q, None)(*fwd.o, *p["y"]), dtype=float)


def _relative_error(a: np.ndarray, b: np.ndarray) -> float:
    """max |a − b| / max(max |b|, 1): relative to the largest entry, absolute below 1.

    Absolute below 1 because a gradient can be a small difference of O(1) numbers (softmax − onehot at a
    confident prediction is 1 − p_y ≈ 1e-6; either side rounds p_y to eps, a relative error of ~1e-10 from
    cancellation alone), so rounding is bounded at scale 1, not at the scale of the result.
    """
    a, b = np.asarray(a), np.asarray(b)
    if a.shape != b.shape:
        return float("inf")
    return float(np.max(np.abs(a - b)) / max(np.max(np.abs(b)), 1.0))


# Numeric agreement: both sides evaluate the same formula in float64 in different orders (sums of <= 6
# terms, exp/log/erf to ~1 ulp), so they differ by O(10 eps) relative; 1e-12 (~4500 eps) covers that and
# is a billion times smaller than the 0.1% perturbation the checks must catch.
NUMERIC_TOL = 1e-12


def _numeric_check(key: str, eq: str, ctx: Context, salt: int) -> Check:
    """backward's field ``key`` vs the lambdified derivation on Hypothesis-drawn sizes, values, φ, loss, λ."""
    column = {"dJ_do", "dJ_dh", "dJ_dz"}

    def error(draw):
        p = _problem(draw)
        fwd = p["fwd"]
        col = lambda v: np.asarray(v, dtype=float).reshape(-1, 1)  # noqa: E731
        values = [col(fwd.x), fwd.W1, fwd.W2, col(_symbolic_g(p)), p["lam"], col(fwd.z), col(fwd.h), col(fwd.o)]
        expected = _derived_numeric(key)(values, p["activation"])
        got = getattr(p["bwd"], key)
        got = col(got) if key in column else np.asarray(got)
        return _relative_error(got, expected)

    return hypothesis_check(
        "numeric",
        f"Eq. {eq}: numeric.backprop.backward().{key} vs the lambdified SymPy derivation (sizes 1..6, 5 activations, "
        f"2 losses, λ in {{0, 0.1, 1.5}}; error relative to max(max|entry|, 1), tol = 1e-12 from float64 reordering)",
        PROBLEMS,
        error,
        ctx=ctx,
        tol=NUMERIC_TOL,
        salt=salt,
    )


# -- finite differences of J as a function of one intermediate ---------------------------------------
COMPLEX_STEP = 1e-20  # numeric.gradcheck's complex step (× max(1, |v|)): truncation O(step²), exact to rounding
# Complex step: the derivative is Im J(v + i t e)/t without cancellation, accurate to a few ulps of each
# term; the analytic side rounds sums of <= 6 terms; 1e-13 relative (~450 eps) bounds both.
COMPLEX_STEP_TOL = 1e-13
# Central differences (ReLU downstream): numeric.gradcheck's step eps^(1/3)·max(1, |v|) ≈ 6e-6 balances truncation (step²/6 · |J'''|) and
# rounding (eps |J| / step): each ≈ 4e-11 for the O(1) scales drawn; 1e-8 leaves a margin of ~250.
CENTRAL_TOL = 1e-8
# ReLU kinks: every pre-activation is kept >= 0.05 from 0, far beyond the step times Σ|x_j| (< 1e-4).
KINK_MARGIN = 0.05


def _fd_gradient(J: Callable[[np.ndarray], complex], at: np.ndarray, complex_step: bool) -> np.ndarray:
    """∂J/∂v by numeric.gradcheck: complex step (analytic J) or central differences (steps as stated above)."""
    from numeric import gradcheck

    method = "complex" if complex_step else "central"
    return gradcheck.numerical_gradient(J, np.asarray(at, dtype=float), method=method)


def _downstream(key: str, p: dict) -> tuple[Callable, np.ndarray]:
    """J as a function of the intermediate of ``key`` (the downstream graph), and where to differentiate."""
    from numeric import activations as nact
    from numeric import losses as nlosses

    fwd = p["fwd"]
    phi_np, _ = nact.get(p["activation"])
    loss_fn, _ = nlosses.get(p["loss"])
    y_, lam_ = p["y"], p["lam"]

    def s_of(A, B):
        return lam_ / 2 * (np.sum(A * A) + np.sum(B * B))

    def loss(o_):
        return loss_fn(o_, y_)[()]

    if key == "dJ_do":
        return (lambda v: loss(v) + s_of(fwd.W1, fwd.W2)), fwd.o
    if key == "dJ_dh":
        return (lambda v: loss(fwd.W2 @ v) + s_of(fwd.W1, fwd.W2)), fwd.h
    if key == "dJ_dz":
        return (lambda v: loss(fwd.W2 @ phi_np(v)) + s_of(fwd.W1, fwd.W2)), fwd.z
    if key == "dJ_dW2":
        return (lambda v: loss(v @ fwd.h) + s_of(fwd.W1, v)), fwd.W2
    if key == "dJ_dW1":
        return (lambda v: loss(fwd.W2 @ phi_np(v @ fwd.x)) + s_of(v, fwd.W2)), fwd.W1
    if key == "ds_dW1":
        return (lambda v: s_of(v, fwd.W2)), fwd.W1
    if key == "ds_dW2":
        return (lambda v: s_of(fwd.W1, v)), fwd.W2
    raise KeyError(f"no downstream graph for {key!r}")


#: The intermediates whose downstream graph passes through φ (ReLU's kink: central differences there).
_THROUGH_PHI = {"dJ_dz", "dJ_dW1"}

_DOWNSTREAM_TEXT = {
    "dJ_do": "J(o) = l(o, y) + s",
    "dJ_dh": "J(h) = l(W2 h, y) + s",
    "dJ_dz": "J(z) = l(W2 φ(z), y) + s",
    "dJ_dW2": "J(W2) = l(W2 h, y) + s(W2)",
    "dJ_dW1": "J(W1) = l(W2 φ(W1 x), y) + s(W1)",
    "ds_dW1": "s(W1)",
    "ds_dW2": "s(W2)",
}


def _fd_check(key: str, eq: str, ctx: Context, salt: int) -> Check:
    """backward's ``key`` vs finite differences of J as a function of that quantity, every activation and loss."""
    worst = {True: 0.0, False: 0.0}  # by smoothness: complex step / central differences
    total = 0
    examples = max(2, ctx.examples // 5)  # 10 (activation, loss) pairs share the example budget
    for k, (activation, loss) in enumerate(itertools.product(ACTIVATION_NAMES, LOSS_NAMES)):
        strategy = PROBLEMS.map(lambda t, a=activation, lo=loss: (*t[:4], a, lo, t[6]))
        smooth = not (key in _THROUGH_PHI and activation == "relu")

        def error(draw, smooth=smooth):
            p = _problem(draw)
            J, at = _downstream(key, p)
            if not smooth:
                assume(np.min(np.abs(p["fwd"].z)) >= KINK_MARGIN)
            return _relative_error(getattr(p["bwd"], key), _fd_gradient(J, at, complex_step=smooth))

        how = "complex step" if smooth else "central differences"
        c = hypothesis_check(
            "finite-difference",
            f"Eq. {eq}: backward().{key} vs {how} of {_DOWNSTREAM_TEXT[key]} ({activation}, {loss})",
            strategy,
            error,
            ctx=Context(examples=examples, seed=ctx.seed),
            tol=COMPLEX_STEP_TOL if smooth else CENTRAL_TOL,
            salt=salt * 100 + k,
        )
        if not c.ok:
            return c
        worst[smooth] = max(worst[smooth], c.max_error or 0.0)
        total += examples
    central = (
        f"; central (step eps^(1/3), tol 1e-8, |z| >= 0.05) through ReLU: max {worst[False]:.3g}"
        if key in _THROUGH_PHI
        else ""
    )
    return Check(
        "finite-difference",
        True,
        f"Eq. {eq}: backward().{key} vs finite differences of {_DOWNSTREAM_TEXT[key]} for relu, sigmoid, tanh, swish, "
        f"gelu × softmax CE, squared loss ({total} drawn graphs, sizes 1..6): complex step (step 1e-20, tol 1e-13 "
        f"relative): max {worst[True]:.3g}{central}",
        max_error=max(worst.values()),
    )


# -- the claims ------------------------------------------------------------------------------------
@register(
    "5.3.1-6",
    title="Forward pass of the one-hidden-layer graph; ‖W‖_F² = Σ w² = tr(WᵀW)",
    latex=r"z = W^{(1)}x,\ h = \phi(z),\ o = W^{(2)}h,\ L = l(o, y),\ s = \tfrac{\lambda}{2}\left(\|W^{(1)}\|_F^2 + \|W^{(2)}\|_F^2\right),\ J = L + s",
    statement=lambda: sp.Eq(Trace(W1.T * W1), Trace(W1.T * W1).rewrite(sp.Sum)),
)
def _forward_graph(ctx: Context):
    i, j = sp.symbols("i j", integer=True)
    frob = sp.Sum(W1[i, j] ** 2, (i, 0, h_dim - 1), (j, 0, d - 1))
    ok = _canonical_sums(Trace(W1.T * W1).rewrite(sp.Sum)) == _canonical_sums(frob)
    yield Check("symbolic", ok, "tr(W1ᵀW1) rewritten as a sum equals Σ_{i<h, j<d} w_ij² (symbolic sizes h, d)")
    yield Check(
        "shape",
        z.shape == (h_dim, 1) and h.shape == (h_dim, 1) and o.shape == (q, 1) and s.is_commutative,
        f"z: {z.shape}, h: {h.shape}, o: {o.shape}, s scalar (symbolic sizes)",
    )

    def error(draw):
        p = _problem(draw)
        fwd = p["fwd"]
        phi_np, _ = _scalar_activation(p["activation"])
        col = lambda v: np.asarray(v, dtype=float).reshape(-1, 1)  # noqa: E731
        graph = _lambdify_matrix(o, [x, W1, W2], {"phi": phi_np})(col(fwd.x), fwd.W1, fwd.W2)
        zz = sp.lambdify([x, W1], z, "numpy")(col(fwd.x), fwd.W1)
        # NumPyPrinter cannot print Trace: lambdify W1ᵀW1 and W2ᵀW2 and take the traces of the results.
        gram = sp.lambdify([W1, W2], [W1.T * W1, W2.T * W2], "numpy")(fwd.W1, fwd.W2)
        ss = p["lam"] / 2 * (np.trace(gram[0]) + np.trace(gram[1]))
        Q = fwd.o.shape[0]
        if p["loss"] == "cross_entropy":
            os_ = sp.symbols(f"o_0:{Q}")
            LL = sp.lambdify(os_, sp.log(sum(sp.exp(v) for v in os_)) - os_[p["y"]], "numpy")(*fwd.o)
        else:
            LL = 0.5 * float(np.sum((fwd.o - p["y"]) ** 2))
        return max(
            _relative_error(col(fwd.z), zz),
            _relative_error(col(fwd.o), graph),
            _relative_error(np.array([fwd.s]), np.array([float(ss)])),
            _relative_error(np.array([fwd.L]), np.array([LL])),
            _relative_error(np.array([fwd.J]), np.array([fwd.L + fwd.s])),
        )

    yield hypothesis_check(
        "numeric",
        "numeric.backprop.forward's z, o, L, s, J vs the lambdified SymPy graph (tol 1e-12 from float64 reordering)",
        PROBLEMS,
        error,
        ctx=ctx,
        tol=NUMERIC_TOL,
        salt=1,
    )


@register(
    "5.3.8",
    title="∂J/∂L = 1 and ∂J/∂s = 1",
    latex=r"\frac{\partial J}{\partial L} = 1,\quad \frac{\partial J}{\partial s} = 1",
    statement=lambda: sp.Eq(sp.Matrix([sp.diff(L_node + s_node, L_node), sp.diff(L_node + s_node, s_node)]), sp.Matrix([1, 1])),
)
def _eq_5_3_8(ctx: Context):
    der = derived()
    yield Check("symbolic", der["dJ_dL"] == 1 and der["dJ_ds"] == 1, f"d(L + s)/dL = {der['dJ_dL']}, d(L + s)/ds = {der['dJ_ds']}")

    def error(draw):
        p = _problem(draw)
        fwd, bwd = p["fwd"], p["bwd"]
        # J as a function of the nodes L and s: J(L, s) = L + s, differentiated by complex step.
        dL = np.imag((fwd.L + 1j * COMPLEX_STEP) + fwd.s) / COMPLEX_STEP
        ds = np.imag(fwd.L + (fwd.s + 1j * COMPLEX_STEP)) / COMPLEX_STEP
        return max(abs(bwd.dJ_dL - dL), abs(bwd.dJ_ds - ds))

    yield hypothesis_check(
        "finite-difference",
        "backward().dJ_dL, dJ_ds vs complex step of J(L, s) = L + s (exact to rounding: tol 1e-15 absolute)",
        PROBLEMS,
        error,
        ctx=ctx,
        tol=1e-15,  # the complex step of a sum is exact; 1e-15 allows one rounding of 1.0
        salt=2,
    )


@register(
    "5.3.9",
    title="∂J/∂o = ∂L/∂o; for softmax cross-entropy, softmax(o) − onehot(y)",
    latex=r"\frac{\partial J}{\partial o} = \frac{\partial L}{\partial o} \in \mathbb{R}^q;\quad \text{softmax CE: } \operatorname{softmax}(o) - e_y",
    statement=lambda: sp.Eq(sp.Symbol(r"\partial J/\partial o"), g),
)
def _eq_5_3_9(ctx: Context):
    yield from _symbolic_checks("dJ_do", "5.3.9")
    # Concrete: softmax CE at explicit q, every label.
    Q = SIZES["q"]
    os_ = sp.symbols(f"o_0:{Q}", real=True)
    Z = sum(sp.exp(v) for v in os_)
    bad = []
    for y_ in range(Q):
        ell = -sp.log(sp.exp(os_[y_]) / Z)
        for k, v in enumerate(os_):
            if sp.simplify(sp.diff(ell, v) - (sp.exp(v) / Z - (1 if k == y_ else 0))) != 0:
                bad.append((y_, k))
    yield Check(
        "symbolic-sized",
        not bad,
        f"softmax CE l = -log(e^(o_y) / Σ e^(o_k)) at q={Q}, every label y: ∂l/∂o_k = softmax(o)_k - [k = y]"
        + (f"; FAILED at (y, k) = {bad[0]}" if bad else ""),
    )

    def error(draw):
        from numeric import losses as nlosses

        p = _problem(draw)
        fwd = p["fwd"]
        # the symbolic softmax-CE gradient, lambdified, vs numeric.losses.cross_entropy_grad at the same o
        Q_ = fwd.o.shape[0]
        y_ = p["y"] if p["loss"] == "cross_entropy" else int(draw[3] % Q_)
        sym = np.asarray(_loss_gradient("cross_entropy", Q_, y_)(*fwd.o), dtype=float)
        return max(
            _relative_error(nlosses.cross_entropy_grad(fwd.o, y_), sym),
            _relative_error(np.reshape(p["bwd"].dJ_do, -1), _symbolic_g(p)),
        )

    yield hypothesis_check(
        "numeric",
        "numeric.losses.cross_entropy_grad and backward().dJ_do vs the lambdified SymPy ∂l/∂o (tol 1e-12 from float64 reordering)",
        PROBLEMS,
        error,
        ctx=ctx,
        tol=NUMERIC_TOL,
        salt=3,
    )
    yield _fd_check("dJ_do", "5.3.9", ctx, salt=4)


@register(
    "5.3.10",
    title="∂s/∂W1 = λW1, ∂s/∂W2 = λW2",
    latex=r"\frac{\partial s}{\partial W^{(1)}} = \lambda W^{(1)},\quad \frac{\partial s}{\partial W^{(2)}} = \lambda W^{(2)}",
    statement=lambda: sp.Eq(derived()["ds_dW1"], lam * W1),
)
def _eq_5_3_10(ctx: Context):
    for key, salt in (("ds_dW1", 10), ("ds_dW2", 11)):
        yield from _symbolic_checks(key, "5.3.10")
        yield _numeric_check(key, "5.3.10", ctx, salt)
        yield _fd_check(key, "5.3.10", ctx, salt + 2)


def _register_gradient(claim_id: str, key: str, title: str, latex: str, salt: int) -> None:
    def checks(ctx: Context):
        yield from _symbolic_checks(key, claim_id)
        yield _numeric_check(key, claim_id, ctx, salt)
        yield _fd_check(key, claim_id, ctx, salt + 1)

    checks.__qualname__ = f"_eq_{claim_id.replace('.', '_')}"
    register(claim_id, title=title, latex=latex, statement=lambda: sp.Eq(closed_forms()[key], derived()[key]))(checks)


_register_gradient(
    "5.3.11", "dJ_dW2", "∂J/∂W2 = (∂J/∂o) hᵀ + λW2",
    r"\frac{\partial J}{\partial W^{(2)}} = \frac{\partial J}{\partial o} h^\top + \lambda W^{(2)} \in \mathbb{R}^{q\times h}", 20,
)  # fmt: skip
_register_gradient(
    "5.3.12", "dJ_dh", "∂J/∂h = W2ᵀ ∂J/∂o",
    r"\frac{\partial J}{\partial h} = {W^{(2)}}^\top \frac{\partial J}{\partial o} \in \mathbb{R}^{h}", 30,
)  # fmt: skip
_register_gradient(
    "5.3.13", "dJ_dz", "∂J/∂z = ∂J/∂h ⊙ φ'(z)",
    r"\frac{\partial J}{\partial z} = \frac{\partial J}{\partial h} \odot \phi'(z)", 40,
)  # fmt: skip
_register_gradient(
    "5.3.14", "dJ_dW1", "∂J/∂W1 = (∂J/∂z) xᵀ + λW1",
    r"\frac{\partial J}{\partial W^{(1)}} = \frac{\partial J}{\partial z} x^\top + \lambda W^{(1)} \in \mathbb{R}^{h\times d}", 50,
)  # fmt: skip


# -- 5.3.ex1: shapes ---------------------------------------------------------------------------------
_FIELD_SHAPES = {
    "dJ_do": lambda D, H, Q: (Q,), "dJ_dh": lambda D, H, Q: (H,), "dJ_dz": lambda D, H, Q: (H,),
    "ds_dW1": lambda D, H, Q: (H, D), "ds_dW2": lambda D, H, Q: (Q, H),
    "dJ_dW1": lambda D, H, Q: (H, D), "dJ_dW2": lambda D, H, Q: (Q, H),
}  # fmt: skip


@register(
    "5.3.ex1",
    title="Every gradient has the shape of the quantity it is taken with respect to",
    latex=r"\operatorname{shape}\frac{\partial J}{\partial V} = \operatorname{shape} V,\ V \in \{o, h, z, W^{(1)}, W^{(2)}\}",
    statement=lambda: sp.Eq(sp.Tuple(*derived()["dJ_dW1"].shape), sp.Tuple(*W1.shape)),
)
def _ex1_shapes(ctx: Context):
    der = derived()
    wrong = [k for k, v in _WRT.items() if der[k].shape != v.shape]
    yield Check(
        "shape",
        not wrong,
        "symbolic sizes: " + ", ".join(f"{k} {der[k].shape}" for k in _WRT) + (f"; WRONG: {wrong}" if wrong else ""),
    )
    ref = _entrywise_reference()
    e = _explicit()
    at = {"dJ_do": e["o"], "dJ_dh": e["h"], "dJ_dz": e["z"], "dJ_dW1": e["W1"], "dJ_dW2": e["W2"], "ds_dW1": e["W1"], "ds_dW2": e["W2"]}
    sized = [k for k in at if _explicit_of(der[k]).shape != at[k].shape or ref[k].shape != at[k].shape]
    yield Check(
        "symbolic-sized",
        not sized,
        "d=3, h=4, q=5: every derived gradient evaluated explicitly and every entrywise gradient has the shape of its variable"
        + (f"; WRONG: {sized}" if sized else ""),
    )

    def error(draw):
        p = _problem(draw)
        D, H, Q = draw[:3]
        return float(sum(np.shape(getattr(p["bwd"], k)) != f(D, H, Q) for k, f in _FIELD_SHAPES.items()))

    yield hypothesis_check(
        "shape",
        "numeric.backprop.backward() fields have the shapes of o, h, z, W1, W2 on drawn sizes (count of mismatches, tol 0)",
        PROBLEMS,
        error,
        ctx=ctx,
        tol=0.0,
        salt=60,
    )


# -- 5.3.ex2: biases ------------------------------------------------------------------------------
z_b = W1 * x + b1
h_b = ElementwiseApplyFunction(phi, z_b)
o_b = W2 * h_b + b2


@functools.cache
def derived_with_biases() -> dict[str, sp.MatrixExpr]:
    """The gradients of J with z = W1 x + b1, o = W2 h + b2, by SymPy's matrix calculus."""
    J = [_loss_term(o_b), s]
    return {
        # Defect 'trace-elementwise' (the trace form gives a 1-index array): the 1×1 product gᵀ W2 φ(W1 x + b1).
        "dJ_db1": _gradient([g.T * W2 * h_b], b1),
        "dJ_db2": _gradient(J, b2),
        "dJ_dW1": _gradient(J, W1),
        "dJ_dW2": _gradient(J, W2),
    }


@functools.cache
def closed_forms_with_biases() -> dict[str, sp.MatrixExpr]:
    """5.3.ex2: ∂J/∂b1 = ∂J/∂z, ∂J/∂b2 = ∂J/∂o, and 5.3.11, 5.3.14 unchanged (at z = W1 x + b1)."""
    dz = sp.HadamardProduct(W2.T * g, _dphi(z_b))
    return {"dJ_db1": dz, "dJ_db2": g, "dJ_dW1": dz * x.T + lam * W1, "dJ_dW2": g * h_b.T + lam * W2}


@functools.cache
def _entrywise_with_biases() -> dict[str, Matrix]:
    e = _explicit()
    l, W1e, W2e, xe, b1e, b2e = e["l"], e["W1"], e["W2"], e["x"], e["b1"], e["b2"]

    def J(A=W1e, B=W2e, c1=b1e, c2=b2e):
        return l(*(B * (A * xe + c1).applyfunc(phi) + c2)) + lam / 2 * (sum(w**2 for w in A) + sum(w**2 for w in B))

    return {
        "dJ_db1": _entrywise(lambda v: J(c1=v), b1e, "b1"),
        "dJ_db2": _entrywise(lambda v: J(c2=v), b2e, "b2"),
        "dJ_dW1": _entrywise(lambda v: J(A=v), W1e, "bW1"),
        "dJ_dW2": _entrywise(lambda v: J(B=v), W2e, "bW2"),
    }


def _problem_with_biases(draw) -> dict:
    import numeric.backprop as nbp

    p = _problem(draw)
    fwd = p["fwd"]
    rng = np.random.default_rng([draw[3], 1])
    b1_, b2_ = rng.standard_normal(fwd.z.shape[0]), rng.standard_normal(fwd.o.shape[0])
    fb = nbp.forward(fwd.x, p["y"], fwd.W1, fwd.W2, lam=p["lam"], activation=p["activation"], loss=p["loss"], b1=b1_, b2=b2_)
    return dict(p, fwd=fb, bwd=nbp.backward(fb))


@register(
    "5.3.ex2",
    title="With biases: ∂J/∂b1 = ∂J/∂z, ∂J/∂b2 = ∂J/∂o, 5.3.11–5.3.14 unchanged",
    latex=r"z = W^{(1)}x + b^{(1)},\ o = W^{(2)}h + b^{(2)}:\ \frac{\partial J}{\partial b^{(1)}} = \frac{\partial J}{\partial z},\ \frac{\partial J}{\partial b^{(2)}} = \frac{\partial J}{\partial o}",
    statement=lambda: sp.Eq(derived_with_biases()["dJ_db1"], closed_forms_with_biases()["dJ_db1"]),
)
def _ex2_biases(ctx: Context):
    der, closed, ref = derived_with_biases(), closed_forms_with_biases(), _entrywise_with_biases()
    e = _explicit()
    ob = e["W2"] * (e["W1"] * e["x"] + e["b1"]).applyfunc(phi) + e["b2"]
    g_at_ob = Matrix(SIZES["q"], 1, lambda k, _: Function(f"D{k}l")(*ob))
    for key in ("dJ_db1", "dJ_db2", "dJ_dW1", "dJ_dW2"):
        ok, why = _matrices_equal(der[key], closed[key])
        yield Check("symbolic", ok, f"with biases, SymPy's {key} (symbolic sizes) equals {sp.sstr(closed[key])}: {why}")
        fails = [
            why_
            for M in (_explicit_of(der[key], {g: g_at_ob}), _explicit_of(closed[key], {g: g_at_ob}))
            for ok_, why_ in [_entries_match(M, ref[key])]
            if not ok_
        ]
        yield Check(
            "symbolic-sized",
            not fails,
            f"with biases, {key} entrywise at d=3, h=4, q=5 (generic φ, l): derived and closed form match, shape {ref[key].shape}"
            + (f"; FAILED: {fails[0]}" if fails else ""),
        )

    def numeric_error(draw):
        p = _problem_with_biases(draw)
        fwd, bwd = p["fwd"], p["bwd"]
        phi_np, dphi_np = _scalar_activation(p["activation"])
        col = lambda v: np.asarray(v, dtype=float).reshape(-1, 1)  # noqa: E731
        values = [col(fwd.x), fwd.W1, fwd.W2, col(fwd.b1), col(fwd.b2), col(_symbolic_g(p)), p["lam"]]
        worst = max(_relative_error(bwd.dJ_db1, bwd.dJ_dz), _relative_error(bwd.dJ_db2, bwd.dJ_do))
        for key in ("dJ_db1", "dJ_db2", "dJ_dW1", "dJ_dW2"):
            f = _lambdify_matrix(der[key], [x, W1, W2, b1, b2, g, lam], {"phi": phi_np, "D0phi": dphi_np})
            got = getattr(bwd, key)
            worst = max(worst, _relative_error(got.reshape(-1, 1) if got.ndim == 1 else got, f(*values)))
        return worst

    yield hypothesis_check(
        "numeric",
        "numeric.backprop with biases: dJ_db1, dJ_db2, dJ_dW1, dJ_dW2 vs the lambdified derivation, and dJ_db1 == dJ_dz, "
        "dJ_db2 == dJ_do (5 activations, 2 losses; tol 1e-12 from float64 reordering)",
        PROBLEMS,
        numeric_error,
        ctx=ctx,
        tol=NUMERIC_TOL,
        salt=70,
    )

    def fd_error(draw):
        from numeric import activations as nact
        from numeric import losses as nlosses

        p = _problem_with_biases(draw)
        fwd, bwd = p["fwd"], p["bwd"]
        phi_np, _ = nact.get(p["activation"])
        loss_fn, _ = nlosses.get(p["loss"])

        def J(W1_=fwd.W1, W2_=fwd.W2, c1=fwd.b1, c2=fwd.b2):
            o_ = W2_ @ phi_np(W1_ @ fwd.x + c1) + c2
            return loss_fn(o_, p["y"])[()] + p["lam"] / 2 * (np.sum(W1_ * W1_) + np.sum(W2_ * W2_))

        smooth = p["activation"] != "relu"
        if not smooth:
            assume(np.min(np.abs(fwd.z)) >= KINK_MARGIN)
        pairs = [
            (bwd.dJ_db1, _fd_gradient(lambda v: J(c1=v), fwd.b1, smooth)),
            (bwd.dJ_db2, _fd_gradient(lambda v: J(c2=v), fwd.b2, True)),
            (bwd.dJ_dW1, _fd_gradient(lambda v: J(W1_=v), fwd.W1, smooth)),
            (bwd.dJ_dW2, _fd_gradient(lambda v: J(W2_=v), fwd.W2, True)),
        ]
        return max(_relative_error(a, b) for a, b in pairs)

    smooth_problems = PROBLEMS.filter(lambda t: t[4] != "relu")
    relu_problems = PROBLEMS.map(lambda t: (*t[:4], "relu", *t[5:]))
    yield hypothesis_check(
        "finite-difference",
        "with biases: dJ_db1, dJ_db2, dJ_dW1, dJ_dW2 vs complex step (step 1e-20, tol 1e-13 relative) of J(b1), J(b2), "
        "J(W1), J(W2); sigmoid, tanh, swish, gelu; both losses",
        smooth_problems,
        fd_error,
        ctx=ctx,
        tol=COMPLEX_STEP_TOL,
        salt=71,
    )
    yield hypothesis_check(
        "finite-difference",
        "with biases, ReLU: dJ_db1, dJ_dW1 vs central differences (step eps^(1/3), tol 1e-8, |z| >= 0.05), dJ_db2, "
        "dJ_dW2 vs complex step; both losses",
        relu_problems,
        fd_error,
        ctx=ctx,
        tol=CENTRAL_TOL,
        salt=72,
    )


# -- 5.3.batch: row-major minibatch, any depth --------------------------------------------------------
n_rows, n_in, n_out = sp.symbols("n a b", integer=True, positive=True)
H_prev = MatrixSymbol("H", n_rows, n_in)  # H_{l-1} (H_0 = X)
Z_prev = MatrixSymbol("Z", n_rows, n_in)  # Z_{l-1}, with H_{l-1} = φ(Z_{l-1})
W_l = MatrixSymbol("W", n_in, n_out)
b_l = MatrixSymbol("beta", n_out, 1)  # the bias as a column; the book's row b_l = betaᵀ
G_l = MatrixSymbol("G", n_rows, n_out)  # G_l = ∂J/∂Z_l (the mean's 1/n included)
_ones = sp.OneMatrix(n_rows, 1)


@functools.cache
def derived_batch() -> dict[str, sp.MatrixExpr]:
    """One generic layer Z_l = H_{l-1} W_l + 1 b_lᵀ: the gradients by SymPy's matrix calculus (J to first order in Z_l)."""
    Z_l = H_prev * W_l + _ones * b_l.T
    decay = lam / 2 * Trace(W_l.T * W_l)
    return {
        "dW": _gradient([Trace(G_l.T * Z_l), decay], W_l),
        "db": _gradient([Trace(G_l.T * Z_l)], b_l),
        "G_prev": _gradient([Trace(G_l.T * (ElementwiseApplyFunction(phi, Z_prev) * W_l))], Z_prev),
    }


def closed_forms_batch() -> dict[str, sp.MatrixExpr]:
    """5.3.batch: ∂J/∂W_l = H_{l-1}ᵀ G_l + λ W_l, ∂J/∂b_l = (1ᵀ G_l)ᵀ, G_{l-1} = (G_l W_lᵀ) ⊙ φ'(Z_{l-1})."""
    return {
        "dW": H_prev.T * G_l + lam * W_l,
        "db": G_l.T * _ones,
        "G_prev": sp.HadamardProduct(G_l * W_l.T, _dphi(Z_prev)),
    }


#: Explicit sizes of the entrywise confirmation of the batch form: n rows, a inputs, b outputs (distinct, >= 3).
BATCH_SIZES = {"n": 3, "a": 4, "b": 5}


def _batch_entrywise() -> list[Check]:
    N, A, B = BATCH_SIZES["n"], BATCH_SIZES["a"], BATCH_SIZES["b"]
    Zp = Matrix(N, A, lambda i, j: Symbol(f"zp_{i}{j}"))
    We = Matrix(A, B, lambda i, j: Symbol(f"w_{i}{j}"))
    be = Matrix(B, 1, lambda i, _: Symbol(f"beta_{i}"))
    l = Function("l")  # J as a generic function of the n·b entries of Z_l (plus the decay)

    def J(Zp_=Zp, W_=We, b_=be):
        Z = Zp_.applyfunc(phi) * W_ + Matrix.ones(N, 1) * b_.T
        return l(*Z) + lam / 2 * sum(w**2 for w in W_)

    Zl = Zp.applyfunc(phi) * We + Matrix.ones(N, 1) * be.T
    Ge = Matrix(N, B, lambda i, j: Function(f"D{i * B + j}l")(*Zl))  # ∂l/∂Z_l[i, j] at Z_l
    sub = {H_prev: Zp.applyfunc(phi), Z_prev: Zp, W_l: We, b_l: be, G_l: Ge}
    der, closed = derived_batch(), closed_forms_batch()
    refs = {
        "dW": _entrywise(lambda v: J(W_=v), We, "W"),
        "db": _entrywise(lambda v: J(b_=v), be, "beta"),
        "G_prev": _entrywise(lambda v: J(Zp_=v), Zp, "Zp"),
    }
    checks = []
    for key, ref in refs.items():
        got = [
            _normalize(expr).xreplace(sub).doit() for expr in (der[key], closed[key])
        ]
        got = [Matrix(M.as_explicit()) if isinstance(M, sp.MatrixExpr) else Matrix(M) for M in got]
        fails = [why for M in got for ok, why in [_entries_match(M, ref)] if not ok]
        checks.append(
            Check(
                "symbolic-sized",
                not fails,
                f"5.3.batch {key} entrywise at n=3, a=4, b=5 (generic φ, J a generic function of the 15 entries of Z_l): "
                f"derived and closed form match, shape {ref.shape}" + (f"; FAILED: {fails[0]}" if fails else ""),
            )
        )
    return checks


#: A drawn MLP: widths (2..5 layers of 1..5 units), a seed, an activation, lam.
MLPS = st.tuples(
    st.lists(st.integers(1, 5), min_size=2, max_size=5), st.integers(1, 4), st.integers(0, 2**32 - 1),
    st.sampled_from(ACTIVATION_NAMES), st.sampled_from([0.0, 0.1, 1.5]),
)  # fmt: skip


def _mlp_problem(draw):
    from numeric.mlp import MLP

    sizes, n_, seed, activation, lam_ = draw
    sizes = list(sizes)
    sizes[-1] = max(sizes[-1], 2)  # at least two classes
    rng = np.random.default_rng(seed)
    model = MLP(sizes, activation=activation, init="xavier_normal", rng=rng)
    for b in model.params[1::2]:
        b[...] = rng.standard_normal(b.shape)  # nonzero biases, so ∂J/∂b is tested
    X = rng.standard_normal((n_, sizes[0]))
    y = rng.integers(0, sizes[-1], n_)
    return model, X, y, lam_


@register(
    "5.3.batch",
    title="Backprop in the book's minibatch row-major form, any depth, with biases and mean loss",
    latex=r"\frac{\partial J}{\partial W_l} = H_{l-1}^\top G_l + \lambda W_l,\ \frac{\partial J}{\partial b_l} = \mathbf{1}^\top G_l,\ G_{l-1} = (G_l W_l^\top) \odot \phi'(Z_{l-1})",
    statement=lambda: sp.Eq(derived_batch()["dW"], closed_forms_batch()["dW"]),
)
def _batch(ctx: Context):
    der, closed = derived_batch(), closed_forms_batch()
    for key in ("dW", "db", "G_prev"):
        ok, why = _matrices_equal(der[key], closed[key])
        yield Check(
            "symbolic",
            ok,
            f"generic layer, sizes n, a, b symbolic: SymPy's {key} equals {sp.sstr(closed[key])}: {why}",
        )
    yield from _batch_entrywise()

    def numeric_error(draw):
        model, X, y, lam_ = _mlp_problem(draw)
        result = model.backward(X, y, lam=lam_)
        worst = 0.0
        for l in range(model.depth, 0, -1):
            W, Gl = model.params[2 * l - 2], result.G[l - 1]
            H_ = result.layers[l - 2].H if l > 1 else X
            dW = sp.lambdify([H_prev, G_l, W_l, lam], closed["dW"], "numpy")(H_, Gl, W, lam_)
            # the lambdified closed form G_lᵀ 1 (the ones of the batch's size), flattened to the bias's shape
            db = sp.lambdify([G_l], closed["db"].subs(n_rows, Gl.shape[0]), "numpy")(Gl).ravel()
            worst = max(worst, _relative_error(result.grads[2 * l - 2], dW), _relative_error(result.grads[2 * l - 1], db))
            if l > 1:
                phi_np, dphi_np = _scalar_activation(model.activation)
                Gp = _lambdify_matrix(der["G_prev"], [G_l, W_l, Z_prev], {"phi": phi_np, "D0phi": dphi_np})(
                    Gl, W, result.layers[l - 2].Z
                )
                worst = max(worst, _relative_error(result.G[l - 2], Gp))
        # G_L = (softmax(O) - onehot(y)) / n from the lambdified softmax-CE derivation, row by row
        O = result.layers[-1].H
        GL = np.array([_loss_gradient("cross_entropy", O.shape[1], int(t))(*row) for row, t in zip(O, y)]) / len(y)
        return max(worst, _relative_error(result.G[-1], GL))

    yield hypothesis_check(
        "numeric",
        "MLP.backward grads and G_l vs the lambdified derivation, layer by layer (depth 1..4, widths 1..5, 5 activations, "
        "λ in {0, 0.1, 1.5}; tol 1e-12 from float64 reordering)",
        MLPS,
        numeric_error,
        ctx=ctx,
        tol=NUMERIC_TOL,
        salt=80,
    )

    def fd_error(draw):
        model, X, y, lam_ = _mlp_problem(draw)
        result = model.backward(X, y, lam=lam_)
        if model.activation == "relu":
            assume(all(np.min(np.abs(layer.Z)) >= KINK_MARGIN for layer in result.layers[:-1]))
        worst = 0.0
        for p, grad in zip(model.params, result.grads):
            original = p.copy()

            def J(v, p=p, original=original):
                p[...] = v
                value = model.loss_and_grads(X, y, lam=lam_)[0]
                p[...] = original
                return float(value)

            worst = max(worst, _relative_error(grad, _fd_gradient(J, original, complex_step=False)))
        return worst

    yield hypothesis_check(
        "finite-difference",
        "MLP.loss_and_grads vs central differences of J in every weight and bias (step eps^(1/3), tol 1e-8 relative; "
        "depth 1..4, 5 activations, ReLU pre-activations >= 0.05 from 0)",
        MLPS,
        fd_error,
        ctx=ctx,
        tol=CENTRAL_TOL,
        salt=81,
    )


@also_check("5.3.batch")
def _batch_backward_signals(ctx: Context):
    """G_l = ∂J/∂Z_l against the complex step of J as a function of Z_l alone (the layers downstream of it)."""
    from numeric import activations as nact
    from numeric import losses as nlosses

    def error(draw):
        model, X, y, lam_ = _mlp_problem(draw)
        result = model.backward(X, y, lam=lam_)
        phi_np, _ = nact.get(model.activation)
        decay = lam_ / 2 * sum(float(np.sum(W * W)) for W in model.params[0::2])  # constant in Z_l
        worst = 0.0
        for l in range(1, model.depth + 1):

            def J(Zl, l=l):
                H = phi_np(Zl) if l < model.depth else Zl
                for k in range(l + 1, model.depth + 1):
                    Zk = H @ model.params[2 * k - 2] + model.params[2 * k - 1]
                    H = phi_np(Zk) if k < model.depth else Zk
                return np.mean(nlosses.cross_entropy(H, y)) + decay

            numeric_G = _fd_gradient(J, result.layers[l - 1].Z, complex_step=True)
            worst = max(worst, _relative_error(result.G[l - 1], numeric_G))
        return worst

    smooth = MLPS.filter(lambda t: t[3] != "relu")  # complex step needs φ analytic downstream of Z_l
    yield hypothesis_check(
        "finite-difference",
        "MLP.backward's signals G_l vs complex step (step 1e-20, tol 1e-13 relative) of J as a function of Z_l "
        "(downstream layers only), every layer; depth 1..4, sigmoid, tanh, swish, gelu",
        smooth,
        error,
        ctx=ctx,
        tol=COMPLEX_STEP_TOL,
        salt=82,
    )
