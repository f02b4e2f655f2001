"""Hypothesis strategies for the words of a form: numbers, units, quantities, comparators, targets
and actual values as people write them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from decimal import Decimal
from fractions import Fraction
from typing import Any

from ..errors import PerfscoreError
from ..text import units as _units
from ..text.numbers import in_local_context, local_context, quantize
from ..text.quantity import Quantity
from ..text.target import Target, parse_target

try:
    from hypothesis import strategies as st
    from hypothesis.errors import InvalidArgument
except ImportError as exc:  # pragma: no cover - depends on the installation
    raise ImportError(
        "perfscore.strategies 需要 hypothesis，请安装：pip install 'perfscore[properties]'"
    ) from exc

__all__ = [
    "FAMILIES",
    "QUALITATIVE_WORDS",
    "actuals",
    "comparators",
    "fullwidth",
    "numbers",
    "quantities",
    "targets",
    "units",
]

Draw = Callable[[st.SearchStrategy[Any]], Any]
ZERO = Decimal(0)

# ------------------------------------------------------------------ spellings

_SPELLINGS: dict[str, list[str]] = {}
for _spelling, _found in _units._UNITS.items():
    _SPELLINGS.setdefault(_found.family, []).append(_spelling)
_SPELLINGS["ratio"].append("％")  # full-width percent, folded when read
_SPELLINGS["number"] = ["", "万", "亿"]

#: Unit families :func:`units` knows (``count`` stands for every counter family).
FAMILIES: tuple[str, ...] = (
    "money",
    "ratio",
    "number",
    "length",
    "area",
    "volume",
    "mass",
    "time_days",
    "time_months",
    "workdays",
    "count",
)

# Families a generated indicator is measured in, weighted towards what forms use.
_FORM_FAMILIES = ("ratio", "ratio", "money", "count:次", "count:个", "count:人", "length", "area")

#: Qualitative targets and actuals as they appear in published forms.
QUALITATIVE_WORDS: tuple[str, ...] = (
    "出台",
    "达成",
    "达成预期指标",
    "已完成",
    "未发生",
    "较大改善",
    "明显提升",
    "每月15日前足额发放",
    "“三公”经费同比下降",
    "2023年完成全部既定目标",
    "合格",
    "基本完成",
    # issue 13: words and deadlines of published forms
    "建立健全",
    "按期完成",
    "9月前",
    "7月底前",
    "年底前完成",
)

# Prefix comparator spellings per op (folded spellings plus full-width/look-alike ones).
_PREFIX: dict[str, tuple[str, ...]] = {
    ">=": ("≥", "≧", "⩾", ">=", "＞＝", "大于等于", "大于或等于", "不低于", "不少于", "不小于"),
    "<=": (
        "≤",
        "≦",
        "⩽",
        "<=",
        "＜＝",
        "小于等于",
        "小于或等于",
        "不高于",
        "不超过",
        "不大于",
        "不多于",
    ),
    "=": ("=", "＝", "﹦", "==", "等于"),
    ">": (">", "＞", "﹥", "大于", "高于", "超过", "多于"),
    "<": ("<", "＜", "﹤", "小于", "低于", "少于", "不满", "不足"),
}
# Suffix spellings (after the quantity) per op, qualifiers included.
_SUFFIX: dict[str, tuple[str, ...]] = {
    ">=": ("以上", "及以上", "或以上", "以上(含)", "以上（含）", "以上(含本数)"),
    "<=": ("以下", "及以下", "或以下", "以内", "之内", "以下(含)", "以下（含）"),
    ">": ("以外", "以上(不含)", "以上（不含本数）"),
    "<": ("以下(不含)", "以下（不含）", "以内(不含)"),
}
_RANGE_SEPARATORS = ("-", "~", "～", "至", "到", "—", "–")
_COMPARISON_OPS = (">=", ">", "<=", "<", "=")


def fullwidth(text: str) -> str:
    """``text`` with ASCII digits, signs and ``.%`` in their full-width forms (``１２．５％``)."""
    return "".join(chr(ord(c) + 0xFEE0) if c in "0123456789.%+-" else c for c in text)


def _plain(value: Decimal) -> str:
    text = format(value, "f")
    return "0" if text in ("-0", "-0.0") else text


# ------------------------------------------------------------------ numbers and units
#
# Internal helpers take ``draw`` and draw primitives (cached strategies): building a new
# strategy object on every draw made form generation ten times slower.


def _pick(draw: Draw, options: Sequence[Any]) -> Any:
    """One of ``options`` (cheaper than a new ``sampled_from`` strategy on every draw)."""
    return options[draw(st.integers(0, len(options) - 1))]


def _pick_family(draw: Draw) -> str:
    return str(_pick(draw, _FORM_FAMILIES))


def _number(draw: Draw, low: Decimal, high: Decimal, places: int) -> Decimal:
    """A number in [low, high] with at most ``places`` decimals; ends and integers favoured."""
    kind = draw(st.integers(0, 5))
    if kind == 0:
        value = _pick(draw, (low, high))
    elif kind <= 2 and int(high // 1) >= low:
        first = int(-((-low) // 1))
        value = Decimal(draw(st.integers(first, max(first, int(high // 1)))))
    else:
        grain = Decimal(1).scaleb(-places)
        span = int((high - low) / grain)
        value = low + grain * draw(st.integers(0, max(0, span)))
        with local_context():
            value = quantize(value, places)
    if not low <= value <= high:
        value = low
    result: Decimal = value + 0  # -0 → 0
    return result


def _check_range(
    min_value: Decimal | str | int, max_value: Decimal | str | int
) -> tuple[Decimal, Decimal]:
    for bound in (min_value, max_value):
        if isinstance(bound, float | bool):
            raise InvalidArgument(
                f"min_value、max_value 不接受 {type(bound).__name__}（{bound!r}）：请写成字符串或 Decimal，"
                '如 "0.1"，浮点数无法精确表示'
            )
    low, high = Decimal(min_value), Decimal(max_value)
    if not (low.is_finite() and high.is_finite()) or low > high:
        raise InvalidArgument(f"min_value {low} 应为有限数且不大于 max_value {high}")
    return low, high


@st.composite
@in_local_context  # draws do Decimal arithmetic: never in the caller's context
def _numbers(draw: Draw, low: Decimal, high: Decimal, places: int) -> Decimal:
    return _number(draw, low, high, places)


def numbers(
    *,
    min_value: Decimal | str | int = 0,
    max_value: Decimal | str | int = 10000,
    places: int = 2,
) -> st.SearchStrategy[Decimal]:
    """Exact ``Decimal`` values in ``[min_value, max_value]`` with at most ``places`` decimals.

    The two ends and integers are favoured, because that is what forms and edge cases hold.
    """
    low, high = _check_range(min_value, max_value)
    return _numbers(low, high, places)


def _families(family: str | None) -> list[str]:
    if family is None:
        return sorted(_SPELLINGS)
    if family == "count":
        return sorted(f for f in _SPELLINGS if f.startswith("count:"))
    if family not in _SPELLINGS:
        raise InvalidArgument(
            f"未知的单位类别“{family}”，应为 {'、'.join(FAMILIES)} 或 count:次 等"
        )
    return [family]


def _unit(draw: Draw, family: str) -> str:
    return str(_pick(draw, _SPELLINGS[_pick(draw, _families(family))]))


@st.composite
@in_local_context  # draws do Decimal arithmetic: never in the caller's context
def _units_strategy(draw: Draw, families: tuple[str, ...]) -> str:
    return str(_pick(draw, _SPELLINGS[_pick(draw, families)]))


def units(family: str | None = None) -> st.SearchStrategy[str]:
    """Unit spellings (``万元``, ``％``, ``km``, ``平米`` …) of ``family``, or of any family.

    ``family`` is one of :data:`FAMILIES` or a counter family such as ``count:次``; ``number``
    gives ``""``, ``万`` or ``亿`` (a plain number).
    """
    return _units_strategy(tuple(_families(family)))


def _number_text(draw: Draw, value: Decimal, *, separators: bool = True) -> str:
    text = _plain(value)
    style = _pick(draw, ("plain", "plain", "fullwidth", "thousands"))
    if style == "thousands" and separators and abs(value) >= 1000:
        text = f"{value:,f}"
    if style == "fullwidth":
        text = fullwidth(text)
    return text


def _quantity_text(draw: Draw, family: str | None, low: Decimal, high: Decimal, places: int) -> str:
    value = _number(draw, low, high, places)
    unit = (
        _unit(draw, family)
        if family is not None
        else str(_pick(draw, _SPELLINGS[_pick(draw, sorted(_SPELLINGS))]))
    )
    space = _pick(draw, ("", "", "", " ")) if unit else ""
    return _number_text(draw, value) + space + unit


@st.composite
@in_local_context  # draws do Decimal arithmetic: never in the caller's context
def _quantities(draw: Draw, family: str | None, low: Decimal, high: Decimal, places: int) -> str:
    return _quantity_text(draw, family, low, high, places)


def quantities(
    family: str | None = None,
    *,
    min_value: Decimal | str | int = 0,
    max_value: Decimal | str | int = 10000,
    places: int = 2,
) -> st.SearchStrategy[str]:
    """Quantities as written: ``4073.53万元``, ``98%``, ``１８次``, ``300 公里``, ``1,592.87``."""
    _families(family)
    low, high = _check_range(min_value, max_value)
    return _quantities(family, low, high, places)


def _comparator(draw: Draw, op: str | None) -> str:
    ops = _COMPARISON_OPS if op is None else (op,)
    return str(_pick(draw, _PREFIX[_pick(draw, ops)]))


def comparators(op: str | None = None) -> st.SearchStrategy[str]:
    """Prefix comparator spellings (``≥ ≧ >= ＞＝ 不低于 …``) for ``op`` (``>=``, ``<`` …) or any."""
    ops = _COMPARISON_OPS if op is None else (op,)
    if any(o not in _PREFIX for o in ops):
        raise InvalidArgument(f"未知的比较方式“{op}”，应为 {'、'.join(_COMPARISON_OPS)} 之一")
    return st.sampled_from([s for o in ops for s in _PREFIX[o]])


# ------------------------------------------------------------------ targets


def _comparison_text(draw: Draw, op: str, value: Decimal, unit: str) -> str:
    number = _number_text(draw, value)
    space = _pick(draw, ("", "", " "))
    if op in _SUFFIX and draw(st.booleans()):
        return f"{number}{unit}{_pick(draw, _SUFFIX[op])}"
    if op == "=" and draw(st.booleans()):
        return f"{number}{space}{unit}"  # a bare quantity means "="
    return f"{_comparator(draw, op)}{space}{number}{space if unit else ''}{unit}"


def _range_text(draw: Draw, low: Decimal, high: Decimal, unit: str) -> str:
    lo, hi = _number_text(draw, low, separators=False), _number_text(draw, high, separators=False)
    if draw(st.booleans()) and low >= 0:
        sep = _pick(draw, _RANGE_SEPARATORS)
        low_unit = _pick(draw, (unit, "")) if unit else ""
        return f"{lo}{low_unit}{sep}{hi}{unit}"
    closed = (draw(st.booleans()), draw(st.booleans())) if low < high else (True, True)
    opener = "[" if closed[0] else "("
    closer = "]" if closed[1] else ")"
    if draw(st.integers(0, 5)) == 0:
        return f"{opener}{lo}{unit}, +∞)"
    return f"{opener}{lo}{unit}, {hi}{unit}{closer}"


def _qualitative(text: str) -> bool:
    try:
        return parse_target(text).op == "qualitative"
    except PerfscoreError:
        return False


_TARGET_OPS = (*_COMPARISON_OPS, "range", "qualitative")


def _target_text(
    draw: Draw,
    op: str | None,
    family: str | None,
    low: Decimal,
    high: Decimal,
    places: int,
    words: Sequence[str],
) -> str:
    kind = op or _pick(draw, _TARGET_OPS)
    if kind == "qualitative":
        if not words:
            raise InvalidArgument("没有可用作定性指标值的词语")
        return str(_pick(draw, words))
    unit = _unit(draw, family if family is not None else _pick_family(draw))
    a = _number(draw, low, high, places)
    if kind == "range":
        b = _number(draw, low, high, places)
        return _range_text(draw, min(a, b), max(a, b), unit)
    return _comparison_text(draw, kind, a, unit)


@st.composite
@in_local_context  # draws do Decimal arithmetic: never in the caller's context
def _targets(
    draw: Draw,
    op: str | None,
    family: str | None,
    low: Decimal,
    high: Decimal,
    places: int,
    words: tuple[str, ...],
) -> str:
    return _target_text(draw, op, family, low, high, places, words)


def _word_pool(words: Sequence[str] | None) -> tuple[str, ...]:
    choices = words if words is not None else QUALITATIVE_WORDS
    return tuple(w for w in choices if w.strip() and _qualitative(w))


_QUALITATIVE_POOL = _word_pool(None)


def targets(
    op: str | None = None,
    family: str | None = None,
    *,
    min_value: Decimal | str | int = 0,
    max_value: Decimal | str | int = 10000,
    places: int = 2,
    words: Sequence[str] | None = None,
) -> st.SearchStrategy[str]:
    """Targets in every spelling: ``≥10次``, ``不低于９５％``, ``100%以下(含)``, ``90%～100%``,
    ``(0, 10%]``, ``出台`` …

    ``op`` is ``>=``, ``>``, ``<=``, ``<``, ``=``, ``range`` or ``qualitative`` (any when
    ``None``); ``family`` as in :func:`units`. Qualitative targets are drawn from ``words``
    (default :data:`QUALITATIVE_WORDS`); words that would read as a quantity are skipped.
    """
    if op is not None and op not in _TARGET_OPS:
        raise InvalidArgument(f"未知的指标值类型“{op}”，应为 {'、'.join(_TARGET_OPS)} 之一")
    if family is not None:
        _families(family)
    low, high = _check_range(min_value, max_value)
    return _targets(op, family, low, high, places, _word_pool(words))


# ------------------------------------------------------------------ actuals


def _as_target(target: Target | str) -> Target:
    return target if isinstance(target, Target) else parse_target(target)


def _exact_in(value: Decimal, src: _units.Unit | None, dst: _units.Unit | None) -> Decimal | None:
    """``value`` converted exactly (a terminating decimal of ≤ 20 digits), else ``None``."""
    exact = _units.convert_exact(Fraction(value), src, dst)
    den = exact.denominator
    for p in (2, 5):
        while den % p == 0:
            den //= p
    if den != 1:
        return None
    result = _units.exact_decimal(exact)
    return result if len(result.as_tuple().digits) <= 20 else None


def _spell_quantity(draw: Draw, q: Quantity, target: Target | None, comparator: bool) -> str:
    """One way of writing ``q``: as is, bare, in another unit of the family, full-width."""
    value, unit = q.value, q.unit
    symbol = "" if unit is None else unit.symbol
    style = _pick(draw, ("same", "same", "bare", "other", "multiplier"))
    if style == "bare" and target is not None and target.unit is not None:
        symbol = ""
    elif style == "other" and unit is not None:
        spelling = _pick(draw, _SPELLINGS.get(unit.family, [symbol]))
        other = _units.lookup_unit(spelling)
        converted = None if other is None else _exact_in(value, unit, other)
        if converted is not None:
            value, symbol = converted, spelling
    elif style == "multiplier" and unit is not None and unit.symbol == "万元":
        symbol = "万"  # 150万 against a target in 万元 is 150万元
    text: str = _number_text(draw, value, separators=False) + symbol
    if comparator and target is not None and target.op in _PREFIX:
        text = _comparator(draw, target.op) + text
    return text


def actuals(
    target: Target | str,
    *,
    words: Sequence[str] | None = None,
    allow_negative: bool = False,
) -> st.SearchStrategy[str]:
    """Actual values consistent with ``target``.

    For a quantitative target: a value from 0 to 3 times the target (the target itself, just
    above and below it and twice it are favoured), in the target's unit, bare, in another unit
    of the same family (exact conversions only), with ``万`` for 万元, full-width, or repeating
    the target's comparator (``≧95%``). For a qualitative target: the target's own word or one
    of ``words``.
    """
    return _actuals(_as_target(target), tuple(words or ()), allow_negative)


def _actual_text(draw: Draw, t: Target, words: Sequence[str], allow_negative: bool) -> str:
    if t.op == "qualitative":
        return str(_pick(draw, [*t.words, *words]))
    ref = t.quantity
    assert ref is not None
    q = _values_near(draw, ref, allow_negative=allow_negative)
    comparator = draw(st.integers(0, 9)) == 9  # rare, and not what shrinking goes to
    return _spell_quantity(draw, q, t, comparator)


@st.composite
@in_local_context  # draws do Decimal arithmetic: never in the caller's context
def _actuals(draw: Draw, t: Target, words: tuple[str, ...], allow_negative: bool) -> str:
    return _actual_text(draw, t, words, allow_negative)


def _values_near(draw: Draw, ref: Quantity, *, allow_negative: bool = False) -> Quantity:
    v = ref.value
    exponent = v.as_tuple().exponent
    assert isinstance(exponent, int)
    places = max(0, -exponent) + _pick(draw, (0, 0, 1, 2))
    step = Decimal(1).scaleb(-places)
    scale = abs(v) if v != 0 else Decimal(10)
    kind = draw(st.integers(0, 9))
    if kind == 0:
        value = v
    elif kind == 1:
        value = v + step * _pick(draw, (-1, 1))
    elif kind == 2:
        value = 2 * v
    elif kind == 3:
        value = ZERO
    else:
        value = scale * draw(st.integers(0, 300)) / 100
    with local_context():
        value = quantize(value, places)
    if not allow_negative and value < 0:
        value = -value
    return Quantity(value + 0, ref.unit)
