"""Data for section 5.2: the embedded digits dataset and a Fashion-MNIST IDX reader.

Both loaders return a :class:`Dataset` of row-major minibatch arrays: ``X``
of shape ``(n, d)`` (one flattened image per row, pixels scaled to
``[0, 1]``) and integer labels ``y`` of shape ``(n,)``.

* :func:`load_digits` — the embedded default: scikit-learn's handwritten
  digits (1,797 8×8 images, 10 classes; scikit-learn is imported on first
  use), split reproducibly into 1,500 training and 297 validation images.
* :func:`load_fashion_mnist` — the book's dataset, read from the four
  standard IDX files (optionally gzipped) in a directory the user gives. The
  machines this runs on may have no network, so nothing is downloaded.

Anything wrong with a file (missing, truncated, bad magic number, sizes that
disagree, labels out of range) raises ``FileNotFoundError`` or
``ValueError`` whose message names the file.
"""

from __future__ import annotations

import gzip
import math
import struct
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

__all__ = [
    "DIGITS_TRAIN_SIZE",
    "FASHION_MNIST_FILES",
    "IDX_IMAGES_MAGIC",
    "IDX_LABELS_MAGIC",
    "Dataset",
    "load_digits",
    "load_fashion_mnist",
    "read_idx_images",
    "read_idx_labels",
]

#: IDX magic numbers: 0x00000803 (unsigned bytes, 3 dimensions) for images,
#: 0x00000801 (unsigned bytes, 1 dimension) for labels.
IDX_IMAGES_MAGIC = 2051
IDX_LABELS_MAGIC = 2049

#: The four standard Fashion-MNIST files (same names as MNIST), by split and kind.
FASHION_MNIST_FILES = {
    ("train", "images"): "train-images-idx3-ubyte",
    ("train", "labels"): "train-labels-idx1-ubyte",
    ("val", "images"): "t10k-images-idx3-ubyte",
    ("val", "labels"): "t10k-labels-idx1-ubyte",
}

#: Fashion-MNIST and the digits both have 10 classes.
NUM_CLASSES = 10

#: Digits training images: 1,500 of the 1,797, so an epoch is ceil(1500 / 256) = 6
#: minibatches of the book's size 256; the other 297 are held out for validation.
DIGITS_TRAIN_SIZE = 1500

#: The digits' pixels are integers 0..16 (4×4 blocks of a 32×32 bitmap counted).
DIGITS_MAX_PIXEL = 16.0

#: IDX pixels are unsigned bytes 0..255.
IDX_MAX_PIXEL = 255.0


@dataclass(frozen=True)
class Dataset:
    """A classification dataset, row-major: ``X_*`` is ``(n, d)``, ``y_*`` is ``(n,)`` int64 labels in ``[0, num_classes)``."""

    name: str
    X_train: np.ndarray
    y_train: np.ndarray
    X_val: np.ndarray
    y_val: np.ndarray
    num_classes: int = NUM_CLASSES

    @property
    def num_inputs(self) -> int:
        """d, the number of inputs (pixels) per example."""
        return self.X_train.shape[1]

    def __repr__(self) -> str:
        return (
            f"Dataset({self.name!r}, train={self.X_train.shape}, val={self.X_val.shape}, "
            f"dtype={self.X_train.dtype}, classes={self.num_classes})"
        )


def _dtype(dtype: object) -> np.dtype:
    dt = np.dtype(dtype) if isinstance(dtype, (type, np.dtype, str)) else None
    if dt not in (np.dtype(np.float64), np.dtype(np.float32)):
        raise ValueError(f"dtype={dtype!r} is not supported; expected numpy.float64 or numpy.float32")
    return dt


def load_digits(*, seed: int = 0, dtype: object = np.float64) -> Dataset:
    """The embedded dataset: scikit-learn's 1,797 8×8 digits, pixels scaled to [0, 1], split 1,500 / 297.

    The split is a permutation drawn from ``numpy.random.default_rng(seed)``, so
    the same ``seed`` always gives the same split. Row-major, ``d = 64``.
    """
    if isinstance(seed, (bool, np.bool_)) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"seed={seed!r} is not allowed; expected a non-negative integer")
    dt = _dtype(dtype)
    try:
        from sklearn.datasets import load_digits as sk_load_digits
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError(
            "the embedded digits dataset needs scikit-learn: python -m pip install scikit-learn (a dependency of mlp-derivations)"
        ) from exc
    bunch = sk_load_digits()
    X = (bunch.data / DIGITS_MAX_PIXEL).astype(dt)
    y = bunch.target.astype(np.int64)
    order = np.random.default_rng(seed).permutation(len(y))
    train, val = order[:DIGITS_TRAIN_SIZE], order[DIGITS_TRAIN_SIZE:]
    return Dataset("digits (scikit-learn, 8x8)", X[train], y[train], X[val], y[val])


def _read_bytes(path: Path) -> bytes:
    """The file's bytes, gunzipped if its name ends in ``.gz``; errors name the file."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise FileNotFoundError(f"{path}: no such file") from None
    except OSError as exc:
        raise ValueError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    if path.name.endswith(".gz"):
        try:
            return gzip.decompress(raw)
        except (EOFError, OSError, zlib.error) as exc:
            raise ValueError(f"{path}: not a complete gzip file ({exc})") from None
    return raw


def _header(path: Path, data: bytes, magic: int, dims: int) -> tuple[int, ...]:
    """Check the IDX header (big-endian int32 magic, then ``dims`` sizes) and the payload length."""
    header_bytes = 4 * (1 + dims)  # 4 bytes per big-endian int32: the magic number, then one size per dimension
    if len(data) < header_bytes:
        raise ValueError(f"{path}: truncated, {len(data)} bytes; expected at least a {header_bytes}-byte IDX header")
    found, *sizes = struct.unpack(f">{1 + dims}i", data[:header_bytes])
    if found != magic:
        raise ValueError(
            f"{path}: bad magic number {found}; expected {magic} for an IDX {'image' if dims == 3 else 'label'} file"
        )
    if any(s < 1 for s in sizes):
        raise ValueError(f"{path}: header sizes {tuple(sizes)}; expected positive sizes")
    payload = math.prod(sizes)  # exact: np.prod of three int32 sizes can wrap around int64
    if len(data) != header_bytes + payload:
        kind = "truncated" if len(data) < header_bytes + payload else "too long"
        raise ValueError(
            f"{path}: {kind}, {len(data) - header_bytes} bytes of data; the header {tuple(sizes)} expects {payload}"
        )
    return tuple(sizes)


def read_idx_images(path: str | Path, *, dtype: object = np.float32) -> np.ndarray:
    """The images of an IDX file (magic 2051), row-major ``(n, rows·cols)``, pixels scaled to [0, 1]."""
    path = Path(path)
    dt = _dtype(dtype)
    data = _read_bytes(path)
    n, rows, cols = _header(path, data, IDX_IMAGES_MAGIC, 3)
    pixels = np.frombuffer(data, dtype=np.uint8, offset=16)  # 16 = 4 big-endian int32 header fields
    return (pixels.reshape(n, rows * cols) / dt.type(IDX_MAX_PIXEL)).astype(dt, copy=False)


def read_idx_labels(path: str | Path, *, num_classes: int = NUM_CLASSES) -> np.ndarray:
    """The labels of an IDX file (magic 2049) as int64, each checked to lie in ``[0, num_classes)``."""
    path = Path(path)
    data = _read_bytes(path)
    _header(path, data, IDX_LABELS_MAGIC, 1)
    labels = np.frombuffer(data, dtype=np.uint8, offset=8).astype(np.int64)  # 8 = 2 int32 header fields
    bad = np.flatnonzero(labels >= num_classes)
    if bad.size:
        i = int(bad[0])
        raise ValueError(f"{path}: label {labels[i]} at index {i}; expected labels in [0, {num_classes})")
    return labels


def _find(directory: Path, stem: str) -> Path:
    for name in (stem, stem + ".gz"):
        if (directory / name).is_file():
            return directory / name
    raise FileNotFoundError(f"{directory / stem}: no such file (nor {stem}.gz)")


def load_fashion_mnist(data_dir: str | Path, *, dtype: object = np.float32) -> Dataset:
    """Fashion-MNIST from the four IDX files in ``data_dir`` (``.gz`` or not): train = train-*, validation = t10k-*.

    Row-major ``(n, 784)`` for the standard 28×28 images (any image size is
    read as long as the four files agree). float32 by default: the 60,000
    training images take 188 MB instead of 376 MB.
    """
    directory = Path(data_dir)
    if not directory.is_dir():
        what = "not a directory" if directory.exists() else "no such directory"
        raise FileNotFoundError(f"{directory}: {what}; expected a folder holding the Fashion-MNIST IDX files")
    arrays = {}
    for (split, kind), stem in FASHION_MNIST_FILES.items():
        path = _find(directory, stem)
        arrays[split, kind] = (read_idx_images(path, dtype=dtype) if kind == "images" else read_idx_labels(path), path)
    for split in ("train", "val"):
        (X, xpath), (y, ypath) = arrays[split, "images"], arrays[split, "labels"]
        if X.shape[0] != y.shape[0]:
            raise ValueError(f"{ypath}: {y.shape[0]} labels but {xpath} has {X.shape[0]} images; expected equal counts")
    (Xt, tpath), (Xv, vpath) = arrays["train", "images"], arrays["val", "images"]
    if Xt.shape[1] != Xv.shape[1]:
        raise ValueError(
            f"{vpath}: images of {Xv.shape[1]} pixels but {tpath} has {Xt.shape[1]}; expected the same size"
        )
    return Dataset(f"Fashion-MNIST ({directory})", Xt, arrays["train", "labels"][0], Xv, arrays["val", "labels"][0])
