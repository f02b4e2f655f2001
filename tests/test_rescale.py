"""不适用 rescaling against hand computation (issue 13, bug 8), for every rule kind.

By hand, a reviewer scores each remaining item on its own weight, then multiplies by
total ÷ (total − 不适用 weight). Rules whose points scale with the weight (ratio, % bands, % tiers)
give that either way; per-step deductions, checklist points (capped at the weight), point bands,
point tiers and formulas gave more than that before: 11.11 − 2 instead of (10 − 2) × 100/90.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import perfscore
from perfscore.read.resources import indicators_dir
from tests.helpers import evaluate, form, template

D = Decimal


def _hand(points: str, weight_left: str = "90", total: str = "100") -> Decimal:
    return (D(points) * D(total) / D(weight_left)).quantize(D("0.01"), ROUND_HALF_UP)


RULES: dict[str, Any] = {
    "扣分": {"kind": "deduction", "limit": "100%", "side": "above", "step": "1%", "points": "0.5"},
    "完成扣分": {
        "kind": "deduction",
        "limit": "100%",
        "side": "below",
        "step": "5%",
        "points": "2",
        "partial": "ceil",
    },
    "加分清单": {"kind": "checklist", "items": ["甲", "乙", "丙", "丁", "戊"], "points": "3"},
    "扣分清单": {"kind": "checklist", "items": ["甲", "乙", "丙"], "points": "4", "mode": "deduct"},
    "分数区间": {
        "kind": "bands",
        "bands": [
            {"range": "(-∞, 10%]", "score": "10"},
            {"range": "(10%, 20%]", "score": "6"},
            {"range": "(20%, +∞)", "score": "0"},
        ],
    },
    "比例区间": {
        "kind": "bands",
        "bands": [
            {"range": "(-∞, 10%]", "score": "100%"},
            {"range": "(10%, +∞)", "score": "60%"},
        ],
    },
    "分数档": {
        "kind": "tiers",
        "pick": "top",
        "tiers": [
            {"name": "好", "range": "[8, 10]", "words": ["好"]},
            {"name": "一般", "range": "[0, 8)", "words": ["一般"]},
        ],
    },
    "公式": {"kind": "formula", "formula": "min(weight, 12 - actual / 10)"},
    "达标": {"kind": "threshold"},
    "人工": {"kind": "manual"},
}


def _with_na(leaf: dict[str, Any]) -> Decimal:
    """The score of ``leaf`` (weight 10) in a form where another 10 points are 不适用."""
    data = form(
        [
            dict(leaf, name="被测指标", weight="10"),
            {"name": "不适用项", "target": "≥1次", "actual": "不适用", "weight": "10"},
            {"name": "其余", "target": "≥1次", "actual": "1次", "weight": "80"},
        ],
        tmpl=template(rules=RULES),
    )
    result = evaluate(data)
    item = next(x for x in result.leaves() if x.name == "被测指标")
    assert item.score is not None
    return item.score


@pytest.mark.parametrize(
    ("leaf", "points"),
    [
        # ratio: 8/10 × 10 = 8
        ({"target": "≥10次", "actual": "8次"}, "8"),
        # reverse ratio: 10/12.5 × 10 = 8
        ({"target": "≤10万元", "actual": "12.5万元"}, "8"),
        # deduction: 104% is 4 steps over, 10 − 2 = 8 (not 11.11 − 2)
        ({"target": "≤100%", "actual": "104%", "rule": "扣分"}, "8"),
        ({"target": "≤100%", "actual": "130%", "rule": "扣分"}, "0"),  # floor 0
        # ceil steps: 93% is 7 points below → 2 steps × 2 = 4 → 6
        ({"target": "≥100%", "actual": "93%", "rule": "完成扣分"}, "6"),
        # checklist, add: 3 items × 3 = 9
        ({"actual": ["甲", "乙", "丙"], "rule": "加分清单"}, "9"),
        # checklist capped: 5 × 3 = 15, capped at the weight 10 (not at 11.11)
        ({"actual": ["甲", "乙", "丙", "丁", "戊"], "rule": "加分清单"}, "10"),
        ({"actual": ["甲", "乙", "丙", "丁"], "rule": "加分清单"}, "10"),  # 12 → capped 10
        # checklist, deduct: 1 missing → 10 − 4 = 6; 3 missing → 0
        ({"actual": ["甲", "乙"], "rule": "扣分清单"}, "6"),
        ({"actual": [], "rule": "扣分清单"}, "0"),
        # bands in points: 15% → 6 points
        ({"target": "≤10%", "actual": "15%", "rule": "分数区间"}, "6"),
        # bands in shares: 15% → 60% of 10
        ({"target": "≤10%", "actual": "15%", "rule": "比例区间"}, "6"),
        # tiers in points: 一般 → top of [0, 8) at 2 places = 7.99
        ({"target": "好", "actual": "一般", "rule": "分数档"}, "7.99"),
        # tiers in shares (the default 三档): 部分达成 → top of [60%, 80%) = 7.99
        ({"target": "达成", "actual": "部分达成"}, "7.99"),
        # formula: min(10, 12 − 30/10) = 9
        ({"target": "≤10次", "actual": "30次", "rule": "公式"}, "9"),
        # threshold: met → 10
        ({"target": "≥10次", "actual": "10次", "rule": "达标"}, "10"),
        # manual: the stated 7.5 of 10
        ({"rule": "人工", "score": "7.5"}, "7.5"),
    ],
)
def test_every_rule_kind_matches_the_hand_computation(leaf: dict[str, Any], points: str) -> None:
    expected = _hand(points)
    assert _with_na(leaf) == expected, (leaf, points, expected)


def test_rescaled_explanation_shows_the_factor() -> None:
    data = form(
        [
            {
                "name": "被测指标",
                "target": "≤100%",
                "actual": "104%",
                "rule": "扣分",
                "weight": "10",
            },
            {"name": "不适用项", "target": "≥1次", "actual": "不适用", "weight": "10"},
        ],
        tmpl=template(rules=RULES),
    )
    item = next(x for x in evaluate(data).leaves() if x.name == "被测指标")
    text = str(item.explanation)
    assert "10 − 4 × 0.5" in text and "8 × 100 ÷ 90" in text and text.endswith("8.89")


def test_rounding_excess_is_given_back() -> None:
    # 3 × 100/96 = 3.125 → 3.13 and 93 × 100/96 = 96.875 → 96.88: 100.01 before the correction
    data = form(
        [
            {"name": "甲", "target": "≥10次", "actual": "10次", "weight": "3"},
            {"name": "乙", "target": "≥10次", "actual": "10次", "weight": "93"},
            {"name": "丙", "target": "≥10次", "actual": "不适用", "weight": "4"},
        ]
    )
    result = evaluate(data)
    scores = {x.name: x.score for x in result.leaves()}
    assert result.total == D("100.00")
    assert sorted([scores["甲"], scores["乙"]]) in (
        [D("3.12"), D("96.88")],
        [D("3.13"), D("96.87")],
    )


# ------------------------------------------------------------------ the basic-data template


def _basic(inputs: dict[str, str], indicators: dict[str, Any]) -> dict[str, Decimal]:
    data = {
        "kind": "form",
        "template": "hunan/unit-evaluation-basic-data",
        "inputs": inputs,
        "indicators": indicators,
    }
    t = perfscore.load_template(str(indicators_dir() / "hunan/unit-evaluation-basic-data.yaml"))
    result = perfscore.evaluate(perfscore.load_form(data, template=t))
    return {
        x.name: x.score for x in result.leaves() if x.score is not None and x.status != "不适用"
    }


INPUTS = {
    "编制数": "50",
    "实际在职人数": "52",  # 104%: 4 points over × 0.5 = 2
    "三公经费上年决算数": "10",
    "三公经费本年预算数": "11",
    "三公经费本年决算数": "11",  # +10%: 5 deducted
    "公用经费预算数": "100",
    "公用经费决算数": "103",  # 3% over: 1.5 deducted
    "政府采购预算数": "100",
    "政府采购实际数": "90",  # 90% × 10
    "年初预算数": "1000",
    "追加预算数": "150",  # 15% → band 60%
    "上年结转数": "50",
    "年末结余数": "100",  # 1100 / 1200 = 91.67%: 8.33 below → 2 steps (ceil) × 2 = 4
    "楼堂馆所批复面积": "1000",
    "楼堂馆所实际面积": "1030",  # 3% over → one step (ceil) × 2
    "楼堂馆所预算投资": "0",
    "楼堂馆所实际投资": "0",
}


def test_basic_data_with_a_checklist_not_applicable() -> None:
    scores = _basic(
        INPUTS,
        {
            "管理措施": {
                "三公经费管理": {"applicable": False},
                "厉行节约保障措施": {"actual": ["严控一般性支出", "推进节能减排"]},  # 1 missing: −4
            }
        },
    )
    assert scores == {
        "在职人员控制率": _hand("8"),
        "三公经费变动率": _hand("5"),
        "公用经费控制率": _hand("8.5"),
        "政府采购执行率": _hand("9"),
        "预算完成率": _hand("11"),  # 15 − 4
        "预算控制率": _hand("9"),  # 60% of 15
        "楼堂馆所面积控制率": _hand("3"),
        "投资控制率": _hand("5"),
        "厉行节约保障措施": _hand("6"),
    }


def test_basic_data_capped_checklist_with_another_item_not_applicable() -> None:
    scores = _basic(
        INPUTS,
        {
            "管理措施": {
                "三公经费管理": {
                    "actual": [
                        "制定公务接待管理办法",
                        "公务用车集中管理",
                        "因公出国（境）按计划审批",
                        "三公经费预决算公开",
                        "三公经费支出有台账",
                    ]
                },
                "厉行节约保障措施": {"applicable": False},
            }
        },
    )
    assert scores["三公经费管理"] == _hand("10")  # 5 × 2 = 10, the full weight, × 100/90
    assert scores["在职人员控制率"] == _hand("8")


@settings(max_examples=60, deadline=None)
@given(over=st.integers(0, 30), present=st.integers(0, 3), na=st.sampled_from(["10", "20", "30"]))
def test_rescaled_score_is_the_unscaled_score_times_the_factor(
    over: int, present: int, na: str
) -> None:
    leaves: list[dict[str, Any]] = [
        {
            "name": "扣分项",
            "target": "≤100%",
            "actual": f"{100 + over}%",
            "rule": "扣分",
            "weight": "10",
        },
        {
            "name": "清单项",
            "actual": ["甲", "乙", "丙"][:present],
            "rule": "扣分清单",
            "weight": "10",
        },
        {"name": "不适用项", "target": "≥1次", "actual": "不适用", "weight": na},
    ]
    plain = evaluate(form(leaves[:2], tmpl=template(rules=RULES)))
    scaled = evaluate(form(leaves, tmpl=template(rules=RULES)))
    left = D(100) - D(na)
    for name in ("扣分项", "清单项"):
        a = next(x for x in plain.leaves() if x.name == name)
        b = next(x for x in scaled.leaves() if x.name == name)
        assert a.raw_score is not None and b.raw_score is not None
        grain = D("1e-20")  # the factor is a 28-digit decimal: compare far below a cent
        assert b.raw_score.quantize(grain) == (a.raw_score * D(100) / left).quantize(grain)
