"""The ``execution`` rule kind: 预算执行率."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import attrs

from ..read.reader import Reader, suggest
from ..read.yaml_document import JsonPath
from ..text.display import fmt, fmt_q
from ..text.lazy import Text
from .base import ONE, ZERO, Outcome, _fail

if TYPE_CHECKING:
    from .base import ScoreInput

__all__ = []

# ---------------------------------------------------------------- execution_rate


@attrs.frozen
class ExecutionParams:
    executed: str
    budget: str
    cap: Decimal


def _parse_execution(raw: Mapping[str, Any], r: Reader, at: JsonPath, ip: Sequence[str]) -> Any:
    cap = r.share(raw.get("cap", "100%"), (*at, "cap"), ip, what="执行率上限")
    if cap is not None and not ZERO < cap <= ONE:
        r.fail(
            "执行率上限应大于 0 且不超过 100%（执行率高于上限时按上限计分）",
            (*at, "cap"),
            ip,
            value=raw.get("cap"),
            expected="如 100%",
        )
        cap = None
    return ExecutionParams(
        executed=str(raw.get("executed", "全年执行数")),
        budget=str(raw.get("budget", "全年预算数")),
        cap=cap if cap is not None else ONE,
    )


def _score_execution(p: ExecutionParams, x: ScoreInput) -> Outcome:
    executed = x.budget.get(p.executed)
    budget = x.budget.get(p.budget)
    missing = [name for name, q in ((p.executed, executed), (p.budget, budget)) if q is None]
    if missing:
        raise _fail(
            f"计算预算执行率需要资金情况中的“{'”“'.join(missing)}”",
            expected="在表单 budget 中填写",
            hint=suggest(missing[0], x.budget),
        )
    assert executed is not None and budget is not None
    if budget.base <= 0:
        raise _fail(f"“{p.budget}”为 {fmt_q(budget)}，无法计算执行率", value=str(budget))
    rate = executed.base / budget.base
    weight = x.weight
    # The arithmetic is done here, in the evaluation's decimal context; the sentences below are
    # rendered later (when read) and only format numbers.
    percent, cap_percent = rate * 100, p.cap * 100

    def shown() -> str:
        return f"执行率 {p.executed} ÷ {p.budget} = {fmt(executed.value)} ÷ {fmt(budget.value)} = {fmt(percent, 2)}%"

    if rate >= p.cap:
        capped = min(p.cap * weight, weight)
        text = Text(
            lambda: (
                f"{shown()}，达到上限 {fmt(cap_percent)}%，得 {fmt(cap_percent)}% × {fmt(weight)}"
            )
        )
        return Outcome(raw=capped, line="cap", explanation=text, met=True, ratio=rate)
    text = Text(lambda: f"{shown()}，按执行率计分：{fmt(percent, 4)}% × {fmt(weight)}")
    return Outcome(
        raw=max(ZERO, rate) * weight, line="rate", explanation=text, met=False, ratio=rate
    )
