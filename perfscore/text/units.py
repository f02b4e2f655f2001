"""Units of measure (度量单位) and which of them can be compared.

Every unit belongs to a *family*; values compare only within a family, after conversion to the
family's base. Families and canonical symbols (aliases in brackets normalise to the symbol)::

    money        元 千元 万元 百万元 千万元 亿元                        base 元
    ratio        % [％ 百分比]  ‰ [千分比]                             base 1 (98% is 0.98)
    number       (no unit)  万  亿                                   base 1
    length       米 [m]  公里 [km]  千米  厘米 [cm]  毫米 [mm]          base 米
    area         平方米 [㎡ m² m2 平米]  平方公里 [km² km2 ㎢]  平方千米  公顷  亩 (2000/3 ㎡)
    volume       立方米 [m³ m3]  升 [L]
    mass         千克 [kg]  公斤  吨 [t]  克 [g]  斤                    base 千克
    time_days    天  日  小时 [h]  分钟 [min]  周 [星期]                base 天
    time_months  月  个月  季度 [个季度]  年                            base 月 (年 = 12 月)
    workdays     工作日 [个工作日]       (never compared with calendar days)
    count:X      one family per counter: 次 场次 场 个 件 人 人次 户 家 项 台 …

Counters are deliberately separate families (``次`` never compares with ``个``, nor ``棵`` with
``株``): two counts of different things are not the same quantity.

Derived spellings:

- ``万`` / ``亿`` before a counter, length, area, volume or mass unit multiply it: ``万人次``,
  ``万亩``, ``万平方米``, ``万吨`` (money has its own explicit units, 万元 and 亿元).
- ``A/B`` of two known units is a rate in the family ``A/B`` (``元/人``, ``次/年``); rates
  convert through both parts, so ``12次/年`` equals ``1次/月``.
- Bare ``万`` / ``亿`` after a number are multipliers on a plain number (family ``number``):
  ``4073.53万`` is 40735300 and still prints as ``4073.53万``.

Factors are exact fractions (``亩`` is 2000/3 平方米), so comparisons never round.
"""

from __future__ import annotations

import decimal
import functools
from decimal import Decimal
from fractions import Fraction

import attrs

from ..errors import UnitError
from .numbers import DECIMAL_CONTEXT, fold

__all__ = [
    "ACCEPTED_UNITS",
    "FAMILY_NUMBER",
    "UNIT_CHARACTERS",
    "Unit",
    "base_unit",
    "compatible",
    "convert",
    "convert_exact",
    "exact_decimal",
    "family_name",
    "family_of",
    "lookup_unit",
    "unit_with_multiplier",
]

FAMILY_NUMBER = "number"


@attrs.frozen(repr=False)
class Unit:
    """A unit: its canonical ``symbol``, its ``family`` and its exact ``ratio`` to the base.

    ``factor`` is the same ratio as a ``Decimal`` (rounded to 28 digits only for ratios that
    have no finite decimal, such as 亩).
    """

    symbol: str
    family: str
    ratio: Fraction

    @property
    def factor(self) -> Decimal:
        """The ratio to the family base as a Decimal (``万元`` → ``10000``, ``%`` → ``0.01``)."""
        return exact_decimal(self.ratio)

    def __str__(self) -> str:
        return self.symbol

    def __repr__(self) -> str:
        return f"Unit({self.symbol!r}, family={self.family!r}, factor={self.factor!r})"


def exact_decimal(value: Fraction) -> Decimal:
    """A fraction as a Decimal: exact when it has a finite decimal, else 28 digits, half up."""
    den = value.denominator
    twos = fives = 0
    while den % 2 == 0:
        den //= 2
        twos += 1
    while den % 5 == 0:
        den //= 5
        fives += 1
    with decimal.localcontext(DECIMAL_CONTEXT) as ctx:
        if den == 1:
            # A terminating decimal: give the division enough digits to be exact.
            ctx.prec = len(str(abs(value.numerator))) + max(twos, fives) + 2
        result = Decimal(value.numerator) / Decimal(value.denominator)
    return result


# ---------------------------------------------------------------- the table

_F = Fraction
# Written as a string and split: a list literal of 64 counters would be 64 lines.
_COUNTERS: list[str] = str.split(
    "次 场次 场 个 件 人 人次 户 户次 家 家次 项 台 台次 套 栋 幢 辆 车次 篇 期 所 座 "
    "处 批 批次 份 名 条 张 本 册 部 只 头 匹 棵 株 间 块 根 盏 艘 架 架次 组 支 队 "
    "村 类 种 宗 起 例 笔 单 门 轮 届 班 床 课时 学时 分"
)

# (symbol, family, ratio to the family base, aliases)
_TABLE: list[tuple[str, str, Fraction, tuple[str, ...]]] = [
    ("元", "money", _F(1), ()),
    ("千元", "money", _F(10**3), ()),
    ("万元", "money", _F(10**4), ()),
    ("百万元", "money", _F(10**6), ()),
    ("千万元", "money", _F(10**7), ()),
    ("亿元", "money", _F(10**8), ()),
    ("%", "ratio", _F(1, 100), ("百分比",)),
    ("‰", "ratio", _F(1, 1000), ("千分比",)),
    ("万", FAMILY_NUMBER, _F(10**4), ()),
    ("亿", FAMILY_NUMBER, _F(10**8), ()),
    ("米", "length", _F(1), ("m",)),
    ("公里", "length", _F(1000), ("km",)),
    ("千米", "length", _F(1000), ()),
    ("厘米", "length", _F(1, 100), ("cm",)),
    ("毫米", "length", _F(1, 1000), ("mm",)),
    ("平方米", "area", _F(1), ("㎡", "m²", "m2", "平米")),
    ("平方公里", "area", _F(10**6), ("km²", "km2", "㎢")),
    ("平方千米", "area", _F(10**6), ()),
    ("公顷", "area", _F(10**4), ()),
    ("亩", "area", _F(2000, 3), ()),
    ("立方米", "volume", _F(1), ("m³", "m3")),
    ("升", "volume", _F(1, 1000), ("l",)),
    ("千克", "mass", _F(1), ("kg",)),
    ("公斤", "mass", _F(1), ()),
    ("吨", "mass", _F(1000), ("t",)),
    ("克", "mass", _F(1, 1000), ("g",)),
    ("斤", "mass", _F(1, 2), ()),
    ("天", "time_days", _F(1), ()),
    ("日", "time_days", _F(1), ()),
    ("小时", "time_days", _F(1, 24), ("h",)),
    ("分钟", "time_days", _F(1, 1440), ("min",)),
    ("周", "time_days", _F(7), ("星期",)),
    ("工作日", "workdays", _F(1), ("个工作日",)),
    ("月", "time_months", _F(1), ()),
    ("个月", "time_months", _F(1), ()),
    ("季度", "time_months", _F(3), ("个季度",)),
    ("年", "time_months", _F(12), ()),
]
_TABLE += [(c, f"count:{c}", _F(1), ()) for c in _COUNTERS]

# 万/亿 may prefix these families (money has explicit units; ratios and times do not scale).
_SCALABLE = {"length", "area", "volume", "mass"}
_MULTIPLIERS = {"万": 10**4, "亿": 10**8}

_UNITS: dict[str, Unit] = {}
_CANONICAL: dict[str, Unit] = {}
for _symbol, _family, _ratio, _aliases in _TABLE:
    _unit = Unit(_symbol, _family, _ratio)
    _CANONICAL[_symbol] = _unit
    for _spelling in (_symbol, *_aliases):
        _UNITS[_spelling] = _unit
for _symbol, _family, _ratio, _ in list(_TABLE):
    if _family in _SCALABLE or _family.startswith("count:"):
        for _prefix, _times in _MULTIPLIERS.items():
            _scaled = Unit(_prefix + _symbol, _family, _ratio * _times)
            _UNITS.setdefault(_scaled.symbol, _scaled)
            _CANONICAL.setdefault(_scaled.symbol, _scaled)

#: Every character that occurs in a unit spelling (used to tell "a number and a unit" apart
#: from a sentence that happens to contain a number).
UNIT_CHARACTERS = frozenset("".join(_UNITS) + "/")

_BASES: dict[str, Unit] = {}
for _unit in _CANONICAL.values():
    if _unit.ratio == 1 and _unit.family != FAMILY_NUMBER:
        _BASES.setdefault(_unit.family, _unit)

_FAMILY_NAMES = {
    "money": "金额",
    "ratio": "比率",
    FAMILY_NUMBER: "不带单位的数",
    "length": "长度",
    "area": "面积",
    "volume": "体积",
    "mass": "重量",
    "time_days": "时长（天）",
    "time_months": "时长（月）",
    "workdays": "工作日数",
}

ACCEPTED_UNITS = (
    "金额 元 千元 万元 亿元；比率 % ‰ 百分比；长度 米 公里 千米 厘米 毫米 m km；"
    "面积 平方米 ㎡ m² 平方公里 公顷 亩；重量 吨 千克 公斤 克；"
    "时间 天 日 小时 周 月 个月 季度 年 工作日；计数 " + " ".join(_COUNTERS[:24]) + " 等；"
    "数字后的 万、亿；前加 万/亿 如 万人次 万亩；比率单位如 元/人 次/年"
)


def _key(text: str) -> str:
    folded = "".join(fold(text).split())
    return "".join(c.lower() if c.isascii() else c for c in folded)


@functools.lru_cache(maxsize=512)
def lookup_unit(text: str) -> Unit | None:
    """The unit written ``text`` (any accepted spelling), or ``None`` if there is no such unit.

    ``None`` is also returned for empty text; a plain number's unit is ``None`` as well.
    """
    if not isinstance(text, str):
        return None
    key = _key(text)
    if not key:
        return None
    unit = _UNITS.get(key)
    if unit is None and key.count("/") == 1:
        top, bottom = (_UNITS.get(part) for part in key.split("/"))
        if (
            top is not None
            and bottom is not None
            and FAMILY_NUMBER
            not in (
                top.family,
                bottom.family,
            )
        ):
            unit = Unit(
                f"{top.symbol}/{bottom.symbol}",
                f"{top.family}/{bottom.family}",
                top.ratio / bottom.ratio,
            )
    return unit


def family_of(unit: Unit | None) -> str:
    """The family of ``unit``; a plain number (``None``) is in :data:`FAMILY_NUMBER`."""
    return FAMILY_NUMBER if unit is None else unit.family


def family_name(family: str) -> str:
    """The family as users read it, in Chinese (``count:次`` → ``计数（次）``)."""
    if family in _FAMILY_NAMES:
        return _FAMILY_NAMES[family]
    if family.startswith("count:"):
        return f"计数（{family[6:]}）"
    if "/" in family:
        return "/".join(family_name(part) for part in family.split("/"))
    return family


def compatible(a: Unit | None, b: Unit | None) -> bool:
    """Whether values in ``a`` and ``b`` can be compared (same family)."""
    return family_of(a) == family_of(b)


def base_unit(family: str) -> Unit | None:
    """The unit whose ratio is 1 in ``family`` (``None`` for plain numbers)."""
    return _BASES.get(family)


def unit_with_multiplier(multiplier: Unit, unit: Unit | None) -> Unit | None:
    """``万`` applied to a unit: ``万`` + ``元`` → ``万元``, ``万`` + ``人次`` → ``万人次``.

    Tries the unit itself, then its family's base (``万`` + ``万元`` → ``万元`` via ``元``).
    ``None`` when there is no such unit (``万%``).
    """
    if unit is None:
        return multiplier
    for candidate in (unit, base_unit(unit.family)):
        if candidate is None:
            continue
        found = lookup_unit(multiplier.symbol + candidate.symbol)
        if found is not None and found.family == unit.family:
            return found
    return None


def _unit_label(unit: Unit | None) -> str:
    return "无单位" if unit is None else unit.symbol


def incompatible(a: Unit | None, b: Unit | None, *, value: object = None) -> UnitError:
    """The error for comparing ``a`` with ``b`` (names both units and their families)."""
    return UnitError(
        f"单位不一致，“{_unit_label(a)}”与“{_unit_label(b)}”不能比较："
        f"{family_name(family_of(a))}与{family_name(family_of(b))}不是同一类计量",
        value=value,
        expected=f"与“{_unit_label(b)}”同类的单位",
    )


def convert_exact(value: Fraction, src: Unit | None, dst: Unit | None) -> Fraction:
    """``value`` in ``src`` expressed in ``dst``, exactly; UnitError across families."""
    if not compatible(src, dst):
        raise incompatible(src, dst)
    src_ratio = Fraction(1) if src is None else src.ratio
    dst_ratio = Fraction(1) if dst is None else dst.ratio
    return value * src_ratio / dst_ratio


def convert(value: Decimal, src: Unit | None, dst: Unit | None) -> Decimal:
    """``value`` in ``src`` expressed in ``dst`` (``1`` 亿元 → ``10000`` 万元).

    Exact whenever the result has a finite decimal; otherwise 28 significant digits, 四舍五入.
    Raises :class:`~perfscore.errors.UnitError` when the units are in different families.
    """
    return exact_decimal(convert_exact(Fraction(value), src, dst))
