"""Section 5.4 initializers (numeric.init) and their claims 5.4.4–5.4.he."""

import math

import numpy as np
import pytest
import sympy as sp
from hypothesis import given
from hypothesis import strategies as st

import derivations
from derivations import initialization as di
from numeric import init
from tests.strategies import SEEDS

INITIALIZERS = [init.normal, init.xavier_normal, init.xavier_uniform, init.he_normal]
IDS = [f.__name__ for f in INITIALIZERS]
#: Fan sizes for property tests: small enough to draw quickly, including the degenerate 1.
FANS = st.integers(1, 300)
INIT_CLAIMS = ["5.4.4", "5.4.5", "5.4.backward", "5.4.6", "5.4.7", "5.4.default", "5.4.he"]


@pytest.mark.parametrize("initializer", INITIALIZERS, ids=IDS)
@given(fan_in=FANS, fan_out=FANS, seed=SEEDS)
def test_initializers_return_fan_in_by_fan_out_float64_and_replay_from_the_generator(
    initializer, fan_in, fan_out, seed
):
    W = initializer(fan_in, fan_out, rng=np.random.default_rng(seed))
    assert W.shape == (fan_in, fan_out) and W.dtype == np.float64
    assert np.array_equal(W, initializer(fan_in, fan_out, rng=np.random.default_rng(seed)))
    assert np.isfinite(W).all()


@pytest.mark.parametrize("initializer", INITIALIZERS, ids=IDS)
def test_float32_requested_gives_the_float64_draw_rounded_to_float32(initializer):
    W64 = initializer(7, 3, rng=np.random.default_rng(1))
    W32 = initializer(7, 3, rng=np.random.default_rng(1), dtype=np.float32)
    assert W32.dtype == np.float32
    assert np.array_equal(W32, W64.astype(np.float32))


@given(fan_in=FANS, fan_out=FANS, seed=SEEDS)
def test_xavier_uniform_never_leaves_its_interval(fan_in, fan_out, seed):
    W = init.xavier_uniform(fan_in, fan_out, rng=np.random.default_rng(seed))
    bound = math.sqrt(6 / (fan_in + fan_out))  # Eq. 5.4.7, the textbook form (6 = 2 · 3)
    assert np.max(np.abs(W)) <= bound


@given(fan_in=st.integers(1, 10**6), fan_out=st.integers(1, 10**6))
def test_scales_equal_the_sympy_solutions(fan_in, fan_out):
    xavier = float(sp.sqrt(di.xavier_variance()).subs({di.n_in: fan_in, di.n_out: fan_out}))
    bound = float(di.xavier_uniform_bound().subs({di.n_in: fan_in, di.n_out: fan_out}))
    he = float(sp.sqrt(di.he_variance()).subs(di.n_in, fan_in))
    # 4 ulp: a division, a sqrt (and a product for the bound) rounded on each side
    assert init.xavier_std(fan_in, fan_out) == pytest.approx(xavier, rel=4 * 2.0**-52)
    assert init.xavier_uniform_bound(fan_in, fan_out) == pytest.approx(bound, rel=4 * 2.0**-52)
    assert init.he_std(fan_in) == pytest.approx(he, rel=4 * 2.0**-52)


def test_the_derived_constants_are_the_textbook_ones():
    assert di.xavier_variance() == 2 / (di.n_in + di.n_out)
    assert sp.simplify(di.xavier_uniform_bound() ** 2 * (di.n_in + di.n_out)) == 6
    assert di.he_variance() == 2 / di.n_in
    assert di.uniform_variance() == di.a**2 / 3


def test_sum_of_one_random_variable_is_the_trap_the_index_model_avoids():
    """sympy.stats on Sum(w) of ONE variable gives n²σ² (all terms equal); the KroneckerDelta model gives nσ²."""
    from sympy import stats

    w = stats.Normal("w", 0, di.sigma)
    j = sp.Symbol("j", integer=True)
    assert stats.variance(sp.Sum(w, (j, 1, di.n_in))) == di.n_in**2 * di.sigma**2
    _, var = di.layer_moments()
    assert sp.simplify(var.subs({di.mu_w: 0, di.mu_x: 0})) == di.n_in * di.sigma**2 * di.gamma**2


BAD_INPUTS = [
    pytest.param(lambda: init.normal(0, 3), "fan_in=0", id="fan_in-zero"),
    pytest.param(lambda: init.xavier_normal(-2, 3), "fan_in=-2", id="fan_in-negative"),
    pytest.param(lambda: init.xavier_uniform(2.0, 3), "fan_in=2.0", id="fan_in-float"),
    pytest.param(lambda: init.he_normal(True, 3), "fan_in=True", id="fan_in-bool"),
    pytest.param(lambda: init.he_normal("4", 3), "fan_in='4'", id="fan_in-string"),
    pytest.param(lambda: init.normal(3, 0), "fan_out=0", id="fan_out-zero"),
    pytest.param(lambda: init.xavier_normal(3, -1), "fan_out=-1", id="fan_out-negative"),
    pytest.param(lambda: init.xavier_uniform(3, 1.5), "fan_out=1.5", id="fan_out-float"),
    pytest.param(lambda: init.he_normal(3, None), "fan_out=None", id="fan_out-none"),
    pytest.param(lambda: init.normal(3, 3, sigma=0.0), "sigma=0.0", id="sigma-zero"),
    pytest.param(lambda: init.normal(3, 3, sigma=-0.01), "sigma=-0.01", id="sigma-negative"),
    pytest.param(lambda: init.normal(3, 3, sigma=float("nan")), "sigma=nan", id="sigma-nan"),
    pytest.param(lambda: init.normal(3, 3, sigma=float("inf")), "sigma=inf", id="sigma-inf"),
    pytest.param(lambda: init.normal(3, 3, sigma=True), "sigma=True", id="sigma-bool"),
    pytest.param(lambda: init.normal(3, 3, rng=0), "rng=0", id="rng-not-generator"),
    pytest.param(lambda: init.xavier_normal(3, 3, dtype=np.int64), "dtype=", id="dtype-int"),
]


@pytest.mark.parametrize("call, named", BAD_INPUTS)
def test_bad_arguments_raise_value_error_naming_argument_and_value(call, named):
    with pytest.raises(ValueError, match="expected") as info:
        call()
    assert named in str(info.value)


def test_unknown_initializer_name_lists_the_known_ones():
    with pytest.raises(KeyError, match="xavier_uniform"):
        init.get("glorot")
    assert init.get("kaiming_normal") is init.he_normal


@pytest.mark.parametrize("claim_id", INIT_CLAIMS)
def test_initialization_claims_hold(claim_id):
    result = derivations.claim(claim_id).verify()
    assert result.ok, str(result)


def _scaled(function, factor):
    def wrong(*args, **kwargs):
        return factor * function(*args, **kwargs)

    return wrong


@pytest.mark.parametrize(
    "name, claim_id",
    [
        ("normal", "5.4.default"),
        ("normal", "5.4.5"),
        ("normal", "5.4.backward"),
        ("xavier_normal", "5.4.6"),
        ("xavier_uniform", "5.4.7"),
        ("he_normal", "5.4.he"),
    ],
)
@pytest.mark.parametrize("factor", [0.95, 1.05], ids=["x0.95", "x1.05"])
def test_a_five_percent_scale_error_in_an_initializer_fails_its_claim(monkeypatch, name, claim_id, factor):
    original = getattr(init, name)
    wrong = _scaled(original, factor)
    monkeypatch.setattr(init, name, wrong)
    for key, function in list(init.INITIALIZERS.items()):  # MLP(init=...) looks initializers up by name
        if function is original:
            monkeypatch.setitem(init.INITIALIZERS, key, wrong)
    result = derivations.claim(claim_id).verify()
    assert result.holds is False
    assert any(c.method == "statistical" and not c.ok for c in result.checks)


def test_5_4_4_catches_a_weight_mean_of_0_2_sigma_through_nonzero_mean_inputs(monkeypatch):
    # the zero-mean-input check alone let weights with mean 0.2σ pass (E[o] = n_in μ_w μ_x = 0 when μ_x = 0)
    from numeric import init

    original = init.INITIALIZERS["normal"]
    monkeypatch.setitem(init.INITIALIZERS, "normal", lambda *a, **k: original(*a, **k) + 0.2 * 0.01)
    result = derivations.claim("5.4.4").verify()
    assert not result.ok
    failing = [c for c in result.checks if not c.ok]
    assert failing and all("mean μ_x = 1" in c.detail for c in failing), str(result)


def test_printed_false_alarm_rates_are_the_computed_ones():
    # ALPHA / 4 shapes = 2.5e-07, once printed as 2e-07
    details = [c.detail for c in derivations.claim("5.4.6").verify().checks]
    assert any("false alarm 2.5e-07" in d for d in details) and not any("false alarm 2e-07" in d for d in details)
