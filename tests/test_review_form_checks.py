"""Boundaries of the review checks added for issue 13 (perfscore.review.form_checks)."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

from perfscore.review import review_form
from tests.helpers import form, template


def _codes(leaves: list[dict[str, Any]], **extra: Any) -> Counter[str]:
    data = form(leaves, **extra)
    return Counter(f.code for f in review_form(data).findings)


def _leaf(
    name: str,
    target: str,
    actual: str | None,
    weight: str,
    reported: str | None = None,
    **more: Any,
) -> dict[str, Any]:
    leaf: dict[str, Any] = {"name": name, "target": target, "weight": weight}
    if actual is not None:
        leaf["actual"] = actual
    if reported is not None:
        leaf["reported"] = reported
    leaf.update(more)
    return leaf


# ------------------------------------------------------------------ scores / actuals missing


def test_no_self_score_with_a_reported_total_is_one_finding() -> None:
    leaves = [_leaf("甲", "≥10次", "10次", "50"), _leaf("乙", "≥10次", "12次", "50")]
    assert _codes(leaves, reported_total="100")["scores_missing"] == 1
    assert _codes(leaves)["scores_missing"] == 0  # a YAML form only to be scored
    one = [_leaf("甲", "≥10次", "10次", "50", "50"), _leaf("乙", "≥10次", "12次", "50")]
    assert _codes(one, reported_total="100")["scores_missing"] == 0


def test_no_actual_at_all_is_one_finding_not_one_per_row() -> None:
    leaves = [_leaf("甲", "≥10次", None, "50", "50"), _leaf("乙", "≥10次", None, "50", "50")]
    codes = _codes(leaves)
    assert codes["actuals_missing_all"] == 1
    assert codes["actual_missing"] == 0 and codes["reported_differs"] == 0
    some = [_leaf("甲", "≥10次", None, "50", "50"), _leaf("乙", "≥10次", "10次", "50", "50")]
    codes = _codes(some)
    assert codes["actuals_missing_all"] == 0 and codes["actual_missing"] == 1


# ------------------------------------------------------------------ placeholders and unit labels


@pytest.mark.parametrize(
    ("name", "target", "flagged"),
    [
        ("XX活动场次", "≥10次", True),
        ("××培训", "≥10次", True),
        ("培训……", "≥10次", True),
        ("培训场次", "≥**次", True),
        ("X光机购置", "≥1台", False),  # one X is a word, not a placeholder
        ("培训场次", "≥10次", False),
    ],
)
def test_placeholders(name: str, target: str, flagged: bool) -> None:
    codes = _codes([_leaf(name, target, "10次", "100", "100")])
    assert (codes["template_placeholder"] == 1) is flagged


@pytest.mark.parametrize(
    ("name", "target", "actual", "flagged"),
    [
        ("培训经费(%)", "≤3000", "2950", True),
        ("培训经费（%）", "≤1000", "900", True),  # the tolerance 1000 is reached
        ("覆盖率(%)", "≥999", "999", False),  # below 1000
        ("覆盖率(%)", "≥95%", "96%", False),
        ("培训经费(万元)", "≤5%", "4%", True),
        ("培训经费(万元)", "≤50万元", "40万元", False),
    ],
)
def test_unit_annotation(name: str, target: str, actual: str, flagged: bool) -> None:
    codes = _codes([_leaf(name, target, actual, "100", "100")])
    assert (codes["unit_annotation_mismatch"] == 1) is flagged


# ------------------------------------------------------------------ answers and reasons


def _qual(n: int, answer: str, *, different_targets: bool = True) -> list[dict[str, Any]]:
    return [
        _leaf(f"定性{i}", f"已完成任务{i}" if different_targets else "达成", answer, "10", "10")
        for i in range(n)
    ]


def test_generic_answer_boundaries() -> None:
    assert _codes(_qual(3, "达成"))["generic_answer"] == 1
    assert _codes(_qual(2, "达成"))["generic_answer"] == 0  # tolerance: at least 3
    assert _codes(_qual(3, "达成", different_targets=False))["generic_answer"] == 0  # same word
    mixed = [
        *_qual(3, "达成"),
        *[_leaf(f"其他{i}", f"目标{i}", "已完成", "10", "10") for i in range(3)],
    ]
    assert _codes(mixed)["generic_answer"] == 0  # not more than half


@pytest.mark.parametrize(
    ("note", "flagged"),
    [("无", True), ("0", True), ("/", True), ("暂无", True), ("资金到位晚，已督促", False)],
)
def test_bare_reason_on_an_unmet_indicator(note: str, flagged: bool) -> None:
    codes = _codes([_leaf("场次", "≥10次", "8次", "100", "80", note=note)])
    assert (codes["deviation_reason_bare"] == 1) is flagged


def test_bare_reason_on_a_met_indicator_is_fine() -> None:
    assert (
        _codes([_leaf("场次", "≥10次", "10次", "100", "100", note="无")])["deviation_reason_bare"]
        == 0
    )


@pytest.mark.parametrize(
    ("name", "target", "flagged"),
    [
        ("群众满意度", "≥90", True),
        ("验收合格率", "=100", True),
        ("项目资金", "≤50", True),
        ("培训人次", "≥100", True),
        ("群众满意度", "≥90%", False),
        ("培训场次数量", "≥10", False),  # the name implies no unit
    ],
)
def test_unit_missing(name: str, target: str, flagged: bool) -> None:
    codes = _codes([_leaf(name, target, target.lstrip("≥≤="), "100", "100")])
    assert (codes["unit_missing"] == 1) is flagged


# ------------------------------------------------------------------ flat docking


def _docked(shares: list[str], note: str = "") -> list[dict[str, Any]]:
    return [
        _leaf(f"指标{i}", "≥10次", "10次", "20", share, **({"note": note} if note else {}))
        for i, share in enumerate(shares)
    ]


def test_flat_docking_boundaries() -> None:
    codes = _codes(_docked(["18", "18", "18", "18", "18"]))
    assert codes["flat_docking"] == 1 and codes["met_not_full"] == 0
    assert codes["reported_differs"] == 0
    assert (
        _codes(_docked(["18", "18", "17", "18", "18"]))["flat_docking"] == 0
    )  # not the same share
    assert _codes(_docked(["20", "20", "20", "20", "20"]))["flat_docking"] == 0  # full marks
    assert (
        _codes(_docked(["18", "18", "18", "18", "18"], note="按考核办法统一扣 10%"))["flat_docking"]
        == 0
    )  # explained


def test_flat_docking_needs_the_tolerance_count() -> None:
    leaves = [
        _leaf("甲", "≥10次", "10次", "50", "45"),
        _leaf("乙", "≥10次", "10次", "50", "45"),
    ]
    codes = _codes(leaves)
    assert codes["flat_docking"] == 0 and codes["met_not_full"] == 2


# ------------------------------------------------------------------ budget


def _budget_form(
    rate: str, opening: str = "100", adjusted: str = "100", executed: str = "100"
) -> dict[str, Any]:
    tmpl = template()
    tmpl["indicators"] = [
        {"name": "预算执行率", "weight": "10", "rule": {"kind": "execution_rate"}},
        {"name": "产出指标", "open": True, "weight": "90"},
    ]
    return {
        "kind": "form",
        "template": tmpl,
        "budget": {
            "unit": "万元",
            "年初预算数": opening,
            "全年预算数": adjusted,
            "全年执行数": executed,
            "执行率": rate,
        },
        "indicators": {
            "预算执行率": {"reported": "10"},
            "产出指标": [
                {
                    "name": "场次",
                    "target": "≥10次",
                    "actual": "10次",
                    "weight": "45",
                    "reported": "45",
                },
                {
                    "name": "人数",
                    "target": "≥10人",
                    "actual": "10人",
                    "weight": "45",
                    "reported": "45",
                },
            ],
        },
    }


@pytest.mark.parametrize(
    ("rate", "flagged", "miscomputed"),
    [
        ("100%", False, False),
        ("1", True, False),
        ("100", True, False),
        ("0.9", True, True),
        ("20", True, True),
    ],
)
def test_execution_rate_format(rate: str, flagged: bool, miscomputed: bool) -> None:
    codes = Counter(f.code for f in review_form(_budget_form(rate)).findings)
    assert (codes["execution_rate_format"] == 1) is flagged
    assert (codes["execution_rate_miscomputed"] == 1) is miscomputed


@pytest.mark.parametrize(
    ("opening", "flagged"), [("100", False), ("142", False), ("143", True), ("200", True)]
)
def test_budget_cut_with_every_output_full(opening: str, flagged: bool) -> None:
    # 100 of 142 is a cut of 29.6%, of 143 a cut of 30.07%: the tolerance is 30%
    codes = Counter(f.code for f in review_form(_budget_form("100%", opening=opening)).findings)
    assert (codes["budget_cut_full_outputs"] == 1) is flagged


def test_execution_rate_in_outputs() -> None:
    data = _budget_form("100%")
    data["indicators"]["产出指标"][1] = {
        "name": "预算执行率",
        "target": "=100%",
        "actual": "100%",
        "weight": "45",
        "reported": "45",
    }
    codes = Counter(f.code for f in review_form(data).findings)
    assert codes["execution_in_outputs"] == 1


# ------------------------------------------------------------------ target only in the name


@pytest.mark.parametrize(
    ("name", "flagged"),
    [
        ("资金支付完成率100%", True),
        ("培训人数≥200人", True),
        ("资金支付完成率", False),
        ("2023年培训", False),
    ],
)
def test_target_only_in_the_name(name: str, flagged: bool) -> None:
    leaves = [
        {"name": name, "weight": "50", "reported": "50"},
        _leaf("乙", "≥10次", "10次", "50", "50"),
    ]
    found = [f for f in review_form(form(leaves)).findings if f.code == "target_in_name"]
    assert (len(found) == 1) is flagged
    if flagged:
        assert found[0].path == ("指标", name)
