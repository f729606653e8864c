"""examples/chapter5.ipynb: stored without outputs, runs top to bottom, shows LaTeX, HTML tables and a figure;
its HTML export loads no remote script (MathJax from the local copy in jupyter-server-mathjax)."""

from __future__ import annotations

import re
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
    html = [out["data"]["text/html"] for out in outputs if "text/html" in out.get("data", {})]
    assert any("5.2.train" in h and "✓" in h for h in html)  # Result._repr_html_
    assert any("step 2 fails" in h and "✗" in h and "<code>(W2*W1)*x + b2</code>" in h for h in html)  # ChainResult
    # the gradients in the book's notation, not SymPy's (d ↦ φ(d))∘(...) with a D0phi
    assert any(r"\odot \phi'\left(W_{1} x\right)" in t for t in latex)
    assert not any("D0phi" in t or "mapsto" in t for t in latex)
    _check_html_export(nb, tmp_path)


#: A <script> that loads from the network (http:, https:, or protocol-relative //host).
REMOTE_SCRIPT = re.compile(r"""<script[^>]*\ssrc\s*=\s*["']?(?:https?:)?//""", re.I)


def test_the_remote_script_pattern_catches_a_cdn():
    assert REMOTE_SCRIPT.search('<script src="https://cdnjs.cloudflare.com/ajax/libs/mathjax/2.7.7/MathJax.js">')
    assert REMOTE_SCRIPT.search("<script type='text/javascript' src='//cdn.example/x.js'>")
    assert not REMOTE_SCRIPT.search('<script src="file:///x/MathJax.js?config=TeX-AMS_CHTML-full">')


def _check_html_export(nb, tmp_path: Path) -> None:
    """Export the executed notebook to HTML with MathJax from jupyter-server-mathjax's copy: no remote script."""
    nbconvert = pytest.importorskip("nbconvert")
    mathjax = pytest.importorskip("jupyter_server_mathjax")
    local = Path(mathjax.__file__).parent / "static" / "MathJax.js"
    assert local.is_file(), local
    # require.js (nbconvert's default comes from a CDN) serves only widget and JavaScript outputs, which this
    # notebook has none of: an empty data: script stands in for it.
    exporter = nbconvert.HTMLExporter(
        mathjax_url=f"{local.as_uri()}?config=TeX-AMS_CHTML-full,Safe", require_js_url="data:text/javascript,"
    )
    body, _ = exporter.from_notebook_node(nb)
    (tmp_path / "chapter5.html").write_text(body, encoding="utf-8")
    remote = REMOTE_SCRIPT.findall(body)
    assert remote == [], remote
    assert local.as_uri() in body  # MathJax is there, from the local copy
    assert "\\partial J" in body or r"\partial J" in body  # the formulas are there for it to typeset
