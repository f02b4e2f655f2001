"""Hypothesis strategies for property-based tests of indicator templates.

A finance bureau that changes a template's rules in YAML wants to know that the template still
behaves: no score above its weight, full marks reachable, monotone scoring. These strategies
generate the data such tests need::

    from hypothesis import given
    import perfscore
    from perfscore import strategies as ps

    TEMPLATE = perfscore.load_template("indicators/hunan/unit-self-evaluation.yaml")

    @given(ps.forms(TEMPLATE))
    def test_total_within_range(data):
        result = perfscore.evaluate(perfscore.load_form(data, template=TEMPLATE))
        assert 0 <= result.total <= TEMPLATE.total

Every strategy generates *text* the way people write it in forms (``≧98%``, ``１０次以上``,
``4073.53万元``), except :func:`numbers` (``Decimal``) and :func:`forms` (a plain mapping for
:func:`perfscore.load_form`). hypothesis is an optional dependency of perfscore: install it with
``pip install "perfscore[properties]"``. Only this module (and ``perfscore check
--properties``) imports it.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from decimal import Decimal
from fractions import Fraction
from typing import Any

try:
    from hypothesis import assume
    from hypothesis import strategies as st
    from hypothesis.errors import InvalidArgument
except ImportError as exc:  # pragma: no cover - depends on the installation
    raise ImportError(
        "perfscore.strategies 需要 hypothesis，请安装：pip install 'perfscore[properties]'"
    ) from exc

from . import _units
from ._numbers import in_local_context, local_context, quantize
from ._rules import _bounds
from .errors import PerfscoreError
from .model import Rule, Template, TemplateNode
from .targets import Quantity, Target, parse_actual, parse_target

__all__ = [
    "FAMILIES",
    "QUALITATIVE_WORDS",
    "actuals",
    "comparators",
    "forms",
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


# ------------------------------------------------------------------ forms


def _leaf_cap(rule: Rule) -> Decimal | None:
    """The most points ``rule`` can give whatever the weight, or ``None`` when it scales."""
    p = rule.params
    if rule.kind == "checklist" and p.mode == "add":
        return Decimal(len(p.items)) * Decimal(p.points)
    ends: list[Quantity | None] = []
    if rule.kind == "bands":
        if any(b.score.unit is not None for b in p.bands):
            return None
        return max(Decimal(b.score.value) for b in p.bands)
    if rule.kind == "tiers":
        ends = [t.range.high for t in p.tiers]
    elif rule.kind == "manual" and p.range is not None:
        ends = [p.range.high]
    if not ends or any(e is None or e.unit is not None for e in ends):
        return None
    return max(e.value for e in ends if e is not None)


def _op_for(rule: Rule) -> Sequence[str]:
    """Target ops that make sense with ``rule`` when the form chooses the target."""
    if rule.kind == "ratio":
        return {
            "positive": (">=", ">", "range"),
            "reverse": ("<=", "<"),
            "equal": ("=",),
        }.get(rule.params.direction, (">=", ">", "<=", "<", "=", "range"))
    if rule.kind in ("threshold",):
        return (">=", "<=", ">", "<", "=", "qualitative")
    if rule.kind == "tiers":
        return ("qualitative",)
    if rule.kind == "formula":
        return (">=", "<=", "=")
    return ()


def _minimum(node: TemplateNode) -> Decimal:
    if node.weight is not None:
        return node.weight
    return sum((_minimum(c) for c in node.children), ZERO)


def _flexible(node: TemplateNode) -> bool:
    if node.weight is not None:
        return False
    if node.open or node.is_leaf:
        return True
    return any(_flexible(c) for c in node.children)


def _split(draw: Draw, amount: Decimal, parts: int, places: int) -> list[Decimal]:
    """``parts`` non-negative amounts summing exactly to ``amount``."""
    if parts == 1:
        return [amount]
    exponent = amount.normalize().as_tuple().exponent
    assert isinstance(exponent, int)
    grain_places = max(0, -exponent)
    if draw(st.booleans()):
        grain_places = max(grain_places, min(places, 2))
    grain = Decimal(1).scaleb(-grain_places)
    units_total = int(amount / grain)
    if draw(st.integers(0, 3)) == 0:  # the even split forms usually have
        each = units_total // parts
        cuts = [each * i for i in range(1, parts)]
    else:
        cuts = sorted(draw(st.integers(0, units_total)) for _ in range(parts - 1))
    bounds = [0, *cuts, units_total]
    return [Decimal(b - a) * grain for a, b in itertools.pairwise(bounds)]


def _allocate(
    draw: Draw, nodes: Sequence[TemplateNode], amount: Decimal, places: int
) -> list[Decimal]:
    """The weight each sibling gets so that they sum to ``amount``."""
    flexible = [i for i, n in enumerate(nodes) if _flexible(n)]
    fixed = sum((_minimum(n) for i, n in enumerate(nodes) if i not in flexible), ZERO)
    floor = sum((_minimum(nodes[i]) for i in flexible), ZERO)
    spare = amount - fixed - floor
    names = "、".join(n.name for n in nodes)
    if spare < 0 or (not flexible and spare != 0):
        raise InvalidArgument(
            f"模板中“{names}”的分值无法凑足 {_plain(amount)}（固定分值合计 {_plain(fixed + floor)}）"
        )
    shares = _split(draw, spare, len(flexible), places) if flexible else []
    out = [_minimum(n) for n in nodes]
    for i, share in zip(flexible, shares, strict=True):
        out[i] += share
    return out


def _score_within(draw: Draw, low: Decimal, high: Decimal, places: int) -> Decimal | None:
    if low > high:
        return None
    grain = Decimal(1).scaleb(-places)
    span = int((high - low) / grain)
    with local_context():
        start = quantize(low, places)
        if start < low:
            start += grain
    value = start + grain * draw(st.integers(0, max(0, span)))
    if value > high:
        value = start
    return value if low <= value <= high else None


def _words_for(draw: Draw, rule: Rule, target: Target | None) -> dict[str, Any]:
    """Actual / tier for a tiers rule: a tier word, the target's own word, or a stated tier."""
    p = rule.params
    options: list[str] = [w for tier in p.tiers for w in tier.words if w.strip()]
    mode = _pick(draw, ("word", "word", "same", "tier"))
    if mode == "same" and target is not None and target.op == "qualitative" and p.same_word:
        return {"actual": str(target)}
    if mode == "word" and options:
        word = _pick(draw, options)
        try:
            parse_actual(word, target)
        except PerfscoreError:
            word = ""
        # 已 only before words matched inside answers (优 中 差 … match whole answers only)
        inside = len(word) > p.whole_answer_length and not word.startswith(("已", "未"))
        if word and draw(st.integers(0, 3)) == 0 and inside:
            word = f"已{word}"
        if word:
            return {"actual": word}
    return {"tier": _pick(draw, [t.name for t in p.tiers])}


class _Builder:
    def __init__(self, draw: Draw, template: Template, max_leaves: int, reported: bool, na: bool):
        self.draw = draw
        self.t = template
        self.max_leaves = max_leaves
        self.reported = reported
        self.na = na
        self.places = template.rounding.places
        self.pending: list[tuple[dict[str, Any], Rule, Decimal]] = []
        self.na_weight = ZERO

    # -- routes: which rule an open leaf uses, and the target op that selects it

    def routes(self, weight: Decimal) -> list[tuple[Rule, str | None, str | None]]:
        out: list[tuple[Rule, str | None, str | None]] = []
        order = {op: i for i, op in enumerate(_TARGET_OPS)}
        for op, name in sorted(self.t.defaults.items(), key=lambda kv: order.get(kv[0], 99)):
            rule = self.t.rules.get(name)
            if rule is not None:
                out.append((rule, op, None))
        for name, rule in self.t.rules.items():
            out.append((rule, None, name))
        fitting = [r for r in out if (cap := _leaf_cap(r[0])) is None or weight <= cap]
        return fitting or out

    def nodes(self, nodes: Sequence[TemplateNode], amount: Decimal) -> dict[str, Any]:
        weights = _allocate(self.draw, nodes, amount, self.places)
        out: dict[str, Any] = {}
        for node, weight in zip(nodes, weights, strict=True):
            key = node.name
            if node.aliases and self.draw(st.integers(0, 4)) == 0:
                key = _pick(self.draw, node.aliases)
            if node.is_leaf:
                out[key] = self.fixed_leaf(node, weight)
            elif node.open:
                out[key] = self.open_leaves(node, weight)
            else:
                out[key] = self.nodes(node.children, weight)
        return out

    def open_leaves(self, node: TemplateNode, amount: Decimal) -> list[dict[str, Any]]:
        if amount == 0:
            return []
        count = self.draw(st.integers(1, self.max_leaves))
        weights = _split(self.draw, amount, count, self.places)
        leaves = []
        for i, weight in enumerate(weights, 1):
            route = _pick(self.draw, self.routes(weight))
            entry: dict[str, Any] = {"name": f"{node.name}{i}"}
            self.content(entry, route[0], route[1], None, weight)
            if route[2] is not None:
                entry["rule"] = route[2]
            entry["weight"] = _plain(weight)
            self.extras(entry, weight)
            leaves.append(entry)
        return leaves

    def fixed_leaf(self, node: TemplateNode, weight: Decimal) -> dict[str, Any]:
        entry: dict[str, Any] = {}
        rule = node.rule
        if rule is None and node.target is not None:
            key = node.target.op
            rule = self.t.rules.get(self.t.defaults.get(key, ""))
        if rule is None:  # the form chooses the rule (and maybe the target)
            route = _pick(self.draw, self.routes(weight))
            self.content(entry, route[0], route[1], node.target, weight)
            if route[2] is not None:
                entry["rule"] = route[2]
        elif node.actual_from is None:
            self.content(entry, rule, None, node.target, weight)
        if node.weight is None:
            entry["weight"] = _plain(weight)
        self.extras(entry, weight, can_skip=node.actual_from is None)
        return entry

    def extras(self, entry: dict[str, Any], weight: Decimal, *, can_skip: bool = True) -> None:
        if self.reported and self.draw(st.booleans()):
            entry["reported"] = _plain(_number(self.draw, ZERO, weight, 2))
        if self.na and can_skip and self.draw(st.integers(0, 5)) == 0:
            self.na_weight += weight
            if self.draw(st.booleans()):
                entry["applicable"] = False
            else:
                entry["actual"] = _pick(self.draw, ("不适用", "不涉及", "/"))
            entry.pop("score", None)

    # -- a leaf's target / actual / score for a rule

    def target_for(self, rule: Rule, op: str | None, family: str | None = None) -> Target:
        ops = [op] if op is not None else list(_op_for(rule)) or [">="]
        kind = _pick(self.draw, ops)
        if kind == "qualitative" and rule.kind == "tiers":
            words = [w for t in rule.params.tiers for w in t.words] + list(QUALITATIVE_WORDS)
            text = _target_text(self.draw, "qualitative", None, ZERO, ZERO, 2, _word_pool(words))
        elif kind == "qualitative":
            text = _target_text(self.draw, "qualitative", None, ZERO, ZERO, 2, _QUALITATIVE_POOL)
        else:
            fam = family or _pick_family(self.draw)
            low = 1 if rule.kind == "formula" else 0
            text = _target_text(self.draw, kind, fam, Decimal(low), Decimal(1000), 2, ())
        return parse_target(text)

    def content(
        self,
        entry: dict[str, Any],
        rule: Rule,
        op: str | None,
        fixed: Target | None,
        weight: Decimal,
    ) -> None:
        """Fill ``entry`` (the form's leaf mapping) with what ``rule`` needs."""
        d, p = self.draw, rule.params
        target = fixed
        kind = rule.kind
        if kind in ("ratio", "threshold", "formula"):
            if target is None:
                target = self.target_for(rule, op)
                entry["target"] = _target_spelling(d, target)
            if target.op == "qualitative":
                entry["actual"] = _pick(d, [*target.words, "未完成", "部分完成"])
            else:
                entry["actual"] = _actual_text(d, target, (), False)
        elif kind == "tiers":
            if target is None:
                target = self.target_for(rule, op if op == "qualitative" else None)
                entry["target"] = _target_spelling(d, target)
            entry.update(_words_for(d, rule, target))
            if d(st.integers(0, 2)) == 0:
                self.pending.append((entry, rule, weight))
        elif kind in ("bands", "deduction"):
            ref = _reference(rule)
            family = ref.unit.family if ref is not None and ref.unit is not None else "number"
            if target is None and op is not None and op != "qualitative":
                target = self.target_for(rule, op, family if family != "number" else "ratio")
                entry["target"] = _target_spelling(d, target)
            if kind == "deduction" or p.of == "actual":
                q = _domain_values(d, rule)
                entry["actual"] = _plain(q.value) + ("" if q.unit is None else q.unit.symbol)
            else:
                entry["actual"] = "见基础数据"
        elif kind == "checklist":
            items = [i for i in p.items if d(st.booleans())]
            items = [items[j] for j in d(st.permutations(range(len(items))))] if items else []
            entry["actual"] = items
        elif kind == "manual":
            if op is not None:
                target = target or self.target_for(rule, op)
                entry["target"] = _target_spelling(d, target)
            self.pending.append((entry, rule, weight))
        # execution_rate: the budget block carries the figures

    def fill_scores(self) -> None:
        for entry, rule, weight in self.pending:
            if entry.get("applicable") is False or "不" in str(entry.get("actual", "")):
                continue
            with local_context():
                # a stated score is in points of the form's own weight (the engine rescales it)
                effective = weight
                if rule.kind == "manual":
                    low, high = (
                        (ZERO, effective)
                        if rule.params.range is None
                        else _bounds(rule.params.range, effective, self.places)
                    )
                else:
                    tiers = {t.name: t for t in rule.params.tiers}
                    tier = tiers.get(entry.get("tier", ""))
                    if tier is None:
                        continue
                    low, high = _bounds(tier.range, effective, self.places)
            score = _score_within(self.draw, low, high, self.places)
            if score is not None:
                entry["score"] = _plain(score)
            elif rule.kind == "manual":
                raise InvalidArgument(f"人工评分规则在分值 {_plain(weight)} 下没有可选的得分")


def _target_spelling(draw: Draw, target: Target) -> str:
    """The target as text: its source spelling or its canonical form."""
    return target.source if target.source is not None and draw(st.booleans()) else str(target)


def _reference(rule: Rule) -> Quantity | None:
    p = rule.params
    if rule.kind == "deduction":
        return p.limit  # type: ignore[no-any-return]
    for band in p.bands:
        for end in (band.range.low, band.range.high):
            if end is not None and end.unit is not None:
                return end  # type: ignore[no-any-return]
    for band in p.bands:
        for end in (band.range.low, band.range.high):
            if end is not None:
                return end  # type: ignore[no-any-return]
    return None


def _domain_values(draw: Draw, rule: Rule) -> Quantity:
    """Values a bands/deduction rule sees: from 0 to twice its largest finite end, and every end."""
    p = rule.params
    unit: _units.Unit | None = None
    ends: list[Quantity] = []
    if rule.kind == "deduction":
        ends = [p.limit, Quantity(p.limit.value + p.step.value * 3, p.limit.unit)]
        unit = p.limit.unit
    else:
        for band in p.bands:
            ends.extend(e for e in (band.range.low, band.range.high) if e is not None)
        unit = next((e.unit for e in ends if e.unit is not None), None)
    ends = [
        Quantity(_units.convert(e.value, e.unit, unit) if e.unit else e.value, unit) for e in ends
    ]
    values = sorted({e.value for e in ends} | {ZERO})
    top = max(values[-1] * 2, Decimal(1))
    choice = draw(st.integers(0, 3))
    if choice == 0:
        value = _pick(draw, values)
    elif choice == 1:
        value = _pick(draw, values) + draw(st.sampled_from((Decimal("-0.01"), Decimal("0.01"))))
    else:
        value = _number(draw, ZERO, top, 2)
    return Quantity(max(value, ZERO) + 0, unit)


def _budget_keys(template: Template) -> list[tuple[str, str]]:
    rules = list(template.rules.values()) + [n.rule for n in template.walk() if n.rule is not None]
    return sorted(
        {(r.params.executed, r.params.budget) for r in rules if r.kind == "execution_rate"}
    )


def _put(mapping: dict[str, Any], dotted: str, value: str) -> None:
    *parents, last = dotted.split(".")
    for part in parents:
        mapping = mapping.setdefault(part, {})
    mapping[last] = value


def _budget(draw: Draw, template: Template) -> dict[str, Any] | None:
    keys = _budget_keys(template)
    if not keys:
        return None
    budget: dict[str, Any] = {"unit": "万元"}
    for executed, planned in keys:
        plan = _number(draw, Decimal(1), Decimal(100000), 2)
        rate = draw(st.one_of(st.just(100), st.integers(0, 150)))
        with local_context():
            done = quantize(plan * rate / 100, 2)
        if planned not in budget:
            _put(budget, planned, _plain(plan))
        _put(budget, executed, _plain(done))
    return budget


def _inputs(draw: Draw, template: Template) -> dict[str, str]:
    if not template.inputs:
        return {}
    base = draw(st.integers(1, 5000))
    values: dict[str, Decimal] = {}
    out: dict[str, str] = {}
    for name, spec in template.inputs.items():
        share = draw(st.one_of(st.just(100), st.integers(1, 200)))
        integral = spec.unit is not None and spec.unit.family.startswith("count:")
        with local_context():
            value = quantize(Decimal(base) * share / 100, 0 if integral else 2)
        value = max(value, Decimal(1) if integral else Decimal("0.01"))
        values[name] = value
        with_unit = spec.unit is not None and draw(st.booleans())
        out[name] = _plain(value) + (spec.unit.symbol if with_unit and spec.unit else "")
    for name, computed in template.computed.items():
        try:
            values[name] = computed.formula.evaluate(values)
        except PerfscoreError:
            assume(False)  # e.g. a denominator that happens to be 0
    return out


def forms(
    template: Template,
    *,
    max_leaves: int = 3,
    reported: bool = True,
    not_applicable: bool = False,
) -> st.SearchStrategy[dict[str, Any]]:
    """Valid form mappings for ``template`` (pass to ``perfscore.load_form(m, template=...)``).

    Weights sum exactly to every fixed parent and to the total (open nodes get 1 to
    ``max_leaves`` generated leaves filling their parent's weight); targets have compatible
    units and actuals are consistent with them; qualitative words come from the template's
    tiers rules, checklist items from the rule, stated and manual scores lie in their range;
    inputs are positive (computed values that would divide by zero are skipped) and the budget
    has the figures every ``execution_rate`` rule needs. ``reported`` adds self-given scores;
    ``not_applicable`` marks some leaves 不适用.

    Raises :class:`hypothesis.errors.InvalidArgument` when the template's fixed weights leave
    no valid form (e.g. fixed children heavier than their parent).
    """
    if not isinstance(template, Template):
        raise InvalidArgument(f"forms() 需要 perfscore.Template，实际为 {type(template).__name__}")

    return _forms(template, max_leaves, reported, not_applicable)


@st.composite
@in_local_context  # draws do Decimal arithmetic: never in the caller's context
def _forms(
    draw: Draw, template: Template, max_leaves: int, reported: bool, not_applicable: bool
) -> dict[str, Any]:
    builder = _Builder(draw, template, max_leaves, reported, not_applicable)
    indicators = builder.nodes(template.nodes, template.total)
    builder.fill_scores()
    data: dict[str, Any] = {
        "kind": "form",
        "template": template.id,
        "unit": "测试单位",
        "year": "2023",
    }
    budget = _budget(draw, template)
    if budget is not None:
        data["budget"] = budget
    inputs = _inputs(draw, template)
    if inputs:
        data["inputs"] = inputs
    data["indicators"] = indicators
    return data
