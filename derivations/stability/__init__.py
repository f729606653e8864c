"""Section 5.4: gradients as Jacobian products, exploding and vanishing gradients, symmetry, depth.

Claims 5.4.2 (Eq. 5.4.2 with ``v^(l)`` a third-order tensor), 5.4.exploding
(Gaussian matrix products grow at the top Lyapunov exponent; the study note's
printed product is placed in the distribution), 5.4.vanishing (σ' ≤ 1/4 and
σ' < e^{-|x|}) and 5.4.symmetry (permuting hidden units; identical units stay
identical under SGD).  It also attaches the depth experiment
(:func:`numeric.stability.depth_experiment`) to 5.4.default, 5.4.6 and 5.4.he.

Layout (each module registers its claims on import, in this order):

- :mod:`.jacobians`: 5.4.2, and ``EPS`` and ``COMPLEX_STEP`` (shared with the modules below)
- :mod:`.exploding`: 5.4.exploding: the Lyapunov law, Chernoff bands, the
  Gil-Pelaez CDF of ln‖P u‖ and the note's percentile
- :mod:`.vanishing`: 5.4.vanishing
- :mod:`.symmetry`: 5.4.symmetry
- :mod:`.depth`: the depth experiment's checks on 5.4.default, 5.4.6 and 5.4.he
"""

from __future__ import annotations

# Registration order: the claims 5.4.2, exploding, vanishing, symmetry, then the depth checks.
# isort: off
from .jacobians import COMPLEX_STEP, EPS, NETWORKS  # noqa: F401 - re-exported
from .exploding import NOTE_PRODUCT, chernoff_band, log_norm_cdf, note_percentile
from .vanishing import MODERATE_REALS, STACKS  # noqa: F401 - re-exported
from .symmetry import PERMUTED_NETS  # noqa: F401 - re-exported
from .depth import _experiment  # noqa: F401 - re-exported (tests clear its cache)
from . import exercises  # noqa: F401
# isort: on

__all__ = ["NOTE_PRODUCT", "chernoff_band", "log_norm_cdf", "note_percentile"]
