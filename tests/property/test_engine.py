"""Properties of the scoring engine (issue 3), over generated forms and curated edge cases."""

from __future__ import annotations

import decimal
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

import perfscore
from perfscore import strategies as ps
from perfscore.testing.property_search import _canonical, _shuffle
from perfscore.text.numbers import quantize

from .support import scaled, score, score_one, template_and_form

ZERO = Decimal(0)


# ---------------------------------------------------------------- over whole forms


@scaled(5000)
@given(template_and_form())
def test_items_within_weight_and_total_is_their_sum(case: tuple[Any, dict[str, Any]]) -> None:
    t, data = case
    result = score(t, data)
    places = t.rounding.places
    for leaf in result.leaves():
        assert ZERO <= leaf.score <= quantize(leaf.effective_weight, places), leaf.explanation
        assert ZERO <= leaf.raw_score <= leaf.effective_weight
    for group in result.groups():
        assert group.score == sum((c.score for c in group.children), ZERO)
    assert ZERO <= result.total <= t.total
    if t.rounding.total == "sum_of_rounded":
        assert result.total == sum((leaf.score for leaf in result.leaves()), ZERO)
    assert result.grade == t.grade_for(result.total)


@scaled(2000)
@given(template_and_form(), st.randoms(use_true_random=False))
def test_permuting_indicators_or_keys_changes_nothing(
    case: tuple[Any, dict[str, Any]], rnd: Any
) -> None:
    t, data = case
    first, second = score(t, data), score(t, _shuffle(data, rnd))
    assert {x.path: x.score for x in first.leaves()} == {x.path: x.score for x in second.leaves()}
    assert first.total == second.total
    assert _canonical(first) == _canonical(second)


HOSTILE_CONTEXTS = [
    decimal.Context(prec=3, rounding=decimal.ROUND_DOWN),
    decimal.Context(
        prec=2, rounding=decimal.ROUND_HALF_EVEN, traps=[decimal.Inexact, decimal.Rounded]
    ),
    decimal.Context(prec=50, rounding=decimal.ROUND_CEILING, traps=[]),
]


@scaled(1500)
@given(template_and_form(), st.sampled_from(HOSTILE_CONTEXTS))
def test_global_decimal_context_changes_nothing(
    case: tuple[Any, dict[str, Any]], ctx: decimal.Context
) -> None:
    t, data = case
    expected = score(t, data).to_json()
    with decimal.localcontext(ctx):
        form = perfscore.load_form(data, template=t)
        got = perfscore.evaluate(form).to_json()
    assert got == expected


@scaled(1000)
@given(template_and_form())
def test_same_input_gives_byte_identical_json(case: tuple[Any, dict[str, Any]]) -> None:
    t, data = case
    assert score(t, data).to_json().encode() == score(t, data).to_json().encode()


# ---------------------------------------------------------------- one leaf, curated edges


def _leaf(target: str, actual: str, rule: str | None = None, weight: str = "10") -> dict[str, Any]:
    leaf = {"name": "被测指标", "target": target, "actual": actual, "weight": weight}
    if rule is not None:
        leaf["rule"] = rule
    return leaf


POSITIVE = st.sampled_from((">=", ">"))
REVERSE = st.sampled_from(("<=", "<"))
FAMILY = st.sampled_from(("ratio", "money", "count:次", "length"))
AMOUNTS = ps.numbers(min_value=0, max_value=1000, places=3)


@scaled(7000)
@given(POSITIVE, FAMILY, AMOUNTS, AMOUNTS, st.sampled_from((None, "公式", "达标")), st.data())
@example(">=", "count:次", Decimal(1939), Decimal(2000), None, None)  # 9.695 → 9.70 (tie)
@example(">=", "ratio", Decimal(95), Decimal(98), None, None)  # the seed's 9.69
@example(">", "count:次", Decimal(15), Decimal(15), None, None)  # strict at the bound
@example(">=", "ratio", Decimal(0), Decimal(0), None, None)  # zero target
def test_positive_is_non_decreasing_in_the_actual(
    op: str, family: str, a: Decimal, b: Decimal, rule: str | None, data: Any
) -> None:
    target_value = Decimal(100) if data is None else data.draw(AMOUNTS)
    if rule == "公式" and target_value == 0:
        target_value = Decimal(1)  # the test formula divides by the target
    unit = {"ratio": "%", "money": "万元", "count:次": "次", "length": "米"}[family]
    low, high = sorted((a, b))
    target = f"{'≥' if op == '>=' else '>'}{target_value}{unit}"
    s_low = score_one(_leaf(target, f"{low}{unit}", rule))
    s_high = score_one(_leaf(target, f"{high}{unit}", rule))
    assert s_low.raw_score <= s_high.raw_score, (s_low.explanation, s_high.explanation)
    assert ZERO <= s_high.score <= Decimal(10)


@scaled(7000)
@given(
    REVERSE, AMOUNTS, AMOUNTS, AMOUNTS, st.sampled_from(("反向", "反向线性", "控制率", "人员控制"))
)
@example("<=", Decimal(100), Decimal(100), Decimal(200), "反向线性")  # 2A: linear reaches 0
@example("<=", Decimal(100), Decimal(150), Decimal(300), "反向")  # 1.5A, 3A
@example("<=", Decimal(0), Decimal(0), Decimal(1), "反向")  # zero target
@example("<=", Decimal(10), Decimal(10), Decimal("10.001"), "控制率")  # band edge
@example("<=", Decimal(0), Decimal(0), Decimal("0.001"), "控制率")  # [0, 0] edge
@example("<=", Decimal(100), Decimal(100), Decimal(108), "人员控制")  # down to the floor
def test_reverse_is_non_increasing_in_the_actual(
    op: str, target_value: Decimal, a: Decimal, b: Decimal, rule: str
) -> None:
    low, high = sorted((a, b))
    sign = "≤" if op == "<=" else "<"
    target = f"{sign}{target_value}%"
    s_low = score_one(_leaf(target, f"{low}%", rule))
    s_high = score_one(_leaf(target, f"{high}%", rule))
    assert s_low.raw_score >= s_high.raw_score, (s_low.explanation, s_high.explanation)
    assert ZERO <= s_low.score <= Decimal(10)


@scaled(2000)
@given(ps.numbers(min_value=0, max_value=200, places=2))
@example(Decimal(95))
@example(Decimal(100))
@example(Decimal(0))
def test_deduction_below_is_non_decreasing(value: Decimal) -> None:
    lower = score_one(_leaf("≥100%", f"{value}%", "完成率扣分"))
    higher = score_one(_leaf("≥100%", f"{value + Decimal('0.5')}%", "完成率扣分"))
    assert lower.raw_score <= higher.raw_score


@scaled(3000)
@given(
    st.sampled_from(("达成", "部分达成", "未达成")), ps.numbers(min_value=0, max_value=10, places=2)
)
@example("达成", Decimal(8))  # 80%: the top tier's closed lower edge
@example("部分达成", Decimal(8))  # 80% is outside [60%, 80%)
@example("部分达成", Decimal(6))  # the 60% edge
@example("未达成", Decimal(6))  # 60% is outside [0, 60%)
@example("部分达成", Decimal("7.99"))
def test_stated_tier_scores_stay_in_their_tier(tier: str, given_score: Decimal) -> None:
    leaf = {
        "name": "被测指标",
        "target": "达成",
        "tier": tier,
        "score": str(given_score),
        "weight": "10",
    }
    result = score_one(leaf)
    bounds = {"达成": (8, 10), "部分达成": (6, Decimal("7.99")), "未达成": (0, Decimal("5.99"))}
    low, high = (Decimal(x) for x in bounds[tier])
    assert low <= result.score <= high
    assert ("score_outside_tier" in result.flags) == (not low <= given_score <= high)


@pytest.mark.parametrize(
    ("target", "actual"),
    [("≥１０次", "１８次"), ("≧９８％", "９５％"), ("≤４０７３．５３万元", "４０７３．５３万")],
)
def test_full_width_digits_score_like_ascii(target: str, actual: str) -> None:
    folded = score_one(_leaf(target, actual))
    ascii_ = score_one(_leaf(_ascii(target), _ascii(actual)))
    assert folded.score == ascii_.score


def _ascii(text: str) -> str:
    return "".join(chr(ord(c) - 0xFEE0) if "！" <= c <= "～" else c for c in text)


@scaled(2000)
@given(st.integers(0, 999))
@example(969)  # 969.5 / 1000 × 10 = 9.695 → 9.70
def test_rounding_is_half_up_on_every_tie(n: int) -> None:
    value = Decimal(n) + Decimal("0.5")  # value / 1000 × 10 ends in a 5 at the third decimal
    result = score_one(_leaf("≥1000次", f"{value}次"))
    exact = value / 100
    assert result.raw_score == exact
    assert result.score == exact + Decimal("0.005")  # the tie goes up, never to even
