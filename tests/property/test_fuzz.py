"""Fuzzing: whatever goes in, only perfscore.errors exceptions come out.

Covers the loader (``load_yaml`` on arbitrary text and bytes), the grammar (``parse_target``,
``parse_actual``, ``parse_interval``, ``parse_quantity``, ``parse_number`` on arbitrary text),
the builder (``load_template`` / ``load_form`` on arbitrarily mutated mappings) and the
evaluator (every form that builds is evaluated).
"""

from __future__ import annotations

import copy
import json
from decimal import Decimal
from typing import Any

from hypothesis import example, given
from hypothesis import strategies as st

import perfscore
from perfscore import strategies as ps
from perfscore.errors import PerfscoreError
from perfscore.read.yaml import load_yaml
from perfscore.targets import (
    parse_actual,
    parse_interval,
    parse_number,
    parse_quantity,
    parse_target,
    parse_target_parts,
)

from .support import all_rules_template, scaled, shipped_templates, template_and_form

# Characters the grammars care about, so that fuzzing gets past the first character.
GRAMMAR = (
    "0123456789.,%‰-+~()[]∞ ≥≤<>=≧≦＞＜＝﹦（）［］％．，０１２３４５６７８９－～至到"
    "以上下内外含不本数万亿元次个人米公里平方天月年大小于等高低少超过满足eE/\t\n"
)
TEXT = st.one_of(st.text(), st.text(alphabet=GRAMMAR), ps.targets(), ps.quantities())


def _only_perfscore_errors(call: Any, *args: Any, **kwargs: Any) -> Any:
    try:
        return call(*args, **kwargs)
    except PerfscoreError:
        return None


@scaled(15000)
@given(TEXT)
@example("≥")
@example("[1, 2")
@example("1e999999999")
@example("≥1,2,3次")
@example("(30%, +∞)")
@example("9" * 5000)
def test_grammar_raises_only_perfscore_errors(text: str) -> None:
    for parse in (parse_target, parse_interval, parse_quantity, parse_number, parse_actual):
        _only_perfscore_errors(parse, text)
    target = _only_perfscore_errors(parse_target, "≥10次")
    _only_perfscore_errors(parse_actual, text, target)
    _only_perfscore_errors(parse_target_parts, text[:2], text[2:], None)


YAML_TEXT = st.one_of(
    st.text(),
    st.text(alphabet="kind:templateform-[]{}\"'#&*!|>? \n\t0123456789.％，：指标"),
    st.builds(lambda a, b: f"kind: form\ntemplate: {a}\nindicators:\n  {b}", st.text(), st.text()),
)


@scaled(15000)
@given(st.one_of(YAML_TEXT, st.binary()))
@example("a: &x 1\nb: *x")
@example("!!python/object:os.system {}")
@example("a: 1\na: 2")
@example(b"\xff\xfe\x00")
@example("[" * 200)
def test_loader_raises_only_perfscore_errors(source: str | bytes) -> None:
    _only_perfscore_errors(load_yaml, source)
    if isinstance(source, str):
        _only_perfscore_errors(perfscore.loads_form, source)
        _only_perfscore_errors(perfscore.loads_template, source)


JUNK = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**45), 10**45),
    st.decimals(allow_nan=True, allow_infinity=True),
    st.floats(),
    st.text(max_size=20),
    TEXT,
    st.lists(st.text(max_size=5), max_size=3),
    st.dictionaries(st.text(max_size=5), st.text(max_size=5), max_size=3),
    # fresh objects every time: a shared st.just() value mutated by a later step would make
    # the strategy draw differently on replay
    st.builds(lambda: {"kind": "ratio"}),
    st.builds(lambda: [{"name": "x"}]),
)


def _paths(obj: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix]
    if isinstance(obj, dict):
        for k, v in obj.items():
            out.extend(_paths(v, (*prefix, k)))
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            out.extend(_paths(v, (*prefix, i)))
    return out


@st.composite
def mutated(draw: Any, data: Any) -> Any:
    """``data`` with a few nodes replaced by junk, deleted or duplicated."""
    data = copy.deepcopy(data)
    for _ in range(draw(st.integers(1, 3))):
        paths = [p for p in _paths(data) if p]
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        parent = data
        for key in path[:-1]:
            parent = parent[key]
        action = draw(st.sampled_from(("replace", "replace", "delete", "rename")))
        if action == "delete":
            del parent[path[-1]]
        elif action == "rename" and isinstance(parent, dict):
            value = parent.pop(path[-1])
            parent[draw(st.text(max_size=6))] = value
        else:
            parent[path[-1]] = draw(JUNK)
    return data


@scaled(4000)
@given(template_and_form().flatmap(lambda tf: st.tuples(st.just(tf[0]), mutated(tf[1]))))
def test_builder_and_evaluator_raise_only_perfscore_errors(case: tuple[Any, Any]) -> None:
    template, data = case
    form = _only_perfscore_errors(perfscore.load_form, data, template=template)
    if form is not None:
        _only_perfscore_errors(perfscore.evaluate, form)
        _only_perfscore_errors(perfscore.evaluate, form, lenient=True)


# Snapshots taken once: the strategy must draw from exactly the same data on every replay.
TEMPLATE_DATA = tuple(
    json.loads(json.dumps(t.data, ensure_ascii=False, default=str))
    for t in (all_rules_template(), *shipped_templates())
)


@scaled(3000)
@given(st.sampled_from(TEMPLATE_DATA).flatmap(mutated))
def test_template_builder_raises_only_perfscore_errors(data: Any) -> None:
    template = _only_perfscore_errors(perfscore.load_template, data)
    if template is not None:
        form = {"kind": "form", "template": template.id, "indicators": {}}
        built = _only_perfscore_errors(perfscore.load_form, form, template=template)
        if built is not None:
            _only_perfscore_errors(perfscore.evaluate, built)


def test_inline_template_mutations_reach_the_builder() -> None:
    data = dict(all_rules_template().data)
    assert perfscore.load_template(data).total == Decimal(100)
