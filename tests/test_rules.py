"""Each rule kind at its boundaries, and every worked example of domain.md §3."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from perfscore.errors import ValidationErrors

from .helpers import evaluate, form, score_leaf, template


def leaf(target: str, actual: str, weight: str = "10", **kw: str) -> dict[str, str]:
    return {"name": "被测指标", "target": target, "actual": actual, "weight": weight, **kw}


# ------------------------------------------------------------------ positive ratio


@pytest.mark.parametrize(
    ("target", "actual", "score", "status", "line"),
    [
        ("≥15次", "15次", "10.00", "达成", "met"),  # met exactly
        ("≥15次", "14次", "9.33", "部分达成", "ratio"),  # just under: 14/15*10 = 9.333…
        (">15次", "15次", "10.00", "达成", "ratio"),  # strict: not met, but the ratio is 1
        ("≥15次", "0次", "0.00", "未达成", "ratio"),
        ("≧98%", "95%", "9.69", "部分达成", "ratio"),  # the seed's 群众满意度
        ("≥50个", "100个", "10.00", "达成", "met"),  # over-achievement never adds points
        ("15次以上", "15次", "10.00", "达成", "met"),  # 以上 includes
        ("不少于15次", "14次", "9.33", "部分达成", "ratio"),
    ],
)
def test_positive(target: str, actual: str, score: str, status: str, line: str) -> None:
    r = score_leaf(leaf(target, actual))
    assert r.score == D(score)
    assert r.status == status
    assert r.line == line


def test_strict_comparator_is_not_met_at_the_bound() -> None:
    r = score_leaf(leaf(">15次", "15次"))
    assert r.line == "ratio"  # not "met": 15 does not exceed 15


def test_explanation_shows_the_arithmetic() -> None:
    r = score_leaf(leaf("≧98%", "95%"))
    assert r.explanation == (
        "完成值 95% 未达指标值 ≥98%，按完成比例计分：95 ÷ 98 × 10 = 9.6938… → 9.69"
    )


def test_units_convert_before_comparing() -> None:
    assert score_leaf(leaf("≥1亿元", "10000万元")).score == D("10.00")
    assert score_leaf(leaf("≥2公里", "1000米")).score == D("5.00")


def test_incompatible_units_are_an_error_with_location() -> None:
    with pytest.raises(ValidationErrors) as info:
        score_leaf(leaf("≥10次", "5万元"))
    err = info.value.errors[0]
    assert err.indicator_path == ("指标", "被测指标")
    assert "单位" in err.message


# ------------------------------------------------------------------ reverse


@pytest.mark.parametrize(
    ("actual", "ratio_score", "linear_score"),
    [
        ("100万元", "10.00", "10.00"),  # A: met
        ("150万元", "6.67", "5.00"),  # 1.5A: 100/150 vs 1 - 0.5
        ("200万元", "5.00", "0.00"),  # 2A: linear reaches 0
        ("300万元", "3.33", "0.00"),  # 3A
        ("80万元", "10.00", "10.00"),  # under the ceiling
    ],
)
def test_reverse_both_variants(actual: str, ratio_score: str, linear_score: str) -> None:
    assert score_leaf(leaf("≤100万元", actual)).score == D(ratio_score)
    assert score_leaf(leaf("≤100万元", actual, rule="反向线性")).score == D(linear_score)


@pytest.mark.parametrize("actual", ["0次", "-1次", "0"])
def test_reverse_on_a_lower_bound_with_nothing_spent_keeps_full_marks(actual: str) -> None:
    # direction: reverse read against ≥: target ÷ 0 once escaped as a bare DivisionByZero
    r = score_leaf(leaf("≥10次", actual, rule="反向"))
    assert r.score == D("10.00")
    assert r.line == "reverse_ratio"
    assert "不大于 0（反向指标，越低越好）" in r.explanation
    assert "得满分 10" in r.explanation


def test_reverse_never_exceeds_weight() -> None:
    r = score_leaf(leaf("≤100万元", "1万元"))
    assert r.score == D("10.00")


# ------------------------------------------------------------------ equal


def test_equal_zero_target() -> None:
    assert score_leaf(leaf("=0", "0")).score == D("10.00")
    assert score_leaf(leaf("=0", "-1")).score == D("10.00")
    assert score_leaf(leaf("=0", "1")).score == D("0.00")


def test_equal_positive_target_scores_as_positive() -> None:
    assert score_leaf(leaf("=100%", "100%")).score == D("10.00")
    assert score_leaf(leaf("=100%", "90%")).score == D("9.00")


# ------------------------------------------------------------------ tiers


@pytest.mark.parametrize(
    ("actual", "score", "tier"),
    [
        ("达成", "10.00", "达成"),
        ("部分达成", "7.99", "部分达成"),  # [60%, 80%): top of an open end is one step below
        ("未完成", "5.99", "未达成"),  # 未完成 (longest word) beats 完成
        ("未发生", "10.00", "达成"),
    ],
)
def test_tiers(actual: str, score: str, tier: str) -> None:
    r = score_leaf(leaf("达成", actual))
    assert r.score == D(score)
    assert r.tier == tier


def test_tier_same_word_as_target() -> None:
    r = score_leaf(leaf("出台", "出台"))
    assert r.tier == "达成"
    assert r.score == D("10.00")


def test_tier_stated_score_inside_range_is_used() -> None:
    r = score_leaf({**leaf("达成", "部分达成"), "score": "6"})
    assert r.score == D("6.00")


def test_tier_stated_score_at_the_80_percent_edge() -> None:
    inside = score_leaf({**leaf("达成", "达成"), "score": "8"})
    assert inside.score == D("8.00")
    outside = score_leaf({**leaf("达成", "部分达成"), "score": "8"})  # 80% is not in [60%, 80%)
    assert "score_outside_tier" in outside.flags
    assert outside.score == D("7.99")


def test_tier_at_the_60_percent_edge() -> None:
    r = score_leaf({**leaf("达成", "部分达成"), "score": "6"})
    assert r.score == D("6.00")
    r = score_leaf({**leaf("达成", "未达成"), "score": "6"})
    assert "score_outside_tier" in r.flags


def test_tier_unknown_word_is_an_error() -> None:
    with pytest.raises(ValidationErrors) as info:
        score_leaf(leaf("达成", "还行吧"))
    assert "档次" in info.value.errors[0].message


# ------------------------------------------------------------------ bands


BANDS = {
    "控制率": {
        "kind": "bands",
        "bands": [
            {"range": "[0, 0]", "score": "100%"},
            {"range": "(0, 10%]", "score": "80%"},
            {"range": "(10%, 20%]", "score": "60%"},
            {"range": "(20%, 30%]", "score": "40%"},
            {"range": "(30%, +∞)", "score": "0"},
        ],
    }
}


@pytest.mark.parametrize(
    ("actual", "score", "line"),
    [
        ("0%", "5.00", "band:1"),
        ("0.01%", "4.00", "band:2"),
        ("10%", "4.00", "band:2"),
        ("10.01%", "3.00", "band:3"),
        ("20%", "3.00", "band:3"),
        ("30%", "2.00", "band:4"),
        ("30.01%", "0.00", "band:5"),
    ],
)
def test_bands_at_every_edge(actual: str, score: str, line: str) -> None:
    r = score_leaf(leaf("≤0%", actual, weight="5", rule="控制率"), tmpl=template(rules=BANDS))
    assert (r.score, r.line) == (D(score), line)


def test_bands_with_a_gap_are_refused() -> None:
    rules = {
        "坏": {
            "kind": "bands",
            "bands": [
                {"range": "[0, 10%]", "score": "100%"},
                {"range": "(20%, 30%]", "score": "0"},
            ],
        }
    }
    with pytest.raises(ValidationErrors) as info:
        evaluate(form([leaf("≤0%", "5%", rule="坏")], tmpl=template(rules=rules)))
    assert "区间" in str(info.value)


# ------------------------------------------------------------------ deduction


DEDUCT = {
    "人员": {
        "kind": "deduction",
        "limit": "100%",
        "side": "above",
        "step": "1%",
        "points": "0.5",
        "floor": "0",
    },
    "完成率": {
        "kind": "deduction",
        "limit": "100%",
        "side": "below",
        "step": "5%",
        "points": "2",
        "partial": "ceil",
    },
}


@pytest.mark.parametrize(
    ("rule", "actual", "score"),
    [
        ("人员", "100%", "4.00"),
        ("人员", "101%", "3.50"),
        ("人员", "102.5%", "2.75"),
        ("人员", "108%", "0.00"),  # floor
        ("人员", "150%", "0.00"),
        ("完成率", "100%", "4.00"),
        ("完成率", "99%", "2.00"),  # ceil: any shortfall up to 5% costs one step
        ("完成率", "95%", "2.00"),
        ("完成率", "94%", "0.00"),
    ],
)
def test_deduction(rule: str, actual: str, score: str) -> None:
    r = score_leaf(leaf("≤100%", actual, weight="4", rule=rule), tmpl=template(rules=DEDUCT))
    assert r.score == D(score)


# ------------------------------------------------------------------ threshold, checklist, formula, manual


def test_threshold_all_or_nothing() -> None:
    rules = {"达标": {"kind": "threshold"}}
    assert score_leaf(leaf("≥100%", "100%", rule="达标"), tmpl=template(rules=rules)).score == D(
        "10.00"
    )
    assert score_leaf(leaf("≥100%", "99.99%", rule="达标"), tmpl=template(rules=rules)).score == D(
        "0.00"
    )


def test_checklist_add_and_deduct() -> None:
    rules = {
        "清单": {"kind": "checklist", "items": ["制度", "台账", "公开"], "points": "1"},
        "扣分清单": {
            "kind": "checklist",
            "items": ["制度", "台账", "公开"],
            "points": "1",
            "mode": "deduct",
        },
    }
    t = template(rules=rules)
    r = score_leaf(
        {"name": "被测指标", "weight": "3", "rule": "清单", "actual": ["制度", "公开"]}, tmpl=t
    )
    assert r.score == D("2.00")
    r = score_leaf(
        {"name": "被测指标", "weight": "3", "rule": "扣分清单", "actual": ["制度"]}, tmpl=t
    )
    assert r.score == D("1.00")


def test_formula_is_clamped() -> None:
    rules = {"公式": {"kind": "formula", "formula": "actual / target * weight * 2"}}
    r = score_leaf(leaf("≥10次", "8次", rule="公式"), tmpl=template(rules=rules))
    assert r.score == D("10.00")


def test_manual_within_range() -> None:
    rules = {"人工": {"kind": "manual"}}
    r = score_leaf(
        {"name": "被测指标", "weight": "10", "rule": "人工", "score": "7.5"},
        tmpl=template(rules=rules),
    )
    assert r.score == D("7.50")
    with pytest.raises(ValidationErrors):
        score_leaf(
            {"name": "被测指标", "weight": "10", "rule": "人工", "score": "11"},
            tmpl=template(rules=rules),
        )


# ------------------------------------------------------------------ rounding, policies


def test_rounding_ties_go_up() -> None:
    # 9.695 exactly: 1939/2000 of 10 points
    r = score_leaf(leaf("≥2000次", "1939次"))
    assert r.raw_score == D("9.695")
    assert r.score == D("9.70")


def test_missing_actual_zero_policy() -> None:
    r = score_leaf({"name": "被测指标", "target": "≥10次", "weight": "10"})
    assert r.status == "缺失"
    assert r.score == D("0.00")


def test_missing_actual_error_policy() -> None:
    with pytest.raises(ValidationErrors) as info:
        score_leaf(
            {"name": "被测指标", "target": "≥10次", "weight": "10"}, tmpl=template(missing="error")
        )
    assert info.value.errors[0].indicator_path == ("指标", "被测指标")


def test_not_applicable_rescales_to_the_total() -> None:
    data = form(
        [
            {"name": "甲", "target": "≥10次", "actual": "10次", "weight": "50"},
            {"name": "乙", "target": "≥10次", "actual": "5次", "weight": "25"},
            {"name": "丙", "target": "≥10次", "actual": "不适用", "weight": "25"},
        ]
    )
    result = evaluate(data)
    items = {leaf.name: leaf for leaf in result.leaves()}
    assert items["丙"].status == "不适用"
    assert items["甲"].score == D("66.67")  # 50 × 100/75
    assert items["乙"].score == D("16.67")  # 5/10 × 25 × 100/75
    assert result.total == D("83.34")


def test_over_achievement_is_flagged_not_rewarded() -> None:
    r = score_leaf(leaf("≥10次", "18次"))
    assert r.score == D("10.00")
    assert "over_achievement" in r.flags


def test_bands_of_a_computed_percentage() -> None:
    tmpl = template(
        inputs={"年初预算数": {"unit": "万元"}, "追加预算数": {"unit": "万元"}},
        computed={"预算控制率": {"formula": "追加预算数 / 年初预算数", "unit": "%"}},
        rules={"控制率": {**BANDS["控制率"], "of": "预算控制率"}},
    )
    data = form([{"name": "被测指标", "weight": "5", "rule": "控制率"}], tmpl=tmpl)
    data["inputs"] = {"年初预算数": "100", "追加预算数": "5"}
    leaf_result = next(x for x in evaluate(data).leaves() if x.name == "被测指标")
    assert (leaf_result.score, leaf_result.line) == (D("4.00"), "band:2")
    assert "5%" in leaf_result.explanation


@pytest.mark.parametrize(
    ("actual", "status"), [("达成", "达成"), ("基本完成", "部分达成"), ("未完成", "未达成")]
)
def test_tier_status_follows_the_tier_not_the_score(actual: str, status: str) -> None:
    assert score_leaf(leaf("达成", actual)).status == status


def test_a_broken_named_rule_is_reported_once() -> None:
    rules = {
        "坏": {
            "kind": "bands",
            "bands": [
                {"range": "[0, 10%]", "score": "100%"},
                {"range": "(20%, 30%]", "score": "0"},
            ],
        }
    }
    with pytest.raises(ValidationErrors) as info:
        evaluate(form([leaf("≤0%", "5%", rule="坏")], tmpl=template(rules=rules)))
    messages = [e.message for e in info.value.errors]
    assert len(messages) == 1, messages
    assert "空隙" in messages[0]


# ------------------------------------------------------------------ explanations say what happened


def test_a_score_limited_to_the_weight_says_so() -> None:
    rules = {"清单": {"kind": "checklist", "items": ["制度", "台账", "公开"], "points": "2"}}
    r = score_leaf(
        {"name": "被测指标", "weight": "3", "rule": "清单", "actual": ["制度", "公开"]},
        tmpl=template(rules=rules),
    )
    assert r.explanation == (
        "检查清单 3 项中具备 2 项，每项 2 分：2 × 2 = 4，超过分值，以 3 分为限 → 3.00"
    )


def test_an_equal_target_missed_from_above_is_not_called_unreached() -> None:
    r = score_leaf(leaf("=10次", "12次"))
    assert r.explanation.startswith("完成值 12次 超出指标值 =10次")
    assert r.explanation.endswith("12 ÷ 10 × 10 = 12，超过分值，以 10 分为限 → 10.00")


def test_full_marks_are_not_written_as_arithmetic() -> None:
    r = score_leaf(leaf("≥10次", "18次"))
    assert r.explanation == "完成值 18次 达到指标值 ≥10次，得满分 10"


def test_a_tier_score_keeps_the_weights_own_digits_whatever_came_before() -> None:
    # 5 and 5.0 are equal Decimals: a table cached for one once answered for the other, so
    # raw_score wrote 5 or 5.0 depending on the forms scored before
    first = score_leaf(leaf("达成", "达成", weight="5"))
    second = score_leaf(leaf("达成", "达成", weight="5.0"))
    again = score_leaf(leaf("达成", "达成", weight="5"))
    assert repr(first.raw_score) == repr(again.raw_score) == "Decimal('5')"
    assert repr(second.raw_score) == "Decimal('5.0')"
