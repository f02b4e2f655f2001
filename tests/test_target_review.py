"""``perfscore targets``: every target-quality check at its boundary, 申报表 tables, the CLI."""

from __future__ import annotations

import json
from decimal import Decimal as D
from pathlib import Path
from typing import Any

import pytest

from perfscore.cli import main
from perfscore.errors import BuildError
from perfscore.review.target_review import review_targets
from perfscore.review.target_review_rules import TARGET_CATALOGUE

ROOT = Path(__file__).resolve().parent.parent

GOOD: dict[str, Any] = {
    "kind": "form",
    "template": "mof/project-self-evaluation",
    "unit": "示例县交通运输局",
    "year": "2024",
    "budget": {
        "unit": "万元",
        "年初预算数": "500",
        "全年预算数": "500",
        "资金来源": {
            "当年财政拨款": {"年初预算数": "450", "全年预算数": "450"},
            "其他资金": {"年初预算数": "50", "全年预算数": "50"},
        },
    },
    "indicators": {
        "产出指标": {
            "数量指标": [{"name": "养护里程", "target": "≥300公里", "weight": "20"}],
            "质量指标": [{"name": "路面优良率", "target": "≥85%", "weight": "10"}],
            "时效指标": [{"name": "完工时间", "target": "11月底前完成", "weight": "10"}],
            "成本指标": [{"name": "每公里养护成本", "target": "≤1.5万元", "weight": "10"}],
        },
        "效益指标": {
            "社会效益指标": [{"name": "群众出行", "target": "通行时间缩短", "weight": "30"}]
        },
        "满意度指标": {
            "服务对象满意度指标": [{"name": "满意度", "target": "≥80%", "weight": "10"}]
        },
    },
}


#: The name and weight of the one entry of each group in GOOD.
DEFAULTS = {
    "数量指标": ("养护里程", "20"),
    "时效指标": ("完工时间", "10"),
    "成本指标": ("每公里养护成本", "10"),
    "社会效益指标": ("群众出行", "30"),
    "服务对象满意度指标": ("满意度", "10"),
}


def with_leaf(group: str, sub: str, **leaf: Any) -> dict[str, Any]:
    data = json.loads(json.dumps(GOOD))
    data["indicators"][group][sub] = [leaf]
    return data


def codes(data: dict[str, Any], **options: Any) -> set[str]:
    return {f.code for f in review_targets(data, **options).findings}


def test_a_good_form_passes() -> None:
    report = review_targets(GOOD)
    assert report.findings == () and report.grade == "通过"
    assert [i.kind for i in report.items] == ["定量", "定量", "定性", "定量", "定性", "定量"]


@pytest.mark.parametrize(
    ("group", "sub", "leaf", "code", "present"),
    [
        ("满意度指标", "服务对象满意度指标", {"target": "≥80%"}, "satisfaction_low", False),
        ("满意度指标", "服务对象满意度指标", {"target": "≥79.99%"}, "satisfaction_low", True),
        ("产出指标", "成本指标", {"target": "≤1.5万元"}, "cost_as_minimum", False),
        ("产出指标", "成本指标", {"target": "≥1.5万元"}, "cost_as_minimum", True),
        ("产出指标", "成本指标", {"target": ">1.5万元"}, "cost_as_minimum", True),
        ("产出指标", "时效指标", {"target": "30个工作日内"}, "time_not_date", False),
        ("产出指标", "时效指标", {"target": "按要求"}, "time_not_date", True),
        ("产出指标", "时效指标", {"target": "年"}, "time_not_date", True),  # the seed's 行政效能
        ("产出指标", "时效指标", {"target": "年底前"}, "time_not_date", False),
        ("产出指标", "数量指标", {"target": "≥300公里"}, "target_no_unit", False),
        ("产出指标", "数量指标", {"target": "≥300"}, "target_no_unit", True),
        ("产出指标", "数量指标", {"target": "300公里"}, "target_no_comparator", True),
        ("产出指标", "数量指标", {"target": "达到要求"}, "target_not_quantified", True),
        (
            "效益指标",
            "社会效益指标",
            {"target": "达到要求", "weight": "30"},
            "target_not_quantified",
            False,
        ),
        ("效益指标", "社会效益指标", {"target": "显著提高", "weight": "30"}, "target_vague", True),
        ("效益指标", "社会效益指标", {"target": "提高10%", "weight": "30"}, "target_vague", False),
        ("产出指标", "数量指标", {"target": "≥XX公里"}, "target_placeholder", True),
        ("产出指标", "数量指标", {"target": "≥**平方米"}, "target_placeholder", True),
        ("产出指标", "数量指标", {"target": "……"}, "target_placeholder", True),
        (
            "效益指标",
            "社会效益指标",
            {"target": "群众出行", "weight": "30"},
            "target_copies_name",
            True,
        ),
        (
            "效益指标",
            "社会效益指标",
            {"target": "通行时间缩短", "weight": "30"},
            "weight_too_high",
            False,
        ),
        (
            "效益指标",
            "社会效益指标",
            {"target": "通行时间缩短", "weight": "30.01"},
            "weight_too_high",
            True,
        ),
        ("产出指标", "数量指标", {}, "target_missing", True),
    ],
)
def test_each_check_at_its_boundary(
    group: str, sub: str, leaf: dict[str, Any], code: str, present: bool
) -> None:
    name, weight = DEFAULTS[sub]
    data = with_leaf(group, sub, **{"name": name, "weight": weight, **leaf})
    found = codes(data)
    assert (code in found) is present, found


def test_required_groups_and_weights() -> None:
    data = json.loads(json.dumps(GOOD))
    del data["indicators"]["产出指标"]["质量指标"]
    data["indicators"]["产出指标"]["数量指标"][0]["weight"] = "30"
    report = review_targets(data)
    empty = [f for f in report.findings if f.code == "group_empty"]
    assert [f.path for f in empty] == [("产出指标", "质量指标")]
    data["indicators"]["产出指标"]["数量指标"][0]["weight"] = "25"
    assert "weights_sum" in codes(data)


def test_quantitative_share_boundary() -> None:
    # GOOD has 4 quantitative targets and 1 qualitative 时效 target; 效益 gets n qualitative ones
    data = json.loads(json.dumps(GOOD))
    soc = data["indicators"]["效益指标"]["社会效益指标"]
    soc[:] = [{"name": f"效益{i}", "target": "通行时间缩短", "weight": "10"} for i in range(3)]
    assert review_targets(data).quantitative_share == D("0.5")  # 4 of 8: not below 50%
    assert "quantitative_share_low" not in codes(data)
    soc[:] = [{"name": f"效益{i}", "target": "通行时间缩短", "weight": "7.5"} for i in range(4)]
    report = review_targets(data)  # 4 of 9
    low = [f for f in report.findings if f.code == "quantitative_share_low"]
    assert low and "4 个" in low[0].message and "44.44%" in low[0].message


def test_budget_sources_must_add_up() -> None:
    data = json.loads(json.dumps(GOOD))
    data["budget"]["资金来源"]["其他资金"]["全年预算数"] = "40"
    found = [f for f in review_targets(data).findings if f.code == "budget_sources_sum"]
    assert len(found) == 1 and "490" in found[0].message and "相差 10万元" in found[0].message


def test_later_stages_are_ignored() -> None:
    data = json.loads(json.dumps(GOOD))
    leaf = data["indicators"]["产出指标"]["数量指标"][0]
    leaf |= {"actual": "不是数字的完成值", "reported": "20", "progress": "10公里"}
    assert review_targets(data).findings == ()


def test_grade_and_overrides() -> None:
    data = with_leaf("效益指标", "社会效益指标", name="群众出行", target="显著提高", weight="30")
    assert review_targets(data).grade == "修改后通过"  # one warning, no error
    assert review_targets(data, disable=["target_vague"]).grade == "通过"
    assert review_targets(data, severities={"target_vague": "error"}).grade == "退回修改"
    with pytest.raises(BuildError, match="target_vague"):
        review_targets(data, disable=["target_vag"])


def test_every_code_is_documented() -> None:
    doc = (ROOT / "docs" / "target-review.md").read_text(encoding="utf-8")
    missing = [code for code in TARGET_CATALOGUE if f"`{code}`" not in doc]
    assert not missing


# ------------------------------------------------------------------ 申报表 tables

ROWS = [
    ["项目支出绩效目标申报表（2024年度）"],
    ["预算单位名称", "示例县交通运输局"],
    ["模板", "mof/project-self-evaluation"],
    ["绩效指标", "一级指标", "二级指标", "三级指标", "年度指标值", "分值"],
    ["", "产出指标", "数量指标", "养护农村公路里程", "≥300公里", "20"],
    ["", "产出指标", "质量指标", "路面优良率", "≥85%", "10"],
    ["", "产出指标", "时效指标", "完工时间", "按要求", "10"],
    ["", "产出指标", "成本指标", "每公里养护成本", "≥1.5万元", "10"],
    ["", "效益指标", "社会效益指标", "群众出行条件", "显著提高", "30"],
    ["", "满意度指标", "服务对象满意度指标", "沿线群众满意度", "≥75%", "10"],
]
EXPECTED_ROWS = {
    "cost_as_minimum": 8,
    "time_not_date": 7,
    "target_vague": 9,
    "satisfaction_low": 10,
}


def _check_rows(report: Any) -> None:
    rows = {f.code: f.row for f in report.findings}
    assert rows == EXPECTED_ROWS
    assert all(f.line is None for f in report.findings)
    assert report.grade == "退回修改"


def test_csv_application_table(tmp_path: Path) -> None:
    import csv

    path = tmp_path / "apply.csv"
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        csv.writer(fh).writerows(ROWS)
    _check_rows(review_targets(path))


def test_xlsx_application_table(tmp_path: Path) -> None:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    for row in ROWS:
        ws.append(row)
    path = tmp_path / "apply.xlsx"
    wb.save(path)
    _check_rows(review_targets(path))


# ------------------------------------------------------------------ command line


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["targets", *args])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_cli(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    good = tmp_path / "good.json"
    good.write_text(json.dumps(GOOD, ensure_ascii=False), encoding="utf-8")
    bad = tmp_path / "bad.json"
    bad.write_text(
        json.dumps(
            with_leaf("产出指标", "成本指标", name="成本", target="≥1万元", weight="10"),
            ensure_ascii=False,
        ),
        encoding="utf-8",
    )
    assert run(capsys, str(good))[0] == 0
    code, text, _ = run(capsys, str(good), str(bad))
    assert code == 1
    assert text.index("bad.json") < text.index("good.json")  # most serious first
    assert "汇总：共 2 份表单" in text
    out, book = tmp_path / "r.md", tmp_path / "r.xlsx"
    code, stdout, _ = run(
        capsys, str(tmp_path), "--format", "markdown", "-o", str(out), "--xlsx", str(book)
    )
    assert (
        code == 1 and stdout == "" and out.read_text(encoding="utf-8").startswith("# 绩效目标审核")
    )
    from openpyxl import load_workbook

    wb = load_workbook(book)
    assert wb["汇总"].cell(row=2, column=5).value == "退回修改"
    code, _, err = run(capsys, str(good), "--severity", "target_vague=fatal")
    assert code == 2 and "严重程度" in err
    assert run(capsys, str(bad), "--fail-on", "never")[0] == 0
    code, js, _ = run(capsys, str(good), "--format", "json")
    assert json.loads(js)["grade"] == "通过"
