"""Section 5.4 numerics: Jacobian products, exploding products, vanishing sigmoids, the depth experiment.

* :func:`lyapunov_exponent` and :func:`matrix_product` (exploding gradients):
  a product of standard-normal ``n × n`` matrices grows like
  ``exp(λ k)`` with ``λ = ½ (ln 2 + ψ(n/2))`` (Newman 1986);
* :func:`log_norm_increments`: the per-factor growth ``ln(‖M_k u‖ / ‖u‖)``;
* :func:`stacked_sigmoid_grad`: the derivative of ``L`` stacked sigmoids
  (vanishing gradients, at most ``4^{-L}``);
* :func:`deep_forward` and :func:`jacobian_product_gradient`: Eq. 5.4.2 built
  literally, ``∂o/∂W^(l) = M^(L) ⋯ M^(l+1) v^(l)`` (column vectors);
* :func:`depth_experiment`: activation and gradient variances through a deep
  row-major network, the data of the depth figure.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from . import init as _init
from ._validate import generator, positive_int

__all__ = [
    "DepthExperiment",
    "deep_forward",
    "depth_experiment",
    "jacobian_product_gradient",
    "log_norm_increments",
    "lyapunov_exponent",
    "matrix_product",
    "scaled_matrix_product",
    "stacked_sigmoid_grad",
]


# --- exploding: products of Gaussian matrices -------------------------------------------------


def lyapunov_exponent(n: int) -> float:
    """Top Lyapunov exponent of i.i.d. standard-normal n×n products: λ = ½ (ln 2 + ψ(n/2)) (Newman 1986).

    For a fixed unit ``u`` and standard-normal ``M``, ``‖M u‖² ~ χ²_n`` and is
    independent of ``u``, so ``ln ‖M_k ⋯ M_1 u‖`` is a sum of i.i.d. copies of
    ``½ ln χ²_n`` whose mean is ``½ (ln 2 + ψ(n/2))``.  ≈ 0.558 for n = 4.
    """
    from scipy.special import digamma  # lazy: keep `import numeric` fast

    n = positive_int("n", n, "the matrix size")
    return 0.5 * (math.log(2.0) + float(digamma(n / 2)))


def scaled_matrix_product(
    n: int = 4, factors: int = 101, *, size: int | None = None, rng: np.random.Generator | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Section 5.4 exploding example, overflow-free: M_1 M_2 ⋯ M_factors = P · 2**e.

    Multiplies ``factors`` i.i.d. standard-normal ``n × n`` matrices from the
    right, as the study note does (``M = M @ N``), renormalizing by a power of
    two after every factor (exact in binary floating point).  Returns ``P``
    (``(n, n)``, or ``(size, n, n)`` for ``size`` independent products) and the
    integer exponents ``e`` (shape ``()`` or ``(size,)``).
    """
    n = positive_int("n", n, "the matrix size")
    factors = positive_int("factors", factors, "the number of matrices multiplied")
    batch = () if size is None else (positive_int("size", size, "the number of independent products"),)
    rng = generator(rng)
    P = rng.standard_normal(batch + (n, n))
    e = np.zeros(batch, dtype=np.int64)
    for _ in range(factors - 1):
        P = P @ rng.standard_normal(batch + (n, n))
        # frexp of the largest |entry|: 2**k with max|P| / 2**k in [0.5, 1); ldexp by -k is exact.
        _, k = np.frexp(np.max(np.abs(P), axis=(-2, -1)))
        P = np.ldexp(P, -k[..., None, None])
        e = e + k
    return P, e


def matrix_product(n: int = 4, factors: int = 101, *, rng: np.random.Generator | None = None) -> np.ndarray:
    """Section 5.4 exploding example: the product of ``factors`` standard-normal n×n matrices (note's order).

    The note draws one 4×4 matrix and multiplies 100 more from the right, so the
    default is ``factors=101``.  Raises ``OverflowError`` (instead of returning
    inf) if the product leaves float64's range; use
    :func:`scaled_matrix_product` for the mantissa and exponent then.
    """
    P, e = scaled_matrix_product(n, factors, rng=rng)
    top = np.max(np.abs(P))
    if top > 0 and int(e) + math.frexp(float(top))[1] > np.finfo(np.float64).maxexp:
        raise OverflowError(
            f"the product of factors={factors} {n}x{n} matrices has entries near 2**{int(e)}, beyond float64; "
            "use scaled_matrix_product for the mantissa and exponent"
        )
    return np.ldexp(P, int(e))


def log_norm_increments(n: int, factors: int, *, chains: int = 1, rng: np.random.Generator | None = None) -> np.ndarray:
    """Exploding gradients: ln(‖M_k ⋯ M_1 u‖ / ‖M_{k-1} ⋯ M_1 u‖), k = 1..factors, for ``chains`` chains.

    Each chain starts from ``u = e_1`` and applies fresh standard-normal
    ``n × n`` matrices, renormalizing the vector after every step (so nothing
    overflows).  Returns an array ``(chains, factors)``; the row sums are
    ``ln ‖M_factors ⋯ M_1 u‖``, whose mean rate is :func:`lyapunov_exponent`.
    """
    n = positive_int("n", n, "the matrix size")
    factors = positive_int("factors", factors, "the number of matrices multiplied")
    chains = positive_int("chains", chains, "the number of independent chains")
    rng = generator(rng)
    u = np.zeros((chains, n))
    u[:, 0] = 1.0
    out = np.empty((chains, factors))
    for k in range(factors):
        v = np.einsum("cij,cj->ci", rng.standard_normal((chains, n, n)), u)
        norm = np.linalg.norm(v, axis=1)
        out[:, k] = np.log(norm)  # ‖u‖ = 1 after the renormalization below
        u = v / norm[:, None]
    return out


# --- vanishing: stacked sigmoids ---------------------------------------------------------------


def _sigmoid(x: np.ndarray) -> np.ndarray:
    """σ(x) = 1 / (1 + e^{-x}), evaluated without overflow for any real x."""
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def stacked_sigmoid_grad(x: np.ndarray | float, L: int) -> np.ndarray:
    """Section 5.4 vanishing: d/dx σ(σ(⋯σ(x))) for L stacked sigmoids with unit weights, by the chain rule.

    The derivative is ``Π_l σ'(h_{l-1})`` with ``h_0 = x``, ``h_l = σ(h_{l-1})``;
    each factor ``σ' = σ (1 - σ) ≤ 1/4``, so the product is at most ``4^{-L}``.
    """
    L = positive_int("L", L, "the number of stacked sigmoids")
    h = np.asarray(x)
    h = h if h.dtype in (np.float32, np.float64) else h.astype(np.float64)  # float32 in, float32 out
    grad = np.ones_like(h)
    for _ in range(L):
        # σ'(h) = σ(h) σ(-h): the same as σ (1 - σ) but without the cancellation in 1 - σ(h) for h >> 0
        # (at h = 20, 1 - σ(h) computed by subtraction keeps only ~23 of 53 bits).
        grad = grad * (_sigmoid(h) * _sigmoid(-h))
        h = _sigmoid(h)
    return grad


# --- Eq. 5.4.2: the gradient as a product of Jacobians -----------------------------------------


def _sigmoid_any(z: np.ndarray) -> np.ndarray:
    """σ(z): the overflow-free form for real z, 1/(1 + e^{-z}) for complex z (complex-step use, |Im z| tiny)."""
    return 1.0 / (1.0 + np.exp(-z)) if np.iscomplexobj(z) else _sigmoid(z)


def _tanh_grad(z: np.ndarray) -> np.ndarray:
    """tanh'(z) = 4 e^{-2|z|} / (1 + e^{-2|z|})², equal to 1 - tanh(z)² without its cancellation for |z| >> 0."""
    e = np.exp(-2.0 * np.abs(z))
    return 4.0 * e / (1.0 + e) ** 2  # 4 = (e^z + e^-z)² e^{-2|z|} / (1 + e^{-2|z|})² at the scale 2² of cosh


_SMOOTH = {
    # name: (f, f').  f is analytic and also accepts complex arguments (complex-step differences);
    # f' is for real z and avoids the cancellation of 1 - tanh² and 1 - σ (accurate to a few ulp).
    "tanh": (np.tanh, _tanh_grad),
    "sigmoid": (_sigmoid_any, lambda z: _sigmoid(z) * _sigmoid(-z)),
}


def _smooth(activation: str):
    try:
        return _SMOOTH[activation]
    except (KeyError, TypeError):
        raise KeyError(f"no activation {activation!r} for Eq. 5.4.2; known: {', '.join(sorted(_SMOOTH))}") from None


def deep_forward(x: np.ndarray, Ws: list[np.ndarray], activations: list[str]) -> list[np.ndarray]:
    """Eq. 5.4.1: h^(l) = f_l(W^(l) h^(l-1)), h^(0) = x, o = h^(L); column vectors, no biases.

    Returns ``[h^(0), h^(1), ..., h^(L)]``.  Works for complex inputs (the
    activations are analytic), which complex-step differentiation uses.
    """
    if len(Ws) != len(activations):
        raise ValueError(
            f"Ws has {len(Ws)} matrices but activations has {len(activations)} names; expected one per layer"
        )
    hs = [np.asarray(x)]
    for l, (W, name) in enumerate(zip(Ws, activations), start=1):
        if W.ndim != 2 or W.shape[1] != hs[-1].shape[0]:
            raise ValueError(
                f"W^({l}) has shape {W.shape} but h^({l - 1}) has {hs[-1].shape[0]} entries; "
                f"expected W^({l}).shape[1] == {hs[-1].shape[0]}"
            )
        f, _ = _smooth(name)
        hs.append(f(W @ hs[-1]))
    return hs


def jacobian_product_gradient(x: np.ndarray, Ws: list[np.ndarray], activations: list[str], l: int) -> np.ndarray:
    """Eq. 5.4.2: ∂o/∂W^(l) = M^(L) ⋯ M^(l+1) v^(l); column vectors; returns a (q, rows, cols) array.

    ``M^(k) = ∂h^(k)/∂h^(k-1) = diag(f_k'(z^(k))) W^(k)`` are matrices and
    ``v^(l) = ∂h^(l)/∂W^(l)`` is a third-order tensor,
    ``v[i, a, b] = f_l'(z^(l)_i) δ_ia h^(l-1)_b`` (the book calls it a vector).
    """
    L = len(Ws)
    if not (isinstance(l, (int, np.integer)) and 1 <= l <= L):
        raise ValueError(f"l={l!r} is not a layer index; expected an integer in 1..{L}")
    hs = deep_forward(x, Ws, activations)
    zs = [None] + [W @ h for W, h in zip(Ws, hs[:-1])]
    _, df_l = _smooth(activations[l - 1])
    rows, cols = Ws[l - 1].shape
    v = np.einsum("i,ia,b->iab", df_l(zs[l]), np.eye(rows), hs[l - 1])  # ∂h^(l)_i / ∂W^(l)_ab
    J = np.eye(rows)
    for k in range(l + 1, L + 1):
        _, df_k = _smooth(activations[k - 1])
        M = df_k(zs[k])[:, None] * Ws[k - 1]  # M^(k) = diag(f_k'(z^(k))) W^(k)
        J = M @ J
    return np.einsum("qi,iab->qab", J, v)


# --- the depth experiment ----------------------------------------------------------------------

_DEPTH_ACTIVATIONS = {
    # name: (f, f' from z) for the row-major depth experiment.
    "tanh": (np.tanh, lambda z: 1.0 - np.tanh(z) ** 2),
    "relu": (lambda z: np.maximum(z, 0.0), lambda z: (z > 0).astype(z.dtype)),  # relu'(0) = 0 (book)
}


@dataclass(frozen=True)
class DepthExperiment:
    """Per-layer variances of a deep row-major network (one figure's data).

    Arrays have ``depth`` entries indexed by layer ``l = 1..depth`` (``layers``):
    ``activation_variance[l-1] = Var h^(l)``, ``preactivation_variance[l-1] = Var z^(l)``
    (``z^(l) = h^(l-1) W^(l)``), ``gradient_variance[l-1] = Var ∂ℓ/∂h^(l-1)`` (the
    gradient leaving layer ``l`` backward, for an upstream gradient ``∂ℓ/∂h^(depth)``
    of i.i.d. N(0, 1) entries).  Variances are over the batch and units.
    """

    init: str
    activation: str
    depth: int
    width: int
    batch: int
    layers: np.ndarray
    activation_variance: np.ndarray
    activation_second_moment: np.ndarray
    preactivation_variance: np.ndarray
    gradient_variance: np.ndarray


def depth_experiment(
    init: str,
    activation: str,
    *,
    depth: int = 50,
    width: int = 256,
    batch: int = 256,
    rng: np.random.Generator | None = None,
) -> DepthExperiment:
    """Section 5.4: forward and backward variances through ``depth`` square layers h = f(h W) (row-major, no bias).

    ``init`` is a :data:`numeric.init.INITIALIZERS` name (``"normal"`` is the
    default N(0, 0.01²), ``"xavier_normal"``, ``"he_normal"``, ...);
    ``activation`` is ``"tanh"`` or ``"relu"``.  The input has i.i.d. N(0, 1)
    entries, shape ``(batch, width)``.
    """
    initializer = _init.get(init)
    try:
        f, df = _DEPTH_ACTIVATIONS[activation]
    except (KeyError, TypeError):
        raise KeyError(
            f"no activation {activation!r} for the depth experiment; known: {', '.join(sorted(_DEPTH_ACTIVATIONS))}"
        ) from None
    depth = positive_int("depth", depth, "the number of layers")
    width = positive_int("width", width, "units per layer")
    batch = positive_int("batch", batch, "rows of the input")
    rng = generator(rng)
    h = rng.standard_normal((batch, width))
    Ws, zs = [], []
    act_var, act_m2, pre_var = np.empty(depth), np.empty(depth), np.empty(depth)
    for l in range(depth):
        W = initializer(width, width, rng=rng)
        z = h @ W
        h = f(z)
        Ws.append(W)
        zs.append(z)
        pre_var[l], act_var[l], act_m2[l] = z.var(), h.var(), np.mean(h * h)
    g = rng.standard_normal((batch, width))  # ∂ℓ/∂h^(depth)
    grad_var = np.empty(depth)
    for l in reversed(range(depth)):
        g = (g * df(zs[l])) @ Ws[l].T  # ∂ℓ/∂h^(l-1) = (∂ℓ/∂h^(l) ⊙ f'(z^(l))) W^(l)ᵀ
        grad_var[l] = g.var()
    return DepthExperiment(
        init, activation, depth, width, batch, np.arange(1, depth + 1), act_var, act_m2, pre_var, grad_var
    )
