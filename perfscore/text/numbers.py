"""Plain numbers as people write them, and the decimal arithmetic perfscore uses.

Numbers in forms are typed by people: ``4073.53``, ``1,234.5``, ``１２３４．５``, ``-5``.
:func:`parse_decimal` reads exactly that and nothing more::

    number  = [sign] digits ["." digits]  |  [sign] "." digits
    digits  = d+  |  d{1,3} ("," d{3})+      # thousands separators only in groups of three
    sign    = "+" | "-"                      # also full-width ＋ －, and − (U+2212)

Full-width digits, ``．``, ``，`` and signs count as their ASCII twins; surrounding whitespace
(including the full-width space) is ignored. Refused, with a caret under the problem: empty
text, NaN / Infinity / ∞, exponent notation (``1e5``: a form never needs it, and
``1e999999999`` would make every later step slow), separators in the wrong place
(``12,34``), more than :data:`MAX_SIGNIFICANT_DIGITS` significant digits, and text longer than
:data:`MAX_NUMBER_LENGTH` characters. "Significant digits" here means the digits as written
once leading zeros are dropped (``0.0012`` has 2, ``100`` has 3, ``1.50`` has 3).

A ``Decimal`` is always built from the cleaned string, never from a float. Arithmetic runs in
:data:`DECIMAL_CONTEXT` (via :func:`local_context`) so the caller's global context cannot change
a score, and rounding is always 四舍五入 (``ROUND_HALF_UP``) through :func:`quantize`.
"""

from __future__ import annotations

import decimal
import functools
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from decimal import ROUND_HALF_UP, Decimal
from typing import Final, ParamSpec, TypeVar

from ..errors import InputTypeError, TargetSyntaxError

_P = ParamSpec("_P")
_R = TypeVar("_R")

__all__ = [
    "ACCEPTED_NUMBERS",
    "DECIMAL_CONTEXT",
    "MAX_NUMBER_LENGTH",
    "MAX_SIGNIFICANT_DIGITS",
    "NumberProblem",
    "fold",
    "in_local_context",
    "local_context",
    "parse_decimal",
    "quantize",
    "scan_decimal",
    "to_decimal",
]

MAX_SIGNIFICANT_DIGITS = 40
MAX_NUMBER_LENGTH = 100

#: The context every computation runs in: 28 digits, 四舍五入, and loud on anything odd
#: (a float sneaking in, a division by zero, an overflow, an invalid operation).
DECIMAL_CONTEXT = decimal.Context(
    prec=28,
    rounding=ROUND_HALF_UP,
    traps=[
        decimal.InvalidOperation,
        decimal.DivisionByZero,
        decimal.Overflow,
        decimal.FloatOperation,
    ],
)

ACCEPTED_NUMBERS = (
    "1234.5、-5、0.98、1,234.5（千位分隔符每三位一组）、全角数字如 １２３４．５；"
    f"不接受科学计数法（1e5）、NaN、无穷大，最多 {MAX_SIGNIFICANT_DIGITS} 位有效数字"
)

# Character folding, one character to one character so that positions in the folded text are
# positions in the original (carets stay in place). Full-width ASCII (U+FF01..FF5E) becomes
# ASCII; look-alike comparison and dash characters become the ones the grammars use.
_FOLD: dict[int, int | str] = {c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)}
_FOLD.update(
    {
        0x3000: " ",  # ideographic space
        ord("≧"): "≥",
        ord("⩾"): "≥",
        ord("≦"): "≤",
        ord("⩽"): "≤",
        ord("﹦"): "=",
        ord("﹤"): "<",
        ord("﹥"): ">",
        ord("−"): "-",  # U+2212 minus sign
        ord("﹣"): "-",
        ord("〜"): "~",  # U+301C wave dash
        ord("﹪"): "%",
    }
)


def fold(text: str) -> str:
    """Full-width and look-alike characters to the ones the grammars use (same length)."""
    return text.translate(_FOLD)


# The grammar of a plain number (on folded text; ASCII digits only).
_NUMBER_RE = re.compile(
    r"""
    (?P<sign>[-+])?
    (?:
        (?P<int>
            [0-9]{1,3}(?:,[0-9]{3})+    # with thousands separators: 1,234,567
          | [0-9]+                      # or without
        )
        (?:\.(?P<frac>[0-9]+))?         # optional decimals: 1234.5
      | \.(?P<bare>[0-9]+)              # .5
    )
    """,
    re.VERBOSE,
)

# Only used to say why a number does not read: compiled (and cached by ``re``) on first use.
_SPECIAL_RE = r"[-+]?(?:s?nan|q?nan|inf(?:inity)?|∞)"
_EXPONENT_RE = r"[-+]?(?:[0-9][0-9,]*(?:\.[0-9]*)?|\.[0-9]+)(?P<exp>[eE][-+]?[0-9]+)"


class NumberProblem(Exception):
    """Why a number cannot be read; ``span`` indexes the text given to :func:`scan_decimal`."""

    def __init__(self, message: str, span: tuple[int, int]) -> None:
        super().__init__(message)
        self.message = message
        self.span = span


def scan_decimal(text: str, start: int = 0, end: int | None = None) -> Decimal:
    """Read ``text[start:end]`` (already folded and stripped) as a number.

    Raises :class:`NumberProblem` whose span is an index range of ``text`` itself, so a caller
    reading a larger string (a target) can point at the problem in its own text.
    """
    if end is None:
        end = len(text)
    s = text[start:end]
    if not s:
        raise NumberProblem("缺少数字", (start, start))
    if len(s) > MAX_NUMBER_LENGTH:
        raise NumberProblem(f"数字过长（超过 {MAX_NUMBER_LENGTH} 个字符）", (start, end))
    m = _NUMBER_RE.fullmatch(s)
    if m is None:
        raise _diagnose(s, start)
    sign = m["sign"] or ""
    whole = (m["int"] or "").replace(",", "")
    frac = m["frac"] or m["bare"] or ""
    significant = len((whole + frac).lstrip("0"))
    if significant > MAX_SIGNIFICANT_DIGITS:
        raise NumberProblem(
            f"有效数字 {significant} 位，超过上限 {MAX_SIGNIFICANT_DIGITS} 位", (start, end)
        )
    cleaned = f"{sign}{whole or '0'}.{frac}" if frac else f"{sign}{whole}"
    return Decimal(cleaned)


def _diagnose(s: str, offset: int) -> NumberProblem:
    """Where and why ``s`` is not a number (only called once the grammar has failed)."""
    end = offset + len(s)
    if re.fullmatch(_SPECIAL_RE, s, re.IGNORECASE):
        return NumberProblem("不接受 NaN 或无穷大，请写出具体数字", (offset, end))
    m = re.fullmatch(_EXPONENT_RE, s)
    if m is not None:
        return NumberProblem(
            "不接受科学计数法（如 1e5），请写出完整的数字", (offset + m.start("exp"), end)
        )
    i = 1 if s[0] in "+-" else 0
    digits_start = i
    dot = -1
    while i < len(s):
        ch = s[i]
        if ch == ".":
            if dot >= 0:
                return NumberProblem("小数点重复", (offset + i, offset + i + 1))
            dot = i
        elif ch == ",":
            if dot >= 0:
                return NumberProblem("小数部分不能有千位分隔符", (offset + i, offset + i + 1))
        elif not "0" <= ch <= "9":
            what = "符号重复" if ch in "+-" and i == digits_start else f"无法识别的字符“{ch}”"
            return NumberProblem(what, (offset + i, offset + i + 1))
        i += 1
    whole_end = dot if dot >= 0 else len(s)
    whole = s[digits_start:whole_end]
    if not any(c.isdigit() for c in s):
        return NumberProblem("缺少数字", (offset, end))
    if dot >= 0 and dot == len(s) - 1:
        return NumberProblem("小数点后缺少数字", (offset + dot, offset + dot + 1))
    if "," in whole:
        groups = whole.split(",")
        pos = digits_start
        if not 1 <= len(groups[0]) <= 3:
            first_end = pos + len(groups[0])
            if not groups[0]:
                return NumberProblem("千位分隔符前缺少数字", (offset + pos, offset + pos + 1))
            return NumberProblem(
                "千位分隔符应每三位一组（如 1,234,567）", (offset + pos, offset + first_end)
            )
        pos += len(groups[0])
        for group in groups[1:]:
            if len(group) != 3:
                return NumberProblem(
                    "千位分隔符后应为三位数字（如 1,234,567）",
                    (offset + pos, offset + pos + 1 + len(group)),
                )
            pos += 1 + len(group)
    return NumberProblem("无法识别的数字", (offset, end))


def parse_decimal(text: str, *, what: str = "数值") -> Decimal:
    """Read a plain number written by a person (see the module docstring for the grammar).

    Raises :class:`~perfscore.errors.TargetSyntaxError` (with a caret under the problem) when the
    text is not such a number, and :class:`~perfscore.errors.InputTypeError` when it is not a
    ``str``.
    """
    if not isinstance(text, str):
        raise InputTypeError(
            f"{what}应为字符串，实际为 {type(text).__name__}",
            value=text,
            expected="字符串或 Decimal",
        )
    folded = fold(text)
    start = len(folded) - len(folded.lstrip())
    end = len(folded.rstrip())
    try:
        return scan_decimal(folded, start, max(start, end))
    except NumberProblem as problem:
        raise TargetSyntaxError(
            f"{what}无法识别：{problem.message}",
            text=text,
            span=problem.span,
            expected="数字",
            accepted=ACCEPTED_NUMBERS,
        ) from None


def to_decimal(value: object, *, what: str = "数值") -> Decimal:
    """A ``Decimal`` from a ``str``, ``int`` or ``Decimal``; floats and bools are refused.

    Floats are refused because ``0.1`` is not 0.1 in binary: the caller must say which decimal
    they mean. Strings go through :func:`parse_decimal`; ints and Decimals are held to the same
    limits (finite, at most :data:`MAX_SIGNIFICANT_DIGITS` significant digits).
    """
    if isinstance(value, bool):
        raise InputTypeError(
            f"{what}不接受布尔值 {value!r}，请写成字符串或 Decimal",
            value=value,
            expected="字符串、整数或 Decimal",
        )
    if isinstance(value, float):
        raise InputTypeError(
            f"{what}不接受浮点数 {value!r}（浮点数不能精确表示小数），"
            f'请写成字符串或 Decimal，如 "{value!r}" 或 Decimal("{value!r}")',
            value=value,
            expected="字符串、整数或 Decimal",
        )
    if isinstance(value, str):
        return parse_decimal(value, what=what)
    if isinstance(value, int):
        if abs(value) >= 10**MAX_SIGNIFICANT_DIGITS:
            # No str()/float() here: both fail on very large ints.
            raise TargetSyntaxError(
                f"{what}无法识别：整数超过上限 {MAX_SIGNIFICANT_DIGITS} 位有效数字",
                expected="数字",
            )
        return Decimal(value)
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise TargetSyntaxError(
                f"{what}无法识别：不接受 NaN 或无穷大，请写出具体数字",
                text=str(value),
                span=(0, len(str(value))),
                expected="数字",
            )
        if value.is_zero():
            return Decimal("-0") if value.is_signed() else Decimal(0)
        if abs(value.adjusted()) > MAX_NUMBER_LENGTH:
            raise TargetSyntaxError(
                f"{what}无法识别：数值的数量级过大或过小", value=str(value), expected="数字"
            )
        return parse_decimal(format(value, "f"), what=what)
    raise InputTypeError(
        f"{what}不接受 {type(value).__name__} 类型的值，请写成字符串或 Decimal",
        value=value,
        expected="字符串、整数或 Decimal",
    )


@contextmanager
def local_context() -> Iterator[decimal.Context]:
    """Run a block in a private copy of :data:`DECIMAL_CONTEXT`."""
    with decimal.localcontext(DECIMAL_CONTEXT) as ctx:
        yield ctx


def in_local_context(func: Callable[_P, _R]) -> Callable[_P, _R]:
    """Decorator: run ``func`` in :func:`local_context` (public entry points that do decimal
    arithmetic, so that a caller's ``getcontext().prec = 3`` cannot change a result)."""

    @functools.wraps(func)
    def wrapper(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        with local_context():
            return func(*args, **kwargs)

    return wrapper


def quantize(value: Decimal, places: int, *, rounding: str = ROUND_HALF_UP) -> Decimal:
    """Round to ``places`` decimals, 四舍五入 (``9.695`` → ``9.70``, ``2.675`` → ``2.68``).

    Never ``round()`` (ties to even) and never through a float. The precision is raised for the
    duration so that values with many digits round instead of failing. ``rounding`` is for
    showing numbers (``ROUND_DOWN``: cut, as explanations do); scores always round half up.
    """
    if isinstance(value, bool) or not isinstance(value, Decimal):
        raise InputTypeError(
            f"quantize 需要 Decimal，实际为 {type(value).__name__}",
            value=value,
            expected="Decimal",
        )
    if isinstance(places, bool) or not isinstance(places, int):
        raise InputTypeError(
            f"小数位数应为整数，实际为 {type(places).__name__}", value=places, expected="整数"
        )
    if not value.is_finite():
        raise TargetSyntaxError("不能对 NaN 或无穷大取舍", value=str(value), expected="有限的数字")
    step = _STEPS.get(places)
    if step is not None and value.adjusted() + places + 3 <= DECIMAL_CONTEXT.prec:
        # The usual case (a score): perfscore's context passed directly, no context switch.
        return value.quantize(step, rounding=rounding, context=DECIMAL_CONTEXT)
    with decimal.localcontext(DECIMAL_CONTEXT) as ctx:
        ctx.prec = max(DECIMAL_CONTEXT.prec, value.adjusted() + places + 3)
        return value.quantize(Decimal(1).scaleb(-places), rounding=rounding)


#: 10⁻ⁿ for the usual numbers of places.
_STEPS: Final = {places: Decimal(1).scaleb(-places) for places in range(9)}
