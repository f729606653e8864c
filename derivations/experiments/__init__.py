"""The measured exercises of section 5.2 (CHAPTER.md, "Exercises"): ``5.2.ex1``–``5.2.ex9``.

>>> import derivations
>>> [e.id for e in derivations.experiments()][:2]
['5.2.ex1', '5.2.ex2']
>>> result = derivations.experiment("5.2.ex3").run(seeds=3, out="figs")   # doctest: +SKIP
>>> result.rows, result.conclusion, result.figure                          # doctest: +SKIP

Each trains (or times) on the embedded digits with the book's settings
except the one setting varied (``models.py``), over several seeds, and
reports per setting a mean with a Student t 95% interval (``stats.py``),
one figure, and one sentence of conclusion computed from the rows.
Training runs go to worker processes (``runner.py``); the timing
experiments (ex6, ex7) run serially.  Nothing here is imported by
``import derivations``: the package ``__getattr__`` loads it on first use.

This module is also callable, ``derivations.experiments()``, so the name
means the same thing whether or not the subpackage has been imported (an
imported subpackage becomes an attribute of its parent and would otherwise
hide the function of the same name).
"""

from __future__ import annotations

import sys
import types

from .base import Experiment, ExperimentResult

__all__ = ["EXPERIMENTS", "Experiment", "ExperimentResult", "experiment", "experiments"]

#: Every experiment, in CHAPTER.md's order: (id, title, module, runs its settings in parallel).
_SPECS = (
    ("5.2.ex1", "Held-out accuracy against the number of hidden units (1 to 1024)", "capacity", True),
    ("5.2.ex2", "One added hidden layer against the book's single one", "capacity", True),
    ("5.2.ex3", "A single hidden unit: logits minus b2 have rank 1, and the accuracy it costs", "capacity", True),
    ("5.2.ex4", "Learning rate (1e-3 to 10) against accuracy and the epochs needed", "tuning", True),
    ("5.2.ex5", "Random search against grid search at equal budget (lr, epochs, depth, width)", "tuning", True),
    ("5.2.ex6", "The from-scratch NumPy step against PyTorch's as the network grows", "timing", False),
    ("5.2.ex7", "Matrix-product time at sizes 1024, 1025, 1026, 1028, 1032", "timing", False),
    ("5.2.ex8", "The activations of section 5.1 against each other", "choices", True),
    ("5.2.ex9", "The initializations of section 5.4 against each other", "choices", True),
)

EXPERIMENTS = {i: Experiment(i, title, module, parallel) for i, title, module, parallel in _SPECS}


def experiments() -> list[Experiment]:
    """Every measured exercise of CHAPTER.md, in order (``5.2.ex1`` … ``5.2.ex9``)."""
    return list(EXPERIMENTS.values())


def experiment(id: str) -> Experiment:  # noqa: A002 - the registry's word, as derivations.claim(id)
    """The experiment ``id``; an unknown id raises ``KeyError`` listing the known ones."""
    try:
        return EXPERIMENTS[id]
    except (KeyError, TypeError):
        raise KeyError(f"no experiment {id!r}; known: {', '.join(EXPERIMENTS)}") from None


class _CallableModule(types.ModuleType):
    """This package, callable as :func:`experiments`."""

    def __call__(self) -> list[Experiment]:
        return experiments()


sys.modules[__name__].__class__ = _CallableModule
