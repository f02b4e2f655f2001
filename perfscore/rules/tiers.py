"""The ``tiers`` and ``bands`` rule kinds: scores by interval of the actual value."""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import attrs

from ..errors import PerfscoreError
from ..read.reader import Reader, suggest
from ..read.yaml_document import JsonPath
from ..text.dates import met as deadline_met
from ..text.dates import read_deadline, read_point
from ..text.display import fmt, fmt_q
from ..text.lazy import Text
from ..text.quantity import Interval, Quantity
from ..text.quantity_grammar import parse_interval
from .base import ONE, ZERO, Outcome, _fail
from .qualitative import Unmatched, match_answer
from .ratio import _choice, _same

if TYPE_CHECKING:
    from .base import ScoreInput

__all__ = []

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
    #: words this short match only a whole answer (优 良 中 差 是 否), see perfscore.rules.qualitative
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


def _tier_table(
    p: TiersParams, weight: Decimal, places: int
) -> dict[str, tuple[Decimal, Decimal, str]]:
    """Each tier's (lowest score, highest score, status) for this weight; the same for every
    form, so computed once. 达成 for the highest tier, 未达成 for the lowest, 部分达成 between."""
    # Keyed by the digits too: 5 and 5.0 are equal but write differently (raw_score 5 vs 5.0),
    # and a table made for one must not answer for the other.
    return _tier_table_of(p, weight, weight.as_tuple(), places)


@functools.lru_cache(maxsize=1024)
def _tier_table_of(
    p: TiersParams, weight: Decimal, _digits: object, places: int
) -> dict[str, tuple[Decimal, Decimal, str]]:
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
    from ..text.quantity import intervals_gap_or_overlap

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
