"""`mlp-derivations verify`: the table, --json, the exit codes (0 as expected, 1 not, 2 bad usage)."""

import json
import os
import subprocess
import sys
import sysconfig
from pathlib import Path

import numpy as np
import pytest

import derivations
from derivations.cli import main
from numeric import activations as na


def test_verify_one_claim_prints_a_table_row_and_exits_zero(capsys):
    assert main(["verify", "--claim", "5.1.7"]) == 0
    out = capsys.readouterr().out
    header = out.splitlines()[0].split()
    assert header[:3] == ["id", "title", "methods"] and "verdict" in header and "time" in header
    assert any(line.startswith("5.1.7 ") and " ok " in line for line in out.splitlines())
    assert "1 of 1 claims as expected" in out


def test_verify_is_the_default_subcommand(capsys):
    assert main(["--claim", "5.1.ex5"]) == 0
    assert "5.1.ex5" in capsys.readouterr().out


def test_json_has_the_documented_schema(capsys):
    assert main(["verify", "--claim", "5.1.4", "--claim", "5.1.9", "--json", "--examples", "5", "--seed", "3"]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert [p["id"] for p in payload] == ["5.1.4", "5.1.9"]
    for p in payload:
        assert set(p) == {"id", "section", "title", "expected", "holds", "ok", "seconds", "checks"}
        assert p["section"] == "5.1" and p["ok"] is True and p["holds"] is True
        for c in p["checks"]:
            assert set(c) == {"method", "ok", "detail", "max_error"}
        assert {"symbolic", "finite-difference"} <= {c["method"] for c in p["checks"]}


def test_section_filter_selects_only_that_section(capsys):
    assert main(["verify", "--section", "5.1", "--json", "--examples", "2"]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert payload and {p["section"] for p in payload} == {"5.1"}
    assert {"5.1.4", "5.1.5", "5.1.6", "5.1.7", "5.1.8", "5.1.9", "5.1.ex5", "5.1.swish", "5.1.gelu"} <= {
        p["id"] for p in payload
    }


def test_exit_status_is_one_when_a_claim_does_not_verify(monkeypatch, capsys):
    original = na.sigmoid_grad
    monkeypatch.setattr(na, "sigmoid_grad", lambda v: 1.001 * original(v))
    assert main(["verify", "--claim", "5.1.7"]) == 1
    out = capsys.readouterr().out
    assert "FAILED" in out and "not as expected: 5.1.7" in out


@pytest.mark.parametrize(
    "argv, match",
    [
        pytest.param(["verify", "--claim", "9.9"], "--claim no claim '9.9'; known: 5.1.1", id="unknown-claim"),
        pytest.param(["verify", "--section", "7.7"], "--section '7.7' has no claims", id="unknown-section"),
        pytest.param(
            ["verify", "--examples", "0"], "--examples must be a positive integer, got '0'", id="examples-zero"
        ),
        pytest.param(
            ["verify", "--examples", "many"], "--examples must be a positive integer, got 'many'", id="examples-word"
        ),
        pytest.param(["verify", "--seed", "-4"], "--seed must be a non-negative integer, got '-4'", id="seed-negative"),
        pytest.param(["verify", "--colour"], "unrecognized arguments: --colour", id="unknown-flag"),
        pytest.param(
            ["verify", "--examples", "1000000000"],
            "--examples 1000000000 is too many; expected at most 100,000",
            id="examples-unbounded",
        ),
        pytest.param(
            ["verfiy"], "unknown command 'verfiy'; the commands are verify, list, chain", id="unknown-command"
        ),
        pytest.param(
            ["list", "--section", "7.7"], "--section '7.7' has no claims; known sections: 5.1", id="list-section"
        ),
    ],
)
def test_bad_usage_exits_two_with_one_line_naming_the_argument(argv, match, capsys):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert match in err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err


def test_the_console_script_and_python_dash_m_agree():
    # `python -m derivations` is the same command as `mlp-derivations`: exit 2 and one line for bad usage
    script = Path(sysconfig.get_path("scripts")) / "mlp-derivations"  # where pip put the console script
    assert script.exists(), f"console script not installed at {script}"
    runs = [
        subprocess.run([*cmd, "verify", "--claim", "nope"], capture_output=True, text=True)
        for cmd in ([sys.executable, "-m", "derivations"], [str(script)])
    ]
    for done in runs:
        assert done.returncode == 2 and "no claim 'nope'" in done.stderr and "Traceback" not in done.stderr
    assert runs[0].stderr == runs[1].stderr and runs[0].stdout == runs[1].stdout


def test_filters_that_select_nothing_are_bad_usage(capsys):
    # each filter is valid alone, but 5.1.4 is not in section 5.4: verifying nothing must not exit 0
    assert main(["verify", "--claim", "5.1.4", "--section", "5.4"]) == 2
    err = capsys.readouterr().err
    assert "no claim is both among --claim 5.1.4 and in --section 5.4" in err
    assert len(err.strip().splitlines()) == 1


def test_json_writes_a_non_finite_error_as_null(monkeypatch, capsys):
    # a broken derivative that returns inf: the measured error is inf, which strict JSON cannot hold
    original = na.sigmoid_grad
    monkeypatch.setattr(na, "sigmoid_grad", lambda v: original(v) + np.inf)
    assert main(["verify", "--claim", "5.1.7", "--json"]) == 1

    def refuse(token):
        raise AssertionError(f"non-standard JSON token {token}")

    payload = json.loads(capsys.readouterr().out, parse_constant=refuse)
    assert payload[0]["ok"] is False
    assert any(c["max_error"] is None and not c["ok"] for c in payload[0]["checks"])


def test_a_closed_pipe_ends_quietly():
    # `mlp-derivations verify --json | head -1`: the reader leaves early; no traceback, no "Exception ignored"
    # (the reader is gone before the first write, so every write meets a broken pipe: no race)
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        done = subprocess.run(
            [sys.executable, "-m", "derivations", "verify", "--claim", "5.1.4", "--json"],
            stdout=write_end,
            stderr=subprocess.PIPE,
            text=True,
        )
    finally:
        os.close(write_end)
    assert done.returncode == 1 and done.stderr == ""


def test_every_claim_has_a_section_title_and_latex():
    for c in derivations.claims():
        assert c.section and c.title and c.latex, c.id
        assert c._repr_latex_().startswith("$")


def test_version_prints_the_distribution_version(capsys):
    from derivations.cli import version

    with pytest.raises(SystemExit) as stop:
        main(["--version"])
    assert stop.value.code == 0
    assert capsys.readouterr().out.strip() == f"mlp-derivations {version()}"
    assert version() != ""


def test_list_names_every_claim_in_chapter_order_without_verifying(capsys, monkeypatch):
    def no_verify(*args, **kwargs):
        raise AssertionError("list must not verify")

    from derivations.claims import Claim

    monkeypatch.setattr(Claim, "verify", no_verify)
    assert main(["list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split()[0] for line in lines] == [c.id for c in derivations.claims()]
    assert any(line.startswith("note.5.1.collapse") and "(erratum of the study note)" in line for line in lines)
    assert main(["list", "--section", "5.3"]) == 0
    assert {line.split()[0] for line in capsys.readouterr().out.splitlines()} == {
        c.id for c in derivations.claims() if c.section == "5.3"
    }


def test_the_table_wraps_long_titles_instead_of_cutting_them(capsys):
    assert main(["verify", "--claim", "note.5.1.collapse"]) == 0
    out = capsys.readouterr().out
    claim = derivations.claim("note.5.1.collapse")
    assert "…" not in out
    rows = []
    for line in out.splitlines()[2:]:
        if line.lstrip().startswith(("✓", "✗")):
            break
        rows.append(line)
    title_column = " ".join(line[len("note.5.1.collapse") + 2 :][:44].strip() for line in rows)
    assert len(rows) > 1  # the title took more than one line
    assert " ".join(claim.title.split()) in " ".join(title_column.split())


def test_an_erratum_found_reads_as_the_notes_step_failing_not_as_a_failure(capsys):
    assert main(["verify", "--claim", "note.5.1.collapse"]) == 0
    out = capsys.readouterr().out
    assert "erratum found" in out and "FAIL" not in out
    assert "✗ the note's step 3 fails (shape): note's chain" in out


def test_chain_symbol_declares_a_domain(capsys):
    assert main(["chain", "sqrt(p**2)", "p", "--symbol", "p=positive"]) == 0
    assert main(["chain", "sqrt(p**2)", "p"]) == 1  # p real by default: refuted at p = -1
    assert "  p = -1" in capsys.readouterr().out
    assert main(["chain", "x", "x", "--symbol", "p"]) == 2
    assert "--symbol 'p' is not NAME=DOMAIN" in capsys.readouterr().err


def test_report_writes_a_self_contained_page(tmp_path, capsys):
    page = tmp_path / "r.html"
    assert (
        main(["report", "--html", str(page), "--section", "5.1", "--no-figures", "--jobs", "1", "--examples", "2"]) == 0
    )
    assert f"wrote {page}" in capsys.readouterr().out
    html = page.read_text(encoding="utf-8")
    assert (
        "<math" in html
        and "5.1.7" in html
        and "<script" not in html
        and "http://" not in html.replace("http://www.w3.org/1998/Math/MathML", "")
    )
    assert main(["report", "--html", str(tmp_path / "missing" / "r.html")]) == 2


@pytest.mark.parametrize("command", [["figures", "--out", "x"], ["train", "--epochs", "1"]])
def test_dpi_out_of_range_is_bad_usage(command, capsys):
    assert main([*command, "--dpi", "5"]) == 2
    assert "--dpi must be an integer from 10 to 1200, got '5'" in capsys.readouterr().err


def test_help_imports_neither_sympy_nor_numpy():
    """`mlp-derivations --help` stays fast (benchmarks/bench_import.py times it): the parser needs no NumPy."""
    code = (
        "import sys; from derivations.cli import main\n"
        "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
        "print(sorted(m for m in ('sympy', 'numpy', 'hypothesis') if m in sys.modules))"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert proc.stdout.strip().splitlines()[-1] == "[]"
