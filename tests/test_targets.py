"""Targets, actuals, quantities, intervals and units (perfscore.targets, perfscore.text.units)."""

from __future__ import annotations

import operator
import pickle
from collections.abc import Callable
from decimal import Decimal

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from perfscore.errors import InputTypeError, PerfscoreError, TargetSyntaxError, UnitError
from perfscore.targets import (
    Actual,
    Interval,
    Quantity,
    Target,
    intervals_gap_or_overlap,
    parse_actual,
    parse_interval,
    parse_number,
    parse_quantity,
    parse_target,
    parse_target_parts,
    same_family,
)
from perfscore.text.units import compatible, convert, lookup_unit

D = Decimal


def q(text: str) -> Quantity:
    return parse_quantity(text)


# ---------------------------------------------------------------- targets: every spelling

TARGETS = [
    # domain.md §4, one cell
    ("≥50个", "≥50个", ">="),
    ("≤90万元", "≤90万元", "<="),
    ("≥100百分比", "≥100%", ">="),
    ("100%", "=100%", "="),
    ("150万", "=150万", "="),
    ("300 公里", "=300公里", "="),
    ("≥266米", "≥266米", ">="),
    ("≥4073.53万元", "≥4073.53万元", ">="),
    ("≧98%", "≥98%", ">="),
    ("≤4073.53万", "≤4073.53万", "<="),
    ("=100%", "=100%", "="),
    ("≤5%", "≤5%", "<="),
    ("≦0", "≤0", "<="),
    ("100%以下(含)", "≤100%", "<="),
    (">92%", ">92%", ">"),
    # ≥ spellings
    (">=10次", "≥10次", ">="),
    ("＞＝10次", "≥10次", ">="),
    ("＞=10次", "≥10次", ">="),
    ("⩾10次", "≥10次", ">="),
    ("大于等于10次", "≥10次", ">="),
    ("大于或等于10次", "≥10次", ">="),
    ("不低于10次", "≥10次", ">="),
    ("不少于10次", "≥10次", ">="),
    ("不小于10次", "≥10次", ">="),
    ("10次以上", "≥10次", ">="),
    ("10次及以上", "≥10次", ">="),
    ("10次或以上", "≥10次", ">="),
    ("10次以上(含)", "≥10次", ">="),
    ("10次以上（含）", "≥10次", ">="),
    ("10次以上(含本数)", "≥10次", ">="),
    # ≤ spellings
    ("<=5%", "≤5%", "<="),
    ("＜＝5%", "≤5%", "<="),
    ("⩽5%", "≤5%", "<="),
    ("小于等于5%", "≤5%", "<="),
    ("小于或等于5%", "≤5%", "<="),
    ("不高于5%", "≤5%", "<="),
    ("不超过5%", "≤5%", "<="),
    ("不大于5%", "≤5%", "<="),
    ("不多于5%", "≤5%", "<="),
    ("5%以下", "≤5%", "<="),
    ("5%及以下", "≤5%", "<="),
    ("5%以内", "≤5%", "<="),
    ("5%之内", "≤5%", "<="),
    ("100%以下（含）", "≤100%", "<="),
    # = spellings
    ("＝100%", "=100%", "="),
    ("﹦100%", "=100%", "="),
    ("==100%", "=100%", "="),
    ("等于100%", "=100%", "="),
    # > spellings
    ("＞92%", ">92%", ">"),
    ("大于92%", ">92%", ">"),
    ("高于92%", ">92%", ">"),
    ("超过92%", ">92%", ">"),
    ("多于92%", ">92%", ">"),
    ("10公里以外", ">10公里", ">"),
    ("10次以上(不含)", ">10次", ">"),
    ("10次以上（不含本数）", ">10次", ">"),
    # < spellings
    ("<5%", "<5%", "<"),
    ("＜5%", "<5%", "<"),
    ("小于5%", "<5%", "<"),
    ("低于5%", "<5%", "<"),
    ("少于5%", "<5%", "<"),
    ("不满5%", "<5%", "<"),
    ("不足5%", "<5%", "<"),
    ("100%以下(不含)", "<100%", "<"),
    ("5天以内(不含)", "<5天", "<"),
    # full width, whitespace
    ("≥１０次", "≥10次", ">="),
    ("≥98％", "≥98%", ">="),
    ("≥ 10 次", "≥10次", ">="),
    ("\u3000≥１０\u3000次\u3000", "≥10次", ">="),
    ("≥1,000元", "≥1000元", ">="),
    ("≥１，０００．５元", "≥1000.5元", ">="),
    ("≥-5%", "≥-5%", ">="),
    ("≥100.0%", "≥100.0%", ">="),
    # units
    ("≥5km", "≥5公里", ">="),
    ("≥5KM", "≥5公里", ">="),
    ("≤120㎡", "≤120平方米", "<="),
    ("≤120m²", "≤120平方米", "<="),
    ("≤120m2", "≤120平方米", "<="),
    ("≥30亩", "≥30亩", ">="),
    ("≥10万亩", "≥10万亩", ">="),
    ("≥1.2万人次", "≥1.2万人次", ">="),
    ("≤5‰", "≤5‰", "<="),
    ("≥2次/年", "≥2次/年", ">="),
    ("≤120元/人", "≤120元/人", "<="),
    ("≤3个月", "≤3个月", "<="),
    ("≤15个工作日", "≤15工作日", "<="),
    ("≥12小时", "≥12小时", ">="),
    ("≤1亿元", "≤1亿元", "<="),
    ("≥5吨", "≥5吨", ">="),
    ("≥20场次", "≥20场次", ">="),
    ("≥3栋", "≥3栋", ">="),
    ("≥8辆", "≥8辆", ">="),
]


@pytest.mark.parametrize(("text", "canonical", "op"), TARGETS)
def test_target_spellings(text: str, canonical: str, op: str) -> None:
    target = parse_target(text)
    assert target.op == op
    assert str(target) == canonical
    assert parse_target(canonical) == target
    assert str(parse_target(canonical)) == canonical
    assert target.source == text


RANGES = [
    ("90%-100%", "[90%, 100%]"),
    ("90%~100%", "[90%, 100%]"),
    ("90%～100%", "[90%, 100%]"),
    ("90%〜100%", "[90%, 100%]"),
    ("90%至100%", "[90%, 100%]"),
    ("90%到100%", "[90%, 100%]"),
    ("90%—100%", "[90%, 100%]"),
    ("90-100%", "[90%, 100%]"),
    ("９０％－１００％", "[90%, 100%]"),
    ("-5%-5%", "[-5%, 5%]"),
    ("1,000-2,000元", "[1000元, 2000元]"),
    ("[90%, 100%]", "[90%, 100%]"),
    ("［90%，100%］", "[90%, 100%]"),
    ("(0, 10%]", "(0%, 10%]"),
    ("(30%, +∞)", "(30%, +∞)"),
    ("(30%, ∞)", "(30%, +∞)"),
    ("[0, 60%)", "[0%, 60%)"),
    ("(-∞, 0]", "(-∞, 0]"),
    ("[1,000, 2,000]", "[1000, 2000]"),
    ("[0, 0]", "[0, 0]"),
]


@pytest.mark.parametrize(("text", "canonical"), RANGES)
def test_range_spellings(text: str, canonical: str) -> None:
    target = parse_target(text)
    assert target.op == "range"
    assert str(target) == canonical
    assert parse_target(canonical) == target


QUALITATIVE = [
    "未发生",
    "出台",
    "年",
    "定时",
    "辖区应清理的垃圾全面清理完毕",
    "每月15日前足额发放",
    "“三公”经费同比下降",
    "2023年完成全部既定目标",
    "下降100%",
    "100%完成",
    "不低于上年",
    "不低于90%的水平",
    "超过预期",
    "12个月内完成",
    "第3季度",
    "(试行)",
    "达成预期指标",
    "优",
    "是",
]


@pytest.mark.parametrize("text", QUALITATIVE)
def test_qualitative_targets(text: str) -> None:
    target = parse_target(text)
    assert target.op == "qualitative"
    assert target.direction == "qualitative"
    assert target.words == (text,)
    assert str(target) == text
    assert parse_target(str(target)) == target
    assert target.quantity is None
    assert ("numeric_text" in target.flags) == any(c.isdigit() for c in text)


def test_qualitative_text_is_stripped() -> None:
    assert parse_target("  出台 ").words == ("出台",)


MALFORMED = [
    # text, caret line, a phrase of the message
    ("≥", "     ^", "缺少数值"),
    ("≥abc%", "     ~~~^", "应为数值"),
    ("≥1,2,3次", "      ~^", "三位"),
    ("≥12%%", "        ^", "多余"),
    (">=<5", "      ^", "只能写一个比较符"),
    ("≥≥5", "     ^", "只能写一个比较符"),
    ("12,34", "      ~~^", "三位"),
    ("1e5", "     ~^", "科学计数法"),
    ("≥1e999999999%", "      ~~~~~~~~~^", "科学计数法"),
    ("≥NaN%", "     ~~~^", "NaN"),
    ("≥1.2.3", "        ^", "小数点重复"),
    ("≥18人天", "       ~~~^", "无法识别的单位“人天”"),
    ("18人天", "      ~~~^", "无法识别的单位"),
    ("≥10次以上", "         ~~~^", "比较符重复"),
    ("10次(含)", "        ~~~^", "只能跟在"),
    ("90-", "      ^", "范围"),
    ("100%-90%", "    ~~~~~~~^", "大于上限"),
    ("90%-100次", "    ~~~~~~~~^", "不是同一类"),
    ("[1, 2", "         ^", "右括号"),
    ("[1 2]", "     ~~^", "缺少逗号"),
    ("[2, 1]", "    ~~~~~^", "大于上限"),
    ("(5, 5]", "    ~~~~~^", "为空"),
    ("[1, 2]]", "          ^", "括号"),
    ("(+∞, 5]", "     ~^", "下限"),
    ("不低于12%%", "             ^", "多余"),
    ("≥出台", "     ~~~^", "应为数值"),
    ("", "    ^", "为空"),
    ("   ", "    ^", "为空"),
]


@pytest.mark.parametrize(("text", "caret", "reason"), MALFORMED)
def test_malformed_targets(text: str, caret: str, reason: str) -> None:
    with pytest.raises(TargetSyntaxError) as info:
        parse_target(text)
    err = info.value
    assert reason in err.message, err.message
    assert err.caret().splitlines()[1] == caret
    assert err.text == text
    assert err.accepted


def test_caret_rendering_exact() -> None:
    with pytest.raises(TargetSyntaxError) as info:
        parse_target("≥12%%")
    err = info.value
    assert err.span == (4, 5)
    assert err.caret() == "    ≥12%%\n        ^"
    text = str(err)
    assert "≥12%%" in text
    assert "\n    可用写法：" in text
    assert "%" in err.accepted  # type: ignore[operator]


def test_caret_under_wide_characters() -> None:
    with pytest.raises(TargetSyntaxError) as info:
        parse_target("不低于１，２，３次")
    # 不低于 and full-width digits are two columns each
    assert info.value.caret() == "    不低于１，２，３次\n            ~~~^"


def test_accepted_lists_comparators() -> None:
    with pytest.raises(TargetSyntaxError) as info:
        parse_target(">=<5")
    accepted = info.value.accepted or ""
    for spelling in ("≥", "不低于", "以上", "不超过", "以内", "不满", "(含)", "[90%, 100%]"):
        assert spelling in accepted


def test_parse_target_refuses_non_text() -> None:
    with pytest.raises(InputTypeError):
        parse_target(10)  # type: ignore[arg-type]


# ---------------------------------------------------------------- split columns


@pytest.mark.parametrize(
    ("op", "value", "unit", "canonical"),
    [
        ("≥", "10", "次", "≥10次"),
        ("≤", "4073.53", "万元", "≤4073.53万元"),
        ("=", "100", "%", "=100%"),
        ("﹦", "100", "%", "=100%"),
        ("＝", "100", "百分比", "=100%"),
        ("≧", "98", "%", "≥98%"),
        ("不低于", "95", "%", "≥95%"),
        (">", "92", "％", ">92%"),
        ("≥", "10次", "", "≥10次"),
        ("≥", "10次", "次", "≥10次"),
        ("≥", "98%", "%", "≥98%"),
        ("≥", " 10 ", None, "≥10"),
        ("定性", "出台", "", "出台"),
        ("定性", "未发生", None, "未发生"),
        ("", "≥10次", "", "≥10次"),
        (None, "90%-100%", None, "[90%, 100%]"),
        ("range", "90-100", "%", "[90%, 100%]"),
    ],
)
def test_split_columns(op: str | None, value: str, unit: str | None, canonical: str) -> None:
    target = parse_target_parts(op, value, unit)
    assert str(target) == canonical
    assert parse_target(canonical) == target


@pytest.mark.parametrize(
    ("op", "value", "unit"),
    [
        ("≥", "出台", ""),
        ("不低于", "上年", ""),
        ("≥", "10", "次个"),
        ("≥", "10次", "个"),
        ("≥", "10次以下", ""),
        ("大约", "10", "次"),
        ("定性", "", ""),
        ("≥", "", "次"),
    ],
)
def test_split_columns_errors(op: str, value: str, unit: str) -> None:
    with pytest.raises(TargetSyntaxError):
        parse_target_parts(op, value, unit)


def test_split_columns_unknown_op_has_caret() -> None:
    with pytest.raises(TargetSyntaxError) as info:
        parse_target_parts("大约", "10", "次")
    assert info.value.caret() == "    大约\n    ~~~^"


# ---------------------------------------------------------------- structured form


@pytest.mark.parametrize(
    ("data", "canonical"),
    [
        ({"op": ">=", "value": "10", "unit": "次"}, "≥10次"),
        ({"op": "≥", "value": 10, "unit": "次"}, "≥10次"),
        ({"op": "不超过", "value": Decimal("4073.53"), "unit": "万元"}, "≤4073.53万元"),
        ({"op": "=", "value": "100%"}, "=100%"),
        ({"op": "<", "value": "5", "unit": "%"}, "<5%"),
        ({"op": ">", "value": "0"}, ">0"),
        ({"words": ["出台"]}, "出台"),
        ({"op": "定性", "value": "未发生"}, "未发生"),
        ({"op": "qualitative", "words": ["出台", "印发"]}, "出台、印发"),
        ({"op": "range", "low": "90%", "high": "100%"}, "[90%, 100%]"),
        ({"op": "range", "low": "90", "high": "100", "unit": "%"}, "[90%, 100%]"),
        ({"op": "range", "low": "0", "high": "10%", "low_closed": False}, "(0%, 10%]"),
        ({"op": "range", "low": "30%", "high": None, "low_closed": False}, "(30%, +∞)"),
        ({"low": "1", "high": "2", "unit": "次"}, "[1次, 2次]"),
        ({"op": "range", "value": "90%～100%"}, "[90%, 100%]"),
    ],
)
def test_from_mapping(data: dict[str, object], canonical: str) -> None:
    target = Target.from_mapping(data)
    assert str(target) == canonical
    assert Target.from_mapping(target.to_mapping()) == target
    if "、" not in canonical:
        assert parse_target(canonical) == target


def test_to_mapping_shapes() -> None:
    assert parse_target("≥10次").to_mapping() == {"op": ">=", "value": "10", "unit": "次"}
    assert parse_target("≤0").to_mapping() == {"op": "<=", "value": "0"}
    assert parse_target("(0, 10%]").to_mapping() == {
        "op": "range",
        "low": "0%",
        "high": "10%",
        "low_closed": False,
        "high_closed": True,
    }
    assert parse_target("出台").to_mapping() == {"op": "qualitative", "words": ["出台"]}


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"op": ">=", "value": 10.0, "unit": "次"}, InputTypeError),
        ({"op": ">=", "value": True}, InputTypeError),
        ({"op": ">=", "value": "abc"}, TargetSyntaxError),
        ({"op": ">=", "unit": "次"}, TargetSyntaxError),
        ({"op": ">=", "value": "10", "unit": "次次"}, TargetSyntaxError),
        ({"op": ">=", "value": "10个", "unit": "次"}, TargetSyntaxError),
        ({"op": "about", "value": "10"}, TargetSyntaxError),
        ({"op": 5, "value": "10"}, InputTypeError),
        ({"value": "10"}, TargetSyntaxError),
        ({"op": ">=", "value": "10", "colour": "red"}, TargetSyntaxError),
        ({"op": "range", "low": "5", "high": "1"}, TargetSyntaxError),
        ({"op": "range", "low": "5%", "high": "10次"}, UnitError),
        ({"op": "range", "low": "1", "high": "2", "low_closed": "yes"}, InputTypeError),
        ({"op": "range"}, TargetSyntaxError),
        ({"op": "range", "value": "≥5"}, TargetSyntaxError),
        ({"words": []}, TargetSyntaxError),
        ({"words": [""]}, TargetSyntaxError),
        ({"words": [1]}, TargetSyntaxError),
    ],
)
def test_from_mapping_errors(data: dict[str, object], error: type[PerfscoreError]) -> None:
    with pytest.raises(error):
        Target.from_mapping(data)


def test_from_mapping_refuses_non_mappings() -> None:
    with pytest.raises(InputTypeError):
        Target.from_mapping("≥10次")  # type: ignore[arg-type]


def test_target_constructor_checks_shape() -> None:
    with pytest.raises(TargetSyntaxError):
        Target(">=")
    with pytest.raises(TargetSyntaxError):
        Target("~", value=q("1"))
    with pytest.raises(TargetSyntaxError):
        Target("range", value=q("1"))
    with pytest.raises(TargetSyntaxError):
        Target("qualitative")


# ---------------------------------------------------------------- direction and is_met


@pytest.mark.parametrize(
    ("text", "direction"),
    [
        ("≥10次", "positive"),
        (">10次", "positive"),
        ("≤5%", "reverse"),
        ("<5%", "reverse"),
        ("=100%", "equal"),
        ("100%", "equal"),
        ("出台", "qualitative"),
        ("90%-100%", "positive"),
        ("(30%, +∞)", "positive"),
        ("(-∞, 5%]", "reverse"),
    ],
)
def test_direction(text: str, direction: str) -> None:
    assert parse_target(text).direction == direction


@pytest.mark.parametrize(
    ("target", "actual", "met"),
    [
        ("≥15", "15", True),
        (">15", "15", False),
        ("≥15", "14.999", False),
        (">15", "15.001", True),
        ("≤15", "15", True),
        ("<15", "15", False),
        ("=15", "15.00", True),
        ("=15", "15.01", False),
        ("15次以上", "15次", True),
        ("15次以上(不含)", "15次", False),
        ("不满15次", "15次", False),
        ("不超过15次", "15次", True),
        ("超过15次", "15次", False),
        ("≥1亿元", "10000万元", True),
        ("≥1亿元", "9999.99万元", False),
        ("≥1公里", "1000米", True),
        ("≤1公里", "1000.1米", False),
        ("≥10亩", "6666.67平方米", True),
        ("≥10亩", "6666.66平方米", False),
        ("≥1年", "12个月", True),
        ("≥1‰", "0.1%", True),
        ("≤4073.53万", "4073.53万元", True),
        ("≤4073.53万", "4073.53", True),
        ("≤4073.53万", "4073.54", False),
        ("≥10", "12次", True),
        ("[90%, 100%]", "90%", True),
        ("(90%, 100%]", "90%", False),
        ("[90%, 100%)", "100%", False),
        ("90%～100%", "100%", True),
        ("(0, 10%]", "0%", False),
        ("(30%, +∞)", "1000%", True),
        ("[0, 0]", "0%", True),
        ("[0, 0]", "0.1%", False),
    ],
)
def test_is_met(target: str, actual: str, met: bool) -> None:
    t = parse_target(target)
    assert t.is_met(parse_quantity(actual)) is met
    assert t.is_met(parse_actual(actual, t)) is met


def test_is_met_bare_actual_inherits() -> None:
    t = parse_target("≥15次")
    assert t.is_met(Quantity(D(15))) is True
    assert t.is_met(parse_actual("15", t)) is True


def test_is_met_qualitative() -> None:
    t = parse_target("出台")
    assert t.is_met(parse_actual("出台", t)) is True
    assert t.is_met(parse_actual(" 出 台 ", t)) is True
    assert t.is_met(parse_actual("未出台", t)) is False
    assert t.is_met(parse_actual("1个", t)) is False
    assert t.is_met(Quantity(D(1))) is False
    assert t.is_met(parse_actual(None, t)) is False
    multi = Target.from_mapping({"words": ["出台", "印发"]})
    assert multi.is_met(parse_actual("印发")) is True


def test_is_met_without_a_quantity() -> None:
    t = parse_target("≥10次")
    for text in (None, "", "不适用", "较大改善"):
        assert t.is_met(parse_actual(text)) is False


def test_is_met_incompatible_raises() -> None:
    with pytest.raises(UnitError) as info:
        parse_target("≥10次").is_met(q("12个"))
    assert "次" in info.value.message
    assert "个" in info.value.message
    with pytest.raises(UnitError):
        parse_target("[90%, 100%]").is_met(q("95元"))
    with pytest.raises(UnitError):
        parse_target("≥5%").is_met(q("5万"))
    with pytest.raises(InputTypeError):
        parse_target("≥5%").is_met("5%")  # type: ignore[arg-type]


# ---------------------------------------------------------------- actuals


ACTUALS = [
    # text, target, kind, canonical quantity or word, flags
    ("18次", "≥10次", "quantity", "18次", ()),
    ("18", "≥10次", "quantity", "18次", ("unit_inherited",)),
    ("98", "≧98%", "quantity", "98%", ("unit_inherited",)),
    ("≥90%", "≥90%", "quantity", "90%", ("repeated_comparator",)),
    ("≧95%", "≧98%", "quantity", "95%", ("repeated_comparator",)),
    ("18次以上", "≥10次", "quantity", "18次", ("repeated_comparator",)),
    ("１８次", "≥10次", "quantity", "18次", ()),
    ("95％", "≥90%", "quantity", "95%", ()),
    ("100百分比", "≥90%", "quantity", "100%", ()),
    ("4073.53", "≤4073.53万元", "quantity", "4073.53万元", ("unit_inherited",)),
    ("4073.53万", "≤4073.53万元", "quantity", "4073.53万元", ("unit_inherited",)),
    ("150万", "≥100万元", "quantity", "150万元", ("unit_inherited",)),
    ("150万", None, "quantity", "150万", ()),
    ("1.2万", "≥1万人次", "quantity", "1.2万人次", ("unit_inherited",)),
    ("4073.53万元", "≤4073.53万", "quantity", "4073.53万元", ()),
    ("1亿元", "≥5000万元", "quantity", "1亿元", ()),
    ("300 公里", "≥266米", "quantity", "300公里", ()),
    ("0", "≦0", "quantity", "0", ()),
    ("12次", "≥10", "quantity", "12次", ()),
    ("95%", "90%～100%", "quantity", "95%", ()),
    ("95", "90%～100%", "quantity", "95%", ("unit_inherited",)),
    ("1次", "出台", "quantity", "1次", ()),
    # words
    ("未发生", "未发生", "word", "未发生", ()),
    ("定时", None, "word", "定时", ()),
    ("较大改善", "≥90%", "word", "较大改善", ()),
    ("下降100%", "≤5%", "word", "下降100%", ()),
    ("无", "≤0起", "word", "无", ()),
    ("90%-95%", "≥90%", "word", "90%-95%", ()),
    ("  达成预期指标 ", None, "word", "达成预期指标", ()),
    ("≥12%%", "≥10%", "word", "≥12%%", ("unreadable",)),
    ("≥", None, "word", "≥", ("unreadable",)),
    ("1e5", None, "word", "1e5", ("unreadable",)),
]


@pytest.mark.parametrize(("text", "target", "kind", "shown", "flags"), ACTUALS)
def test_actuals(
    text: str, target: str | None, kind: str, shown: str, flags: tuple[str, ...]
) -> None:
    actual = parse_actual(text, parse_target(target) if target else None)
    assert actual.kind == kind
    assert actual.text == text
    assert actual.flags == flags
    assert str(actual) == shown
    if kind == "quantity":
        assert str(actual.quantity) == shown
        assert actual.word is None
    else:
        assert actual.quantity is None
        assert actual.word == shown


def test_actual_keeps_the_repeated_comparator() -> None:
    actual = parse_actual("≧95%", parse_target("≧98%"))
    assert actual.comparator == ">="
    assert parse_actual("95%").comparator is None
    assert parse_actual("5%以下(不含)").comparator == "<"


@pytest.mark.parametrize(
    "text",
    [
        None,
        "",
        "  ",
        "-",
        "--",
        "---",
        "—",
        "——",
        "–",
        "－",
        "－－",
        "无数据",
        "暂无数据",
        "暂无",
        "未填",
        "未填报",
        "\u3000",
    ],
)
def test_missing_actuals(text: str | None) -> None:
    actual = parse_actual(text, parse_target("≥10次"))
    assert actual.is_missing
    assert not actual.is_not_applicable
    assert actual.quantity is None


@pytest.mark.parametrize(
    "text", ["不适用", " 不适用 ", "不涉及", "无此项", "/", "／", "N/A", "n/a", "NA", "Ｎ／Ａ"]
)
def test_not_applicable_actuals(text: str) -> None:
    actual = parse_actual(text)
    assert actual.is_not_applicable
    assert not actual.is_missing


@pytest.mark.parametrize(
    ("text", "target"),
    [("18个", "≥10次"), ("95元", "≥90%"), ("5万", "≥90%"), ("3天", "≤2个月"), ("3工作日", "≤5天")],
)
def test_actual_incompatible_unit_raises(text: str, target: str) -> None:
    with pytest.raises(UnitError) as info:
        parse_actual(text, parse_target(target))
    assert text in info.value.message


def test_actual_types() -> None:
    assert str(parse_actual(Decimal("18"), parse_target("≥10次"))) == "18次"  # type: ignore[arg-type]
    assert str(parse_actual(18)) == "18"  # type: ignore[arg-type]
    with pytest.raises(InputTypeError):
        parse_actual(18.0)  # type: ignore[arg-type]
    with pytest.raises(InputTypeError):
        parse_actual(["a"])  # type: ignore[arg-type]
    with pytest.raises(InputTypeError):
        parse_actual("18", "≥10次")  # type: ignore[arg-type]


# ---------------------------------------------------------------- quantities and units


def test_unit_conversion() -> None:
    assert q("1亿元") == q("10000万元")
    assert q("1公里") == q("1000米")
    assert q("1km") == q("1000m")
    assert q("1年") == q("12个月")
    assert q("1公顷") == q("10000平方米")
    assert q("3亩") == q("2000平方米")
    assert q("1吨") == q("1000公斤")
    assert q("1天") == q("24小时")
    assert q("12次/年") == q("1次/月")
    assert q("4073.53万") == q("40735300")
    assert q("98%") == q("980‰")
    assert str(q("1亿元").to("万元")) == "10000万元"
    assert str(q("1500米").to("公里")) == "1.5公里"
    assert q("4073.53万元").base == D("40735300")
    assert q("98%").base == D("0.98")
    assert str(q("4073.53万")) == "4073.53万"
    assert convert(D(1), lookup_unit("亿元"), lookup_unit("万元")) == D(10000)
    assert convert(D(3), lookup_unit("亩"), lookup_unit("平方米")) == D(2000)


def test_units_of_different_families_never_compare() -> None:
    for a, b in [
        ("18次", "18个"),
        ("1元", "1%"),
        ("1天", "1工作日"),
        ("1棵", "1株"),
        ("5", "5%"),
        ("1天", "1月"),
    ]:
        assert q(a) != q(b)
        assert not same_family(q(a), q(b))
        with pytest.raises(UnitError) as info:
            _ = q(a) < q(b)
        assert "不能比较" in info.value.message
    with pytest.raises(UnitError):
        q("1亿元").to("%")
    assert not compatible(lookup_unit("次"), lookup_unit("个"))
    assert compatible(lookup_unit("万元"), lookup_unit("元"))
    assert compatible(None, lookup_unit("万"))


@pytest.mark.parametrize(
    ("text", "symbol", "family"),
    [
        ("%", "%", "ratio"),
        ("％", "%", "ratio"),
        ("百分比", "%", "ratio"),
        ("‰", "‰", "ratio"),
        ("元", "元", "money"),
        ("万元", "万元", "money"),
        ("亿元", "亿元", "money"),
        ("千元", "千元", "money"),
        ("万", "万", "number"),
        ("亿", "亿", "number"),
        ("次", "次", "count:次"),
        ("场次", "场次", "count:场次"),
        ("个", "个", "count:个"),
        ("人次", "人次", "count:人次"),
        ("户", "户", "count:户"),
        ("家", "家", "count:家"),
        ("项", "项", "count:项"),
        ("台", "台", "count:台"),
        ("栋", "栋", "count:栋"),
        ("辆", "辆", "count:辆"),
        ("件", "件", "count:件"),
        ("人", "人", "count:人"),
        ("米", "米", "length"),
        ("公里", "公里", "length"),
        ("km", "公里", "length"),
        ("厘米", "厘米", "length"),
        ("cm", "厘米", "length"),
        ("平方米", "平方米", "area"),
        ("㎡", "平方米", "area"),
        ("m²", "平方米", "area"),
        ("亩", "亩", "area"),
        ("天", "天", "time_days"),
        ("日", "日", "time_days"),
        ("小时", "小时", "time_days"),
        ("月", "月", "time_months"),
        ("年", "年", "time_months"),
        ("工作日", "工作日", "workdays"),
        ("kg", "千克", "mass"),
        (" 万 元 ", "万元", "money"),
    ],
)
def test_lookup_unit(text: str, symbol: str, family: str) -> None:
    unit = lookup_unit(text)
    assert unit is not None
    assert unit.symbol == symbol
    assert unit.family == family


def test_lookup_unknown_unit() -> None:
    assert lookup_unit("") is None
    assert lookup_unit("人天") is None
    assert lookup_unit("万%") is None
    assert lookup_unit("元/万") is None


def test_quantity_value_object() -> None:
    a = Quantity.of("4073.53", "万元")
    assert repr(a).startswith("Quantity(value=Decimal('4073.53'), unit=Unit('万元'")
    assert "family='money'" in repr(a)
    assert hash(q("1亿元")) == hash(q("10000万元"))
    assert len({q("1亿元"), q("10000万元"), q("1.0亿元")}) == 1
    assert pickle.loads(pickle.dumps(parse_target("≥10次"))) == parse_target("≥10次")
    assert q("5%") < q("6%") <= q("60‰")
    assert sorted([q("2万元"), q("1亿元"), q("3元")]) == [q("3元"), q("2万元"), q("1亿元")]
    with pytest.raises(InputTypeError):
        Quantity(1.5)  # type: ignore[arg-type]
    with pytest.raises(InputTypeError):
        Quantity.of(1.5)
    with pytest.raises(InputTypeError):
        Quantity(D(1), "次")  # type: ignore[arg-type]
    with pytest.raises(PerfscoreError):
        Quantity(D("NaN"))
    with pytest.raises(TargetSyntaxError):
        Quantity.of("1", "人天")


@pytest.mark.parametrize(
    ("text", "canonical"),
    [
        ("4073.53万元", "4073.53万元"),
        ("98%", "98%"),
        ("18次", "18次"),
        ("150万", "150万"),
        ("300 公里", "300公里"),
        ("０", "0"),
        ("1,234.50元", "1234.50元"),
    ],
)
def test_parse_quantity(text: str, canonical: str) -> None:
    assert str(parse_quantity(text)) == canonical
    assert parse_quantity(canonical) == parse_quantity(text)


@pytest.mark.parametrize("text", ["", "≥10", "10次以上", "abc", "12%%", "5 5", "90-100"])
def test_parse_quantity_errors(text: str) -> None:
    with pytest.raises(TargetSyntaxError):
        parse_quantity(text)


def test_parse_number() -> None:
    assert parse_number("１，２３４．５") == D("1234.5")
    with pytest.raises(TargetSyntaxError):
        parse_number("12,34")


# ---------------------------------------------------------------- intervals


@pytest.mark.parametrize(
    ("text", "canonical"),
    [
        ("[80%, 100%]", "[80%, 100%]"),
        ("[60%, 80%)", "[60%, 80%)"),
        ("[0, 60%)", "[0%, 60%)"),
        ("(0, 10%]", "(0%, 10%]"),
        ("(30%, +∞)", "(30%, +∞)"),
        ("(30%,+∞)", "(30%, +∞)"),
        ("（30%，+∞）", "(30%, +∞)"),
        ("[0, 0]", "[0, 0]"),
        ("[-∞, 5]", "(-∞, 5]"),
        ("(−∞, 5)", "(-∞, 5)"),
        ("[0, 100]", "[0, 100]"),
    ],
)
def test_parse_interval(text: str, canonical: str) -> None:
    interval = parse_interval(text)
    assert str(interval) == canonical
    assert parse_interval(canonical) == interval


@pytest.mark.parametrize("text", ["90%-100%", "≥5", "[5, 1]", "(5, 5)", "[1, 2", "", "[a, b]"])
def test_parse_interval_errors(text: str) -> None:
    with pytest.raises(TargetSyntaxError):
        parse_interval(text)


def test_interval_contains() -> None:
    i = parse_interval("(0, 10%]")
    assert not i.contains(q("0%"))
    assert i.contains(q("0.0001%"))
    assert i.contains(q("10%"))
    assert i.contains(q("100‰"))
    assert not i.contains(q("10.01%"))
    bare = parse_interval("[0, 0]")
    assert bare.contains(q("0%"))
    assert bare.contains(q("0"))
    assert not bare.contains(q("1元"))
    with pytest.raises(UnitError):
        i.contains(q("5元"))
    assert Interval(None, None).contains(q("5元"))


def test_interval_constructor() -> None:
    with pytest.raises(TargetSyntaxError):
        Interval(q("2"), q("1"))
    with pytest.raises(TargetSyntaxError):
        Interval(q("1"), q("1"), low_closed=False)
    with pytest.raises(UnitError):
        Interval(q("1次"), q("2个"))
    with pytest.raises(InputTypeError):
        Interval(D(1), None)  # type: ignore[arg-type]
    assert Interval(None, q("5%"), low_closed=True) == parse_interval("(-∞, 5%]")


@pytest.mark.parametrize(
    ("ranges", "problem"),
    [
        (["[80%, 100%]", "[60%, 80%)", "[0, 60%)"], None),
        (["[0, 0]", "(0, 10%]", "(10%, 20%]", "(20%, 30%]", "(30%, +∞)"], None),
        (["[0, 60%]", "[60%, 100%]"], "重叠"),
        (["[0, 60%)", "(60%, 100%]"], "空隙"),
        (["[0, 50%)", "[60%, 100%]"], "空隙"),
        (["[0, 70%)", "[60%, 100%]"], "重叠"),
        (["(30%, +∞)", "[0, 40%]"], "重叠"),
        (["[0, 5次]", "(5%, 10%]"], "单位不一致"),
        (["[0, 1]"], None),
    ],
)
def test_intervals_gap_or_overlap(ranges: list[str], problem: str | None) -> None:
    found = intervals_gap_or_overlap([parse_interval(r) for r in ranges])
    if problem is None:
        assert found is None
    else:
        assert found is not None
        assert problem in found


# ---------------------------------------------------------------- properties

PREFIXES = {
    ">=": ["≥", "≧", ">=", "＞＝", "＞=", "⩾", "大于等于", "不低于", "不少于", "不小于"],
    "<=": ["≤", "≦", "<=", "＜＝", "⩽", "小于等于", "不高于", "不超过", "不大于", "不多于"],
    "=": ["=", "＝", "﹦", "==", "等于"],
    ">": [">", "＞", "大于", "高于", "超过", "多于"],
    "<": ["<", "＜", "小于", "低于", "少于", "不满", "不足"],
}
SUFFIXES = {
    ">=": ["以上", "及以上", "以上(含)", "以上（含）"],
    "<=": ["以下", "及以下", "以内", "以下(含)"],
    ">": ["以外", "以上(不含)"],
    "<": ["以下(不含)", "以内（不含）"],
}
UNITS = [
    "",
    "%",
    "％",
    "百分比",
    "‰",
    "元",
    "万元",
    "亿元",
    "万",
    "次",
    "场次",
    "个",
    "人次",
    "户",
    "米",
    "公里",
    "km",
    "平方米",
    "㎡",
    "亩",
    "天",
    "月",
    "年",
    "小时",
    "吨",
    "次/年",
]
OPS: dict[str, Callable[[Decimal, Decimal], bool]] = {
    ">=": operator.ge,
    ">": operator.gt,
    "<=": operator.le,
    "<": operator.lt,
    "=": operator.eq,
}
FULL = str.maketrans("0123456789.,-", "０１２３４５６７８９．，－")

numbers = st.decimals(
    allow_nan=False, allow_infinity=False, min_value=-(10**9), max_value=10**9, places=3
)


@st.composite
def written_targets(draw: st.DrawFn) -> tuple[str, str, Decimal, str]:
    """(text, op, value, unit spelling) in every comparator spelling, width and spacing."""
    value = draw(numbers)
    op = draw(st.sampled_from(sorted(OPS)))
    unit = draw(st.sampled_from(UNITS))
    number = format(value, "f")
    if draw(st.booleans()) and "." not in number and abs(value) >= 1000:
        number = f"{value:,f}"
    if draw(st.booleans()):
        number = number.translate(FULL)
    space = draw(st.sampled_from(["", " ", "\u3000"]))
    if op in SUFFIXES and draw(st.booleans()):
        text = f"{number}{space}{unit}{draw(st.sampled_from(SUFFIXES[op]))}"
    else:
        text = f"{draw(st.sampled_from(PREFIXES[op]))}{space}{number}{space}{unit}"
    return text, op, value, unit


@given(written_targets())
def test_property_round_trip(written: tuple[str, str, Decimal, str]) -> None:
    text, op, value, unit = written
    target = parse_target(text)
    assert target.op == op
    assert target.value is not None
    assert target.value.value == value
    assert target.unit == (lookup_unit(unit) if unit else None)
    canonical = str(target)
    again = parse_target(canonical)
    assert again == target
    assert str(again) == canonical
    assert Target.from_mapping(target.to_mapping()) == target


@given(written_targets(), numbers)
def test_property_is_met_agrees_with_decimal(
    written: tuple[str, str, Decimal, str], actual: Decimal
) -> None:
    text, op, value, _ = written
    target = parse_target(text)
    assert target.value is not None
    quantity = Quantity(actual, target.value.unit)
    assert target.is_met(quantity) is OPS[op](actual, value)
    assert target.is_met(Quantity(value, target.value.unit)) is OPS[op](value, value)


@given(
    st.tuples(numbers, numbers),
    st.tuples(st.booleans(), st.booleans()),
    st.sampled_from(["%", "次", "万元", ""]),
    numbers,
)
def test_property_intervals(
    ends: tuple[Decimal, Decimal], closed: tuple[bool, bool], unit: str, x: Decimal
) -> None:
    (a, b), (lc, hc) = ends, closed
    low, high = min(a, b), max(a, b)
    assume(low < high or (lc and hc))
    interval = Interval(Quantity.of(low, unit), Quantity.of(high, unit), lc, hc)
    assert parse_interval(str(interval)) == interval
    assert parse_target(str(interval)).interval == interval
    inside = (low < x or (lc and low == x)) and (x < high or (hc and x == high))
    assert interval.contains(Quantity.of(x, unit)) is inside


@given(
    numbers,
    st.sampled_from(
        [
            ("亿元", "万元", 10**4),
            ("公里", "米", 1000),
            ("年", "月", 12),
            ("%", "‰", 10),
            ("万元", "元", 10**4),
        ]
    ),
)
def test_property_conversion(value: Decimal, units: tuple[str, str, int]) -> None:
    big, small, times = units
    assert Quantity.of(value, big) == Quantity.of(value * times, small)
    assert Quantity.of(value, big).to(small).value == value * times


@given(st.text(max_size=20))
def test_property_only_documented_errors(text: str) -> None:
    try:
        target = parse_target(text)
    except TargetSyntaxError as err:
        assert 0 <= err.span[0] <= err.span[1] <= len(text)
        return
    assert parse_target(str(target)) == target
    actual = parse_actual(text)  # never raises without a target
    assert isinstance(actual, Actual)


@given(st.text(alphabet="0123456789.,%‰-~≥≤<>=()[]∞+ 次元万以上下含不", max_size=14))
def test_property_fuzz_near_the_grammar(text: str) -> None:
    try:
        target = parse_target(text)
    except TargetSyntaxError:
        return
    assert parse_target(str(target)) == target


def test_long_inputs_are_cheap_and_located() -> None:
    assert parse_target("出" * 100_000).op == "qualitative"
    assert parse_actual("1" * 100_000).flags == ("unreadable",)
    for parse in (parse_target, parse_interval, parse_quantity):
        with pytest.raises(TargetSyntaxError, match="过长"):
            parse("[" + "1," * 50_000 + "1]")
