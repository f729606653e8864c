"""The checker: :func:`verify_chain` runs each step through the shape, symbolic and numeric stages
(:func:`_check_step`) and collects a :class:`ChainResult`."""

from __future__ import annotations

import time
from typing import Any

import numpy as np
import sympy as sp

from ..check import Check
from . import derivatives, float_eval, randomized, symbolic
from .derivatives import _derivatives_done
from .exact_eval import _exact_differs
from . import minimal, written
from .float_eval import _compare, _independent_differs, _Unsupported
from .domains import apply_domains, check_symbols, domain_of
from .inputs import check_value
from .parsing import IllFormed, parse
from .shapes import _fmt, _free, _same, _trace_squares, shape_of
from .symbolic import _symbolic
from .result import VERDICTS, ChainResult, _show  # noqa: F401 - ChainResult and VERDICTS re-exported

#: Random points per unproved step.  A false identity is a nonzero analytic
#: function of the entries, which vanishes on a set of measure zero, so one
#: continuous random point already refutes it with probability 1; 4 points
#: with different sizes guard against size coincidences.
POINTS = 4
#: Sizes drawn for dimension symbols: distinct, in [3, 8] (>= 3, see above;
#: <= 8 keeps evaluation cheap); with more than 4 dimension names the upper end grows
#: to 3 + len(dims) + 1, so distinct sizes always exist (7+ names used to crash).
SIZE_RANGE = (3, 8)
#: Scales of complex scalars at successive points: at a scale s > 1 a complex scalar is drawn with
#: |Im z| > π (past the strip of log's principal branch: log(exp(z)) = z must fail) and
#: |Re z| ~ s; scale 1 (standard complex normal) keeps exp(exp(z)) finite.
COMPLEX_SCALES = (1.0, 4.0)
#: Functions that need real arguments (an order): with one of them, complex symbols get real values.
_ORDERED = (sp.Max, sp.Min, sp.Heaviside, sp.floor, sp.ceiling, sp.Piecewise)
#: Wall-clock seconds per step for the numeric stages (points, exact re-check, minimal search), after
#: the symbolic stage's own budget: past it no new point is drawn once one has been tested.
STEP_BUDGET = 2.5
#: CPU seconds for SymPy's proof of a step that :mod:`.randomized` covers (it proves those for every
#: size in milliseconds; SymPy's own budget would make a trace step cost 2 s).
RANDOMIZED_FIRST = 0.1


def _draw_point(rng, mats, scalars, dims, real: bool, scale: float = 1.0, index: int = 0, small: bool = False) -> dict:
    """A random point inside the domains: distinct sizes >= 3 for ``dims``, standard normal real
    matrix entries; scalars by domain (:func:`.domains.domain_of`): integers, positive or real
    normals, and complex normals for complex symbols (real ones where ``real``: a non-analytic step),
    times ``scale`` (complex ones only: a branch such as log(exp(z)) = z for |Im z| <= π needs it).
    The j-th integer scalar (j < 2) has the parity of bit j of ``index``, and the j-th real scalar
    (j < 2) its sign, so 4 points cover every parity pattern of two integers ((-1)**n = 1 fails at
    an odd n) and every sign pattern of two reals (log(x*y) = log x + log y fails at x, y < 0)."""
    # ``small``: a step with a derivative, expanded entry by entry (sizes 2 to derivatives.MAX_SIZE)
    lo, hi = (2, derivatives.MAX_SIZE) if small else SIZE_RANGE
    hi = max(hi, lo + len(dims) + 1)  # room for len(dims) distinct sizes, with a choice left over
    sizes = rng.choice(np.arange(lo, hi + 1), size=len(dims), replace=False) if dims else []
    point: dict[str, Any] = {d.name: int(s) for d, s in zip(dims, sizes)}
    sub = {d: sp.Integer(point[d.name]) for d in dims}
    for m in mats:  # matrices are real
        point[m.name] = rng.standard_normal(tuple(int(sp.sympify(s).subs(sub)) for s in m.shape))
    integers = reals = 0
    for s in scalars:
        domain = domain_of(s)
        if domain.endswith("integer"):  # e.g. a dimension name used as a scalar: an integer >= 3 if positive
            v = int(rng.integers(lo, hi + 1) if s.is_positive else rng.integers(-hi, hi + 1))
            if integers < 2 and (v - (index >> integers)) % 2:
                v += 1
            integers += 1
            point[s.name] = v
        elif domain == "real" and reals < 2:  # signs from bits of index: log(x*y) = log x + log y fails at x, y < 0
            point[s.name] = float(np.copysign(rng.standard_normal(), -1.0 if (index >> reals) & 1 else 1.0))
            reals += 1
        elif domain == "positive":
            point[s.name] = float(abs(rng.standard_normal()) + 0.5)
        elif domain == "real" or real:  # real: an order-based function (Max, Heaviside) in the step
            point[s.name] = float(rng.standard_normal())
        else:
            re_, im_ = rng.standard_normal(2)
            if scale > 1:
                re_, im_ = scale * re_, np.copysign(np.pi + scale * abs(im_), im_)
            point[s.name] = complex(re_, im_)
    return point


def _left(deadline: float) -> float:
    """Seconds the minimal search may take: its own budget, within what is left of the step's."""
    return max(0.1, min(minimal.MINIMAL_BUDGET, deadline - time.monotonic()))


def _smaller(lhs, rhs, mats, scalars, dims, seed, point, detail, at, deadline, conditions=()) -> tuple[dict, str]:
    """The smallest exactly confirmed counterexample (:func:`.minimal.search`) in place of the random
    ``point`` where one is found, with the detail line saying so."""
    found = minimal.search(lhs, rhs, mats, scalars, dims, seed, _left(deadline), conditions)
    if found is None:
        return point, detail
    small, how = found
    head, _, rest = detail.partition(": ")
    return minimal.exact_form(small), f"{head}: smallest counterexample found{at(small)}: {how}; first seen {rest}"


def _small_shape_point(point: dict, dims, mats, rng) -> dict:
    """For a shape failure: the smallest distinct sizes 1, 2, ... (by name) and entries in {-2..2}."""
    sizes = {d.name: k + 1 for k, d in enumerate(dims)}
    sub = {d: sp.Integer(sizes[d.name]) for d in dims}
    out = dict(point, **sizes)
    for m in mats:
        shape = tuple(int(sp.sympify(x).subs(sub)) for x in m.shape)
        out[m.name] = rng.integers(-2, 3, size=shape).astype(np.int64)
    return minimal.exact_form(out)


def _fmt_number(v) -> str:
    v = complex(v)
    return f"{v.real:.4g}" if v.imag == 0 else f"{v.real:.4g}{v.imag:+.4g}j"


def _check_step(i: int, lhs, rhs, seed: int, prove: bool = True, conditions=()) -> tuple[Check, dict | None, bool, int]:
    name = f"step {i + 1}"
    problems: list[str] = []
    # a literal 0 opposite a matrix is that matrix's zero (SymPy turns 0*A and A - A into the scalar 0)
    if lhs == 0 and isinstance(rhs, sp.MatrixExpr):
        lhs = sp.ZeroMatrix(*rhs.shape)
    if rhs == 0 and isinstance(lhs, sp.MatrixExpr):
        rhs = sp.ZeroMatrix(*lhs.shape)
    lhs, rhs = _derivatives_done(lhs), _derivatives_done(rhs)
    ls, rs = shape_of(lhs, problems), shape_of(rhs, problems)
    _trace_squares(sp.Tuple(lhs, rhs), problems)
    if not problems and (ls is None) != (rs is None):
        s = ls if ls is not None else rs
        if not (_same(s[0], 1) and _same(s[1], 1)):
            problems.append(f"left side is {_fmt(ls)} but right side is {_fmt(rs)}")
    elif not problems and ls is not None and not (_same(ls[0], rs[0]) and _same(ls[1], rs[1])):
        problems.append(f"left side {sp.sstr(lhs)} is {_fmt(ls)} but right side {sp.sstr(rhs)} is {_fmt(rs)}")
    mats, scalars, dims = _free(sp.Tuple(lhs, rhs))
    real = any(lhs.has(f) or rhs.has(f) for f in _ORDERED)
    small = lhs.has(sp.Derivative) or rhs.has(sp.Derivative)
    rng = np.random.default_rng([seed, i])
    if problems:
        point = _draw_point(rng, mats, scalars, dims, real=True)
        point = _small_shape_point(point, dims, mats, rng)
        differs, how = _independent_differs(lhs, rhs, point, dims)
        sizes = ", ".join(f"{d.name}={point[d.name]}" for d in dims)
        note = f"; at {sizes}: {how}" if differs and sizes else ""
        return Check("shape", False, f"{name}: {problems[0]} (not equal for general sizes){note}"), point, False, 0
    where = "complex" if not real and any(domain_of(s) == "complex" for s in scalars) else "real"

    def at(point) -> str:
        sizes = ", ".join(f"{d.name}={point[d.name]}" for d in dims)
        return f" ({sizes})" if sizes else ""

    try:  # polynomial steps: a proof for every size follows if SymPy's does not (randomized.py)
        randomized.covered(lhs, rhs, mats, dims)
        not_covered, budget = "", min(symbolic.PROOF_BUDGET, RANDOMIZED_FIRST)
    except randomized.NotCovered as exc:
        not_covered, budget = str(exc), symbolic.PROOF_BUDGET
    verdict, why = _symbolic(lhs, rhs, budget) if prove else (None, "")
    deadline = time.monotonic() + STEP_BUDGET  # the numeric stages' budget, after the symbolic one
    if verdict is None and not not_covered and prove:  # prove=False: numeric testing only
        positive = {s.name for s in scalars if domain_of(s) == "positive"}
        try:
            found = randomized.prove(lhs, rhs, mats, scalars, dims, seed, i, positive)
        except randomized.NotCovered as exc:
            found, not_covered = (None,), str(exc)
        if found[0]:
            return Check("exact", True, f"{name}: {found[1]}"), None, False, 0
        if found[0] is False:  # an exact difference at an integer point: refuted, then made small
            point, detail = _smaller(
                lhs,
                rhs,
                mats,
                scalars,
                dims,
                seed,
                found[1],
                f"{name}: lhs ≠ rhs at a random integer point{at(found[1])}: {found[2]}",
                at,
                deadline,
            )
            return Check("counterexample", False, detail), point, False, 0
    if verdict is True:
        scope = "for all sizes " if mats else ""
        how = "doit/expand" if mats else "expand/cancel/simplify"
        return Check("symbolic", True, f"{name}: proved {scope}(lhs - rhs reduces to 0 by {how})"), None, True, 0
    if verdict is False:
        # refuted symbolically; the sides differ at almost every point: the smallest confirmed one
        found = minimal.search(lhs, rhs, mats, scalars, dims, seed, _left(deadline), conditions)
        if found is not None:
            point, how = found
            return (
                Check(
                    "symbolic",
                    False,
                    f"{name}: lhs - rhs reduces to {why}, not 0 (doit/expand); smallest "
                    f"counterexample found{at(point)}: {how}",
                ),
                minimal.exact_form(point),
                False,
                0,
            )
        for _ in range(3):
            point = _draw_point(rng, mats, scalars, dims, real, small=small)
            differs, how = _exact_differs(lhs, rhs, point)
            if differs:
                return (
                    Check(
                        "symbolic",
                        False,
                        f"{name}: lhs - rhs reduces to {why}, not 0 (doit/expand); at a "
                        f"random {where} point{at(point)}: {how}",
                    ),
                    point,
                    False,
                    0,
                )
        # never confirmed (an exotic form): the numeric stage decides
    worst_rel, tested, attempts, all_bounded = 0.0, 0, 0, True
    exact_note, passed = "", []
    while tested < POINTS and attempts < 4 * POINTS:  # redraw points where a side is not finite
        if tested and time.monotonic() > deadline:
            exact_note = f"; stopped at the step budget of {STEP_BUDGET:g} s"
            break
        attempts += 1
        point = _draw_point(
            rng,
            mats,
            scalars,
            dims,
            real,
            scale=COMPLEX_SCALES[attempts % len(COMPLEX_SCALES)],
            index=attempts - 1,
            small=small,
        )
        try:
            excess, diff, tol, idx, lv, rv, bounded = _compare(lhs, rhs, point, dims)
        except _Unsupported as exc:
            return (
                Check("error", False, f"{name}: cannot evaluate {exc} numerically; not proved either"),
                None,
                False,
                0,
            )
        if not (np.all(np.isfinite(lv)) and np.all(np.isfinite(rv))):
            continue
        tested += 1
        all_bounded = all_bounded and bounded
        # relative to the values and, where known, to the intermediates' magnitudes (the rounding bound
        # over TOL_FACTOR·EPS): a side that is exactly 0 would otherwise make any rounding "relative 1"
        size = (
            float(np.max(tol)) / (float_eval.TOL_FACTOR * float_eval.EPS)
            if bounded and float_eval.TOL_FACTOR > 0
            else 0.0
        )
        scale = max(float(np.max(np.abs(lv))), float(np.max(np.abs(rv))), size, np.finfo(float).tiny)
        worst_rel = max(worst_rel, float(np.max(diff)) / scale)
        if excess > 0:
            # confirm exactly (at least as sensitive as the rounding-bound detection)
            differs, how = _exact_differs(lhs, rhs, point, entry=idx if len(idx) == 2 else None)
            if differs is False and len(idx) == 2:  # that entry agrees exactly: any other entry?
                differs, how = _exact_differs(lhs, rhs, point, project=True)
            if differs is None:  # exact path unavailable: float64 lambdify with the detection tolerance
                differs, fhow = _independent_differs(lhs, rhs, point, dims, tol=tol)
                how = f"{how}; {fhow}"
            elif differs is False:  # a float false alarm: exact arithmetic shows the sides agree here
                exact_note = f"; float64 exceeded its tolerance at a point where {how}"
                passed.append(point)
                continue
            entry = f" entry {tuple(int(k) for k in idx)}" if idx else ""
            detail = (
                f"{name}: lhs ≠ rhs at a random {where} point{at(point)}:{entry} lhs = {_fmt_number(lv[idx])}, "
                f"rhs = {_fmt_number(rv[idx])}, |diff| = {float(diff[idx]):.3g} > tolerance {float(tol[idx]):.3g} "
                f"({'rounding bound' if bounded else f'fallback {float_eval.FALLBACK_RTOL:g} relative'}); {how}"
            )
            if not differs:
                return Check("numeric", False, detail + " (NOT confirmed)", max_error=worst_rel), None, False, tested
            point, detail = _smaller(lhs, rhs, mats, scalars, dims, seed, point, detail, at, deadline, conditions)
            return Check("counterexample", False, detail, max_error=worst_rel), point, False, tested
        passed.append(point)
    if tested == 0:
        return Check("numeric", False, f"{name}: no random point gave finite values on both sides"), None, False, 0
    if not exact_note and (lhs.has(sp.Float) or rhs.has(sp.Float)):
        # Float constants carry float precision themselves: below it there is nothing to resolve
        exact_note = "; no exact re-check (the step has Float constants, themselves approximate)"
    if not exact_note:
        # float64 cannot see a difference below its rounding bound (x**2 vs x**2 + 1e-20 under an
        # unproved form): re-evaluate exactly at the cheapest tested point before passing
        point = min(passed, key=lambda p: sum(p[d.name] for d in dims))
        differs, how = _exact_differs(lhs, rhs, point, project=True)
        if differs:
            detail = (
                f"{name}: lhs ≠ rhs at a random {where} point{at(point)} although "
                f"float64 agrees within its rounding bound: {how}"
            )
            point, detail = _smaller(lhs, rhs, mats, scalars, dims, seed, point, detail, at, deadline, conditions)
            return Check("counterexample", False, detail, max_error=worst_rel), point, False, tested
        exact_note = "; " + (
            how.replace("re-evaluated", "re-evaluated at one point")
            if differs is False
            else f"no exact re-check ({how})"
        )
    return (
        Check(
            "numeric",
            True,
            f"{name}: not proved; equal at {tested} random {where} points with distinct sizes "
            f">= {2 if small else 3}, max relative |lhs - rhs| {worst_rel:.2g} within "
            + (
                f"{float_eval.TOL_FACTOR}·u times the forward rounding bound"
                if all_bounded
                else f"the fallback tolerance {float_eval.FALLBACK_RTOL:g} relative"
            )
            + exact_note
            + (f"; no proof for every size: {not_covered}" if not_covered else ""),
            max_error=worst_rel,
        ),
        None,
        False,
        tested,
    )


def verify_chain(
    steps, *, matrices: dict | None = None, symbols: dict | None = None, seed: int = 0, prove: bool = True
) -> ChainResult:
    """Check every step ``steps[i] -> steps[i+1]`` of a chain of equalities.

    ``steps``: SymPy expressions (scalar, or matrix expressions over
    ``MatrixSymbol``s with numeric or symbolic sizes) or strings (see
    :func:`parse`); ``matrices`` maps a name used in strings to its
    ``(rows, cols)``; ``symbols`` maps a scalar name to its domain, ``"real"`` (the default
    for strings), ``"positive"``, ``"integer"`` or ``"complex"`` (:mod:`.domains`): points and
    counterexamples lie inside the domains.  ``seed`` fixes the random points.  Later steps are
    checked even after a failure.  ``prove=False`` skips the symbolic stage
    (every step is then tested numerically).  Bad input raises ``ValueError``.
    """
    if isinstance(steps, (str, sp.Basic)) or not hasattr(steps, "__len__") or len(steps) < 2:
        raise ValueError(f"steps={steps!r}; expected a list of at least 2 expressions")
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"seed={seed!r}; expected a non-negative integer")
    symbols = check_symbols(symbols)
    exprs: list[Any] = []
    for k, s in enumerate(steps):
        if isinstance(s, str):
            try:
                exprs.append(parse(s, matrices, symbols))
            except IllFormed as exc:
                exprs.append(exc)
        elif isinstance(s, (sp.Basic, int, float, complex)):
            check_value(s, f"steps[{k}]")
            exprs.append(apply_domains(sp.sympify(s), symbols))
        else:
            raise ValueError(f"steps[{k}] is a {type(s).__name__}; expected a SymPy expression or a string")
    result = ChainResult([s if isinstance(s, str) or isinstance(e, IllFormed) else e for s, e in zip(steps, exprs)])
    for i in range(len(exprs) - 1):
        lhs, rhs = exprs[i], exprs[i + 1]
        bad = lhs if isinstance(lhs, IllFormed) else rhs if isinstance(rhs, IllFormed) else None
        if bad is not None:
            check, cex, proved, pts = Check("shape", False, f"step {i + 1}: ill-formed, {bad}"), None, False, 0
        else:
            conditions = _requirements(steps[i], matrices, symbols) + _requirements(steps[i + 1], matrices, symbols)
            check, cex, proved, pts = _check_step(i, lhs, rhs, int(seed), bool(prove), tuple(conditions))
        result.steps.append(check)
        result.counterexamples.append(cex)
        result.proved.append(proved)
        result.points.append(pts)
        result.verdicts.append(_verdict(check, proved, cex))
    return result


def _requirements(step, matrices, symbols) -> list:
    """Scalars that must be nonzero where the written ``step`` is defined (:mod:`.written`): its divisors,
    and det of what it inverts; operands that do not parse alone are skipped."""
    if not isinstance(step, str):
        return []
    divisors, inverted = written.requirements(step)
    out = []
    for text, invert in [(d, False) for d in divisors] + [(m, True) for m in inverted]:
        try:
            e = parse(text, matrices, symbols)
        except (ValueError, IllFormed):
            continue
        if isinstance(e, sp.MatrixExpr):
            if not invert or e.shape[0] != e.shape[1]:
                continue
            e = sp.Determinant(e)
        if not e.is_number or e == 0:
            out.append(e)
    return out


def _verdict(check: Check, proved: bool, cex: dict | None) -> str:
    """The verdict (one of :data:`VERDICTS`) of a step: refuted only with a confirmed counterexample."""
    if check.ok:
        return "proved" if proved else "proved-randomized" if check.method == "exact" else "tested"
    if check.method == "shape":
        return "shape"
    return "refuted" if cex is not None else "unknown"
