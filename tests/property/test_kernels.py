"""The per-leaf kernels (``perfscore.engine.kernels``) give exactly what the general path gives.

Every form is bound once and evaluated twice, kernels on and off (``evaluate._KERNELS``, the
private switch): the result dictionaries, every row of the compact storage (Decimals compared
by ``repr``, so an exponent that differs fails), every explanation, the JSON line, the findings
and the errors must be the same, strict and lenient. Forms come from ``perfscore.strategies``
for every shipped template and the benchmark's synthetic one, and from a strategy aimed at the
kernels' edges (actual at, just above and below the target, zero and negative targets, reverse
with actual 0, 满意度 above 100%, other units, repeated comparators, 不适用 with rescaling).
"""

from __future__ import annotations

import importlib.util
import pickle
import random
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import perfscore
from perfscore import strategies as ps
from perfscore.engine import evaluate as _evaluate
from perfscore.engine.kernels import _base
from perfscore.errors import PerfscoreError
from perfscore.rules.base import Outcome
from perfscore.text.quantity import Quantity
from perfscore.text.units import lookup_unit

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = sorted((ROOT / "indicators").rglob("*.yaml"))


def _synthetic() -> Any:
    spec = importlib.util.spec_from_file_location(
        "_kernels_synthetic", ROOT / "benchmarks" / "synthetic.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


SYNTHETIC = _synthetic()


def _snapshot(form: Any, lenient: bool) -> Any:
    try:
        result = perfscore.evaluate(form, lenient=lenient)
    except PerfscoreError as err:
        return "error", type(err).__name__, str(err)
    storage: Any = result._source
    rows = storage.rows
    return (
        result.to_dict(),
        repr((result.total, result.raw_total, result.not_applicable_weight)),
        [repr(r[:7] + r[8:]) for r in rows],  # all but the outcome, which is rendered below
        [str(storage.explanation(i)) for i in range(len(rows))],
        storage.json_line(result),
        result.to_json(),
        [f.to_dict() for f in result.findings],
        pickle.loads(pickle.dumps(result)).to_dict(),
    )


def assert_same(form: Any) -> None:
    for lenient in (False, True):
        fast = _snapshot(form, lenient)
        with pytest.MonkeyPatch.context() as mp:
            mp.setattr(_evaluate, "_KERNELS", False)
            slow = _snapshot(form, lenient)
        assert fast == slow


def _bind(data: dict[str, Any], template: perfscore.Template) -> Any:
    try:
        return perfscore.load_form(data, template=template)
    except PerfscoreError:
        return None


# ---------------------------------------------------------------- shipped and synthetic


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.relative_to(ROOT).as_posix())
@settings(max_examples=25, deadline=None)
@given(data=st.data())
def test_kernels_score_shipped_templates_as_the_general_path(
    path: Path, data: st.DataObject
) -> None:
    template = perfscore.load_template(path)
    na = data.draw(st.booleans())
    form = _bind(data.draw(ps.forms(template, not_applicable=na, reported=False)), template)
    if form is not None:
        assert_same(form)


SYNTHETIC_TEMPLATE = perfscore.loads_template(SYNTHETIC.template_text())


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**32 - 1))
def test_kernels_score_synthetic_forms_as_the_general_path(seed: int) -> None:
    form = perfscore.load_form(SYNTHETIC.form(random.Random(seed), 0), template=SYNTHETIC_TEMPLATE)
    assert_same(form)


@settings(max_examples=25, deadline=None)
@given(data=st.data())
def test_kernels_score_generated_synthetic_forms_as_the_general_path(
    data: st.DataObject,
) -> None:
    form = _bind(data.draw(ps.forms(SYNTHETIC_TEMPLATE)), SYNTHETIC_TEMPLATE)
    if form is not None:
        assert_same(form)


def test_the_examples_of_every_shipped_template() -> None:
    scored = 0
    for path in SHIPPED:
        template = perfscore.load_template(path)
        for example in template.examples:
            form = _bind({"kind": "form", "template": template.id, **example["form"]}, template)
            if form is not None:  # some examples are meant to fail
                assert_same(form)
                scored += 1
    assert scored >= 20


# ---------------------------------------------------------------- the kernels' edges

_EDGE = """\
kind: template
id: test/kernel-edges
version: "1"
name: 计分捷径边界
total: 100
rounding: {{places: {places}, total: sum_of_rounded}}
grades:
  - {{name: 优, min: 90}}
  - {{name: 差, min: 0}}
over_achievement: {over}
missing: {missing}
not_applicable: {{rescale: {rescale}}}
rules:
  执行率: {{kind: execution_rate, executed: 全年执行数, budget: 全年预算数, cap: {cap}}}
  自动: {{kind: ratio}}
  正向: {{kind: ratio, direction: positive}}
  反向: {{kind: ratio, direction: reverse}}
  等于: {{kind: ratio, direction: equal, zero_target: full_if_not_above}}
  线性: {{kind: ratio, direction: reverse, reverse: linear_to_double}}
  三档:
    kind: tiers
    pick: {pick}
    same_word: 达成
    tiers:
      - {{name: 达成, range: "[80%, 100%]", words: [达成, 全部达成, 有效提升, 已建立]}}
      - {{name: 部分达成, range: "[60%, 80%)", words: [基本达成, 部分达成, 有所提升]}}
      - {{name: 未达成, range: "[0, 60%)", words: [未达成, 未建立]}}
indicators:
  - {{name: 预算执行率, weight: 10, rule: 执行率}}
  - name: 产出指标
    weight: 90
    children:
      - name: 数量指标
        children:
          - {{name: 完成数量, weight: 10, rule: 自动}}
          - {{name: 群众满意度, weight: 10, rule: 自动}}
          - {{name: 成本控制, weight: 10, rule: 反向}}
          - {{name: 等值指标, weight: 10, rule: 等于}}
          - {{name: 正向指标, weight: 10, rule: 正向}}
          - {{name: 线性反向, weight: 10, rule: 线性}}
          - {{name: 项目质量, weight: 15, rule: 三档}}
          - {{name: 制度建设, weight: 15, rule: 三档}}
"""

_OVER = (
    "{flag_at: 120%}",
    "{flag_at: 110%, deduct: {step: 10%, points: 1}}",
    "{flag_at: 100%}",
)


@st.composite
def edge_templates(draw: Any) -> perfscore.Template:
    return perfscore.loads_template(
        _EDGE.format(
            places=draw(st.sampled_from([2, 1, 0])),
            over=draw(st.sampled_from(_OVER)),
            missing=draw(st.sampled_from(["zero", "error", "not_applicable"])),
            rescale=draw(st.sampled_from(["true", "false"])),
            cap=draw(st.sampled_from(["100%", "90%"])),
            pick=draw(st.sampled_from(["top", "middle", "bottom"])),
        )
    )


_NUMBERS = ["0", "1", "5", "30", "95", "96", "100", "4073.53", "0.5", "-3", "120", "1000000"]
_UNITS = ["%", "次", "万元", "元", "天", ""]
_WORDS = ["达成", "全部达成", "有效提升", "基本达成", "有所提升", "未达成", "未建立", "随便写写"]


@st.composite
def numbers_near(draw: Any, base: str) -> str:
    value = Decimal(base)
    change = draw(
        st.sampled_from(
            ["0", "0.01", "-0.01", "1", "-1", "x1.2", "x1.25", "x2", "x0.5", "x0", "=0", "00"]
        )
    )
    if change.startswith("x"):
        value = value * Decimal(change[1:])
    elif change == "=0":
        value = Decimal(0)
    elif change == "00":
        return f"{base}0" if "." in base else f"{base}.00"  # the same value, another exponent
    else:
        value += Decimal(change)
    return str(value)


_OPS = ["≥", "≤", "=", ">", "<", "≧", ""]
_LOWER = ["≤", "≤", "≤", "<", "<", "=", "≥", ""]  # reverse rules: mostly their own ops


@st.composite
def quantity_entries(draw: Any, ops: list[str] = _OPS) -> dict[str, Any]:
    number = draw(st.sampled_from(_NUMBERS))
    unit = draw(st.sampled_from(_UNITS))
    op = draw(st.sampled_from(ops))
    target = f"{op}{number}{unit}" if op else f"{number}{unit}-{number}0{unit}"
    actual_unit = draw(st.sampled_from([unit] * 12 + _UNITS))
    actual = f"{draw(numbers_near(number))}{actual_unit}"
    if draw(st.integers(0, 9)) == 0:
        actual = draw(st.sampled_from([f"≥{actual}", f"{actual}以上", "达成", "120%", "0"]))
    elif draw(st.integers(0, 59)) == 0:
        actual = draw(st.sampled_from(["不适用", ""]))
    return _odd({"target": target, "actual": actual}, draw)


@st.composite
def word_entries(draw: Any) -> dict[str, Any]:
    if draw(st.integers(0, 9)) == 0:
        return draw(quantity_entries())
    target = draw(st.sampled_from(["达成", "有效提升", "全部达成"]))
    return _odd({"target": target, "actual": draw(st.sampled_from(_WORDS))}, draw)


def _odd(entry: dict[str, Any], draw: Any) -> dict[str, Any]:
    if draw(st.integers(0, 79)) == 0:
        entry["applicable"] = False
    if draw(st.integers(0, 19)) == 0:
        entry["tier"] = draw(st.sampled_from(["达成", "部分达成"]))
    if draw(st.integers(0, 19)) == 0:
        entry["score"] = draw(st.sampled_from(["3", "9", "15"]))
    return entry


_NAMES = ["完成数量", "群众满意度", "成本控制", "等值指标", "正向指标", "线性反向"]


@st.composite
def edge_forms(draw: Any) -> dict[str, Any]:
    leaves = {
        name: draw(quantity_entries(_LOWER if name in ("成本控制", "线性反向") else _OPS))
        for name in _NAMES
    }
    if draw(st.integers(0, 19)) == 0:
        leaves[draw(st.sampled_from(_NAMES))] = draw(word_entries())
    for name in ("项目质量", "制度建设"):
        leaves[name] = draw(word_entries())
    budget = draw(st.sampled_from(["100", "4073.53", "1", "100", "4073.53", "1", "0"]))
    executed = draw(numbers_near(budget))
    return {
        "kind": "form",
        "template": "test/kernel-edges",
        "unit": "测试单位",
        "year": 2023,
        "budget": {"unit": "万元", "全年预算数": budget, "全年执行数": executed},
        "indicators": {"产出指标": {"数量指标": leaves}},
    }


@settings(max_examples=300, deadline=None)
@given(template=edge_templates(), data=edge_forms())
def test_kernels_at_their_edges(template: perfscore.Template, data: dict[str, Any]) -> None:
    form = _bind(data, template)
    if form is not None:
        assert_same(form)


# ---------------------------------------------------------------- examples

_PLAIN = _EDGE.format(
    places=2,
    over="{flag_at: 120%}",
    missing="zero",
    rescale="true",
    cap="100%",
    pick="top",
)


def _form(**entries: dict[str, Any]) -> dict[str, Any]:
    leaves: dict[str, Any] = {name: {"target": "≥10次", "actual": "10次"} for name in _NAMES}
    leaves["项目质量"] = {"target": "达成", "actual": "达成"}
    leaves["制度建设"] = {"target": "达成", "actual": "基本达成"}
    leaves.update(entries)
    return {
        "kind": "form",
        "template": "test/kernel-edges",
        "budget": {"unit": "万元", "全年预算数": "100", "全年执行数": "95"},
        "indicators": {"产出指标": {"数量指标": leaves}},
    }


@pytest.mark.parametrize(
    "entries",
    [
        {"完成数量": {"target": "≥10次", "actual": "10次"}},  # exactly at the target
        {"完成数量": {"target": "≥10次", "actual": "10.01次"}},
        {"完成数量": {"target": "≥10次", "actual": "9.99次"}},
        {"完成数量": {"target": "≥0次", "actual": "0次"}},
        {"完成数量": {"target": "≥0次", "actual": "3次"}},
        {"完成数量": {"target": "≥-5", "actual": "-6"}},
        {"完成数量": {"target": "=100%", "actual": "99%"}},
        {"完成数量": {"target": "=100%", "actual": "101%"}},
        {"等值指标": {"target": "=0", "actual": "1"}},
        {"完成数量": {"target": "≥10次", "actual": "12次"}},  # 120%: over-achievement
        {"完成数量": {"target": "≥10次", "actual": "30次"}},
        {"成本控制": {"target": "≤9.3万元", "actual": "0万元"}},  # reverse, actual 0
        {"成本控制": {"target": "≤9.3万元", "actual": "9.3万元"}},
        {"成本控制": {"target": "≤9.3万元", "actual": "9.31万元"}},
        {"成本控制": {"target": "≤9.3万元", "actual": "93000元"}},  # another unit
        {"成本控制": {"target": "<30天", "actual": "30天"}},
        {"成本控制": {"target": "≤0天", "actual": "2天"}},
        {"群众满意度": {"target": "≥95%", "actual": "101%"}},  # a rate above 100%
        {"群众满意度": {"target": "≥105%", "actual": "96%"}},
        {"群众满意度": {"target": "≥95%", "actual": "≥96%"}},  # repeated comparator
        {"群众满意度": {"target": "≥95%", "actual": "不适用"}},  # 不适用: rescaled
        {"线性反向": {"target": "≤10天", "actual": "15天"}},
        {"正向指标": {"target": "≤10天", "actual": "15天"}},  # a direction against the op
        {"项目质量": {"target": "达成", "actual": "随便写写"}},  # unmatched: an error
        {"项目质量": {"target": "达成", "actual": "达成", "tier": "部分达成"}},
        {"项目质量": {"target": "达成", "actual": "达成", "score": "13"}},
    ],
)
def test_kernel_boundaries(entries: dict[str, Any]) -> None:
    template = perfscore.loads_template(_PLAIN)
    for _ in range(2):  # the second time from the kernels' memo
        form = _bind(_form(**entries), template)
        assert form is not None
        assert_same(form)


def test_a_rescaled_form_scores_its_ratio_leaves_with_the_rescaled_weight() -> None:
    template = perfscore.loads_template(_PLAIN)
    form = perfscore.load_form(
        _form(群众满意度={"target": "≥95%", "actual": "不适用"}), template=template
    )
    assert_same(form)
    result = perfscore.evaluate(form)
    rows: Any = result._source.rows
    assert result.not_applicable_weight == 10
    factor = Decimal(100) / Decimal(90)
    met = [r for r in rows if type(r[7]).__name__ == "_Met"]
    assert met and all(r[0] == Decimal(10) * factor for r in met)
    tiers = [r for leaf, r in zip(form.plan.leaves, rows, strict=True) if leaf.rule.kind == "tiers"]
    assert all(type(r[7]).__name__ == "Outcome" for r in tiers)  # not shared when rescaled


def test_kernels_take_the_common_leaves() -> None:
    template = perfscore.loads_template(_PLAIN)
    form = perfscore.load_form(_form(), template=template)
    perfscore.evaluate(form)
    rows: Any = perfscore.evaluate(form)._source.rows
    kinds = {type(r[7]).__name__ for r in rows}
    assert {"_Met", "_Execution"} <= kinds


_BASE_UNITS = [
    None,
    *(lookup_unit(u) for u in ("元", "万元", "亿元", "%", "‰", "次", "亩", "公里")),
]


@settings(max_examples=500, deadline=None)
@given(
    value=st.decimals(allow_nan=False, allow_infinity=False, min_value=-(10**30), max_value=10**30)
    | st.sampled_from([Decimal("-0"), Decimal("0.00"), Decimal("1E+5"), Decimal("1.000")]),
    unit=st.sampled_from(_BASE_UNITS),
)
def test_the_execution_kernels_base_is_quantity_base(value: Decimal, unit: Any) -> None:
    q = Quantity(value, unit)
    assert repr(_base(q)) == repr(q.base)  # the same exponent, not only the same value


def test_kernel_outcomes_have_every_attribute_of_outcome() -> None:
    template = perfscore.loads_template(_PLAIN)
    form = perfscore.load_form(
        _form(
            完成数量={"target": "≥10次", "actual": "5次"},
            成本控制={"target": "≤10天", "actual": "20天"},
        ),
        template=template,
    )
    rows: Any = perfscore.evaluate(form)._source.rows
    outcomes = [r[7] for r in rows if r[7] is not None]
    assert {"_Met", "_Ratio", "_Reverse", "_Execution"} <= {type(o).__name__ for o in outcomes}
    for outcome in outcomes:
        for field in attrs.fields(Outcome):
            getattr(outcome, field.name)
        assert outcome.line == next(r[1] for r in rows if r[7] is outcome)
