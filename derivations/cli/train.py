"""`mlp-derivations train`: the book's scratch MLP (section 5.2) trained by minibatch SGD, with per-epoch metrics.

Without ``--data-dir`` it trains on the embedded digits (scikit-learn);
with it, on Fashion-MNIST read from the four IDX files in that directory.
A progress bar per epoch appears only on a terminal (tqdm) and never with
``--json``.  A missing or bad data directory prints one line naming the path
and exits 1.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
from pathlib import Path

from .common import dpi, non_negative_int, positive_int, positive_real

#: The book's Fashion-MNIST run: 10 epochs (section 5.2.1.3).
FASHION_EPOCHS = 10

#: Epochs of at least this many minibatches get their own bar over the images.
INNER_BAR_BATCHES = 20

#: The final table shows at most about this many epochs (--json has them all).
TABLE_ROWS = 12


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from numeric.training import DEFAULT_EPOCHS

    parser.add_argument(
        "--data-dir",
        metavar="DIR",
        default=None,
        help="train on Fashion-MNIST from the four IDX files in DIR (train-images-idx3-ubyte[.gz], "
        "train-labels-idx1-ubyte[.gz], t10k-...); default: the embedded digits dataset",
    )
    parser.add_argument(
        "--epochs",
        type=positive_int("--epochs"),
        default=None,
        metavar="N",
        help=f"epochs (default {DEFAULT_EPOCHS} on the digits: with weights N(0, 0.01²) the logits "
        f"start near 0 and SGD at lr 0.1 needs 80-100 epochs of 6 minibatches to pass 0.95 "
        f"validation accuracy, so {DEFAULT_EPOCHS} leaves a margin; {FASHION_EPOCHS} on "
        f"Fashion-MNIST, as in the book)",
    )
    parser.add_argument(
        "--lr",
        type=positive_real("--lr"),
        default=0.1,
        metavar="LR",
        help="learning rate of minibatch SGD (default 0.1, the book's)",
    )
    parser.add_argument(
        "--batch-size",
        type=positive_int("--batch-size"),
        default=256,
        metavar="B",
        help="minibatch size (default 256, the book's)",
    )
    parser.add_argument(
        "--seed",
        type=non_negative_int("--seed"),
        default=0,
        metavar="S",
        help="seed of the initial weights and the shuffling (default 0)",
    )
    parser.add_argument(
        "--json",
        action="store_true",
        help='print {"dataset": ..., "epochs": [{"epoch", "train_loss", "val_loss", "val_acc", '
        '"seconds"}, ...]} instead of a table (no progress bar)',
    )
    parser.add_argument("--plot", metavar="FILE", default=None, help="also write the training curves to FILE (PNG)")
    parser.add_argument(
        "--dpi", type=dpi, default=150, metavar="D", help="resolution of --plot in dots per inch (default 150)"
    )


def _progress_bars(enabled: bool, epochs: int, rows: int, batches: int):
    """``(progress, on_epoch, close)`` callbacks drawing tqdm bars, or no-ops when not ``enabled``.

    One bar counts epochs and shows the last epoch's loss and accuracy; when an
    epoch has at least :data:`INNER_BAR_BATCHES` minibatches (Fashion-MNIST: 235)
    a second bar follows the images of the current epoch.
    """
    if not enabled:
        return None, None, lambda: None
    try:
        from tqdm import tqdm
    except ImportError:  # the train extra is not installed: train without a bar
        return None, None, lambda: None
    # A terminal that reports no size (a bare pty, some CI consoles) gets 80×24: tqdm
    # would otherwise hide every bar (each one's row is beyond a screen of 0 rows).
    # The size is asked of stderr itself, as tqdm does (COLUMNS/LINES do not reach tqdm).
    try:
        size = os.get_terminal_size(sys.stderr.fileno())
    except (OSError, ValueError):
        size = os.terminal_size((0, 0))
    width = {"dynamic_ncols": True} if size.columns > 0 and size.lines > 0 else {"ncols": 80, "nrows": 24}
    outer = tqdm(total=epochs, desc="training", unit="epoch", file=sys.stderr, **width)
    state = {"inner": None, "epoch": 1}

    def progress(k: int) -> None:
        if batches < INNER_BAR_BATCHES:
            return
        if state["inner"] is None:
            state["inner"] = tqdm(
                total=rows,
                desc=f"epoch {state['epoch']}/{epochs}",
                unit="img",
                leave=False,
                position=1,
                file=sys.stderr,
                **width,
            )
        state["inner"].update(k)

    def close_inner() -> None:
        if state["inner"] is not None:
            state["inner"].close()
            state["inner"] = None

    def on_epoch(stats) -> None:
        close_inner()
        state["epoch"] = stats.epoch + 1
        outer.set_postfix(loss=f"{stats.train_loss:.3f}", val_acc=f"{stats.val_acc:.3f}", refresh=False)
        outer.update(1)

    def close() -> None:
        close_inner()
        outer.close()

    return progress, on_epoch, close


def _table(history) -> str:
    step = max(1, math.ceil(len(history) / TABLE_ROWS))
    shown = [s for s in history if (s.epoch - 1) % step == 0 or s.epoch == len(history)]
    lines = [f"{'epoch':>5}  {'train loss':>10}  {'val loss':>8}  {'val acc':>7}  {'seconds':>7}"]

    def loss(v: float) -> str:
        return f"{v:.4f}" if abs(v) < 1e5 else f"{v:.3e}"  # 1e5: keep huge (diverging) losses in the column

    lines += [
        f"{s.epoch:>5}  {loss(s.train_loss):>10}  {loss(s.val_loss):>8}  {s.val_acc:>7.4f}  {s.seconds:>7.3f}"
        for s in shown
    ]
    if step > 1:
        lines.append(f"(one row every {step} epochs and the last; --json lists all)")
    return "\n".join(lines)


def _unwritable(path: Path) -> str:
    """Why ``path`` cannot be written as a new or replaced file ('' if it can, as far as we can tell)."""
    parent = path.parent if str(path.parent) else Path(".")
    if path.is_dir():
        return "it is a directory"
    if not parent.is_dir():
        return f"no such directory {parent}"
    if not os.access(parent, os.W_OK | os.X_OK):
        return f"directory {parent} is not writable"
    return ""


def run(args: argparse.Namespace) -> int:
    import numpy as np

    from numeric import data as datasets
    from numeric.training import DEFAULT_EPOCHS, MLPScratch, train

    if args.plot is not None:
        try:
            import matplotlib  # noqa: F401
        except ImportError:
            print("mlp-derivations train: --plot needs matplotlib: python -m pip install '.[plots]'", file=sys.stderr)
            return 1
        problem = _unwritable(Path(args.plot))
        if not problem and Path(args.plot).suffix.lower() != ".png":
            problem = (
                f"expected a file name ending in .png (the figure is written as PNG), got {Path(args.plot).name!r}"
            )
        if problem:  # say so now, not after the training it would have thrown away
            print(f"mlp-derivations train: cannot write --plot {args.plot}: {problem}", file=sys.stderr)
            return 1
    try:
        if args.data_dir is None:
            data = datasets.load_digits()
            epochs, dtype = args.epochs or DEFAULT_EPOCHS, np.float64
        else:
            data = datasets.load_fashion_mnist(args.data_dir)
            epochs, dtype = args.epochs or FASHION_EPOCHS, data.X_train.dtype
    except (FileNotFoundError, ValueError) as exc:
        print(f"mlp-derivations train: {exc}", file=sys.stderr)
        return 1
    except ImportError as exc:
        print(f"mlp-derivations train: {exc}", file=sys.stderr)
        return 1
    rng = np.random.default_rng(args.seed)
    model = MLPScratch(num_inputs=data.num_inputs, num_outputs=data.num_classes, lr=args.lr, rng=rng, dtype=dtype)
    show_bar = not args.json and sys.stdout.isatty() and sys.stderr.isatty()
    if not args.json:
        print(
            f"training {model} on {data.name}: {data.y_train.size} training / {data.y_val.size} validation "
            f"images, {epochs} epochs, lr {args.lr}, batch {args.batch_size}, seed {args.seed}",
            flush=True,
        )
    progress, on_epoch, close = _progress_bars(
        show_bar, epochs, data.y_train.size, math.ceil(data.y_train.size / args.batch_size)
    )
    try:
        history = train(
            model,
            data,
            epochs=epochs,
            lr=args.lr,
            batch_size=args.batch_size,
            rng=rng,
            progress=progress,
            callback=on_epoch,
        )
    except FloatingPointError as exc:
        print(f"mlp-derivations train: {exc}", file=sys.stderr)
        return 1
    finally:
        close()
    if args.json:
        json.dump({"dataset": data.name, "epochs": [s.as_dict() for s in history]}, sys.stdout, indent=2)
        sys.stdout.write("\n")
    else:
        print(_table(history))
        print(
            f"final validation accuracy {history[-1].val_acc:.4f} after {epochs} epochs "
            f"in {sum(s.seconds for s in history):.1f}s"
        )
    if args.plot is not None:
        from numeric import plots

        try:
            figure = plots.training_curves_figure(
                history, title=f"Training the scratch MLP on {data.name}", dpi=args.dpi
            )
            path = plots.save(figure, args.plot)
        except OSError as exc:
            print(f"mlp-derivations train: cannot write --plot {args.plot}: {exc.strerror or exc}", file=sys.stderr)
            return 1
        if not args.json:
            print(f"wrote {path}")
    return 0
