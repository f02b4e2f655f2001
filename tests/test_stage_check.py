"""``perfscore check`` runs monitoring and target-review examples, and catches wrong ones;
a template's own ``target_review:`` / ``monitoring:`` replaces the base's."""

from __future__ import annotations

from pathlib import Path

import pytest

from perfscore.cli import main
from perfscore.review.target_review import review_targets

VARIANT = """\
kind: template
id: test/strict-targets
extends: mof/project-self-evaluation
version: "1"
name: 测试模板
target_review:
  required: [数量指标]
  weights: none
  satisfaction: {groups: [服务对象满意度指标], floor: 90%}
  grades:
    - {name: 优, max_errors: 0, max_warnings: 0}
    - {name: 良, max_errors: 0, max_warnings: 1}
    - {name: 中, max_errors: 1}
    - {name: 差}
examples:
  - name: 满意度下限 90%，申报表不设分值
    form:
      indicators:
        产出指标:
          数量指标: [{name: 里程, target: ≥10公里, weight: 50}]
        效益指标:
          社会效益指标: [{name: 出行, target: 通行时间缩短, weight: 30}]
        满意度指标:
          服务对象满意度指标: [{name: 满意度, target: ≥89.9%, weight: 10}]
    expect:
      targets: {findings: [satisfaction_low, weight_unexpected], grade: 良}
  - name: 故意写错的灯
    form:
      budget: {unit: 万元, 全年预算数: 120, 截至监控月执行数: 60}
      indicators:
        产出指标:
          数量指标: [{name: 里程, target: ≥12公里, weight: 50, progress: 6公里}]
        效益指标:
          社会效益指标: [{name: 出行, target: 通行时间缩短, weight: 30, progress: 达成}]
        满意度指标:
          服务对象满意度指标: [{name: 满意度, target: ≥90%, weight: 10, progress: 95%}]
    expect:
      monitor: {month: 6, lights: {里程: red, 预算执行: green}, project: blue, absent: [cause_missing]}
  - name: 故意写错的审核结论
    form:
      indicators:
        产出指标:
          数量指标: [{name: 里程, target: ≥10公里, weight: 50}]
        效益指标:
          社会效益指标: [{name: 出行, target: 通行时间缩短, weight: 30}]
        满意度指标:
          服务对象满意度指标: [{name: 满意度, target: ≥95%, weight: 10}]
    expect:
      targets: {grade: 差, findings: [cost_as_minimum], absent: [weight_unexpected]}
"""


def test_check_runs_stage_examples_and_reports_mismatches(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "strict.yaml"
    path.write_text(VARIANT, encoding="utf-8")
    assert main(["check", str(path)]) == 1
    out = capsys.readouterr().out
    assert "✓ test/strict-targets › 满意度下限 90%，申报表不设分值" in out
    assert "✗ test/strict-targets › 故意写错的灯" in out
    assert "里程 的灯：预期 red，计算得 green" in out  # 6 of 6 due: 100%
    assert "项目灯：预期 blue，计算得 green" in out
    assert "审核结论：预期 差，计算得 优" in out or "审核结论：预期 差" in out
    assert "审核发现应有 cost_as_minimum" in out
    assert "审核发现不应有 weight_unexpected" in out


def test_a_template_file_given_on_the_command_line(tmp_path: Path) -> None:
    path = tmp_path / "strict.yaml"
    path.write_text(VARIANT, encoding="utf-8")
    data = {
        "kind": "form",
        "template": "mof/project-self-evaluation",
        "indicators": {
            "产出指标": {"数量指标": [{"name": "里程", "target": "≥10公里", "weight": "50"}]},
            "效益指标": {
                "社会效益指标": [{"name": "出行", "target": "通行时间缩短", "weight": "30"}]
            },
            "满意度指标": {
                "服务对象满意度指标": [{"name": "满意度", "target": "≥95%", "weight": "10"}]
            },
        },
    }
    report = review_targets(data, template=str(path))
    assert report.template == "test/strict-targets"
    assert {f.code for f in report.findings} == {"weight_unexpected"}
    assert report.grade == "优"  # weight_unexpected is info: it does not lower the grade
    # the base template's own rules for the same form: every second level is required there
    base = review_targets(data)
    assert "group_empty" in {f.code for f in base.findings} and base.grade == "退回修改"


BUDGET_PLAN = """\
kind: template
id: test/budget-plan
extends: mof/project-self-evaluation
version: "1"
name: 资金计划测试
monitoring:
  order: [red, yellow, green, blue]
  names: {red: 红灯, yellow: 黄灯, green: 绿灯, blue: 蓝灯}
  budget:
    title: 预算执行
    annual: 全年预算数
    executed: 截至监控月执行数
    schedule: {6: 20%, 12: 100%}
    lights:
      - {light: red, below: 60%}
      - {light: yellow, below: 80%}
      - {light: green}
  positive:
    - {light: red, below: 60%}
    - {light: yellow, below: 80%}
    - {light: green, below: 120%}
    - {light: blue}
  reverse:
    - {light: green, upto: 100%}
    - {light: red}
  zero: {met: green, missed: red}
  ratio_targets: annual
  qualitative: {未达成: red, 部分达成: yellow, 达成: green}
  not_due: green
  schedules:
    年底一次性: {12: 100%}
    按季度: {3: 25%, 6: 50%, 9: 75%, 12: 100%}
  project: worst
  explain: [red, yellow]
  causes: [经费保障, 制度保障, 人员保障, 硬件条件保障, 其他]
  likelihood: [确定能, 有可能, 完全不可能]
  impossible: [完全不可能]
"""


def test_a_budget_schedule_replaces_month_over_twelve(tmp_path: Path) -> None:
    from perfscore.review.monitor import monitor_form

    path = tmp_path / "plan.yaml"
    path.write_text(BUDGET_PLAN, encoding="utf-8")
    data = {
        "kind": "form",
        "template": "mof/project-self-evaluation",
        "budget": {"unit": "万元", "全年预算数": "1000", "截至监控月执行数": "160"},
        "indicators": {"产出指标": {"数量指标": [{"name": "a", "target": "≥1次", "weight": "50"}]}},
    }
    planned = monitor_form(data, month=6, template=str(path)).budget
    assert planned is not None and planned.light == "green"  # 16% ÷ 20% = 80%
    assert "按资金计划" in planned.sentence
    linear = monitor_form(data, month=6).budget
    assert linear is not None and linear.light == "red"  # 16% ÷ 50% = 32%
