"""Matrix calculus (a tool): gradients of scalar expressions of matrix symbols, at symbolic sizes.

Its own reverse-mode rules (:mod:`.derive`) do the differentiation -- SymPy's matrix ``.diff``
has the defects of :data:`~.defects.SYMPY_DEFECTS` -- and this package supplies what a
derivation needs to be trusted rather than taken on faith:

- :mod:`.normalize` -- canonical forms (named derivatives of undefined
  functions, alpha-renamed sums) and :func:`~.normalize.matrices_equal`, a
  proof of equality at symbolic sizes;
- :mod:`.explicit` -- explicit-size evaluation and the entry-by-entry
  reference (SymPy's scalar ``diff``), compared by :func:`~.explicit.entries_match`;
- :mod:`.lambdify` -- :func:`~.lambdify.lambdify_matrix`: NumPy functions of
  matrix expressions with elementwise applications;
- :mod:`.finite_differences` -- finite-difference gradients and the relative
  error used to compare arrays;
- :mod:`.defects` -- the SymPy defects and a reproducer for each.

The public tool (issue 14): :func:`~.gradient.gradient` -- ∂f/∂X in closed form by the reverse-mode
rules of :mod:`.derive`, strings parsed by :mod:`.parse` (the chain grammar plus ``sum``, 1×1 as
scalar, undefined φ), evaluated by :mod:`.evaluate`, checked by :mod:`.verify` -- and
:func:`~.gradient.verify_gradient` (a claimed gradient through :func:`derivations.verify_chain`).

A tool: nothing here imports a chapter module or the claim registry; results
are plain values (bools, strings, SymPy objects, NumPy arrays).
"""

from .gradient import Gradient, gradient, verify_gradient  # noqa: E402

__all__ = ["Gradient", "gradient", "verify_gradient"]
