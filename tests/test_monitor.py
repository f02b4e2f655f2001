"""``perfscore monitor``: lights at their boundaries, the 136号 columns, reports and the CLI."""

from __future__ import annotations

import json
from copy import deepcopy
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest

from perfscore.build.library import default_library
from perfscore.cli import main
from perfscore.errors import BuildError, InputTypeError
from perfscore.review.monitor import monitor_form
from perfscore.review.monitor_rules import MonitorConfig, band_light, expected_share, project_light

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "mof-project" / "rural-road-maintenance-2024-july.yaml"


def config(ref: str = "mof/project-self-evaluation") -> MonitorConfig:
    lib = default_library()
    return MonitorConfig.build(lib.load(lib.find(ref)))


def form(
    *leaves: dict[str, Any], executed: str | None = "600", annual: str = "1200"
) -> dict[str, Any]:
    budget: dict[str, Any] = {"unit": "万元", "全年预算数": annual}
    if executed is not None:
        budget["截至监控月执行数"] = executed
    return {
        "kind": "form",
        "template": "mof/project-self-evaluation",
        "unit": "示例单位",
        "year": "2024",
        "budget": budget,
        "indicators": {
            "产出指标": {
                "数量指标": list(leaves) or [{"name": "x", "target": "≥10次", "weight": "50"}]
            },
            "效益指标": {"社会效益指标": [{"name": "效益", "target": "明显改善", "weight": "30"}]},
            "满意度指标": {
                "服务对象满意度指标": [{"name": "满意度", "target": "≥90%", "weight": "10"}]
            },
        },
    }


def light_of(leaf: dict[str, Any], month: int = 6) -> str | None:
    report = monitor_form(form({"weight": "50", **leaf}), month=month)
    return next(x.light for x in report.lights if x.name == leaf["name"])


# ------------------------------------------------------------------ the bands, exactly


@pytest.mark.parametrize(
    ("ratio", "light"),
    [
        (Fraction(59999, 100000), "red"),
        (Fraction(6, 10), "yellow"),  # 60% is yellow (red is < 60%)
        (Fraction(79999, 100000), "yellow"),
        (Fraction(8, 10), "green"),
        (Fraction(119999, 100000), "green"),
        (Fraction(12, 10), "blue"),  # 120% is blue (ahead of plan)
    ],
)
def test_positive_bands_at_their_boundaries(ratio: Fraction, light: str) -> None:
    assert band_light(config().positive, ratio)[1].light == light


@pytest.mark.parametrize(
    ("ratio", "light"),
    [(Fraction(59999, 100000), "red"), (Fraction(6, 10), "yellow"), (Fraction(8, 10), "green")],
)
def test_budget_bands_at_their_boundaries(ratio: Fraction, light: str) -> None:
    assert band_light(config().budget_bands, ratio)[1].light == light


def test_reverse_limit_is_inclusive() -> None:
    c = config()
    assert band_light(c.reverse, Fraction(1))[1].light == "green"
    assert band_light(c.reverse, Fraction(100001, 100000))[1].light == "red"


@pytest.mark.parametrize(
    ("progress", "light"),
    [
        ("299次", "red"),
        ("300次", "yellow"),
        ("399次", "yellow"),
        ("400次", "green"),
        ("599", "green"),
        ("600次", "blue"),
    ],
)
def test_positive_indicator_against_time_progress(progress: str, light: str) -> None:
    # month 6: 1000 × 6 ÷ 12 = 500 due
    assert light_of({"name": "巡查", "target": "≥1000次", "progress": progress}) == light


def test_month_seven_is_exact_not_rounded() -> None:
    # 12 × 7 ÷ 12 = 7 due; 4.2 is exactly 60%: yellow, 4.19 red
    assert light_of({"name": "a", "target": "≥12次", "progress": "4.2次"}, month=7) == "yellow"
    assert light_of({"name": "a", "target": "≥12次", "progress": "4.19次"}, month=7) == "red"


def test_zero_targets_qualitative_and_ratio_targets() -> None:
    assert light_of({"name": "事故", "target": "=0起", "progress": "0起"}) == "green"
    assert light_of({"name": "事故", "target": "=0起", "progress": "1起"}) == "red"
    assert light_of({"name": "q", "target": "明显改善", "progress": "未达成"}) == "red"
    assert light_of({"name": "q", "target": "明显改善", "progress": "部分达成"}) == "yellow"
    assert light_of({"name": "q", "target": "明显改善", "progress": " 达成 "}) == "green"
    # a word of the scoring rule's tiers names its tier
    assert light_of({"name": "q", "target": "明显改善", "progress": "基本完成"}) == "yellow"
    assert light_of({"name": "q", "target": "明显改善", "progress": "未完成"}) == "red"
    # a rate is compared with the annual target, not pro-rated: 72 ÷ 90 = 80%
    assert light_of({"name": "r", "target": "≥90%", "progress": "72%"}) == "green"
    assert light_of({"name": "r", "target": "≥90%", "progress": "71.99%"}) == "yellow"


def test_schedules() -> None:
    c = config()
    assert expected_share(c.schedules["年底一次性"], 11) == 0
    assert expected_share(c.schedules["年底一次性"], 12) == 1
    assert expected_share(c.schedules["按季度"], 5) == Fraction(1, 4)
    assert expected_share(None, 7) == Fraction(7, 12)
    assert (
        light_of({"name": "s", "target": "≥10台", "progress": "0台", "schedule": "年底一次性"})
        == "green"
    )
    inline = {"6": "50%", "12": "100%"}
    assert (
        light_of({"name": "s", "target": "≥10台", "progress": "2.99台", "schedule": inline})
        == "red"
    )
    assert (
        light_of({"name": "s", "target": "≥10台", "progress": "3台", "schedule": inline})
        == "yellow"
    )


def test_unknown_schedule_is_a_finding_with_a_suggestion() -> None:
    report = monitor_form(
        form(
            {
                "name": "s",
                "target": "≥10台",
                "weight": "50",
                "progress": "5台",
                "schedule": "年底一次",
            }
        ),
        month=6,
    )
    found = [f for f in report.findings if f.code == "schedule_unknown"]
    assert found and "年底一次性" in found[0].message


# ------------------------------------------------------------------ the project light


def test_project_light_is_the_worst_and_the_variant_caps_indicator_reds() -> None:
    worst = config()
    assert project_light(worst, "green", ["blue", "red"]) == "red"
    assert project_light(worst, None, ["blue", "green"]) == "green"
    assert project_light(worst, None, []) is None
    variant = config("variants/monitoring-budget-red")
    assert project_light(variant, "green", ["red"]) == "yellow"
    assert project_light(variant, "red", ["green"]) == "red"


# ------------------------------------------------------------------ the 136号 columns


def test_red_or_yellow_needs_causes_and_measures() -> None:
    leaf = {"name": "巡查", "target": "≥1000次", "weight": "50", "progress": "100次"}
    codes = [f.code for f in monitor_form(form(leaf), month=6).findings]
    assert {"cause_missing", "measures_missing"} <= set(codes)
    leaf |= {"causes": ["经费保障"], "measures": "追加经费", "likelihood": "有可能"}
    codes = [f.code for f in monitor_form(form(leaf), month=6).findings]
    assert not {"cause_missing", "measures_missing", "cause_unknown", "likelihood_unknown"} & set(
        codes
    )


def test_unknown_cause_and_likelihood() -> None:
    leaf = {
        "name": "巡查",
        "target": "≥1000次",
        "weight": "50",
        "progress": "500次",
        "causes": "经费保障、资金不足",
        "likelihood": "可能",
    }
    report = monitor_form(form(leaf), month=6)
    by_code = {f.code: f for f in report.findings}
    assert "资金不足" in by_code["cause_unknown"].message
    assert dict(by_code["likelihood_unknown"].values)["应为"] == "确定能、有可能、完全不可能"
    assert by_code["cause_unknown"].path == ("产出指标", "数量指标", "巡查")


def test_missing_data_for_this_stage_is_named() -> None:
    report = monitor_form(
        form({"name": "巡查", "target": "≥1000次", "weight": "50"}, executed=None), month=6
    )
    codes = {f.code for f in report.findings}
    assert {"budget_missing", "progress_missing"} <= codes
    assert report.budget is None
    budget = next(f for f in report.findings if f.code == "budget_missing")
    assert "截至监控月执行数" in budget.message


def test_unit_mismatch_and_unreadable_progress() -> None:
    report = monitor_form(
        form({"name": "a", "target": "≥10次", "weight": "50", "progress": "3万元"}), month=6
    )
    assert "unit_mismatch" in {f.code for f in report.findings}
    report = monitor_form(
        form({"name": "a", "target": "明显改善", "weight": "50", "progress": "推进中"}), month=6
    )
    assert "progress_unreadable" in {f.code for f in report.findings}


def test_sentences_carry_the_numbers() -> None:
    report = monitor_form(EXAMPLE, month=7)
    assert report.budget is not None
    assert "250万元" in report.budget.sentence and "58.33%" in report.budget.sentence
    road = next(x for x in report.lights if x.name == "养护农村公路里程")
    assert "175公里" in road.sentence and "68.57%" in road.sentence and road.light == "yellow"
    assert road.causes == ("经费保障",) and road.likelihood == "有可能"
    assert report.project_light == "yellow" and "取最差" in report.project_sentence


def test_template_without_monitoring_is_a_finding_and_overrides_are_checked() -> None:
    data = form()
    data["template"] = "mof/evaluation-framework"
    report = monitor_form(data, month=6)
    assert [f.code for f in report.findings] == ["form_unreadable"]
    assert "monitoring" in report.findings[0].message
    with pytest.raises(BuildError, match="未知的检查项"):
        monitor_form(form(), month=6, disable=["cause_mising"])
    with pytest.raises(InputTypeError):
        monitor_form(form(), month=13)


def test_template_checks_and_overrides_change_severity() -> None:
    leaf = {"name": "巡查", "target": "≥1000次", "weight": "50", "progress": "100次"}
    report = monitor_form(
        form(leaf), month=6, severities={"cause_missing": "error"}, disable=["measures_missing"]
    )
    codes = {f.code: f.severity for f in report.findings}
    assert codes.get("cause_missing") == "error" and "measures_missing" not in codes


# ------------------------------------------------------------------ command line


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["monitor", *args])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_cli_exit_codes(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert run(capsys, str(EXAMPLE), "--month", "7")[0] == 0
    assert run(capsys, str(EXAMPLE), "--month", "7", "--fail-on", "warning")[0] == 1
    assert run(capsys, str(EXAMPLE), "--month", "7", "--fail-light", "yellow")[0] == 1
    assert run(capsys, str(EXAMPLE), "--month", "7", "--fail-light", "red")[0] == 0
    with pytest.raises(SystemExit) as exc:  # argparse's usage error, in Chinese
        main(["monitor", str(EXAMPLE), "--month", "13"])
    assert exc.value.code == 2 and "1–12" in capsys.readouterr().err
    code, _, err = run(capsys, str(EXAMPLE), "--month", "7", "--disable", "cause_mising")
    assert code == 2 and "cause_missing" in err
    empty = tmp_path / "empty"
    empty.mkdir()
    assert run(capsys, str(empty), "--month", "7")[0] == 2


def test_cli_outputs(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    folder = tmp_path / "forms"
    folder.mkdir()
    (folder / "a.yaml").write_text(EXAMPLE.read_text(encoding="utf-8"), encoding="utf-8")
    red = deepcopy(form({"name": "巡查", "target": "≥1000次", "weight": "50", "progress": "10次"}))
    red["unit"] = "红灯单位"
    (folder / "b.json").write_text(json.dumps(red, ensure_ascii=False), encoding="utf-8")
    out, book = tmp_path / "r.json", tmp_path / "r.xlsx"
    code, stdout, _ = run(
        capsys, str(folder), "--month", "6", "--format", "json", "-o", str(out), "--xlsx", str(book)
    )
    assert code == 0 and stdout == ""
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["summary"]["projects"]["red"] == 1
    assert data["forms"][0]["unit"] == "红灯单位"  # red first
    from openpyxl import load_workbook

    wb = load_workbook(book)
    summary = wb["汇总"]
    assert summary.cell(row=2, column=6).value == "红灯"
    assert summary.cell(row=2, column=6).fill.start_color.rgb.endswith("FF9999")
    code, text, _ = run(capsys, str(folder), "--month", "6")
    assert "汇总：共 2 个项目" in text and "红灯项目：红灯单位" in text
    code, md, _ = run(capsys, str(folder), "--month", "6", "--format", "markdown")
    assert md.startswith("# 绩效运行监控") and "| 偏差原因 |" in md


def test_cli_reads_json_lines(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    lines = tmp_path / "forms.jsonl"
    lines.write_text(json.dumps(form(), ensure_ascii=False) + "\n{not json\n", encoding="utf-8")
    code, text, _ = run(capsys, str(lines), "--month", "6")
    assert code == 1 and "form_unreadable" in text


def test_expected_annual_value_against_the_target() -> None:
    base = {"name": "巡查", "target": "≥1000次", "weight": "50", "progress": "500次"}
    assert "expected_short" not in {
        f.code for f in monitor_form(form(base | {"expected": "1000次"}), month=6).findings
    }
    short = monitor_form(form(base | {"expected": "999次"}), month=6).findings
    found = [f for f in short if f.code == "expected_short"]
    assert found and "999次" in found[0].message and "≥1000次" in found[0].message
    bad = monitor_form(form(base | {"expected": "很多"}), month=6).findings
    assert "expected_unreadable" in {f.code for f in bad}


def test_a_defect_on_one_form_does_not_stop_the_batch(monkeypatch: pytest.MonkeyPatch) -> None:
    import perfscore.review.monitor as mod
    from perfscore.read.sources import FormSource

    def boom(*args: Any, **kwargs: Any) -> Any:
        raise ZeroDivisionError("boom")

    monkeypatch.setattr(mod, "monitor_form", boom)
    report = mod.monitor_source(FormSource(file=str(EXAMPLE)), month=7)
    assert [f.code for f in report.findings] == ["form_unreadable"]
    assert "内部错误" in report.findings[0].message


def test_jobs_give_the_same_report(capsys: pytest.CaptureFixture[str]) -> None:
    folder = str(ROOT / "examples" / "variants")
    one = run(capsys, folder, "--month", "7", "--format", "json")
    two = run(capsys, folder, "--month", "7", "--format", "json", "--jobs", "2")
    assert one == two and one[0] == 0
