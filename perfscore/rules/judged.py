"""The ``deduction``, ``checklist``, ``formula`` and ``manual`` rule kinds."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from typing import TYPE_CHECKING, Any

import attrs

from ..errors import PerfscoreError
from ..read.reader import Reader, suggest
from ..read.yaml_document import JsonPath
from ..text.display import fmt, fmt_q
from ..text.quantity import Interval, Quantity
from .base import ONE, ZERO, Outcome, _fail
from .formula import Formula, compile_formula
from .ratio import _choice
from .tiers import _bounds, _score_interval

if TYPE_CHECKING:
    from .base import ScoreInput

__all__ = []

# ---------------------------------------------------------------- deduction


@attrs.frozen
class DeductionParams:
    limit: Quantity
    side: str
    step: Quantity
    points: Decimal
    partial: str = "proportional"
    floor: Decimal = ZERO


def _parse_deduction(raw: Mapping[str, Any], r: Reader, at: JsonPath, ip: Sequence[str]) -> Any:
    limit = r.quantity(raw.get("limit"), (*at, "limit"), ip, what="扣分起点")
    step = r.quantity(raw.get("step", "1%"), (*at, "step"), ip, what="扣分步长")
    points = r.nonnegative(raw.get("points"), (*at, "points"), ip, what="每步扣分")
    floor = r.nonnegative(raw.get("floor", "0"), (*at, "floor"), ip, what="最低得分")
    if step is not None and step.value <= 0:
        r.fail("扣分步长应大于 0", (*at, "step"), ip, value=raw.get("step"))
        step = None
    side = _choice(raw, "side", ("above", "below"), "above", r, at, ip)
    partial = _choice(raw, "partial", ("proportional", "ceil", "floor"), "proportional", r, at, ip)
    if limit is None or step is None or points is None:
        return None
    return DeductionParams(
        limit=limit, side=side, step=step, points=points, partial=partial, floor=floor or ZERO
    )


def _score_deduction(p: DeductionParams, x: ScoreInput) -> Outcome:
    b = x.actual
    if b is None:
        raise _fail("扣分规则需要数值型的实际完成值", value=x.word)
    from ..text.quantity import same_family

    if not same_family(b, p.limit) or not same_family(b, p.step):
        raise _fail(f"完成值 {fmt_q(b)} 与扣分起点 {fmt_q(p.limit)} 的单位不一致", value=fmt_q(b))
    gap = b.base - p.limit.base if p.side == "above" else p.limit.base - b.base
    word = "超出" if p.side == "above" else "低于"
    if gap <= 0:
        return Outcome(
            x.weight,
            "met",
            f"数值 {fmt_q(b)} 未{word} {fmt_q(p.limit)}，得满分 {fmt(x.weight)}",
            met=True,
            arithmetic=False,
        )
    steps = gap / p.step.base
    if p.partial == "ceil":
        steps = steps.to_integral_value(rounding=ROUND_CEILING)
    elif p.partial == "floor":
        steps = steps.to_integral_value(rounding=ROUND_FLOOR)
    deduct = steps * p.points
    floor = min(p.floor, x.weight)
    raw = max(floor, x.weight - deduct)
    shown_gap = fmt(gap / p.step.base * p.step.value)
    unit = p.step.unit.symbol if p.step.unit is not None else ""
    text = (
        f"数值 {fmt_q(b)} {word} {fmt_q(p.limit)} {shown_gap}{unit}，每 {fmt_q(p.step)} 扣 {fmt(p.points)} 分"
        f"（共 {fmt(steps, 4)} 步），最低 {fmt(floor)} 分：{fmt(x.weight)} − {fmt(steps, 4)} × {fmt(p.points)}"
    )
    line = "floor" if raw == floor and x.weight - deduct <= floor else "deduct"
    return Outcome(raw, line, text, met=False)


# ---------------------------------------------------------------- checklist


@attrs.frozen
class ChecklistParams:
    items: tuple[str, ...]
    points: Decimal
    mode: str = "add"


def _parse_checklist(raw: Mapping[str, Any], r: Reader, at: JsonPath, ip: Sequence[str]) -> Any:
    items = tuple(str(i) for i in raw.get("items") or ())
    if len(set(items)) != len(items):
        r.fail("检查项名称重复", (*at, "items"), ip)
    if not items:
        r.fail("检查清单至少需要一项", (*at, "items"), ip)
    points = r.nonnegative(raw.get("points", "1"), (*at, "points"), ip, what="每项分值")
    return ChecklistParams(
        items=items,
        points=points if points is not None else ONE,
        mode=_choice(raw, "mode", ("add", "deduct"), "add", r, at, ip),
    )


def _score_checklist(p: ChecklistParams, x: ScoreInput) -> Outcome:
    present = x.items
    if present is None:
        if x.word is None:
            raise _fail("检查清单需要列出已具备的项目", expected="列表，如 [制度健全, 台账完整]")
        present = tuple(
            s.strip() for s in x.word.replace("、", ",").replace("，", ",").split(",") if s.strip()
        )
    unknown = [i for i in present if i not in p.items]
    if unknown:
        raise _fail(
            f"“{unknown[0]}”不是检查清单中的项目",
            value=unknown[0],
            expected="、".join(p.items),
            hint=suggest(unknown[0], p.items),
        )
    have = len(set(present))
    missing = len(p.items) - have
    if p.mode == "add":
        value = have * p.points
        text = f"检查清单 {len(p.items)} 项中具备 {have} 项，每项 {fmt(p.points)} 分：{have} × {fmt(p.points)}"
    else:
        value = x.weight - missing * p.points
        text = f"检查清单 {len(p.items)} 项中缺 {missing} 项，每缺一项扣 {fmt(p.points)} 分：{fmt(x.weight)} − {missing} × {fmt(p.points)}"
    raw = min(x.weight, max(ZERO, value))
    return Outcome(raw, f"items:{have}", text, met=missing == 0, value=value)


# ---------------------------------------------------------------- formula

FORMULA_NAMES = ("actual", "target", "weight", "ratio")


@attrs.frozen
class FormulaParams:
    formula: Formula


def _parse_formula(raw: Mapping[str, Any], r: Reader, at: JsonPath, ip: Sequence[str]) -> Any:
    text = raw.get("formula")
    names = [*FORMULA_NAMES, *r.names]
    try:
        return FormulaParams(compile_formula(str(text), names))
    except PerfscoreError as err:
        r.add(err, (*at, "formula"), ip)
        return None


def _score_formula(p: FormulaParams, x: ScoreInput) -> Outcome:
    values = dict(x.values)
    values["weight"] = x.weight
    if x.actual is not None:
        values["actual"] = x.actual.value
    if x.target is not None and x.target.quantity is not None:
        values["target"] = x.target.quantity.value
        if x.actual is not None and x.target.quantity.value != 0:
            values["ratio"] = x.actual.base / x.target.quantity.base
    missing = sorted(n for n in p.formula.names if n not in values)
    if missing:
        raise _fail(f"公式需要的“{'”“'.join(missing)}”没有数值", value=p.formula.text)
    value = p.formula.evaluate(values)
    raw = min(x.weight, max(ZERO, value))
    clamp = "" if raw == value else f"，限定在 0～{fmt(x.weight)} 分之间"
    text = f"按公式 {p.formula.text} 计分，结果 {fmt(value, 4)}{clamp}"
    return Outcome(raw, "formula", text, met=raw >= x.weight, arithmetic=False)


# ---------------------------------------------------------------- manual


@attrs.frozen
class ManualParams:
    range: Interval | None


def _parse_manual(raw: Mapping[str, Any], r: Reader, at: JsonPath, ip: Sequence[str]) -> Any:
    rng = raw.get("range")
    return ManualParams(
        range=None if rng is None else _score_interval(rng, r, (*at, "range"), ip, what="评分范围")
    )


def _score_manual(p: ManualParams, x: ScoreInput) -> Outcome:
    if x.given is None:
        raise _fail("人工评分指标缺少评分", expected="在表单中填写 score")
    low, high = (ZERO, x.weight) if p.range is None else _bounds(p.range, x.weight, x.places)
    if not low <= x.given <= high:
        raise _fail(
            f"人工评分 {fmt(x.given)} 不在允许范围 {fmt(low)}～{fmt(high)} 分内", value=fmt(x.given)
        )
    return Outcome(
        x.given,
        "manual",
        f"人工评分 {fmt(x.given)}（允许 {fmt(low)}～{fmt(high)} 分）",
        met=x.given >= x.weight,
        arithmetic=False,
    )
