"""examples/chapter5.ipynb: stored without outputs, runs top to bottom, shows LaTeX and a figure."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")

NOTEBOOK = Path(__file__).resolve().parent.parent / "examples" / "chapter5.ipynb"

#: Seconds a cell may take before the run counts as hung (every cell takes a few seconds at most).
CELL_TIMEOUT = 120


def test_notebook_is_stored_without_outputs():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, cell.source[:60]


@pytest.mark.notebook
def test_notebook_runs_and_shows_latex_and_a_figure(tmp_path):
    nb = nbformat.read(NOTEBOOK, as_version=4)
    # Kernel "python3": jupyter_client starts it with sys.executable (it replaces the spec's "python"), so the
    # notebook sees this environment's packages.  nbclient owns and shuts down the kernel and its sockets.
    client = nbclient.NotebookClient(
        nb, kernel_name="python3", timeout=CELL_TIMEOUT, resources={"metadata": {"path": str(tmp_path)}}
    )
    client.execute()
    outputs = [out for cell in nb.cells if cell.cell_type == "code" for out in cell.outputs]
    errors = [out for out in outputs if out.output_type == "error"]
    assert not errors, errors[0]["evalue"] if errors else ""
    mimes = [mime for out in outputs for mime in out.get("data", {})]
    assert "text/latex" in mimes
    latex = [out["data"]["text/latex"] for out in outputs if "text/latex" in out.get("data", {})]
    assert any("5.3.11" in text for text in latex)
    assert "image/png" in mimes
    text = "".join(out.get("text", "") for out in outputs if out.output_type == "stream")
    assert "5.2.train: ok" in text and "first failing step: index 1," in text
    assert sys.executable in text  # the first cell prints the kernel's interpreter
