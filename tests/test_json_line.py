"""The one-line JSON written from the compact storage (``perfscore.engine.json_line``).

* it is the object-based writer's and ``json.dumps``'s byte for byte on generated forms of every
  shipped template and of the benchmark's synthetic one, strict and lenient (review) binding,
  with 不适用 rescaling, with several forms of different shapes per template in one process
  (the skeleton kept between forms must never leak one form's text into another);
* with texts that need JSON escapes (quotes, backslashes, control characters, non-BMP) in
  names, notes, units and actuals, and with the rounding give-back (本项舍去 0.01 分);
* under a hostile decimal context (prec=3, capitals=0, Inexact trapped) it is unchanged;
* the faster number formatting (fmt, fmt_fixed, fmt_q, the JSON number, canonical texts) gives
  the text of the formulas it replaced, whatever the context;
* what the writer keeps between forms is bounded.
"""

from __future__ import annotations

import decimal
import functools
import json
import sys
from decimal import ROUND_DOWN, Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import perfscore
from perfscore import strategies as ps
from perfscore.build.bind import build_form
from perfscore.core.result import _decimal_json, _dumps, _evaluation_line
from perfscore.engine import json_line
from perfscore.engine.evaluate import evaluate
from perfscore.engine.storage import CUT, EW, OUTCOME, RAW, SCORE0
from perfscore.errors import PerfscoreError
from perfscore.read.normalize import document_from_data
from perfscore.result import Evaluation
from perfscore.text.display import fmt, fmt_fixed, fmt_q
from perfscore.text.numbers import quantize
from perfscore.text.quantity import COMPARATORS, Quantity
from perfscore.text.target import parse_target
from perfscore.text.units import lookup_unit

from .helpers import form, template

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = sorted((ROOT / "indicators").rglob("*.yaml"))
SYNTHETIC = "benchmarks/synthetic"
HOSTILE = decimal.Context(
    prec=3, rounding=decimal.ROUND_FLOOR, capitals=0, traps=[decimal.Inexact, decimal.Rounded]
)


@functools.cache
def _template(name: str) -> perfscore.Template:
    """One template object per test session: its plan (and skeleton) serves every example."""
    if name == SYNTHETIC:
        sys.path.insert(0, str(ROOT / "benchmarks"))
        try:
            import synthetic
        finally:
            sys.path.pop(0)
        return perfscore.loads_template(synthetic.template_text())
    return perfscore.load_template(ROOT / name)


def _bind(data: dict[str, Any], t: perfscore.Template | None, lenient: bool) -> Any:
    library = perfscore._search_library(None)
    return build_form(
        document_from_data(data, file="<data>"), library.resolve, template=t, lenient=lenient
    )


def _check(result: Evaluation) -> str:
    """The storage's line (written first, before the items exist) against both references."""
    source: Any = result._source
    assert source is not None and result._items is None
    line = source.json_line(result)
    with decimal.localcontext(HOSTILE):
        assert source.json_line(result) == line  # a reader's context changes nothing
    assert result._items is None
    assert line == _evaluation_line(result)  # the object-based writer (reference)
    assert line == _dumps(result.to_dict(), indent=None)
    json.loads(line)  # and it is JSON
    for row in source.rows:  # the sentence is the one explain() rendered before
        if row[OUTCOME] is not None:
            places = source.plan.template.places
            got = json_line.sentence(row[OUTCOME], row[RAW], row[SCORE0], places, row[EW])
            assert got == _old_sentence(row[OUTCOME], row[RAW], row[SCORE0], places, row[EW])
    return line


def _old_sentence(outcome: Any, raw: Decimal, score: Decimal, places: int, weight: Decimal) -> str:
    """storage.explain's render before this change, with the old formatting (the reference)."""
    text = str(outcome.explanation)
    value = outcome.raw if outcome.value is None else outcome.value
    if outcome.arithmetic:
        text = f"{text} = {_old_fmt(value)}"
    if value != raw:
        if raw == weight and value > weight:
            text += f"，超过分值，以 {_old_fmt(weight)} 分为限"
        elif raw == 0 and value < 0:
            text += "，低于 0 分，按 0 分计"
        else:
            text += f"，按模板规定扣减后为 {_old_fmt(raw)}"
    if outcome.arithmetic:
        return f"{text} → {_old_fixed(score, places)}"
    if raw != score:
        return f"{text}，{_old_fmt(raw)} 四舍五入为 {_old_fixed(score, places)}"
    return text


# ---------------------------------------------------------------- generated forms

TEMPLATES = [p.relative_to(ROOT).as_posix() for p in SHIPPED] + [SYNTHETIC]


@pytest.mark.parametrize("name", TEMPLATES)
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_generated_forms_of_every_template_write_the_reference_bytes(
    name: str, data: st.DataObject
) -> None:
    t = _template(name)
    # several forms of one template, of different shapes (open nodes get 1 to 4 leaves, some
    # 不适用), written one after the other with the same plan and skeleton
    for _ in range(data.draw(st.integers(1, 3))):
        raw = data.draw(
            ps.forms(
                t,
                max_leaves=data.draw(st.integers(1, 4)),
                not_applicable=data.draw(st.booleans()),
                reported=data.draw(st.booleans()),
            )
        )
        lenient = data.draw(st.booleans())
        try:
            result = evaluate(_bind(raw, t, lenient), lenient=lenient)
        except PerfscoreError:
            continue
        _check(result)


# ---------------------------------------------------------------- texts that need escaping

_ODD = st.text(
    alphabet=st.sampled_from(
        ['"', "\\", "\n", "\t", "\x00", "\x1f", "\x7f", "\u2028", "😀", "𠀀", "指", "a", " ", "/"]
    ),
    min_size=1,
    max_size=8,
)
_OPEN = perfscore.load_template(template(id="test/json-line-open"))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    names=st.lists(_ODD, min_size=1, max_size=4, unique=True),
    notes=st.lists(st.none() | _ODD, min_size=4, max_size=4),
    actuals=st.lists(
        st.sampled_from(["1次", "0.5次", "不适用", "达成"]) | _ODD, min_size=4, max_size=4
    ),
    unit=st.none() | _ODD,
    lenient=st.booleans(),
)
def test_texts_needing_escapes_write_the_reference_bytes(
    names: list[str], notes: list[str | None], actuals: list[str], unit: str | None, lenient: bool
) -> None:
    leaves: list[dict[str, Any]] = []
    for i, name in enumerate(names):
        leaf: dict[str, Any] = {"name": f"指标{name}", "target": "≥1次", "actual": actuals[i]}
        leaf["weight"] = "10"
        if notes[i] is not None:
            leaf["note"] = notes[i]
        leaves.append(leaf)
    data = form(leaves, unit=unit) if unit is not None else form(leaves)
    data["template"] = _OPEN.id
    try:
        result = evaluate(_bind(data, _OPEN, lenient), lenient=lenient)
    except PerfscoreError:
        return
    _check(result)


def test_the_give_back_and_a_rescaled_form_write_the_reference_bytes() -> None:
    leaves = [
        {"name": f"指标{i}", "target": "≥1次", "actual": "1次", "weight": w}
        for i, w in enumerate(("13", "13", "72"), 1)
    ]
    leaves.append({"name": "不适用项", "target": "≥1次", "actual": "不适用", "weight": "2"})
    data = form(leaves)
    data["template"] = _OPEN.id
    result = evaluate(_bind(data, _OPEN, False))
    source: Any = result._source
    assert any(row[CUT] for row in source.rows)
    line = _check(result)
    assert "本项舍去 0.01 分" in line
    # the same leaves in the other order: the skeleton's positions now hold other leaves
    data["indicators"]["指标"].reverse()
    _check(evaluate(_bind(data, _OPEN, False)))


def test_forms_of_one_template_with_other_shapes_and_names_in_turn() -> None:
    shapes = [
        [{"name": "甲", "target": "≥1次", "actual": "1次", "weight": "50"}],
        [
            {"name": "乙", "target": "≤3天", "actual": "4天", "weight": "30", "note": '说"明"'},
            {"name": "甲", "target": "≥1次", "actual": "0.5次", "weight": "20", "reported": "9"},
        ],
        [{"name": "甲", "target": "≥2次", "actual": "1次", "weight": "50"}],
        # one text, two readings: a bare number takes its target's unit
        [
            {"name": "甲", "target": "≥2次", "actual": "1", "weight": "25"},
            {"name": "乙", "target": "≤3天", "actual": "1", "weight": "25"},
            {"name": "丙", "target": "≥2", "actual": "1", "weight": "25"},
        ],
    ]
    lines = []
    for _ in range(2):
        for leaves in shapes:
            data = form(leaves)
            data["template"] = _OPEN.id
            lines.append(_check(evaluate(_bind(data, _OPEN, False))))
    assert lines[:4] == lines[4:]
    assert '"parsed": "1天"' in lines[3] and '"parsed": "1次"' in lines[3]


# ---------------------------------------------------------------- the formatting it uses


def _old_plain(value: Decimal) -> str:
    text = f"{value:f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _old_fmt(value: Decimal, places: int = 4) -> str:
    if not value.is_finite():
        return str(value)
    cut = quantize(value, places, rounding=ROUND_DOWN)
    text = _old_plain(cut)
    return text + "…" if cut != value else text


def _old_fixed(value: Decimal, places: int) -> str:
    return f"{quantize(value, places):f}" if value.is_finite() else str(value)


_DECIMALS = st.decimals(allow_nan=False, allow_infinity=False) | st.sampled_from(
    [Decimal(s) for s in ("-0", "0E+3", "-0.00", "1E+2", "1.5E-7", "-0.00001", "12.3400", "9" * 40)]
)


@settings(max_examples=400, deadline=None)
@given(value=_DECIMALS, places=st.integers(0, 8), hostile=st.booleans())
def test_number_texts_are_the_old_formulas(value: Decimal, places: int, hostile: bool) -> None:
    with decimal.localcontext(HOSTILE if hostile else decimal.getcontext()):
        assert fmt(value, places) == _old_fmt(value, places)
        assert fmt(value) == _old_fmt(value)
        assert fmt(value) == _old_fmt(value)  # a kept text is the same text
        assert fmt_fixed(value, places) == _old_fixed(value, places)
        rounded = quantize(value, places)
        assert fmt_fixed(rounded, places) == _old_fixed(rounded, places)
        assert _decimal_json(value) == _old_plain(value)
        assert _decimal_json(value) == _old_plain(value)
        quantity = Quantity(value, None)
        percent = Quantity(value, lookup_unit("%"))
        assert str(quantity) == format(value, "f")
        assert str(percent) == format(value, "f") + "%"
        exponent = value.as_tuple().exponent
        assert isinstance(exponent, int)
        assert fmt_q(percent) == (_old_fmt(value) + "%" if exponent < -4 else str(percent))


@pytest.mark.parametrize("value", ["NaN", "-NaN", "sNaN", "Infinity", "-Infinity"])
def test_special_values_show_as_before(value: str) -> None:
    d = Decimal(value)
    assert fmt(d) == _old_fmt(d) == str(d)
    assert fmt_fixed(d, 2) == _old_fixed(d, 2)


@pytest.mark.parametrize(
    "text", ["≥95%", "≤30天", "≥1000次", "=0", ">12.50万元", "<0.000001", "[90%, 100%]", "达成"]
)
def test_canonical_targets_read_as_before(text: str) -> None:
    t = parse_target(text)
    with decimal.localcontext(HOSTILE):
        shown = str(t)
    if t.value is not None:  # the old text: the symbol, then format(value, "f") and the unit
        unit = "" if t.value.unit is None else t.value.unit.symbol
        assert shown == f"{COMPARATORS[t.op]}{format(t.value.value, 'f')}{unit}"
    assert parse_target(shown) == t


# ---------------------------------------------------------------- bounded


def test_what_the_writer_keeps_is_bounded() -> None:
    # forms whose leaves all have their own names and texts, each with its own template plan
    for i in range(json_line._TEMPLATES + 5):
        t = perfscore.load_template(template(id=f"test/json-line-{i}"))
        leaves = [
            {"name": f"指标{i}-{j}", "target": f"≥{i}{j}次", "actual": f"{j}次", "weight": "10"}
            for j in range(5)
        ]
        data = form(leaves)
        data["template"] = t.id
        _check(evaluate(_bind(data, t, False)))
    assert len(json_line._SKELETONS) <= json_line._TEMPLATES
    for sk in json_line._SKELETONS.values():
        assert len(sk.leaves) <= json_line._POSITIONS
        assert len(sk.groups) <= json_line._POSITIONS
    for table in (json_line._TARGET_PARTS, json_line._ACTUAL_PARTS, json_line._TAILS):
        assert len(table) <= json_line._TEXTS


_JSONISH = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | _ODD | st.text(),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner, max_size=3)
    ),
    max_leaves=8,
)


@settings(max_examples=300, deadline=None)
@given(data=st.dictionaries(st.text(max_size=4) | st.integers(), _JSONISH, max_size=5))
def test_a_finding_is_written_as_json_dumps_writes_it(data: dict[Any, Any]) -> None:
    assert json_line._finding(data) == json.dumps(data, ensure_ascii=False)


def test_the_writer_is_engine_stage() -> None:
    # like the engine modules tests/test_plan.py checks: nothing above the engine, no model
    import ast

    tree = ast.parse((ROOT / "perfscore" / "engine" / "json_line.py").read_text(encoding="utf-8"))
    found = {
        "." * n.level + (n.module or "") for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)
    }
    assert not {m for m in found if "model" in m or "build" in m or ".storage" in m}, found
