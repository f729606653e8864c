"""numeric.training: the book's MLPScratch and minibatch SGD (claims 5.2.params, 5.2.train)."""

from __future__ import annotations

import json
import math
import re
import struct
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from numeric.data import Dataset
from numeric.training import EpochStats, MLPScratch, evaluate, train

#: A toy problem small enough for exact reasoning: 12 rows, 5 inputs, 3 classes.
N_ROWS, N_IN, N_OUT, N_HID = 12, 5, 3, 4

#: Batch sizes from 1 to beyond the 12 rows (a single batch then holds them all).
BATCH_SIZES = st.integers(min_value=1, max_value=20)


def toy_data(seed: int = 0, dtype=np.float64) -> Dataset:
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((N_ROWS, N_IN)).astype(dtype)
    y = rng.integers(0, N_OUT, N_ROWS)
    return Dataset("toy", X, y, X[:5].copy(), y[:5].copy(), num_classes=N_OUT)


def test_book_model_has_203530_parameters_in_the_books_shapes():
    model = MLPScratch(rng=np.random.default_rng(0))
    assert [p.shape for p in model.params] == [(784, 256), (256,), (256, 10), (10,)]
    assert model.num_params == 203_530 == sum(p.size for p in model.params)
    assert model.lr == 0.1 and model.sigma == 0.01


def test_book_model_weights_are_normal_with_sigma_001_and_biases_zero():
    model = MLPScratch(rng=np.random.default_rng(0))
    W1, b1, W2, b2 = model.params
    assert not b1.any() and not b2.any()
    # Sample std of n = 200,704 N(0, σ²) draws: relative sd 1/sqrt(2n) = 0.0016, so
    # 1% is over 6 sd (false alarm < 1e-9); a wrong sigma such as 0.011 is always caught.
    assert abs(W1.std() / 0.01 - 1) < 0.01
    assert abs(W1.mean()) < 6 * 0.01 / math.sqrt(W1.size)  # 6 sd of the sample mean
    model = MLPScratch(rng=np.random.default_rng(0), sigma=0.5)
    assert abs(model.params[0].std() / 0.5 - 1) < 0.01


def test_forward_is_relu_of_affine_then_affine_row_major():
    model = MLPScratch(N_IN, N_OUT, N_HID, sigma=1.0, rng=np.random.default_rng(1))
    for p in model.params[1::2]:
        p[...] = np.arange(p.size) - 1.5  # nonzero biases so their broadcast is exercised
    X = toy_data().X_train
    W1, b1, W2, b2 = model.params
    expected = np.maximum(X @ W1 + b1, 0) @ W2 + b2
    np.testing.assert_allclose(
        model.forward(X), expected, rtol=1e-13, atol=1e-13
    )  # same ops, summation order may differ


def test_one_full_batch_epoch_is_one_gradient_step():
    data = toy_data()
    model = MLPScratch(N_IN, N_OUT, N_HID, sigma=0.3, rng=np.random.default_rng(2))
    before = [p.copy() for p in model.params]
    _, grads = model.loss_and_grads(data.X_train, data.y_train)
    train(model, data, epochs=1, lr=0.5, batch_size=N_ROWS, rng=np.random.default_rng(3))
    for p, p0, g in zip(model.params, before, grads):
        # the step's rows come shuffled, so sums run in another order: a few ulps of |g|
        np.testing.assert_allclose(p, p0 - 0.5 * g, rtol=0, atol=1e-14)


@given(batch_size=BATCH_SIZES)
def test_every_epoch_visits_every_row_once_in_batches_of_batch_size(batch_size):
    data = toy_data()
    seen = []
    model = MLPScratch(N_IN, N_OUT, N_HID, rng=np.random.default_rng(0))
    history = train(model, data, epochs=2, batch_size=batch_size, rng=np.random.default_rng(0), progress=seen.append)
    per_epoch = [batch_size] * (N_ROWS // batch_size) + ([N_ROWS % batch_size] if N_ROWS % batch_size else [])
    assert seen == per_epoch * 2
    assert [s.epoch for s in history] == [1, 2]


def test_shuffling_comes_from_the_passed_generator():
    def run(seed):
        model = MLPScratch(N_IN, N_OUT, N_HID, sigma=0.3, rng=np.random.default_rng(0))
        return train(model, toy_data(), epochs=3, batch_size=5, rng=np.random.default_rng(seed))

    same, again, other = run(7), run(7), run(8)
    assert [s.train_loss for s in same] == [s.train_loss for s in again]
    assert [s.train_loss for s in same] != [s.train_loss for s in other]


def test_callback_gets_one_record_per_epoch_with_the_reported_fields():
    got = []
    model = MLPScratch(N_IN, N_OUT, N_HID, rng=np.random.default_rng(0))
    history = train(model, toy_data(), epochs=3, batch_size=4, rng=np.random.default_rng(0), callback=got.append)
    assert got == history and all(isinstance(s, EpochStats) for s in got)
    assert set(got[0].as_dict()) == {"epoch", "train_loss", "val_loss", "val_acc", "seconds"}
    assert all(0 <= s.val_acc <= 1 and s.seconds >= 0 and s.val_loss > 0 for s in got)


def test_evaluate_of_an_all_zero_model_is_ln_q_and_the_share_of_class_zero():
    data = toy_data()
    model = MLPScratch(N_IN, N_OUT, N_HID, rng=np.random.default_rng(0))
    for p in model.params:
        p[...] = 0
    loss, acc = evaluate(model, data.X_train, data.y_train)
    assert loss == pytest.approx(math.log(N_OUT), rel=1e-15)  # equal logits: CE = ln q exactly up to rounding
    assert acc == np.mean(data.y_train == 0)  # argmax of equal logits is class 0


def test_training_a_float32_model_on_float32_data_stays_float32():
    data = toy_data(dtype=np.float32)
    model = MLPScratch(N_IN, N_OUT, N_HID, rng=np.random.default_rng(0), dtype=np.float32)
    train(model, data, epochs=2, batch_size=5, rng=np.random.default_rng(0))
    assert all(p.dtype == np.float32 for p in model.params)


def test_default_digits_run_lowers_the_loss_every_epoch_and_reaches_095():
    from derivations.training import DEFAULT_EPOCHS, default_run

    data, history = default_run(0)
    assert len(history) == DEFAULT_EPOCHS
    losses = [s.train_loss for s in history]
    assert all(b < a for a, b in zip(losses, losses[1:]))
    assert losses[0] < math.log(10) + 0.01  # starts near ln 10: tiny weights give near-equal logits
    assert history[-1].val_acc >= 0.95


def _bad_model(**kwargs):
    MLPScratch(**({"num_inputs": N_IN, "num_outputs": N_OUT, "num_hiddens": N_HID} | kwargs))


def _bad_train(**kwargs):
    args = {"epochs": 1, "batch_size": 4, "rng": np.random.default_rng(0)} | kwargs
    train(MLPScratch(N_IN, N_OUT, N_HID, rng=np.random.default_rng(0)), toy_data(), **args)


BAD_ARGUMENTS = [
    pytest.param(_bad_model, {"num_hiddens": 0}, "num_hiddens=0", id="zero-hidden-units"),
    pytest.param(_bad_model, {"sigma": -0.01}, "sigma=-0.01", id="negative-sigma"),
    pytest.param(_bad_model, {"lr": math.nan}, "lr=nan", id="nan-lr"),
    pytest.param(_bad_model, {"rng": 42}, "rng=42 is a int; expected a numpy.random.Generator", id="int-rng-model"),
    pytest.param(_bad_train, {"epochs": 0}, "epochs=0", id="zero-epochs"),
    pytest.param(_bad_train, {"batch_size": 2.5}, "batch_size=2.5", id="float-batch-size"),
    pytest.param(_bad_train, {"lr": -1.0}, "lr=-1.0", id="negative-lr"),
    pytest.param(_bad_train, {"rng": 7}, "rng=7 is a int", id="int-rng-train"),
]


@pytest.mark.parametrize("call, kwargs, match", BAD_ARGUMENTS)
def test_bad_arguments_raise_valueerror_naming_them(call, kwargs, match):
    with pytest.raises(ValueError, match=match):
        call(**kwargs)


def test_validation_inputs_of_another_width_raise_valueerror_before_training():
    data = toy_data()
    bad = Dataset("bad", data.X_train, data.y_train, data.X_val[:, :-1], data.y_val)
    with pytest.raises(ValueError, match="validation inputs have 4 columns but training inputs have 5"):
        train(MLPScratch(N_IN, N_OUT, N_HID), bad, epochs=1, rng=np.random.default_rng(0))


def test_mismatched_labels_raise_valueerror_naming_the_shapes():
    data = toy_data()
    bad = Dataset("bad", data.X_train, data.y_train[:-1], data.X_val, data.y_val)
    with pytest.raises(ValueError, match=r"training labels have shape \(11,\) but the inputs have 12 rows"):
        train(MLPScratch(N_IN, N_OUT, N_HID), bad, epochs=1, rng=np.random.default_rng(0))


@pytest.mark.parametrize("lr", [1e6, 1e300], ids=["lr-1e6", "lr-1e300"])
def test_a_diverging_run_raises_floatingpointerror_naming_lr_instead_of_reporting_nan(lr):
    model = MLPScratch(N_IN, N_OUT, N_HID, sigma=1.0, rng=np.random.default_rng(0))
    with pytest.raises(FloatingPointError, match="diverged.*" + re.escape(f"lr={lr}")):
        train(model, toy_data(), epochs=50, lr=lr, batch_size=4, rng=np.random.default_rng(0))


def test_train_command_with_a_diverging_lr_prints_one_line(capsys):
    from derivations.cli import main

    assert main(["train", "--lr", "1e300", "--epochs", "3", "--json"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "diverged" in err and "lr=1e+300" in err


@pytest.mark.parametrize("first", ["numeric.training", "numeric.mlp", "numeric"])
def test_mlpscratch_and_train_import_from_numeric_mlp_whichever_module_loads_first(first):
    code = (
        f"import {first}; from numeric.mlp import MLPScratch, train; import numeric.training as t; "
        "assert MLPScratch is t.MLPScratch and train is t.train"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


# --- the `mlp-derivations train` command ----------------------------------------------------------

#: A small folder in the Fashion-MNIST layout: 28×28 images, 300 for training and 100 for validation.
IDX_TRAIN, IDX_VAL, SIDE = 300, 100, 28


def write_idx_folder(directory, seed: int = 0) -> None:
    """The four standard files, written with struct (independently of numeric.data); class k is bright in stripe k."""
    rng = np.random.default_rng(seed)
    for prefix, n in (("train", IDX_TRAIN), ("t10k", IDX_VAL)):
        labels = rng.integers(0, 10, n)
        images = rng.integers(0, 60, (n, SIDE, SIDE))  # 60: dim background noise
        for i, k in enumerate(labels):
            images[i, 2 * k + 4 : 2 * k + 6, :] = 255  # rows 4..23: a learnable stripe per class
        (directory / f"{prefix}-images-idx3-ubyte").write_bytes(
            struct.pack(">4i", 2051, n, SIDE, SIDE) + images.astype(np.uint8).tobytes()
        )
        (directory / f"{prefix}-labels-idx1-ubyte").write_bytes(
            struct.pack(">2i", 2049, n) + labels.astype(np.uint8).tobytes()
        )


def test_train_command_on_an_idx_folder_trains_and_prints_json(tmp_path, capsys):
    from derivations.cli import main

    write_idx_folder(tmp_path)
    status = main(
        ["train", "--data-dir", str(tmp_path), "--epochs", "3", "--lr", "0.5", "--batch-size", "32", "--json"]
    )
    out, err = capsys.readouterr()
    assert status == 0, err
    report = json.loads(out)
    assert str(tmp_path) in report["dataset"] and "Fashion-MNIST" in report["dataset"]
    assert [e["epoch"] for e in report["epochs"]] == [1, 2, 3]
    assert set(report["epochs"][0]) == {"epoch", "train_loss", "val_loss", "val_acc", "seconds"}
    assert report["epochs"][-1]["train_loss"] < report["epochs"][0]["train_loss"]
    assert err == ""  # no progress bar off a terminal


def test_train_command_with_a_truncated_file_prints_one_line_naming_it(tmp_path, capsys):
    from derivations.cli import main

    write_idx_folder(tmp_path)
    path = tmp_path / "t10k-images-idx3-ubyte"
    path.write_bytes(path.read_bytes()[:1000])
    assert main(["train", "--data-dir", str(tmp_path)]) == 1
    out, err = capsys.readouterr()
    assert err.count("\n") == 1 and str(path) in err and "truncated" in err and "Traceback" not in err


@pytest.mark.parametrize(
    "argv, status, match",
    [
        pytest.param(["--data-dir", "/no/such/dir"], 1, "/no/such/dir: no such directory", id="missing-dir"),
        pytest.param(["--lr", "-1"], 2, "--lr must be a finite number > 0", id="negative-lr"),
        pytest.param(["--epochs", "0"], 2, "--epochs must be a positive integer", id="zero-epochs"),
        pytest.param(["--batch-size", "x"], 2, "--batch-size must be a positive integer", id="text-batch-size"),
    ],
)
def test_train_command_rejects_bad_arguments_in_one_line(argv, status, match, capsys):
    from derivations.cli import main

    assert main(["train", *argv]) == status
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and re.search(match, err)


def test_train_command_prints_a_table_and_writes_the_plot(tmp_path, capsys):
    from derivations.cli import main

    plot = tmp_path / "curves.png"
    assert main(["train", "--epochs", "4", "--plot", str(plot)]) == 0
    out = capsys.readouterr().out
    assert "epoch  train loss  val loss  val acc" in out and "final validation accuracy" in out
    assert plot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def _train_cli_on_a_terminal(rows: int, cols: int) -> str:
    """Run `mlp-derivations train --epochs 3` with stdout and stderr on a pseudo-terminal of rows×cols."""
    pty = pytest.importorskip("pty")  # POSIX only
    import fcntl
    import os
    import termios

    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
    proc = subprocess.Popen(
        [sys.executable, "-m", "derivations", "train", "--epochs", "3"],
        stdin=subprocess.DEVNULL,
        stdout=follower,
        stderr=follower,
        close_fds=True,
    )
    os.close(follower)
    out = b""
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not chunk:
            break
        out += chunk
    os.close(leader)
    assert proc.wait(timeout=60) == 0
    return out.decode("utf-8", errors="replace").replace("\r", "\n")


@pytest.mark.parametrize(("rows", "cols"), [(24, 100), (0, 0)], ids=["sized-terminal", "terminal-without-size"])
def test_train_draws_a_progress_bar_on_a_terminal(rows, cols):
    # a terminal reporting 0×0 (a bare pty) once hid the bar: tqdm drew no row beyond a 0-row screen
    text = _train_cli_on_a_terminal(rows, cols)
    assert re.search(r"training: 100%\|.*\| 3/3 ", text), text
    assert "final validation accuracy" in text


def test_train_draws_no_progress_bar_when_not_a_terminal():
    proc = subprocess.run(
        [sys.executable, "-m", "derivations", "train", "--epochs", "3"], capture_output=True, text=True, check=True
    )
    assert "final validation accuracy" in proc.stdout
    assert "training:" not in proc.stderr and "%|" not in proc.stdout + proc.stderr


@pytest.mark.parametrize("where", ["missing-dir", "a-directory", "not-png"])
def test_train_refuses_an_unwritable_plot_path_before_training(tmp_path, capsys, where):
    from derivations.cli import main

    plot = {
        "missing-dir": tmp_path / "no-such-dir" / "curves.png",
        "a-directory": tmp_path,
        "not-png": tmp_path / "curves.txt",
    }[where]
    assert main(["train", "--epochs", "2", "--plot", str(plot)]) == 1
    captured = capsys.readouterr()
    assert captured.err.count("\n") == 1 and f"cannot write --plot {plot}" in captured.err
    assert "training" not in captured.out  # nothing was trained and thrown away
    assert not (tmp_path / "curves.txt").exists()
