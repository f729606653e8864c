"""mlp-derivations: the mathematics of D2L chapter 5 (MLPs), derived in SymPy and checked numerically.

>>> import derivations
>>> derivations.claim("5.1.7").verify().ok
True

``claims()`` lists every registered claim in chapter order; ``claim(id)``
looks one up (``KeyError`` listing the known ids otherwise).  Both import
every chapter module first (:data:`CHAPTER`; each registers its section's
claims), so they always see the whole chapter.

``import derivations`` alone is cheap (no SymPy, no Hypothesis): the public
names below and the submodules (``derivations.backprop``, ...) are imported
on first use (PEP 562), so a command line ``--help`` or the pytest plugin
without ``--claims`` pay nothing for the chapter.
"""

from __future__ import annotations

import sys
import types
from importlib import import_module
from importlib.util import find_spec
from typing import Any

__all__ = [
    "Check",
    "ChainResult",
    "Claim",
    "Gradient",
    "Result",
    "claim",
    "claims",
    "experiment",
    "experiments",
    "gradient",
    "verify_chain",
    "verify_gradient",
]
__version__ = "0.1.0"

#: The chapter's modules, imported in this order before the registry answers (the order fixes the
#: registration order, the last tie-breaker of the chapter order).
CHAPTER = (
    "activations",
    "layers",
    "backprop",
    "initialization",
    "stability",
    "training",
    "note",
    "layers_exercises",
    "note_more",
)

#: Public names imported on first use: name -> submodule that defines it.
_LAZY = {
    "Check": "check",
    "Claim": "claims",
    "Result": "claims",
    "ChainResult": "chain",
    "verify_chain": "chain",
    "Gradient": "calculus",
    "gradient": "calculus",
    "verify_gradient": "calculus",
    # `derivations.experiments` is the (callable) package itself, found below; `experiment(id)` is its function.
    "experiment": "experiments",
}


def _load_chapter() -> None:
    """Import every chapter module (each registers its claims on import); a no-op after the first call."""
    for name in CHAPTER:
        import_module(f"{__name__}.{name}")


def claims() -> list:
    """Every registered claim, in chapter order (errata after their section); the whole chapter is loaded first."""
    _load_chapter()
    from .claims import claims as registered

    return registered()


def claim(claim_id: str):
    """The claim with this id (the whole chapter loaded first); ``KeyError`` listing the known ids otherwise."""
    _load_chapter()
    from .claims import claim as lookup

    return lookup(claim_id)


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        value = getattr(import_module(f"{__name__}.{_LAZY[name]}"), name)
        globals()[name] = value
        return value
    if not name.startswith("_") and find_spec(f"{__name__}.{name}") is not None:
        return import_module(f"{__name__}.{name}")  # the import binds it as an attribute
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY) | set(CHAPTER))


class _Package(types.ModuleType):
    """The package's module type: ``derivations.claims`` stays the function.

    Importing the registry submodule ``derivations.claims`` makes the import system bind the
    module to the package's attribute of the same name; this keeps the public function there
    (the module stays reachable as ``sys.modules["derivations.claims"]`` and by ``from
    derivations.claims import ...``).
    """

    def __setattr__(self, name: str, value: Any) -> None:
        if name == "claims" and isinstance(value, types.ModuleType):
            return
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package
