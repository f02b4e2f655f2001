"""The grammar of numbers, quantities and intervals as people write them (“≥95%”, “90%-100%”, “[1,
3)”), and the parsers that read them.
"""

from __future__ import annotations

import re
from decimal import Decimal

from ..errors import InputTypeError, UnitError
from .numbers import ACCEPTED_NUMBERS, NumberProblem, fold, parse_decimal, scan_decimal
from .quantity import (
    _MAX_QUANTITATIVE_LENGTH,
    _PREFIXES,
    _SUFFIXES,
    ACCEPTED_TARGETS,
    Interval,
    Quantity,
    _adopt,
    _alternatives,
    _order_problem,
    _Problem,
)
from .units import ACCEPTED_UNITS, lookup_unit

__all__ = ["parse_interval", "parse_number", "parse_quantity"]

# A number as it may appear inside a target: loose on purpose (``1,2,3``, ``1e5``, ``5.``) so
# that scan_decimal, not the grammar, says what is wrong with it.
_NUM = r"[-+]?(?:[0-9][0-9,]*(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?"
# A unit as written: no digits (except m2/m3), spaces, brackets, comparators or separators;
# looked up afterwards, so an unknown unit gets its own message.
_UNIT = r"(?:[mM][23]|[^\s0-9()\[\]<>=≥≤~,+\-])*?"

# The quantity grammar: number, then the unit (possibly none).
_QUANTITY_RE = re.compile(
    rf"""
    \s*(?P<num>{_NUM})      # 4073.53, checked by scan_decimal
    \s*(?P<unit>{_UNIT})    # 万元, %, 次 … (empty: a plain number)
    \s*
    """,
    re.VERBOSE,
)
# A prefix comparator at the start (≥, 不低于, …).
_PREFIX_RE = re.compile(_alternatives(_PREFIXES))
# The tail of a comparison: a suffix comparator and/or its (含)/(不含) qualifier, at the end.
_TAIL_RE = re.compile(
    rf"""
    (?P<suffix>{_alternatives(_SUFFIXES)})?   # 以上 以下 以内 以外 …
    \s*(?P<qual>\((?:不含|含)(?:本数)?\))?    # (含) (不含) (含本数) (不含本数)
    \s*$
    """,
    re.VERBOSE,
)
# A range: two quantities joined by a separator. Both ends are included.
_RANGE_RE = re.compile(
    rf"""
    \s*(?P<lnum>{_NUM})\s*(?P<lunit>{_UNIT})   # low end: 90%
    \s*(?P<sep>~|-|—|–|至|到)                   # 90%-100%  90%~100%  90%至100%
    \s*(?P<hnum>{_NUM})\s*(?P<hunit>{_UNIT})   # high end: 100%
    \s*
    """,
    re.VERBOSE,
)
# Interval notation: brackets say whether each end is included.
_INTERVAL_RE = re.compile(
    r"""
    \s*(?P<open>[\[(])          # [ includes the low end, ( excludes it
    (?P<body>[^\[\]()]*)        # low, high (split at the comma that reads)
    (?P<close>[\])])?           # ] includes the high end, ) excludes it
    \s*
    """,
    re.VERBOSE,
)
# An infinite interval end.
_INFINITY_RE = re.compile(r"\s*(?P<sign>[-+])?\s*(?:∞|inf|infinity)\s*", re.IGNORECASE)

_INTENT_CHARS = frozenset("0123456789+-.,%‰~∞[]()/eE—–至到")


# ---------------------------------------------------------------- parsing


def parse_number(text: str) -> Decimal:
    """A plain number (``1,234.5``, ``１２３``); TargetSyntaxError with a caret otherwise."""
    return parse_decimal(text)


def parse_quantity(text: str) -> Quantity:
    """A number with an optional unit: ``4073.53万元``, ``98%``, ``300 公里``, ``150万``."""
    folded = _text_arg(text, "数值")
    try:
        start, end = _strip_bounds(folded)
        if start == end:
            raise _Problem("为空", (0, 0))
        if end - start > _MAX_QUANTITATIVE_LENGTH:
            raise _Problem(f"过长（超过 {_MAX_QUANTITATIVE_LENGTH} 个字符）", (start, end))
        return _quantity_in(folded, start, end)
    except _Problem as problem:
        problem.accepted = f"{ACCEPTED_NUMBERS}；单位：{ACCEPTED_UNITS}"
        raise problem.error(text, what="数值") from None


def parse_interval(text: str) -> Interval:
    """Interval notation: ``[80%, 100%]``, ``(0, 10%]``, ``(30%, +∞)``, ``[0, 60%)``."""
    folded = _text_arg(text, "区间")
    try:
        start, end = _strip_bounds(folded)
        if end - start > _MAX_QUANTITATIVE_LENGTH:
            raise _Problem(f"过长（超过 {_MAX_QUANTITATIVE_LENGTH} 个字符）", (start, end))
        if start == end or folded[start] not in "[(":
            raise _Problem(
                "区间应写作 [下限, 上限]，方括号包含端点、圆括号不包含", (start, start + 1)
            )
        return _read_interval(folded, start, end)
    except _Problem as problem:
        problem.accepted = "[80%, 100%]、[60%, 80%)、(0, 10%]、(30%, +∞)、[0, 0]"
        raise problem.error(text, what="区间") from None


def _text_arg(text: object, what: str) -> str:
    if not isinstance(text, str):
        raise InputTypeError(
            f"{what}应为字符串，实际为 {type(text).__name__}", value=text, expected="字符串"
        )
    return fold(text)


def _strip_bounds(s: str, start: int = 0, end: int | None = None) -> tuple[int, int]:
    end = len(s) if end is None else end
    while start < end and s[start].isspace():
        start += 1
    while end > start and s[end - 1].isspace():
        end -= 1
    return start, end


def _quantity_in(s: str, start: int, end: int) -> Quantity:
    """The quantity written in ``s[start:end]`` (already stripped), or a precise _Problem."""
    start, end = _strip_bounds(s, start, end)
    if start == end:
        raise _Problem("缺少数值", (start, start))
    m = _QUANTITY_RE.fullmatch(s, start, end)
    if m is None:
        num = re.compile(_NUM).match(s, start, end)
        if num is None:
            stop = start
            while stop < end and not s[stop].isspace():
                stop += 1
            word = s[start:stop]
            if re.fullmatch(r"[-+]?(?:nan|inf(?:inity)?|∞)\S*", word, re.IGNORECASE):
                raise _Problem("不接受 NaN 或无穷大，请写出具体数字", (start, stop))
            raise _Problem(f"应为数值，实际为“{s[start:end]}”", (start, end))
        _number(s, num.start(), num.end())
        unit_start = _strip_bounds(s, num.end(), end)[0]
        if s[unit_start] == ".":
            raise _Problem("小数点重复", (unit_start, unit_start + 1))
        raise _unit_problem(s, unit_start, end)
    value = _number(s, *m.span("num"))
    unit = None
    if m["unit"]:
        unit = lookup_unit(m["unit"])
        if unit is None:
            raise _unit_problem(s, *m.span("unit"))
    return Quantity(value, unit)


def _number(s: str, start: int, end: int) -> Decimal:
    try:
        return scan_decimal(s, start, end)
    except NumberProblem as problem:
        raise _Problem(problem.message, problem.span, accepted=ACCEPTED_NUMBERS) from None


def _unit_problem(s: str, start: int, end: int) -> _Problem:
    text = s[start:end]
    if text[:1] in ("~", "-", "—", "–", "至", "到"):
        return _Problem(
            "范围写法不完整，应写作 90%-100% 或 90%～100%", (start, end), accepted=ACCEPTED_TARGETS
        )
    for cut in range(len(text) - 1, 0, -1):
        if lookup_unit(text[:cut]) is not None and not any(_is_cjk(c) for c in text[cut:]):
            return _Problem(
                f"单位“{text[:cut]}”后有多余的内容“{text[cut:]}”",
                (start + cut, end),
                accepted=ACCEPTED_UNITS,
            )
    return _Problem(f"无法识别的单位“{text}”", (start, end), accepted=ACCEPTED_UNITS)


def _is_cjk(ch: str) -> bool:
    return "\u3400" <= ch <= "\u9fff"


def _read_range(s: str, m: re.Match[str]) -> Interval:
    low = _quantity_in(s, m.start("lnum"), m.end("lunit"))
    high = _quantity_in(s, m.start("hnum"), m.end("hunit"))
    return _make_interval(s, (m.start("lnum"), m.end("hunit")), low, high, closed=(True, True))


def _read_interval(s: str, start: int, end: int) -> Interval:
    m = _INTERVAL_RE.fullmatch(s, start, end)
    if m is None:
        bad = start + 1
        while bad < end and s[bad] not in "[]()":
            bad += 1
        if s[bad] in "])":  # the first closer is fine: the extra text comes after it
            bad = _strip_bounds(s, bad + 1, end)[0]
        raise _Problem("区间应写作 [下限, 上限]，括号多余或位置不对", (bad, bad + 1))
    if m["close"] is None:
        raise _Problem("区间缺少右括号“]”或“)”", (end, end))
    body_start, body_end = m.span("body")
    commas = [i for i in range(body_start, body_end) if s[i] == ","]
    if not commas:
        raise _Problem("区间应写作 [下限, 上限]：缺少逗号", (body_start, body_end))
    first: _Problem | None = None
    for comma in commas:
        try:
            low = _end_in(s, body_start, comma, low=True)
            high = _end_in(s, comma + 1, body_end, low=False)
        except _Problem as problem:
            first = first or problem
            continue
        closed = (m["open"] == "[", m["close"] == "]")
        return _make_interval(s, (start, end), low, high, closed=closed)
    assert first is not None
    raise first


def _end_in(s: str, start: int, end: int, *, low: bool) -> Quantity | None:
    inf = _INFINITY_RE.fullmatch(s, start, end)
    if inf is None:
        return _quantity_in(s, start, end)
    sign = inf["sign"]
    if low and sign != "-":
        raise _Problem("下限只能是 -∞", _strip_bounds(s, start, end))
    if not low and sign == "-":
        raise _Problem("上限只能是 +∞", _strip_bounds(s, start, end))
    return None


def _make_interval(
    s: str,
    span: tuple[int, int],
    low: Quantity | None,
    high: Quantity | None,
    *,
    closed: tuple[bool, bool],
) -> Interval:
    if low is not None and high is not None:
        try:
            a, b = _adopt(low, high), _adopt(high, low)
        except UnitError as err:
            raise _Problem(err.message, span) from None
        if a.family != b.family:
            raise _Problem(
                f"两端的单位“{a.unit or '无单位'}”与“{b.unit or '无单位'}”不是同一类计量", span
            )
        problem = _order_problem(a, b, *closed)
        if problem is not None:
            raise _Problem(problem, span)
    return Interval(low, high, *closed)
