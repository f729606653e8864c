"""The experiments 5.2.ex1-5.2.ex9: the registry, the result contract, conclusions drawn from the rows, the
building blocks (exact rank, statistics, fast activations, search spaces, schedule-independent seeds), the CLI.

Runs use ``quick=True`` on a small synthetic dataset (the real runs take minutes): these tests check the
plumbing and the logic, the measurements themselves are reported by ``mlp-derivations experiment``.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
from fractions import Fraction

import numpy as np
import pytest

import derivations
from derivations.cli import main
from derivations.experiments import capacity, models, runner, stats, timing, tuning

IDS = [f"5.2.ex{i}" for i in range(1, 10)]
#: Experiments whose quick run trains (the timing ones are tested separately, without PyTorch).
TRAINING = ["5.2.ex1", "5.2.ex2", "5.2.ex3", "5.2.ex4", "5.2.ex5", "5.2.ex8", "5.2.ex9"]


@pytest.fixture
def small_data(monkeypatch):
    """A learnable 64-pixel, 10-class dataset of 200 + 60 rows in place of the digits (no scikit-learn import)."""
    from numeric.data import Dataset

    rng = np.random.default_rng(0)
    X = rng.random((260, 64)).astype(np.float32)
    y = np.argmax(X @ rng.standard_normal((64, 10)), axis=1).astype(np.int64)
    data = Dataset("synthetic", X[:200], y[:200], X[200:], y[200:])
    monkeypatch.setitem(runner._STATE, "data", data)
    return data


@pytest.fixture
def no_torch(monkeypatch):
    """Pretend PyTorch is not installed (importing it takes seconds)."""
    real = timing.importlib.util.find_spec
    monkeypatch.setattr(timing.importlib.util, "find_spec", lambda name: None if name == "torch" else real(name))


# -- the registry ----------------------------------------------------------------------------------
def test_experiments_lists_the_nine_in_chapter_order():
    assert [e.id for e in derivations.experiments()] == IDS
    assert all(e.title for e in derivations.experiments())
    assert derivations.experiment("5.2.ex7").id == "5.2.ex7"


def test_import_derivations_leaves_the_experiments_unimported():
    code = "import sys, derivations; print('derivations.experiments' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"


def test_unknown_id_raises_key_error_listing_the_known_ids():
    with pytest.raises(KeyError, match=r"no experiment '5\.2\.ex10'; known: 5\.2\.ex1, .*5\.2\.ex9"):
        derivations.experiment("5.2.ex10")


@pytest.mark.parametrize("seeds", [0, -1, 1.5, True, "3"], ids=["zero", "negative", "float", "bool", "str"])
def test_seeds_must_be_a_positive_integer(seeds):
    with pytest.raises(ValueError, match=r"seeds=.* expected a positive integer"):
        derivations.experiment("5.2.ex1").run(seeds=seeds, quick=True)


def test_out_must_not_be_a_file(tmp_path):
    file = tmp_path / "taken"
    file.write_text("")
    with pytest.raises(ValueError, match=r"out=.*is a file; expected a directory"):
        derivations.experiment("5.2.ex1").run(seeds=1, out=file, quick=True)


# -- quick runs: the result contract ---------------------------------------------------------------
@pytest.mark.parametrize("eid", TRAINING)
def test_a_quick_run_gives_rows_a_conclusion_from_them_and_a_figure(eid, small_data, tmp_path):
    e = derivations.experiment(eid)
    result = e.run(seeds=2, out=tmp_path, jobs=1, quick=True, progress=False)
    assert result.rows and all({"setting", "mean", "ci"} <= set(r) for r in result.rows)
    assert all(len(r["ci"]) == 2 for r in result.rows)
    assert result.conclusion == e.conclude(result.rows) and result.conclusion.endswith(".")
    assert result.interval.startswith("Student t 95%")
    assert result.figure == tmp_path / f"{eid}.png" and result.figure.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    payload = json.loads(json.dumps(result.as_dict()))  # JSON-ready, private keys dropped
    assert payload["id"] == eid and not any(k.startswith("_") for r in payload["rows"] for k in r)


def test_figure_is_150_dpi_and_titled(small_data, tmp_path):
    from matplotlib.image import imread

    result = derivations.experiment("5.2.ex9").run(seeds=1, out=tmp_path, jobs=1, quick=True, progress=False)
    height, width = imread(result.figure).shape[:2]
    assert (width, height) == (1500, 630)  # FIGSIZE 10 × 4.2 inches at 150 dpi
    fig = derivations.experiment("5.2.ex9").figure(result.rows)
    assert fig.get_suptitle().startswith("5.2.ex9") and all(ax.get_xlabel() and ax.get_ylabel() for ax in fig.axes)


def test_one_seed_has_no_interval_and_says_so(small_data):
    result = derivations.experiment("5.2.ex2").run(seeds=1, jobs=1, quick=True, progress=False)
    assert all(r["ci"] == [None, None] for r in result.rows)
    assert result.interval == "no interval (1 seed)"


def test_results_do_not_depend_on_the_schedule(small_data):
    ctx1 = derivations.experiments.base.Context("t", seeds=2, jobs=1, quick=True, progress=False)
    ctx2 = derivations.experiments.base.Context("t", seeds=2, jobs=2, quick=True, progress=False)
    settings = [{"sizes": [64, 4, 10], "epochs": 1}, {"sizes": [64, 8, 10], "epochs": 1}]
    serial = models.sweep(ctx1, 99, settings, "t")
    parallel = models.sweep(ctx2, 99, settings, "t")
    assert [[(r["loss"], r["curve"]) for r in s] for s in serial] == [
        [(r["loss"], r["curve"]) for r in s] for s in parallel
    ]
    assert serial[0][0]["loss"] != serial[0][1]["loss"]  # the two seeds of a setting do differ


@pytest.mark.parametrize("eid", ["5.2.ex6", "5.2.ex7"])
def test_timing_runs_serially_and_says_when_pytorch_is_missing(eid, small_data, no_torch, tmp_path):
    e = derivations.experiment(eid)
    assert not e.parallel
    result = e.run(seeds=1, out=tmp_path, quick=True, progress=False)
    assert all(r["mean"] > 0 for r in result.rows) and result.figure.exists()
    assert result.interval.endswith(f"over {result.rows[0]['rounds']} interleaved rounds")
    if eid == "5.2.ex6":
        assert result.conclusion.startswith("PyTorch is not installed")
        assert {r["implementation"] for r in result.rows} == {"numpy"}


# -- conclusions are computed from the rows ---------------------------------------------------------
def _row(setting, mean, half, **extra):
    return {
        "setting": setting,
        "mean": mean,
        "ci": [mean - half, mean + half],
        "seeds": 3,
        "epochs": 120,
        "diverged": 0,
        f"reached_{models.TARGET}": 3 if mean >= models.TARGET else 0,
        "epochs_to_target": 50.0 if mean >= models.TARGET else None,
        "_curves": [[mean]] * 3,
        **extra,
    }


def test_width_conclusion_follows_the_rows():
    conclude = capacity.EXPERIMENTS["5.2.ex1"]["conclude"]
    means = {1: 0.2, 2: 0.4, 4: 0.6, 8: 0.8, 16: 0.9, 32: 0.95, 64: 0.96, 128: 0.962, 256: 0.961}
    rows = [_row(f"{w} units", m, 0.005, width=w) for w, m in means.items()]
    text = conclude(rows)
    assert "to 0.960 [0.955, 0.965] at 64 units and is flat beyond" in text and "best (128 units" in text
    assert "as is every wider layer up to 256 units" in text
    rows[-1] = _row("256 units", 0.90, 0.005, width=256)
    assert "wider still, 256 units fall below it beyond the noise" in conclude(rows)
    # a noisy narrow layer whose wide interval reaches the best does not start the plateau (the full run's case)
    rows[3] = _row("8 units", 0.88, 0.1, width=8)
    assert "at 64 units and is flat beyond" in conclude(rows)


def test_a_zero_width_interval_still_resolves_no_less_than_one_image():
    a = {**_row("a", 0.9663, 0.0), "resolution": 1 / 297}
    b = {**_row("b", 0.9596, 0.004), "resolution": 1 / 297}  # [0.9556, 0.9636] misses a's point, not a ± 1/297
    assert stats.overlap(a, b) is True
    assert stats.overlap({**a, "resolution": None}, b) is False


def test_rank_conclusion_reports_the_measured_ranks():
    rows = [
        _row("1 unit", 0.3, 0.02, width=1, exact_rank=[1, 1, 0], numerical_rank=[1, 1, 0]),
        _row("256 units", 0.96, 0.01, width=256, exact_rank=None, numerical_rank=[10, 10, 10]),
    ]
    text = capacity.EXPERIMENTS["5.2.ex3"]["conclude"](rows)
    assert "rank at most 1" in text and "1, 1, 0" in text and "costs 0.660" in text and "beyond the noise" in text
    rows[0]["exact_rank"] = [2, 1, 1]
    assert "exact ranks [2, 1, 1]" in capacity.EXPERIMENTS["5.2.ex3"]["conclude"](rows)


def test_learning_rate_conclusion_names_the_best_and_the_divergent():
    rows = [_row(f"lr {lr:g}", m, 0.01, lr=lr) for lr, m in ((0.01, 0.5), (0.1, 0.95), (1.0, 0.96))]
    rows.append({**_row("lr 10", 0.0, 0.0, lr=10.0), "mean": None, "ci": [None, None], "diverged": 3})
    text = tuning.EXPERIMENTS["5.2.ex4"]["conclude"](rows)
    assert "best learning rate is 1 (0.960" in text and "0.1 to 1 are indistinguishable" in text
    assert "diverged at 10 (3/3 seeds)" in text and "0.01, 10 never reached" in text
    assert "every seed reached 0.9 at lr 0.1 (50), 1 (50)" in text


@pytest.mark.parametrize("low, verdict", [(0.01, "random search is better"), (-0.01, "no winner")])
def test_search_conclusion_follows_the_paired_difference(low, verdict):
    rows = [
        {"method": "grid", "mean": 0.9, "ci": [0.88, 0.92], "budget": 16, "distinct_lr": 2, "distinct_width": 2},
        {"method": "random", "mean": 0.93, "ci": [0.91, 0.95], "budget": 16, "distinct_lr": 16, "distinct_width": 14},
        {"method": "difference", "mean": 0.03, "ci": [low, 0.05], "budget": 16},
    ]
    assert verdict in tuning.EXPERIMENTS["5.2.ex5"]["conclude"](rows)


@pytest.mark.parametrize(
    "low, verdict",
    [(1.02, "a power-of-two advantage beyond the noise"), (0.98, "no power-of-two advantage beyond the noise")],
)
def test_matmul_conclusion_follows_the_paired_ratios(low, verdict):
    rows = [
        {
            "n": 1024,
            "mean": 100.0,
            "ci": [99.0, 101.0],
            "gflops": 21.0,
            "per_flop_vs_base": 1.0,
            "ratio_ci": [1.0, 1.0],
            "blas": "openblas",
            "rounds": 24,
        }
    ]
    rows += [
        {
            "n": n,
            "mean": 101.0,
            "ci": [100.0, 102.0],
            "gflops": 21.0,
            "per_flop_vs_base": 1.05,
            "ratio_ci": [low, 1.08],
            "blas": "openblas",
            "rounds": 24,
        }
        for n in (1025, 1026, 1028, 1032)
    ]
    assert verdict in timing.EXPERIMENTS["5.2.ex7"]["conclude"](rows)


def test_choice_conclusion_names_the_best_and_the_ties():
    conclude = derivations.experiment("5.2.ex9").conclude
    rows = [_row("He normal", 0.97, 0.01), _row("Xavier normal", 0.965, 0.01), _row("zero", 0.1, 0.01)]
    text = conclude(rows)
    assert "best initialization is He normal" in text and "Xavier normal is indistinguishable" in text
    assert "worst is zero" in text
    rows[1] = _row("Xavier normal", 0.5, 0.01)
    assert "ahead of every other beyond the noise" in conclude(rows)


# -- building blocks -------------------------------------------------------------------------------
def test_exact_rank_is_exact_where_floating_point_is_not():
    tiny = Fraction(1, 2**60)  # below float64's resolution at 1: numpy sees a rank-1 matrix
    assert capacity.exact_rank([[Fraction(1), Fraction(1)], [Fraction(1), 1 + tiny]]) == 2
    assert np.linalg.matrix_rank(np.array([[1.0, 1.0], [1.0, 1.0 + float(tiny)]])) == 1
    u, v = [Fraction(k, 3) for k in (1, -2, 5)], [Fraction(k, 7) for k in (3, 1)]
    assert capacity.exact_rank([[a * b for b in v] for a in u]) == 1
    assert capacity.exact_rank([[Fraction(0)] * 3] * 4) == 0
    assert capacity.exact_rank([[Fraction(int(i == j)) for j in range(4)] for i in range(5)]) == 4


def test_single_unit_logits_are_exactly_rank_one_and_two_units_are_not():
    rng = np.random.default_rng(3)
    X = rng.random((30, 5)).astype(np.float32)
    W1, b1 = rng.standard_normal((5, 1)).astype(np.float32), np.float32([0.5])
    W2 = rng.standard_normal((1, 4)).astype(np.float32)
    M = capacity.single_unit_logits(X, W1, b1, W2)
    assert capacity.exact_rank(M) == 1
    # the exact product agrees with float64 to rounding (|entries| < 100, float64: 1e-12 is generous)
    assert np.max(np.abs(np.array(M, dtype=float) - np.maximum(X @ W1 + b1, 0).astype(float) @ W2)) < 1e-5
    W1b, b1b = rng.standard_normal((5, 2)).astype(np.float32), np.float32([0.5, 0.5])
    W2b = rng.standard_normal((2, 4)).astype(np.float32)
    assert capacity.exact_rank(capacity.single_unit_logits(X, W1b, b1b, W2b)) == 2
    assert capacity.numerical_rank(X, W1, b1, W2)[0] == 1 and capacity.numerical_rank(X, W1b, b1b, W2b)[0] == 2


def test_student_t_interval_matches_the_table():
    s = stats.summarize([1.0, 2.0, 3.0])
    # Student t with 2 degrees of freedom has F(t) = 1/2 + t / (2 √(2 + t²)); F(t) = 0.975 gives
    # t² = 2 · 0.95² / (1 - 0.95²), t = 4.3027 (published tables: 4.303); here s = 1, n = 3
    t = math.sqrt(2 * 0.95**2 / (1 - 0.95**2))
    assert s["mean"] == 2.0 and s["sd"] == 1.0
    assert s["ci"] == pytest.approx([2 - t / math.sqrt(3), 2 + t / math.sqrt(3)], rel=1e-12)
    assert stats.summarize([5.0])["ci"] == [None, None] and stats.summarize([math.nan])["mean"] is None
    a, b = {"mean": 1.0, "ci": [0.9, 1.1]}, {"mean": 1.3, "ci": [1.2, 1.4]}
    assert stats.above(b, a) and not stats.above(a, b) and stats.overlap(a, b) is False


@pytest.mark.parametrize("name", ["swish", "gelu", "prelu"])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_fast_activations_agree_with_numeric(name, dtype):
    from numeric import activations as na

    phi, dphi = models._FAST[name]
    x = np.linspace(-12, 12, 2001).astype(dtype)
    ref = (lambda v: na.prelu(v, models.PRELU_ALPHA)) if name == "prelu" else getattr(na, name)
    dref = (lambda v: na.prelu_grad(v, models.PRELU_ALPHA)) if name == "prelu" else getattr(na, f"{name}_grad")
    eps = np.finfo(dtype).eps
    # both sides are a few correctly rounded operations on terms of size at most 1 + |x| (|s|, |Φ| <= 1,
    # |x s (1-s)| <= |x|/4, |x φ(x)| <= |x|/√(2π)): 8 ulps of that scale bounds both roundings
    tol = 8 * eps * (1 + np.abs(x.astype(np.float64)))
    assert np.all(np.abs(phi(x).astype(np.float64) - ref(x).astype(np.float64)) <= tol)
    assert np.all(np.abs(dphi(x).astype(np.float64) - dref(x).astype(np.float64)) <= tol)
    assert phi(x).dtype == dtype and dphi(x).dtype == dtype


def test_the_fast_activation_is_the_one_the_network_uses():
    from numeric.network import MLP

    X = np.random.default_rng(1).standard_normal((7, 5))
    y = np.arange(7) % 3
    fast = models.build([5, 6, 3], activation="swish", rng=np.random.default_rng(2), dtype=np.float64)
    slow = MLP([5, 6, 3], activation="swish", rng=np.random.default_rng(2))
    assert fast.activation == "swish"
    np.testing.assert_allclose(fast.forward(X), slow.forward(X), rtol=1e-12, atol=1e-15)
    for g_fast, g_slow in zip(fast.loss_and_grads(X, y)[1], slow.loss_and_grads(X, y)[1]):  # φ' is installed too
        np.testing.assert_allclose(g_fast, g_slow, rtol=1e-10, atol=1e-15)
    relu = models.build([5, 6, 3], activation="relu", rng=np.random.default_rng(2), dtype=np.float64)
    assert not np.allclose(relu.forward(X), slow.forward(X), rtol=1e-9, atol=0)


def test_zero_init_leaves_relu_weights_stuck_at_zero(small_data):
    result = models.fit([64, 8, 10], rng=np.random.default_rng(0), init="zero", epochs=2)
    W1, _, W2, _ = result["model"].params
    assert not W1.any() and not W2.any()  # ReLU'(0) = 0: no gradient reaches W1, and H = 0 gives W2 none


def test_grid_and_random_search_cover_the_same_space_at_the_same_budget():
    grid = tuning.grid_configs(tuning.SPACE, tuning.GRID_POINTS)
    rand = tuning.random_configs(tuning.SPACE, len(grid), np.random.default_rng(0))
    assert len(grid) == len(rand) == 16 and len({tuple(c.values()) for c in grid}) == 16
    for configs in (grid, rand):
        for c in configs:
            for key, (low, high) in tuning.SPACE.items():
                assert low <= c[key] <= high, (key, c)
    assert len({c["lr"] for c in grid}) == len({c["width"] for c in grid}) == 2
    assert len({c["lr"] for c in rand}) == 16


def test_bad_activation_and_init_names_are_refused():
    with pytest.raises(KeyError, match="no activation 'elu'.*known: relu"):
        models.build([2, 2, 2], activation="elu", rng=np.random.default_rng(0))
    with pytest.raises(KeyError, match="no initialization 'ones'.*known: normal"):
        models.build([2, 2, 2], init="ones", rng=np.random.default_rng(0))


# -- the command line ------------------------------------------------------------------------------
def test_cli_list_names_the_nine(capsys):
    assert main(["experiment", "--list"]) == 0
    assert [line.split()[0] for line in capsys.readouterr().out.splitlines()] == IDS


def test_cli_runs_one_and_prints_table_conclusion_and_figure(small_data, tmp_path, capsys):
    assert main(["experiment", "5.2.ex3", "--seeds", "2", "--out", str(tmp_path), "--quick", "--jobs", "1"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("5.2.ex3: ") and "\nsetting " in out and "\nconclusion: With a single hidden unit" in out
    assert f"figure: {tmp_path / '5.2.ex3.png'}" in out and (tmp_path / "5.2.ex3.png").exists()
    assert main(["experiment", "5.2.ex3", "--seeds", "1", "--quick", "--jobs", "1", "--json"]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert payload["id"] == "5.2.ex3" and payload["figure"] is None and len(payload["rows"]) == 2


@pytest.mark.parametrize(
    "argv, message",
    [
        (["experiment", "5.2.ex10"], "no experiment '5.2.ex10'; known: 5.2.ex1"),
        (["experiment", "5.2.ex1", "--seeds", "0"], "--seeds must be a positive integer, got '0'"),
        (["experiment"], "give an experiment ID or --list"),
    ],
    ids=["unknown-id", "zero-seeds", "no-id"],
)
def test_cli_bad_usage_exits_two_with_one_line(argv, message, capsys):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1
