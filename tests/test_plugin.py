"""The pytest plugin (derivations/pytest_plugin.py): ``pytest --claims`` from a directory that is not the repository.

Each test runs pytest in a subprocess in an empty temporary directory (no conftest, no ini file), with
plugin autoloading off and the plugin named with ``-p`` -- as the ``pytest11`` entry point loads it
when the package is installed, but independent of which copy of the package is installed here.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

import derivations

ROOT = Path(__file__).resolve().parent.parent
#: Seconds a pytest subprocess may take (section 5.1 at two examples per check takes ~10 s on a busy machine).
TIMEOUT = 600


def _pytest(tmp_path: Path, *args: str, plugins=("derivations.pytest_plugin",)) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1", "PYTHONDONTWRITEBYTECODE": "1"}
    env.pop("PYTEST_ADDOPTS", None)
    command = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-W", "error"]
    for plugin in plugins:
        command += ["-p", plugin]
    return subprocess.run(command + list(args), cwd=tmp_path, env=env, capture_output=True, text=True, timeout=TIMEOUT)


def test_importing_the_plugin_imports_no_sympy_hypothesis_or_registry():
    probe = (
        "import sys, derivations.pytest_plugin; "
        "heavy = [m for m in ('sympy', 'hypothesis', 'derivations.claims', 'derivations.backprop') if m in sys.modules]; "
        "assert not heavy, heavy"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe],
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr


def test_without_claims_a_pytest_run_loads_nothing_of_the_chapter(tmp_path):
    (tmp_path / "test_light.py").write_text(
        "import sys\n"
        "def test_light():\n"
        "    heavy = [m for m in ('sympy', 'hypothesis', 'derivations.claims') if m in sys.modules]\n"
        "    assert not heavy, heavy\n"
    )
    done = _pytest(tmp_path, "-q")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "1 passed" in done.stdout


def test_collects_every_claim_as_claim_id_in_chapter_order(tmp_path):
    done = _pytest(tmp_path, "--claims", "--collect-only", "-q")
    assert done.returncode == 0, done.stdout + done.stderr
    ids = [line.rsplit("::", 1)[-1] for line in done.stdout.splitlines() if "claim[" in line]
    assert ids == [f"claim[{c.id}]" for c in derivations.claims()]


def test_claims_section_narrows_repeatable_and_comma_list(tmp_path):
    done = _pytest(
        tmp_path, "--claims", "--claims-section", "5.2", "--claims-section", "5.1,5.2", "--collect-only", "-q"
    )
    assert done.returncode == 0, done.stdout + done.stderr
    ids = [line.rsplit("::", 1)[-1] for line in done.stdout.splitlines() if "claim[" in line]
    assert ids == [f"claim[{c.id}]" for c in derivations.claims() if c.section in ("5.1", "5.2")]
    assert len({c.section for c in derivations.claims()}) > 2  # so the filter did drop something


def test_an_unknown_section_is_a_usage_error_naming_the_known_ones(tmp_path):
    done = _pytest(tmp_path, "--claims", "--claims-section", "9.9")
    assert done.returncode == pytest.ExitCode.USAGE_ERROR
    assert "--claims-section '9.9' has no claims; known sections: 5.1, 5.2, 5.3, 5.4" in done.stderr


def test_claims_section_without_claims_is_a_usage_error(tmp_path):
    done = _pytest(tmp_path, "--claims-section", "5.3")
    assert done.returncode == pytest.ExitCode.USAGE_ERROR
    assert "--claims-section needs --claims" in done.stderr


def test_the_claims_of_a_section_pass(tmp_path):
    done = _pytest(tmp_path, "--claims", "--claims-section", "5.1", "--claims-examples", "2", "-v")
    assert done.returncode == 0, done.stdout + done.stderr
    section = [c for c in derivations.claims() if c.section == "5.1"]
    assert any(not c.expected for c in section)  # an erratum found passes too
    for c in section:
        assert f"claim[{c.id}] PASSED" in done.stdout


def test_under_xdist_every_worker_collects_the_same_items(tmp_path):
    pytest.importorskip("xdist")
    done = _pytest(
        tmp_path,
        "--claims",
        "--claims-section",
        "5.1",
        "--claims-examples",
        "1",
        "-n",
        "2",
        "-v",
        plugins=("derivations.pytest_plugin", "xdist.plugin"),
    )
    assert done.returncode == 0, done.stdout + done.stderr
    count = sum(c.section == "5.1" for c in derivations.claims())
    assert f"2 workers [{count} items]" in done.stdout  # xdist stops if the workers' collections differ
    assert done.stdout.count("PASSED") == count


#: A conftest registering one claim that fails and one erratum that the checks do not refute.
FAILING = """
from derivations.check import Check
from derivations.claims import register

@register("5.9.broken", title="a claim whose second check fails", latex="1 = 2")
def _broken(ctx):
    yield Check("symbolic", True, "the first check passes")
    yield Check("numeric", False, "1 - 2 = -1 is not zero", 1.0)

@register("note.5.9.unrefuted", title="Note: an erratum nothing refutes", latex="1 = 1", expected=False)
def _unrefuted(ctx):
    yield Check("symbolic", True, "1 - 1 = 0", refutes=True)  # tests the note's statement, which survives
"""


def test_a_failing_claim_prints_its_failing_checks(tmp_path):
    (tmp_path / "conftest.py").write_text(FAILING)
    done = _pytest(tmp_path, "--claims", "--claims-section", "5.9")
    assert done.returncode == pytest.ExitCode.TESTS_FAILED, done.stdout + done.stderr
    out = done.stdout
    assert "claim 5.9.broken does not hold: its failing checks" in out
    assert "[numeric: FAIL] 1 - 2 = -1 is not zero (max error 1)" in out
    assert "the first check passes" not in out  # only the failing checks
    assert "erratum note.5.9.unrefuted is undetermined" in out and "[symbolic: ok] 1 - 1 = 0" in out
    assert "Traceback" not in out and "pytest_plugin.py" not in out  # the checks, not the plugin's stack
    assert "2 failed" in out


def test_import_derivations_is_lazy_and_every_public_name_still_works():
    probe = (
        "import sys, derivations; "
        "assert not [m for m in ('sympy', 'hypothesis', 'derivations.claims') if m in sys.modules]; "
        "from derivations import backprop; "
        "assert derivations.backprop.dJ_dW1 is not None and 'sympy' in sys.modules; "
        "import derivations.claims as registry; assert callable(registry) and registry is derivations.claims; "
        "from derivations.claims import CLAIMS; "
        "ids = [c.id for c in derivations.claims()]; assert len(ids) == len(CLAIMS) and derivations.claim(ids[0]); "
        "assert {c.section for c in derivations.claims()} == {'5.1', '5.2', '5.3', '5.4'}; "
        "assert derivations.verify_chain(['x + x', '2*x']).ok and derivations.ChainResult and derivations.Result; "
        "assert derivations.Check('numeric', True, 'd').ok and derivations.Claim; "
        "print(' '.join(ids))"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe],
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == [c.id for c in derivations.claims()]


def test_the_chapter_order_does_not_depend_on_which_module_is_imported_first():
    probe = "import derivations.note, derivations.stability, derivations; print(' '.join(c.id for c in derivations.claims()))"
    done = subprocess.run(
        [sys.executable, "-c", probe],
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == [c.id for c in derivations.claims()]
