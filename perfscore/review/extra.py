"""Review checks of published forms beyond the per-leaf ones, and the collapsing of repeats.

* Budget block as published: a printed 执行率 of 0 against real spending
  (``execution_rate_miscomputed``), an empty 执行率 with a score (``execution_rate_missing``),
  executed above the budget (``execution_over_budget``, saying when the score cell is empty),
  amounts without a budget score while the indicators are scored (``budget_score_missing``).
* Totals: the computed items add up to more than the total and the computed total was capped
  (``total_capped``, both numbers shown); a reported total that counts scores above their
  weights (``total_counts_over_score``); a reported total that counts parent rows on top of
  their children (``parent_counted_twice``).
* :func:`collapse`: one cause repeated on many rows (``weight_missing`` on every row of a form
  without weights) becomes one finding listing the rows.

Each function takes the running reviewer of :mod:`perfscore.review` and adds findings to it.

Stage: review.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any, Final

import attrs

from ..core.findings import severity_of
from ..core.result import Finding
from ..text.display import fmt

__all__ = ["COLLAPSED", "COLLAPSE_AT", "budget_block", "collapse", "totals"]

ZERO: Final = Decimal(0)
#: Codes whose repeats (same message on several rows) are reported once with the rows listed.
COLLAPSED: Final = frozenset({"weight_missing", "target_missing", "actual_missing"})
#: From how many repeats on.
COLLAPSE_AT: Final = 3


def _percent(value: Decimal) -> str:
    from ..text.numbers import quantize

    return f"{quantize(value * 100, 2):.2f}%"


def _budget_leaf(rv: Any) -> tuple[Any, Any] | None:
    for leaf, res in rv.pairs:
        if leaf.rule.kind == "execution_rate":
            return leaf, res
    return None


def budget_block(rv: Any) -> None:
    """Checks of the printed budget block (see the module docstring)."""
    found = _budget_leaf(rv)
    if found is None:
        return
    leaf, _res = found
    params = leaf.rule.params
    budget, c = rv.form.budget, rv.config
    executed, adjusted = budget.get(params.executed), budget.get(params.budget)
    printed = budget.get(c.printed_rate)
    at = ("budget", *c.printed_rate.split("."))
    if executed is None or adjusted is None or adjusted.base <= 0:
        return
    rate = executed.base / adjusted.base
    if printed is not None and printed.value == 0 and executed.base > 0:
        rv.add(
            "execution_rate_miscomputed",
            f"印出的执行率 {printed} 算错了：{params.executed} ÷ {params.budget} = "
            f"{fmt(executed.value)} ÷ {fmt(adjusted.value)} = {_percent(rate)}",
            at=at,
            path=("预算执行率",),
            印出执行率=str(printed),
            应为=_percent(rate),
            分母=params.budget,
        )
    table = rv.loaded.table
    has_rate_column = table is not None and any("执行率" in t for t in table.head_text)
    if printed is None and leaf.reported is not None and has_rate_column:
        rv.add(
            "execution_rate_missing",
            f"执行率未填写，却给了得分 {fmt(leaf.reported)}；按 {params.executed} ÷ "
            f"{params.budget} 应为 {_percent(rate)}",
            leaf=leaf,
            自评得分=leaf.reported,
            应为=_percent(rate),
        )
    if rate - 1 > c.tolerance("execution_over_budget"):
        empty = "，且预算执行率未填写得分" if leaf.reported is None else ""
        rv.add(
            "execution_over_budget",
            f"{params.executed} {fmt(executed.value)} 超过{params.budget} {fmt(adjusted.value)}"
            f"（执行率 {_percent(rate)}）{empty}，请核实是否超预算支出",
            at=("budget", params.executed),
            path=("预算执行率",),
            执行率=_percent(rate),
        )
    elif leaf.reported is None and any(
        other.reported is not None for other, _r in rv.pairs if other is not leaf
    ):
        rv.add(
            "budget_score_missing",
            f"资金情况填写了{params.executed} {fmt(executed.value)}，预算执行率却没有自评得分",
            at=("budget",),
            path=("预算执行率",),
        )


def totals(rv: Any) -> None:
    """Checks of the totals (see the module docstring)."""
    ev, form, c = rv.ev, rv.form, rv.config
    items = sum((res.score for _leaf, res in rv.pairs), ZERO)
    if items - ev.total > c.tolerance("total_capped") and ev.total >= ev.total_weight:
        rv.add(
            "total_capped",
            f"各项按规则计算的得分之和为 {fmt(items)}，超过总分 {fmt(ev.total_weight)}："
            f"计算总分按 {fmt(ev.total)} 封顶（多出的 {fmt(items - ev.total)} 分未计入）",
            at=("reported_total",) if form.reported_total is not None else None,
            path=("总分",),
            各项之和=items,
            计算总分=ev.total,
        )
    reported_total = form.reported_total
    if reported_total is None:
        return
    reported = [leaf.reported for leaf, _r in rv.pairs if leaf.reported is not None]
    given = sum(reported, ZERO)
    over = sum(
        (
            max(leaf.reported - (res.effective_weight or leaf.weight), ZERO)
            for leaf, res in rv.pairs
            if leaf.reported is not None and res.status != "不适用"
        ),
        ZERO,
    )
    tol = c.tolerance("reported_total_sum")
    parents = rv.loaded.parents
    parent_reported = sum((r for _w, r in parents if isinstance(r, Decimal)), ZERO)
    counted = any(abs(reported_total - t) <= tol for t in (given, given + parent_reported))
    if over > c.tolerance("total_counts_over_score") and counted:
        rv.add(
            "total_counts_over_score",
            f"自评总分 {fmt(reported_total)} 计入了超过分值的 {fmt(over)} 分：各项得分以分值为限，"
            f"各项自评得分按分值封顶后合计 {fmt(given - over)}",
            at=("reported_total",),
            path=("总分",),
            自评总分=reported_total,
            超出分值部分=over,
        )
    if parent_reported > 0 and abs(reported_total - (given + parent_reported)) <= tol:
        weights = sum((w for w, _r in parents), ZERO)
        rv.add(
            "parent_counted_twice",
            f"自评总分 {fmt(reported_total)} = 各项得分之和 {fmt(given)} + 上级行得分 "
            f"{fmt(parent_reported)}：上级行与其下各项重复计入（上级行分值 {fmt(weights)} 加上"
            f"各项分值共 {fmt(weights + ev.total_weight)}，超过总分 {fmt(ev.total_weight)}）",
            at=("reported_total",),
            path=("总分",),
            自评总分=reported_total,
            各项之和=given,
            上级行得分=parent_reported,
        )
        rv.findings[:] = [f for f in rv.findings if f.code != "reported_total_sum"]


def collapse(findings: Sequence[Finding]) -> list[Finding]:
    """Repeats of one cause (:data:`COLLAPSED` codes, same message) as one finding."""
    groups: dict[tuple[str, str, str], list[Finding]] = {}
    for f in findings:
        if f.code in COLLAPSED:
            groups.setdefault((f.code, f.message, f.severity), []).append(f)
    out: list[Finding] = []
    done: set[tuple[str, str, str]] = set()
    for f in findings:
        key = (f.code, f.message, f.severity)
        same = groups.get(key)
        if same is None or len(same) < COLLAPSE_AT:
            out.append(f)
            continue
        if key in done:
            continue
        done.add(key)
        where = [str(x.row or x.line) for x in same if (x.row or x.line) is not None]
        names = "、".join(x.path[-1] for x in same if x.path)
        out.append(
            attrs.evolve(
                same[0],
                message=f"{f.message}：共 {len(same)} 项（第 {'、'.join(where)} 行：{names}）",
                path=(),
                values=(*same[0].values, ("项数", str(len(same)))),
                severity=f.severity or severity_of(f.code),
            )
        )
    return out
