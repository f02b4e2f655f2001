"""Quantities (数量), intervals and actual values (实际完成值): value objects with units, their comparison
and the checks that a number or unit is acceptable; the grammar's constants.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Sequence
from decimal import Decimal
from fractions import Fraction
from typing import Any

import attrs

from ..errors import InputTypeError, TargetSyntaxError, UnitError
from .numbers import fold, to_decimal
from .units import (
    ACCEPTED_UNITS,
    FAMILY_NUMBER,
    Unit,
    exact_decimal,
    family_of,
    incompatible,
    lookup_unit,
    unit_with_multiplier,
)
from .units import convert as _convert

__all__ = [
    "ACCEPTED_TARGETS",
    "COMPARATORS",
    "MISSING_TEXTS",
    "NOT_APPLICABLE_TEXTS",
    "OPS",
    "Actual",
    "Interval",
    "Quantity",
    "intervals_gap_or_overlap",
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
    # str() is positional (format "f"'s text) unless it shows an exponent: cheaper by half
    text = str(value)
    return format(value, "f") if "E" in text or "e" in text else text


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
        value = self.value
        text = str(value)  # as _fmt: positional unless it shows an exponent
        if "E" in text or "e" in text:
            text = format(value, "f")
        unit = self.unit
        return text if unit is None else text + unit.symbol


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


def _flags(value: Iterable[str]) -> tuple[str, ...]:
    return tuple(value)


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
