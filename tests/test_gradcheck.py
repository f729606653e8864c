"""numeric.gradcheck: accuracy on known derivatives, wrong gradients caught, bad inputs rejected."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import array_shapes, arrays

from numeric.gradcheck import (
    METHODS,
    check_directional,
    check_gradient,
    directional_miss_bound,
    numerical_gradient,
    richardson_gradient,
)

# Accuracy each method must reach with default settings on smooth, well-scaled functions (issue 2,
# item 8); the module docstring predicts ~1e-15, ~1e-13 and ~4e-11 respectively.
REQUIRED_RTOL = {"complex": 1e-13, "richardson": 1e-9, "central": 1e-6}

#: Well-scaled points: entries in [-1, 1], up to 3 dimensions of side <= 4 (<= 64 entries).  For every
#: KNOWN function |f| / min|grad| <= 2600 (worst: log-sum-exp, 5.2 / 2.1e-3), so the central error
#: ~eps^(2/3)·2600 ≈ 1e-7 stays below the required 1e-6.
UNIT_ARRAYS = arrays(np.float64, array_shapes(min_dims=0, max_dims=3, max_side=4), elements=st.floats(-1.0, 1.0))
#: Square matrices and vectors for x^T A x.
SIDES = st.integers(1, 6)
#: Coefficients of a cubic, each in [1, 2], so p'(x) >= 1 on [0, 1]: no cancellation to zero.
CUBIC_COEFFS = st.lists(st.floats(1.0, 2.0), min_size=4, max_size=4)
#: Index of the corrupted element among 40, and the sign of the 0.1% error.
WRONG_INDEX = st.integers(0, 39)
SIGNS = st.sampled_from([-1.0, 1.0])


def _log_sum_exp(x):
    m = np.max(x.real)  # shift for stability; real part only, so complex steps pass through
    return m + np.log(np.sum(np.exp(x - m)))


def _softmax(x):
    e = np.exp(x - np.max(x))
    return e / np.sum(e)


# (name, f, analytic gradient): each gradient entry is >= e^-2/64 ≈ 2e-3 on UNIT_ARRAYS.
KNOWN = [
    ("exp", lambda x: np.sum(np.exp(x)), np.exp),
    ("sin", lambda x: np.sum(np.sin(x)), np.cos),  # cos >= cos(1) = 0.54 on [-1, 1]
    ("log-sum-exp", _log_sum_exp, _softmax),
]


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("name,f,grad", KNOWN, ids=[k[0] for k in KNOWN])
@given(x=UNIT_ARRAYS)
def test_numerical_gradient_reaches_each_methods_accuracy_on_known_derivatives(method, name, f, grad, x):
    numeric = numerical_gradient(f, x, method=method)
    exact = grad(x)
    assert numeric.shape == x.shape and numeric.dtype == np.float64
    rel = np.max(np.abs(numeric - exact) / np.abs(exact)) if x.size else 0.0
    assert rel <= REQUIRED_RTOL[method], f"{name}, {method}: relative error {rel:.3g}"


@pytest.mark.parametrize("method", METHODS)
@given(coeffs=CUBIC_COEFFS, x=arrays(np.float64, st.integers(1, 10), elements=st.floats(0.0, 1.0)))
def test_numerical_gradient_of_a_cubic_matches_its_derivative(method, coeffs, x):
    c0, c1, c2, c3 = coeffs
    f = lambda v: np.sum(c0 + c1 * v + c2 * v**2 + c3 * v**3)  # noqa: E731
    exact = c1 + 2 * c2 * x + 3 * c3 * x**2
    rel = np.max(np.abs(numerical_gradient(f, x, method=method) - exact) / exact)
    assert rel <= REQUIRED_RTOL[method]


@pytest.mark.parametrize("method", METHODS)
@given(data=st.data(), n=SIDES)
def test_numerical_gradient_of_a_quadratic_form_is_a_plus_a_transpose_times_x(method, data, n):
    A = data.draw(arrays(np.float64, (n, n), elements=st.floats(-2.0, 2.0)), label="A")
    x = data.draw(arrays(np.float64, (n,), elements=st.floats(-2.0, 2.0)), label="x")
    exact = (A + A.T) @ x
    # Both sides round like a sum of n products: measure the error against the elementwise scale
    # (|A| + |A^T|)|x| plus max(1, |f|) (the difference quotient's rounding), not against |exact|,
    # which can cancel to 0.
    scale = (np.abs(A) + np.abs(A.T)) @ np.abs(x) + max(1.0, abs(x @ A @ x))
    numeric = numerical_gradient(lambda v: v @ A @ v, x, method=method)
    assert np.all(np.abs(numeric - exact) <= REQUIRED_RTOL[method] * scale)


@pytest.mark.parametrize("method", METHODS)
def test_numerical_gradient_handles_a_zero_dimensional_input(method):
    value = numerical_gradient(lambda t: t**3, 2.0, method=method)
    assert value.shape == () and abs(value - 12.0) <= REQUIRED_RTOL[method] * 12.0  # d/dt t³ = 3t² = 12


@given(x=UNIT_ARRAYS)
def test_richardson_error_estimate_bounds_the_actual_error(x):
    grad, err = richardson_gradient(lambda v: np.sum(np.exp(v)), x)
    assert np.all(np.abs(grad - np.exp(x)) <= err)
    assert np.all(err <= 1e-9 * np.exp(x))  # and is itself within the stated accuracy


@pytest.mark.parametrize("h", [0.4, 0.2])
def test_richardson_is_sixth_order_with_the_predicted_constant(h):
    # Central differences of exp at 0: D(h) = 1 + h²/6 + h⁴/120 + h⁶/5040 + ...; the weights
    # (1, -20, 64)/45 of D(h), D(h/2), D(h/4) cancel h² and h⁴ and leave h⁶·(1 - 20/64 + 64/4096)/45
    # = h⁶/64 of the h⁶ term: error h⁶/(64·5040).  The h⁸ term is ~0.3% of it at h = 0.4 (measured),
    # rounding ~1e-15: a 1% band separates order 6 from any O(h⁴) slip (off by a factor >= 10).
    predicted = h**6 / (64 * 5040)
    grad, _ = richardson_gradient(np.exp, 0.0, step=h)
    assert (grad - 1.0) / predicted == pytest.approx(1.0, rel=1e-2)


@pytest.mark.parametrize("method", METHODS)
def test_huge_but_differentiable_inputs_give_finite_gradients_without_warnings(method):
    x = np.array([1e300, -1e300])  # x ± h stays finite (h = 6e294 for central, 2.3e298 for Richardson)
    grad = numerical_gradient(lambda v: np.sum(v * 1e-300), x, method=method)  # gradient 1e-300 each
    assert np.allclose(grad, 1e-300, rtol=REQUIRED_RTOL[method], atol=0)


def test_float32_input_is_differenced_in_float64_and_not_modified():
    x = np.array([0.5, -0.25, 1.0], dtype=np.float32)
    before = x.copy()
    grad = numerical_gradient(lambda v: np.sum(v**2), x, method="complex")
    assert grad.dtype == np.float64 and np.array_equal(x, before)
    assert np.allclose(grad, 2 * x.astype(np.float64), rtol=1e-13, atol=0)  # d/dv v² = 2v


def _relu_complex(v):
    return np.where(v.real > 0, v, 0.0)  # keeps the imaginary part where v > 0, ReLU'(0) = 0


@pytest.mark.parametrize(
    "f,expected",
    [(lambda v: np.sum(_relu_complex(v) * v), [0.0, 0.0, 4.0]), (lambda v: np.sum(_relu_complex(v)), [0.0, 0.0, 1.0])],
    ids=["relu-times-v", "relu"],
)
def test_complex_step_accepts_exact_zero_derivatives_and_kinks(f, expected):
    # d/dv relu(v)·v = 2v for v > 0, 0 below and at 0; d/dv relu(v) = 1 above, 0 below, and 0 at the kink by
    # convention: exact zeros and kinks must not be mistaken for a dropped imaginary part.
    grad = numerical_gradient(f, np.array([-1.0, 0.0, 2.0]), method="complex")
    assert np.array_equal(grad, expected)  # the complex step is exact for these piecewise polynomials


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("name,f,grad", KNOWN, ids=[k[0] for k in KNOWN])
@given(x=UNIT_ARRAYS)
def test_check_gradient_passes_correct_gradients_with_default_tolerances(method, name, f, grad, x):
    result = check_gradient(f, grad, x, method=method)
    assert result.ok, result.message


# ---------------------------------------------------------------- wrong gradients are flagged
def _forty_element_problem(shape):
    x = np.random.default_rng(40).uniform(-1.0, 1.0, shape)  # seed: any fixed well-scaled point
    f = lambda v: np.sum(np.exp(v) * (2.0 + np.sin(v)))  # noqa: E731
    # gradient e^x (2 + sin x + cos x) >= e^-1 (2 - √2) > 0.2: no entry near 0
    grad = np.exp(x) * (2.0 + np.sin(x) + np.cos(x))
    assert np.min(np.abs(grad)) > 0.1  # so 0.1% of every entry is far above every tolerance
    return f, grad, x


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("shape", [(40,), (5, 8)], ids=["vector-40", "matrix-5x8"])
@given(flat_index=WRONG_INDEX, sign=SIGNS)
def test_check_gradient_flags_one_element_wrong_by_a_tenth_of_a_percent(method, shape, flat_index, sign):
    f, grad, x = _forty_element_problem(shape)
    assert check_gradient(f, grad, x, method=method).ok  # the right gradient passes ...
    wrong = grad.copy()
    index = np.unravel_index(flat_index, shape)
    wrong[index] *= 1 + sign * 1e-3  # 0.1% relative error in one element
    result = check_gradient(f, wrong, x, method=method)
    assert not result.ok  # ... the wrong one fails, at the right element
    assert result.worst_index == tuple(int(i) for i in index)
    assert str(result.worst_index) in result.message
    assert f"{wrong[index]:.10g}" in result.message and f"{result.numeric[index]:.10g}" in result.message
    assert result.max_rel_error == pytest.approx(1e-3, rel=1e-2)


@pytest.mark.parametrize("method", METHODS)
def test_check_gradient_catches_a_transposed_gradient(method):
    rng = np.random.default_rng(7)  # seed: any; a and b below are not parallel
    a, b = rng.standard_normal(4), rng.standard_normal(4)
    W = rng.standard_normal((4, 4))
    f = lambda M: a @ M @ b  # noqa: E731
    assert check_gradient(f, np.outer(a, b), W, method=method).ok  # d(aᵀWb)/dW = a bᵀ
    assert not check_gradient(f, np.outer(a, b).T, W, method=method).ok


def test_check_gradient_accepts_a_callable_gradient():
    f, grad, x = _forty_element_problem((40,))
    result = check_gradient(f, lambda v: np.exp(v) * (2.0 + np.sin(v) + np.cos(v)), x)
    assert result.ok and result.max_rel_error < REQUIRED_RTOL["central"]


def test_check_gradient_judges_the_worst_element_by_its_tolerance_not_by_absolute_error():
    c = np.array([1000.0, 0.05, 1.0, 2.0])  # entries of very different size
    x = np.zeros(4)
    f = lambda v: np.sum(c * np.exp(v))  # noqa: E731  (gradient c at 0)
    wrong = c.copy()
    wrong[0] *= 1 + 1e-7  # abs error 1e-4, inside rtol 1e-6·1000 = 1e-3: acceptable
    wrong[1] *= 1 + 1e-3  # abs error 5e-5, smaller, but far outside atol 1e-8·|f| ≈ 1e-5
    result = check_gradient(f, wrong, x)
    assert not result.ok and result.worst_index == (1,), result.message


# ----------------------------------------------------------------------- directional check
N_LARGE = 100_000  # issue 2: one wrong entry in a vector of 10^5


@pytest.mark.parametrize("method", ["complex", "central"])
def test_check_directional_catches_one_wrong_entry_in_a_vector_of_100000(method):
    x = np.random.default_rng(5).uniform(-1.0, 1.0, N_LARGE)  # seed: any fixed point
    # f = mean cosh keeps |f| ~ 1 so the default atol is not inflated by |f| ~ 1e5.
    f = lambda v: np.sum(np.cosh(v)) / N_LARGE  # noqa: E731
    grad = np.sinh(x) / N_LARGE
    good = check_directional(f, grad, x, method=method)
    assert good.ok, good.message
    wrong = grad.copy()
    delta = 1e-3  # one entry off by 1e-3, ~3000x a typical entry |sinh(x)|/1e5
    wrong[12345] += delta
    bad = check_directional(f, wrong, x, method=method)
    # Power statement: the documented bound on missing this error must be negligible here.
    tol = bad.atol + bad.rtol * np.max(np.abs(bad.analytic))
    assert directional_miss_bound(N_LARGE, delta, tol, directions=3) < 1e-6
    assert not bad.ok, bad.message


def test_check_directional_is_reproducible_and_accepts_a_list_of_arrays():
    rng = np.random.default_rng(3)  # seed: any
    W, b = rng.standard_normal((3, 4)), rng.standard_normal(4)
    f = lambda p: np.sum(np.tanh(p[0]) @ p[1])  # noqa: E731
    grad = lambda p: [(1 - np.tanh(p[0]) ** 2) * p[1], np.sum(np.tanh(p[0]), axis=0)]  # noqa: E731
    first = check_directional(f, grad, [W, b], rng=11, method="richardson")
    again = check_directional(f, grad, [W, b], rng=11, method="richardson")
    assert first.ok, first.message
    assert np.array_equal(first.analytic, again.analytic)
    assert not check_directional(f, lambda p: [grad(p)[0] * 1.01, grad(p)[1]], [W, b], rng=11).ok


# ----------------------------------------------------------------------------- bad inputs
def _square_sum(v):
    return np.sum(v**2)


def _drops_imaginary_part(v):
    return np.sum(np.abs(v))


def _writes_into_float_array(v):
    out = np.empty(v.shape)
    out[...] = v  # ComplexWarning: the imaginary part is discarded
    return np.sum(out)


X3 = np.array([1.0, 2.0, 3.0])
BAD_INPUTS = [
    ("unknown-method", lambda: numerical_gradient(_square_sum, X3, method="forward"), "method='forward'"),
    ("non-scalar-f", lambda: numerical_gradient(lambda v: v, X3), r"shape \(3,\)"),
    ("f-returns-nan", lambda: numerical_gradient(lambda v: np.sum(v) * np.nan, X3), "f=.*nan"),
    ("grad-shape-mismatch", lambda: check_gradient(_square_sum, np.ones(4), X3), r"grad has shape \(4,\)"),
    ("nan-in-x", lambda: numerical_gradient(_square_sum, np.array([1.0, np.nan])), "x has a non-finite"),
    ("inf-in-x", lambda: check_gradient(_square_sum, X3, np.array([1.0, np.inf, 0.0])), "x has a non-finite"),
    ("string-x", lambda: numerical_gradient(_square_sum, "abc"), "x has dtype"),
    ("negative-step", lambda: numerical_gradient(_square_sum, X3, step=-1e-6), "step=-1e-06"),
    ("step-shape", lambda: numerical_gradient(_square_sum, X3, step=np.ones(2)), r"step has shape \(2,\)"),
    ("negative-rtol", lambda: check_gradient(_square_sum, 2 * X3, X3, rtol=-1.0), "rtol=-1.0"),
    ("complex-on-abs", lambda: numerical_gradient(_drops_imaginary_part, X3, method="complex"), "complex"),
    ("complex-discarded", lambda: numerical_gradient(_writes_into_float_array, X3, method="complex"), "imaginary"),
    (
        "overflowing-step",
        lambda: numerical_gradient(lambda v: v[0], np.array([1.0, np.finfo(np.float64).max])),
        r"x\[1\] = 1.797.*e\+308 is too large",
    ),
    (
        "complex-real-inside",
        lambda: numerical_gradient(lambda v: np.sum(v.real**2) + 0j, X3, method="complex"),
        "ignored the complex step at element \\(0,\\)",
    ),
    ("zero-directions", lambda: check_directional(_square_sum, 2 * X3, X3, directions=0), "directions=0"),
    ("directional-empty-x", lambda: check_directional(_square_sum, np.ones(0), np.ones(0)), "x has no elements"),
    ("empty-x", lambda: check_gradient(_square_sum, np.ones(0), np.ones(0)), r"x has shape \(0,\), which is empty"),
    ("empty-2d-x", lambda: check_gradient(_square_sum, np.ones((3, 0)), np.ones((3, 0))), r"x has shape \(3, 0\)"),
    (
        "f-returns-string",
        lambda: check_gradient(lambda v: "abc", 2 * X3, X3),
        "f=.*returned a str 'abc' at x; expected a real",
    ),
    (
        "f-returns-none",
        lambda: numerical_gradient(lambda v: None, X3),
        "f=.*returned a NoneType None .*expected a real",
    ),
    ("f-returns-list-of-str", lambda: check_directional(lambda v: ["a"], 2 * X3, X3), "f=.*returned a list"),
    ("directional-grad-shape", lambda: check_directional(_square_sum, np.ones(2), X3), "grad has shape"),
    ("directional-unknown-method", lambda: check_directional(_square_sum, 2 * X3, X3, method="fwd"), "method="),
]


@pytest.mark.parametrize("call,match", [b[1:] for b in BAD_INPUTS], ids=[b[0] for b in BAD_INPUTS])
def test_bad_input_raises_value_error_naming_the_argument(call, match):
    with pytest.raises(ValueError, match=match):
        call()


# A float32 f: rounding to float32 (eps 1.2e-7) puts the central difference off by ~eps32/h ≈ 2e-2 relative at
# the default step, far beyond rtol 1e-6, so the check fails; its message must say why (issue 16, deliver 5).
def _sin_in_float32(v):
    return np.sum(np.sin(v.astype(np.float32)))


@pytest.mark.parametrize("method", ["central", "richardson"])
def test_a_failed_check_of_a_float32_f_says_that_f_computed_in_float32(method):
    x = np.array([0.3, 0.7, -1.2])
    for result in (
        check_gradient(_sin_in_float32, np.cos, x, method=method),
        check_directional(_sin_in_float32, np.cos, x, method=method),
    ):
        assert not result.ok
        assert "f computed in float32" in result.message and "compute f in float64" in result.message


def test_the_float32_hint_is_absent_for_a_float64_f_and_its_suggested_settings_pass():
    x = np.array([0.3, 0.7, -1.2])
    wrong = check_gradient(lambda v: np.sum(np.sin(v)), 1.001 * np.cos(x), x)  # float64 f, wrong gradient
    assert not wrong.ok and "float32" not in wrong.message
    # The hint's settings: step eps32^(1/3)·max(1, |x|), rtol 10·eps32^(2/3) (error ~eps32^(2/3) ≈ 2.4e-4).
    eps32 = float(np.finfo(np.float32).eps)
    step = eps32 ** (1 / 3) * np.maximum(1.0, np.abs(x))
    assert check_gradient(_sin_in_float32, np.cos, x, step=step, rtol=10 * eps32 ** (2 / 3)).ok
