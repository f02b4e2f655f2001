"""The catalogue of review findings: stable codes, Chinese titles, default severity/tolerance.

Every code here is a *default*: a template's ``review.checks.<code>`` may switch it off,
change its severity or its tolerance, and ``perfscore review --disable/--severity/--tolerance``
may override that again. The review layer (``perfscore.review``) is the only place that applies
the configuration; the builder and the evaluator just use these codes and default severities.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any, Final

import attrs

from ..errors import PerfscoreError
from .result import Finding

__all__ = [
    "ALIASES",
    "CATALOGUE",
    "SEVERITIES",
    "SEVERITY_RANK",
    "FindingSpec",
    "finding_from_error",
    "severity_of",
]

#: Severities from the most to the least serious.
SEVERITIES: Final = ("error", "warning", "info")
SEVERITY_RANK: Final = {"error": 3, "warning": 2, "info": 1}
#: Chinese names of the severities, as the report shows them.
SEVERITY_NAMES: Final = {"error": "错误", "warning": "警告", "info": "提示"}


@attrs.frozen
class FindingSpec:
    """One finding type: ``code``, Chinese ``title``, defaults, and what ``tolerance`` means."""

    code: str
    title: str
    severity: str
    tolerance: Decimal | None = None
    tolerance_means: str | None = None


def _spec(
    code: str,
    title: str,
    severity: str,
    tolerance: str | None = None,
    means: str | None = None,
) -> FindingSpec:
    return FindingSpec(
        code, title, severity, None if tolerance is None else Decimal(tolerance), means
    )


#: Every finding code, in the order the README documents them.
CATALOGUE: Final[Mapping[str, FindingSpec]] = {
    s.code: s
    for s in (
        # ---- scores
        _spec("score_above_weight", "自评得分超过分值", "error", "0", "超过分值多少分以上才提示"),
        _spec(
            "reported_differs",
            "自评得分与按规则计算的得分不符",
            "error",
            "0.01",
            "差额（分）超过此值才提示",
        ),
        _spec(
            "met_not_full",
            "已达成指标值却未得满分，且未说明原因",
            "warning",
            "0.01",
            "低于满分多少分以上才提示",
        ),
        _spec("unmet_full", "未达成指标值却自评满分", "error"),
        _spec("score_outside_tier", "定性指标的评分不在所属档次的分数范围内", "warning"),
        _spec("over_achievement_unexplained", "完成值远超指标值，且未说明原因", "warning"),
        _spec("over_achievement", "完成值远超指标值（已说明原因）", "info"),
        _spec(
            "total_differs",
            "自评总分与按规则计算的总分不符",
            "info",
            "0.01",
            "差额（分）超过此值才提示",
        ),
        _spec(
            "reported_total_sum",
            "自评总分不等于各项自评得分之和",
            "error",
            "0.01",
            "差额（分）超过此值才提示",
        ),
        # ---- weights
        _spec("weights_sum", "分值之和不等于上级分值或总分", "error"),
        _spec("weight_missing", "缺少分值或分值无法识别", "error"),
        _spec("weight_from_form", "表中印出的分值与模板规定的不同（按表中分值复核）", "warning"),
        _spec("weight_implied", "表中没有分值栏，按该级分值推定各项分值", "info"),
        _spec("parent_row", "上级行（分值等于其下各项之和），不单独计分", "info"),
        _spec("parent_counted_twice", "自评总分把上级行与其下各项重复计入", "error"),
        _spec(
            "total_counts_over_score",
            "自评总分计入了超过分值的得分",
            "error",
            "0.01",
            "超出分值的部分合计超过此值才提示",
        ),
        _spec(
            "total_capped",
            "各项计算得分之和超过总分，计算总分已按总分封顶",
            "warning",
            "0",
            "超出总分多少分以上才提示",
        ),
        # ---- budget
        _spec(
            "execution_rate_denominator",
            "执行率用年初预算数而不是全年预算数（调整后预算）计算",
            "error",
            "0.01",
            "印出的执行率与“执行数 ÷ 年初预算数”相差在此比例以内即视为按年初预算计算（0.01 = 1 个百分点）",
        ),
        _spec(
            "execution_rate_miscomputed",
            "印出的执行率不等于执行数 ÷ 所用预算数",
            "warning",
            "0",
            "除印出精度的半个单位外，还允许的差额（比例，0.0001 = 0.01 个百分点）",
        ),
        _spec(
            "execution_rate_low_unexplained",
            "预算执行率偏低且未说明原因",
            "warning",
            "0.9",
            "执行率（按全年预算数）低于此比例、且预算执行率一行未填“偏差原因分析及改进措施”时提示（0.9 = 90%，四川等地的要求）",
        ),
        _spec(
            "execution_over_budget",
            "全年执行数超过全年预算数",
            "warning",
            "0",
            "超出预算的比例在此以内不提示（0.01 = 1%）",
        ),
        _spec("execution_rate_missing", "执行率未填写，却给了得分", "warning"),
        _spec("budget_score_missing", "资金情况填了金额，预算执行率却没有自评得分", "warning"),
        _spec(
            "budget_total_from_parts",
            "年度资金总额一行为 0 或空，按“其中”各行之和复核",
            "warning",
        ),
        _spec(
            "budget_identity",
            "资金数额的勾稽关系不成立",
            "error",
            "0.01",
            "差额（金额单位）超过此值才提示",
        ),
        # ---- targets and actuals
        _spec("target_missing", "缺少年度指标值", "error"),
        _spec("target_unreadable", "年度指标值无法识别", "error"),
        _spec("actual_missing", "缺少实际完成值", "warning"),
        _spec("actual_unreadable", "实际完成值无法识别", "error"),
        _spec("unit_mismatch", "实际完成值与指标值的单位不能比较", "error"),
        _spec("target_in_name", "指标值写在了指标名称里", "warning"),
        _spec("actual_repeats_target", "实际完成值只是照抄了指标值", "warning"),
        _spec("actual_has_comparator", "实际完成值带有比较符号（如 ≧95%）", "warning"),
        _spec("not_applicable", "不适用的指标（已按规定折算）", "info"),
        _spec(
            "missing_actual",
            "缺少实际完成值（计分结果中的代码；复核报告为 actual_missing）",
            "warning",
        ),
        _spec("percent_over_100", "比率类指标的指标值或完成值超过 100%", "warning"),
        _spec("formula_as_text", "公式单元格没有计算结果，按其文字读作指标值", "info"),
        _spec("formula_uncached", "公式没有计算结果，请在 Excel 中重新计算后保存", "error"),
        # ---- what a reviewer flags by eye (perfscore.review.form_checks, issue 13)
        _spec("scores_missing", "表中没有填写任何自评得分", "warning"),
        _spec("actuals_missing_all", "表中没有填写任何实际完成值", "error"),
        _spec(
            "template_placeholder",
            "名称、指标值或完成值中留有表样占位符（**、XX、××、……）",
            "warning",
        ),
        _spec(
            "unit_annotation_mismatch",
            "名称注明的单位与填写的数值矛盾",
            "warning",
            "1000",
            "名称注明 (%) 的指标，数值达到此值以上即视为金额或数量",
        ),
        _spec(
            "generic_answer",
            "所有定性指标的实际完成值都是同一句套话",
            "warning",
            "3",
            "定性指标至少有这么多个、且完成值全部相同才提示",
        ),
        _spec("deviation_reason_bare", "未达成的指标偏差原因只写了“0”“无”之类", "warning"),
        _spec("unit_missing", "指标值没有单位，而指标名称表明应有单位", "warning"),
        _spec(
            "flat_docking",
            "已达成的指标统一按同一比例扣分且未说明原因",
            "warning",
            "3",
            "至少这么多个已达成指标按同一比例扣分才提示（代替逐行的 met_not_full）",
        ),
        _spec("execution_rate_format", "印出的执行率没有写 %（如 0.1、20）", "warning"),
        _spec(
            "budget_cut_full_outputs",
            "预算大幅调减，产出指标却全部满分",
            "info",
            "0.3",
            "全年预算数比年初预算数减少超过此比例（0.3 = 30%）才提示",
        ),
        _spec("execution_in_outputs", "预算执行率又作为产出指标重复计分", "warning"),
        # ---- structure and reading
        _spec("indicator_unknown", "模板中没有这个指标", "error"),
        _spec("rule_unknown", "无法确定计分规则", "error"),
        _spec("unscorable", "无法计分", "error"),
        _spec("value_unreadable", "填写的内容不符合表单格式，已忽略", "error"),
        _spec("row_unreadable", "表格中无法读取的行", "error"),
        _spec("form_unreadable", "整个文件无法读取或无法计分", "error"),
        _spec("template_guessed", "未指定模板，按表头推定所用模板", "info"),
        _spec("group_rehomed", "表中的一级指标在模板中位于更下一级，已按模板归入", "info"),
        _spec("sheet_read", "工作簿中另有像自评表的工作表（含隐藏的），未读取", "info"),
    )
}


#: Codes the evaluator emits that review reports under another code: disabling either does both.
ALIASES: Final[Mapping[str, str]] = {"missing_actual": "actual_missing"}


def severity_of(code: str) -> str:
    """The default severity of ``code`` (``error`` for a code not in the catalogue)."""
    spec = CATALOGUE.get(code)
    return spec.severity if spec is not None else "error"


def finding_from_error(code: str, err: PerfscoreError, **values: Any) -> Finding:
    """A finding that carries a located perfscore error's message, location and values."""
    message = err.message
    if err.hint:
        message += f"。{err.hint}"
    extra: dict[str, str] = {}
    if err.value is not None:
        extra["填写"] = _short(str(err.value))
    if err.expected is not None:
        extra["应为"] = _short(err.expected)
    extra.update({k: str(v) for k, v in values.items()})
    return Finding(
        code=code,
        severity=severity_of(code),
        message=message,
        path=err.indicator_path,
        values=tuple(sorted(extra.items())),
        file=err.file,
        line=err.line,
    )


def _short(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
