"""Finite-difference gradients (by ``numeric.gradcheck``) and the relative error that compares two arrays."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

__all__ = ["fd_gradient", "relative_error"]


def fd_gradient(J: Callable[[np.ndarray], complex], at: np.ndarray, complex_step: bool) -> np.ndarray:
    """∂J/∂v at ``at`` by numeric.gradcheck: complex step (J analytic) or central differences, gradcheck's steps.

    Complex step (``numeric.gradcheck``'s step 1e-20 × max(1, |v|)): truncation
    O(step²), no cancellation, exact to a few ulps.  Central differences (step
    eps^(1/3) × max(1, |v|)) for J that is not analytic (a ReLU kink downstream).
    """
    from numeric import (
        gradcheck,  # on use: `import derivations` does not import numeric
    )

    method = "complex" if complex_step else "central"
    return gradcheck.numerical_gradient(J, np.asarray(at, dtype=float), method=method)


def relative_error(a: np.ndarray, b: np.ndarray) -> float:
    """max |a − b| / max(max |b|, 1): relative to the largest entry, absolute below 1; inf if the shapes differ.

    Absolute below 1 because a gradient can be a small difference of O(1) numbers (softmax − onehot at a
    confident prediction is 1 − p_y ≈ 1e-6; either side rounds p_y to eps, a relative error of ~1e-10 from
    cancellation alone), so rounding is bounded at scale 1, not at the scale of the result.
    """
    a, b = np.asarray(a), np.asarray(b)
    if a.shape != b.shape:
        return float("inf")
    return float(np.max(np.abs(a - b)) / max(np.max(np.abs(b)), 1.0))
