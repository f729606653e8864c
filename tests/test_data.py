"""numeric.data: the Fashion-MNIST IDX reader and the embedded digits split."""

from __future__ import annotations

import gzip
import struct
from pathlib import Path

import numpy as np
import pytest

from numeric import data

#: A tiny dataset in the Fashion-MNIST layout: 7 training and 5 validation images of 3×4 pixels.
TRAIN_N, VAL_N, ROWS, COLS = 7, 5, 3, 4


def idx_bytes(array: np.ndarray, magic: int) -> bytes:
    """The IDX encoding written independently of numeric.data: big-endian int32 magic and sizes, then uint8 data."""
    header = struct.pack(f">{1 + array.ndim}i", magic, *array.shape)
    return header + array.astype(np.uint8).tobytes()


def write_fashion_dir(directory: Path, *, gz: bool = False, seed: int = 0) -> dict[str, np.ndarray]:
    """Write the four standard files (random pixels and labels) and return the raw arrays."""
    rng = np.random.default_rng(seed)
    raw = {
        "train-images-idx3-ubyte": rng.integers(0, 256, (TRAIN_N, ROWS, COLS)),
        "train-labels-idx1-ubyte": rng.integers(0, 10, TRAIN_N),
        "t10k-images-idx3-ubyte": rng.integers(0, 256, (VAL_N, ROWS, COLS)),
        "t10k-labels-idx1-ubyte": rng.integers(0, 10, VAL_N),
    }
    for name, arr in raw.items():
        blob = idx_bytes(arr, 2051 if arr.ndim == 3 else 2049)
        if gz:
            (directory / (name + ".gz")).write_bytes(gzip.compress(blob))
        else:
            (directory / name).write_bytes(blob)
    return raw


@pytest.mark.parametrize("gz", [False, True], ids=["plain", "gzipped"])
def test_fashion_reader_returns_row_major_pixels_scaled_to_unit_interval(tmp_path, gz):
    raw = write_fashion_dir(tmp_path, gz=gz)
    ds = data.load_fashion_mnist(tmp_path)
    assert ds.X_train.shape == (TRAIN_N, ROWS * COLS) and ds.X_val.shape == (VAL_N, ROWS * COLS)
    assert ds.X_train.dtype == np.float32 and ds.y_train.dtype == np.int64
    expected = raw["train-images-idx3-ubyte"].reshape(TRAIN_N, -1) / 255.0
    np.testing.assert_allclose(ds.X_train, expected, rtol=2**-23)  # float32 rounding of x/255
    np.testing.assert_array_equal(ds.y_train, raw["train-labels-idx1-ubyte"])
    np.testing.assert_array_equal(ds.y_val, raw["t10k-labels-idx1-ubyte"])
    assert 0.0 <= ds.X_val.min() and ds.X_val.max() <= 1.0
    assert ds.num_inputs == ROWS * COLS


def test_fashion_reader_full_scale_pixels_map_to_zero_and_one(tmp_path):
    write_fashion_dir(tmp_path)
    images = np.zeros((2, ROWS, COLS), dtype=np.uint8)
    images[1] = 255
    (tmp_path / "t10k-images-idx3-ubyte").write_bytes(idx_bytes(images, 2051))
    (tmp_path / "t10k-labels-idx1-ubyte").write_bytes(idx_bytes(np.array([0, 9]), 2049))
    ds = data.load_fashion_mnist(tmp_path, dtype=np.float64)
    assert ds.X_val.dtype == np.float64
    assert (ds.X_val[0] == 0.0).all() and (ds.X_val[1] == 1.0).all()


def _truncate(path: Path) -> None:
    path.write_bytes(path.read_bytes()[:-3])


def _set_magic(magic: int):
    def corrupt(path: Path) -> None:
        blob = bytearray(path.read_bytes())
        blob[:4] = struct.pack(">i", magic)
        path.write_bytes(bytes(blob))

    return corrupt


def _label_ten(path: Path) -> None:
    blob = bytearray(path.read_bytes())
    blob[-1] = 10
    path.write_bytes(bytes(blob))


def _append_byte(path: Path) -> None:
    path.write_bytes(path.read_bytes() + b"\0")


def _one_label_fewer(path: Path) -> None:
    labels = np.frombuffer(path.read_bytes(), dtype=np.uint8, offset=8)[:-1]
    path.write_bytes(idx_bytes(labels, 2049))


def _huge_header(path: Path) -> None:
    # three sizes of 2**31 - 1: their product (9.9e27) overflows int64, so it must be computed exactly
    path.write_bytes(struct.pack(">4i", 2051, 2**31 - 1, 2**31 - 1, 2**31 - 1) + path.read_bytes()[16:])


def _header_only_half(path: Path) -> None:
    path.write_bytes(path.read_bytes()[:6])


BAD_FILES = [
    pytest.param("train-images-idx3-ubyte", Path.unlink, FileNotFoundError, "no such file", id="missing-images"),
    pytest.param("t10k-labels-idx1-ubyte", Path.unlink, FileNotFoundError, "no such file", id="missing-labels"),
    pytest.param("train-images-idx3-ubyte", _truncate, ValueError, "truncated", id="truncated-images"),
    pytest.param("t10k-labels-idx1-ubyte", _truncate, ValueError, "truncated", id="truncated-labels"),
    pytest.param("train-labels-idx1-ubyte", _header_only_half, ValueError, "truncated.*header", id="truncated-header"),
    pytest.param("train-images-idx3-ubyte", _append_byte, ValueError, "too long", id="trailing-bytes"),
    pytest.param(
        "train-images-idx3-ubyte", _huge_header, ValueError, f"truncated.*expects {(2**31 - 1) ** 3}$", id="huge-header"
    ),
    pytest.param(
        "train-images-idx3-ubyte",
        _set_magic(2049),
        ValueError,
        "bad magic number 2049; expected 2051",
        id="labels-magic-on-images",
    ),
    pytest.param(
        "t10k-labels-idx1-ubyte",
        _set_magic(2051),
        ValueError,
        "bad magic number 2051; expected 2049",
        id="images-magic-on-labels",
    ),
    pytest.param(
        "train-labels-idx1-ubyte",
        _label_ten,
        ValueError,
        r"label 10 at index 6; expected labels in \[0, 10\)",
        id="label-out-of-range",
    ),
    pytest.param(
        "t10k-labels-idx1-ubyte",
        _one_label_fewer,
        ValueError,
        "4 labels but .*t10k-images.* has 5 images",
        id="count-mismatch",
    ),
]


@pytest.mark.parametrize("name, corrupt, error, match", BAD_FILES)
def test_a_bad_idx_file_raises_an_error_naming_the_file(tmp_path, name, corrupt, error, match):
    write_fashion_dir(tmp_path)
    corrupt(tmp_path / name)
    with pytest.raises(error, match=match) as info:
        data.load_fashion_mnist(tmp_path)
    assert name in str(info.value)


def test_a_truncated_gzip_file_raises_an_error_naming_the_file(tmp_path):
    write_fashion_dir(tmp_path, gz=True)
    path = tmp_path / "train-images-idx3-ubyte.gz"
    path.write_bytes(path.read_bytes()[:-10])
    with pytest.raises(ValueError, match="train-images-idx3-ubyte.gz: not a complete gzip file"):
        data.load_fashion_mnist(tmp_path)


def test_a_missing_directory_raises_filenotfound_naming_it(tmp_path):
    with pytest.raises(FileNotFoundError, match="nowhere: no such directory"):
        data.load_fashion_mnist(tmp_path / "nowhere")


def test_a_file_given_as_the_directory_raises_filenotfound_saying_so(tmp_path):
    path = tmp_path / "train-images-idx3-ubyte"
    path.write_bytes(b"")
    with pytest.raises(FileNotFoundError, match="train-images-idx3-ubyte: not a directory"):
        data.load_fashion_mnist(path)


def test_digits_split_is_1500_train_and_297_validation_pixels_in_unit_interval():
    ds = data.load_digits()
    assert ds.X_train.shape == (1500, 64) and ds.X_val.shape == (297, 64)
    assert ds.X_train.dtype == np.float64 and ds.y_train.dtype == np.int64
    both = np.concatenate([ds.X_train, ds.X_val])
    assert both.min() == 0.0 and both.max() == 1.0
    # 16 = the digits' largest pixel value: pixels are k/16 for integers k in 0..16.
    np.testing.assert_array_equal(both * 16, np.round(both * 16))
    labels = np.concatenate([ds.y_train, ds.y_val])
    assert sorted(set(labels.tolist())) == list(range(10))
    assert len(labels) == 1797  # the size of scikit-learn's digits dataset


def test_digits_split_is_reproducible_and_depends_on_the_seed():
    a, b, c = data.load_digits(seed=0), data.load_digits(seed=0), data.load_digits(seed=1)
    np.testing.assert_array_equal(a.X_val, b.X_val)
    np.testing.assert_array_equal(a.y_train, b.y_train)
    assert not np.array_equal(a.y_val, c.y_val)


def test_digits_in_float32_are_float32():
    ds = data.load_digits(dtype=np.float32)
    assert ds.X_train.dtype == np.float32 and ds.X_val.dtype == np.float32


@pytest.mark.parametrize(
    "kwargs, match",
    [
        pytest.param({"seed": -1}, "seed=-1", id="negative-seed"),
        pytest.param({"seed": 1.5}, "seed=1.5", id="float-seed"),
        pytest.param({"dtype": np.int32}, "dtype=.*int32", id="integer-dtype"),
    ],
)
def test_load_digits_rejects_bad_arguments_naming_them(kwargs, match):
    with pytest.raises(ValueError, match=match):
        data.load_digits(**kwargs)
