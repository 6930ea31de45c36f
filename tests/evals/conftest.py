"""Fixtures and hypothesis profiles for the evaluation-harness tests.

Profiles: ``ci`` (the default, and what CI uses): 2,000 derandomized examples, no deadline;
``dev`` (``HYPOTHESIS_PROFILE=dev``): 200 examples for quick local runs.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci",
    max_examples=2000,
    deadline=None,
    derandomize=True,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile(
    "dev",
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
