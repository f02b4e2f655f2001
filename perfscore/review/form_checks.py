"""Review checks that a reviewer makes by eye on published forms (issue 13, "review gaps").

Each check is a small function ``check(r)`` over the running reviewer (``perfscore.review``'s
``_Reviewer``: its ``form``, ``pairs`` of (leaf, result), ``config`` and ``add``); the list
:data:`CHECKS` is run once per form after the built-in checks. Every code, its severity and
tolerance are in :data:`perfscore.core.findings.CATALOGUE`; a template's ``review.checks`` switches
each one off or changes it. Numbers (how many indicators make a pattern, how sharp a cut is)
are the catalogue's tolerances, never constants here.

- ``scores_missing`` / ``actuals_missing_all``: a form with no self-score at all (a table, or a
  YAML form that gives a reported total), or no actual at
  all — one finding for the form (the per-row ``actual_missing`` and ``reported_differs`` lines
  are folded into it).
- ``template_placeholder``: ``**`` ``XX`` ``××`` ``……`` left from the blank form in a name,
  target or actual.
- ``unit_annotation_mismatch``: ``(%)`` in a name whose values are amounts (≥ tolerance), or
  ``(万元)``/``(元)`` on a percentage.
- ``generic_answer``: most qualitative indicators (more than half, and at least tolerance of
  them), whatever their targets, answered with the same words (``达成预期指标`` everywhere).
- ``deviation_reason_bare``: ``0`` ``无`` ``/`` as 偏差原因 on an indicator not met.
- ``unit_missing``: a bare-number target where the name implies a unit (率 → %, 资金 → 元 …).
- ``flat_docking``: every met indicator marked down by the same fraction (at least tolerance of
  them) — one form-level finding instead of one ``met_not_full`` per row.
- ``execution_rate_format``: the printed 执行率 without ``%`` (``0.1``, ``20``).
- ``budget_cut_full_outputs``: 全年预算数 cut from 年初预算数 by more than the tolerance while
  every output indicator is fully scored (info).
- ``execution_in_outputs``: the budget execution rate repeated as an output indicator.

The target written only in the name while its cell is empty (``target_in_name``) is reported
by the reviewer itself (``review._Reviewer``), which also drops the ``target_missing`` it
replaces.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Final, Protocol

from ..text.display import fmt
from ..text.numbers import fold

if TYPE_CHECKING:
    from ..build.model import Form, Leaf
    from ..core.result import Finding, LeafResult
    from .reports import ReviewConfig


class _Reviewer(Protocol):
    """What a check uses of the running reviewer (``perfscore.review.reviewer._Reviewer``),
    named here so that the checks need not import the reviewer that runs them."""

    form: Form
    config: ReviewConfig
    findings: list[Finding]
    pairs: list[tuple[Leaf, LeafResult]]
    tabular: bool

    def add(
        self,
        code: str,
        message: str,
        *,
        leaf: Leaf | None = None,
        at: tuple[str | int, ...] | None = None,
        path: tuple[str, ...] = (),
        **values: Any,
    ) -> None: ...


__all__ = ["CHECKS", "run_form_checks"]

ZERO: Final = Decimal(0)

_PLACEHOLDER: Final = re.compile(r"\*{2,}|[Xx×]{2,}|…{1,}|\.{3,}|○{2,}|□{2,}")
_PERCENT_LABEL: Final = re.compile(r"[(（]\s*(?:%|百分比)\s*[)）]")
_MONEY_LABEL: Final = re.compile(r"[(（]\s*(?:万元|元|亿元)\s*[)）]")
_BARE_REASONS: Final = frozenset({"0", "无", "/", "-", "—", "暂无", "没有", "无偏差", "否"})
#: name endings → the unit family the name implies (checked on bare-number targets)
_IMPLIED_UNITS: Final = (
    (re.compile(r"(?:率|满意度|比例|比重|占比|覆盖面)$"), "%"),
    (
        re.compile(r"(?:资金|经费|金额|成本|费用|补助|补贴|投资|支出)(?:总额|总量|标准)?$"),
        "元/万元",
    ),
    (re.compile(r"(?:人数|人次|户数|次数|场次|个数|件数|项数|台数|套数)$"), "人/次/户/个"),
    (re.compile(r"(?:面积)$"), "平方米/亩"),
    (re.compile(r"(?:长度|里程)$"), "米/公里"),
)
_EXECUTION_NAME: Final = re.compile(r"(?:预算|资金)执行率|执行进度|资金支付率")


def _squeeze(text: str | None) -> str:
    return "".join(fold(text or "").split())


def _outputs(r: _Reviewer) -> list[tuple[Leaf, LeafResult]]:
    return [(leaf, res) for leaf, res in r.pairs if leaf.path and leaf.path[0].startswith("产出")]


def _scored(r: _Reviewer) -> list[tuple[Leaf, LeafResult]]:
    """Indicator rows that count (readable, not 不适用, not the budget row computed from money)."""
    return [
        (leaf, res)
        for leaf, res in r.pairs
        if leaf.unreadable is None and res.status != "不适用" and leaf.rule.kind != "execution_rate"
    ]


def scores_missing(r: _Reviewer) -> None:
    # a YAML form written only to be scored (no 自评 at all) is not a submitted self-evaluation
    if not r.tabular and r.form.reported_total is None:
        return
    rows = _scored(r)
    if len(rows) >= 2 and all(leaf.reported is None for leaf, _res in rows):
        r.add(
            "scores_missing",
            f"表中 {len(rows)} 个指标都没有填写自评得分，无法复核自评结果",
            path=("自评得分",),
            指标数=len(rows),
        )


def actuals_missing_all(r: _Reviewer) -> None:
    rows = [(leaf, res) for leaf, res in _scored(r) if leaf.actual_from is None]
    rows = [(leaf, res) for leaf, res in rows if leaf.actual_items is None]
    if len(rows) < 2 or not all(leaf.actual is None or leaf.actual.is_missing for leaf, _ in rows):
        return
    paths = {leaf.path for leaf, _res in rows}
    folded = ("actual_missing", "reported_differs")  # every row: nothing to score against
    r.findings[:] = [f for f in r.findings if not (f.code in folded and f.path in paths)]
    r.add(
        "actuals_missing_all",
        f"表中 {len(rows)} 个指标都没有填写实际完成值，无法按指标计分",
        path=("实际完成值",),
        指标数=len(rows),
    )


def template_placeholder(r: _Reviewer) -> None:
    for leaf, _res in r.pairs:
        for what, text in (
            ("指标名称", leaf.name),
            ("年度指标值", leaf.target_text),
            ("实际完成值", leaf.actual_text),
        ):
            m = _PLACEHOLDER.search(text or "")
            if m is not None:
                r.add(
                    "template_placeholder",
                    f"{what}“{text}”里还留着表样的占位符“{m.group()}”，没有填写实际内容",
                    leaf=leaf,
                    栏目=what,
                    填写=text or "",
                )
                break


def unit_annotation_mismatch(r: _Reviewer) -> None:
    limit = r.config.tolerance("unit_annotation_mismatch")
    for leaf, _res in r.pairs:
        name = fold(leaf.name)
        quantities = [
            q
            for q in (
                leaf.target.quantity if leaf.target is not None else None,
                leaf.actual.quantity if leaf.actual is not None else None,
            )
            if q is not None
        ]
        if _PERCENT_LABEL.search(name):
            big = [q for q in quantities if abs(q.value) >= limit]
            if big:
                r.add(
                    "unit_annotation_mismatch",
                    f"指标名称“{leaf.name}”注明单位为 %，但填写的数值 {fmt(big[0].value)} "
                    f"不像百分比（达到 {fmt(limit)} 以上），像是金额或数量",
                    leaf=leaf,
                    名称=leaf.name,
                    数值=big[0].value,
                )
        elif _MONEY_LABEL.search(name):
            ratio = [q for q in quantities if q.unit is not None and q.unit.family == "ratio"]
            if ratio:
                r.add(
                    "unit_annotation_mismatch",
                    f"指标名称“{leaf.name}”注明金额单位，但填写的是百分比 {ratio[0]}",
                    leaf=leaf,
                    名称=leaf.name,
                    数值=str(ratio[0]),
                )


def generic_answer(r: _Reviewer) -> None:
    least = int(r.config.tolerance("generic_answer"))
    answers = [
        (leaf, _squeeze(leaf.actual_text))
        for leaf, res in _scored(r)
        if leaf.target is not None and leaf.target.op == "qualitative" and leaf.actual_text
    ]
    if len(answers) < max(least, 2):
        return
    common, count = Counter(a for _leaf, a in answers).most_common(1)[0]
    targets = {_squeeze(leaf.target_text) for leaf, a in answers if a == common}
    if (
        count >= max(least, 2)
        and 2 * count > len(answers)
        and len(targets) > 1
        and common not in targets
    ):
        r.add(
            "generic_answer",
            f"{count} 个定性指标的实际完成值都写“{common}”，没有写出各自的实际完成情况",
            path=("实际完成值",),
            指标数=count,
            填写=common,
        )


def deviation_reason_bare(r: _Reviewer) -> None:
    for leaf, res in _scored(r):
        note = _squeeze(leaf.note)
        if res.status in ("部分达成", "未达成") and note in _BARE_REASONS:
            r.add(
                "deviation_reason_bare",
                f"指标{res.status}（得 {fmt(res.score or ZERO)} 分，满分 {fmt(res.effective_weight)}），"
                f"偏差原因却只写了“{leaf.note}”",
                leaf=leaf,
                偏差原因=leaf.note or "",
            )


def unit_missing(r: _Reviewer) -> None:
    for leaf, _res in r.pairs:
        target = leaf.target
        if target is None or not target.is_quantitative or target.unit is not None:
            continue
        name = _squeeze(leaf.name)
        implied = next((unit for pattern, unit in _IMPLIED_UNITS if pattern.search(name)), None)
        if implied is None:
            continue
        r.add(
            "unit_missing",
            f"指标“{leaf.name}”的指标值“{leaf.target_text}”没有单位，按名称应为 {implied}",
            leaf=leaf,
            指标值=leaf.target_text or "",
            应有单位=implied,
        )


def flat_docking(r: _Reviewer) -> None:
    least = int(r.config.tolerance("flat_docking"))
    met = [
        (leaf, res)
        for leaf, res in _scored(r)
        if res.status == "达成" and leaf.reported is not None and res.effective_weight > 0
    ]
    if len(met) < max(least, 2):
        return
    shares = {(leaf.reported or ZERO) / res.effective_weight for leaf, res in met}
    if len(shares) != 1:
        return
    share = shares.pop()
    if not ZERO < share < 1 or any((leaf.note or "").strip() for leaf, _res in met):
        return
    paths = {leaf.path for leaf, _res in met}
    folded = ("met_not_full", "reported_differs")  # each row's line says what this one says
    r.findings[:] = [f for f in r.findings if not (f.code in folded and f.path in paths)]
    r.add(
        "flat_docking",
        f"{len(met)} 个已达成的指标都按分值的 {fmt(share * 100)}% 自评，统一扣分且未说明原因",
        path=("自评得分",),
        指标数=len(met),
        比例=f"{fmt(share * 100)}%",
    )


def execution_rate_format(r: _Reviewer) -> None:
    printed = r.form.budget.get(r.config.printed_rate)
    if printed is None or printed.unit is not None or printed.value == 0:
        return
    as_fraction = printed.value <= 1
    reading = (
        f"像是小数 {fmt(printed.value)}（即 {fmt(printed.value * 100)}%）"
        if as_fraction
        else f"像是省略了 %（即 {fmt(printed.value)}%）"
    )
    executed, adjusted = r.form.budget.get("全年执行数"), r.form.budget.get("全年预算数")
    if not as_fraction and executed is not None and adjusted is not None and adjusted.base > 0:
        # 100 meaning 100%: the miscomputed finding only repeats this one
        rate = executed.base / adjusted.base
        if abs(printed.value / 100 - rate) * 100 < 1:
            r.findings[:] = [f for f in r.findings if f.code != "execution_rate_miscomputed"]
    r.add(
        "execution_rate_format",
        f"印出的执行率“{fmt(printed.value)}”没有写 %，{reading}，请按百分比填写",
        at=("budget", *r.config.printed_rate.split(".")),
        path=("预算执行率",),
        印出执行率=printed.value,
    )


def budget_cut_full_outputs(r: _Reviewer) -> None:
    budget, c = r.form.budget, r.config
    opening, adjusted = budget.get(c.opening), budget.get("全年预算数")
    if opening is None or adjusted is None or opening.base <= 0:
        return
    cut = (opening.base - adjusted.base) / opening.base
    outputs = [(leaf, res) for leaf, res in _outputs(r) if res.status != "不适用"]
    if cut <= c.tolerance("budget_cut_full_outputs") or not outputs:
        return

    def full(leaf: Leaf, res: LeafResult) -> bool:
        score = leaf.reported if leaf.reported is not None else res.score
        return score is not None and score >= (
            leaf.weight if leaf.reported is not None else res.effective_weight
        )

    if all(full(leaf, res) for leaf, res in outputs):
        r.add(
            "budget_cut_full_outputs",
            f"全年预算数比年初预算数减少 {fmt(cut * 100, 2)}%"
            f"（{fmt(opening.value)} → {fmt(adjusted.value)}），产出指标却全部得满分，"
            "请核实年初设定的产出目标是否随预算调整",
            at=("budget", "全年预算数"),
            path=("预算执行率",),
            减少比例=f"{fmt(cut * 100, 2)}%",
        )


def execution_in_outputs(r: _Reviewer) -> None:
    for leaf, _res in _outputs(r):
        if _EXECUTION_NAME.search(_squeeze(leaf.name)):
            r.add(
                "execution_in_outputs",
                f"产出指标“{leaf.name}”就是预算执行率，已在“预算执行率”一栏计分，重复计算",
                leaf=leaf,
                名称=leaf.name,
            )


#: The checks in the order they run.
CHECKS: Final[Sequence[Callable[[_Reviewer], None]]] = (
    scores_missing,
    actuals_missing_all,
    template_placeholder,
    unit_annotation_mismatch,
    generic_answer,
    deviation_reason_bare,
    unit_missing,
    flat_docking,
    execution_rate_format,
    budget_cut_full_outputs,
    execution_in_outputs,
)


def run_form_checks(r: _Reviewer) -> None:
    """Run each switched-on check (a switched-off one neither reports nor folds other lines)."""
    for check in CHECKS:
        if r.config.enabled(check.__name__):
            check(r)
