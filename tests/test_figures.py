"""numeric.plots and `mlp-derivations figures`: five valid PNGs of the stated size."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("matplotlib")

from numeric import plots  # noqa: E402

#: 1100 × 450 pixels: FIGSIZE (11 × 4.5 in) at 100 dpi, stated here independently of numeric.plots.
EXPECTED_SIZE = (1100, 450)


def png_size(path: Path) -> tuple[int, int]:
    """(width, height) of a PNG after checking its signature and the IHDR chunk's CRC."""
    blob = path.read_bytes()
    assert blob[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    length, kind = struct.unpack(">I4s", blob[8:16])
    assert kind == b"IHDR" and length == 13  # the IHDR chunk is always 13 bytes
    body = blob[16 : 16 + length]
    (crc,) = struct.unpack(">I", blob[16 + length : 20 + length])
    assert zlib.crc32(kind + body) == crc, f"{path}: corrupt IHDR"
    assert blob.endswith(b"IEND\xaeB`\x82"), f"{path}: no IEND chunk, truncated"
    return struct.unpack(">II", body[:8])


def _history():
    from numeric.training import EpochStats

    return [EpochStats(k, 2.3 / k, 2.4 / k, 1 - 0.9 / k, 0.01) for k in range(1, 6)]


FIGURE_FUNCTIONS = [
    pytest.param(plots.activations_figure, {}, id="a-activations"),
    pytest.param(plots.sigmoid_vanishing_figure, {}, id="b-sigmoid-vanishing"),
    pytest.param(plots.exploding_products_figure, {"samples": 200, "rng": np.random.default_rng(0)}, id="c-exploding"),
    pytest.param(plots.depth_variance_figure, {"depth": 8, "width": 32}, id="d-depth-variance"),
    pytest.param(lambda: plots.training_curves_figure(_history()), {}, id="e-training-curves"),
]


@pytest.mark.parametrize("make, kwargs", FIGURE_FUNCTIONS)
def test_each_figure_is_a_titled_png_of_the_expected_size(make, kwargs, tmp_path):
    fig = make(**kwargs)
    assert fig.get_suptitle()
    for ax in fig.axes:
        assert ax.get_xlabel() and ax.get_ylabel()
        assert ax.get_title() or len(fig.axes) == 1  # a single panel is named by the suptitle
    path = plots.save(fig, tmp_path / "figure.png")
    assert png_size(path) == EXPECTED_SIZE


def test_figures_command_writes_the_five_pngs(tmp_path, capsys):
    from derivations.cli import main

    out = tmp_path / "figs"
    assert main(["figures", "--out", str(out)]) == 0
    names = sorted(p.name for p in out.iterdir())
    assert names == sorted(
        ["activations.png", "sigmoid_vanishing.png", "exploding_products.png", "depth_variance.png", "training_curves.png"]
    )
    for name in names:
        assert png_size(out / name) == EXPECTED_SIZE
    assert capsys.readouterr().out.count("wrote ") == 5


def test_figures_command_into_an_unwritable_place_prints_one_line(tmp_path, capsys, monkeypatch):
    from derivations.cli import main

    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    import derivations.training

    def no_training(seed):
        raise AssertionError("the output directory must be checked before the training run")

    monkeypatch.setattr(derivations.training, "default_run", no_training)
    assert main(["figures", "--out", str(blocker / "sub")]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and str(blocker / "sub") in err


def test_training_curves_of_an_empty_history_raise_valueerror():
    with pytest.raises(ValueError, match="history is empty"):
        plots.training_curves_figure([])


def test_exploding_figure_marks_the_lyapunov_prediction_and_the_note_value():
    fig = plots.exploding_products_figure(samples=100, rng=np.random.default_rng(1))
    labels = fig.axes[0].get_legend_handles_labels()[1]
    # 101 · λ / ln 10 with λ = ½ (ln 2 + ψ(2)) = ½ (ln 2 + 1 - γ) ≈ 0.5580 for n = 4
    lam = 0.5 * (np.log(2) + 1 - np.euler_gamma)
    assert any(f"{101 * lam / np.log(10):.1f}" in label for label in labels)
    assert any("3.81e21" in label for label in labels)
