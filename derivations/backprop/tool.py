"""5.3's gradients derived by the public tool :func:`derivations.gradient` (issue 14: the chapter uses it).

Each check writes J in the tool's grammar -- ``z = W1*x``, ``h = phi(z)``, ``o = W2*h``, J = L +
λ/2 (Σ W1∘W1 + Σ W2∘W2) with an undefined φ -- derives ∂J/∂V with :func:`derivations.gradient` and
proves, by :func:`derivations.verify_gradient`, that the result equals the book's closed form.  The
closed forms are those of :func:`.gradients.closed_forms` and :func:`.biases.closed_forms_with_biases`
(the same SymPy objects the other checks prove), with their symbols renamed to the parsed ones;
the softmax-CE forms (the book's with g = softmax(o) - y) are written here in the grammar.

The loss is written two ways.  As ``g.T*o`` (g a q×1 symbol) where what is checked is the chain rule
*through* the loss: for any loss, ∂J/∂o = g enters only linearly, so ``g.T*o`` is exact for the
gradients upstream of o (Eqs. 5.3.11–5.3.14, 5.3.ex2).  And as the actual softmax cross-entropy
``log(sum(exp(o))) - y.T*o`` (y one-hot), for which the book's g is ``softmax(o) - y``.
"""

from __future__ import annotations

import sympy as sp

from ..calculus.gradient import resolve, verify_gradient
from ..claims import Check, Context, also_check
from .biases import closed_forms_with_biases
from .gradients import closed_forms
from .graph import lam as book_lam

__all__ = ["SOFTMAX", "tool_check"]

MATRICES = {"W1": ("h", "d"), "W2": ("q", "h"), "x": ("d", 1), "g": ("q", 1), "y": ("q", 1),
            "z": ("h", 1), "hv": ("h", 1), "b1": ("h", 1), "b2": ("q", 1), "o": ("q", 1), "t": ("q", 1)}  # fmt: skip
S = "lam/2*(sum(hadamard(W1, W1)) + sum(hadamard(W2, W2)))"
SOFTMAX = "exp({o})/sum(exp({o}))"  # softmax(o), entrywise exp over the sum of all entries
O = "W2*phi(W1*x)"
O_B = "W2*phi(W1*x + b1) + b2"
#: The method of a check by the chain checker's verdict: only "proved" is a proof at every size.
METHOD = {"proved": "symbolic", "proved-randomized": "symbolic-sized", "tested": "numeric"}


def tool_check(label: str, f: str, wrt: str, claimed, *, seed: int = 0) -> Check:
    """∂f/∂wrt by :func:`derivations.gradient`, compared with ``claimed`` (a grammar string or a SymPy
    expression in the book's symbols) by :func:`derivations.verify_gradient`; ok only if not refuted."""
    if isinstance(claimed, sp.Basic):  # the book's symbols -> the parsed ones (same names; λ is ``lambda``)
        F, _ = resolve(f, wrt, MATRICES)
        names = {s.name: s for s in F.free_symbols | F.atoms(sp.MatrixSymbol) if hasattr(s, "name")}
        rep = {m: names[m.name] for m in claimed.atoms(sp.MatrixSymbol) if m.name in names}
        if book_lam in claimed.free_symbols:
            rep[book_lam] = names["lam"]
        claimed = claimed.xreplace(rep)
    result = verify_gradient(f, wrt, claimed, matrices=MATRICES, seed=seed)
    verdict = result.verdicts[0]
    method = METHOD.get(verdict, "symbolic")
    ok = result.ok and verdict in METHOD
    return Check(
        method,
        ok,
        f"{label}: derived by derivations.gradient, equal to the book's closed form: {verdict} "
        f"({result.steps[0].detail})",
        result.steps[0].max_error,
    )


@also_check("5.3.10")
def _tool_5_3_10(ctx: Context):
    """Eq. 5.3.10: ∂s/∂W1 = λW1, ∂s/∂W2 = λW2, by derivations.gradient of s = λ/2 (‖W1‖² + ‖W2‖²)."""
    c = closed_forms()
    yield tool_check("∂s/∂W1 of s = " + S, S, "W1", c["ds_dW1"], seed=ctx.seed)
    yield tool_check("∂s/∂W2 of s = " + S, S, "W2", c["ds_dW2"], seed=ctx.seed)


@also_check("5.3.11")
def _tool_5_3_11(ctx: Context):
    """Eq. 5.3.11: ∂J/∂W2 = g hᵀ + λW2, for a generic loss (g.T*o) and for softmax CE (g = softmax(o) - y)."""
    yield tool_check(
        "∂J/∂W2, J = g.T*o + s (chain rule through the loss)",
        f"g.T*({O}) + {S}",
        "W2",
        closed_forms()["dJ_dW2"],
        seed=ctx.seed,
    )
    ce = f"log(sum(exp({O}))) - y.T*({O}) + {S}"
    yield tool_check(
        "∂J/∂W2, J = softmax CE + s", ce, "W2", f"({SOFTMAX.format(o=O)} - y)*phi(W1*x).T + lam*W2", seed=ctx.seed
    )


@also_check("5.3.12")
def _tool_5_3_12(ctx: Context):
    """Eq. 5.3.12: ∂J/∂h = W2ᵀ g, with h a variable (hv), for g.T*o and for softmax CE."""
    yield tool_check(
        "∂J/∂h, J = g.T*(W2*h) + s (chain rule through the loss)",
        f"g.T*(W2*hv) + {S}",
        "hv",
        closed_forms()["dJ_dh"],
        seed=ctx.seed,
    )
    yield tool_check(
        "∂J/∂h, J = softmax CE of o = W2*h",
        "log(sum(exp(W2*hv))) - y.T*(W2*hv)",
        "hv",
        f"W2.T*({SOFTMAX.format(o='W2*hv')} - y)",
        seed=ctx.seed,
    )


@also_check("5.3.13")
def _tool_5_3_13(ctx: Context):
    """Eq. 5.3.13: ∂J/∂z = W2ᵀ g ⊙ φ'(z), with z a variable, for g.T*o (chain rule through the loss)."""
    yield tool_check(
        "∂J/∂z, J = g.T*(W2*phi(z)) + s (chain rule through the loss)",
        f"g.T*(W2*phi(z)) + {S}",
        "z",
        closed_forms()["dJ_dz"],
        seed=ctx.seed,
    )


@also_check("5.3.14")
def _tool_5_3_14(ctx: Context):
    """Eq. 5.3.14: ∂J/∂W1 = (W2ᵀ g ⊙ φ'(W1 x)) xᵀ + λW1, for g.T*o and for softmax CE."""
    yield tool_check(
        "∂J/∂W1, J = g.T*o + s (chain rule through the loss)",
        f"g.T*({O}) + {S}",
        "W1",
        closed_forms()["dJ_dW1"],
        seed=ctx.seed,
    )
    ce = f"log(sum(exp({O}))) - y.T*({O}) + {S}"
    yield tool_check(
        "∂J/∂W1, J = softmax CE + s",
        ce,
        "W1",
        f"hadamard(W2.T*({SOFTMAX.format(o=O)} - y), phi_prime(W1*x))*x.T + lam*W1",
        seed=ctx.seed,
    )


@also_check("5.3.ex2")
def _tool_5_3_ex2(ctx: Context):
    """5.3.ex2: with biases, ∂J/∂b1 = ∂J/∂z, ∂J/∂b2 = g, ∂J/∂W1, ∂J/∂W2 as without, by derivations.gradient."""
    c = closed_forms_with_biases()
    f = f"g.T*({O_B}) + {S}"
    for key, wrt in (("dJ_db1", "b1"), ("dJ_db2", "b2"), ("dJ_dW1", "W1"), ("dJ_dW2", "W2")):
        yield tool_check(
            f"∂J/∂{wrt}, J = g.T*o + s with biases (chain rule through the loss)", f, wrt, c[key], seed=ctx.seed
        )
