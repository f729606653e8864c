"""mlp-derivations: the mathematics of D2L chapter 5 (MLPs), derived in SymPy and checked numerically.

>>> import derivations
>>> derivations.claim("5.1.7").verify().ok
True

``claims()`` lists every registered claim in chapter order; ``claim(id)``
looks one up (``KeyError`` listing the known ids otherwise).  Importing the
package registers every claim: each module below registers its section's.
"""

from .claims import Check, Claim, Result, claim, claims

# Importing a module registers its claims (chapter order is fixed in claims.py).
from . import activations, layers, backprop, initialization, stability, training, note  # noqa: E402,F401
from . import layers_exercises, note_more  # noqa: E402,F401
from .chain import ChainResult, verify_chain  # noqa: E402

__all__ = ["Check", "ChainResult", "Claim", "Result", "claim", "claims", "verify_chain"]
__version__ = "0.1.0"
