"""The ``ratio``, ``range`` and ``threshold`` rule kinds: completion against a target."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import attrs

from ..read.reader import Reader, suggest
from ..read.yaml_document import JsonPath
from ..text.display import fmt, fmt_q
from ..text.lazy import Text
from ..text.quantity import Quantity
from ..text.target import Target
from .base import ONE, ZERO, Outcome, _fail, _need_quantity

if TYPE_CHECKING:
    from .base import ScoreInput

__all__ = []

# ---------------------------------------------------------------- ratio

DIRECTIONS = ("auto", "positive", "reverse", "equal")
REVERSE = ("target_over_actual", "linear_to_double")
ZERO_TARGET = ("full_if_not_above", "manual")


@attrs.frozen
class RatioParams:
    direction: str = "auto"
    reverse: str = "target_over_actual"
    zero_target: str = "full_if_not_above"


def _choice(
    raw: Mapping[str, Any],
    key: str,
    choices: Sequence[str],
    default: str,
    r: Reader,
    at: JsonPath,
    ip: Sequence[str],
) -> str:
    value = raw.get(key, default)
    if value not in choices:
        r.fail(
            f"“{key}”的取值无效",
            (*at, key),
            ip,
            value=value,
            expected="、".join(choices) + " 之一",
            hint=suggest(str(value), choices),
        )
        return default
    return str(value)


def _parse_ratio(raw: Mapping[str, Any], r: Reader, at: JsonPath, ip: Sequence[str]) -> Any:
    return RatioParams(
        direction=_choice(raw, "direction", DIRECTIONS, "auto", r, at, ip),
        reverse=_choice(raw, "reverse", REVERSE, "target_over_actual", r, at, ip),
        zero_target=_choice(raw, "zero_target", ZERO_TARGET, "full_if_not_above", r, at, ip),
    )


def _met_text(actual: Quantity, target: Target, weight: Decimal) -> str:
    return f"完成值 {fmt_q(actual)} 达到指标值 {target}，得满分 {fmt(weight)}"


def _score_ratio(p: RatioParams, x: ScoreInput) -> Outcome:
    a, b = _need_quantity(x, "比率计分")
    target = x.target
    assert target is not None
    direction = target.direction if p.direction == "auto" else p.direction
    if target.op == "range":
        return _score_range(target, b, x.weight)
    if target.is_met(b):
        ratio = b.value / a.value if a.value > 0 else None
        weight = x.weight
        text = Text(lambda: _met_text(b, target, weight))
        return Outcome(weight, "met", text, met=True, ratio=ratio, arithmetic=False)
    av, bv = a.value, b.value
    if direction == "equal" and av == 0:
        if p.zero_target == "manual":
            raise _fail("指标值为 0 的等值指标按模板规定需人工评分", value=str(target))
        if bv <= 0:
            return Outcome(
                x.weight,
                "zero_target",
                f"指标值为 0，完成值 {fmt_q(b)} 不高于 0，得满分 {fmt(x.weight)}",
                met=True,
                arithmetic=False,
            )
        return Outcome(
            ZERO,
            "zero_target",
            f"指标值为 0，完成值 {fmt_q(b)} 高于 0，得 0 分",
            met=False,
            arithmetic=False,
        )
    if direction in ("positive", "equal"):
        if av <= 0:
            return Outcome(
                ZERO,
                "nonpositive_target",
                f"指标值 {target} 不大于 0，完成值 {fmt_q(b)} 未达到，无法按比例计分，得 0 分",
                met=False,
                arithmetic=False,
            )
        ratio = bv / av
        weight = x.weight
        raw = min(ONE, max(ZERO, ratio)) * weight
        relation = "超出" if ratio > 1 else "未达"  # an equal (=) target missed from above
        text = Text(
            lambda: (
                f"完成值 {fmt_q(b)} {relation}指标值 {target}，按完成比例计分：{fmt(bv)} ÷ {fmt(av)} × {fmt(weight)}"
            )
        )
        return Outcome(raw, "ratio", text, met=False, ratio=ratio, value=ratio * weight)
    # reverse: lower is better, actual above the target
    if av <= 0:
        return Outcome(
            ZERO,
            "nonpositive_target",
            f"指标值 {target} 不大于 0，完成值 {fmt_q(b)} 超出，得 0 分",
            met=False,
            arithmetic=False,
        )
    ratio = bv / av
    if p.reverse == "target_over_actual":
        weight = x.weight
        if bv <= 0:
            # Only a target the rule reads against its comparator (direction: reverse on ≥)
            # gets here: nothing is spent, so the ceiling is kept; target ÷ 0 has no value.
            kept = f"完成值 {fmt_q(b)} 不大于 0（反向指标，越低越好），未超出指标值 {target}，得满分 {fmt(weight)}"
            return Outcome(weight, "reverse_ratio", kept, met=False, ratio=ratio, arithmetic=False)
        raw = min(ONE, av / bv) * weight
        over = Text(
            lambda: (
                f"完成值 {fmt_q(b)} 超出指标值 {target}（反向指标），按 指标值 ÷ 完成值 计分：{fmt(av)} ÷ {fmt(bv)} × {fmt(weight)}"
            )
        )
        return Outcome(raw, "reverse_ratio", over, met=False, ratio=ratio)
    raw = max(ZERO, ONE - (bv - av) / av) * x.weight
    line = "reverse_linear" if raw > 0 else "reverse_linear_zero"
    if raw == 0:
        doubled = f"完成值 {fmt_q(b)} 达到或超过指标值 {target} 的 2 倍（反向指标），得 0 分"
        return Outcome(ZERO, line, doubled, met=False, ratio=ratio, arithmetic=False)
    linear = f"完成值 {fmt_q(b)} 超出指标值 {target}（反向指标），按超出比例线性扣减，至 2 倍指标值为 0：(1 − ({fmt(bv)} − {fmt(av)}) ÷ {fmt(av)}) × {fmt(x.weight)}"
    return Outcome(raw, line, linear, met=False, ratio=ratio)


def _score_range(target: Target, b: Quantity, weight: Decimal) -> Outcome:
    interval = target.interval
    assert interval is not None
    if interval.contains(b):
        return Outcome(weight, "met", _met_text(b, target, weight), met=True, arithmetic=False)
    low, high = interval.low, interval.high
    if low is not None and b.base < low.base and low.base > 0:
        ratio = b.base / low.base
        raw = max(ZERO, ratio) * weight
        text = f"完成值 {fmt_q(b)} 低于区间 {target} 下限，按比例计分：{fmt(b.value)} ÷ {fmt(low.value)} × {fmt(weight)}"
        return Outcome(raw, "below_range", text, met=False, ratio=ratio)
    if high is not None and b.base > high.base and high.base > 0:
        raw = min(ONE, high.base / b.base) * weight
        text = f"完成值 {fmt_q(b)} 高于区间 {target} 上限，按 上限 ÷ 完成值 计分：{fmt(high.value)} ÷ {fmt(b.value)} × {fmt(weight)}"
        return Outcome(raw, "above_range", text, met=False)
    return Outcome(
        ZERO,
        "outside_range",
        f"完成值 {fmt_q(b)} 不在区间 {target} 内，得 0 分",
        met=False,
        arithmetic=False,
    )


# ---------------------------------------------------------------- threshold


@attrs.frozen
class ThresholdParams:
    otherwise: Decimal = ZERO


def _parse_threshold(raw: Mapping[str, Any], r: Reader, at: JsonPath, ip: Sequence[str]) -> Any:
    otherwise = r.nonnegative(raw.get("else", "0"), (*at, "else"), ip, what="未达标得分")
    return ThresholdParams(otherwise=otherwise if otherwise is not None else ZERO)


def _score_threshold(p: ThresholdParams, x: ScoreInput) -> Outcome:
    target = x.target
    if target is not None and target.op == "qualitative":
        met = x.word is not None and _same(x.word, str(target))
    else:
        _, b = _need_quantity(x, "达标计分")
        assert target is not None
        met = target.is_met(b)
    shown = x.word if x.actual is None else fmt_q(x.actual)
    if met:
        return Outcome(
            x.weight,
            "met",
            f"完成值 {shown} 达到指标值 {target}，全部得分 {fmt(x.weight)}",
            met=True,
            arithmetic=False,
        )
    raw = min(p.otherwise, x.weight)
    return Outcome(
        raw,
        "unmet",
        f"完成值 {shown} 未达到指标值 {target}，按达标与否计分，得 {fmt(raw)}",
        met=False,
        arithmetic=False,
    )


def _same(a: str, b: str) -> bool:
    return "".join(a.split()) == "".join(b.split())
