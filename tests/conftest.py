"""Hypothesis profiles: ``dev`` (default), ``ci`` (derandomized; the default when CI is set), ``thorough``.

Choose one with ``MLP_DERIVATIONS_PROFILE=thorough python -m pytest``.
"""

import os

import pytest
from hypothesis import HealthCheck, settings

settings.register_profile("dev", max_examples=50, deadline=None)
settings.register_profile(
    "ci",
    max_examples=50,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("thorough", max_examples=1000, deadline=None)
settings.load_profile(os.environ.get("MLP_DERIVATIONS_PROFILE", "ci" if os.environ.get("CI") else "dev"))


@pytest.fixture(autouse=True, scope="session")
def _one_blas_thread():
    """One BLAS thread for the whole session: the suite's products are small, where OpenBLAS's
    threads cost more than they save (10-20x when the other core is busy; see Claim.verify)."""
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1, user_api="blas"):
        yield


@pytest.fixture(autouse=True, scope="session")
def _private_cache(tmp_path_factory):
    """The session's own, initially empty, cache of symbolic results (derivations.cache): tests never
    read what an earlier run or the user's `mlp-derivations` stored, nor write there (xdist: one per worker)."""
    from derivations import cache

    saved = os.environ.get(cache.ENV_DIR)
    os.environ[cache.ENV_DIR] = str(tmp_path_factory.mktemp("symbolic-cache"))
    yield
    if saved is None:
        del os.environ[cache.ENV_DIR]
    else:
        os.environ[cache.ENV_DIR] = saved


@pytest.fixture(scope="session")
def verified():
    """``verified(claim_id)``: the claim's Result at the default examples and seed, computed once per
    session and shared by every test that needs it (the registry walk, the README's table)."""
    import derivations

    results = {}

    def result(claim_id: str):
        if claim_id not in results:
            results[claim_id] = derivations.claim(claim_id).verify()
        return results[claim_id]

    return result
