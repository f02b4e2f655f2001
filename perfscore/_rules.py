"""The rule kinds: a registry of small functions, one pair (parse, score) per kind.

Modelled on jsonschema's ``_keywords``: each kind reads its parameters once at build time
(``parse``, all numbers as ``Decimal``, errors located by the caller's :class:`Reader`) and scores
one leaf at evaluation time (``score``), returning an :class:`Outcome` that says which line of
the rule fired and shows the arithmetic. No number here is a default of the domain: every
threshold, step and share comes from the template.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from typing import Any

import attrs

from ._dates import met as deadline_met
from ._dates import read_deadline, read_point
from ._formula import Formula, compile_formula
from ._lazy import Text
from ._qualitative import Unmatched, match_answer
from ._reader import JsonPath, Reader, suggest
from ._text import fmt, fmt_q
from .errors import EvaluationError, PerfscoreError
from .targets import Interval, Quantity, Target, parse_interval

__all__ = ["KINDS", "Outcome", "RuleKind", "ScoreInput"]

ZERO = Decimal(0)
ONE = Decimal(1)


@attrs.define  # made for every leaf of every form: plain slots, no frozen set-up cost
class ScoreInput:
    """What a rule sees when it scores one leaf (rules only read it)."""

    weight: Decimal  # effective weight (after 不适用 rescaling)
    target: Target | None
    actual: Quantity | None  # the actual as a quantity, in the target's unit where it has one
    word: str | None  # the actual as text, for qualitative rules
    items: tuple[str, ...] | None  # checklist items present
    given: Decimal | None  # a score stated in the form (manual, tiers)
    tier: str | None  # a tier stated in the form
    values: Mapping[str, Decimal]  # inputs, computed values and budget figures, for formulas
    named: Callable[[str], Quantity | None]  # the same values as quantities in their units
    budget: Mapping[str, Quantity]
    places: int


@attrs.define  # one per leaf per form, as ScoreInput
class Outcome:
    """What a rule decided: the unrounded score and why (never changed once made)."""

    raw: Decimal
    line: str  # stable id of what fired: "met", "ratio", "tier:达成", "band:2", "cap" …
    explanation: str | Text  # Text: rendered only when read (see perfscore._lazy)
    met: bool | None = None
    ratio: Decimal | None = None
    arithmetic: bool = True  # whether the explanation ends in an expression to show "= x → y"
    #: The expression's own value when the rule limited it to get ``raw`` (2 × 2 = 4, but the
    #: weight is 3): the explanation shows both. None: the expression's value is ``raw``.
    value: Decimal | None = None
    flags: tuple[str, ...] = ()
    tier: str | None = None
    status: str | None = None  # overrides the status derived from the score (tiers)


Parser = Callable[[Mapping[str, Any], Reader, JsonPath, Sequence[str]], Any]
Scorer = Callable[[Any, ScoreInput], Outcome]


@attrs.frozen
class RuleKind:
    name: str
    title: str
    parse: Parser
    score: Scorer
    needs_actual: bool = True
    #: For rules that may score a named value instead of the actual (bands ``of``).
    reads: Callable[[Any], str | None] | None = None


def _fail(message: str, **kwargs: Any) -> EvaluationError:
    return EvaluationError(message, **kwargs)


def _need_quantity(x: ScoreInput, what: str) -> tuple[Quantity, Quantity]:
    if x.target is None or x.target.quantity is None:
        raise _fail(f"{what}需要定量的指标值", value=x.target, expected="如 ≥10次、≤90万元")
    if x.actual is None:
        raise _fail(f"{what}需要数值型的实际完成值", value=x.word, expected="如 18次、95%")
    return x.target.quantity, x.actual


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


# ---------------------------------------------------------------- tiers


@attrs.frozen
class Tier:
    name: str
    range: Interval  # shares of the weight, or points when the ends have no unit
    words: tuple[str, ...]


@attrs.frozen(cache_hash=True)  # hashed once: it keys the cache of score ranges per weight
class TiersParams:
    tiers: tuple[Tier, ...]
    pick: str = "top"
    same_word: str | None = None
    #: words this short match only a whole answer (优 良 中 差 是 否), see perfscore._qualitative
    whole_answer_length: int = 1
    #: a completion percentage in the answer (完成80%) is the score's share of the weight
    percent_as_ratio: bool = False
    #: deadline targets (9月前): whether 前 excludes the named month/day
    deadline_before: str = "inclusive"
    #: the tier of an actual later than its deadline (None: the lowest tier)
    deadline_unmet: str | None = None


PICKS = ("top", "middle", "bottom")


def _parse_interval(value: Any, r: Reader, at: JsonPath, ip: Sequence[str]) -> Interval | None:
    try:
        return parse_interval(str(value))
    except PerfscoreError as err:
        r.add(err, at, ip)
        return None


def _over_full(q: Quantity | None) -> bool:
    """A share of the weight above 100% (a score can never exceed the full mark)."""
    return q is not None and q.unit is not None and q.unit.family == "ratio" and q.base > ONE


def _score_interval(
    value: Any, r: Reader, at: JsonPath, ip: Sequence[str], *, what: str
) -> Interval | None:
    """An interval of scores (shares of the weight or points): no end above 100% or below 0."""
    interval = _parse_interval(value, r, at, ip)
    if interval is None:
        return None
    ends = [q for q in (interval.low, interval.high) if q is not None]
    if any(_over_full(q) for q in ends) or any(q.value < 0 for q in ends):
        r.fail(
            f"{what}“{value}”超出 0～100% 分值：得分不能超过满分，也不能为负",
            at,
            ip,
            value=value,
            expected="如 [80%, 100%]",
        )
        return None
    return interval


def _parse_tiers(raw: Mapping[str, Any], r: Reader, at: JsonPath, ip: Sequence[str]) -> Any:
    tiers: list[Tier] = []
    for i, item in enumerate(raw.get("tiers") or ()):
        if not isinstance(item, Mapping):
            continue
        interval = _score_interval(
            item.get("range"), r, (*at, "tiers", i, "range"), ip, what="档次范围"
        )
        words = tuple(str(w) for w in item.get("words") or ())
        if interval is not None:
            tiers.append(Tier(name=str(item.get("name")), range=interval, words=words))
    if not tiers:
        r.fail("分档规则至少需要一个档次", (*at, "tiers"), ip)
    names = [t.name for t in tiers]
    same = raw.get("same_word", names[0] if names else None)
    if same is not None and same not in names:
        r.fail(
            "“same_word”应为某一档次的名称",
            (*at, "same_word"),
            ip,
            value=same,
            hint=suggest(str(same), names),
        )
        same = None
    _check_cover([t.range for t in tiers], r, (*at, "tiers"), ip, what="档次")
    late = raw.get("deadline_unmet")
    if late is not None and late not in names:
        r.fail(
            "“deadline_unmet”应为某一档次的名称",
            (*at, "deadline_unmet"),
            ip,
            value=late,
            hint=suggest(str(late), names),
        )
        late = None
    return TiersParams(
        tiers=tuple(tiers),
        pick=_choice(raw, "pick", PICKS, "top", r, at, ip),
        same_word=same,
        whole_answer_length=_small_int(raw, "whole_answer_length", 1, r, at, ip),
        percent_as_ratio=raw.get("percent_as_ratio") is True,
        deadline_before=_choice(
            raw, "deadline_before", ("inclusive", "exclusive"), "inclusive", r, at, ip
        ),
        deadline_unmet=None if late is None else str(late),
    )


def _small_int(
    raw: Mapping[str, Any], key: str, default: int, r: Reader, at: JsonPath, ip: Sequence[str]
) -> int:
    value = raw.get(key)
    if value is None:
        return default
    text = str(value).strip()
    if not text.isdigit() or int(text) > 10:
        r.fail(f"“{key}”应为 0～10 的整数", (*at, key), ip, value=value, expected="如 1")
        return default
    return int(text)


def _bounds(interval: Interval, weight: Decimal, places: int) -> tuple[Decimal, Decimal]:
    """The lowest and highest score a tier/range allows, at the rounding precision."""
    step = Decimal(1).scaleb(-places)
    low = _points(interval.low, weight) if interval.low is not None else ZERO
    high = _points(interval.high, weight) if interval.high is not None else weight
    if interval.low is not None and not interval.low_closed:
        low += step
    if interval.high is not None and not interval.high_closed:
        high -= step
    return low, min(high, weight)


def _points(q: Quantity, weight: Decimal) -> Decimal:
    """An interval end: a share of the weight when written as %, else points."""
    return q.base * weight if q.unit is not None and q.unit.family == "ratio" else q.value


def _match_tier(p: TiersParams, x: ScoreInput) -> tuple[Tier, str, Decimal | None]:
    """The tier, why, and the share of the weight a completion percentage gives (or None)."""
    by_name = {t.name: t for t in p.tiers}
    if x.tier is not None:
        if x.tier not in by_name:
            raise _fail(
                f"档次“{x.tier}”不在模板规定的档次中",
                value=x.tier,
                expected="、".join(by_name),
                hint=suggest(x.tier, by_name),
            )
        return by_name[x.tier], f"表中注明档次“{x.tier}”", None
    word = x.word if x.word is not None else (fmt_q(x.actual) if x.actual is not None else None)
    if word is None:
        raise _fail("定性指标缺少实际完成情况", expected="如 达成、已完成、较大改善")
    if x.target is not None and p.same_word is not None and _same(word, str(x.target)):
        return by_name[p.same_word], f"完成情况“{word}”与指标值相同", None
    lowest = _lowest(p)
    dated = _deadline_tier(p, x, word, lowest)
    if dated is not None:
        return (*dated, None)
    shares = _shares(p)
    found = match_answer(
        word,
        [t.words for t in p.tiers],
        [t.name for t in p.tiers],
        lowest=lowest,
        whole_answer_length=p.whole_answer_length,
        percent_as_ratio=p.percent_as_ratio,
        ranges=shares,
    )
    if isinstance(found, Unmatched):
        maybe = "、".join(found.maybe)
        shown = 6  # words shown per tier; the template lists them all
        words = "；".join(
            f"{t.name}：{'、'.join(t.words[:shown])}{' 等' if len(t.words) > shown else ''}"
            for t in p.tiers
        )
        raise _fail(
            found.why,
            value=word,
            expected=f"包含模板列出的词语（{words}），或在表中注明 tier",
            hint=f"可能属于：{maybe}档，请核实后在表中注明 tier" if maybe else None,
        )
    tier = p.tiers[found.tier]
    return tier, found.why, found.share


@functools.lru_cache(maxsize=256)
def _shares(p: TiersParams) -> tuple[tuple[Decimal, Decimal], ...]:
    """Each tier's range as shares of the weight (points read against a weight of 1)."""
    return tuple(_share_bounds(t.range) for t in p.tiers)


def _share_bounds(interval: Interval) -> tuple[Decimal, Decimal]:
    low = interval.low.base if interval.low is not None and interval.low.unit is not None else ZERO
    high = (
        interval.high.base if interval.high is not None and interval.high.unit is not None else ONE
    )
    return low, high


def _lowest(p: TiersParams) -> int:
    shares = _shares(p)
    return min(range(len(p.tiers)), key=lambda i: (shares[i][0], shares[i][1], -i))


def _deadline_tier(
    p: TiersParams, x: ScoreInput, word: str, lowest: int
) -> tuple[Tier, str] | None:
    """A deadline target (9月前) against a dated actual (7月): on time → top, late → unmet."""
    if x.target is None or x.target.op != "qualitative":
        return None
    deadline = read_deadline(str(x.target))
    if deadline is None:
        return None
    point = read_point(word, every_month=deadline.every_month)
    if point is None:
        return None  # 按时, 已完成 …: read as words
    exclusive = p.deadline_before == "exclusive"
    on_time = deadline_met(deadline, point, exclusive=exclusive)
    if on_time:
        top = max(range(len(p.tiers)), key=lambda i: (_shares(p)[i][1], _shares(p)[i][0], -i))
        return p.tiers[top], f"完成时间“{word}”不晚于时限“{deadline.text}”"
    late = p.deadline_unmet
    tier = next((t for t in p.tiers if t.name == late), p.tiers[lowest])
    return tier, f"完成时间“{word}”晚于时限“{deadline.text}”"


@functools.lru_cache(maxsize=1024)
def _tier_table(
    p: TiersParams, weight: Decimal, places: int
) -> dict[str, tuple[Decimal, Decimal, str]]:
    """Each tier's (lowest score, highest score, status) for this weight; the same for every
    form, so computed once. 达成 for the highest tier, 未达成 for the lowest, 部分达成 between."""
    bounds = {t.name: _bounds(t.range, weight, places) for t in p.tiers}
    lows = [low for low, _high in bounds.values()]
    table: dict[str, tuple[Decimal, Decimal, str]] = {}
    for name, (low, high) in bounds.items():
        if len(p.tiers) > 1 and low == min(lows):
            status = "未达成"
        else:
            status = "达成" if low == max(lows) else "部分达成"
        table[name] = (low, high, status)
    return table


def _score_tiers(p: TiersParams, x: ScoreInput) -> Outcome:
    tier, why, share = _match_tier(p, x)
    low, high, status = _tier_table(p, x.weight, x.places)[tier.name]
    if share is not None and x.given is None:
        raw = min(max(share * x.weight, low), high)
        return Outcome(
            raw,
            f"tier:{tier.name}",
            f"{why}，属“{tier.name}”档（{fmt(low)}～{fmt(high)} 分），"
            f"按完成比例 {fmt(share * 100)}% × {fmt(x.weight)}",
            met=False,  # a completion percentage is only read below 100%
            ratio=share,
            arithmetic=False,
            tier=tier.name,
            status="部分达成" if status == "达成" else status,
        )
    top = status == "达成"
    if x.given is not None:
        if low <= x.given <= high:
            return Outcome(
                x.given,
                f"tier:{tier.name}",
                f"{why}，属“{tier.name}”档（{fmt(low)}～{fmt(high)} 分），采用表中评分 {fmt(x.given)}",
                met=top,
                arithmetic=False,
                tier=tier.name,
                status=status,
            )
        flags: tuple[str, ...] = ("score_outside_tier",)
    else:
        flags = ()
    raw = {"top": high, "bottom": low, "middle": (low + high) / 2}[p.pick]
    pick = {"top": "取档次上限", "bottom": "取档次下限", "middle": "取档次中值"}[p.pick]
    given = x.given

    def render() -> str:
        text = f"{why}，属“{tier.name}”档（{fmt(low)}～{fmt(high)} 分），{pick}"
        if flags:
            text += f"；表中评分 {fmt(given or ZERO)} 不在该档范围内，未采用"
        return text

    return Outcome(
        raw,
        f"tier:{tier.name}",
        Text(render),
        met=top,
        arithmetic=False,
        flags=flags,
        tier=tier.name,
        status=status,
    )


# ---------------------------------------------------------------- bands


@attrs.frozen
class Band:
    range: Interval
    score: Quantity  # share of weight (%) or points


@attrs.frozen
class BandsParams:
    bands: tuple[Band, ...]
    of: str = "actual"


def _parse_bands(raw: Mapping[str, Any], r: Reader, at: JsonPath, ip: Sequence[str]) -> Any:
    bands: list[Band] = []
    for i, item in enumerate(raw.get("bands") or ()):
        if not isinstance(item, Mapping):
            continue
        interval = _parse_interval(item.get("range"), r, (*at, "bands", i, "range"), ip)
        score = r.quantity(item.get("score"), (*at, "bands", i, "score"), ip, what="得分")
        if score is not None and score.value < 0:
            r.fail("区间得分不能为负数", (*at, "bands", i, "score"), ip, value=item.get("score"))
            score = None
        elif _over_full(score):
            r.fail(
                "区间得分超过 100%：得分不能超过满分",
                (*at, "bands", i, "score"),
                ip,
                value=item.get("score"),
                expected="0～100% 或分数",
            )
            score = None
        if interval is not None and score is not None:
            bands.append(Band(range=interval, score=score))
    if not bands:
        r.fail("区间计分规则至少需要一个区间", (*at, "bands"), ip)
    _check_cover([b.range for b in bands], r, (*at, "bands"), ip, what="区间")
    of = str(raw.get("of", "actual"))
    if of != "actual" and of not in r.names:
        r.fail(
            f"“of”引用的“{of}”未在 inputs 或 computed 中声明",
            (*at, "of"),
            ip,
            value=of,
            expected="actual 或已声明的输入项、计算项",
            hint=suggest(of, r.names),
        )
    return BandsParams(bands=tuple(bands), of=of)


def _check_cover(
    intervals: list[Interval], r: Reader, at: JsonPath, ip: Sequence[str], *, what: str
) -> None:
    """Adjacent intervals (sorted by their low end) must neither overlap nor leave a gap."""
    from .targets import intervals_gap_or_overlap

    problem = intervals_gap_or_overlap(intervals)
    if problem is not None:
        r.fail(f"{what}表{problem}", at, ip, expected=f"{what}首尾相接、不重叠、无空隙")


def _score_bands(p: BandsParams, x: ScoreInput) -> Outcome:
    q = x.actual if p.of == "actual" else x.named(p.of)
    if q is None:
        what = "实际完成值" if p.of == "actual" else f"“{p.of}”"
        raise _fail(f"区间计分需要数值型的{what}", value=x.word, expected="如 18次、95%")
    for i, band in enumerate(p.bands, 1):
        if band.range.contains(q):
            pts = min(_points(band.score, x.weight), x.weight)
            share = (
                f"{fmt_q(band.score)} × {fmt(x.weight)}"
                if band.score.unit is not None
                else f"{fmt(pts)} 分"
            )
            text = f"数值 {fmt_q(q)} 落在第 {i} 个区间 {band.range}，得 {share}"
            return Outcome(
                pts, f"band:{i}", text, met=pts >= x.weight, arithmetic=band.score.unit is not None
            )
    ranges = "、".join(str(b.range) for b in p.bands)
    raise _fail(f"数值 {fmt_q(q)} 不在任何计分区间内", value=fmt_q(q), expected=ranges)


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
    from .targets import same_family

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


KINDS: Mapping[str, RuleKind] = {
    k.name: k
    for k in (
        RuleKind(
            "execution_rate", "预算执行率", _parse_execution, _score_execution, needs_actual=False
        ),
        RuleKind("ratio", "比率计分", _parse_ratio, _score_ratio),
        RuleKind("threshold", "达标计分", _parse_threshold, _score_threshold),
        RuleKind("tiers", "定性分档", _parse_tiers, _score_tiers),
        RuleKind(
            "bands",
            "区间计分",
            _parse_bands,
            _score_bands,
            reads=lambda p: None if p.of == "actual" else p.of,
        ),
        RuleKind("deduction", "超限扣分", _parse_deduction, _score_deduction),
        RuleKind("checklist", "检查清单", _parse_checklist, _score_checklist),
        RuleKind("formula", "公式计分", _parse_formula, _score_formula, needs_actual=False),
        RuleKind("manual", "人工评分", _parse_manual, _score_manual, needs_actual=False),
    )
}
