"""Hostile numbers: NaN, infinities, huge exponents and digit runs, signs, separators, shares.

Numbers are read by one grammar (perfscore.text.numbers) everywhere: weights, targets, actuals,
budget figures, inputs, rule parameters, formula literals. Each refusal is located at the
line of the value and names the indicator.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

import perfscore
from perfscore.errors import BuildError, EvaluationError, SchemaError, TargetSyntaxError

from ._support import SIMPLE_TEMPLATE, Case, check_case, form_text, ids, leaf_line, with_template

LEAF = leaf_line(0)
P = ("指标", "场次")


def leaf(**fields: str) -> str:
    values = {"name": "场次", "target": "≥10次", "actual": "18次", "weight": "100", **fields}
    return "{" + ", ".join(f"{k}: {v}" for k, v in values.items()) + "}"


def leaf_case(id: str, error: type, message: str | None = None, **fields: str) -> Case:
    return Case(
        id=id,
        error=error,
        files=with_template(form_text(leaf(**fields))),
        line=LEAF,
        path=P,
        message=message,
    )


def template_case(id: str, old: str, new: str, error: type, message: str | None = None) -> Case:
    text = SIMPLE_TEMPLATE.replace(old, new, 1)
    assert text != SIMPLE_TEMPLATE, id
    marker = new.strip().splitlines()[0]
    return Case(
        id=id,
        error=error,
        files={"template.yaml": text},
        entry="template.yaml",
        action="template",
        line=marker,
        message=message,
    )


def top_case(id: str, extra: str, error: type, message: str | None = None) -> Case:
    """A form with a valid leaf and one more top-level line (budget, inputs, reported_total)."""
    text = form_text(leaf()) + extra
    return Case(
        id=id,
        error=error,
        files=with_template(text),
        line=extra.strip().splitlines()[-1].strip(),
        message=message,
    )


DIGITS_500 = "9" * 500
DIGITS_41 = "1" * 41

NUMBER_CASES: list[Case] = [
    # ------------------------------------------------------------- weights
    leaf_case("weight-nan", SchemaError, "不是有效的数值", weight="NaN"),
    leaf_case("weight-dot-nan", SchemaError, "不是有效的数值", weight=".nan"),
    leaf_case("weight-infinity", SchemaError, "不是有效的数值", weight="Infinity"),
    leaf_case("weight-minus-inf", SchemaError, "不是有效的数值", weight="-.inf"),
    leaf_case("weight-infinity-sign", SchemaError, "不是有效的数值", weight="∞"),
    leaf_case("weight-exp-huge", SchemaError, "不是有效的数值", weight="1e999999999"),
    leaf_case("weight-exp-small", SchemaError, "不是有效的数值", weight="1E2"),
    leaf_case("weight-500-digits", TargetSyntaxError, "过长", weight=DIGITS_500),
    leaf_case("weight-41-digits", TargetSyntaxError, "有效数字", weight=DIGITS_41),
    leaf_case("weight-negative", BuildError, "不能为负数", weight="-5"),
    leaf_case("weight-negative-fullwidth", BuildError, "不能为负数", weight="－５"),
    leaf_case("weight-negative-u2212", BuildError, "不能为负数", weight="−5"),
    leaf_case("weight-separator-12-34", TargetSyntaxError, "千位分隔符", weight='"12,34"'),
    leaf_case("weight-separator-1-2345", TargetSyntaxError, "千位分隔符", weight='"1,2345"'),
    leaf_case("weight-separator-double", TargetSyntaxError, "千位分隔符", weight='"1,,234"'),
    leaf_case("weight-separator-leading", SchemaError, "不是有效的数值", weight='",123"'),
    leaf_case("weight-separator-in-decimals", SchemaError, "不是有效的数值", weight='"1.234,5"'),
    leaf_case("weight-two-dots", SchemaError, "不是有效的数值", weight="1.2.3"),
    leaf_case("weight-trailing-dot", SchemaError, "不是有效的数值", weight="100."),
    leaf_case("weight-hex", SchemaError, "不是有效的数值", weight="0x64"),
    leaf_case("weight-underscore", SchemaError, "不是有效的数值", weight="1_00"),
    leaf_case("weight-chinese-numeral", SchemaError, "不是有效的数值", weight="一百"),
    leaf_case("weight-double-sign", SchemaError, "不是有效的数值", weight="+-5"),
    leaf_case("weight-fullwidth-separator-odd", TargetSyntaxError, "千位分隔符", weight="１，２３"),
    leaf_case("weight-empty-string", SchemaError, "不是有效的数值", weight='""'),
    # ------------------------------------------------------------- targets
    leaf_case("target-nan", TargetSyntaxError, "NaN", target="≥NaN次"),
    leaf_case("target-infinity", TargetSyntaxError, "无穷大", target="≥Infinity次"),
    leaf_case("target-exp", TargetSyntaxError, "科学计数法", target="≥1e999999999次"),
    leaf_case("target-500-digits", TargetSyntaxError, "过长", target=f"≥{DIGITS_500}次"),
    leaf_case("target-41-digits", TargetSyntaxError, "有效数字", target=f"≥{DIGITS_41}次"),
    leaf_case("target-separator", TargetSyntaxError, "千位分隔符", target='"≥1,2345次"'),
    leaf_case(
        "target-fullwidth-separator", TargetSyntaxError, "千位分隔符", target="≥１，２３４５次"
    ),
    leaf_case("target-two-dots", TargetSyntaxError, "小数点重复", target="≥1.2.3次"),
    leaf_case("target-range-reversed", TargetSyntaxError, None, target='"[90%, 80%]"'),
    # ------------------------------------------------------------- actuals
    leaf_case("actual-exp", TargetSyntaxError, "科学计数法", actual="1e999999999次"),
    leaf_case("actual-500-digits", TargetSyntaxError, "过长", actual=f"{DIGITS_500}次"),
    leaf_case("actual-separator", TargetSyntaxError, "千位分隔符", actual='"1,2345次"'),
    leaf_case("actual-two-dots", TargetSyntaxError, "小数点重复", actual="1.2.3次"),
    leaf_case("actual-nan", EvaluationError, "数值型", actual="NaN次"),
    leaf_case("actual-infinity", TargetSyntaxError, "无穷大", actual="∞"),
    leaf_case("actual-chinese-numeral", EvaluationError, "数值型", actual="十八次"),
    # ------------------------------------------------------------- other numbers in a form
    leaf_case("reported-nan", SchemaError, "不是有效的数值", reported="NaN"),
    leaf_case("reported-negative", BuildError, "不能为负数", reported="-1"),
    leaf_case("reported-exp", SchemaError, "不是有效的数值", reported="9e9"),
    top_case("reported-total-infinity", "reported_total: .inf\n", SchemaError, "不是有效的数值"),
    top_case("reported-total-negative", "reported_total: -99\n", BuildError, "不能为负数"),
    top_case(
        "budget-nan", "budget:\n  unit: 万元\n  全年预算数: NaN\n", SchemaError, "不是有效的金额"
    ),
    top_case("budget-exp", "budget:\n  unit: 万元\n  全年执行数: 1e999999999\n", SchemaError),
    top_case(
        "budget-separator", 'budget:\n  unit: 万元\n  全年执行数: "4,07,353"\n', TargetSyntaxError
    ),
    top_case("input-nan", "inputs:\n  编制数: NaN\n", SchemaError, "不是有效的数值"),
    top_case("input-500-digits", f"inputs:\n  编制数: {DIGITS_500}\n", TargetSyntaxError),
    # ------------------------------------------------------------- numbers in a template
    template_case("total-nan", "total: 100", "total: NaN", SchemaError, "不是有效的数值"),
    template_case("total-exp", "total: 100", "total: 1e999999999", SchemaError),
    template_case("total-negative", "total: 100", "total: -100", BuildError, "不能为负数"),
    template_case(
        "rounding-places-huge",
        "missing: zero",
        "rounding: {places: 1000000000}\nmissing: zero",
        BuildError,
        "0 到 6",
    ),
    template_case(
        "rounding-places-fraction",
        "missing: zero",
        "rounding: {places: 2.5}\nmissing: zero",
        SchemaError,
    ),
    template_case(
        "grade-min-nan",
        "missing: zero",
        "grades: [{name: 优, min: NaN}, {name: 差, min: 0}]\nmissing: zero",
        SchemaError,
    ),
    template_case(
        "flag-at-infinity",
        "missing: zero",
        "over_achievement: {flag_at: .inf}\nmissing: zero",
        SchemaError,
    ),
    # ------------------------------------------------------------- percentages over 100%
    template_case(
        "tier-range-over-100",
        '{name: 达成, range: "[80%, 100%]"',
        '{name: 达成, range: "[80%, 120%]"',
        BuildError,
        "超出 0～100%",
    ),
    template_case(
        "tier-range-negative",
        '{name: 未达成, range: "[0, 60%)"',
        '{name: 未达成, range: "[-10%, 60%)"',
        BuildError,
        "超出 0～100%",
    ),
    template_case(
        "band-score-over-100",
        "  三档:",
        '  分段: {kind: bands, bands: [{range: "[0, 10]", score: 150%}]}\n  三档:',
        BuildError,
        "超过 100%",
    ),
    template_case(
        "manual-range-over-100",
        "  三档:",
        '  人工: {kind: manual, range: "[0, 150%]"}\n  三档:',
        BuildError,
        "超出 0～100%",
    ),
    template_case(
        "execution-cap-over-100",
        "  三档:",
        "  执行率: {kind: execution_rate, cap: 150%}\n  三档:",
        BuildError,
        "不超过 100%",
    ),
    template_case(
        "execution-cap-zero",
        "  三档:",
        "  执行率: {kind: execution_rate, cap: 0%}\n  三档:",
        BuildError,
        "大于 0",
    ),
    template_case(
        "deduction-step-zero",
        "  三档:",
        "  扣分: {kind: deduction, limit: 100%, step: 0%, points: 1}\n  三档:",
        BuildError,
        "大于 0",
    ),
    template_case(
        "deduction-points-negative",
        "  三档:",
        "  扣分: {kind: deduction, limit: 100%, step: 1%, points: -1}\n  三档:",
        BuildError,
        "不能为负数",
    ),
]


@pytest.mark.parametrize("case", NUMBER_CASES, ids=ids(NUMBER_CASES))
def test_number_case(case: Case, tmp_path: Path) -> None:
    check_case(case, tmp_path)


# ----------------------------------------------------------------- guarantees, not refusals


def _score(tmp_path: Path, *leaves: str) -> perfscore.Evaluation:
    (tmp_path / "template.yaml").write_text(SIMPLE_TEMPLATE, encoding="utf-8")
    (tmp_path / "form.yaml").write_text(form_text(*leaves), encoding="utf-8")
    return perfscore.score(tmp_path / "form.yaml")


@pytest.mark.parametrize(
    ("written", "plain"),
    [
        ({"actual": "１８次"}, {"actual": "18次"}),
        ({"target": "≥１０次"}, {"target": "≥10次"}),
        ({"weight": "１００"}, {"weight": "100"}),
        ({"actual": '"1,018次"'}, {"actual": "1018次"}),
        ({"actual": "１，０１８次"}, {"actual": "1018次"}),
        ({"weight": "１００．００"}, {"weight": "100"}),
    ],
)
def test_full_width_and_grouped_digits_read_as_ascii(
    written: dict[str, str], plain: dict[str, str], tmp_path: Path
) -> None:
    a = list(_score(tmp_path, leaf(**written)).leaves())
    b = list(_score(tmp_path, leaf(**plain)).leaves())
    assert [(x.score, x.line) for x in a] == [(x.score, x.line) for x in b]


@pytest.mark.parametrize(
    ("target", "actual", "score", "line"),
    [
        ("≥0次", "5次", Decimal("100.00"), "met"),  # a zero target is met by any count
        ("≥-5%", "-3%", Decimal("100.00"), "met"),  # a negative growth target can be met
        ("≥-5%", "-10%", Decimal("0.00"), "nonpositive_target"),  # no ratio to a target ≤ 0
        ("≤0次", "0次", Decimal("100.00"), "met"),  # reverse, zero target, met
        ("≤0次", "3次", Decimal("0.00"), "nonpositive_target"),  # reverse, zero target, exceeded
        ("=0次", "3次", Decimal("0.00"), "zero_target"),
    ],
)
def test_zero_and_negative_targets_score_without_dividing(
    target: str, actual: str, score: Decimal, line: str, tmp_path: Path
) -> None:
    """No division by a zero target: such a leaf is met (full) or not (0), with the reason."""
    item = next(_score(tmp_path, leaf(target=target, actual=actual)).leaves())
    assert (item.score, item.line) == (score, line)
    assert item.explanation


@pytest.mark.parametrize(
    ("name", "target", "actual"),
    [
        ("群众满意度", "≥120%", "95%"),
        ("服务对象满意率", "≥90%", "105%"),
        ("验收合格率", '"[90%, 110%]"', "95%"),
    ],
)
def test_bounded_rate_over_100_is_a_located_finding(
    name: str, target: str, actual: str, tmp_path: Path
) -> None:
    """A satisfaction or pass rate above 100% is scored, and flagged where it was written."""
    result = _score(tmp_path, leaf(name=name, target=target, actual=actual))
    found = [f for f in result.findings if f.code == "percent_over_100"]
    assert len(found) == 1
    assert found[0].path == ("指标", name)
    assert (Path(found[0].file or "").name, found[0].line) == ("form.yaml", LEAF)
    assert "percent_over_100" in next(result.leaves()).flags


def test_rates_that_may_pass_100_are_not_flagged(tmp_path: Path) -> None:
    result = _score(tmp_path, leaf(name="收入增长率", target="≥120%", actual="130%"))
    assert not [f for f in result.findings if f.code == "percent_over_100"]
