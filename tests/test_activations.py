"""numeric.activations against the SymPy derivations, finite differences and extreme inputs (5.1.4–5.1.gelu)."""

import warnings

import mpmath
import numpy as np
import pytest
import sympy as sp
from hypothesis import example, given
from hypothesis import strategies as st

import derivations
from derivations.activations import ACTIVATIONS, alpha, beta, x
from numeric import activations as na
from numeric.gradcheck import numerical_gradient

from strategies import AWAY_FROM_ZERO, EXTREME_ARRAYS, FINITE_FLOATS, FLOAT32_ARRAYS, MODERATE_ARRAYS

EPS = np.finfo(np.float64).eps
SMOOTH = ["sigmoid", "tanh", "swish", "gelu"]
ALL = ["relu", "prelu", "sigmoid", "tanh", "swish", "gelu"]
#: pReLU's alpha for the tests: a typical learned slope.
ALPHA = 0.25


def pair(name):
    """(f, f') with pReLU's alpha bound, so every activation is a function of x alone."""
    f, g = na.get(name)
    if name == "prelu":
        return (lambda v: f(v, ALPHA)), (lambda v: g(v, ALPHA))
    return f, g


def reference(name, which):
    """The SymPy expression (or derivative), lambdified for mpmath."""
    act = ACTIVATIONS[name]
    expr = act.expr if which == "f" else act.derivative
    expr = expr.subs({alpha: sp.Rational(1, 4), beta: 1})  # ALPHA = 1/4; swish's default beta = 1
    return sp.lambdify(x, expr, "mpmath")


@pytest.mark.parametrize("name", ALL)
@pytest.mark.parametrize("which", ["f", "grad"])
@given(v=st.floats(-30, 30))
def test_numeric_activation_agrees_with_the_lambdified_sympy_expression(name, which, v):
    f, g = pair(name)
    got = (f if which == "f" else g)(v)
    # 1 + erf(v/√2) at v = -30 cancels 198 digits (Φ(-30) = 5e-198): 340 digits leave > 140
    with mpmath.workdps(340):
        exact = reference(name, which)(mpmath.mpf(v))
        # 16 eps: a few correctly rounded steps; swish'/GELU' cross zero, so the error is
        # measured against max(|exact|, 1) there (their terms are O(1)).
        scale = max(abs(exact), 1 if name in ("swish", "gelu") and which == "grad" else 0, 1e-300)
        assert abs(mpmath.mpf(float(got)) - exact) / scale <= 16 * EPS


@pytest.mark.parametrize("name", SMOOTH)
@given(points=MODERATE_ARRAYS)
def test_derivative_of_each_smooth_activation_matches_the_complex_step(name, points):
    f, g = pair(name)
    fd = numerical_gradient(lambda v: f(v).sum(), points, method="complex")
    # complex step is exact to the rounding of f (~1e-15 relative); 1e-13 leaves a factor 50
    np.testing.assert_allclose(g(points), fd, rtol=1e-13, atol=1e-13)


@pytest.mark.parametrize("name", ["relu", "prelu"])
@given(v=AWAY_FROM_ZERO)
def test_derivative_of_relu_and_prelu_matches_central_differences_away_from_the_kink(name, v):
    f, g = pair(name)
    fd = numerical_gradient(lambda u: f(u).sum(), np.array([v]), method="central")
    # piecewise linear: no truncation error; rounding eps·|f|/h <= 2.2e-16·30/6e-6 ~ 1e-9
    np.testing.assert_allclose(g(np.array([v])), fd, rtol=1e-8, atol=1e-8)


def test_relu_grad_is_zero_at_zero_and_for_negative_inputs():
    assert na.relu_grad(0.0) == 0 and na.relu_grad(-0.0) == 0
    assert np.all(na.relu_grad(np.array([-1e308, -1.0, -5e-324])) == 0)
    assert np.all(na.relu_grad(np.array([5e-324, 1.0, 1e308])) == 1)


def test_prelu_grad_is_alpha_for_negative_inputs_and_one_for_positive():
    assert np.all(na.prelu_grad(np.array([-3.0, -1e-300]), 0.1) == 0.1)
    assert np.all(na.prelu_grad(np.array([3.0, 1e-300]), 0.1) == 1.0)


def test_tail_derivatives_keep_full_relative_accuracy():
    # values from 60-digit mpmath: e^{-40}/(1+e^{-40})² and 4e^{-40}/(1+e^{-40})²
    with mpmath.workdps(60):
        s40 = mpmath.exp(-40) / (1 + mpmath.exp(-40)) ** 2
        t20 = 4 * mpmath.exp(-40) / (1 + mpmath.exp(-40)) ** 2
    assert abs(na.sigmoid_grad(40.0) - float(s40)) <= 4 * EPS * float(s40)
    assert abs(na.tanh_grad(20.0) - float(t20)) <= 4 * EPS * float(t20)
    assert na.sigmoid_grad(40.0) > 4.2e-18 and na.tanh_grad(20.0) > 1.6e-17  # not the 0 of s(1-s)


@pytest.mark.parametrize("name", ALL)
@pytest.mark.parametrize("which", [0, 1], ids=["f", "grad"])
@given(a=EXTREME_ARRAYS)
def test_extreme_float64_inputs_give_finite_results_without_warnings(name, which, a):
    fn = pair(name)[which]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = fn(a)
    assert out.dtype == np.float64 and out.shape == a.shape
    assert np.all(np.isfinite(out))


@pytest.mark.parametrize("name", ALL)
@pytest.mark.parametrize("which", [0, 1], ids=["f", "grad"])
@given(a=FLOAT32_ARRAYS)
def test_float32_in_gives_float32_out_close_to_the_float64_value(name, which, a):
    fn = pair(name)[which]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out32 = fn(a)
        out64 = fn(a.astype(np.float64))
    assert out32.dtype == np.float32
    assert np.all(np.isfinite(out32))
    # float32 rounding (6e-8) plus float32 evaluation: 8 float32 eps relative, or float32 tiny absolute
    eps32 = np.finfo(np.float32).eps
    np.testing.assert_allclose(out32, out64.astype(np.float32), rtol=8 * eps32, atol=1e-37)


@pytest.mark.parametrize("name", ALL)
@pytest.mark.parametrize("which", [0, 1], ids=["f", "grad"])
def test_nan_in_gives_nan_out(name, which):
    fn = pair(name)[which]
    out = fn(np.array([np.nan, 1.0, -1.0]))
    assert np.isnan(out[0]) and np.all(np.isfinite(out[1:]))
    assert np.isnan(fn(float("nan")))


INF, NAN = float("inf"), float("nan")
#: (id, function of x, limit at +inf, limit at -inf), the limits from the mathematics:
#: sigmoid -> 1/0 and sigmoid' = e^{-|x|}/(1+e^{-|x|})² -> 0; tanh -> ±1, tanh' = 1 - tanh² -> 0;
#: ReLU/pReLU are piecewise linear (pReLU(-inf) = alpha·(-inf), slope alpha; with alpha = 0 the
#: function is 0 for x <= 0); swish x σ(bx) -> x where bx -> +inf and -> 0 where bx -> -inf, its
#: slope σ(bx) + bx σ'(bx) -> 1 and 0 (x e^{-x} -> 0), and beta = 0 is x/2; GELU x Φ(x) -> x and 0,
#: GELU' = Φ(x) + x φ(x) -> 1 and 0.
LIMITS = [
    ("sigmoid", na.sigmoid, 1.0, 0.0),
    ("sigmoid_grad", na.sigmoid_grad, 0.0, 0.0),
    ("tanh", na.tanh, 1.0, -1.0),
    ("tanh_grad", na.tanh_grad, 0.0, 0.0),
    ("relu", na.relu, INF, 0.0),
    ("relu_grad", na.relu_grad, 1.0, 0.0),
    ("prelu", lambda v: na.prelu(v, ALPHA), INF, -INF),
    ("prelu_grad", lambda v: na.prelu_grad(v, ALPHA), 1.0, ALPHA),
    ("prelu-alpha0", lambda v: na.prelu(v, 0.0), INF, 0.0),
    ("prelu_grad-alpha0", lambda v: na.prelu_grad(v, 0.0), 1.0, 0.0),
    ("swish", na.swish, INF, 0.0),
    ("swish_grad", na.swish_grad, 1.0, 0.0),
    ("swish-beta-0.5", lambda v: na.swish(v, -0.5), 0.0, -INF),
    ("swish_grad-beta-0.5", lambda v: na.swish_grad(v, -0.5), 0.0, 1.0),
    ("swish-beta0", lambda v: na.swish(v, 0.0), INF, -INF),
    ("swish_grad-beta0", lambda v: na.swish_grad(v, 0.0), 0.5, 0.5),
    ("gelu", na.gelu, INF, 0.0),
    ("gelu_grad", na.gelu_grad, 1.0, 0.0),
]


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("sign", [1, -1], ids=["+inf", "-inf"])
@pytest.mark.parametrize("fn, at_plus, at_minus", [p[1:] for p in LIMITS], ids=[p[0] for p in LIMITS])
def test_infinite_inputs_give_the_mathematical_limit_without_warnings(fn, at_plus, at_minus, sign, dtype):
    expected = at_plus if sign > 0 else at_minus
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = fn(np.array([sign * INF, 1.0], dtype=dtype))
        scalar = fn(dtype(sign * INF))
    assert out.dtype == dtype and np.asarray(scalar).dtype == dtype
    assert out[0] == expected and scalar == expected  # inf == inf; -0.0 == 0.0 is accepted
    assert np.isfinite(out[1])  # the finite neighbour is untouched by the masking


@pytest.mark.parametrize("dtype", [np.complex128, np.complex64])
@pytest.mark.parametrize("v", [complex(NAN, 0.0), complex(0.0, NAN)], ids=["nan+0j", "0+nanj"])
@pytest.mark.parametrize("name", ALL)
@pytest.mark.parametrize("which", [0, 1], ids=["f", "grad"])
def test_complex_nan_in_gives_nan_out_without_warnings(name, which, v, dtype):
    fn = pair(name)[which]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = fn(np.array([v, 0.5 + 0.25j], dtype=dtype))
    assert out.dtype == dtype
    assert np.isnan(out[0])  # complex isnan: either part is NaN
    assert np.isfinite(out[1])


@given(v=FINITE_FLOATS)
def test_sigmoid_grad_never_exceeds_a_quarter(v):
    assert 0.0 <= na.sigmoid_grad(v) <= 0.25


def test_integers_are_promoted_to_float64_and_scalars_stay_scalars():
    assert na.sigmoid(np.array([0, 1])).dtype == np.float64
    assert np.ndim(na.tanh(0.5)) == 0


@pytest.mark.parametrize(
    "call, exc, match",
    [
        pytest.param(lambda: na.relu("3"), ValueError, "x has dtype", id="string-input"),
        pytest.param(lambda: na.sigmoid(np.array([None])), ValueError, "x has dtype", id="object-array"),
        pytest.param(lambda: na.prelu(1.0, float("nan")), ValueError, "alpha=nan", id="prelu-alpha-nan"),
        pytest.param(lambda: na.prelu(1.0, "a"), ValueError, "alpha='a'", id="prelu-alpha-string"),
        pytest.param(lambda: na.swish(1.0, beta=float("inf")), ValueError, "beta=inf", id="swish-beta-inf"),
        pytest.param(
            lambda: na.get("softsign"), KeyError, "unknown activation 'softsign'; known: gelu", id="unknown-name"
        ),
        pytest.param(lambda: derivations.claim("5.1.99"), KeyError, "no claim '5.1.99'", id="unknown-claim"),
    ],
)
def test_bad_input_raises_an_error_naming_the_argument(call, exc, match):
    with pytest.raises(exc, match=match):
        call()


@pytest.mark.parametrize(
    "claim_id, module, name, broken",
    [
        pytest.param("5.1.7", na, "sigmoid_grad", lambda f: lambda *a: f(*a) * 1.001, id="sigmoid_grad-x1.001"),
        pytest.param("5.1.9", na, "tanh_grad", lambda f: lambda *a: f(*a) * 1.001, id="tanh_grad-x1.001"),
        pytest.param(
            "5.1.4", na, "relu_grad", lambda f: lambda v: np.where(np.asarray(v) == 0, 1.0, f(v)), id="relu_grad(0)=1"
        ),
        pytest.param("5.1.gelu", na, "gelu_grad", lambda f: lambda *a: f(*a) * 1.001, id="gelu_grad-x1.001"),
        pytest.param("5.1.swish", na, "swish_grad", lambda f: lambda *a: f(*a) * 1.001, id="swish_grad-x1.001"),
        pytest.param("5.1.5", na, "prelu_grad", lambda f: lambda v, al: f(v, al) * 1.001, id="prelu_grad-x1.001"),
    ],
)
def test_a_slightly_wrong_derivative_makes_its_claim_fail(monkeypatch, claim_id, module, name, broken):
    monkeypatch.setattr(module, name, broken(getattr(module, name)))
    result = derivations.claim(claim_id).verify()
    assert not result.ok
    assert any(not c.ok and c.method in ("numeric", "finite-difference") for c in result.checks)


#: Complex points off the real axis: |Im| <= 1 stays clear of the poles (sigmoid at ±iπ, tanh at ±iπ/2).
MODERATE_COMPLEX = st.builds(complex, st.floats(-30, 30), st.floats(-1, 1))
#: The complex-step regime at any finite real part: x + 1e-20 i.
COMPLEX_STEP_POINTS = st.builds(lambda v: complex(v, 1e-20), FINITE_FLOATS)


#: SciPy's complex erfcx (Faddeeva) error, measured against 50-digit mpmath exp(z²)·erfc(z)
#: (80 digits give the same numbers) with SciPy 1.17.1 on the whole domain GELU's tail uses
#: for MODERATE_COMPLEX, z = -x/√2 with Re z in [0, 21.22], |Im z| <= 0.7072: a 0.01 × 0.0196
#: grid (154,906 points), 30,000 uniform random points, and dense grids 0.001 × 0.005 on
#: Re z in [4.5, 6], Im z in [-0.3, 0] and 0.0005 × 0.005 on Re z in [4.99, 5.06], |Im z| <= 0.7072.
#: Worst 25.33 eps at z = 5.000 - 0.155i (by Re z band: 4.8 eps on [0, 2), 7.8 on [2, 4),
#: 25.3 on [4, 6), 6.7 on [6, 8), <= 2.2 beyond 8; median 0.5).  The library's error sits
#: just right of Re z = 5, i.e. x ≈ -7.07 ± 0.22i, where GELU was seen 19-25 eps off.
SCIPY_ERFCX_WORST_EPS = 25.33
#: Complex GELU (value and derivative): twice the worst measured library error.  GELU's own
#: roundings are a few eps (the 16 eps of the other functions), so 25.33 + 16 < 50.66 still
#: leaves a margin; measured GELU error near x = -7.07 - 0.2i: 25.1 eps.
GELU_COMPLEX_TOL = 2 * SCIPY_ERFCX_WORST_EPS * EPS


@pytest.mark.parametrize("name", SMOOTH)
@pytest.mark.parametrize("which", ["f", "grad"])
@given(v=MODERATE_COMPLEX)
@example(v=complex(-7.25, 0.25))  # GELU 19 eps off here (found by the thorough profile): SciPy's erfcx
def test_smooth_activations_return_the_analytic_continuation_for_complex_input(name, which, v):
    f, g = pair(name)
    got = complex((f if which == "f" else g)(np.complex128(v)))
    with mpmath.workdps(340):  # as above: the SymPy forms cancel up to ~200 digits at Re x = -30
        exact = reference(name, which)(mpmath.mpc(v))
        scale = max(abs(exact), 1 if name in ("swish", "gelu") and which == "grad" else 0, 1e-300)
        err = float(abs(mpmath.mpc(got) - exact) / scale)
    # a few complex roundings (each <= 2√2 eps against the modulus): 16 eps.  (GELU's tail
    # needs z = -x/√2 and z² carried exactly; rounding z would cost |x|² eps, 900 eps at -30.)
    # GELU also inherits SciPy's complex erfcx error, measured above: GELU_COMPLEX_TOL.
    assert err <= (GELU_COMPLEX_TOL if name == "gelu" else 16 * EPS)


@pytest.mark.parametrize("z", [complex(5.0, -0.155), complex(5.0005, 0.1528), complex(5.0015, -0.18106)])
def test_scipy_complex_erfcx_stays_within_the_error_gelu_s_tolerance_assumes(z):
    """If a SciPy upgrade makes erfcx worse than measured, GELU_COMPLEX_TOL must be re-measured."""
    from scipy import special

    got = complex(special.erfcx(np.complex128(z)))
    with mpmath.workdps(50):  # erfc has no cancellation for Re z > 0: 50 digits are exact here
        Z = mpmath.mpc(z)
        exact = mpmath.exp(Z * Z) * mpmath.erfc(Z)
        err = float(abs(mpmath.mpc(got) - exact) / abs(exact))
    # the library's share of GELU's budget: the tolerance less GELU's own 16 eps
    assert err <= GELU_COMPLEX_TOL - 16 * EPS


@pytest.mark.parametrize("name", SMOOTH)
@pytest.mark.parametrize("which", [0, 1], ids=["f", "grad"])
@given(v=COMPLEX_STEP_POINTS)
def test_complex_step_inputs_at_extreme_real_parts_give_finite_results_without_warnings(name, which, v):
    fn = pair(name)[which]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = fn(np.array([v]))
    assert out.dtype == np.complex128
    assert np.all(np.isfinite(out))


@pytest.mark.parametrize("name", ALL)
@pytest.mark.parametrize("which", [0, 1], ids=["f", "grad"])
@given(v=MODERATE_COMPLEX)
@example(v=complex(-1.25, 0.0))  # swish' = σ + xσ' cancels near its zero at -1.28: was 26 float32 eps off
def test_complex64_in_gives_complex64_out_close_to_the_complex128_value(name, which, v):
    fn = pair(name)[which]
    a = np.array([v], dtype=np.complex64)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out64 = fn(a)
        out128 = fn(a.astype(np.complex128))
    assert out64.dtype == np.complex64
    # as for float32: a few complex64 roundings, 8 float32 eps against the modulus; values below
    # float32's normal range (GELU's left tail) are judged absolutely
    eps32 = float(np.finfo(np.float32).eps)
    assert abs(complex(out64[0]) - complex(out128[0])) <= 8 * eps32 * abs(complex(out128[0])) + 1e-37


@pytest.mark.parametrize("which", ["f", "grad"])
@given(v=FINITE_FLOATS, b=FINITE_FLOATS)
def test_swish_is_accurate_for_any_finite_input_and_beta(which, v, b):
    got = (na.swish if which == "f" else na.swish_grad)(v, b)
    with mpmath.workdps(340):  # bx up to 3e616 and e^{-|bx|} underflowing: mpmath's exponent is unbounded
        X, B = mpmath.mpf(v), mpmath.mpf(b)
        s = 1 / (1 + mpmath.exp(-B * X))
        exact = X * s if which == "f" else s + B * X * s * (1 - s)
        # swish' = σ + bx σ' can cancel: judge it against the size of its terms; below the
        # normal range (2.2e-308) absolutely
        scale = abs(exact) if which == "f" else s + abs(B * X) * s * (1 - s)
        if abs(exact) > np.finfo(np.float64).max:  # the correctly rounded result is ±inf
            assert np.isinf(got) and (got > 0) == (exact > 0)
            return
        err = abs(mpmath.mpf(float(got)) - exact) / max(scale, mpmath.mpf(np.finfo(np.float64).tiny))
    # the rounding of beta*x is corrected (Dekker) and e^{-|bx|} rescaled below 1e-308: a few ulp
    assert err <= 16 * EPS


#: GELU's far left tail (bounds from 60-digit mpmath): Φ(x) < 2.2e-308 (subnormal) below -37.519,
#: while x Φ(x) stays normal above -37.615 and Φ(x) + |x| φ(x) above -37.712.
GELU_FAR_TAIL = {"f": st.floats(-37.615, -37.52), "grad": st.floats(-37.712, -37.52)}


@pytest.mark.parametrize("which", ["f", "grad"])
@given(data=st.data())
def test_gelu_keeps_full_accuracy_where_phi_is_subnormal_but_the_result_is_not(which, data):
    v = data.draw(GELU_FAR_TAIL[which])
    got = (na.gelu if which == "f" else na.gelu_grad)(v)
    with mpmath.workdps(60):  # erfc and exp in the tail have no cancellation: 60 digits suffice
        X = mpmath.mpf(v)
        cdf, pdf = mpmath.erfc(-X / mpmath.sqrt(2)) / 2, mpmath.exp(-(X**2) / 2) / mpmath.sqrt(2 * mpmath.pi)
        exact, scale = (X * cdf, abs(X * cdf)) if which == "f" else (cdf + X * pdf, cdf + abs(X) * pdf)
        assert scale > np.finfo(np.float64).tiny  # the strategy's window: a normal result
        # few-ulp routine (16 eps as above); a subnormal Φ would cost up to ~30 ulp here
        assert abs(mpmath.mpf(float(got)) - exact) / scale <= 16 * EPS


def _doubled_beyond(f, threshold):
    def slipped(x, *args):
        y = np.asarray(f(x, *args))
        return np.where(np.abs(np.asarray(x)) > threshold, 2 * y, y).astype(y.dtype)[()]

    return slipped


@pytest.mark.parametrize(
    "claim_id, name, slip",
    [
        pytest.param("5.1.9", "tanh_grad", lambda f: _doubled_beyond(f, 30), id="tanh-grad-doubled-beyond-30"),
        pytest.param("5.1.7", "sigmoid_grad", lambda f: _doubled_beyond(f, 50), id="sigmoid-grad-doubled-beyond-50"),
        pytest.param(
            "5.1.gelu",
            "gelu_grad",
            lambda f: (
                lambda x: (f(x) * np.float32(1.001)).astype(np.float32) if np.asarray(x).dtype == np.float32 else f(x)
            ),
            id="gelu-grad-float32-only-x1.001",
        ),
    ],
)
def test_a_tail_only_or_float32_only_slip_fails_its_own_claim_at_the_default_examples(
    monkeypatch, claim_id, name, slip
):
    from numeric import activations as na

    monkeypatch.setattr(na, name, slip(getattr(na, name)))
    result = derivations.claim(claim_id).verify()
    assert not result.ok and any(not c.ok and f"numeric.activations.{name} vs SymPy" in c.detail for c in result.checks)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_every_stratum_has_fixed_points_exact_in_the_dtype(dtype):
    from derivations.strata import stratum_points, tiny

    points = stratum_points(dtype)
    assert all(float(dtype(v)) == v for v in points)
    mags = [abs(v) for v in points]
    assert any(20 <= m <= 700 for m in mags) and any(0 < m <= 1e-3 for m in mags) and 0.0 in mags
    assert any(0 < m < tiny(dtype) for m in mags) and max(mags) == float(np.finfo(dtype).max)
    assert {30.5, 50.5} <= set(mags)
