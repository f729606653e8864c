"""numeric.plots and `mlp-derivations figures`: five valid PNGs of the stated size, drawn as issue 17 asks."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("matplotlib")

from numeric import plots  # noqa: E402

#: 1650 × 675 pixels: 11 × 4.5 in at the default 150 dpi, stated here independently of numeric.plots;
#: the activations figure has two rows, 11 × 6.5 in: 1650 × 975.
EXPECTED_SIZE = (1650, 675)
ACTIVATIONS_SIZE = (1650, 975)


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
    pytest.param(plots.activations_figure, {}, ACTIVATIONS_SIZE, id="a-activations"),
    pytest.param(plots.sigmoid_vanishing_figure, {}, EXPECTED_SIZE, id="b-sigmoid-vanishing"),
    pytest.param(
        plots.exploding_products_figure,
        {"samples": 200, "rng": np.random.default_rng(0)},
        EXPECTED_SIZE,
        id="c-exploding",
    ),
    pytest.param(plots.depth_variance_figure, {"depth": 8, "width": 32}, EXPECTED_SIZE, id="d-depth-variance"),
    pytest.param(
        lambda **kw: plots.training_curves_figure(_history(), **kw), {}, EXPECTED_SIZE, id="e-training-curves"
    ),
]
SIZES = {"activations.png": ACTIVATIONS_SIZE}


@pytest.mark.parametrize("make, kwargs, size", FIGURE_FUNCTIONS)
def test_each_figure_is_a_titled_png_of_the_expected_size(make, kwargs, size, tmp_path):
    fig = make(**kwargs)
    assert fig.get_suptitle()
    for ax in fig.axes:
        assert ax.get_xlabel() and ax.get_ylabel()
        assert ax.get_title() or len(fig.axes) == 1  # a single panel is named by the suptitle
    path = plots.save(fig, tmp_path / "figure.png")
    assert png_size(path) == size


@pytest.mark.parametrize("make, kwargs, size", FIGURE_FUNCTIONS)
def test_dpi_scales_every_figure(make, kwargs, size, tmp_path):
    path = plots.save(make(**kwargs, dpi=60), tmp_path / "figure.png")
    assert png_size(path) == (size[0] * 60 // 150, size[1] * 60 // 150)
    assert png_size(plots.save(make(**kwargs), tmp_path / "f.png", dpi=30)) == (size[0] // 5, size[1] // 5)


@pytest.mark.parametrize("dpi", [0, 5, 1.5, True, "150", 5000])
def test_a_bad_dpi_is_a_valueerror_naming_it(dpi):
    with pytest.raises(ValueError, match=r"dpi=.* expected an integer from 10 to 1200"):
        plots.activations_figure(dpi=dpi)


def test_relu_derivative_is_two_pieces_with_the_value_at_zero_marked():
    fig = plots.activations_figure()
    relu_prime = fig.axes[3]  # row 2, column 1
    assert relu_prime.get_title() == "ReLU′(x)"
    lines = relu_prime.get_lines()
    pieces = [line for line in lines if len(line.get_xdata()) > 1]
    assert len(pieces) == 2
    left, right = sorted(pieces, key=lambda line: line.get_xdata()[0])
    assert max(left.get_xdata()) < 0 and set(left.get_ydata()) == {0.0}  # no vertical jump drawn through 0
    assert min(right.get_xdata()) > 0 and set(right.get_ydata()) == {1.0}
    dots = {
        (float(line.get_xdata()[0]), float(line.get_ydata()[0])): line.get_markerfacecolor()
        for line in lines
        if len(line.get_xdata()) == 1
    }
    assert set(dots) == {(0.0, 0.0), (0.0, 1.0)}
    assert dots[(0.0, 1.0)] == "white" and dots[(0.0, 0.0)] != "white"  # filled: ReLU′(0) = 0; open: the limit
    assert any("ReLU′(0) = 0" in text for text in relu_prime.get_legend_handles_labels()[1])


def test_each_activation_panel_has_its_own_y_range():
    fig = plots.activations_figure()
    assert len(fig.axes) == 6
    ranges = [ax.get_ylim() for ax in fig.axes]
    relu_prime_lo, relu_prime_hi = ranges[3]
    assert relu_prime_hi - relu_prime_lo < 2  # ReLU′ in [0, 1] is not flattened by ReLU's [0, 8]
    assert ranges[0][1] > 7  # ReLU itself reaches 8 on [-8, 8)
    assert ranges[4][1] < 0.3  # sigmoid′ <= 1/4 on its own range


def test_depth_figure_shows_xavier_and_he_apart_on_a_bounded_range():
    fig = plots.depth_variance_figure(depth=12, width=64, rng=np.random.default_rng(0))
    for ax in fig.axes:
        lo, hi = ax.get_ylim()
        assert (lo, hi) == plots.DEPTH_YLIM and np.log10(hi / lo) <= 8  # not 10^-83 .. 10^5
        he_and_xavier = ax.get_lines()[2:6]  # the default's two curves come first
        visible = [np.asarray(line.get_ydata()) for line in he_and_xavier]
        assert any(np.all((v >= lo) & (v <= hi)) for v in visible)
    tanh_text = " ".join(t.get_text() for t in fig.axes[0].texts)
    assert "default activations: down to" in tanh_text  # the vanishing default says where it goes


def test_training_figure_names_its_dataset():
    fig = plots.training_curves_figure(_history(), dataset="digits (scikit-learn, 8x8)")
    assert "digits (scikit-learn, 8x8)" in fig.get_suptitle()


def test_figures_command_writes_the_five_pngs(tmp_path, capsys):
    from derivations.cli import main

    out = tmp_path / "figs"
    assert main(["figures", "--out", str(out)]) == 0
    names = sorted(p.name for p in out.iterdir())
    assert names == sorted(
        [
            "activations.png",
            "sigmoid_vanishing.png",
            "exploding_products.png",
            "depth_variance.png",
            "training_curves.png",
        ]
    )
    for name in names:
        assert png_size(out / name) == SIZES.get(name, EXPECTED_SIZE)
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
