"""Python data from API callers → the plain shape the YAML loader produces."""

from __future__ import annotations

import datetime
import pickle
from collections import OrderedDict
from decimal import Decimal
from types import MappingProxyType
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from perfscore.errors import InputTypeError
from perfscore.read.normalize import MAX_DEPTH, document_from_data, normalize
from perfscore.read.yaml import load_yaml
from perfscore.read.yaml_document import Document


def refused(obj: Any, **kwargs: Any) -> InputTypeError:
    with pytest.raises(InputTypeError) as info:
        normalize(obj, **kwargs)
    return info.value


# --------------------------------------------------------------------------- accepted


@pytest.mark.parametrize(
    ("given_", "expected"),
    [
        (5, "5"),
        (-12, "-12"),
        (0, "0"),
        (10**30, "1" + "0" * 30),
        (Decimal("4073.53"), "4073.53"),
        (Decimal("0.10"), "0.10"),  # trailing zeros kept, as written
        (Decimal("-0"), "-0"),
        (Decimal("1E+2"), "100"),  # no exponent: downstream parses plain decimals
        (Decimal("1E-7"), "0.0000001"),
        ("4073.53", "4073.53"),
        ("≥10次", "≥10次"),
        ("", ""),
        (True, True),
        (False, False),
        (None, None),
    ],
)
def test_scalars(given_: object, expected: object) -> None:
    result = normalize(given_)
    assert result == expected
    assert type(result) is type(expected)


def test_bool_is_not_turned_into_a_number() -> None:
    assert normalize({"applicable": False}) == {"applicable": False}


def test_str_and_int_subclasses_become_plain() -> None:
    class Name(str):
        pass

    class Count(int):
        def __str__(self) -> str:
            return "weird"

    assert type(normalize(Name("x"))) is str
    assert normalize(Count(7)) == "7"


def test_containers() -> None:
    data = {
        "kind": "form",
        "year": 2023,
        "budget": {"全年预算数": Decimal("4073.53"), "unit": "万元"},
        "indicators": OrderedDict(
            产出指标={"数量指标": ({"name": "场次", "weight": 5, "actual": "18次"},)}
        ),
        "list": [1, (2, 3), None],
    }
    assert normalize(data) == {
        "kind": "form",
        "year": "2023",
        "budget": {"全年预算数": "4073.53", "unit": "万元"},
        "indicators": {
            "产出指标": {"数量指标": [{"name": "场次", "weight": "5", "actual": "18次"}]}
        },
        "list": ["1", ["2", "3"], None],
    }


def test_result_types_are_exact() -> None:
    result = normalize(MappingProxyType({"a": (1,)}))
    assert type(result) is dict
    assert type(result["a"]) is list


def test_int_keys_become_strings_and_order_is_kept() -> None:
    assert list(normalize({3: "c", "a": 1, 1: "x"})) == ["3", "a", "1"]


def test_input_is_not_mutated_and_result_is_a_copy() -> None:
    inner = [1, 2]
    data = {"a": inner}
    result = normalize(data)
    assert data == {"a": [1, 2]}
    assert result["a"] is not inner


def test_shared_references_are_not_cycles() -> None:
    shared = {"x": 1}
    assert normalize([shared, shared, {"again": shared}]) == [
        {"x": "1"},
        {"x": "1"},
        {"again": {"x": "1"}},
    ]


def test_depth_boundary() -> None:
    data: Any = "leaf"
    for _ in range(MAX_DEPTH):
        data = [data]
    normalize(data)  # 50 levels are fine, as in YAML
    err = refused([data])
    assert "嵌套太深" in err.message


def test_very_deep_data_does_not_recurse_away() -> None:
    data: Any = {}
    for _ in range(100_000):
        data = {"a": data}
    assert "嵌套太深" in refused(data).message


# --------------------------------------------------------------------------- refused


def test_float_is_refused_with_a_suggestion() -> None:
    err = refused({"indicators": [{"name": "x", "weight": 0.1}]})
    assert err.message == (
        '不接受浮点数 0.1（浮点数无法精确表示金额和分数），请写成字符串 "0.1" 或 Decimal("0.1")'
    )
    assert err.value == 0.1
    assert err.hint == "位置：$.indicators[0].weight"
    assert isinstance(err, TypeError)
    assert isinstance(err, ValueError)


def test_float_suggestion_has_no_exponent() -> None:
    err = refused(1e20)
    assert '"100000000000000000000"' in err.message
    err = refused(4073.53)
    assert '"4073.53"' in err.message


@pytest.mark.parametrize("value", [float("nan"), float("inf"), float("-inf")])
def test_non_finite_floats_are_refused(value: float) -> None:
    err = refused({"a": value})
    assert err.message.startswith("不接受浮点数")
    assert err.hint == "位置：$.a"


@pytest.mark.parametrize(
    "value", [Decimal("NaN"), Decimal("sNaN"), Decimal("Infinity"), Decimal("-Infinity")]
)
def test_non_finite_decimals_are_refused(value: Decimal) -> None:
    err = refused([value])
    assert "不接受非有限的数值" in err.message
    assert err.hint == "位置：$[0]"


def test_where_names_the_root() -> None:
    err = refused({"产出指标": {"场次": 1.5}}, where="actuals")
    assert err.hint == "位置：actuals.产出指标.场次"


def test_odd_keys_are_quoted_in_the_path() -> None:
    err = refused({"a b": {'say "hi"': 0.5}})
    assert err.hint == '位置：$["a b"]["say \\"hi\\""]'


@pytest.mark.parametrize(
    ("value", "type_name"),
    [
        (object(), "object"),
        (b"bytes", "bytes"),
        ({1, 2}, "set"),
        (datetime.date(2023, 1, 1), "date"),
        (1 + 2j, "complex"),
        (range(3), "range"),
    ],
)
def test_other_types_are_refused_naming_the_type(value: object, type_name: str) -> None:
    err = refused({"x": [value]})
    assert f"不接受 {type_name} 类型的值" in err.message
    assert err.hint is not None
    assert err.hint.startswith("位置：$.x[0]")


@pytest.mark.parametrize("key", [1.5, True, None, ("a",), Decimal("1")])
def test_bad_keys_are_refused(key: object) -> None:
    err = refused({"ok": {key: "v"}})
    assert "映射的键必须是 str" in err.message
    assert err.hint == "位置：$.ok"


def test_keys_colliding_after_conversion() -> None:
    err = refused({1: "a", "1": "b"})
    assert "键“1”重复" in err.message


def test_cycles_are_refused() -> None:
    loop: list[Any] = []
    loop.append(loop)
    assert "循环引用" in refused(loop).message
    table: dict[str, Any] = {"a": {}}
    table["a"]["back"] = table
    err = refused(table)
    assert "循环引用" in err.message
    assert err.hint == "位置：$.a.back"


def test_huge_int_is_refused() -> None:
    err = refused(10**5000)
    assert "整数位数太多" in err.message


# --------------------------------------------------------------------------- documents


def test_document_from_data() -> None:
    doc = document_from_data({"kind": "form", "year": 2023})
    assert isinstance(doc, Document)
    assert doc.data == {"kind": "form", "year": "2023"}
    assert doc.file == "<data>"
    assert doc.positions == {}
    assert doc.key_positions == {}
    assert doc.text == ""
    assert doc.locate(("year",)) == (None, None)
    assert document_from_data({}, file="api").file == "api"
    assert pickle.loads(pickle.dumps(doc)) == doc


def test_document_from_data_refuses_floats() -> None:
    with pytest.raises(InputTypeError):
        document_from_data({"reported_total": 99.5})


# --------------------------------------------------------------------------- properties

plain = st.recursive(
    st.none()
    | st.booleans()
    | st.text()
    | st.integers()
    | st.decimals(allow_nan=False, allow_infinity=False),
    lambda children: (
        st.lists(children, max_size=4)
        | st.lists(children, max_size=4).map(tuple)
        | st.dictionaries(st.text(max_size=5) | st.integers(), children, max_size=4)
    ),
    max_leaves=20,
)


def _is_yaml_shaped(value: object) -> bool:
    if isinstance(value, dict):
        return all(type(k) is str and _is_yaml_shaped(v) for k, v in value.items())
    if isinstance(value, list):
        return all(_is_yaml_shaped(v) for v in value)
    return value is None or type(value) in (str, bool)


@settings(max_examples=300, deadline=None)
@given(plain)
def test_normalize_gives_yaml_shaped_data_and_is_idempotent(data: object) -> None:
    try:
        result = normalize(data)
    except InputTypeError as err:
        # Only key collisions (1 and "1") can make such data fail.
        assert "重复" in err.message
        return
    assert _is_yaml_shaped(result)
    assert normalize(result) == result


@settings(max_examples=200, deadline=None)
@given(plain, st.floats())
def test_a_float_anywhere_is_refused(data: object, number: float) -> None:
    with pytest.raises(InputTypeError):
        normalize([data, {"deep": [number]}])


def test_loaded_yaml_is_a_fixed_point() -> None:
    doc = load_yaml("a: [1, ~, true, {b: '2'}]\n")
    assert normalize(doc.data) == doc.data


def test_the_quick_copy_is_the_normalizer_or_steps_aside() -> None:
    """_quick_copy gives normalize()'s answer, or leaves the data to it (never another one)."""
    from decimal import Decimal

    from hypothesis import given, settings
    from hypothesis import strategies as st

    from perfscore.read.normalize import _quick_copy, _Unusual

    scalars = st.one_of(
        st.text(max_size=5),
        st.integers(),
        st.decimals(allow_nan=True, allow_infinity=True),
        st.booleans(),
        st.none(),
        st.floats(),
    )
    values = st.recursive(
        scalars,
        lambda inner: st.one_of(
            st.lists(inner, max_size=4),
            st.dictionaries(st.one_of(st.text(max_size=3), st.integers()), inner, max_size=4),
            st.tuples(inner, inner),
        ),
        max_leaves=20,
    )

    @settings(max_examples=400, deadline=None)
    @given(values, st.integers(1, 60), st.integers(1, 6))
    def check(data: object, nodes: int, depth: int) -> None:
        try:
            quick = _quick_copy(data, nodes, depth)
        except _Unusual:
            return
        assert quick == normalize(data, max_nodes=nodes, max_depth=depth)

    check()
    assert _quick_copy({"a": Decimal("1E+2")}, 10, 5) == {"a": "100"}
