"""One form through the year (issue 14, part 3): the same form file gets targets (target
review), then ``progress`` (monitoring), then ``actual`` and ``reported`` (score, review).
Each command ignores what belongs to a later stage and says what is missing for its own."""

from __future__ import annotations

import json
from copy import deepcopy
from decimal import Decimal as D
from pathlib import Path
from typing import Any

import perfscore
from perfscore.cli import main
from perfscore.review import review_form
from perfscore.review.monitor import monitor_form
from perfscore.review.target_review import review_targets

ROOT = Path(__file__).resolve().parent.parent

#: January: the unit's 申报表 (targets and weights only).
TARGETS: dict[str, Any] = {
    "kind": "form",
    "template": "mof/project-self-evaluation",
    "unit": "示例县交通运输局",
    "year": "2024",
    "budget": {"unit": "万元", "年初预算数": "500", "全年预算数": "520"},
    "indicators": {
        "产出指标": {
            "数量指标": [{"name": "养护里程", "target": "≥300公里", "weight": "20"}],
            "质量指标": [{"name": "路面优良率", "target": "≥85%", "weight": "10"}],
            "时效指标": [{"name": "完工时间", "target": "11月底前完成", "weight": "10"}],
            "成本指标": [{"name": "每公里养护成本", "target": "≤1.7万元", "weight": "10"}],
        },
        "效益指标": {
            "社会效益指标": [{"name": "出行时间", "target": "缩短10分钟以上", "weight": "30"}]
        },
        "满意度指标": {
            "服务对象满意度指标": [{"name": "满意度", "target": "≥90%", "weight": "10"}]
        },
    },
}
PROGRESS = {
    "养护里程": "180公里",
    "路面优良率": "86%",
    "完工时间": "部分达成",
    "每公里养护成本": "0.9万元",
    "出行时间": "达成",
    "满意度": "91%",
}
ACTUAL = {
    "养护里程": "310公里",
    "路面优良率": "87%",
    "完工时间": "达成",
    "每公里养护成本": "1.6万元",
    "出行时间": "达成",
    "满意度": "93%",
}


def leaves(data: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        leaf
        for group in data["indicators"].values()
        for entries in group.values()
        for leaf in entries
    ]


def stage(data: dict[str, Any], field: str, values: dict[str, str]) -> dict[str, Any]:
    data = deepcopy(data)
    for leaf in leaves(data):
        leaf[field] = values[leaf["name"]]
    return data


def test_stage_one_targets_only() -> None:
    report = review_targets(TARGETS)
    assert report.findings == () and report.grade == "通过"
    monitored = monitor_form(TARGETS, month=7)
    codes = [f.code for f in monitored.findings]
    assert codes.count("progress_missing") == 6 and "budget_missing" in codes
    assert all("progress" in f.message for f in monitored.findings if f.code == "progress_missing")
    assert monitored.lights == () and monitored.project_light is None
    reviewed = review_form(TARGETS)
    # No actual anywhere: one form-level finding (issue 13) instead of one per row.
    assert "actuals_missing_all" in {f.code for f in reviewed.findings}


def test_stage_two_progress_is_read_by_monitor_only() -> None:
    july = stage(TARGETS, "progress", PROGRESS)
    july["budget"]["截至监控月执行数"] = "250"
    assert review_targets(july).findings == ()  # target review ignores progress
    report = monitor_form(july, month=7)
    assert {x.name: x.light for x in report.lights} == {
        "养护里程": "green",  # 180 ÷ 175 = 102.86%
        "路面优良率": "green",
        "完工时间": "yellow",
        "每公里养护成本": "green",
        "出行时间": "green",
        "满意度": "green",
    }
    assert report.project_light == "yellow"
    assert {f.code for f in report.findings} == {"cause_missing", "measures_missing"}
    reviewed = review_form(july)  # scoring does not read progress: actuals are still missing
    assert "actuals_missing_all" in {f.code for f in reviewed.findings}


def test_stage_three_actuals_are_scored_and_earlier_stages_still_work() -> None:
    july = stage(TARGETS, "progress", PROGRESS)
    july["budget"]["截至监控月执行数"] = "250"
    year_end = stage(july, "actual", ACTUAL)
    year_end["budget"]["全年执行数"] = "510"
    result = perfscore.evaluate(perfscore.load_form(year_end))
    assert result.total == D("99.81")
    # the earlier commands give the same answers on the finished form
    assert review_targets(year_end).findings == review_targets(july).findings
    assert monitor_form(year_end, month=7).lights == monitor_form(july, month=7).lights
    # and scoring is the same as without the progress fields
    plain = stage(TARGETS, "actual", ACTUAL)
    plain["budget"]["全年执行数"] = "510"
    assert perfscore.evaluate(perfscore.load_form(plain)).total == result.total


def test_the_shipped_year_form_runs_through_every_command(capsys: Any, tmp_path: Path) -> None:
    path = ROOT / "examples" / "variants" / "monitoring-budget-red.yaml"
    assert main(["targets", str(path)]) == 0
    assert main(["monitor", str(path), "--month", "7", "--format", "json"]) == 0
    out = capsys.readouterr().out
    data = json.loads(out[out.index("{") :])
    assert data["project_light"] == "yellow"  # a red indicator counts as yellow here
    assert main(["score", str(path)]) == 0
    assert main(["review", str(path)]) == 0
