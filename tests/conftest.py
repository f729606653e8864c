"""Hypothesis profiles: ``dev`` (default), ``ci`` (derandomized; the default when CI is set), ``thorough``.

Choose one with ``MLP_DERIVATIONS_PROFILE=thorough python -m pytest``.
"""

import os

from hypothesis import HealthCheck, settings

settings.register_profile("dev", max_examples=50, deadline=None)
settings.register_profile(
    "ci", max_examples=50, deadline=None, derandomize=True, database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("thorough", max_examples=1000, deadline=None)
settings.load_profile(
    os.environ.get("MLP_DERIVATIONS_PROFILE", "ci" if os.environ.get("CI") else "dev")
)
