"""Shared Hypothesis strategies, as module constants (STYLE.md 8).

Add new shared strategies at the end of this file; keep names in CAPITALS.
"""

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra.numpy import array_shapes, arrays

#: Any finite float64, from -1e308 to 1e308 (subnormals included).
FINITE_FLOATS = st.floats(allow_nan=False, allow_infinity=False)

#: Well-scaled reals where every activation and its derivative are smooth and
#: far from overflow: |x| <= 30.
MODERATE_FLOATS = st.floats(min_value=-30.0, max_value=30.0, allow_nan=False)

#: Reals at least 1e-3 away from 0, for finite differences near ReLU's kink:
#: a central difference with step <= 1e-5 never straddles 0.
AWAY_FROM_ZERO = MODERATE_FLOATS.filter(lambda v: abs(v) >= 1e-3)

#: Small positive dimensions for matrices.
DIMS = st.integers(min_value=1, max_value=6)

#: Distinct dimensions >= 3 (small sizes hide non-commutativity; see issue 5).
DISTINCT_DIMS = st.lists(st.integers(3, 7), min_size=3, max_size=3, unique=True)

#: Float64 arrays of 1–3 dimensions with moderate finite entries.
MODERATE_ARRAYS = arrays(
    np.float64,
    array_shapes(min_dims=1, max_dims=3, max_side=6),
    elements=st.floats(-30.0, 30.0, allow_nan=False),
)

#: Float64 arrays with any finite entries, up to ±1e308.
EXTREME_ARRAYS = arrays(np.float64, array_shapes(min_dims=1, max_dims=2, max_side=8), elements=FINITE_FLOATS)

#: Float32 arrays with any finite float32 entries.
FLOAT32_ARRAYS = arrays(
    np.float32,
    array_shapes(min_dims=1, max_dims=2, max_side=8),
    elements=st.floats(allow_nan=False, allow_infinity=False, width=32),
)

#: Seeds for numpy.random.default_rng, drawn by Hypothesis so failures replay.
SEEDS = st.integers(min_value=0, max_value=2**32 - 1)
