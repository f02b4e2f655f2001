"""The published-layout examples (examples/review/published-*): exactly the planted problems are
flagged, and the clean forms give no finding at all (issue 13)."""

from __future__ import annotations

import sys
from collections import Counter
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from perfscore.review import FormReview, review_form

EXAMPLES = Path(__file__).resolve().parent.parent / "examples" / "review"
sys.path.insert(0, str(EXAMPLES))
import make_published  # type: ignore[import-not-found]  # noqa: E402

#: Each planted problem: (file, code, path of the row or form-level label it is reported on).
PLANTED: list[tuple[str, str, tuple[str, ...]]] = [
    # published-planted-unit.csv
    (
        "published-planted-unit.csv",
        "template_placeholder",
        ("产出指标", "数量指标", "XX宣传活动场次"),
    ),
    (
        "published-planted-unit.csv",
        "template_placeholder",
        ("产出指标", "数量指标", "新建活动场地面积"),
    ),
    (
        "published-planted-unit.csv",
        "unit_annotation_mismatch",
        ("产出指标", "数量指标", "培训经费(%)"),
    ),
    (
        "published-planted-unit.csv",
        "unmet_full",
        ("产出指标", "质量指标", "优抚金发放"),
    ),  # 未按时足额发放
    (
        "published-planted-unit.csv",
        "unscorable",
        ("产出指标", "时效指标", "项目完成进度"),
    ),  # 完成80%
    (
        "published-planted-unit.csv",
        "unscorable",
        ("效益指标", "社会效益指标", "服务质量评价"),
    ),  # 优化中
    ("published-planted-unit.csv", "deviation_reason_bare", ("产出指标", "成本指标", "活动成本")),
    (
        "published-planted-unit.csv",
        "unit_missing",
        ("满意度指标", "服务对象满意度指标", "居民满意度"),
    ),
    ("published-planted-unit.csv", "execution_rate_format", ("预算执行率",)),  # printed 1
    # published-planted-budget.csv
    ("published-planted-budget.csv", "budget_cut_full_outputs", ("预算执行率",)),
    ("published-planted-budget.csv", "execution_rate_format", ("预算执行率",)),  # printed 100
    (
        "published-planted-budget.csv",
        "execution_in_outputs",
        ("产出指标", "数量指标", "资金执行率"),
    ),
    # published-planted-project.xlsx
    ("published-planted-project.xlsx", "generic_answer", ("实际完成值",)),
    ("published-planted-project.xlsx", "flat_docking", ("自评得分",)),
    ("published-planted-project.xlsx", "unmet_full", ("产出指标", "时效指标", "培训完成时间")),
    # published-noscores.csv
    ("published-noscores.csv", "scores_missing", ("自评得分",)),
    # published-noactuals.csv
    ("published-noactuals.csv", "actuals_missing_all", ("实际完成值",)),
]

#: Every finding each file gives: the planted ones and what follows from them (a score above
#: the rule's also differs from it, the stated score is outside the tier, the total differs).
EXPECTED: dict[str, Counter[str]] = {
    "published-clean-unit.csv": Counter(),
    "published-clean-project.xlsx": Counter(),
    "published-noscores.csv": Counter({"scores_missing": 1}),
    "published-noactuals.csv": Counter({"actuals_missing_all": 1, "total_differs": 1}),
    "published-planted-budget.csv": Counter(
        {"budget_cut_full_outputs": 1, "execution_rate_format": 1, "execution_in_outputs": 1}
    ),
    "published-planted-project.xlsx": Counter(
        {
            "generic_answer": 1,
            "flat_docking": 1,
            "unmet_full": 1,
            "reported_differs": 1,
            "score_outside_tier": 1,
            "total_differs": 1,
        }
    ),
    "published-planted-unit.csv": Counter(
        {
            "template_placeholder": 2,
            "target_unreadable": 1,  # ≥**平方米 cannot be read either
            "unit_annotation_mismatch": 1,
            "unmet_full": 1,
            "reported_differs": 3,
            "unscorable": 2,
            "score_outside_tier": 1,
            "deviation_reason_bare": 1,
            "unit_missing": 1,
            "execution_rate_format": 1,
            "total_differs": 1,
        }
    ),
}


@pytest.fixture(scope="module")
def reviews() -> dict[str, FormReview]:
    return {name: review_form(EXAMPLES / name) for name in EXPECTED}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_file_gives_exactly_its_findings(reviews: dict[str, FormReview], name: str) -> None:
    assert _codes(reviews[name]) == EXPECTED[name]


#: What the reviewer says of how it read a table (which template it chose, issue 17), not a
#: finding about the form; every table without a 模板 cell gets it.
READING_NOTES = frozenset({"template_guessed"})


def _codes(review: FormReview) -> Counter[str]:
    return Counter(f.code for f in review.findings if f.code not in READING_NOTES)


def test_every_planted_problem_is_flagged_where_it_was_planted(
    reviews: dict[str, FormReview],
) -> None:
    missed = [
        (name, code, path)
        for name, code, path in PLANTED
        if not any(f.code == code and f.path == path for f in reviews[name].findings)
    ]
    assert missed == []
    assert len(PLANTED) == 17


@pytest.mark.parametrize("name", ["published-clean-unit.csv", "published-clean-project.xlsx"])
def test_clean_forms_score_in_full(reviews: dict[str, FormReview], name: str) -> None:
    review = reviews[name]
    assert not [f for f in review.findings if f.code not in READING_NOTES]
    assert review.evaluation is not None and review.evaluation.total == Decimal("100.00")
    assert all(row.outcome in ("scored", "recognised") for row in review.rows)


def test_clean_forms_read_the_published_spellings(reviews: dict[str, FormReview]) -> None:
    items = {i.name: i for i in reviews["published-clean-project.xlsx"].items}
    assert items["卫片执法补助经费"].target == "﹦72890元"  # split 性质 ﹦ | 72890 | 元
    assert items["差错率"].status == "达成"  # 反向 5 % read as ≤5%
    assert items["项目完成时间"].status == "达成"  # 9月前 / 7月
    unit = {i.name: i for i in reviews["published-clean-unit.csv"].items}
    assert unit["受益群众满意度"].status == "达成"  # 受益人口满意度≥96% / 97%
    assert unit["安全生产事故"].status == "达成"  # 未发生安全事故


def test_messages_carry_the_numbers(reviews: dict[str, FormReview]) -> None:
    found: dict[str, Any] = {f.code: f for f in reviews["published-planted-budget.csv"].findings}
    assert "37.5%" in found["budget_cut_full_outputs"].message
    assert "800 → 500" in found["budget_cut_full_outputs"].message
    flat = next(
        f for f in reviews["published-planted-project.xlsx"].findings if f.code == "flat_docking"
    )
    assert "6 个" in flat.message and "90%" in flat.message


def test_the_csv_examples_are_what_the_generator_writes(tmp_path: Path) -> None:
    make_published.main(["make_published.py", str(tmp_path)])
    for name in EXPECTED:
        if name.endswith(".csv"):
            assert (tmp_path / name).read_bytes() == (EXAMPLES / name).read_bytes(), name
    for name, expected in EXPECTED.items():  # the XLSX differ in timestamps: review them afresh
        fresh = review_form(tmp_path / name)
        assert _codes(fresh) == expected


def test_checks_can_be_switched_off(reviews: dict[str, FormReview]) -> None:
    review = review_form(EXAMPLES / "published-planted-project.xlsx", disable=["flat_docking"])
    codes = Counter(f.code for f in review.findings)
    assert "flat_docking" not in codes
    assert codes["met_not_full"] == 6  # the per-row lines come back
    assert codes["reported_differs"] == 4  # 3 docked quantitative rows + the missed deadline
    tolerant = review_form(
        EXAMPLES / "published-planted-budget.csv", tolerances={"budget_cut_full_outputs": "0.4"}
    )
    assert "budget_cut_full_outputs" not in {f.code for f in tolerant.findings}
