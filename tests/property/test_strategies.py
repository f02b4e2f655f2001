"""The public strategies generate what they promise: readable targets in every spelling,
actuals consistent with their target, and valid forms for every template."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

import perfscore
from perfscore import strategies as ps
from perfscore.targets import parse_actual, parse_quantity, parse_target

from .support import ROOT, scaled, score, template_and_form

OPS = (">=", ">", "<=", "<", "=", "range", "qualitative")


@scaled(25000)
@given(st.sampled_from(OPS).flatmap(lambda op: st.tuples(st.just(op), ps.targets(op))))
@example((">=", "≥１０次"))
@example(("<=", "100%以下(含)"))
@example((">", "100%以上(不含)"))
@example(("range", "90%～100%"))
@example(("range", "(0, 10%]"))
@example(("=", "100%"))
@example(("qualitative", "每月15日前足额发放"))
def test_targets_read_back_with_their_op(case: tuple[str, str]) -> None:
    op, text = case
    target = parse_target(text)
    assert target.op == op, text
    assert parse_target(str(target)) == target  # canonical round trip
    if op != "qualitative":  # words are kept as written; numbers are read folded
        assert parse_target(ps.fullwidth(text)) == target  # full-width digits, ％, ．


@scaled(5000)
@given(st.sampled_from(ps.FAMILIES).flatmap(lambda f: st.tuples(st.just(f), ps.quantities(f))))
def test_quantities_are_in_their_family(case: tuple[str, str]) -> None:
    family, text = case
    q = parse_quantity(text)
    if family == "count":
        assert q.family.startswith("count:")
    else:
        assert q.family == family, text


@scaled(2000)
@given(
    st.sampled_from((">=", ">", "<=", "<", "=")).flatmap(
        lambda op: st.tuples(st.just(op), ps.comparators(op))
    )
)
def test_every_comparator_spelling_reads(case: tuple[str, str]) -> None:
    op, spelling = case
    assert parse_target(f"{spelling}10次").op == op


@scaled(20000)
@given(ps.targets().flatmap(lambda t: st.tuples(st.just(t), ps.actuals(t))))
@example(("≧98%", "≧95%"))
@example(("≤4073.53万元", "4073.53万"))
@example(("≥1亿元", "10000万元"))
def test_actuals_are_consistent_with_their_target(case: tuple[str, str]) -> None:
    text, actual_text = case
    target = parse_target(text)
    actual = parse_actual(actual_text, target)  # never a UnitError
    if target.op == "qualitative":
        assert actual.quantity is None or actual.text == actual_text
        return
    assert actual.quantity is not None, actual_text
    assert target.quantity is not None
    assert actual.quantity.family == target.quantity.family
    assert actual.quantity.value >= 0


@scaled(2500)
@given(template_and_form())
def test_forms_are_valid_and_weights_add_up(case: tuple[Any, dict[str, Any]]) -> None:
    t, data = case
    result = score(t, data)  # loads and scores without any error
    assert sum((leaf.weight for leaf in result.leaves()), Decimal(0)) == t.total


def test_numbers_respect_their_bounds() -> None:
    @scaled(2000)
    @given(ps.numbers(min_value="-5", max_value="7.5", places=3))
    def check(value: Decimal) -> None:
        assert Decimal("-5") <= value <= Decimal("7.5")
        exponent = value.as_tuple().exponent
        assert isinstance(exponent, int) and exponent >= -3

    check()


def test_strategies_ignore_the_callers_decimal_context() -> None:
    """Drawing does Decimal arithmetic in perfscore's own context, not a caller's prec=3."""
    import decimal

    from hypothesis import find

    template = perfscore.load_template(ROOT / "indicators" / "hunan" / "unit-self-evaluation.yaml")
    with decimal.localcontext() as ctx:
        ctx.prec = 3
        ctx.traps[decimal.Inexact] = True
        form = find(ps.forms(template), lambda _form: True)
        number = find(ps.numbers(min_value="0.1", max_value="9999.99"), lambda n: n > 100)
    assert form["indicators"] and number > 100


def test_float_bounds_are_refused() -> None:
    from hypothesis.errors import InvalidArgument

    with pytest.raises(InvalidArgument, match="浮点数"):
        ps.numbers(min_value=0.1).example()  # type: ignore[arg-type]
