"""The symbolic stage: prove ``lhs - rhs`` reduces to zero, or refute it when it reduces to something
plainly nonzero (:func:`_symbolic`), within :data:`PROOF_BUDGET` CPU seconds."""

from __future__ import annotations

import threading
import time

import sympy as sp

#: CPU seconds the symbolic stage may spend on a step before the numeric
#: stage decides (the proof runs in a daemon thread that is abandoned on
#: timeout).  Every chain the registry checks proves in under 0.02 s.
PROOF_BUDGET = 2.0
#: A proof also stops after this many budgets of wall-clock time.
WALL_FACTOR = 10


def _exact_nonzero_number(c: sp.Basic) -> bool:
    """``c`` is a number whose real and imaginary parts are exact Rationals, not both 0.  (A SymPy
    Float is approximate: SymPy itself rounds Rational - Float to the Float's precision, so a
    Float difference such as 5.6e-17 left by 0.1 + 0.2 - 0.3 is no evidence.)"""
    if not isinstance(c, sp.Expr) or not c.is_number:
        return False
    parts = c.as_real_imag()
    return all(isinstance(p, sp.Rational) for p in parts) and any(p != 0 for p in parts)


def _nonzero_scalar(c: sp.Basic) -> str | None:
    """Why the scalar ``c`` (expanded, no matrices) is not identically 0, or None if that is not plain."""
    if _exact_nonzero_number(c):
        return f"the nonzero constant {sp.sstr(c)}"
    gens = sorted(c.free_symbols, key=lambda g: g.name)
    if not gens or c.atoms(sp.MatrixSymbol) or not c.is_polynomial(*gens):
        return None
    coeffs = sp.Poly(c, *gens).coeffs()
    # a nonzero polynomial vanishes only on a measure-zero set (and not on all integer points)
    if coeffs and all(_exact_nonzero_number(k) for k in coeffs):
        return f"the nonzero polynomial {sp.sstr(c)}"
    return None


def _nonzero_matrix(diff: sp.MatrixExpr) -> str | None:
    """Why the expanded matrix expression ``diff`` is not identically 0, or None.

    Recognized: one term ``c·F1···Fk`` with every factor a matrix symbol, its transpose, an
    identity or all-ones matrix (all-ones matrices make the product a positive multiple of the
    all-ones matrix, so it is nonzero wherever the scalar ``c`` is); ``c·K`` with ``K`` an
    explicit nonzero constant matrix; or a sum of terms ``c_i·M_i`` over DISTINCT matrix
    symbols, plus at most one ``c·I`` (set every symbol but one to 0).
    """
    terms = list(diff.args) if isinstance(diff, sp.MatAdd) else [diff]
    split = []
    for t in terms:
        coeff, factors = t.as_coeff_mmul() if isinstance(t, sp.MatMul) else (sp.Integer(1), t)
        factors = list(factors.args) if isinstance(factors, sp.MatMul) else [factors]
        scalars = [f for f in factors if not isinstance(f, (sp.MatrixExpr, sp.MatrixBase))]
        factors = [f for f in factors if isinstance(f, (sp.MatrixExpr, sp.MatrixBase))]
        coeff = sp.expand(sp.Mul(coeff, *scalars))
        if _nonzero_scalar(coeff) is None:
            return None
        split.append((coeff, factors))
    simple = (sp.MatrixSymbol, sp.Identity, sp.OneMatrix)
    if len(split) == 1:
        coeff, factors = split[0]
        if all(
            isinstance(f, simple) or (isinstance(f, sp.Transpose) and isinstance(f.arg, sp.MatrixSymbol))
            for f in factors
        ):
            return f"the nonzero term {sp.sstr(diff)}"
        if (
            len(factors) == 1
            and isinstance(factors[0], sp.MatrixBase)
            and any(_exact_nonzero_number(e) for e in factors[0])
        ):
            return f"the nonzero constant matrix {sp.sstr(diff)}"
        return None
    singles = [f[0] for _, f in split if len(f) == 1]
    if len(singles) != len(split):
        return None
    symbols = [f for f in singles if isinstance(f, sp.MatrixSymbol)]
    identities = [f for f in singles if isinstance(f, sp.Identity)]
    if len(symbols) + len(identities) == len(singles) and len(set(symbols)) == len(symbols) and len(identities) <= 1:
        return f"{sp.sstr(diff)}, a nonzero combination of distinct matrices"
    return None


def _nonzero(diff: sp.Basic) -> str | None:
    """Why the reduced difference ``diff`` is plainly not identically zero (None if it is not plain)."""
    try:
        if isinstance(diff, sp.MatrixExpr):
            return _nonzero_matrix(diff)
        return _nonzero_scalar(diff)
    except Exception:  # noqa: BLE001 - an exotic form: leave it to the numeric stage
        return None


def _symbolic(lhs: sp.Basic, rhs: sp.Basic, budget: float) -> tuple[bool | None, str]:
    """Within ``budget`` CPU seconds: ``(True, "")`` if ``lhs - rhs`` reduces to zero,
    ``(False, why)`` if it reduces to something plainly nonzero (see :func:`_nonzero`: a
    nonzero exact constant such as 1e-20 that floating point cannot see, a nonzero multiple of
    a matrix symbol, ...), ``(None, "")`` otherwise.  Never guesses."""
    from ..check import is_zero

    outcome: list[tuple[bool | None, str]] = []

    def attempt() -> None:
        try:
            diff = lhs - rhs
            for _ in range(8):  # doit/expand reaches a fixed point in a few rounds
                nxt = sp.expand(diff.doit())
                if nxt == diff:
                    break
                diff = nxt
            if diff == 0 or isinstance(diff, sp.ZeroMatrix) or getattr(diff, "is_ZeroMatrix", False):
                outcome.append((True, ""))
                return
            why = _nonzero(diff)
            if why is not None:
                outcome.append((False, why))
            elif isinstance(diff, sp.MatrixExpr):
                outcome.append((None, ""))
            else:
                outcome.append((True, "") if is_zero(diff) else (None, ""))
        except Exception:  # noqa: BLE001 - an unprovable form: the numeric stage decides
            outcome.append((None, ""))

    # The budget is CPU time of this process (the waiting thread uses none), so a
    # loaded machine slows the proof without changing its verdict; the wall-clock
    # cap of WALL_FACTOR budgets only stops a proof starved of CPU altogether.
    worker = threading.Thread(target=attempt, daemon=True)
    cpu_start, wall_end = time.process_time(), time.monotonic() + WALL_FACTOR * budget
    worker.start()
    while worker.is_alive() and time.process_time() - cpu_start < budget and time.monotonic() < wall_end:
        worker.join(0.01)
    return outcome[0] if outcome else (None, "")


def _prove(lhs: sp.Basic, rhs: sp.Basic, budget: float) -> bool:
    """True iff ``lhs - rhs`` reduces to zero within ``budget`` seconds (never guesses)."""
    return _symbolic(lhs, rhs, budget)[0] is True
