"""Section 5.4: variance of a layer's outputs and gradients, and the initializations it motivates.

Claims 5.4.4, 5.4.5, 5.4.backward (the variance argument, for a symbolic
number of inputs), 5.4.6 (Xavier normal), 5.4.7 (Xavier uniform),
5.4.default (N(0, 0.01²)) and 5.4.he (He for ReLU).  SymPy derives every
constant; :mod:`numeric.init` is sampled and held to it by exact statistical
tests, each with false-alarm probability ``ALPHA`` and a stated power.

Independence is modelled explicitly: ``sympy.stats`` applied to ``Sum(w, (j,
1, n))`` of ONE random variable gives ``n² σ²`` (every term is the same
variable), so the symbolic-``n`` proofs expand ``E[o²] = Σ_j Σ_k E[w_j w_k]
E[x_j x_k]`` with ``E[w_j w_k] = σ² δ_jk + μ_w²`` (KroneckerDelta), and
``sympy.stats`` with distinct random variables confirms them at n = 1, 2, 3.

Layout (each module registers its claims on import, in this order):

- :mod:`.sampling`: ``ALPHA``, the exact χ² test and the per-shape initializer checks (no claims)
- :mod:`.moments`: the symbols, :func:`layer_moments`; 5.4.4, 5.4.5, 5.4.backward
- :mod:`.xavier`: :func:`xavier_variance`, :func:`xavier_uniform_bound`; 5.4.6, 5.4.7
- :mod:`.defaults`: :func:`he_variance`; 5.4.default, 5.4.he
"""

from __future__ import annotations

# Registration order: 5.4.4, 5.4.5, 5.4.backward, 5.4.6, 5.4.7, 5.4.default, 5.4.he.
# isort: off
from .sampling import ALPHA, FANS, SCALE_ERRORS, chi2_miss, chi2_scale_check  # noqa: F401 - re-exported
from .moments import a, gamma, j, k, layer_moments, mu_w, mu_x, n_in, n_out, sigma, v  # noqa: F401 - re-exported
from .xavier import uniform_variance, xavier_uniform_bound, xavier_variance  # noqa: F401 - re-exported
from .defaults import he_variance, relu_second_moment  # noqa: F401 - re-exported
# isort: on

__all__ = [
    "ALPHA",
    "chi2_scale_check",
    "he_variance",
    "layer_moments",
    "xavier_uniform_bound",
    "xavier_variance",
]
