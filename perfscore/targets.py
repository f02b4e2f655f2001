"""Targets (年度指标值) and actual values (实际完成值), as people write them.

Reading
=======

Text is first *folded* one character to one character (full-width ``＞＝``, ``％``, ``１２``,
``（含）``, ``～`` and look-alikes ``≧ ≦ ⩾ ⩽ ﹦`` become ``>=``, ``%``, ``12``, ``(含)``, ``~``,
``≥``, ``≤``, ``=``), so positions in error messages are positions in what the user wrote.
Whitespace between the parts is ignored (``300 公里``, ``≥ 10 次``).

A target is one of::

    comparison  = [prefix] quantity [suffix [qualifier]]     ≥10次  不低于95%  10次以上(含)
    range       = quantity sep quantity                       90%-100%  90%～100%  90%至100%
    interval    = ("[" | "(") end "," end ("]" | ")")         [80%, 100%]  (0, 10%]  (30%, +∞)
    quantity    = number [unit]                               4073.53万元  98%  150万  0
    qualitative = anything else                               出台  未发生  每月15日前足额发放

- prefix (longest spelling wins, so 不超过 is ≤ while 超过 is >):
  ``>=`` ≥ ≧ ⩾ ＞＝ 大于等于 大于或等于 不低于 不少于 不小于;
  ``<=`` ≤ ≦ ⩽ 小于等于 小于或等于 不高于 不超过 不大于 不多于;
  ``=`` = == ＝ ﹦ 等于; ``>`` > ＞ 大于 高于 超过 多于; ``<`` < ＜ 小于 低于 少于 不满 不足.
- suffix (Chinese legal reading: 以上/以下/以内 include the number, 以外 excludes it):
  以上 及以上 或以上 → ``>=``; 以下 及以下 或以下 以内 之内 → ``<=``; 以外 → ``>``.
- qualifier after a suffix: ``(含)`` / ``(含本数)`` make it inclusive, ``(不含)`` /
  ``(不含本数)`` exclusive: ``100%以下(含)`` is ≤100%, ``100%以下(不含)`` is <100%.
- a quantity with no comparator means ``=`` (``100%`` → ``=100%``, flag ``implicit_equal``).
- sep: ``-`` ``~`` ``～`` ``—`` ``–`` 至 到. A range includes both ends.
- interval ends: a quantity, or ``-∞`` (low) / ``+∞`` ``∞`` (high); an infinite end is open.
  In a range or interval, an end written without a unit takes the other end's unit
  (``90-100%`` is ``[90%, 100%]``, ``(0, 10%]`` is ``(0%, 10%]``).

Qualitative text or a malformed target: the boundary
----------------------------------------------------

Text that reads under the grammar above is a quantitative target. Text that does not read is a
*malformed* target (:class:`~perfscore.errors.TargetSyntaxError`, with a caret under the
problem and the accepted spellings) when it shows quantitative intent, and otherwise a
*qualitative* target whose word is the text as written (stripped). Quantitative intent means,
after folding and stripping:

1. the text starts with a comparison symbol ``≥ ≤ > < =`` (in any spelling listed above); or
2. it ends with ``(含)`` / ``(不含)`` that does not follow 以上/以下/以内/以外; or
3. once a leading word comparator (不低于 …) and a trailing suffix/qualifier (以上, (含) …) are
   removed, what is left contains a digit or ``∞`` and consists only of digits, whitespace,
   the characters ``+ - . , % ‰ ~ ∞ [ ] ( ) / e E — –``, 至 到, and characters that occur
   in unit spellings (元 万 次 人 天 公 里 m k …, see ``_units.UNIT_CHARACTERS``): a number
   with something unit-like after it.

So ``≥``, ``≥abc%``, ``≥1,2,3次``, ``≥12%%``, ``>=<5``, ``12,34``, ``1e5``, ``90-``,
``[1, 2``, ``不低于12%%``, ``10次(含)``, ``90%-100次`` and ``18人天`` (人天 is not a known
unit) are errors, while ``出台``, ``年``, ``未发生``, ``下降100%``, ``100%完成``,
``2023年完成全部既定目标``, ``每月15日前足额发放``, ``12个月内完成``, ``不低于上年`` and
``不低于90%的水平`` are qualitative (they contain words that are neither numbers nor units).
Qualitative targets whose text contains digits carry the flag ``numeric_text`` so a reviewer
can look at them. Known limit: a word comparator followed by a number that happens to read as
a quantity is taken as one (``高于2022年`` is ``>2022年``).

Canonical form
==============

``str(target)`` is canonical and reads back to an equal target (``parse_target(str(t)) == t``):
``≥10次``, ``>92%``, ``≤4073.53万元``, ``=100%``, ranges always in interval notation
``[90%, 100%]`` (the only notation that can show open ends), qualitative targets as their word.
Numbers keep the digits as written (``100.0%`` stays ``100.0%``); unit aliases take their
canonical symbol (``百分比`` → ``%``, ``km`` → ``公里``, ``㎡`` → ``平方米``). A multi-word
qualitative target (only from :meth:`Target.from_mapping`) prints its words joined by ``、``,
which reads back as one word.

Actuals
=======

:func:`parse_actual` never raises for text it cannot read as a quantity: such text is a word
(``下降100%``, ``较大改善``). It only raises :class:`~perfscore.errors.UnitError` for a
readable quantity in a unit that cannot be compared with the target's (``18个`` against
``≥10次``). Special strings (compared after folding, stripping, removing inner whitespace and
lower-casing Latin letters):

- missing (``is_missing``): ``None``, empty/whitespace, ``-`` ``--`` ``---`` ``—`` ``——``
  ``–`` ``－``, 无数据 暂无数据 暂无 未填 未填报;
- not applicable (``is_not_applicable``): 不适用 不涉及 无此项 ``/`` ``／`` ``N/A`` ``NA``.

``无`` is *not* missing: it is a legitimate answer (no accidents happened) and stays a word.

Flags on an actual: ``repeated_comparator`` (written with a comparator, ``≧95%``: the number is
used), ``unit_inherited`` (a bare number, or one with only 万/亿, took the target's unit),
``unreadable`` (looked like a quantity but could not be read; kept as a word).

Comparing
=========

:class:`Quantity` compares exactly across units of one family (``1亿元 == 10000万元``) and
raises :class:`~perfscore.errors.UnitError` across families (``<`` etc.; ``==`` is simply
False). :meth:`Target.is_met` and :meth:`Interval.contains` are more forgiving in one way only:
a number written without a unit is read in the unit of the other side (target ``≥10`` met by
``12次``; band ``[0, 0]`` against ``0%``), and a number with only 万/亿 takes the matching
unit of that family (``150万`` against 万元 is 150万元).
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from fractions import Fraction
from typing import Any

import attrs

from ._numbers import (
    ACCEPTED_NUMBERS,
    NumberProblem,
    fold,
    parse_decimal,
    scan_decimal,
    to_decimal,
)
from ._units import (
    ACCEPTED_UNITS,
    FAMILY_NUMBER,
    UNIT_CHARACTERS,
    Unit,
    exact_decimal,
    family_of,
    incompatible,
    lookup_unit,
    unit_with_multiplier,
)
from ._units import convert as _convert
from .errors import InputTypeError, TargetSyntaxError, UnitError

__all__ = [
    "ACCEPTED_TARGETS",
    "COMPARATORS",
    "MISSING_TEXTS",
    "NOT_APPLICABLE_TEXTS",
    "OPS",
    "Actual",
    "Interval",
    "Quantity",
    "Target",
    "intervals_gap_or_overlap",
    "parse_actual",
    "parse_interval",
    "parse_number",
    "parse_quantity",
    "parse_target",
    "parse_target_parts",
    "same_family",
]

#: Every ``Target.op``.
OPS = (">=", ">", "<=", "<", "=", "range", "qualitative")
#: The comparator ops, with their canonical symbol in ``str(target)``.
COMPARATORS = {">=": "≥", ">": ">", "<=": "≤", "<": "<", "=": "="}

# Prefix comparator spellings (after folding) → op. Longest spelling is tried first.
_PREFIXES: dict[str, str] = {
    "≥": ">=",
    ">=": ">=",
    "大于等于": ">=",
    "大于或等于": ">=",
    "不低于": ">=",
    "不少于": ">=",
    "不小于": ">=",
    "≤": "<=",
    "<=": "<=",
    "小于等于": "<=",
    "小于或等于": "<=",
    "不高于": "<=",
    "不超过": "<=",
    "不大于": "<=",
    "不多于": "<=",
    "=": "=",
    "==": "=",
    "等于": "=",
    ">": ">",
    "大于": ">",
    "高于": ">",
    "超过": ">",
    "多于": ">",
    "<": "<",
    "小于": "<",
    "低于": "<",
    "少于": "<",
    "不满": "<",
    "不足": "<",
}
# Suffix spellings → op (legal reading: 以上/以下/以内 include the number, 以外 excludes it).
_SUFFIXES: dict[str, str] = {
    "以上": ">=",
    "及以上": ">=",
    "或以上": ">=",
    "以下": "<=",
    "及以下": "<=",
    "或以下": "<=",
    "以内": "<=",
    "之内": "<=",
    "以外": ">",
}
_INCLUSIVE = {">": ">=", ">=": ">=", "<": "<=", "<=": "<="}
_EXCLUSIVE = {">": ">", ">=": ">", "<": "<", "<=": "<"}
_SYMBOLS = "≥≤<>="

# Other names for ops in split columns (指标性质) and structured targets.
_OP_NAMES: dict[str, str] = {
    **{op: op for op in OPS},
    **_PREFIXES,
    "定性": "qualitative",
    "范围": "range",
    "区间": "range",
}

ACCEPTED_TARGETS = (
    "≥ ≧ >= 大于等于 不低于 不少于 不小于，或数值后加 以上/及以上；"
    "≤ ≦ <= 小于等于 不高于 不超过 不大于 不多于，或数值后加 以下/及以下/以内；"
    "= ﹦ 等于；> 大于 高于 超过 多于，或数值后加 以外；< 小于 低于 少于 不满 不足；"
    "以上/以下后可加 (含)/(不含)；范围 90%-100%、90%～100%、90%至100%，"
    "或区间 [90%, 100%]、(0, 10%]、(30%, +∞)。如 ≥10次、≤4073.53万元、100%以下(含)"
)

MISSING_TEXTS = frozenset(
    {"", "-", "--", "---", "—", "——", "–", "无数据", "暂无数据", "暂无", "未填", "未填报"}
)
NOT_APPLICABLE_TEXTS = frozenset({"不适用", "不涉及", "无此项", "/", "n/a", "na"})

_MAX_QUANTITATIVE_LENGTH = 200


def _alternatives(spellings: Iterable[str]) -> str:
    return "|".join(re.escape(s) for s in sorted(spellings, key=len, reverse=True))


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


class _Problem(Exception):
    """A reading failure at ``span`` of the folded text (turned into TargetSyntaxError)."""

    def __init__(
        self, message: str, span: tuple[int, int], *, accepted: str = ACCEPTED_TARGETS
    ) -> None:
        super().__init__(message)
        self.message = message
        self.span = span
        self.accepted = accepted

    def error(self, text: str, *, what: str = "指标值") -> TargetSyntaxError:
        return TargetSyntaxError(
            f"{what}“{text.strip()}”无法识别：{self.message}",
            text=text,
            span=self.span,
            accepted=self.accepted,
        )


# ---------------------------------------------------------------- Quantity


def _check_value(_inst: object, _attr: Any, value: Decimal) -> None:
    if isinstance(value, bool) or not isinstance(value, Decimal):
        raise InputTypeError(
            f"数值应为 Decimal，实际为 {type(value).__name__}",
            value=value,
            expected="Decimal（可用 Quantity.of 从字符串构造）",
        )
    if not value.is_finite():
        raise TargetSyntaxError("数值不能是 NaN 或无穷大", value=str(value), expected="有限的数字")


def _check_unit(_inst: object, _attr: Any, value: Unit | None) -> None:
    if value is not None and not isinstance(value, Unit):
        raise InputTypeError(
            f"单位应为 Unit 或 None，实际为 {type(value).__name__}",
            value=value,
            expected="Unit（可用 lookup_unit 查找）",
        )


def _fmt(value: Decimal) -> str:
    return format(value, "f")


@attrs.frozen(eq=False)
class Quantity:
    """An exact number with a unit (``None`` for a plain number).

    Equal when equal in value after conversion within one family (``1亿元 == 10000万元``);
    ``<`` ``<=`` ``>`` ``>=`` raise :class:`~perfscore.errors.UnitError` across families.
    ``str`` is canonical: ``4073.53万元``, ``98%``, ``18次``, ``150万``.
    """

    value: Decimal = attrs.field(validator=_check_value)
    unit: Unit | None = attrs.field(default=None, validator=_check_unit)

    @classmethod
    def of(cls, value: str | int | Decimal, unit: str | Unit | None = None) -> Quantity:
        """``Quantity.of("10", "次")``; floats are refused (InputTypeError)."""
        return cls(to_decimal(value), _unit_arg(unit))

    @property
    def family(self) -> str:
        """The unit family (``money``, ``ratio``, ``count:次`` …; ``number`` for no unit)."""
        return family_of(self.unit)

    @property
    def exact(self) -> Fraction:
        """The value in the family base, as an exact fraction."""
        return Fraction(self.value) * (1 if self.unit is None else self.unit.ratio)

    @property
    def base(self) -> Decimal:
        """The value in the family base (``4073.53万元`` → ``40735300``, ``98%`` → ``0.98``)."""
        if self.unit is None:
            return self.value
        return exact_decimal(self.exact)

    def to(self, unit: str | Unit | None) -> Quantity:
        """The same amount in another unit of the family (UnitError across families)."""
        target = _unit_arg(unit)
        return Quantity(_convert(self.value, self.unit, target), target)

    def _key(self, other: Quantity) -> tuple[Fraction, Fraction]:
        if self.family != other.family:
            raise incompatible(self.unit, other.unit, value=str(self))
        return self.exact, other.exact

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Quantity):
            return NotImplemented
        return self.family == other.family and self.exact == other.exact

    def __ne__(self, other: object) -> bool:
        if not isinstance(other, Quantity):
            return NotImplemented
        return not self == other

    def __hash__(self) -> int:
        return hash((self.family, self.exact))

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, Quantity):
            return NotImplemented
        a, b = self._key(other)
        return a < b

    def __le__(self, other: object) -> bool:
        if not isinstance(other, Quantity):
            return NotImplemented
        a, b = self._key(other)
        return a <= b

    def __gt__(self, other: object) -> bool:
        if not isinstance(other, Quantity):
            return NotImplemented
        a, b = self._key(other)
        return a > b

    def __ge__(self, other: object) -> bool:
        if not isinstance(other, Quantity):
            return NotImplemented
        a, b = self._key(other)
        return a >= b

    def __str__(self) -> str:
        return _fmt(self.value) + ("" if self.unit is None else self.unit.symbol)


def _unit_arg(unit: str | Unit | None) -> Unit | None:
    if unit is None or isinstance(unit, Unit):
        return unit
    if not isinstance(unit, str):
        raise InputTypeError(
            f"单位应为字符串或 Unit，实际为 {type(unit).__name__}", value=unit, expected="单位"
        )
    if not unit.strip():
        return None
    found = lookup_unit(unit)
    if found is None:
        raise TargetSyntaxError(
            f"无法识别的单位“{unit.strip()}”",
            text=unit,
            span=(0, len(unit)),
            expected="已知的单位",
            accepted=ACCEPTED_UNITS,
        )
    return found


def same_family(a: Quantity, b: Quantity) -> bool:
    """Whether ``a`` and ``b`` can be compared (their units are in one family)."""
    return a.family == b.family


def _adopt(q: Quantity, other: Quantity) -> Quantity:
    """``q`` read in ``other``'s unit when ``q`` was written without one (see module doc)."""
    if q.family != FAMILY_NUMBER or other.unit is None:
        return q
    if q.unit is None:
        return Quantity(q.value, other.unit)
    if other.family == FAMILY_NUMBER:
        return q
    unit = unit_with_multiplier(q.unit, other.unit)
    if unit is None:
        raise incompatible(q.unit, other.unit, value=str(q))
    return Quantity(q.value, unit)


def _compare(a: Quantity, b: Quantity) -> int:
    """-1, 0 or 1 for ``a`` against ``b``, reading unit-less sides in the other's unit."""
    if a.unit is b.unit:  # the usual case: same unit (or none), Decimals compare exactly
        return (a.value > b.value) - (a.value < b.value)
    a, b = _adopt(a, b), _adopt(b, a)
    x, y = a._key(b)
    return (x > y) - (x < y)


# ---------------------------------------------------------------- Interval


@attrs.frozen
class Interval:
    """A set of values between two ends, each included or not; ``None`` is an infinite end.

    ``str`` is interval notation: ``[80%, 100%]``, ``(0%, 10%]``, ``(30%, +∞)``, ``(-∞, 0]``.
    An end without a unit takes the other end's unit; an infinite end is always open.
    """

    low: Quantity | None = None
    high: Quantity | None = None
    low_closed: bool = True
    high_closed: bool = True

    def __attrs_post_init__(self) -> None:
        low, high = self.low, self.high
        for end in (low, high):
            if end is not None and not isinstance(end, Quantity):
                raise InputTypeError(
                    f"区间端点应为 Quantity 或 None，实际为 {type(end).__name__}",
                    value=end,
                    expected="Quantity",
                )
        if low is not None and high is not None:
            low, high = _adopt(low, high), _adopt(high, low)
            if low.family != high.family:
                raise incompatible(low.unit, high.unit, value=f"{low}, {high}")
            problem = _order_problem(low, high, self.low_closed, self.high_closed)
            if problem is not None:
                raise TargetSyntaxError(problem, value=_interval_text(self), expected="非空区间")
        object.__setattr__(self, "low", low)
        object.__setattr__(self, "high", high)
        # An infinite end is never included: normalise so equal sets compare equal.
        if low is None:
            object.__setattr__(self, "low_closed", False)
        if high is None:
            object.__setattr__(self, "high_closed", False)

    def contains(self, q: Quantity) -> bool:
        """Whether ``q`` lies in the interval (UnitError for a unit of another family)."""
        if self.low is not None:
            c = _compare(q, self.low)
            if c < 0 or (c == 0 and not self.low_closed):
                return False
        if self.high is not None:
            c = _compare(q, self.high)
            if c > 0 or (c == 0 and not self.high_closed):
                return False
        return True

    @property
    def unit(self) -> Unit | None:
        """The unit of the ends (of the low end when it has one)."""
        for end in (self.low, self.high):
            if end is not None and end.unit is not None:
                return end.unit
        return None

    def __str__(self) -> str:
        return _interval_text(self)


def _interval_text(i: Interval) -> str:
    low = "-∞" if i.low is None else str(i.low)
    high = "+∞" if i.high is None else str(i.high)
    return f"{'[' if i.low_closed else '('}{low}, {high}{']' if i.high_closed else ')'}"


def _order_problem(
    low: Quantity, high: Quantity, low_closed: bool, high_closed: bool
) -> str | None:
    c = _compare(low, high)
    if c > 0:
        return f"下限 {low} 大于上限 {high}"
    if c == 0 and not (low_closed and high_closed):
        return f"区间的两端都是 {low}，但不包含端点，区间为空"
    return None


def intervals_gap_or_overlap(intervals: Sequence[Interval]) -> str | None:
    """Why adjacent intervals (sorted by their low end) do not tile, or ``None`` if they do.

    The answer is a short Chinese phrase such as ``在 10% 处重叠`` or ``在 10% 与 20% 之间有空隙``.
    """
    if len(intervals) < 2:
        return None

    def low_key(i: Interval) -> tuple[int, Fraction, int]:
        if i.low is None:
            return (0, Fraction(0), 0)
        probe = _adopt(i.low, _first_unit_quantity(intervals) or i.low)
        return (1, probe.exact, 0 if i.low_closed else 1)

    try:
        ordered = sorted(intervals, key=low_key)
        for prev, nxt in itertools.pairwise(ordered):
            if prev.high is None:
                return f"区间 {prev} 与 {nxt} 重叠"
            if nxt.low is None:
                return f"区间 {prev} 与 {nxt} 重叠"
            c = _compare(prev.high, nxt.low)
            if c < 0:
                return f"在 {prev.high} 与 {nxt.low} 之间有空隙"
            if c > 0:
                return f"区间 {prev} 与 {nxt} 重叠"
            if prev.high_closed and nxt.low_closed:
                return f"在 {prev.high} 处重叠（{prev} 与 {nxt} 都包含该点）"
            if not prev.high_closed and not nxt.low_closed:
                return f"在 {prev.high} 处有空隙（{prev} 与 {nxt} 都不包含该点）"
    except UnitError as err:
        return f"中的单位不一致（{err.message}）"
    return None


def _first_unit_quantity(intervals: Sequence[Interval]) -> Quantity | None:
    for i in intervals:
        for end in (i.low, i.high):
            if end is not None and end.unit is not None:
                return end
    return None


# ---------------------------------------------------------------- Target


def _words(value: Iterable[str]) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    return tuple(value)


def _flags(value: Iterable[str]) -> tuple[str, ...]:
    return tuple(value)


@attrs.frozen
class Target:
    """A target (年度指标值): a comparison, a range, or qualitative words.

    ``op`` is one of :data:`OPS`. Comparisons (``>=`` ``>`` ``<=`` ``<`` ``=``) have ``value``;
    ``range`` has ``interval``; ``qualitative`` has ``words``. ``source`` (the text as
    written) and ``flags`` do not take part in equality. ``str`` is canonical and reads back.
    """

    op: str
    value: Quantity | None = None
    interval: Interval | None = None
    words: tuple[str, ...] = attrs.field(default=(), converter=_words)
    source: str | None = attrs.field(default=None, eq=False)
    flags: tuple[str, ...] = attrs.field(default=(), eq=False, converter=_flags)

    def __attrs_post_init__(self) -> None:
        problem = None
        if self.op not in OPS:
            problem = f"未知的比较方式“{self.op}”"
        elif self.op in COMPARATORS:
            if not isinstance(self.value, Quantity) or self.interval is not None or self.words:
                problem = f"比较方式“{self.op}”需要且只需要 value（Quantity）"
        elif self.op == "range":
            if not isinstance(self.interval, Interval) or self.value is not None or self.words:
                problem = "范围需要且只需要 interval（Interval）"
        elif (
            not self.words
            or not all(isinstance(w, str) and w.strip() for w in self.words)
            or self.value is not None
            or self.interval is not None
        ):
            problem = "定性指标需要且只需要非空的 words"
        if problem is not None:
            raise TargetSyntaxError(problem, value=self.source, expected=f"op 为 {'、'.join(OPS)}")

    # -- views

    @property
    def quantity(self) -> Quantity | None:
        """The reference quantity: a comparison's value, a range's low end (its high end when
        unbounded below); ``None`` for qualitative targets."""
        if self.value is not None:
            return self.value
        if self.interval is not None:
            return self.interval.low if self.interval.low is not None else self.interval.high
        return None

    @property
    def unit(self) -> Unit | None:
        """The target's unit (``None`` for plain numbers and qualitative targets)."""
        if self.value is not None:
            return self.value.unit
        if self.interval is not None:
            return self.interval.unit
        return None

    @property
    def is_quantitative(self) -> bool:
        return self.op != "qualitative"

    @property
    def low(self) -> Quantity | None:
        return None if self.interval is None else self.interval.low

    @property
    def high(self) -> Quantity | None:
        return None if self.interval is None else self.interval.high

    @property
    def low_closed(self) -> bool:
        return self.interval is not None and self.interval.low_closed

    @property
    def high_closed(self) -> bool:
        return self.interval is not None and self.interval.high_closed

    @property
    def direction(self) -> str:
        """``positive`` (≥ >, higher is better), ``reverse`` (≤ <), ``equal`` (=) or
        ``qualitative``. A range is ``positive`` unless it is bounded above only."""
        if self.op in (">=", ">"):
            return "positive"
        if self.op in ("<=", "<"):
            return "reverse"
        if self.op == "=":
            return "equal"
        if self.op == "range":
            assert self.interval is not None
            return "reverse" if self.interval.low is None else "positive"
        return "qualitative"

    # -- meeting the target

    def is_met(self, actual: Quantity | Actual) -> bool:
        """Whether ``actual`` meets the target.

        Strict and inclusive comparators are exact (``≥15`` is met by 15, ``>15`` is not).
        A qualitative target is met by an actual whose word is one of its words (ignoring
        whitespace and full-width forms). An actual without a quantity never meets a
        quantitative target; a quantity never meets a qualitative one. Raises UnitError for
        a quantity in another unit family.
        """
        if isinstance(actual, Actual):
            if actual.quantity is None:
                if self.op == "qualitative" and actual.word is not None:
                    key = _word_key(actual.word)
                    return any(_word_key(w) == key for w in self.words)
                return False
            actual = actual.quantity
        if not isinstance(actual, Quantity):
            raise InputTypeError(
                f"is_met 需要 Quantity 或 Actual，实际为 {type(actual).__name__}",
                value=actual,
                expected="Quantity 或 Actual",
            )
        if self.op == "qualitative":
            return False
        if self.op == "range":
            assert self.interval is not None
            return self.interval.contains(actual)
        assert self.value is not None
        c = _compare(actual, self.value)
        return {">=": c >= 0, ">": c > 0, "<=": c <= 0, "<": c < 0, "=": c == 0}[self.op]

    # -- text and mappings

    def __str__(self) -> str:
        if self.op in COMPARATORS:
            return f"{COMPARATORS[self.op]}{self.value}"
        if self.op == "range":
            return str(self.interval)
        return "、".join(self.words)

    def to_mapping(self) -> dict[str, Any]:
        """The explicit structured form; :meth:`from_mapping` reads it back."""
        if self.op in COMPARATORS:
            assert self.value is not None
            data: dict[str, Any] = {"op": self.op, "value": _fmt(self.value.value)}
            if self.value.unit is not None:
                data["unit"] = self.value.unit.symbol
            return data
        if self.op == "range":
            assert self.interval is not None
            i = self.interval
            return {
                "op": "range",
                "low": None if i.low is None else str(i.low),
                "high": None if i.high is None else str(i.high),
                "low_closed": i.low_closed,
                "high_closed": i.high_closed,
            }
        return {"op": "qualitative", "words": list(self.words)}

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> Target:
        """A target from its structured form.

        ``{"op": ">=", "value": "10", "unit": "次"}`` (op in any spelling: ``≥``, ``不低于``;
        value a string, int or Decimal, possibly with its unit: ``"10次"``);
        ``{"op": "range", "low": "90%", "high": "100%", "low_closed": true,
        "high_closed": true}`` (``low``/``high`` may be ``None`` for an infinite end, and may be
        bare numbers with a shared ``unit``); ``{"words": ["出台"]}`` or
        ``{"op": "定性", "value": "出台"}``.
        """
        if not isinstance(data, Mapping):
            raise InputTypeError(
                f"结构化指标值应为映射，实际为 {type(data).__name__}",
                value=data,
                expected="如 {op: '>=', value: '10', unit: 次}",
            )
        allowed = ("op", "value", "unit", "low", "high", "low_closed", "high_closed", "words")
        unknown = [str(k) for k in data if k not in allowed]
        if unknown:
            raise TargetSyntaxError(
                f"结构化指标值中有未知字段“{'、'.join(unknown)}”",
                value=dict(data),
                expected="、".join(allowed),
            )
        op_raw = data.get("op")
        if op_raw is None:
            if data.get("words") is not None:
                op = "qualitative"
            elif data.get("low") is not None or data.get("high") is not None:
                op = "range"
            else:
                raise TargetSyntaxError(
                    "结构化指标值缺少 op", value=dict(data), expected="op、value、unit 或 words"
                )
        else:
            op = _op_from_text(op_raw)
        unit = data.get("unit")
        if op == "qualitative":
            raw_words = data.get("words", data.get("value"))
            if isinstance(raw_words, str):
                raw_words = [raw_words]
            if not isinstance(raw_words, (list, tuple)) or not raw_words:
                raise TargetSyntaxError(
                    "定性指标需要 words（词语列表）", value=dict(data), expected="如 words: [出台]"
                )
            words = tuple(_word_text(w) for w in raw_words)
            return cls("qualitative", words=words, flags=_word_flags(words))
        if op == "range":
            if "value" in data:
                text = data["value"]
                if not isinstance(text, str):
                    raise InputTypeError(
                        '范围的 value 应为字符串，如 "90%-100%"', value=text, expected="字符串"
                    )
                target = parse_target(text)
                if target.op != "range":
                    raise TargetSyntaxError(
                        f"op 为 range，但“{text}”不是范围", value=text, expected="如 [90%, 100%]"
                    )
                return target
            low = _mapping_quantity(data.get("low"), unit)
            high = _mapping_quantity(data.get("high"), unit)
            if low is None and high is None:
                raise TargetSyntaxError(
                    "范围至少需要 low 或 high", value=dict(data), expected="low、high"
                )
            interval = Interval(
                low,
                high,
                _flag(data.get("low_closed", True), "low_closed"),
                _flag(data.get("high_closed", True), "high_closed"),
            )
            return cls("range", interval=interval)
        value = _mapping_quantity(data.get("value"), unit)
        if value is None:
            raise TargetSyntaxError(
                f"比较方式“{op_raw}”需要 value", value=dict(data), expected="如 value: '10'"
            )
        return cls(op, value=value)


def _flag(value: object, name: str) -> bool:
    if not isinstance(value, bool):
        raise InputTypeError(f"{name} 应为 true 或 false", value=value, expected="布尔值")
    return value


def _word_text(word: object) -> str:
    if not isinstance(word, str) or not word.strip():
        raise TargetSyntaxError("定性指标的词语应为非空字符串", value=word, expected="如 出台")
    return word.strip()


def _word_flags(words: Sequence[str]) -> tuple[str, ...]:
    return ("numeric_text",) if any(c.isdigit() for w in words for c in w) else ()


def _word_key(word: str) -> str:
    return "".join(unicodedata.normalize("NFKC", word).split())


def _op_from_text(raw: object) -> str:
    if not isinstance(raw, str):
        raise InputTypeError(
            f"op 应为字符串，实际为 {type(raw).__name__}", value=raw, expected='如 ">="'
        )
    key = "".join(fold(raw).split())
    op = _OP_NAMES.get(key)
    if op is None:
        start = len(raw) - len(raw.lstrip())
        raise TargetSyntaxError(
            f"无法识别的比较方式“{raw.strip()}”",
            text=raw,
            span=(start, max(start, len(raw.rstrip()))),
            expected="比较符或“定性”",
            accepted="≥ ≤ = ﹦ > < 及其中文写法（不低于、不超过 …）、定性、range",
        )
    return op


def _mapping_quantity(raw: object, unit: object) -> Quantity | None:
    if raw is None:
        return None
    if unit is not None and not isinstance(unit, (str, Unit)):
        raise InputTypeError(
            f"unit 应为字符串，实际为 {type(unit).__name__}", value=unit, expected="单位"
        )
    declared = _unit_arg(unit)
    q = parse_quantity(raw) if isinstance(raw, str) else Quantity(to_decimal(raw))
    if declared is None:
        return q
    if q.unit is None:
        return Quantity(q.value, declared)
    if q.unit != declared:
        raise TargetSyntaxError(
            f"数值“{raw}”自带单位“{q.unit}”，与 unit“{declared}”不一致",
            value=raw,
            expected=f"不带单位的数值，或单位为“{declared}”",
        )
    return q


# ---------------------------------------------------------------- Actual


@attrs.frozen
class Actual:
    """An actual value (实际完成值) as read: a quantity, a word, missing or not applicable.

    ``text`` is what was written (``None`` when nothing was). ``kind`` is ``quantity``,
    ``word``, ``missing`` or ``not_applicable``. ``comparator`` is the op when the actual
    repeated one (``≧95%`` → ``>=``). ``flags``: see the module docstring.
    """

    text: str | None
    kind: str
    quantity: Quantity | None = None
    word: str | None = None
    comparator: str | None = None
    flags: tuple[str, ...] = attrs.field(default=(), converter=_flags)

    @property
    def is_missing(self) -> bool:
        return self.kind == "missing"

    @property
    def is_not_applicable(self) -> bool:
        return self.kind == "not_applicable"

    @property
    def is_quantity(self) -> bool:
        return self.kind == "quantity"

    def __str__(self) -> str:
        if self.quantity is not None:
            return str(self.quantity)
        if self.word is not None:
            return self.word
        return "不适用" if self.is_not_applicable else ""


def _special_key(text: str) -> str:
    return "".join(c.lower() if c.isascii() else c for c in "".join(fold(text).split()))


def parse_actual(text: str | None, target: Target | None = None) -> Actual:
    """Read an actual value; a bare number takes the target's unit (see the module docstring).

    Never raises for unreadable text (it becomes a word). Raises UnitError when a readable
    quantity's unit cannot be compared with the target's, and InputTypeError for non-text
    (ints and Decimals are accepted as their ``str``; floats are refused).
    """
    if text is None:
        return Actual(None, "missing")
    if not isinstance(text, str):
        if isinstance(text, (int, Decimal)) and not isinstance(text, bool):
            text = _fmt(to_decimal(text))
        else:
            to_decimal(text, what="实际完成值")  # raises the right InputTypeError
            raise AssertionError  # pragma: no cover
    if target is not None and not isinstance(target, Target):
        raise InputTypeError(
            f"target 应为 Target，实际为 {type(target).__name__}", value=target, expected="Target"
        )
    key = _special_key(text)
    if key in MISSING_TEXTS:
        return Actual(text, "missing")
    if key in NOT_APPLICABLE_TEXTS:
        return Actual(text, "not_applicable")
    folded = fold(text)
    try:
        reading = _read(folded)
    except _Problem:
        return Actual(text, "word", word=text.strip(), flags=("unreadable",))
    if reading is None or reading.op not in COMPARATORS:
        return Actual(text, "word", word=text.strip())
    assert reading.value is not None
    q = reading.value
    flags: list[str] = []
    comparator = None
    if "implicit_equal" not in reading.flags:
        comparator = reading.op
        flags.append("repeated_comparator")
    reference = target.quantity if target is not None else None
    if reference is not None:
        try:
            adopted = _adopt(q, reference)
            if reference.family not in (FAMILY_NUMBER, adopted.family):
                raise incompatible(adopted.unit, reference.unit, value=text)
        except UnitError as err:
            err.message = f"实际完成值“{text.strip()}”与指标值“{target}”{err.message}"
            err.value = text
            raise
        if adopted.unit != q.unit:
            flags.append("unit_inherited")
            q = adopted
    return Actual(text, "quantity", quantity=q, comparator=comparator, flags=tuple(flags))


def actual_syntax_error(text: str) -> TargetSyntaxError | None:
    """Why an actual flagged ``unreadable`` does not read as a quantity (caret), else None."""
    try:
        _read(fold(text))
    except _Problem as problem:
        return problem.error(text, what="实际完成值")
    return None


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


def parse_target(text: str) -> Target:
    """Read a target written in one cell (see the module docstring for the grammar).

    Qualitative text gives a ``qualitative`` target; TargetSyntaxError is raised only for text
    that shows quantitative intent but does not read (caret under the problem).
    """
    folded = _text_arg(text, "指标值")
    try:
        reading = _read(folded)
    except _Problem as problem:
        raise problem.error(text) from None
    if reading is None:
        named = _named_reading(folded)
        if named is not None:
            return attrs.evolve(named, source=text, flags=(*named.flags, "name_in_target"))
        word = text.strip()
        return Target("qualitative", words=(word,), source=text, flags=_word_flags([word]))
    return attrs.evolve(reading, source=text)


_STANDARD_RE = re.compile(r"\s*以(?P<q>.+?)为(?:标准|准|目标|限)\s*")


def _named_reading(s: str) -> Target | None:
    """A comparison written after the indicator's name (``受益人口满意度≥96%``,
    ``道路硬化≥0.565km``, ``满意度不低于90%``) or as a standard (``以100%为标准``): the
    comparison to the end of the text is the target. The name must hold no digit, so dates and
    sentences (``每月15日前足额发放``, ``2023年完成全部既定目标``) stay qualitative."""
    m = _STANDARD_RE.fullmatch(s)
    if m is not None:
        try:
            reading = _read(m["q"])
        except _Problem:
            return None
        return reading if reading is not None and reading.op in COMPARATORS else None
    for m in _PREFIX_RE.finditer(s):
        head = s[: m.start()].strip()
        if not head or any(c.isdigit() for c in head) or not _is_cjk(head[-1]):
            continue
        try:
            reading = _read(s[m.start() :])
        except _Problem:
            return None
        if reading is not None and reading.op in COMPARATORS:
            return reading
        return None
    return None


def parse_target_parts(op: str | None, value: str | None, unit: str | None = None) -> Target:
    """Read a target written in split columns: 指标性质 | 指标值 | 度量单位.

    ``op`` is a comparator in any spelling (``≥`` ``≤`` ``=`` ``﹦`` ``不低于`` …), ``定性``,
    or empty (then ``value`` is read as a one-cell target). With a comparator, the value must
    be a number (it may carry the unit itself); with ``定性`` the value is the word.
    """
    for name, part in (("指标性质", op), ("指标值", value), ("度量单位", unit)):
        if part is not None and not isinstance(part, str):
            raise InputTypeError(
                f"{name}应为字符串，实际为 {type(part).__name__}", value=part, expected="字符串"
            )
    op_text = (op or "").strip()
    value_text = (value or "").strip()
    unit_text = (unit or "").strip()
    squeezed = "".join(fold(op_text).split())
    if squeezed in _SPLIT_NATURES:  # 以上 / 反向 …: read as the one-cell text would be
        before, after = _SPLIT_NATURES[squeezed]
        target = parse_target(f"{before}{value_text}{unit_text}{after}")
        return attrs.evolve(target, source=f"{op_text}{value_text}{unit_text}")
    kind = _op_from_text(op_text) if op_text else None
    if kind == "qualitative":
        if not value_text:
            raise TargetSyntaxError("定性指标缺少指标值", value=value, expected="如 出台、未发生")
        word = value_text + unit_text
        return Target("qualitative", words=(word,), source=word, flags=_word_flags([word]))
    if not value_text:
        raise TargetSyntaxError("缺少指标值", value=value, expected="数值，如 10")
    repeated = _PREFIX_RE.match(fold(value_text)) if kind in COMPARATORS else None
    if repeated is not None and _PREFIXES.get(repeated.group()) == kind:
        value_text = value_text[repeated.end() :].strip()  # 性质 ≥ | 指标值 ≥95: read ≥ once
    needs_unit = unit_text and not "".join(fold(value_text).split()).endswith(
        "".join(fold(unit_text).split())
    )
    prefix = "" if kind in (None, "range") else COMPARATORS[kind]
    text = f"{prefix}{value_text}{unit_text if needs_unit else ''}"
    target = parse_target(text)
    if kind is not None and kind != target.op:
        start = len(prefix)
        raise TargetSyntaxError(
            f"指标性质为“{op_text}”，但指标值“{value_text}”不是一个数值",
            text=text,
            span=(start, len(text)),
            expected="数值，如 10",
            accepted=ACCEPTED_NUMBERS,
        )
    return attrs.evolve(target, source=f"{op_text}{value_text}{unit_text}")


#: 指标性质 spellings that are not a prefix comparator: (text before, text after) the value.
_SPLIT_NATURES: dict[str, tuple[str, str]] = {
    "以上": ("", "以上"),
    "以下": ("", "以下"),
    "以内": ("", "以内"),
    "正向": ("≥", ""),
    "正向指标": ("≥", ""),
    "反向": ("≤", ""),
    "反向指标": ("≤", ""),
}


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


def _has_intent(s: str) -> bool:
    """Whether folded text promises a quantity (the boundary in the module docstring)."""
    start, end = _strip_bounds(s)
    if start == end:
        return True
    if s[start] in _SYMBOLS:
        return True
    m = _PREFIX_RE.match(s, start, end)
    if m is not None:
        start = m.end()
    tail = _TAIL_RE.search(s, start, end)
    if tail is not None:
        if tail["qual"] is not None and tail["suffix"] is None:
            return True  # a (含)/(不含) qualifier without its 以上/以下
        end = tail.start()
    core = s[start:end]
    return any(c.isdigit() or c == "∞" for c in core) and all(
        c in _INTENT_CHARS or c in UNIT_CHARACTERS or c.isspace() for c in core
    )


def _read(s: str) -> Target | None:
    """A target from folded text; ``None`` for qualitative text; _Problem if malformed."""
    start, end = _strip_bounds(s)
    if start == end:
        raise _Problem("为空", (0, 0))
    try:
        if end - start > _MAX_QUANTITATIVE_LENGTH:
            raise _Problem(f"过长（超过 {_MAX_QUANTITATIVE_LENGTH} 个字符）", (start, end))
        if s[start] in "[(":
            return Target("range", interval=_read_interval(s, start, end))
        m = _RANGE_RE.fullmatch(s, start, end)
        if m is not None:
            return Target("range", interval=_read_range(s, m))
        return _read_comparison(s, start, end)
    except _Problem:
        if _has_intent(s):
            raise
        return None


def _read_comparison(s: str, start: int, end: int) -> Target:
    pos = start
    op: str | None = None
    prefix = _PREFIX_RE.match(s, pos, end)
    if prefix is not None:
        op = _PREFIXES[prefix.group()]
        pos = _strip_bounds(s, prefix.end(), end)[0]
        if pos < end and s[pos] in _SYMBOLS:
            stop = pos
            while stop < end and s[stop] in _SYMBOLS:
                stop += 1
            raise _Problem(
                f"比较符“{prefix.group()}”后又出现“{s[pos:stop]}”，只能写一个比较符", (pos, stop)
            )
    tail = _TAIL_RE.search(s, pos, end)
    assert tail is not None  # the pattern can match the empty string at the end
    body_end = _strip_bounds(s, pos, tail.start())[1]
    if pos >= body_end:
        where = prefix.group() if prefix is not None else ""
        raise _Problem(f"比较符“{where}”后缺少数值" if where else "缺少数值", (pos, pos))
    quantity = _quantity_in(s, pos, body_end)
    flags: tuple[str, ...] = ()
    suffix, qual = tail["suffix"], tail["qual"]
    if suffix is not None and op is not None:
        raise _Problem(
            f"比较符重复：前面已有“{prefix.group() if prefix else ''}”，后面又有“{suffix}”",
            tail.span("suffix"),
        )
    if qual is not None and suffix is None:
        raise _Problem(f"“{qual}”只能跟在“以上”“以下”“以内”等之后", tail.span("qual"))
    if suffix is not None:
        op = _SUFFIXES[suffix]
        if qual is not None:
            op = (_EXCLUSIVE if "不含" in qual else _INCLUSIVE)[op]
    if op is None:
        op, flags = "=", ("implicit_equal",)
    return Target(op, value=quantity, flags=flags)


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
