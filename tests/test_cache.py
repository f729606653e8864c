"""derivations.cache: hits and misses, keys that cover what a result depends on, atomic writes, bypasses."""

import os
import pickle
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest
import sympy as sp

from derivations import cache, checking
from derivations.cache import cached, cached_expression
from derivations.checking import symbolic_equal, symbolic_true
from derivations.cli import main

x = sp.Symbol("x")


@pytest.fixture
def store(tmp_path, monkeypatch):
    """An empty cache directory of this test's own, the cache on."""
    monkeypatch.setenv(cache.ENV_DIR, str(tmp_path / "cache"))
    monkeypatch.delenv(cache.ENV_OFF, raising=False)
    monkeypatch.setattr(cache, "_override", None)
    return tmp_path / "cache"


def _entries(root: Path) -> list[Path]:
    return sorted(root.rglob("*.pickle")) if root.exists() else []


@pytest.fixture
def counted_is_zero(monkeypatch):
    """Count the proofs symbolic_equal actually runs (a cache hit runs none)."""
    calls = []
    original = checking.is_zero

    def counting(expr):
        calls.append(expr)
        return original(expr)

    monkeypatch.setattr(checking, "is_zero", counting)
    return calls


def test_a_proof_is_computed_once_then_read_back(store, counted_is_zero):
    first = symbolic_equal(sp.sin(x) ** 2 + sp.cos(x) ** 2, 1, "Pythagoras")
    assert first.ok and len(counted_is_zero) == 1 and len(_entries(store)) == 1
    again = symbolic_equal(sp.sin(x) ** 2 + sp.cos(x) ** 2, 1, "Pythagoras")
    assert again == first and len(counted_is_zero) == 1  # a hit: no second proof


@pytest.mark.parametrize(
    "other",
    [
        dict(lhs=sp.sin(x) ** 2 + sp.cos(x) ** 2, rhs=2, what="Pythagoras"),  # another input
        dict(lhs=sp.sin(x) ** 2 + sp.cos(x) ** 2, rhs=1, what="another name"),  # another `what`
        dict(lhs=sp.sin(x) ** 2 + sp.cos(x) ** 2, rhs=1, what="Pythagoras", method="exact"),  # another method
        dict(lhs=sp.sin(sp.Symbol("x", real=True)) ** 2 + sp.cos(x) ** 2, rhs=1, what="Pythagoras"),  # assumptions
    ],
)
def test_anything_the_check_depends_on_is_in_the_key(store, counted_is_zero, other):
    symbolic_equal(sp.sin(x) ** 2 + sp.cos(x) ** 2, 1, "Pythagoras")
    method = other.pop("method", "symbolic")
    result = symbolic_equal(other["lhs"], other["rhs"], other["what"], method=method)
    assert len(counted_is_zero) == 2 and len(_entries(store)) == 2
    assert result.method == method and other["what"] in result.detail


def test_an_undefined_functions_assumptions_are_in_the_key_though_srepr_omits_them(store):
    real_f, plain_f = sp.Function("f", real=True), sp.Function("f")
    assert sp.srepr(real_f(x)) == sp.srepr(plain_f(x))  # why the key needs more than srepr
    assert symbolic_true(sp.Eq(sp.im(real_f(x)), 0), "Im f(x) = 0").ok
    assert not symbolic_true(sp.Eq(sp.im(plain_f(x)), 0), "Im f(x) = 0").ok  # not the cached "proved"


def test_a_changed_source_digest_is_a_miss(store, counted_is_zero, monkeypatch):
    symbolic_equal(x + x, 2 * x, "doubling")
    check_py = str(Path(checking._check.__file__).resolve())
    real_digest = cache._file_digest

    def edited(path):  # as if check.py (is_zero) had been edited
        return "0" * 64 if path == check_py else real_digest(path)

    monkeypatch.setattr(cache, "_file_digest", edited)
    symbolic_equal(x + x, 2 * x, "doubling")
    assert len(counted_is_zero) == 2 and len(_entries(store)) == 2


def test_editing_a_listed_source_file_invalidates(store, tmp_path):
    source = tmp_path / "helper_source.py"
    source.write_text("VALUE = 1\n")
    runs = []

    @cached("test", sources=[source])
    def derive(expr):
        runs.append(expr)
        return expr * 2

    assert derive(x) == 2 * x and derive(x) == 2 * x and len(runs) == 1
    source.write_text("VALUE = 2\n")
    cache._file_digest.cache_clear()  # a new process reads the file anew
    assert derive(x) == 2 * x and len(runs) == 2


@pytest.mark.parametrize("damage", [b"", b"garbage", "truncate", "foreign"])
def test_a_corrupt_or_foreign_entry_is_ignored_and_replaced(store, counted_is_zero, damage):
    good = symbolic_equal(x * (x + 1), x**2 + x, "expand")
    (entry,) = _entries(store)
    data = entry.read_bytes()
    if damage == "truncate":
        damage = data[: len(data) // 2]
    elif damage == "foreign":  # a whole pickle, but another key's
        damage = pickle.dumps((cache._MAGIC, "f" * 64, good))
    entry.write_bytes(damage)
    assert symbolic_equal(x * (x + 1), x**2 + x, "expand") == good
    assert len(counted_is_zero) == 2 and entry.read_bytes() == data  # recomputed, and the entry repaired


def test_a_loaded_value_of_the_wrong_type_is_not_trusted(store, counted_is_zero):
    symbolic_equal(x - x, 0, "zero")
    (entry,) = _entries(store)
    digest = entry.stem
    entry.write_bytes(pickle.dumps((cache._MAGIC, digest, "proved zero")))  # right key, not a Check
    assert symbolic_equal(x - x, 0, "zero").ok and len(counted_is_zero) == 2


def test_derived_expressions_with_matrix_symbols_and_functions_round_trip(store):
    n = sp.Symbol("n", integer=True, positive=True)
    W, v = sp.MatrixSymbol("W", n, n), sp.MatrixSymbol("v", n, 1)
    phi = sp.Function("phi", real=True)
    runs = []

    @cached_expression()
    def derive(scale):
        runs.append(scale)
        return (scale * W.T * W * v, phi(x) ** 2 + sp.Derivative(phi(x), x), sp.Matrix([[phi(x), x], [1, 0]]))

    fresh = derive.uncached(3)
    assert derive(3) == fresh and len(runs) == 2  # computed (and stored) once by the wrapper
    loaded = derive(3)
    assert len(runs) == 2 and loaded == fresh  # read back from disk, equal
    assert loaded[0].shape == (n, 1) and loaded[1].atoms(sp.Function) == fresh[1].atoms(sp.Function)
    (applied,) = loaded[1].atoms(sp.core.function.AppliedUndef)
    assert applied.is_real  # the function's assumptions survive the pickle
    assert sp.diff(loaded[1], x) == sp.diff(fresh[1], x)


def test_arguments_the_key_cannot_describe_bypass_the_cache(store):
    runs = []

    @cached("test", sources=[])
    def total(values):
        runs.append(1)
        return float(np.sum(values))

    assert total(np.ones(3)) == 3.0 and total(np.ones(3)) == 3.0 and len(runs) == 2
    assert _entries(store) == []


def test_evaluate_false_and_global_assumptions_bypass_the_cache(store):
    runs = []

    @cached("test", sources=[])
    def build(expr):
        runs.append(1)
        return expr + 1

    with sp.evaluate(False):
        build(x)
    with sp.assuming(sp.Q.positive(x)):
        build(x)
    assert _entries(store) == [] and len(runs) == 2


def test_the_environment_variable_and_disabled_bypass(store, monkeypatch, counted_is_zero):
    with cache.disabled():
        symbolic_equal(x, x, "identity")
    monkeypatch.setenv(cache.ENV_OFF, "1")
    symbolic_equal(x, x, "identity")
    assert _entries(store) == [] and len(counted_is_zero) == 2
    monkeypatch.setenv(cache.ENV_OFF, "0")
    symbolic_equal(x, x, "identity")
    assert len(_entries(store)) == 1


def test_no_cache_on_the_command_line_bypasses(store, capsys):
    assert main(["verify", "--claim", "5.1.7", "--no-cache", "--jobs", "1"]) == 0
    assert _entries(store) == []
    assert main(["verify", "--claim", "5.1.7", "--jobs", "1"]) == 0
    assert _entries(store) != []
    capsys.readouterr()


def test_an_unwritable_cache_directory_still_returns_results(tmp_path, monkeypatch):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    monkeypatch.setenv(cache.ENV_DIR, str(blocker / "cache"))
    monkeypatch.setattr(cache, "_override", None)
    assert symbolic_equal(x + 0, x, "x + 0 = x").ok


_WRITER = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from derivations import cache

    path, digest, me = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
    bad = 0
    for i in range(300):
        value = (me, i, bytes([me]) * 200_000)  # large: a torn write would show
        cache._store(path, digest, value)
        hit, got = cache._load(path, digest)
        if not hit or got[0] not in (0, 1) or got[2] != bytes([got[0]]) * 200_000:
            bad += 1
    print(bad)
    """
)


def test_concurrent_writers_never_expose_a_partial_entry(tmp_path):
    path, digest = tmp_path / "v1" / "test" / "entry.pickle", "d" * 64
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
    writers = [
        subprocess.Popen(
            [sys.executable, "-c", _WRITER, str(path), digest, str(me)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for me in (0, 1)
    ]
    outcomes = [w.communicate(timeout=120) for w in writers]
    assert [w.returncode for w in writers] == [0, 0], [err for _, err in outcomes]
    assert [out.strip() for out, _ in outcomes] == ["0", "0"]  # every read was a whole entry
    assert [p.name for p in path.parent.iterdir()] == ["entry.pickle"]  # no temporary file left


def test_the_default_directory_is_the_platforms_user_cache_dir(monkeypatch):
    import platformdirs

    monkeypatch.delenv(cache.ENV_DIR, raising=False)
    assert cache.directory() == Path(platformdirs.user_cache_dir("mlp-derivations"))


def test_bad_arguments_are_one_line_errors():
    with pytest.raises(ValueError, match="namespace="):
        cached("no/slashes", sources=[])
    with pytest.raises(ValueError, match="flag="):
        cache.set_enabled("yes")
    with pytest.raises(ValueError, match="source="):
        cache.source_digest([42])
