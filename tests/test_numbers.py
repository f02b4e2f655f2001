"""Plain numbers (perfscore.text.numbers): reading, refusing, and 四舍五入."""

from __future__ import annotations

import decimal
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from perfscore.errors import InputTypeError, PerfscoreError, TargetSyntaxError
from perfscore.text.numbers import (
    DECIMAL_CONTEXT,
    MAX_SIGNIFICANT_DIGITS,
    local_context,
    parse_decimal,
    quantize,
    to_decimal,
)

FULL = str.maketrans("0123456789.,-+", "０１２３４５６７８９．，－＋")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("0", "0"),
        ("4073.53", "4073.53"),
        ("-5", "-5"),
        ("+5", "5"),
        ("0.98", "0.98"),
        (".5", "0.5"),
        ("100.0", "100.0"),
        ("1,234.5", "1234.5"),
        ("1,234,567.89", "1234567.89"),
        ("12,345", "12345"),
        ("１２３４．５", "1234.5"),
        ("１，２３４", "1234"),
        ("1，234", "1234"),
        ("－５", "-5"),
        ("−5", "-5"),  # U+2212 minus sign
        ("  12  ", "12"),
        ("\u300012\u3000", "12"),
        ("0001", "0001"),
        ("0." + "0" * 50 + "1", "0." + "0" * 50 + "1"),
    ],
)
def test_parse_decimal_accepts(text: str, expected: str) -> None:
    value = parse_decimal(text)
    assert value == Decimal(expected)
    assert isinstance(value, Decimal)


def test_parse_decimal_keeps_digits_as_written() -> None:
    assert str(parse_decimal("100.00")) == "100.00"
    assert str(parse_decimal("1,000")) == "1000"


@pytest.mark.parametrize(
    ("text", "caret", "reason"),
    [
        ("12,34", "      ~~^", "三位"),
        ("1,23,456", "     ~~^", "三位"),
        ("1234,567", "    ~~~^", "每三位"),
        ("1,2345", "     ~~~~^", "三位"),
        ("1,234.5,6", "           ^", "小数部分"),
        ("1e5", "     ~^", "科学计数法"),
        ("1e999999999", "     ~~~~~~~~~^", "科学计数法"),
        ("1E-3", "     ~~^", "科学计数法"),
        ("NaN", "    ~~^", "NaN"),
        ("nan", "    ~~^", "NaN"),
        ("Infinity", "    ~~~~~~~^", "无穷大"),
        ("-inf", "    ~~~^", "无穷大"),
        ("∞", "    ^", "无穷大"),
        ("1.2.3", "       ^", "小数点重复"),
        ("5.", "     ^", "小数点后缺少数字"),
        ("abc", "    ^", "无法识别的字符"),
        ("12a", "      ^", "无法识别的字符"),
        ("1 234", "     ^", "无法识别的字符"),
        ("--5", "     ^", "符号重复"),
        ("-", "    ^", "缺少数字"),
        ("", "    ^", "缺少数字"),
        ("   ", "       ^", "缺少数字"),
        (",123", "    ^", "千位分隔符前缺少数字"),
    ],
)
def test_parse_decimal_refuses_with_caret(text: str, caret: str, reason: str) -> None:
    with pytest.raises(TargetSyntaxError) as info:
        parse_decimal(text)
    err = info.value
    assert reason in err.message
    assert err.caret().splitlines()[1] == caret
    assert err.text == text
    assert err.accepted  # the accepted spellings are listed
    assert "可用写法" in str(err)


def test_caret_counts_wide_characters_twice() -> None:
    with pytest.raises(TargetSyntaxError) as info:
        parse_decimal("１２，３４")
    # "１２" is four columns wide; the problem ("，３４") starts under column 5.
    assert info.value.caret() == "    １２，３４\n        ~~~~~^"


def test_significant_digit_limit() -> None:
    ok = "9" * MAX_SIGNIFICANT_DIGITS
    assert parse_decimal(ok) == Decimal(ok)
    assert parse_decimal("0.000" + ok) == Decimal("0.000" + ok)
    with pytest.raises(TargetSyntaxError) as info:
        parse_decimal("9" * (MAX_SIGNIFICANT_DIGITS + 1))
    assert "40 位" in info.value.message
    assert "上限" in info.value.message
    with pytest.raises(TargetSyntaxError, match="40"):
        parse_decimal("1" + "0" * MAX_SIGNIFICANT_DIGITS)  # 41 digits even if most are 0


def test_overlong_text_is_refused() -> None:
    with pytest.raises(TargetSyntaxError, match="过长"):
        parse_decimal("0." + "0" * 200 + "1")


def test_what_names_the_field() -> None:
    with pytest.raises(TargetSyntaxError, match=r"^全年预算数无法识别"):
        parse_decimal("abc", what="全年预算数")


def test_parse_decimal_refuses_non_strings() -> None:
    with pytest.raises(InputTypeError):
        parse_decimal(12)  # type: ignore[arg-type]


# ---------------------------------------------------------------- to_decimal


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("12.5", Decimal("12.5")),
        (12, Decimal(12)),
        (-3, Decimal(-3)),
        (Decimal("4073.53"), Decimal("4073.53")),
        (Decimal("1E+2"), Decimal("100")),
        (Decimal("0E-1000"), Decimal(0)),
    ],
)
def test_to_decimal_accepts(value: object, expected: Decimal) -> None:
    assert to_decimal(value) == expected


def test_to_decimal_plain_notation() -> None:
    assert str(to_decimal(Decimal("1E+2"))) == "100"


@pytest.mark.parametrize("value", [0.1, 1.0, float("nan")])
def test_to_decimal_refuses_floats(value: float) -> None:
    with pytest.raises(InputTypeError) as info:
        to_decimal(value)
    assert "不接受浮点数" in info.value.message
    assert "请写成字符串或 Decimal" in info.value.message
    assert isinstance(info.value, TypeError)


@pytest.mark.parametrize("value", [True, False, None, [1], b"1", object()])
def test_to_decimal_refuses_other_types(value: object) -> None:
    with pytest.raises(InputTypeError):
        to_decimal(value)


@pytest.mark.parametrize(
    "value", [Decimal("NaN"), Decimal("Infinity"), Decimal("-Infinity"), Decimal("sNaN")]
)
def test_to_decimal_refuses_non_finite(value: Decimal) -> None:
    with pytest.raises(TargetSyntaxError, match="NaN 或无穷大"):
        to_decimal(value)


def test_to_decimal_refuses_huge() -> None:
    with pytest.raises(TargetSyntaxError):
        to_decimal(10**50)
    with pytest.raises(TargetSyntaxError):
        to_decimal(10**100000)  # no ValueError from int→str limits
    with pytest.raises(TargetSyntaxError):
        to_decimal(Decimal("1E+999999"))
    with pytest.raises(TargetSyntaxError):
        to_decimal(Decimal("1" * 41))


# ---------------------------------------------------------------- quantize and context


@pytest.mark.parametrize(
    ("value", "places", "expected"),
    [
        ("9.695", 2, "9.70"),
        ("2.675", 2, "2.68"),
        ("0.125", 2, "0.13"),
        ("-2.675", 2, "-2.68"),
        ("2.5", 0, "3"),
        ("3.5", 0, "4"),
        ("9.6938775", 2, "9.69"),
        ("10", 2, "10.00"),
        ("1234.5", -2, "1.2E+3"),
        ("9" * 40 + ".5", 0, "1" + "0" * 40),
    ],
)
def test_quantize_half_up(value: str, places: int, expected: str) -> None:
    assert str(quantize(Decimal(value), places)) == expected


def test_quantize_ignores_the_callers_context() -> None:
    with decimal.localcontext() as ctx:
        ctx.prec = 3
        ctx.rounding = decimal.ROUND_DOWN
        assert str(quantize(Decimal("9.695"), 2)) == "9.70"
        assert str(quantize(Decimal("12345.675"), 2)) == "12345.68"


def test_quantize_refuses_floats_and_non_finite() -> None:
    with pytest.raises(InputTypeError):
        quantize(2.675, 2)  # type: ignore[arg-type]
    with pytest.raises(InputTypeError):
        quantize(Decimal(1), 2.0)  # type: ignore[arg-type]
    with pytest.raises(PerfscoreError):
        quantize(Decimal("NaN"), 2)


def test_decimal_context() -> None:
    assert DECIMAL_CONTEXT.prec == 28
    assert DECIMAL_CONTEXT.rounding == decimal.ROUND_HALF_UP
    for trap in (
        decimal.InvalidOperation,
        decimal.DivisionByZero,
        decimal.Overflow,
        decimal.FloatOperation,
    ):
        assert DECIMAL_CONTEXT.traps[trap]


def test_local_context_traps() -> None:
    with local_context() as ctx:
        assert ctx.prec == 28
        assert Decimal(1) / Decimal(3) == Decimal("0.3333333333333333333333333333")
        with pytest.raises(decimal.DivisionByZero):
            Decimal(1) / Decimal(0)
        with pytest.raises(decimal.FloatOperation):
            Decimal("1.5") < 1.5  # noqa: B015
    # the caller's context is untouched afterwards
    assert decimal.getcontext() is not DECIMAL_CONTEXT


# ---------------------------------------------------------------- properties

finite = st.decimals(
    allow_nan=False, allow_infinity=False, places=4, min_value=-(10**12), max_value=10**12
)


@given(finite)
def test_plain_text_round_trips(value: Decimal) -> None:
    text = format(value, "f")
    assert parse_decimal(text) == value
    assert str(parse_decimal(text)) == text


@given(finite)
def test_full_width_and_grouped_text_reads_the_same(value: Decimal) -> None:
    grouped = f"{value:,f}"
    assert parse_decimal(grouped) == value
    assert parse_decimal(grouped.translate(FULL)) == value
    assert parse_decimal(f" {grouped}\u3000") == value


@given(st.text(max_size=30))
def test_only_documented_errors_escape(text: str) -> None:
    try:
        parse_decimal(text)
    except TargetSyntaxError as err:
        start, end = err.span
        assert 0 <= start <= end <= len(text)


@given(finite, st.integers(min_value=0, max_value=6))
def test_quantize_matches_half_up_definition(value: Decimal, places: int) -> None:
    result = quantize(value, places)
    step = Decimal(1).scaleb(-places)
    assert abs(result - value) <= step / 2
    assert result.as_tuple().exponent == -places
    # a tie always goes away from zero
    if abs(result - value) == step / 2:
        assert abs(result) > abs(value)
