"""The chain checker's benchmark table (issue 13 point 6): identities with ids, true ones and plausible slips.

Plain data, read by ``tests/test_chain_benchmark.py`` and ``benchmarks/bench_chain.py``.  Each
:class:`Case` is one chain for ``derivations.verify_chain(steps, matrices=..., symbols=...)``:

- ``expect``: index i of the first wrong step ``steps[i] -> steps[i+1]``, None if every step holds;
  every other step of a case holds (a multi-step chain has exactly one wrong step);
- ``kind``: ``cookbook-true`` / ``cookbook-false`` (matrix algebra: The Matrix Cookbook, Petersen &
  Pedersen 2012, and slips of it), ``dl-true`` / ``dl-false`` (deep-learning calculus),
  ``multi-step`` (3-4 steps, exactly one wrong);
- ``polynomial``: both sides are polynomial in the matrix entries and scalars (products, sums,
  transposes, traces, Identity, scalar polynomials; no det, inv, kron, hadamard, functions), the
  class of steps for which issue 13 asks for ``"proved-randomized"``;
- ``min_size``: for a wrong matrix step with dimension names, the least s such that the step is
  false at some sizes with every dimension <= s (``(A*B).T = A.T*B.T``: 2, since 1×1 matrices
  commute).  The test file checks each by brute force (false at small integers at s, true
  symbolically at every size below).

Ids ``cookbook-N-...`` cite the Cookbook's equation (N); Kronecker identities are cited by section
(``cookbook-s10.2-...``, "Kronecker and Vec Operator"); ids ``matrix-...`` are standard matrix algebra
the Cookbook does not number.  Scalar symbols are real unless ``symbols`` says otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import permutations


@dataclass(frozen=True)
class Case:
    """One benchmark chain (see the module docstring for the fields)."""

    id: str
    steps: tuple[str, ...]
    matrices: dict = field(default_factory=dict)
    symbols: dict = field(default_factory=dict)
    expect: int | None = None
    kind: str = "cookbook-true"
    polynomial: bool = False
    min_size: int | None = None


def sq(*names: str, n: str = "n") -> dict:
    """Square n×n matrices named ``names``."""
    return {k: (n, n) for k in names}


def _s4() -> str:
    """The standard polynomial s4(A, B, C, D): zero on 2×2 matrices (Amitsur-Levitzki), not on 3×3."""
    def sign(p):
        return -1 if sum(p[i] > p[j] for i in range(4) for j in range(i + 1, 4)) % 2 else 1
    return " ".join(f"{'-' if sign(p) < 0 else '+'} {'*'.join('ABCD'[i] for i in p)}" for p in permutations(range(4)))


SIG = "1/(1 + exp(-x))"
LAYER = {"W1": ("h", "d"), "W2": ("q", "h"), "x": ("d", 1), "b1": ("h", 1), "b2": ("q", 1)}
ROWS = {"X": ("n", "d"), "W1": ("d", "h"), "W2": ("h", "q"), "e": ("n", 1), "b1": (1, "h"), "b2": (1, "q")}
RECT3 = {"A": ("n", "m"), "B": ("m", "k"), "C": ("k", "p")}
VEC = {"A": ("n", "n"), "x": ("n", 1), "y": ("n", 1)}
WOOD = {"A": ("n", "n"), "U": ("n", "k"), "C": ("k", "k"), "V": ("k", "n")}
SM = {"A": ("n", "n"), "b": ("n", 1), "c": ("n", 1)}
KR = {"A": ("n", "m"), "B": ("k", "p")}
KSQ = {"A": ("n", "n"), "B": ("m", "m")}
POS = {"p": "positive", "q": "positive"}

T, F, D, G, M = "cookbook-true", "cookbook-false", "dl-true", "dl-false", "multi-step"


def C(id, *steps, m=None, s=None, expect=None, kind=None, poly=False, min_size=None) -> Case:
    kind = kind or (T if expect is None else F)
    return Case(id, tuple(steps), dict(m or {}), dict(s or {}), expect, kind, poly, min_size)


CASES: list[Case] = [
    # --- Matrix Cookbook, true ------------------------------------------------------------------
    C("cookbook-1-inverse-of-product", "(A*B)**-1", "B**-1*A**-1", m=sq("A", "B")),
    C("cookbook-1-inverse-of-product-inv", "inv(A*B)", "inv(B)*inv(A)", m=sq("A", "B")),
    C("cookbook-2-inverse-of-triple-product", "(A*B*C)**-1", "C**-1*B**-1*A**-1", m=sq("A", "B", "C")),
    C("cookbook-3-inverse-of-transpose", "(A.T)**-1", "(A**-1).T", m=sq("A")),
    C("cookbook-4-transpose-of-sum", "(A + B).T", "A.T + B.T", m={"A": ("n", "m"), "B": ("n", "m")}, poly=True),
    C("cookbook-5-transpose-of-product", "(A*B).T", "B.T*A.T", m={"A": ("n", "m"), "B": ("m", "k")}, poly=True),
    C("cookbook-6-transpose-of-triple-product", "(A*B*C).T", "C.T*B.T*A.T", m=RECT3, poly=True),
    C("cookbook-13-trace-of-transpose", "trace(A)", "trace(A.T)", m=sq("A"), poly=True),
    C("cookbook-14-trace-commutes", "trace(A*B)", "trace(B*A)", m={"A": ("n", "m"), "B": ("m", "n")}, poly=True),
    C("cookbook-14-Trace-commutes-capitalised", "Trace(A*B)", "Trace(B*A)", m=sq("A", "B"), poly=True),
    C("cookbook-15-trace-of-sum", "trace(A + B)", "trace(A) + trace(B)", m=sq("A", "B"), poly=True),
    C("cookbook-16-trace-cyclic-bca", "trace(A*B*C)", "trace(B*C*A)",
      m={"A": ("n", "m"), "B": ("m", "k"), "C": ("k", "n")}, poly=True),
    C("cookbook-16-trace-cyclic-cab", "trace(A*B*C)", "trace(C*A*B)", m=sq("A", "B", "C"), poly=True),
    C("cookbook-17-norm-as-trace", "x.T*x", "trace(x*x.T)", m={"x": ("n", 1)}, poly=True),
    C("cookbook-17-quadratic-form-as-trace", "x.T*A*x", "trace(A*x*x.T)", m=VEC, poly=True),
    C("cookbook-19-det-of-scalar-multiple", "det(c*A)", "c**n*det(A)", m=sq("A")),
    C("cookbook-20-det-of-transpose", "det(A.T)", "det(A)", m=sq("A")),
    C("cookbook-21-det-of-product", "det(A*B)", "det(A)*det(B)", m=sq("A", "B")),
    C("cookbook-22-det-of-inverse", "det(inv(A))", "1/det(A)", m=sq("A")),
    C("cookbook-23-det-of-power", "det(A**3)", "det(A)**3", m=sq("A")),
    C("cookbook-24-det-of-rank-one-update", "det(Identity(n) + u*v.T)", "1 + trace(v.T*u)",
      m={"u": ("n", 1), "v": ("n", 1)}),
    C("cookbook-25-det-identity-plus-2x2", "det(Identity(2) + A)", "1 + det(A) + trace(A)", m={"A": (2, 2)}),
    C("cookbook-26-det-identity-plus-3x3", "det(Identity(3) + A)",
      "1 + det(A) + trace(A) + trace(A)**2/2 - trace(A**2)/2", m={"A": (3, 3)}),
    C("cookbook-156-woodbury-symmetric", "(A + C*B*C.T)**-1",
      "A**-1 - A**-1*C*(B**-1 + C.T*A**-1*C)**-1*C.T*A**-1",
      m={"A": ("n", "n"), "B": ("k", "k"), "C": ("n", "k")}),
    C("cookbook-157-woodbury", "(A + U*C*V)**-1", "A**-1 - A**-1*U*(C**-1 + V*A**-1*U)**-1*V*A**-1", m=WOOD),
    C("cookbook-159-kailath-variant", "(A + U*V)**-1", "A**-1 - A**-1*U*(Identity(k) + V*A**-1*U)**-1*V*A**-1",
      m={"A": ("n", "n"), "U": ("n", "k"), "V": ("k", "n")}),
    C("cookbook-160-sherman-morrison", "(A + b*c.T)**-1",
      "A**-1 - A**-1*b*c.T*A**-1/(1 + trace(c.T*A**-1*b))", m=SM),
    C("cookbook-160-sherman-morrison-inv", "inv(A + b*c.T)", "inv(A) - inv(A)*b*c.T*inv(A)/(1 + trace(c.T*inv(A)*b))",
      m=SM),
    C("cookbook-s10.2-kron-transpose", "kron(A, B).T", "kron(A.T, B.T)", m=KR),
    C("cookbook-s10.2-kron-mixed-product", "kron(A, B)*kron(C, D)", "kron(A*C, B*D)",
      m={"A": ("n", "m"), "C": ("m", "p"), "B": ("k", "q"), "D": ("q", "r")}),
    C("cookbook-s10.2-kron-trace", "trace(kron(A, B))", "trace(A)*trace(B)", m=KSQ),
    C("cookbook-s10.2-kron-distributive", "kron(A, B + C)", "kron(A, B) + kron(A, C)",
      m={"A": ("n", "m"), "B": ("k", "p"), "C": ("k", "p")}),
    C("cookbook-s10.2-kron-inverse", "inv(kron(A, B))", "kron(inv(A), inv(B))", m=KSQ),
    C("cookbook-s10.2-kron-det", "det(kron(A, B))", "det(A)**m*det(B)**n", m=KSQ),
    C("matrix-hadamard-commutative", "hadamard(A, B)", "hadamard(B, A)", m={"A": ("n", "m"), "B": ("n", "m")}),
    C("matrix-hadamard-distributive", "hadamard(A, B + C)", "hadamard(A, B) + hadamard(A, C)",
      m={k: ("n", "m") for k in "ABC"}),
    C("matrix-hadamard-transpose", "hadamard(A, B).T", "hadamard(A.T, B.T)", m={"A": ("n", "m"), "B": ("n", "m")}),
    C("matrix-inverse-involution", "(A**-1)**-1", "A", m=sq("A")),
    C("matrix-cayley-hamilton-2x2-det", "A**2 - trace(A)*A + det(A)*Identity(2)", "0", m={"A": (2, 2)}),
    C("matrix-cayley-hamilton-2x2-traces", "A**2 - trace(A)*A + (trace(A)**2 - trace(A**2))/2*Identity(2)", "0",
      m={"A": (2, 2)}, poly=True),
    C("matrix-distributive-left", "A*(B + C)", "A*B + A*C", m={"A": ("n", "m"), "B": ("m", "k"), "C": ("m", "k")},
      poly=True),
    C("matrix-distributive-right", "(A + B)*C", "A*C + B*C", m={"A": ("n", "m"), "B": ("n", "m"), "C": ("m", "k")},
      poly=True),
    C("matrix-associative", "(A*B)*C", "A*(B*C)", m=RECT3, poly=True),
    C("matrix-transpose-involution", "(A.T).T", "A", m={"A": ("n", "m")}, poly=True),
    C("matrix-gram-symmetric", "(A.T*A).T", "A.T*A", m={"A": ("n", "m")}, poly=True),
    C("matrix-square-of-sum", "(A + B)**2", "A**2 + A*B + B*A + B**2", m=sq("A", "B"), poly=True),
    C("matrix-commutator-traceless", "trace(A*B - B*A)", "0", m=sq("A", "B"), poly=True),
    C("matrix-product-of-sum-and-difference", "(A + B)*(A - B)", "A**2 - A*B + B*A - B**2", m=sq("A", "B"),
      poly=True),
    C("matrix-outer-product-trace", "trace(x*y.T)", "y.T*x", m={"x": ("n", 1), "y": ("n", 1)}, poly=True),
    C("matrix-quadratic-form-transpose", "x.T*A*x", "x.T*A.T*x", m=VEC, poly=True),
    C("matrix-quadratic-form-symmetrised", "x.T*A*x", "x.T*(A + A.T)*x/2", m=VEC, poly=True),
    C("matrix-quadratic-form-antisymmetric", "x.T*(A - A.T)*x", "0", m=VEC, poly=True),
    C("matrix-bilinear-form-transpose", "x.T*A*y", "y.T*A.T*x", m=VEC, poly=True),
    C("matrix-trace-linear", "trace(2*A - 3*B)", "2*trace(A) - 3*trace(B)", m=sq("A", "B"), poly=True),
    C("matrix-trace-gram", "trace(A.T*A)", "trace(A*A.T)", m={"A": ("n", "m")}, poly=True),
    C("matrix-trace-congruence", "trace(A*B*A.T)", "trace(B*A.T*A)", m={"A": ("n", "m"), "B": ("m", "m")},
      poly=True),
    C("matrix-trace-cyclic-4", "trace(A*B*C*D)", "trace(D*A*B*C)", m=sq("A", "B", "C", "D"), poly=True),
    C("matrix-trace-of-transposed-product", "trace(A*B)", "trace(B.T*A.T)", m=sq("A", "B"), poly=True),
    C("matrix-frobenius-of-sum", "trace((A + B).T*(A + B))", "trace(A.T*A) + 2*trace(A.T*B) + trace(B.T*B)",
      m={"A": ("n", "m"), "B": ("n", "m")}, poly=True),
    C("matrix-identity-left", "Identity(n)*A", "A", m={"A": ("n", "m")}, poly=True),
    C("matrix-identity-right", "A*Identity(m)", "A", m={"A": ("n", "m")}, poly=True),
    C("matrix-jacobi-identity",
      "A*(B*C - C*B) - (B*C - C*B)*A + B*(C*A - A*C) - (C*A - A*C)*B + C*(A*B - B*A) - (A*B - B*A)*C", "0",
      m=sq("A", "B", "C"), poly=True),
    C("matrix-bilinear-form-sum", "x.T*(A + B)*y", "x.T*A*y + x.T*B*y", m={**VEC, "B": ("n", "n")}, poly=True),
    C("matrix-congruence-transpose", "(A*B*A.T).T", "A*B.T*A.T", m={"A": ("n", "m"), "B": ("m", "m")}, poly=True),
    C("matrix-powers-commute", "A**2*A", "A*A**2", m=sq("A"), poly=True),
    # --- Matrix Cookbook, plausible slips --------------------------------------------------------
    C("cookbook-5-slip-transpose-order", "(A*B).T", "A.T*B.T", m=sq("A", "B"), expect=0, poly=True, min_size=2),
    C("cookbook-6-slip-transpose-order", "(A*B*C).T", "A.T*B.T*C.T", m=sq("A", "B", "C"), expect=0, poly=True,
      min_size=2),
    C("matrix-slip-commutative", "A*B", "B*A", m=sq("A", "B"), expect=0, poly=True, min_size=2),
    C("cookbook-1-slip-inverse-order", "(A*B)**-1", "A**-1*B**-1", m=sq("A", "B"), expect=0, min_size=2),
    C("cookbook-2-slip-inverse-order", "(A*B*C)**-1", "C**-1*A**-1*B**-1", m=sq("A", "B", "C"), expect=0,
      min_size=2),
    C("cookbook-3-slip-inverse-of-transpose", "(A.T)**-1", "A**-1", m=sq("A"), expect=0, min_size=2),
    C("matrix-slip-inverse-of-sum", "(A + B)**-1", "A**-1 + B**-1", m=sq("A", "B"), expect=0, min_size=1),
    C("matrix-slip-inverse-of-sum-inv", "inv(A + B)", "inv(A) + inv(B)", m=sq("A", "B"), expect=0, min_size=1),
    C("matrix-slip-inverse-of-identity-plus", "(Identity(n) + A)**-1", "Identity(n) - A", m=sq("A"), expect=0,
      min_size=1),
    C("cookbook-21-slip-det-of-sum", "det(A + B)", "det(A) + det(B)", m=sq("A", "B"), expect=0, min_size=2),
    C("cookbook-21-slip-det-of-product-as-sum", "det(A*B)", "det(A) + det(B)", m=sq("A", "B"), expect=0, min_size=1),
    C("cookbook-19-slip-det-scalar-multiple", "det(c*A)", "c*det(A)", m=sq("A"), expect=0, min_size=2),
    C("cookbook-19-slip-det-of-double", "det(2*A)", "2*det(A)", m=sq("A"), expect=0, min_size=2),
    C("cookbook-22-slip-det-of-inverse", "det(inv(A))", "det(A)", m=sq("A"), expect=0, min_size=1),
    C("cookbook-25-slip-det-identity-plus", "det(Identity(n) + A)", "1 + det(A)", m=sq("A"), expect=0, min_size=2),
    C("cookbook-26-slip-2x2-formula-at-3x3", "det(Identity(3) + A)", "1 + det(A) + trace(A)", m={"A": (3, 3)},
      expect=0),
    C("cookbook-16-slip-trace-acb", "trace(A*B*C)", "trace(A*C*B)", m=sq("A", "B", "C"), expect=0, poly=True,
      min_size=2),
    C("cookbook-16-slip-trace-reversed", "trace(A*B*C)", "trace(C*B*A)", m=sq("A", "B", "C"), expect=0, poly=True,
      min_size=2),
    C("cookbook-14-slip-trace-of-product", "trace(A*B)", "trace(A)*trace(B)", m=sq("A", "B"), expect=0, poly=True,
      min_size=2),
    C("cookbook-14-slip-missing-transpose", "trace(A.T*B)", "trace(A*B)", m=sq("A", "B"), expect=0, poly=True,
      min_size=2),
    C("cookbook-4-slip-transpose-of-sum-sign", "(A + B).T", "A.T - B.T", m=sq("A", "B"), expect=0, poly=True,
      min_size=1),
    C("cookbook-17-slip-quadratic-form", "x.T*A*x", "trace(A)*x.T*x", m=VEC, expect=0, poly=True, min_size=2),
    C("cookbook-17-slip-quadratic-form-shape", "x.T*A*x", "trace(A*x.T*x)", m=VEC, expect=0),
    C("matrix-slip-bilinear-form-transpose", "x.T*A*y", "x.T*A.T*y", m=VEC, expect=0, poly=True, min_size=2),
    C("matrix-slip-square-of-sum", "(A + B)**2", "A**2 + 2*A*B + B**2", m=sq("A", "B"), expect=0, poly=True,
      min_size=2),
    C("matrix-slip-difference-of-squares", "(A - B)*(A + B)", "A**2 - B**2", m=sq("A", "B"), expect=0, poly=True,
      min_size=2),
    C("matrix-slip-frobenius-cross-term", "trace((A + B).T*(A + B))", "trace(A.T*A) + trace(B.T*B)", m=sq("A", "B"),
      expect=0, poly=True, min_size=1),
    C("matrix-slip-trace-of-inverse", "trace(A**-1)", "1/trace(A)", m=sq("A"), expect=0, min_size=2),
    C("matrix-slip-quadratic-form-symmetric-part", "x.T*(A + A.T)*x", "0", m=VEC, expect=0, poly=True, min_size=1),
    C("matrix-slip-cayley-hamilton-any-size", "A**2 - trace(A)*A + (trace(A)**2 - trace(A**2))/2*Identity(n)", "0",
      m=sq("A"), expect=0, poly=True, min_size=3),
    C("matrix-slip-cayley-hamilton-2x2-sign", "A**2 + trace(A)*A + det(A)*Identity(2)", "0", m={"A": (2, 2)},
      expect=0),
    C("matrix-slip-standard-polynomial-s3", "A*B*C - A*C*B - B*A*C + B*C*A + C*A*B - C*B*A", "0",
      m=sq("A", "B", "C"), expect=0, poly=True, min_size=2),
    C("matrix-slip-standard-polynomial-s4", _s4(), "0", m=sq("A", "B", "C", "D"), expect=0, poly=True, min_size=3),
    C("matrix-slip-hall-identity", "(A*B - B*A)**2*C", "C*(A*B - B*A)**2", m=sq("A", "B", "C"), expect=0, poly=True,
      min_size=3),
    C("cookbook-s10.2-slip-kron-commutative", "kron(A, B)", "kron(B, A)", m=sq("A", "B"), expect=0, min_size=2),
    C("cookbook-s10.2-slip-kron-transpose-order", "kron(A, B).T", "kron(B.T, A.T)", m=sq("A", "B"), expect=0,
      min_size=2),
    C("cookbook-s10.2-slip-kron-trace-as-sum", "trace(kron(A, B))", "trace(A) + trace(B)", m=KSQ, expect=0,
      min_size=1),
    C("cookbook-s10.2-slip-kron-mixed-product", "kron(A, B)*kron(C, D)", "kron(A*D, B*C)", m=sq("A", "B", "C", "D"),
      expect=0, min_size=2),
    C("cookbook-s10.2-slip-kron-det", "det(kron(A, B))", "det(A)*det(B)", m=sq("A", "B"), expect=0, min_size=2),
    C("matrix-slip-hadamard-as-product", "hadamard(A, B)", "A*B", m=sq("A", "B"), expect=0, min_size=2),
    C("matrix-slip-entrywise-exp-of-product", "exp(A*B)", "hadamard(exp(A), exp(B))", m=sq("A", "B"), expect=0,
      min_size=1),
    C("matrix-slip-trace-of-entrywise-exp", "trace(exp(A))", "exp(trace(A))", m=sq("A"), expect=0, min_size=2),
    # --- deep-learning calculus, true -------------------------------------------------------------
    C("dl-collapse-column", "W2*(W1*x + b1) + b2", "(W2*W1)*x + (W2*b1 + b2)", m=LAYER, kind=D, poly=True),
    C("dl-collapse-rows", "(X*W1 + e*b1)*W2 + e*b2", "X*(W1*W2) + e*(b1*W2 + b2)", m=ROWS, kind=D, poly=True),
    C("dl-collapse-three-layers", "W3*(W2*(W1*x))", "(W3*W2*W1)*x",
      m={"W1": ("h", "d"), "W2": ("g", "h"), "W3": ("q", "g"), "x": ("d", 1)}, kind=D, poly=True),
    C("dl-squared-loss-expansion", "(W*x - y).T*(W*x - y)", "x.T*W.T*W*x - 2*y.T*W*x + y.T*y",
      m={"W": ("q", "d"), "x": ("d", 1), "y": ("q", 1)}, kind=D, poly=True),
    C("dl-weight-decay-step", "(1 - eta*lam)*W - eta*G", "W - eta*(G + lam*W)",
      m={"W": ("n", "m"), "G": ("n", "m")}, kind=D, poly=True),
    C("dl-grad-W2-inner-product", "trace(G.T*(W2*h))", "trace((G*h.T).T*W2)",
      m={"G": ("q", 1), "W2": ("q", "n"), "h": ("n", 1)}, kind=D, poly=True),
    C("dl-softmax-shift-2", "exp(a)/(exp(a) + exp(b))", "exp(a - c)/(exp(a - c) + exp(b - c))", kind=D),
    C("dl-softmax-shift-3", "exp(a)/(exp(a) + exp(b) + exp(c))",
      "exp(a - m)/(exp(a - m) + exp(b - m) + exp(c - m))", kind=D),
    C("dl-softmax-2-is-sigmoid", "exp(a)/(exp(a) + exp(b))", "1/(1 + exp(b - a))", kind=D),
    C("dl-logsumexp-shift", "log(exp(a) + exp(b))", "m + log(exp(a - m) + exp(b - m))", kind=D),
    C("dl-logsumexp-shift-declared-real", "log(exp(a) + exp(b))", "m + log(exp(a - m) + exp(b - m))",
      s={"a": "real", "b": "real", "m": "real"}, kind=D),
    C("dl-log-softmax", "log(exp(a)/(exp(a) + exp(b)))", "a - log(exp(a) + exp(b))", kind=D),
    C("dl-cross-entropy-grad-2", "-exp(b)/(exp(a) + exp(b))", "exp(a)/(exp(a) + exp(b)) - 1", kind=D),
    C("dl-sigmoid-derivative", "exp(-x)/(1 + exp(-x))**2", f"{SIG}*(1 - {SIG})", kind=D),
    C("dl-sigmoid-derivative-named", "sigmoid(x)*(1 - sigmoid(x))", "exp(-x)/(1 + exp(-x))**2", kind=D),
    C("dl-sigmoid-symmetry", "1/(1 + exp(-x)) + 1/(1 + exp(x))", "1", kind=D),
    C("dl-sigmoid-symmetry-named", "sigmoid(x) + sigmoid(-x)", "1", kind=D),
    C("dl-tanh-via-sigmoid", "tanh(x)", "2/(1 + exp(-2*x)) - 1", kind=D),
    C("dl-tanh-via-sigmoid-named", "tanh(x)", "2*sigmoid(2*x) - 1", kind=D),
    C("dl-tanh-derivative", "4/(exp(x) + exp(-x))**2", "1 - tanh(x)**2", kind=D),
    C("dl-softplus-derivative", "exp(x)/(1 + exp(x))", "1/(1 + exp(-x))", kind=D),
    C("dl-relu-odd-part-max", "Max(x, 0) - Max(-x, 0)", "x", kind=D),
    C("dl-relu-odd-part", "relu(x) - relu(-x)", "x", kind=D),
    C("dl-relu-positive-homogeneity", "Max(2*x, 0)", "2*Max(x, 0)", kind=D),
    C("dl-softplus-odd-part-log", "log(1 + exp(x)) - log(1 + exp(-x))", "x", kind=D),
    C("dl-softplus-odd-part", "softplus(x) - softplus(-x)", "x", kind=D),
    C("dl-swish-definition", "swish(x)", "x*sigmoid(x)", kind=D),
    C("dl-swish-odd-part", "swish(x) - swish(-x)", "x", kind=D),
    C("dl-gelu-definition", "gelu(x)", "x*(1 + erf(x/sqrt(2)))/2", kind=D),
    C("dl-gelu-odd-part", "gelu(x) - gelu(-x)", "x", kind=D),
    C("dl-sqrt-of-square-is-abs", "sqrt(x**2)", "abs(x)", kind=D),
    C("dl-log-of-exp", "log(exp(x))", "x", kind=D),
    C("dl-exp-of-log-positive", "exp(log(p))", "p", s={"p": "positive"}, kind=D),
    C("dl-log-of-product-positive", "log(p*q)", "log(p) + log(q)", s=POS, kind=D),
    C("dl-log-of-square", "log(x**2)", "2*log(abs(x))", kind=D),
    C("dl-dropout-expectation", "(1 - p)*(h/(1 - p))", "h", kind=D),
    C("dl-relu-layer-odd-part-entrywise", "relu(W*x + b) - relu(-(W*x + b))", "W*x + b",
      m={"W": ("h", "d"), "x": ("d", 1), "b": ("h", 1)}, kind=D),
    C("dl-entrywise-exp-of-sum", "exp(A + B)", "hadamard(exp(A), exp(B))", m={"A": ("n", "m"), "B": ("n", "m")},
      kind=D),
    C("dl-cos-pi-integer", "cos(pi*k)", "(-1)**k", s={"k": "integer"}, kind=D),
    C("dl-exp-complex-inverse", "exp(z)*exp(-z)", "1", s={"z": "complex"}, kind=D),
    # --- deep-learning calculus, plausible slips --------------------------------------------------
    C("dl-slip-collapse-drops-W2-b1", "W2*(W1*x + b1) + b2", "(W2*W1)*x + b2", m=LAYER, expect=0, kind=G, poly=True,
      min_size=1),
    C("dl-slip-collapse-order", "W2*(W1*x)", "(W1*W2)*x", m={**sq("W1", "W2"), "x": ("n", 1)}, expect=0, kind=G,
      poly=True, min_size=2),
    C("dl-slip-collapse-shape", "W2*(W1*x + b1) + b2", "(W2*W1)*x + b1", m=LAYER, expect=0, kind=G),
    C("dl-slip-squared-loss-missing-term", "(W*x - y).T*(W*x - y)", "x.T*W.T*W*x - 2*y.T*W*x",
      m={"W": ("q", "d"), "x": ("d", 1), "y": ("q", 1)}, expect=0, kind=G, poly=True, min_size=1),
    C("dl-slip-weight-decay-missing-eta", "(1 - eta*lam)*W - eta*G", "W - eta*G - lam*W",
      m={"W": ("n", "m"), "G": ("n", "m")}, expect=0, kind=G, poly=True, min_size=1),
    C("dl-slip-grad-transposed", "trace(G.T*W*H)", "trace((H*G.T).T*W)", m=sq("G", "W", "H"), expect=0, kind=G,
      poly=True, min_size=2),
    C("dl-slip-sigmoid-derivative-sign", "exp(-x)/(1 + exp(-x))**2", f"{SIG}*(1 + {SIG})", expect=0, kind=G),
    C("dl-slip-sigmoid-odd", "1/(1 + exp(x))", "-1/(1 + exp(-x))", expect=0, kind=G),
    C("dl-slip-tanh-missing-factor", "tanh(x)", "2/(1 + exp(-x)) - 1", expect=0, kind=G),
    C("dl-slip-tanh-derivative-sign", "4/(exp(x) + exp(-x))**2", "1 + tanh(x)**2", expect=0, kind=G),
    C("dl-slip-relu-even-part-max", "Max(x, 0) + Max(-x, 0)", "x", expect=0, kind=G),
    C("dl-slip-relu-odd", "relu(-x)", "-relu(x)", expect=0, kind=G),
    C("dl-slip-relu-odd-entrywise", "relu(-z)", "-relu(z)", m={"z": ("n", 1)}, expect=0, kind=G, min_size=1),
    C("dl-slip-softplus-odd-part-sign", "log(1 + exp(x)) - log(1 + exp(-x))", "-x", expect=0, kind=G),
    C("dl-slip-softplus-odd-part-sign-named", "softplus(x) - softplus(-x)", "-x", expect=0, kind=G),
    C("dl-slip-sqrt-of-square", "sqrt(x**2)", "x", expect=0, kind=G),
    C("dl-slip-logsumexp-as-sum", "log(exp(a) + exp(b))", "a + b", expect=0, kind=G),
    C("dl-slip-logsumexp-shift-sign", "log(exp(a) + exp(b))", "m + log(exp(a + m) + exp(b + m))", expect=0, kind=G),
    C("dl-slip-softmax-temperature", "exp(a)/(exp(a) + exp(b))", "exp(2*a)/(exp(2*a) + exp(2*b))", expect=0, kind=G),
    C("dl-slip-softmax-shift-partial", "exp(a)/(exp(a) + exp(b) + exp(c))",
      "exp(a - b)/(exp(a - b) + 1 + exp(c))", expect=0, kind=G),
    C("dl-slip-cross-entropy-grad-sign", "-exp(b)/(exp(a) + exp(b))", "1 - exp(a)/(exp(a) + exp(b))", expect=0,
      kind=G),
    C("dl-slip-gelu-even-part", "gelu(x) + gelu(-x)", "x", expect=0, kind=G),
    C("dl-slip-swish-sign", "swish(x)", "x*sigmoid(-x)", expect=0, kind=G),
    C("dl-slip-log-of-sum-positive", "log(p + q)", "log(p) + log(q)", s=POS, expect=0, kind=G),
    C("dl-slip-cos-pi-integer", "cos(pi*k)", "1", s={"k": "integer"}, expect=0, kind=G),
    C("dl-slip-log-of-exp-complex", "log(exp(z))", "z", s={"z": "complex"}, expect=0, kind=G),
    # --- multi-step chains, exactly one wrong step ------------------------------------------------
    C("multi-transpose-distributive", "(A*(B + C)).T", "(A*B + A*C).T", "B.T*A.T + C.T*A.T", "(B + C).T*A.T",
      "A.T*(B + C).T", m=sq("A", "B", "C"), expect=3, kind=M, poly=True, min_size=2),
    C("multi-transpose-triple", "(A*B*C).T", "((A*B)*C).T", "C.T*(A*B).T", "C.T*A.T*B.T", "C.T*(B*A).T",
      m=sq("A", "B", "C"), expect=2, kind=M, poly=True, min_size=2),
    C("multi-collapse-shape", "W2*(W1*x + b1) + b2", "W2*W1*x + W2*b1 + b2", "(W2*W1)*x + (W2*b1 + b2)",
      "(W2*W1)*x + b1", m=LAYER, expect=2, kind=M),
    C("multi-collapse-bias-slip", "W2*(W1*x + b1) + b2", "W2*W1*x + W2*b1 + b2", "(W2*W1)*x + (W2*b1 + b2)",
      "(W2*W1)*x + W2*(b1 + b2)", m={**sq("W1", "W2"), "x": ("n", 1), "b1": ("n", 1), "b2": ("n", 1)}, expect=2,
      kind=M, poly=True, min_size=1),
    C("multi-trace-cyclic", "trace(A*B*C)", "trace(C*A*B)", "trace(B*C*A)", "trace(A*C*B)", "trace(B*A*C)",
      m=sq("A", "B", "C"), expect=2, kind=M, poly=True, min_size=2),
    C("multi-quadratic-form", "x.T*A*x", "trace(x.T*A*x)", "trace(A*x*x.T)", "trace(A)*trace(x*x.T)",
      m=VEC, expect=2, kind=M, poly=True, min_size=2),
    C("multi-inverse-transpose", "((A*B)**-1).T", "(B**-1*A**-1).T", "(A**-1).T*(B**-1).T", "(A.T*B.T)**-1",
      m=sq("A", "B"), expect=2, kind=M, min_size=2),
    C("multi-squared-loss", "(W*x - y).T*(W*x - y)", "(x.T*W.T - y.T)*(W*x - y)",
      "x.T*W.T*W*x - x.T*W.T*y - y.T*W*x + y.T*y", "x.T*W.T*W*x - 2*x.T*W*y + y.T*y",
      m={"W": ("n", "n"), "x": ("n", 1), "y": ("n", 1)}, expect=2, kind=M, poly=True, min_size=2),
    C("multi-frobenius", "trace((A + B).T*(A + B))", "trace(A.T*A + A.T*B + B.T*A + B.T*B)",
      "trace(A.T*A) + trace(A.T*B) + trace(B.T*A) + trace(B.T*B)", "trace(A.T*A) + 2*trace(A.T*B) + trace(B.T*B)",
      "trace(A.T*A) + 2*trace(A*B) + trace(B.T*B)", m=sq("A", "B"), expect=3, kind=M, poly=True, min_size=2),
    C("multi-det-scaling", "det(2*A*B)", "2**n*det(A*B)", "2**n*det(A)*det(B)", "2*det(A)*det(B)",
      m=sq("A", "B"), expect=2, kind=M, min_size=2),
    C("multi-kron-trace", "trace(kron(A, B)*kron(C, D))", "trace(kron(A*C, B*D))", "trace(A*C)*trace(B*D)",
      "trace(C*A*B*D)", m=sq("A", "B", "C", "D"), expect=2, kind=M, min_size=2),
    C("multi-sigmoid-derivative", "exp(-x)/(1 + exp(-x))**2", f"{SIG}*(exp(-x)/(1 + exp(-x)))",
      f"{SIG}*(1 + {SIG})", f"{SIG} + {SIG}**2", expect=1, kind=M),
    C("multi-logsumexp", "log(exp(a) + exp(b))", "log(exp(m)*(exp(a - m) + exp(b - m)))",
      "log(exp(m)) + log(exp(a - m) + exp(b - m))", "m + log(exp(a - m) + exp(b - m))",
      "m + log(exp(a - m)) + log(exp(b - m))", expect=3, kind=M),
    C("multi-softmax-shift", "exp(a)/(exp(a) + exp(b) + exp(c))",
      "exp(a)*exp(-c)/((exp(a) + exp(b) + exp(c))*exp(-c))", "exp(a - c)/(exp(a - c) + exp(b - c) + exp(c - c))",
      "exp(a - c)/(exp(a - c) + exp(b - c) + 1)", "exp(a - c)/(exp(a - c) + exp(b - c))", expect=3, kind=M),
    C("multi-tanh-via-sigmoid", "tanh(x)", "(exp(x) - exp(-x))/(exp(x) + exp(-x))", "(1 - exp(-2*x))/(1 + exp(-2*x))",
      "2/(1 + exp(-2*x)) - 1", "2/(1 + exp(-x)) - 1", expect=3, kind=M),
    C("multi-relu-odd-part", "Max(x, 0) - Max(-x, 0)", "Max(x, 0) + Min(x, 0)", "x", "Max(x, 0) + Max(-x, 0)",
      expect=2, kind=M),
    C("multi-softplus-odd-part", "log(1 + exp(x)) - log(1 + exp(-x))", "log((1 + exp(x))/(1 + exp(-x)))",
      "log(exp(-x))", "-x", expect=1, kind=M),
    C("multi-det-of-similar", "det(A*B*inv(A))", "det(A)*det(B)*det(inv(A))", "det(A)*det(B)/det(A)",
      "det(A)*det(B)", m=sq("A", "B"), expect=2, kind=M, min_size=1),
]

BY_ID = {c.id: c for c in CASES}
assert len(BY_ID) == len(CASES), "case ids must be unique"
