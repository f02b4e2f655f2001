"""Target review rules (绩效目标审核): the catalogue and the template's ``target_review:``.

The catalogue holds the stable codes, their Chinese titles and default severities; every
threshold and word list is read from the template's ``target_review:`` section (see
``docs/target-review.md``), none is a constant here.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any, Final

import attrs

from ..build.model import Template
from ..core.findings import FindingSpec, _spec
from ..errors import BuildError
from ..text.numbers import parse_decimal
from .stage_common import Checks, parse_share, section

__all__ = ["TARGET_CATALOGUE", "BudgetSum", "TargetGrade", "TargetReviewConfig"]

#: Target-review finding codes, grouped by the four review aspects of 财预〔2015〕88号.
TARGET_CATALOGUE: Final[Mapping[str, FindingSpec]] = {
    s.code: s
    for s in (
        # ---- 完整性
        _spec("group_empty", "必填的二级指标下没有三级指标", "error"),
        _spec("target_missing", "缺少年度指标值", "error"),
        _spec("weight_missing", "缺少分值或分值无法识别", "error"),
        # ---- 可衡量（细化量化）
        _spec("target_unreadable", "年度指标值无法识别", "error"),
        _spec("target_not_quantified", "应量化的指标写成了文字", "error"),
        _spec("target_no_comparator", "数值指标值没有比较符号（≥、≤、=）", "info"),
        _spec("target_no_unit", "数值指标值缺少计量单位", "warning"),
        _spec("target_vague", "指标值只有模糊用语（提高、显著、有效等）", "warning"),
        _spec("quantitative_share_low", "定量指标占比低于模板要求", "warning"),
        # ---- 照抄与占位
        _spec("target_copies_name", "指标值照抄了指标名称", "warning"),
        _spec("target_placeholder", "指标名称或指标值中留有占位符", "error"),
        # ---- 分值
        _spec("weights_sum", "分值之和不等于上级分值或总分", "error"),
        _spec("weight_too_high", "单个三级指标分值超过模板上限", "warning"),
        _spec("weight_unexpected", "申报表不设分值，却写了分值", "info"),
        # ---- 适当性
        _spec("satisfaction_low", "满意度指标值低于模板规定的下限", "warning"),
        _spec("cost_as_minimum", "成本指标写成了下限（≥）", "error"),
        _spec("time_not_date", "时效指标值不是日期或时限", "warning"),
        _spec("budget_sources_sum", "资金来源之和不等于资金总额", "error"),
        # ---- 读取
        _spec("value_unreadable", "填写的内容不符合表单格式，已忽略", "error"),
        _spec("row_unreadable", "表格中无法读取的行", "error"),
        _spec("indicator_unknown", "模板中没有这个指标", "error"),
        _spec("form_unreadable", "整个文件无法读取", "error"),
    )
}


@attrs.frozen
class TargetGrade:
    """A conclusion: at most ``max_errors`` errors and ``max_warnings`` warnings (None: any)."""

    name: str
    max_errors: int | None = None
    max_warnings: int | None = None

    def admits(self, errors: int, warnings: int) -> bool:
        return (self.max_errors is None or errors <= self.max_errors) and (
            self.max_warnings is None or warnings <= self.max_warnings
        )


@attrs.frozen
class BudgetSum:
    """``total`` equals the sum of ``parts`` (``*`` stands for every name at that level)."""

    name: str
    total: str
    parts: tuple[str, ...]
    tolerance: Decimal = Decimal(0)


@attrs.frozen
class TargetReviewConfig:
    """The template's ``target_review:`` section, read."""

    required: tuple[str, ...]
    required_any: tuple[tuple[str, ...], ...]
    quantitative: tuple[str, ...]
    unit_required: tuple[str, ...]
    quantitative_share: Decimal | None
    vague_words: tuple[str, ...]
    placeholders: tuple[str, ...]
    max_weight: Decimal | None
    weights: str
    satisfaction_groups: tuple[str, ...]
    satisfaction_floor: Decimal | None
    cost_groups: tuple[str, ...]
    time_groups: tuple[str, ...]
    time_words: tuple[str, ...]
    budget: tuple[BudgetSum, ...]
    grades: tuple[TargetGrade, ...]
    checks: Checks

    def grade(self, errors: int, warnings: int) -> str:
        for g in self.grades:
            if g.admits(errors, warnings):
                return g.name
        return self.grades[-1].name

    @classmethod
    def build(
        cls,
        template: Template,
        *,
        disable: Iterable[str] = (),
        severities: Mapping[str, str] | None = None,
    ) -> TargetReviewConfig:
        raw = section(template, "target_review", "审核绩效目标")
        file = template.file

        def names(key: str, within: Mapping[str, Any] = raw) -> tuple[str, ...]:
            return tuple(str(x) for x in within.get(key) or ())

        def number(value: Any, what: str) -> Decimal | None:
            if value is None:
                return None
            try:
                return parse_decimal(str(value), what=what)
            except Exception as err:
                raise BuildError(f"{what}“{value}”无法识别", file=file, value=value) from err

        sat = raw.get("satisfaction") or {}
        grades = tuple(
            TargetGrade(
                name=str(g.get("name")),
                max_errors=None if g.get("max_errors") is None else int(str(g["max_errors"])),
                max_warnings=None if g.get("max_warnings") is None else int(str(g["max_warnings"])),
            )
            for g in raw.get("grades") or ()
        )
        if not grades or grades[-1].max_errors is not None or grades[-1].max_warnings is not None:
            raise BuildError(
                "target_review.grades 的最后一个结论不应设上限（任何表单都要有结论）",
                file=file,
                expected="如 [{name: 通过, max_errors: 0}, {name: 退回修改}]",
            )
        return cls(
            required=names("required"),
            required_any=tuple(tuple(str(x) for x in g) for g in raw.get("required_any") or ()),
            quantitative=names("quantitative"),
            unit_required=names("unit_required"),
            quantitative_share=None
            if raw.get("quantitative_share") is None
            else parse_share(raw["quantitative_share"], "target_review.quantitative_share", file),
            vague_words=names("vague_words"),
            placeholders=names("placeholders"),
            max_weight=number(raw.get("max_weight"), "target_review.max_weight"),
            weights=str(raw.get("weights") or "required"),
            satisfaction_groups=names("groups", sat),
            satisfaction_floor=None
            if sat.get("floor") is None
            else parse_share(sat["floor"], "target_review.satisfaction.floor", file),
            cost_groups=names("groups", raw.get("cost") or {}),
            time_groups=names("groups", raw.get("time") or {}),
            time_words=names("words", raw.get("time") or {}),
            budget=tuple(
                BudgetSum(
                    name=str(b.get("name")),
                    total=str(b.get("total")),
                    parts=tuple(str(p) for p in b.get("parts") or ()),
                    tolerance=number(b.get("tolerance"), "容差") or Decimal(0),
                )
                for b in raw.get("budget") or ()
            ),
            grades=grades,
            checks=Checks.build(
                TARGET_CATALOGUE,
                raw.get("checks"),
                file=file,
                disable=disable,
                severities=severities,
            ),
        )
