"""Units and semantics: incomparable units, weights that do not add up, indicators the template
does not allow, template indicators the form leaves out.

Decisions (also in README-guarantees): a fixed template leaf missing from the form is scored by
the template's ``missing`` policy (zero / error / not_applicable); an open group may have no
leaves, but a fixed weight above it must still add up; a bare number in the form takes the
target's unit (flag ``unit_inherited``), so ``0.95`` against ``≥90%`` reads as 0.95%.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

import perfscore
from perfscore.errors import BuildError, EvaluationError, SchemaError, TargetSyntaxError, UnitError

from ._support import Case, check_case, ids

TEMPLATE = """\
kind: template
id: test/rich
name: 语义测试模板
total: 100
missing: zero
inputs:
  编制数: {unit: 人}
  实际在职人数: {unit: 人}
computed:
  在职人员控制率: {formula: 实际在职人数 / 编制数, unit: "%"}
rules:
  执行率: {kind: execution_rate}
  正向: {kind: ratio, direction: positive}
  反向: {kind: ratio, direction: reverse}
  等值: {kind: ratio, direction: equal}
  扣分: {kind: deduction, limit: 100%, step: 1%, points: 1}
  人工: {kind: manual}
  清单: {kind: checklist, items: [制度健全, 台账完整], points: 5}
  三档:
    kind: tiers
    tiers:
      - {name: 达成, range: "[80%, 100%]", words: [达成]}
      - {name: 未达成, range: "[0, 80%)", words: [未达成]}
defaults: {">=": 正向, ">": 正向, "<=": 反向, "<": 反向, "=": 等值, range: 正向, 定性: 三档}
indicators:
  - {name: 预算执行率, weight: 10, rule: 执行率}
  - {name: 在职人员控制率, weight: 10, actual_from: 在职人员控制率, target: ≤100%, rule: 反向}
  - name: 产出指标
    weight: 50
    children:
      - {name: 数量指标, open: true}
      - {name: 质量指标, open: true}
  - name: 效益指标
    weight: 30
    children:
      - {name: 社会效益指标, aliases: [社会效益], open: true}
      - {name: 生态效益指标, open: true}
"""

FORM = """\
kind: form
template: template.yaml
budget: {unit: 万元, 全年预算数: 100, 全年执行数: 90}
inputs: {编制数: 10, 实际在职人数: 9}
indicators:
  预算执行率: {reported: 9}
  产出指标:
    数量指标:
      - {name: 场次, target: ≥10次, actual: 12次, weight: 30}
    质量指标:
      - {name: 合格率, target: ≥90%, actual: 95%, weight: 20}
  效益指标:
    社会效益指标:
      - {name: 群众满意度, target: ≥90%, actual: 92%, weight: 30}
"""

LEAF_A = "{name: 场次, target: ≥10次, actual: 12次, weight: 30}"
LEAF_B = "{name: 合格率, target: ≥90%, actual: 95%, weight: 20}"
PATH_A = ("产出指标", "数量指标", "场次")


def _replace(text: str, old: str, new: str) -> str:
    assert old in text, old
    return text.replace(old, new, 1)


def form_case(
    id: str,
    old: str,
    new: str,
    error: type,
    *,
    line: str | int | None = None,
    path: tuple[str, ...] | None = None,
    message: str | None = None,
    template: str = TEMPLATE,
) -> Case:
    form = _replace(FORM, old, new)
    return Case(
        id=id,
        error=error,
        files={"template.yaml": template, "form.yaml": form},
        line=line if line is not None else new.strip().splitlines()[0].strip(),
        path=path,
        message=message,
    )


def leaf_case(id: str, new: str, error: type, message: str | None = None, **kw: object) -> Case:
    kw.setdefault("path", PATH_A)
    return form_case(id, LEAF_A, new, error, message=message, **kw)  # type: ignore[arg-type]


def template_case(
    id: str, old: str, new: str, error: type, message: str | None = None, **kw: object
) -> Case:
    text = _replace(TEMPLATE, old, new)
    return Case(
        id=id,
        error=error,
        files={"template.yaml": text},
        entry="template.yaml",
        action="template",
        line=kw.pop("line", new.strip().splitlines()[0].strip()),  # type: ignore[arg-type]
        message=message,
        **kw,  # type: ignore[arg-type]
    )


MISSING_ERROR = _replace(TEMPLATE, "missing: zero", "missing: error")

SEMANTIC_CASES: list[Case] = [
    # ------------------------------------------------------------- units
    leaf_case(
        "yuan-against-times",
        "{name: 场次, target: ≥10次, actual: 12元, weight: 30}",
        UnitError,
        "“元”与“次”不能比较",
    ),
    leaf_case(
        "percent-against-times",
        "{name: 场次, target: ≥10次, actual: 95%, weight: 30}",
        UnitError,
        "“%”与“次”不能比较",
    ),
    leaf_case(
        "times-against-wan-yuan",
        "{name: 场次, target: ≥10万元, actual: 12次, weight: 30}",
        UnitError,
    ),
    leaf_case(
        "days-against-people", "{name: 场次, target: ≤30天, actual: 12人, weight: 30}", UnitError
    ),
    leaf_case(
        "area-against-length",
        "{name: 场次, target: ≥10平方米, actual: 12米, weight: 30}",
        UnitError,
    ),
    leaf_case(
        "unknown-unit",
        "{name: 场次, target: ≥10斤两, actual: 12次, weight: 30}",
        TargetSyntaxError,
        "单位",
    ),
    leaf_case(
        "structured-target-unknown-unit",
        '{name: 场次, target: {op: ">=", value: "10", unit: 斤两}, actual: 12次, weight: 30}',
        TargetSyntaxError,
    ),
    form_case(
        "input-wrong-unit",
        "编制数: 10",
        "编制数: 10元",
        UnitError,
        line="inputs:",
        path=("编制数",),
        message="不一致",
    ),
    form_case(
        "budget-unit-unknown",
        "budget: {unit: 万元",
        "budget: {unit: 美金",
        SchemaError,
        line="budget:",
        message="“unit”取值无效",
    ),
    template_case(
        "template-input-unknown-unit",
        "编制数: {unit: 人}",
        "编制数: {unit: 个数人}",
        BuildError,
        "无法识别的单位",
    ),
    leaf_case(
        "deduction-unit-mismatch",
        "{name: 场次, target: ≤10次, actual: 12次, weight: 30, rule: 扣分}",
        EvaluationError,
        "单位不一致",
    ),
    # ------------------------------------------------------------- weights off by 0.001
    leaf_case(
        "open-leaves-sum-off",
        "{name: 场次, target: ≥10次, actual: 12次, weight: 29.999}",
        BuildError,
        "之和为 49.999",
        line="产出指标:",
        path=("产出指标",),
    ),
    form_case(
        "fixed-leaf-weight-off",
        "预算执行率: {reported: 9}",
        "预算执行率: {reported: 9, weight: 10.001}",
        BuildError,
        path=("预算执行率",),
        message="与模板规定的 10 不一致",
    ),
    template_case(
        "template-children-off",
        "      - {name: 数量指标, open: true}\n      - {name: 质量指标, open: true}",
        "      - {name: 数量指标, open: true, weight: 25}\n"
        "      - {name: 质量指标, open: true, weight: 25.001}",
        BuildError,
        "之和为 50.001",
        line="    weight: 50",
        path=("产出指标",),
    ),
    template_case(
        "template-some-children-over",
        "      - {name: 数量指标, open: true}",
        "      - {name: 数量指标, open: true, weight: 50.001}",
        BuildError,
        "超过本级分值 50",
        line="    weight: 50",
        path=("产出指标",),
    ),
    template_case(
        "template-top-off",
        "{name: 预算执行率, weight: 10,",
        "{name: 预算执行率, weight: 9.999,",
        BuildError,
        "之和为 99.999",
        line="  - {name: 预算执行率",
    ),
    # ------------------------------------------------------------- not allowed by the template
    form_case(
        "unknown-group",
        "  效益指标:",
        "  效益指标2:",
        BuildError,
        path=("效益指标2",),
        message="您是不是要写“效益指标”",
    ),
    form_case(
        "unknown-subgroup",
        "    数量指标:",
        "    数量:",
        BuildError,
        path=("产出指标", "数量"),
        message="模板中没有指标“数量”",
    ),
    form_case(
        "leaves-under-fixed-group",
        "    社会效益指标:\n      - ",
        "    - ",
        BuildError,
        line="    - {name: 群众满意度",
        path=("效益指标",),
        message="按下级指标名称分组",
    ),
    form_case(
        "open-group-given-mapping",
        "    质量指标:\n      - " + LEAF_B,
        "    质量指标: " + LEAF_B,
        BuildError,
        path=("产出指标", "质量指标"),
        message="列表",
    ),
    form_case(
        "duplicate-leaf-name",
        LEAF_A,
        "{name: 场次, target: ≥10次, actual: 12次, weight: 15}\n"
        "      - {name: 场次, target: ≥10次, actual: 12次, weight: 15}",
        BuildError,
        line=10,
        path=PATH_A,
        message="重复",
    ),
    form_case(
        "alias-and-name-both",
        "    社会效益指标:",
        "    社会效益: []\n    社会效益指标:",
        BuildError,
        line="    社会效益指标:",
        path=("效益指标", "社会效益指标"),
        message="填写了两次",
    ),
    form_case(
        "undeclared-input",
        "inputs: {编制数: 10,",
        "inputs: {编外人数: 3, 编制数: 10,",
        BuildError,
        line="inputs:",
        message="模板未声明输入项",
    ),
    form_case(
        "override-fixed-target",
        "预算执行率: {reported: 9}",
        "预算执行率: {reported: 9}\n  在职人员控制率: {target: ≤120%}",
        BuildError,
        line="在职人员控制率: {target",
        path=("在职人员控制率",),
        message="不能修改",
    ),
    leaf_case(
        "leaf-without-weight", "{name: 场次, target: ≥10次, actual: 12次}", BuildError, "缺少分值"
    ),
    leaf_case(
        "leaf-without-target-or-rule",
        "{name: 场次, actual: 12次, weight: 30}",
        BuildError,
        "既没有指标值",
    ),
    leaf_case(
        "unknown-rule",
        "{name: 场次, target: ≥10次, actual: 12次, weight: 30, rule: 正相}",
        BuildError,
        "您是不是要写“正向”",
    ),
    leaf_case(
        "unknown-leaf-key",
        "{name: 场次, target: ≥10次, actual: 12次, weight: 30, wieght: 1}",
        SchemaError,
        "wieght",
    ),
    # ------------------------------------------------------------- missing from the form
    form_case(
        "missing-actual-error-policy",
        LEAF_A,
        "{name: 场次, target: ≥10次, weight: 30}",
        EvaluationError,
        path=PATH_A,
        message="缺少实际完成值",
        template=MISSING_ERROR,
    ),
    form_case(
        "missing-input-error-policy",
        "inputs: {编制数: 10, 实际在职人数: 9}",
        "inputs: {编制数: 10}",
        EvaluationError,
        line="  预算执行率:",
        path=("在职人员控制率",),
        message="实际在职人数",
        template=MISSING_ERROR,
    ),
    form_case(
        "missing-budget-for-execution-rate",
        "budget: {unit: 万元, 全年预算数: 100, 全年执行数: 90}",
        "budget: {unit: 万元, 全年预算数: 100}",
        EvaluationError,
        line="预算执行率:",
        path=("预算执行率",),
        message="全年执行数",
    ),
    form_case(
        "zero-budget-for-execution-rate",
        "全年预算数: 100",
        "全年预算数: 0",
        EvaluationError,
        line="预算执行率:",
        path=("预算执行率",),
        message="无法计算执行率",
    ),
    form_case(
        "open-group-empty-fixed-weight",
        "  效益指标:\n    社会效益指标:\n      - "
        "{name: 群众满意度, target: ≥90%, actual: 92%, weight: 30}\n",
        "  效益指标: {}\n",
        BuildError,
        line="  效益指标: {}",
        path=("效益指标",),
        message="应等于 30",
    ),
    # ------------------------------------------------------------- stated values outside the rule
    leaf_case(
        "unknown-tier",
        "{name: 场次, target: 达成, actual: 达成, weight: 30, tier: 优秀}",
        EvaluationError,
        "不在模板规定的档次中",
    ),
    leaf_case(
        "unmatched-tier-word",
        "{name: 场次, target: 达成, actual: 还行吧, weight: 30}",
        EvaluationError,
        "无法从完成情况",
    ),
    leaf_case(
        "manual-score-over-weight",
        "{name: 场次, rule: 人工, score: 31, weight: 30}",
        EvaluationError,
        "不在允许范围",
    ),
    leaf_case(
        "manual-score-missing", "{name: 场次, rule: 人工, weight: 30}", EvaluationError, "缺少评分"
    ),
    leaf_case(
        "checklist-unknown-item",
        "{name: 场次, rule: 清单, actual: [制度健全, 领导重视], weight: 30}",
        EvaluationError,
        "不是检查清单中的项目",
    ),
]


@pytest.mark.parametrize("case", SEMANTIC_CASES, ids=ids(SEMANTIC_CASES))
def test_semantic_case(case: Case, tmp_path: Path) -> None:
    check_case(case, tmp_path)


# ----------------------------------------------------------------- decided behaviours


def _score(tmp_path: Path, form: str, template: str = TEMPLATE) -> perfscore.Evaluation:
    (tmp_path / "template.yaml").write_text(template, encoding="utf-8")
    (tmp_path / "form.yaml").write_text(form, encoding="utf-8")
    return perfscore.score(tmp_path / "form.yaml")


def test_fixed_leaf_missing_from_form_scores_by_missing_policy(tmp_path: Path) -> None:
    """预算执行率 left out: scored from the budget anyway (it needs no actual). 在职人员控制率
    without its inputs: policy ``zero`` gives 0 with status 缺失 and a located finding."""
    form = _replace(FORM, "inputs: {编制数: 10, 实际在职人数: 9}\n", "")
    form = _replace(form, "  预算执行率: {reported: 9}\n", "")
    result = _score(tmp_path, form)
    control = result.find("在职人员控制率")
    assert (control.score, control.status) == (Decimal("0.00"), "缺失")  # type: ignore[union-attr]
    found = [f for f in result.findings if f.path == ("在职人员控制率",)]
    assert found
    assert found[0].code == "missing_actual"
    assert result.find("预算执行率").score == Decimal("9.00")


def test_missing_policy_not_applicable_rescales(tmp_path: Path) -> None:
    template = _replace(TEMPLATE, "missing: zero", "missing: not_applicable")
    form = _replace(FORM, "inputs: {编制数: 10, 实际在职人数: 9}\n", "")
    result = _score(tmp_path, form, template)
    assert result.find("在职人员控制率").status == "不适用"  # type: ignore[union-attr]
    assert result.not_applicable_weight == Decimal(10)


def test_open_group_without_leaves_is_allowed_when_weights_add_up(tmp_path: Path) -> None:
    """生态效益指标 (open) has no leaves; 效益指标's 30 is made up by 社会效益指标 alone."""
    result = _score(tmp_path, FORM)
    assert result.find("生态效益指标").score == 0
    assert result.find("效益指标").weight == Decimal(30)


def test_bare_number_takes_the_target_unit_and_is_flagged(tmp_path: Path) -> None:
    """Percent against a plain number: ``95`` reads as 95% and ``0.95`` as 0.95% (flagged)."""
    for actual, score in (("95", Decimal("20.00")), ("0.95", Decimal("0.21"))):
        result = _score(tmp_path, _replace(FORM, "actual: 95%", f"actual: {actual}"))
        item = result.find("合格率")
        assert item.score == score  # type: ignore[union-attr]
        assert "unit_inherited" in item.flags  # type: ignore[union-attr]


def test_wan_yuan_and_yuan_compare_exactly(tmp_path: Path) -> None:
    form = _replace(FORM, LEAF_A, "{name: 场次, target: ≥10万元, actual: 100000元, weight: 30}")
    assert _score(tmp_path, form).find("场次").score == Decimal("30.00")
