"""Hypothesis strategies for property-based tests of indicator templates.

A finance bureau that changes a template's rules in YAML wants to know that the template still
behaves: no score above its weight, full marks reachable, monotone scoring. These strategies
generate the data such tests need::

    from hypothesis import given
    import perfscore
    from perfscore import strategies as ps

    TEMPLATE = perfscore.load_template("indicators/hunan/unit-self-evaluation.yaml")

    @given(ps.forms(TEMPLATE))
    def test_total_within_range(data):
        result = perfscore.evaluate(perfscore.load_form(data, template=TEMPLATE))
        assert 0 <= result.total <= TEMPLATE.total

Every strategy generates *text* the way people write it in forms (``≧98%``, ``１０次以上``,
``4073.53万元``), except :func:`numbers` (``Decimal``) and :func:`forms` (a plain mapping for
:func:`perfscore.load_form`). hypothesis is an optional dependency of perfscore: install it with
``pip install "perfscore[properties]"``. Only this module (and ``perfscore check
--properties``) imports it.

This public module re-exports names defined in the stage subpackages (see CONTRIBUTING.md).
"""

from __future__ import annotations

from .testing.strategies import forms
from .testing.strategies_text import (
    FAMILIES,
    QUALITATIVE_WORDS,
    actuals,
    comparators,
    fullwidth,
    numbers,
    quantities,
    targets,
    units,
)

__all__ = [
    "FAMILIES",
    "QUALITATIVE_WORDS",
    "actuals",
    "comparators",
    "forms",
    "fullwidth",
    "numbers",
    "quantities",
    "targets",
    "units",
]
