"""The claim registry: ``Claim``, ``Check``, ``Result`` and the decorators that fill it.

A claim is registered once, where its mathematics lives::

    @register("5.1.7", title="Derivative of the sigmoid", latex=r"...",
              statement=lambda: sp.Eq(...))
    def _sigmoid_derivative(ctx):
        yield symbolic_equal(...)          # a Check
        yield hypothesis_check(...)        # another Check

The decorated function receives a :class:`Context` (``examples``, ``seed``)
and returns or yields :class:`Check` objects.  ``also_check(id)`` attaches
further check functions to a claim registered elsewhere.  The CLI, the README
table and the test that walks the registry all read :data:`CLAIMS`, so a new
claim is reported and tested the moment its module registers it.
"""

from __future__ import annotations

import time
import traceback
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .check import METHODS, Check

__all__ = [
    "CHAPTER_ORDER",
    "CLAIMS",
    "METHODS",
    "Check",
    "Claim",
    "Context",
    "Result",
    "also_check",
    "claim",
    "claims",
    "register",
    "verdict",
]

#: Claim ids in the order of CHAPTER.md.  Ids not listed here (errata and any
#: claim added later) follow the listed ones of their section, errata last,
#: in registration order.
CHAPTER_ORDER = (
    "5.1.1", "5.1.2", "5.1.3", "5.1.4", "5.1.5", "5.1.6", "5.1.7", "5.1.8",
    "5.1.9", "5.1.ex5", "5.1.swish", "5.1.gelu",
    "5.1.ex1", "5.1.ex4", "5.1.ex5b", "5.1.ex6", "5.1.ex7",
    "5.2.params", "5.2.train",
    "5.3.1-6", "5.3.8", "5.3.9", "5.3.10", "5.3.11", "5.3.12", "5.3.13",
    "5.3.14", "5.3.ex1", "5.3.ex2", "5.3.batch", "5.3.ex3", "5.3.ex4", "5.3.ex5",
    "5.4.2", "5.4.exploding", "5.4.vanishing", "5.4.symmetry", "5.4.4",
    "5.4.5", "5.4.backward", "5.4.6", "5.4.7", "5.4.default", "5.4.he",
    "5.4.ex1", "5.4.ex2", "5.4.ex3", "5.4.ex4",
)  # fmt: skip

#: Hypothesis examples per numeric check when ``verify`` is given none.
DEFAULT_EXAMPLES = 25
#: The most examples a check may be asked for: at the slowest numeric check's ~5 ms an example,
#: 100,000 examples are already minutes per claim; a typo such as 1000000000 would never end.
MAX_EXAMPLES = 100_000


@dataclass(frozen=True)
class Result:
    """The outcome of :meth:`Claim.verify`.

    ``holds`` is what the checks found: True if every check passed, False if
    one failed, None if a check function raised (then ``ok`` is False whatever
    the claim expects, so a crash never passes for an erratum found).  For an
    erratum, False means refuted by a ``refutes`` check with every correction
    passing, and None means undetermined otherwise (:func:`verdict`).
    """

    claim_id: str
    expected: bool
    holds: bool | None
    checks: list[Check]
    seconds: float

    @property
    def ok(self) -> bool:
        """True iff the verdict matches the claim's expectation."""
        return self.holds is not None and self.holds == self.expected

    @property
    def max_error(self) -> float | None:
        errors = [c.max_error for c in self.checks if c.max_error is not None]
        return max(errors) if errors else None

    @property
    def methods(self) -> list[str]:
        return sorted({c.method for c in self.checks}, key=METHODS.index)

    def __str__(self) -> str:
        lines = [f"{self.claim_id}: {'ok' if self.ok else 'NOT OK'} (holds={self.holds})"]
        lines += [f"  {c}" for c in self.checks]
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        """A notebook's view: the claim (title, statement as MathML), its verdict, and one row per check."""
        from . import html

        known = CLAIMS.get(self.claim_id)
        verdict = html.verdict_text(self.expected, self.holds)
        head = f"<b>{html.escape(self.claim_id)}</b> {html.mark(self.ok)} {html.escape(verdict)}"
        if known is not None:
            head += f" &mdash; {html.escape(known.title)}<br>{html.math_latex(known.latex)}"
        return (
            f"<div>{head}{html.checks_table(self.checks)}"
            f"<small>{len(self.checks)} checks in {self.seconds:.2f} s</small></div>"
        )


@dataclass(frozen=True)
class Context:
    """What a check function is given: how hard to look, and the seed."""

    examples: int = DEFAULT_EXAMPLES
    seed: int = 0

    def rng(self, salt: int = 0) -> np.random.Generator:
        """A generator fixed by ``seed`` (and ``salt``, to separate checks)."""
        return np.random.default_rng([self.seed, salt])


CheckFunction = Callable[[Context], "Check | Iterable[Check]"]


@dataclass(eq=False)
class Claim:
    """A registered claim of the chapter (or an erratum of the study note)."""

    id: str
    section: str
    title: str
    latex: str
    expected: bool
    _statement: Any = field(repr=False)
    _check_functions: list[CheckFunction] = field(default_factory=list, repr=False)

    @property
    def statement(self) -> Any:
        """A SymPy object stating the claim (renders as LaTeX in a notebook)."""
        if callable(self._statement):
            self._statement = self._statement()
        return self._statement

    def verify(self, *, examples: int | None = None, seed: int = 0) -> Result:
        """Run every check of the claim.

        ``examples`` is the number of Hypothesis examples per numeric check
        (default :data:`DEFAULT_EXAMPLES`); ``seed`` fixes all randomness.
        """
        ctx = Context(examples=_validate_examples(examples), seed=_validate_seed(seed))
        # One BLAS thread: a claim's products are small (at most a few hundred rows), where
        # OpenBLAS's thread start-up costs more than it saves, 10-20x when the other core is busy
        # (5.2.train measured 49 s with the default threads and 6.7 s with one, on this 2-core machine).
        from threadpoolctl import threadpool_limits  # lazy: ~0.1 s to import

        with threadpool_limits(limits=1, user_api="blas"):
            return self._verify(ctx)

    def _verify(self, ctx: Context) -> Result:
        start = time.perf_counter()
        checks: list[Check] = []
        crashed = False
        for function in self._check_functions:
            try:
                produced = function(ctx)
                if isinstance(produced, Check):
                    produced = [produced]
                for check in produced:
                    if not isinstance(check, Check):
                        raise TypeError(
                            f"check function {function.__qualname__} produced {type(check).__name__}, expected Check"
                        )
                    checks.append(check)
            except Exception as exc:  # noqa: BLE001 - reported as a failed check
                crashed = True
                where = traceback.extract_tb(exc.__traceback__)[-1]
                checks.append(
                    Check(
                        "error",
                        False,
                        f"{function.__qualname__} raised {type(exc).__name__}: {exc} "
                        f"(at {where.filename.rsplit('/', 1)[-1]}:{where.lineno})",
                    )
                )
        if not checks:
            crashed = True
            checks.append(Check("error", False, "the claim has no checks"))
        holds = None if crashed else verdict(self.expected, checks)
        return Result(self.id, self.expected, holds, checks, time.perf_counter() - start)

    def _repr_latex_(self) -> str:
        kind = "Erratum in the study note" if not self.expected else "Claim"
        title = self.title.replace("$", r"\$")
        return rf"$\textbf{{{kind} {self.id}}}\ \text{{({title})}}:\quad {self.latex}$"

    def __repr__(self) -> str:
        return f"Claim({self.id!r}, {self.title!r}, expected={self.expected})"


#: Every registered claim by id, in registration order.
CLAIMS: dict[str, Claim] = {}


def verdict(expected: bool, checks: list[Check]) -> bool | None:
    """What ``checks`` (none of which raised) found: the claim's ``holds``.

    A claim expected to hold holds iff every check passes.  An erratum
    (``expected=False``) is *found* (False) only when the note's statement is
    refuted -- a check marked ``refutes`` fails -- AND every other check (the
    corrections and the lemmas they rest on) passes.  Otherwise its verdict is
    undetermined (None): a broken correction, or a note's statement that
    survived every attempt to refute it, never reads "erratum found".
    """
    if expected:
        return all(c.ok for c in checks)
    refuted = any(c.refutes and not c.ok for c in checks)
    corrections_pass = all(c.ok for c in checks if not c.refutes)
    return False if refuted and corrections_pass else None


def _section_of(claim_id: str) -> str:
    """``"5.3.11"`` -> ``"5.3"``; ``"note.5.1.collapse"`` -> ``"5.1"``."""
    parts = claim_id.removeprefix("note.").split(".")
    return ".".join(parts[:2])


def register(
    claim_id: str,
    *,
    title: str,
    latex: str,
    statement: Any = None,
    expected: bool = True,
    section: str | None = None,
) -> Callable[[CheckFunction], CheckFunction]:
    """Register a claim whose checks the decorated function produces.

    ``statement`` is a SymPy object or a zero-argument callable building one
    (evaluated on first use).  ``expected=False`` registers an erratum: the
    claim as the study note states it, which verification should refute.
    """
    if claim_id in CLAIMS:
        raise ValueError(f"claim {claim_id!r} is already registered")
    if not title or not latex:
        raise ValueError(f"claim {claim_id!r} needs a title and a latex statement")

    def decorator(function: CheckFunction) -> CheckFunction:
        CLAIMS[claim_id] = Claim(
            id=claim_id,
            section=section or _section_of(claim_id),
            title=title,
            latex=latex,
            expected=expected,
            _statement=statement,
            _check_functions=[function],
        )
        return function

    return decorator


def also_check(claim_id: str) -> Callable[[CheckFunction], CheckFunction]:
    """Attach one more check function to a claim registered elsewhere."""

    def decorator(function: CheckFunction) -> CheckFunction:
        claim(claim_id)._check_functions.append(function)
        return function

    return decorator


def _order_key(c: Claim) -> tuple:
    section = tuple(int(p) for p in c.section.split(".") if p.isdigit())
    listed = c.id in CHAPTER_ORDER
    rank = CHAPTER_ORDER.index(c.id) if listed else len(CHAPTER_ORDER)
    return (section, not c.expected, rank, list(CLAIMS).index(c.id))


def claims() -> list[Claim]:
    """Every registered claim, in chapter order (errata after their section)."""
    return sorted(CLAIMS.values(), key=_order_key)


def claim(claim_id: str) -> Claim:
    """The claim with this id; ``KeyError`` listing the known ids otherwise."""
    try:
        return CLAIMS[claim_id]
    except (KeyError, TypeError):
        known = ", ".join(c.id for c in claims())
        raise KeyError(f"no claim {claim_id!r}; known: {known}") from None


def _validate_examples(examples: int | None) -> int:
    if examples is None:
        return DEFAULT_EXAMPLES
    if isinstance(examples, bool) or not isinstance(examples, (int, np.integer)) or examples < 1:
        raise ValueError(f"examples={examples!r} is not allowed; expected a positive integer or None")
    if examples > MAX_EXAMPLES:
        raise ValueError(
            f"examples={examples} is too many; expected at most {MAX_EXAMPLES:,} Hypothesis examples per check "
            f"(the thorough test profile draws 1,000)"
        )
    return int(examples)


def _validate_seed(seed: int) -> int:
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"seed={seed!r} is not allowed; expected a non-negative integer")
    return int(seed)
