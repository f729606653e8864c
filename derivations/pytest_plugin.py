"""A pytest plugin: ``pytest --claims`` verifies every claim of the chapter, from any directory.

Registered with the ``pytest11`` entry point (``mlp_derivations``), so it is active wherever the
package is installed; ``-p derivations.pytest_plugin`` loads it explicitly.

- ``--claims`` adds one test item ``claim[ID]`` per registered claim (chapter order) to whatever
  else pytest collects; a failing item prints the claim's failing checks.  An erratum of the study
  note passes when its checks refute the note (as ``mlp-derivations verify`` reports it).
- ``--claims-section S`` keeps the claims of section S (``5.3``); repeat it or give a comma
  list (``--claims-section 5.1,5.3``) for several.  An unknown section is a usage error.
- ``--claims-examples N`` (Hypothesis examples per numeric check, default the registry's) and
  ``--claims-seed S`` (default 0) are passed to :meth:`Claim.verify`.

Without ``--claims`` the plugin only adds its options: loading it imports no SymPy, no
Hypothesis and not the registry.  Every process collects the same items in the same order (the
registry's chapter order), so ``-n`` with pytest-xdist works.
"""

from __future__ import annotations

from typing import Any

import pytest

__all__ = ["ClaimFailed", "ClaimItem", "ClaimsCollector", "failure_text"]


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("claims", "mlp-derivations: verify the chapter's claims")
    group.addoption(
        "--claims",
        action="store_true",
        default=False,
        help="collect every claim of the chapter as a test item claim[ID]",
    )
    group.addoption(
        "--claims-section",
        action="append",
        default=[],
        metavar="S",
        help="with --claims: only the claims of section S, e.g. 5.3 (repeatable, or a comma list)",
    )
    group.addoption(
        "--claims-examples",
        type=_positive_int,
        default=None,
        metavar="N",
        help="with --claims: Hypothesis examples per numeric check (default 25)",
    )
    group.addoption(
        "--claims-seed",
        type=_non_negative_int,
        default=0,
        metavar="S",
        help="with --claims: seed of every random draw (default 0)",
    )


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise ValueError(f"--claims-examples {text}: expected a positive integer")
    return value


def _non_negative_int(text: str) -> int:
    value = int(text)
    if value < 0:
        raise ValueError(f"--claims-seed {text}: expected a non-negative integer")
    return value


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "claim: a claim of the chapter, collected by --claims (mlp-derivations)")


def _sections(config: pytest.Config) -> list[str]:
    return [s.strip() for given in config.getoption("claims_section") for s in given.split(",") if s.strip()]


def pytest_collection(session: pytest.Session) -> None:
    """Reject ``--claims-section`` without ``--claims``, or naming a section without claims (a usage error)."""
    config = session.config
    sections = _sections(config)
    if not config.getoption("claims"):
        if sections:
            raise pytest.UsageError("--claims-section needs --claims")
        return
    known = _known_sections()
    unknown = [s for s in sections if s not in known]
    if unknown:
        raise pytest.UsageError(f"--claims-section {unknown[0]!r} has no claims; known sections: {', '.join(known)}")


def _known_sections() -> list[str]:
    import derivations

    return sorted({c.section for c in derivations.claims()}, key=lambda s: tuple(int(p) for p in s.split(".")))


@pytest.hookimpl(wrapper=True)
def pytest_make_collect_report(collector: pytest.Collector):
    """With ``--claims``, the session collects one more node beside the paths it was given: the claims."""
    report = yield
    if isinstance(collector, pytest.Session) and collector.config.getoption("claims") and report.passed:
        report.result.append(ClaimsCollector.from_parent(collector, name="claims", nodeid="claims"))
    return report


class ClaimsCollector(pytest.Collector):
    """The registry's claims (chapter order, narrowed by ``--claims-section``) as :class:`ClaimItem` s."""

    def collect(self):
        import derivations

        sections = _sections(self.config)
        for c in derivations.claims():
            if not sections or c.section in sections:
                yield ClaimItem.from_parent(self, name=f"claim[{c.id}]", claim_id=c.id)


class ClaimFailed(Exception):
    """A claim's verdict differs from its expectation; carries the :class:`~derivations.claims.Result`."""

    def __init__(self, claim: Any, result: Any) -> None:
        super().__init__(claim.id)
        self.claim = claim
        self.result = result


class ClaimItem(pytest.Item):
    """One claim of the registry as a test item: passes iff ``claim.verify().ok``."""

    def __init__(self, *, claim_id: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.claim_id = claim_id
        self.add_marker("claim")

    def runtest(self) -> None:
        import derivations

        claim = derivations.claim(self.claim_id)
        result = claim.verify(
            examples=self.config.getoption("claims_examples"), seed=self.config.getoption("claims_seed")
        )
        if not result.ok:
            raise ClaimFailed(claim, result)

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str:
        if not isinstance(excinfo.value, ClaimFailed):
            return super().repr_failure(excinfo, style=style)
        return failure_text(excinfo.value.claim, excinfo.value.result)

    def reportinfo(self) -> tuple[Any, int | None, str]:
        return self.path, None, self.name


def failure_text(claim: Any, result: Any) -> str:
    """What a failing claim item prints: the verdict in words, then the checks that made it."""
    raised = any(c.method == "error" for c in result.checks)
    if result.holds is None and (raised or claim.expected):
        head = f"claim {claim.id} could not be decided: a check function raised"
    elif claim.expected:
        head = f"claim {claim.id} does not hold: its failing checks"
    elif result.holds is None:
        head = (
            f"erratum {claim.id} is undetermined: the study note's statement was not refuted by a check marked "
            "refutes, or a correction failed"
        )
    else:
        head = f"erratum {claim.id} was not found: every check passed, so the study note's claim was not refuted"
    lines = [head, f"  {claim.title}"]
    shown = result.checks if claim.expected is False and not raised else [c for c in result.checks if not c.ok]
    lines += [f"    {check}" for check in shown]
    lines.append(
        f"  ({len(result.checks)} checks in {result.seconds:.2f}s, holds={result.holds}, expected={claim.expected})"
    )
    return "\n".join(lines)
