"""``perfscore check``: the examples runner, its report, located errors and exit codes."""

from __future__ import annotations

import argparse
import textwrap
from pathlib import Path
from typing import Any

import pytest

import perfscore
from perfscore.cli import main
from perfscore.testing import examples as _check
from perfscore.testing.examples import ExampleOutcome, check_template, run_examples

ROOT = Path(__file__).resolve().parent.parent
INDICATORS = ROOT / "indicators"

# A small template with one open group; its examples are appended per test.
TEMPLATE = """\
# yaml-language-server: $schema=../schemas/template.schema.json
kind: template
id: test/check
name: 检查用模板
rules:
  正向: {kind: ratio, direction: positive}
  三档:
    kind: tiers
    tiers:
      - {name: 达成, range: "[80%, 100%]", words: [达成]}
      - {name: 未达成, range: "[0, 80%)", words: [未达成]}
defaults: {">=": 正向, 定性: 三档}
indicators:
  - {name: 产出指标, weight: 100, children: [{name: 数量指标, open: true}]}
examples:
"""

GOOD_EXAMPLE = """\
  - name: 完成八成
    form:
      indicators:
        产出指标:
          数量指标:
            - {name: 场次, target: ≥10次, actual: 8次, weight: 60}
            - {name: 成效, target: 达成, actual: 达成, weight: 40}
    expect:
      items: {场次: 48, 产出指标/数量指标/成效: 40}
      status: {场次: 部分达成}
      total: 88
      grade: 良
"""


def write(tmp_path: Path, examples: str, name: str = "t.yaml") -> Path:
    path = tmp_path / name
    path.write_text(TEMPLATE + examples, encoding="utf-8")
    return path


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["check", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def line_of(path: Path, needle: str) -> int:
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if needle in line:
            return number
    raise AssertionError(needle)


# ------------------------------------------------------------------ passing and failing


def test_passing_example_prints_a_tick_and_exits_0(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, str(write(tmp_path, GOOD_EXAMPLE)))
    assert code == 0
    assert "✓ test/check › 完成八成" in out
    assert "共 1 个模板，1 个样例：通过 1 个，失败 0 个。" in out


def test_wrong_expectation_fails_with_a_readable_diff(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    wrong = (
        GOOD_EXAMPLE.replace("场次: 48", "场次: 50")
        .replace("total: 88", "total: 90")
        .replace("grade: 良", "grade: 优")
        .replace("{场次: 部分达成}", "{场次: 达成}")
    )
    path = write(tmp_path, wrong)
    code, out, _ = run(capsys, str(path))
    assert code == 1
    header = f"✗ test/check › 完成八成（{path}:{line_of(path, '- name: 完成八成')}）"
    assert header in out
    assert "产出指标 › 数量指标 › 场次：预期 50，计算得 48" in out
    assert "总分：预期 90，计算得 88" in out
    assert "等级：预期 优，计算得 良" in out
    assert "产出指标 › 数量指标 › 场次 的状态：预期 达成，计算得 部分达成" in out
    assert "通过 0 个，失败 1 个" in out
    # the matching item is not reported
    assert "成效" not in out.split("总分")[0].split("场次")[0]


def test_unknown_indicator_in_expect_is_a_mismatch(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, str(write(tmp_path, GOOD_EXAMPLE.replace("场次: 48", "场次数: 48"))))
    assert code == 1
    assert "场次数：预期 48，计算得 （没有名为“场次数”的指标" in out
    assert "您是不是要找“场次”" in out


def test_expected_numbers_compare_by_value(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD_EXAMPLE.replace("场次: 48", "场次: 48.00").replace("88", "88.0"))
    [outcome] = check_template(perfscore.load_template(path))
    assert outcome.passed, outcome.report()


def test_unreadable_expected_number_is_located(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD_EXAMPLE.replace("total: 88", "total: 八十八"))
    # the schema already refuses it when the template is built
    with pytest.raises(perfscore.errors.ValidationErrors) as info:
        perfscore.load_template(path)
    assert info.value.errors[0].line == line_of(path, "total: 八十八")


# ------------------------------------------------------------------ invalid example forms


def test_invalid_example_form_gives_a_located_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = GOOD_EXAMPLE.replace("actual: 8次, weight: 60}", "actual: 8次}")
    path = write(tmp_path, bad)
    code, out, _ = run(capsys, str(path))
    assert code == 1
    assert "✗ test/check › 完成八成" in out
    assert "样例表单无法计分" in out
    assert f"{path}:{line_of(path, 'name: 场次')}:" in out
    assert "缺少分值（weight）" in out


def test_example_form_with_an_unknown_key_is_located(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(
        tmp_path,
        GOOD_EXAMPLE.replace("      indicators:", "      indicatorz: {}\n      indicators:"),
    )
    code, out, _ = run(capsys, str(path))
    assert code == 1
    assert f"{path}:{line_of(path, 'indicatorz')}:" in out


def test_example_form_must_not_name_a_template(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path, GOOD_EXAMPLE.replace("    form:\n", "    form:\n      template: x\n"))
    code, out, _ = run(capsys, str(path))
    assert code == 1
    assert "样例表单不写 template" in out
    assert f"{path}:{line_of(path, 'template: x')}" in out


# ------------------------------------------------------------------ expected errors


REFUSED = """\
  - name: 分值不足被拒绝
    form:
      indicators:
        产出指标:
          数量指标:
            - {name: 场次, target: ≥10次, actual: 8次, weight: 60}
    expect:
      error: 应等于 100
"""


def test_expected_error_passes_when_refused_with_that_text(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, str(write(tmp_path, REFUSED)))
    assert code == 0
    assert "✓ test/check › 分值不足被拒绝" in out


def test_expected_error_with_other_text_fails(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, str(write(tmp_path, REFUSED.replace("应等于 100", "单位不一致"))))
    assert code == 1
    assert "错误信息：预期 含“单位不一致”，计算得" in out
    assert "应等于 100" in out


def test_expected_error_fails_when_the_form_scores(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    accepted = REFUSED.replace("weight: 60}", "weight: 100}")
    code, out, _ = run(capsys, str(write(tmp_path, accepted)))
    assert code == 1
    assert "结果：预期 被拒绝（错误信息含“应等于 100”），计算得 计分成功，总分 80" in out


# ------------------------------------------------------------------ paths, ids, exit codes


def test_shipped_directory_passes(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, str(INDICATORS))
    assert code == 0, out
    assert "✓ mof/project-self-evaluation › 全部达成得满分" in out
    assert "✗" not in out
    assert "失败 0 个" in out


def test_template_id_is_looked_up(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "variants/grades-80-70-60")
    assert code == 0
    assert "✓ variants/grades-80-70-60 › 总分 75 为良（财政部默认为中）" in out


@pytest.mark.parametrize("target", ["no/such-template", "没有这个文件.yaml"])
def test_unknown_template_is_a_usage_error(capsys: pytest.CaptureFixture[str], target: str) -> None:
    code, _, err = run(capsys, target)
    assert code == 2
    assert "perfscore check" in err


def test_form_named_explicitly_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    form = ROOT / "examples" / "yueyanglou-2023" / "unit-self-evaluation.yaml"
    code, _, err = run(capsys, str(form))
    assert code == 2
    assert "不是模板文件" in err


def test_directory_without_templates_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(capsys, str(tmp_path))[0] == 2
    (tmp_path / "form.yaml").write_text("kind: form\ntemplate: x\nindicators: {}\n", "utf-8")
    code, _, err = run(capsys, str(tmp_path))
    assert code == 2
    assert "没有找到模板文件" in err


def test_forms_in_a_directory_are_skipped(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(tmp_path, GOOD_EXAMPLE)
    (tmp_path / "form.yaml").write_text("kind: form\ntemplate: x\nindicators: {}\n", "utf-8")
    code, out, _ = run(capsys, str(tmp_path))
    assert code == 0
    assert "共 1 个模板" in out


def test_no_paths_is_a_usage_error() -> None:
    assert run_examples(argparse.Namespace(paths=[], templates=None)) == 2
    with pytest.raises(SystemExit) as info:
        main(["check"])
    assert info.value.code == 2


def test_unreadable_template_file_fails_with_its_location(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text("kind: template\nid: x\n  name: [\n", encoding="utf-8")
    code, out, _ = run(capsys, str(path))
    assert code == 1
    assert f"✗ {path}：无法读取" in out
    assert f"{path}:3" in out


def test_invalid_template_fails_with_its_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "t.yaml"
    path.write_text(TEMPLATE.replace("weight: 100,", "weight: 90,") + GOOD_EXAMPLE, "utf-8")
    code, out, _ = run(capsys, str(path))
    assert code == 1
    assert f"✗ {path}：模板未通过校验" in out
    assert "应等于总分 100" in out


def test_template_without_examples_is_reported_not_failed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "t.yaml"
    path.write_text(TEMPLATE.replace("examples:\n", ""), encoding="utf-8")
    code, out, _ = run(capsys, str(path))
    assert code == 0
    assert "- test/check：没有样例（examples）" in out


def test_directory_templates_extend_each_other_by_id(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "test").mkdir()
    write(tmp_path / "test", GOOD_EXAMPLE, name="check.yaml")
    variant = """\
kind: template
id: test/strict
extends: test/check
grades: [{name: 合格, min: 90}, {name: 不合格, min: 0}]
examples:
""" + GOOD_EXAMPLE.replace("grade: 良", "grade: 不合格")
    (tmp_path / "test" / "strict.yaml").write_text(variant, encoding="utf-8")
    code, out, _ = run(capsys, str(tmp_path))
    assert code == 0, out
    assert "✓ test/strict › 完成八成" in out
    assert "共 2 个模板，2 个样例" in out


# ------------------------------------------------------------------ the library function


def test_check_template_returns_outcomes(tmp_path: Path) -> None:
    template = perfscore.load_template(write(tmp_path, GOOD_EXAMPLE + REFUSED))
    outcomes = check_template(template)
    assert [o.name for o in outcomes] == ["完成八成", "分值不足被拒绝"]
    assert all(isinstance(o, ExampleOutcome) and o.passed for o in outcomes)
    assert outcomes[0].report() == "✓ test/check › 完成八成"


def test_check_template_without_a_file_has_no_positions() -> None:
    import yaml

    data: dict[str, Any] = yaml.safe_load(TEMPLATE + GOOD_EXAMPLE.replace("total: 88", "total: 87"))
    data["examples"][0]["expect"]["total"] = "87"
    data["examples"][0]["expect"]["items"] = {"场次": "48"}
    data["examples"][0]["form"]["indicators"]["产出指标"]["数量指标"] = [
        {"name": "场次", "target": "≥10次", "actual": "8次", "weight": "60"},
        {"name": "成效", "target": "达成", "actual": "达成", "weight": "40"},
    ]
    [outcome] = check_template(perfscore.load_template(data))
    assert not outcome.passed
    assert outcome.line is None
    assert "总分：预期 87，计算得 88" in outcome.report()


def test_engine_bugs_never_escape(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(*_args: Any, **_kwargs: Any) -> Any:
        raise RuntimeError("boom")

    monkeypatch.setattr(_check, "evaluate", boom)
    [outcome] = check_template(perfscore.load_template(write(tmp_path, GOOD_EXAMPLE)))
    assert not outcome.passed
    assert "内部错误" in outcome.report()
    assert "RuntimeError: boom" in outcome.report()


def test_runner_never_raises_on_unexpected_errors(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def boom(*_args: Any, **_kwargs: Any) -> Any:
        raise RuntimeError("boom")

    monkeypatch.setattr(_check, "check_template", boom)
    code = run_examples(
        argparse.Namespace(paths=[str(write(tmp_path, GOOD_EXAMPLE))], templates=None)
    )
    assert code == 1
    assert "内部错误" in capsys.readouterr().out


def test_report_lists_errors_under_the_header() -> None:
    err = perfscore.errors.EvaluationError("缺少评分", file="t.yaml", line=3)
    outcome = ExampleOutcome(
        template="a", name="b", passed=False, errors=(err,), file="t.yaml", line=2
    )
    assert outcome.report() == textwrap.dedent(
        """\
        ✗ a › b（t.yaml:2）
            计分错误：t.yaml:3: 缺少评分"""
    )


def test_example_without_expectations_fails(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    empty = GOOD_EXAMPLE.split("    expect:", maxsplit=1)[0] + "    expect: {}\n"
    code, out, _ = run(capsys, str(write(tmp_path, empty)))
    assert code == 1
    assert "样例没有写任何预期结果" in out


def test_a_file_named_twice_runs_once(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, GOOD_EXAMPLE)
    code, out, _ = run(capsys, str(path), str(tmp_path))
    assert code == 0
    assert out.count("✓ test/check › 完成八成") == 1


def test_expected_flags_are_checked(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    over = GOOD_EXAMPLE.replace("actual: 8次", "actual: 13次").replace(
        "      items: {场次: 48, 产出指标/数量指标/成效: 40}\n", ""
    )
    over = over.replace("status: {场次: 部分达成}", "flags: {场次: [over_achievement]}")
    over = over.replace("total: 88", "total: 100").replace("grade: 良", "grade: 优")
    code, out, _ = run(capsys, str(write(tmp_path, over)))
    assert code == 0, out
    code, out, _ = run(capsys, str(write(tmp_path, over.replace("13次", "11次"))))
    assert code == 1
    assert "产出指标 › 数量指标 › 场次 的提示：预期 over_achievement，计算得 （无）" in out


def test_kind_form_is_tolerated_in_an_example(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD_EXAMPLE.replace("    form:\n", "    form:\n      kind: form\n"))
    [outcome] = check_template(perfscore.load_template(path))
    assert outcome.passed, outcome.report()
