"""README.md: the two commands come first, the claim table matches the registry, the Python tour runs."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import derivations
from derivations import report

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"

#: The README's first code block, exactly (the issue fixes it; .ci/run reads the second line).
COMMANDS = (
    'python -m pip install ".[plots,train]" && mlp-derivations\n'
    'python -m pip install ".[plots,train,test]" && python -m pytest -n auto\n'
)


def test_readme_starts_with_the_two_install_commands():
    text = README.read_text(encoding="utf-8")
    first_block = text.split("```", 2)[1]
    assert first_block == "\n" + COMMANDS


def _readme_rows() -> dict[str, str]:
    block = README.read_text(encoding="utf-8").split(report.START)[1].split(report.END)[0]
    return {m.group(1): m.group(0) for m in re.finditer(r"^\| `([^`]+)` \|.*$", block, flags=re.MULTILINE)}


@pytest.mark.parametrize("claim", derivations.claims(), ids=lambda c: c.id)
def test_readme_row_of_each_claim_is_current(claim, verified):
    """The row as ``python -m derivations.report --write-readme`` writes it, from the session's verify run."""
    methods = [m for m in verified(claim.id).methods if m != "error"]
    expected = report.claims_table_markdown({c.id: methods if c.id == claim.id else [] for c in derivations.claims()})
    row = next(line for line in expected.splitlines() if line.startswith(f"| `{claim.id}` |"))
    assert _readme_rows().get(claim.id) == row, (
        "README.md's claim table is out of date: run python -m derivations.report --write-readme"
    )


def test_readme_table_has_the_generated_header():
    text = README.read_text(encoding="utf-8")
    header = "\n".join(report.claims_table_markdown({c.id: [] for c in derivations.claims()}).splitlines()[:2])
    assert text.split(report.START)[1].lstrip("\n").startswith(header)


def test_readme_table_lists_every_claim_id_once():
    text = README.read_text(encoding="utf-8")
    block = text.split(report.START)[1].split(report.END)[0]
    ids = re.findall(r"^\| `([^`]+)` \|", block, flags=re.MULTILINE)
    assert ids == [c.id for c in derivations.claims()]


def test_readme_with_table_rejects_a_readme_without_markers():
    with pytest.raises(ValueError, match="markers"):
        report.readme_with_table("# no markers here\n", "| table |")


PYTHON_BLOCKS = re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), flags=re.DOTALL)


@pytest.mark.parametrize("code", PYTHON_BLOCKS, ids=[f"block-{i}" for i in range(len(PYTHON_BLOCKS))])
def test_readme_python_examples_run(code, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    exec(compile(code, "README.md", "exec"), {"__name__": "readme"})


def test_ci_script_runs_the_readme_test_command_derandomized():
    """.ci/run picks the README's second command and runs it under the derandomized profile."""
    import subprocess

    script = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert 'export MLP_DERIVATIONS_PROFILE="${MLP_DERIVATIONS_PROFILE:-ci}"' in script
    pattern = re.search(r"grep -m1 -E '([^']+)' README.md", script).group(1)
    picked = subprocess.run(
        ["grep", "-m1", "-E", pattern, str(README)], capture_output=True, text=True, check=True
    ).stdout
    assert picked == COMMANDS.splitlines(keepends=True)[1]
    from hypothesis import settings

    assert settings.get_profile("ci").derandomize and settings.get_profile("ci").database is None
