"""The HTML report (derivations/report_html.py): one self-contained page, read in a real browser.

The unit tests render pages from results made here (no verification); the ``browser`` tests write
the real page (verified claims, the chapter's figures) once and load it in headless Chromium.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

import derivations
from derivations import html
from derivations.check import Check
from derivations.claims import Result
from derivations.report_html import errata_parts, render_html, write_html

#: What would make the page fetch something: a src/href/url() to anything but data: or an anchor, or a script.
EXTERNAL = re.compile(r"""(?:src|href)\s*=\s*(?!["']?(?:data:|#))|url\(\s*(?!["']?data:)|<script|<link|@import""", re.I)


def _fake_pairs():
    """(claim, result) for one claim that holds, one that fails, an erratum found: results made here, not verified."""
    ok, bad, erratum = derivations.claim("5.1.7"), derivations.claim("5.3.14"), derivations.claim("note.5.1.collapse")
    return [
        (ok, Result(ok.id, True, True, [Check("symbolic", True, "proved: lhs - rhs = 0")], 0.5)),
        (
            bad,
            Result(
                bad.id,
                True,
                False,
                [Check("symbolic", True, "fine"), Check("numeric", False, "dJ/dW1 differs at <entry 0,1>", 0.25)],
                1.5,
            ),
        ),
        (
            erratum,
            Result(erratum.id, False, False, [Check("symbolic", False, "step 3 fails: W x + b1 != W x + b")], 0.1),
        ),
    ]


def _tiny_png() -> bytes:
    pytest.importorskip("matplotlib")
    import io

    from matplotlib.figure import Figure

    fig = Figure(figsize=(1, 1), dpi=20)
    fig.subplots().plot([0, 1], [0, 1])
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    return buffer.getvalue()


def test_the_page_has_no_script_and_no_external_reference():
    page = render_html(_fake_pairs(), figures={"line.png": _tiny_png()})
    assert not EXTERNAL.search(page), EXTERNAL.search(page)
    assert 'src="data:image/png;base64,' in page
    assert page.count("<math ") >= 3 + 5  # each claim's statement, the five derived gradients


def test_the_external_reference_pattern_catches_what_it_must():
    for bad in (
        '<img src="https://x.org/a.png">',
        "<link rel=stylesheet href='x.css'>",
        "<script>1</script>",
        "a{background:url(http://x)}",
        "@import 'x.css'",
        '<a href="http://x.org">',
    ):
        assert EXTERNAL.search(bad), bad
    for fine in ('<img src="data:image/png;base64,AAA">', '<a href="#c-5.1.7">', '<math xmlns="http://w3">'):
        assert not EXTERNAL.search(fine), fine


def test_the_claim_table_is_by_section_with_verdicts_methods_errors_and_times():
    page = render_html(_fake_pairs(), figures={})
    assert "Section 5.1" in page and "Section 5.3" in page and page.index("Section 5.1") < page.index("Section 5.3")
    assert "FAILS" in page and "NOT as expected: 5.3.14" in page  # a failing claim is shown failing
    assert "2 of 3 claims as expected (1 errata of the study note found)" in page
    assert "0.25" in page and "1.50 s" in page and "numeric, symbolic" not in page  # methods in METHODS order
    assert "symbolic, numeric" in page
    assert "dJ/dW1 differs at &lt;entry 0,1&gt;" in page  # detail lines escaped


def test_errata_show_the_notes_words_the_correction_and_what_refutes_it():
    page = render_html(_fake_pairs(), figures={})
    errata = page[page.index('id="errata"') :]
    words, correction = errata_parts(derivations.claim("note.5.1.collapse").title)
    assert words == "collapse ends in W x + b1" and correction.startswith("W x + b, b = W2 b1 + b2")
    assert f"<b>The note says:</b> {html.escape(words)}" in errata
    assert f"<b>Correction:</b> {html.escape(correction)}" in errata
    assert "step 3 fails" in errata and "erratum found" in errata


def test_errata_parts_without_a_correction_keeps_the_title():
    assert errata_parts("Note: something odd") == ("something odd", None)


def test_the_derived_gradients_are_in_the_books_notation():
    page = render_html(_fake_pairs(), figures={})
    gradients = page[page.index('id="gradients"') :]
    assert "&#x02299;" in gradients or "⊙" in gradients  # the Hadamard product as ⊙
    assert "elementwiseapplyfunction" not in gradients.lower() and "D0phi" not in gradients
    assert "&#x02032;" in gradients or "′" in gradients or "&#x02032" in gradients  # φ′


def test_write_html_verifies_missing_results_and_writes_one_file(tmp_path):
    claim = derivations.claim("5.1.9")
    path = write_html(tmp_path / "r.html", claims=[claim], figures=False, examples=1)
    page = path.read_text(encoding="utf-8")
    assert "1 of 1 claims as expected" in page and "5.1.9" in page
    assert not EXTERNAL.search(page)


# -- a real browser --------------------------------------------------------------------------------------

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
#: Flags that keep Chromium's own services quiet and make every host name unresolvable, so a page
#: that tried to fetch anything would fail to -- and the net log would still record the attempt.
FLAGS = [
    "--headless",
    "--disable-gpu",
    "--no-sandbox",
    "--hide-scrollbars",
    "--no-first-run",
    "--host-resolver-rules=MAP * ~NOTFOUND",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--disable-extensions",
]
browser = pytest.mark.skipif(CHROMIUM is None, reason="no chromium binary (Debian: apt-get install chromium)")

#: Appended to a COPY of the page (the real page has no script): writes each <math> element's layout box.
PROBE = """<script>
const boxes = [...document.getElementsByTagName("math")].map(m => {
  const r = m.getBoundingClientRect(); return [r.width, r.height, m.children.length]; });
const pre = document.createElement("pre"); pre.id = "probe"; pre.textContent = JSON.stringify(boxes);
document.body.appendChild(pre);
</script>"""


def _chromium(*args: str, timeout: int = 180) -> subprocess.CompletedProcess:
    return subprocess.run([CHROMIUM, *FLAGS, *args], capture_output=True, text=True, timeout=timeout)


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> Path:
    """The real page: a few claims of every section verified, the chapter's figures embedded."""
    pytest.importorskip("matplotlib")
    chosen = [
        c
        for c in derivations.claims()
        if c.id in ("5.1.4", "5.1.7", "note.5.1.collapse", "5.2.params", "5.3.14", "5.4.6", "note.5.4.symmetry")
    ]
    return write_html(tmp_path_factory.mktemp("report") / "report.html", claims=chosen, examples=1)


def _page_requests(net_log: Path) -> list[str]:
    """URLs the PAGE asked for (requests keyed to the file:// site), from Chromium's net log."""
    log = json.loads(net_log.read_text())
    start = log["constants"]["logEventTypes"]["URL_REQUEST_START_JOB"]
    return [
        e["params"]["url"]
        for e in log["events"]
        if e["type"] == start and "file://" in str(e["params"].get("network_isolation_key", ""))
    ]


@browser
@pytest.mark.browser
def test_chromium_lays_out_every_formula_with_a_nonzero_size(report, tmp_path):
    probe = tmp_path / "probe.html"
    probe.write_text(report.read_text(encoding="utf-8").replace("</body>", PROBE + "</body>"), encoding="utf-8")
    done = _chromium("--virtual-time-budget=5000", "--dump-dom", probe.as_uri())
    found = re.search(r'<pre id="probe">([^<]*)</pre>', done.stdout)
    assert found, done.stderr[-2000:]
    boxes = json.loads(found.group(1))
    assert len(boxes) == report.read_text(encoding="utf-8").count("<math ")
    assert all(w > 0 and h > 0 and n > 0 for w, h, n in boxes), [b for b in boxes if not (b[0] > 0 and b[1] > 0)]
    # MathML laid out as math, not as unknown inline text: a display formula is a block as wide as its box
    assert max(h for _, h, _ in boxes) > 25  # fractions (d/dx, ∂J/∂W1) are taller than a line of text


@browser
@pytest.mark.browser
def test_chromium_loads_the_page_with_no_network_request(report, tmp_path):
    net_log = tmp_path / "net.json"
    shot = tmp_path / "report.png"
    done = _chromium(f"--log-net-log={net_log}", f"--screenshot={shot}", "--window-size=1200,2400", report.as_uri())
    assert shot.exists() and shot.stat().st_size > 10_000, done.stderr[-2000:]
    requests = _page_requests(net_log)
    assert [u for u in requests if not u.startswith(("file:", "data:"))] == []


@browser
@pytest.mark.browser
def test_the_net_log_check_sees_a_page_that_fetches(tmp_path):
    page = tmp_path / "fetches.html"
    page.write_text('<html><body><img src="https://example.org/x.png"></body></html>')
    net_log = tmp_path / "net.json"
    _chromium(f"--log-net-log={net_log}", "--virtual-time-budget=2000", "--dump-dom", page.as_uri())
    assert "https://example.org/x.png" in _page_requests(net_log)
