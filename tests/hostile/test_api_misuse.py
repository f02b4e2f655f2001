"""Misusing the Python API: floats, None, wrong types, huge inputs, a template for a form.

Location here is what an API caller can act on: for a value inside a mapping, the file name
``<data>`` and the JSON-style path of the value in the hint (``$.indicators.指标[0].weight``);
for a wrong argument, the message names the argument or function, and the error has no line.
Files of the wrong kind (a template passed as a form and the reverse) are located at the line
of their ``kind``.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

import perfscore
from perfscore import Limits
from perfscore.errors import InputTypeError, PerfscoreError, SchemaError
from perfscore.render import render, render_explain
from perfscore.targets import Quantity

from ._support import SIMPLE_TEMPLATE, Case, check_case, form_text, ids, with_template

GOOD = "{name: 场次, target: ≥10次, actual: 18次, weight: 100}"


def template_data() -> dict[str, Any]:
    import yaml

    data: dict[str, Any] = yaml.safe_load(SIMPLE_TEMPLATE)
    data["total"] = "100"
    return data


def form_data(**leaf: Any) -> dict[str, Any]:
    entry = {"name": "场次", "target": "≥10次", "actual": "18次", "weight": "100", **leaf}
    return {"kind": "form", "template": template_data(), "indicators": {"指标": [entry]}}


def data_case(id: str, message: str, **leaf: Any) -> Case:
    """A value inside the form mapping: <data>, and its path in the hint."""
    return Case(
        id=id,
        error=InputTypeError,
        action=lambda _d: perfscore.load_form(form_data(**leaf)),
        file="<data>",
        no_line=True,
        message=message,
        cli=False,
    )


def call_case(
    id: str, call: Callable[[Path], Any], message: str, error: type = InputTypeError
) -> Case:
    """A wrong argument: no file, no line; the message names what was wrong."""
    return Case(id=id, error=error, action=call, no_line=True, message=message, cli=False)


def _form(d: Path) -> perfscore.Form:
    (d / "template.yaml").write_text(SIMPLE_TEMPLATE, encoding="utf-8")
    (d / "form.yaml").write_text(form_text(GOOD), encoding="utf-8")
    return perfscore.load_form(d / "form.yaml")


def _result(d: Path) -> perfscore.Evaluation:
    return perfscore.evaluate(_form(d))


def _cyclic() -> dict[str, Any]:
    data = form_data()
    data["indicators"]["指标"][0]["note"] = data
    return data


def _deep() -> dict[str, Any]:
    data = form_data()
    node: dict[str, Any] = {}
    data["indicators"]["指标"][0]["note"] = node
    for _ in range(60):
        node["x"] = {}
        node = node["x"]
    return data


def _huge(count: int) -> dict[str, Any]:
    data = form_data()
    data["indicators"]["指标"] = [
        {"name": f"项{i}", "target": "≥1次", "actual": "1次", "weight": "0"} for i in range(count)
    ]
    return data


W = "$.indicators.指标[0].weight"
A = "$.indicators.指标[0].actual"

API_CASES: list[Case] = [
    # ------------------------------------------------------------- values inside mappings
    data_case("float-weight", '请写成字符串 "100.0"', weight=100.0),
    data_case("float-weight-path", W, weight=100.0),
    data_case("float-actual", "0.1", actual=0.1),
    data_case("float-actual-path", A, actual=0.1),
    data_case("float-nan", "非有限", weight=float("nan")),
    data_case("float-infinity", "非有限", weight=float("inf")),
    data_case("decimal-nan", "非有限", weight=Decimal("NaN")),
    data_case("decimal-snan", "非有限", weight=Decimal("sNaN")),
    data_case("decimal-infinity", "非有限", weight=Decimal("-Infinity")),
    data_case("int-5000-digits", "整数位数太多", weight=10**5000),
    data_case("bytes-value", "请先解码成 str", actual=b"18"),
    data_case("set-value", "集合没有顺序", actual={"a", "b"}),
    data_case("object-value", "不接受 object", actual=object()),
    data_case("complex-value", "不接受 complex", weight=1j),
    data_case("date-value", "不接受 date", actual=datetime.date(2023, 1, 1)),
    data_case("function-value", "不接受 function", actual=lambda: 1),
    Case(
        id="tuple-key",
        error=InputTypeError,
        action=lambda _d: perfscore.load_form({**form_data(), ("a",): 1}),
        file="<data>",
        no_line=True,
        message="键必须是 str",
        cli=False,
    ),
    Case(
        id="none-key",
        error=InputTypeError,
        action=lambda _d: perfscore.load_form({**form_data(), None: 1}),
        file="<data>",
        no_line=True,
        message="键必须是 str",
        cli=False,
    ),
    Case(
        id="colliding-keys",
        error=InputTypeError,
        action=lambda _d: perfscore.load_form({**form_data(), 1: "a", "1": "b"}),
        file="<data>",
        no_line=True,
        message="重复",
        cli=False,
    ),
    Case(
        id="cyclic-data",
        error=InputTypeError,
        action=lambda _d: perfscore.load_form(_cyclic()),
        file="<data>",
        no_line=True,
        message="循环引用",
        cli=False,
    ),
    Case(
        id="deep-data",
        error=InputTypeError,
        action=lambda _d: perfscore.load_form(_deep()),
        file="<data>",
        no_line=True,
        message="嵌套太深",
        cli=False,
    ),
    Case(
        id="huge-data-default-cap",
        error=InputTypeError,
        action=lambda _d: perfscore.load_form(_huge(50_000)),
        file="<data>",
        no_line=True,
        message="值太多",
        cli=False,
    ),
    Case(
        id="huge-data-own-cap",
        error=InputTypeError,
        action=lambda _d: perfscore.load_form(_huge(100), limits=Limits(max_nodes=200)),
        file="<data>",
        no_line=True,
        message="Limits(max_nodes",
        cli=False,
    ),
    # ------------------------------------------------------------- wrong arguments
    call_case("load-form-none", lambda _d: perfscore.load_form(None), "NoneType"),  # type: ignore[arg-type]
    call_case("load-form-int", lambda _d: perfscore.load_form(5), "int"),  # type: ignore[arg-type]
    call_case("load-form-bytes", lambda _d: perfscore.load_form(b"kind: form"), "bytes"),  # type: ignore[arg-type]
    call_case("load-form-list", lambda _d: perfscore.load_form([form_data()]), "list"),  # type: ignore[arg-type]
    call_case(
        "load-form-template-object",
        lambda _d: perfscore.load_form(perfscore.load_template(template_data())),  # type: ignore[arg-type]
        "Template",
    ),
    call_case(
        "load-form-form-object",
        lambda d: perfscore.load_form(_form(d)),  # type: ignore[arg-type]
        "Form",
    ),
    call_case(
        "evaluate-template",
        lambda _d: perfscore.evaluate(perfscore.load_template(template_data())),
        "模板",
    ),  # type: ignore[arg-type]
    call_case("evaluate-mapping", lambda _d: perfscore.evaluate(form_data()), "dict"),  # type: ignore[arg-type]
    call_case("evaluate-none", lambda _d: perfscore.evaluate(None), "NoneType"),  # type: ignore[arg-type]
    call_case("evaluate-path", lambda _d: perfscore.evaluate("form.yaml"), "str"),  # type: ignore[arg-type]
    call_case(
        "template-argument-mapping",
        lambda _d: perfscore.load_form(form_data(), template=template_data()),  # type: ignore[arg-type]
        "template 参数",
    ),
    call_case(
        "template-argument-id",
        lambda _d: perfscore.load_form(form_data(), template="test/hostile"),  # type: ignore[arg-type]
        "template 参数",
    ),
    call_case(
        "search-path-string",
        lambda d: perfscore.load_form(form_data(), search_path=str(d)),
        "search_path",
    ),
    call_case(
        "search-path-int",
        lambda _d: perfscore.load_form(form_data(), search_path=5),  # type: ignore[arg-type]
        "search_path",
    ),
    call_case(
        "search-path-item-int",
        lambda _d: perfscore.load_form(form_data(), search_path=[5]),  # type: ignore[list-item]
        "search_path",
    ),
    call_case("loads-form-none", lambda _d: perfscore.loads_form(None), "NoneType"),  # type: ignore[arg-type]
    call_case("loads-form-mapping", lambda _d: perfscore.loads_form(form_data()), "dict"),  # type: ignore[arg-type]
    call_case("loads-template-int", lambda _d: perfscore.loads_template(5), "int"),  # type: ignore[arg-type]
    call_case(
        "limits-not-limits",
        lambda d: perfscore.load_form(d / "x.yaml", limits=5),  # type: ignore[arg-type]
        "Limits",
    ),
    call_case("limits-float", lambda _d: Limits(max_bytes=1.5), "max_bytes"),  # type: ignore[arg-type]
    call_case("limits-zero", lambda _d: Limits(max_depth=0), "max_depth"),
    call_case("limits-bool", lambda _d: Limits(max_nodes=True), "max_nodes"),
    call_case(
        "formula-limits-str",
        lambda _d: perfscore.FormulaLimits(max_length="2000"),  # type: ignore[arg-type]
        "max_length",
    ),
    call_case(
        "formula-limits-context-wrong-type",
        lambda _d: perfscore.formula_limits(Limits()).__enter__(),  # type: ignore[arg-type]
        "FormulaLimits",
    ),
    call_case("parse-target-none", lambda _d: perfscore.parse_target(None), "NoneType"),  # type: ignore[arg-type]
    call_case("parse-target-float", lambda _d: perfscore.parse_target(0.5), "float"),  # type: ignore[arg-type]
    call_case("parse-actual-float", lambda _d: perfscore.parse_actual(0.5), "浮点数"),  # type: ignore[arg-type]
    call_case(
        "parse-actual-target-str",
        lambda _d: perfscore.parse_actual("5", "≥10"),  # type: ignore[arg-type]
        "target",
    ),
    call_case("quantity-float", lambda _d: Quantity.of(0.5), "浮点数"),  # type: ignore[arg-type]
    call_case("quantity-none", lambda _d: Quantity.of(None), "NoneType"),  # type: ignore[arg-type]
    call_case("find-none", lambda d: _result(d).find(None), "find"),  # type: ignore[arg-type]
    call_case("find-int", lambda d: _result(d).find(5), "find"),  # type: ignore[arg-type]
    call_case("render-unknown-format", lambda d: render(_result(d), "xml"), "输出格式"),
    call_case("render-a-form", lambda d: render(_form(d), "json"), "render"),  # type: ignore[arg-type]
    call_case("render-explain-a-dict", lambda _d: render_explain({}), "render"),  # type: ignore[arg-type]
    # ------------------------------------------------------------- the wrong kind of file
    Case(
        id="template-file-as-form",
        error=SchemaError,
        files={"template.yaml": SIMPLE_TEMPLATE},
        entry="template.yaml",
        line="kind: template",
        message="kind",
        cli=False,  # validate reads the kind and checks it as the template it is
    ),
    Case(
        id="form-file-as-template",
        error=SchemaError,
        files=with_template(form_text(GOOD)),
        action="template",
        line="kind: form",
        message="kind",
        cli=False,
    ),
]


@pytest.mark.parametrize("case", API_CASES, ids=ids(API_CASES))
def test_api_case(case: Case, tmp_path: Path) -> None:
    check_case(case, tmp_path)


def test_validate_never_raises_for_bad_arguments(tmp_path: Path) -> None:
    """validate() reports, never raises: a wrong argument comes back as one InputTypeError."""
    for bad in (None, 5, b"x", perfscore.load_template(template_data())):
        problems = perfscore.validate(bad)  # type: ignore[arg-type]
        assert [type(p) for p in problems] == [InputTypeError]


def test_floats_are_refused_with_the_spelling_to_use() -> None:
    with pytest.raises(InputTypeError) as info:
        perfscore.load_form(form_data(weight=0.1 + 0.2))
    assert 'Decimal("0.30000000000000004")' in info.value.message
    assert info.value.hint is not None
    assert W in info.value.hint


def test_ints_and_decimals_are_accepted_as_their_text(tmp_path: Path) -> None:
    as_text = perfscore.evaluate(perfscore.load_form(form_data(weight="100")))
    as_int = perfscore.evaluate(perfscore.load_form(form_data(weight=100)))
    as_decimal = perfscore.evaluate(perfscore.load_form(form_data(weight=Decimal("1E+2"))))
    assert as_text.to_json() == as_int.to_json() == as_decimal.to_json()


def test_formula_limits_can_be_raised_for_a_block() -> None:
    data = template_data()
    data["computed"]["长公式"] = {"formula": "+".join(["编制数"] * 700)}
    with pytest.raises(PerfscoreError):
        perfscore.load_template(data)
    limits = perfscore.FormulaLimits(max_length=5000, max_nodes=5000)
    with perfscore.formula_limits(limits):
        template = perfscore.load_template(data)
    assert "长公式" in template.computed


def test_huge_but_allowed_input_completes() -> None:
    """5,000 leaves (25,000 values) load and score; a huge input is slow, never a hang."""
    data = _huge(5_000)
    data["indicators"]["指标"][0]["weight"] = "100"
    result = perfscore.evaluate(perfscore.load_form(data))
    assert len(list(result.leaves())) == 5_000
