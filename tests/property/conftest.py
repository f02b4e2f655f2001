"""Settings profiles for the property suite.

``ci`` (the default) keeps the whole suite quick: few examples, derandomized, no example
database, no deadline. ``thorough`` runs each test with its share of a budget of well over
100,000 generated examples (see :func:`tests.property.support.scaled`); select it with
``HYPOTHESIS_PROFILE=thorough``.
"""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, settings

_QUIET = [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much]

settings.register_profile(
    "ci",
    max_examples=40,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=_QUIET,
    print_blob=False,
)
settings.register_profile(
    "thorough",
    max_examples=1000,
    derandomize=False,
    database=None,
    deadline=None,
    suppress_health_check=[*_QUIET, HealthCheck.large_base_example],
    print_blob=True,
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Thorough runs take minutes per test: lift the suite's per-test timeout for them."""
    if os.environ.get("HYPOTHESIS_PROFILE") == "thorough":
        for item in items:
            if "tests/property" in str(item.fspath):
                item.add_marker(pytest.mark.timeout(3600))
