"""Targets (年度指标值): the Target value object, reading a target from YAML data, and the grammar of
targets as people write them (described in :mod:`perfscore.targets`).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import attrs

from ..errors import InputTypeError, TargetSyntaxError
from .numbers import ACCEPTED_NUMBERS, fold, to_decimal
from .quantity import (
    _EXCLUSIVE,
    _INCLUSIVE,
    _MAX_QUANTITATIVE_LENGTH,
    _OP_NAMES,
    _PREFIXES,
    _SUFFIXES,
    _SYMBOLS,
    COMPARATORS,
    OPS,
    Actual,
    Interval,
    Quantity,
    _compare,
    _flags,
    _fmt,
    _Problem,
    _unit_arg,
)
from .quantity_grammar import (
    _INTENT_CHARS,
    _PREFIX_RE,
    _RANGE_RE,
    _TAIL_RE,
    _is_cjk,
    _quantity_in,
    _read_interval,
    _read_range,
    _strip_bounds,
    _text_arg,
    parse_quantity,
)
from .units import UNIT_CHARACTERS, Unit

__all__ = ["Target", "parse_target", "parse_target_parts"]

# ---------------------------------------------------------------- Target


def _words(value: Iterable[str]) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
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
        symbol = COMPARATORS.get(self.op)
        if symbol is not None:
            return symbol + str(self.value)
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
