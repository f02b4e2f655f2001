"""Hostile formulas: code execution attempts, resource bombs, undeclared names and cycles.

Each is refused when the template is built (FormulaError/BuildError at the formula's line,
naming the computed value) or, when only the data makes it fail (a zero divisor), reported as
a located FormulaError when the form is scored. Nothing hangs: the suite-wide 60 s timeout is
the guard, and no case needs more than a fraction of a second.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import perfscore
from perfscore.errors import BuildError, EvaluationError, FormulaError, SchemaError

from ._support import Case, check_case, ids

COMPUTED_LINE = "  在职人员控制率: {formula: "
RULE_LINE = "  公式: {kind: formula, formula: "

TEMPLATE = """\
kind: template
id: test/formula
name: 公式测试模板
total: 100
missing: error
inputs:
  编制数: {unit: 人}
  实际在职人数: {unit: 人}
computed:
  在职人员控制率: {formula: 实际在职人数 / 编制数, unit: "%"}
rules:
  反向: {kind: ratio, direction: reverse}
  公式: {kind: formula, formula: "min(actual / target, 1) * weight"}
indicators:
  - {name: 在职人员控制率, weight: 60, actual_from: 在职人员控制率, target: ≤100%, rule: 反向}
  - {name: 其他, open: true}
"""

FORM = """\
kind: form
template: template.yaml
inputs: {编制数: 10, 实际在职人数: 9}
indicators:
  其他:
    - {name: 公式项, target: ≥10次, actual: 8次, weight: 40, rule: 公式}
"""


def _quoted(formula: str) -> str:
    return json.dumps(formula, ensure_ascii=False)  # a JSON string is a YAML double-quoted one


def computed(formula: str, extra: str = "") -> str:
    line = f'{COMPUTED_LINE}{_quoted(formula)}, unit: "%"}}\n'
    return TEMPLATE.replace(
        '  在职人员控制率: {formula: 实际在职人数 / 编制数, unit: "%"}\n', line + extra
    )


def rule(formula: str) -> str:
    return TEMPLATE.replace(
        '  公式: {kind: formula, formula: "min(actual / target, 1) * weight"}\n',
        f"{RULE_LINE}{_quoted(formula)}}}\n",
    )


def build_case(
    id: str,
    formula: str,
    error: type = FormulaError,
    message: str | None = None,
    *,
    where: str = "computed",
    path: tuple[str, ...] | None = None,
) -> Case:
    text = computed(formula) if where == "computed" else rule(formula)
    marker = COMPUTED_LINE if where == "computed" else RULE_LINE
    return Case(
        id=id,
        error=error,
        files={"template.yaml": text},
        entry="template.yaml",
        action="template",
        line=marker,
        path=path if path is not None else ("在职人员控制率",) if where == "computed" else (),
        message=message,
    )


def cycle_case(id: str, formula: str, extra: str, message: str) -> Case:
    return Case(
        id=id,
        error=BuildError,
        files={"template.yaml": computed(formula, extra)},
        entry="template.yaml",
        action="template",
        line=COMPUTED_LINE,
        path=("在职人员控制率",),
        message=message,
    )


def eval_case(
    id: str,
    error: type,
    *,
    template: str = TEMPLATE,
    form: str = FORM,
    file: str,
    line: str,
    path: tuple[str, ...],
    message: str | None = None,
) -> Case:
    return Case(
        id=id,
        error=error,
        files={"template.yaml": template, "form.yaml": form},
        file=file,
        line=line,
        path=path,
        message=message,
    )


FORMULA_CASES: list[Case] = [
    # ------------------------------------------------------------- code, not arithmetic
    build_case("attribute", "编制数.real", message="属性访问"),
    build_case("dunder-class-mro", "编制数.__class__.__mro__", message="属性访问"),
    build_case("empty-tuple-class", "().__class__", message="属性访问"),
    build_case("dunder-import", "__import__('os').system('id')", message="属性访问"),
    build_case("dunder-import-call", "__import__('os')", message="不允许调用“__import__”"),
    build_case("dunder-name", "__builtins__", message="未声明"),
    build_case("import-statement", "import os", message="语法错误"),
    build_case("exec-call", "exec('1')", message="不允许调用"),
    build_case("eval-call", "eval('1')", message="不允许调用"),
    build_case("open-call", "open('/etc/passwd')", message="不允许调用"),
    build_case("getattr-call", "getattr(编制数, 'real')", message="不允许调用"),
    build_case("lambda", "(lambda: 1)()", message="lambda"),
    build_case("lambda-bare", "lambda x: x", message="lambda"),
    build_case("list-comprehension", "[x for x in (1, 2)]", message="推导式"),
    build_case("generator", "max(x for x in (1, 2))", message="推导式"),
    # braces name a value ({2023年决算数}), so this is an undeclared name, not a comprehension
    build_case("dict-comprehension", "{x: x for x in (1, 2)}", message="未声明"),
    build_case("generator-argument", "max((x for x in (1, 2)), 1)", message="推导式"),
    build_case("walrus", "(x := 1)", message="赋值"),
    build_case("subscript", "编制数[0]", message="下标"),
    build_case("string-literal", "'abc'", message="数字常量"),
    build_case("f-string", "f'{编制数}'", message="字符串"),
    build_case("bytes-literal", "b'x'", message="数字常量"),
    build_case("true-literal", "True", message="数字常量"),
    build_case("none-literal", "None", message="数字常量"),
    build_case("complex-literal", "1j * 编制数", message="数字常量"),
    build_case("call-of-call", "min(1, 2)(3)", message="只能直接调用函数名"),
    build_case("keyword-argument", "round(编制数, places=2)", message="关键字参数"),
    build_case("starred", "max(*编制数)"),
    build_case("semicolon", "1; 2", message="语法错误"),
    build_case("newline", "1\n+ 2", message="语法错误"),
    build_case("empty", "", SchemaError, "不能为空", path=()),
    build_case("blank", "   ", message="公式为空"),
    # ------------------------------------------------------------- resource bombs
    build_case("power-tower", "9**9**9", message="乘方"),
    build_case("power", "编制数 ** 2", message="乘方"),
    build_case("deep-parentheses", "(" * 100 + "1" + ")" * 100, message="嵌套过深"),
    build_case("unbalanced-parentheses", "(" * 1000, message="嵌套过深"),
    build_case("deep-calls", "abs(" * 60 + "1" + ")" * 60, message="嵌套过深"),
    build_case("deep-unary", "-" * 1990 + "1", message="过于复杂"),
    build_case("deep-not", "not " * 450 + "1", message="过于复杂"),
    build_case("long-sum", "+".join(["编制数"] * 400), message="过于复杂"),
    build_case("length-10000", "1+" * 5000, message="过长"),
    build_case("length-2001", "1" + " " * 2000, message="过长"),
    build_case("many-nodes", "+".join(["1"] * 600), message="过于复杂"),
    build_case("exponent-literal", "1e999999999 * 编制数", message="无法识别的数字"),
    build_case("tiny-exponent-literal", "1e-999999999", message="无法识别的数字"),
    build_case("41-digit-literal", "1" * 41 + " * 编制数", message="无法识别的数字"),
    build_case("hex-literal", "0x10 * 编制数", message="无法识别的数字"),
    build_case("round-huge-places", "round(编制数, 1000000000)", message="小数位数"),
    build_case("round-fraction-places", "round(编制数, 2.5)", message="小数位数"),
    # ------------------------------------------------------------- functions and names
    build_case("unknown-function", "sum(编制数)", message="不允许调用"),
    build_case("min-no-arguments", "min()", message="需要 2 到 64 个参数"),
    build_case("min-one-argument", "min(编制数)", message="需要 2 到 64 个参数"),
    build_case("abs-two-arguments", "abs(编制数, 1)", message="需要 1 个参数"),
    build_case("clamp-one-argument", "clamp(编制数)", message="需要 3 个参数"),
    build_case("undeclared-name", "编制人数 / 编制数", message="未声明"),
    build_case("undeclared-braced", "{2023年决算数} / 编制数", message="未声明"),
    build_case("indicator-name-not-a-value", "其他 / 编制数", message="未声明"),
    build_case("rule-variable-in-computed", "actual / 编制数", message="未声明"),
    # ------------------------------------------------------------- self reference and cycles
    build_case("self-reference", "在职人员控制率 + 1", BuildError, "引用了它自己"),
    build_case("self-reference-braced", "{在职人员控制率} * 1", BuildError, "引用了它自己"),
    cycle_case("cycle-of-two", "甲 + 1", "  甲: {formula: 在职人员控制率 * 2}\n", "循环引用"),
    cycle_case(
        "cycle-of-three",
        "甲 + 1",
        "  甲: {formula: 乙 * 2}\n  乙: {formula: 在职人员控制率 - 编制数}\n",
        "循环引用",
    ),
    # ------------------------------------------------------------- formulas in rules
    build_case("rule-attribute", "actual.__class__", where="rule", message="属性访问"),
    build_case("rule-undeclared", "actual / goal", where="rule", message="未声明"),
    build_case("rule-power", "weight ** 99", where="rule", message="乘方"),
    build_case("rule-lambda", "(lambda: weight)()", where="rule", message="lambda"),
    # ------------------------------------------------------------- failing only on the data
    eval_case(
        "division-by-zero-input",
        FormulaError,
        form=FORM.replace("编制数: 10", "编制数: 0"),
        file="template.yaml",
        line=COMPUTED_LINE,
        path=("在职人员控制率",),
        message="除数为 0",
    ),
    eval_case(
        "division-by-zero-in-rule",
        FormulaError,
        template=rule("actual / (target - target)"),
        file="form.yaml",
        line="{name: 公式项",
        path=("其他", "公式项"),
        message="除数为 0",
    ),
    eval_case(
        "round-places-from-data",
        FormulaError,
        template=computed("round(编制数, 实际在职人数)"),
        form=FORM.replace("实际在职人数: 9", "实际在职人数: 1000000000"),
        file="template.yaml",
        line=COMPUTED_LINE,
        path=("在职人员控制率",),
        message="小数位数",
    ),
    eval_case(
        "rule-formula-without-actual",
        EvaluationError,
        form=FORM.replace("actual: 8次, ", ""),
        file="form.yaml",
        line="{name: 公式项",
        path=("其他", "公式项"),
        message="没有数值",
    ),
]


@pytest.mark.parametrize("case", FORMULA_CASES, ids=ids(FORMULA_CASES))
def test_formula_case(case: Case, tmp_path: Path) -> None:
    check_case(case, tmp_path)


def test_chinese_operators_are_arithmetic(tmp_path: Path) -> None:
    """× ÷ （） are the operators they look like; the same score as * / ()."""
    scores = []
    for formula in ("（实际在职人数 ÷ 编制数）× 1", "(实际在职人数 / 编制数) * 1"):
        (tmp_path / "template.yaml").write_text(computed(formula), encoding="utf-8")
        (tmp_path / "form.yaml").write_text(FORM, encoding="utf-8")
        result = perfscore.score(tmp_path / "form.yaml")
        scores.append([(item.score, item.explanation) for item in result.leaves()])
    assert scores[0] == scores[1]
