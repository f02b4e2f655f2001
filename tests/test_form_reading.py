"""Targets as published forms write them (issue 13, bugs 6 and 7): the indicator's name inside the
target cell, and split 指标性质 | 指标值 | 度量单位 columns with odd comparators."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from perfscore.read.table import read_table
from perfscore.read.table_head import _combine_target
from perfscore.targets import parse_target, parse_target_parts
from tests.helpers import score_leaf
from tests.test_tabular import simple_table, write_csv

# ------------------------------------------------------------------ bug 6: name inside the target


@pytest.mark.parametrize(
    ("text", "canonical"),
    [
        ("受益人口满意度≥96%", "≥96%"),
        ("道路硬化≥0.565km", "≥0.565公里"),
        ("群众满意度≧98%", "≥98%"),
        ("满意度不低于90%", "≥90%"),
        ("项目成本≤90万元", "≤90万元"),
        ("验收合格率=100%", "=100%"),
        ("以100%为标准", "=100%"),
        ("以95%为准", "=95%"),
    ],
)
def test_comparison_after_the_name_is_the_target(text: str, canonical: str) -> None:
    target = parse_target(text)
    assert str(target) == canonical
    assert "name_in_target" in target.flags
    assert target.source == text


@pytest.mark.parametrize(
    "text",
    [
        "每月15日前足额发放",  # digits in the "name": a sentence, not a name
        "2023年完成全部既定目标",
        "不低于上年",  # no number
        "不低于90%的水平",  # text after the number
        "满意度≥abc",  # not a quantity after the comparator
        "出台",
    ],
)
def test_sentences_stay_qualitative(text: str) -> None:
    assert parse_target(text).op == "qualitative"


def test_named_target_scores_like_the_plain_one() -> None:
    named = score_leaf(
        {"name": "受益人口满意度", "target": "受益人口满意度≥96%", "actual": "93%", "weight": "10"}
    )
    plain = score_leaf(
        {"name": "受益人口满意度", "target": "≥96%", "actual": "93%", "weight": "10"}
    )
    assert named.score == plain.score == Decimal("9.69")


@settings(max_examples=150, deadline=None)
@given(
    name=st.sampled_from(["受益人口满意度", "道路硬化", "培训人次", "项目成本"]),
    op=st.sampled_from(["≥", "≤", "=", ">", "<", "不低于", "不超过"]),
    number=st.decimals(min_value=0, max_value=10000, places=2, allow_nan=False),
    unit=st.sampled_from(["%", "万元", "人次", "公里", ""]),
)
def test_name_prefix_never_changes_the_reading(
    name: str, op: str, number: Decimal, unit: str
) -> None:
    plain = parse_target(f"{op}{number}{unit}")
    assert parse_target(f"{name}{op}{number}{unit}") == plain


# ------------------------------------------------------------------ bug 7: split columns


@pytest.mark.parametrize(
    ("nature", "value", "unit", "combined"),
    [
        ("﹦", "72890", "元", "=72890元"),  # 丽江 2020 表式
        ("≥", "95", "%", "≥95%"),
        ("≥", "≥95", "%", "≥95%"),  # comparator repeated in the value cell
        (" ≥ ", "95", "%", "≥95%"),
        ("以上", "95", "%", "≥95%"),
        ("以下", "5", "%", "≤5%"),
        ("正向", "100", "%", "≥100%"),
        ("反向", "5", "%", "≤5%"),
        ("≤", "4073.53", "万元", "≤4073.53万元"),
        ("=", "100", "百分比", "=100%"),
        ("定性", "达成预期指标", "", "达成预期指标"),
    ],
)
def test_split_columns_read_like_the_combined_text(
    nature: str, value: str, unit: str, combined: str
) -> None:
    tabular, reason = _combine_target(nature, value, unit or None)
    assert reason is None
    assert tabular is not None and str(parse_target(tabular)) == combined
    assert str(parse_target_parts(nature, value, unit or None)) == combined


def test_split_columns_in_a_csv_score_like_one_cell(tmp_path: Path) -> None:
    header = [
        "一级指标",
        "二级指标",
        "三级指标",
        "指标性质",
        "指标值",
        "度量单位",
        "完成值",
        "权重",
    ]
    rows = [
        ["产出指标", "数量指标", "卫片执法补助经费", "﹦", "72890", "元", "72890", "10"],
        ["产出指标", "质量指标", "项目验收合格率", "≥", "≥95", "%", "96", "10"],
        ["产出指标", "成本指标", "差错率", "反向", "5", "%", "4", "10"],
    ]
    read = read_table(write_csv(tmp_path / "s.csv", simple_table(header, rows)))
    ind = read.document.data["indicators"]["产出指标"]
    assert [
        str(parse_target(ind[k][0]["target"])) for k in ("数量指标", "质量指标", "成本指标")
    ] == [
        "=72890元",
        "≥95%",
        "≤5%",
    ]


@settings(max_examples=150, deadline=None)
@given(
    nature=st.sampled_from(["≥", "≤", "=", "﹦", ">", "<", " ≥ "]),
    number=st.decimals(min_value=0, max_value=10000, places=2, allow_nan=False),
    unit=st.sampled_from(["%", "万元", "人次", "公里", "个", "百分比"]),
    repeat=st.booleans(),
)
def test_split_columns_equal_the_one_cell_text(
    nature: str, number: Decimal, unit: str, repeat: bool
) -> None:
    one_cell = parse_target(f"{nature.strip()}{number}{unit}")
    value = f"{nature.strip()}{number}" if repeat else str(number)
    combined, reason = _combine_target(nature, value, unit)
    assert reason is None and combined is not None
    assert parse_target(combined) == one_cell
    assert parse_target_parts(nature, value, unit) == one_cell
