"""The plain binder (``perfscore.build.plain``) binds exactly what the general binder binds.

Every shipped template and the benchmark's synthetic one; generated forms, varied the ways
forms differ (aliases, form-supplied weights and targets, reported scores, notes, missing
entries, extra fields that force the general path, odd values), from Python data and from
YAML text (positions). Compared: every public attribute of the bound ``Form``, its tree
(``form.nodes``, ``form.leaves()``), its plan as the engine reads it, the evaluation
(``to_dict()``, the JSON line, findings) and, for invalid forms, every error message with its
file, line, column and indicator path.
"""

from __future__ import annotations

import copy
import json
import pickle
import random
import sys
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import perfscore
from perfscore import strategies as ps
from perfscore.build import bind as _bind
from perfscore.build import plain as _plain
from perfscore.build.bind import build_form
from perfscore.build.model import _NODES_SLOT, BoundTree, Form, Group, Leaf
from perfscore.build.plain import bind_plain
from perfscore.build.template import _canonical
from perfscore.engine.plan import GroupSpan
from perfscore.errors import PerfscoreError, ValidationErrors
from perfscore.read import schema as _schema
from perfscore.read.normalize import document_from_data, document_from_json
from perfscore.read.quickcheck import plainly_valid_form, plainly_valid_indicators
from perfscore.read.reader import Reader

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "benchmarks"))
import synthetic  # noqa: E402

from tests.property.test_fast_paths import _mutate  # noqa: E402

SHIPPED = sorted((ROOT / "indicators").rglob("*.yaml"))
TEMPLATES: dict[str, perfscore.Template] = {}

_LEAF_DATA = (
    "name",
    "path",
    "weight",
    "rule",
    "target",
    "target_text",
    "actual",
    "actual_text",
    "actual_items",
    "actual_from",
    "reported",
    "given_score",
    "tier",
    "note",
    "applicable",
    "position",
    "unreadable",
)
_FORM_FIELDS = (
    "unit",
    "year",
    "budget",
    "budget_unit",
    "inputs",
    "reported_total",
    "file",
    "digest",
    "data",
    "findings",
)


def _template(key: str) -> perfscore.Template:
    if key not in TEMPLATES:
        if key == "synthetic":
            TEMPLATES[key] = perfscore.loads_template(synthetic.template_text())
        else:
            TEMPLATES[key] = perfscore.load_template(ROOT / key)
    return TEMPLATES[key]


KEYS = ["synthetic", *(p.relative_to(ROOT).as_posix() for p in SHIPPED)]


def _general(mp: pytest.MonkeyPatch) -> None:
    mp.setattr(_bind, "bind_plain", lambda *a, **k: None)
    mp.setattr(_bind._Binder, "plain_leaf", lambda *a, **k: None)


def _spans(shape: tuple[GroupSpan | int, ...]) -> list[Any]:
    return [
        n
        if isinstance(n, int)
        else (n.name, n.path, n.weight, n.reported, n.start, n.end, _spans(n.children))
        for n in shape
    ]


def _snapshot(form: Form) -> Any:
    plan = form.plan
    return (
        form.template is not None,
        tuple(getattr(form, name) for name in _FORM_FIELDS),
        form.nodes,
        [leaf.stage for leaf in form.leaves()],
        [tuple(getattr(leaf, k) for k in _LEAF_DATA) for leaf in plan.leaves],
        _spans(plan.shape),
        (plan.budget, plan.inputs, plan.reported_total, plan.unit, plan.year, plan.file),
        plan.digest,
    )


def _outcome(load: Any) -> Any:
    try:
        form = load()
        snapshot = _snapshot(form)
        result = perfscore.evaluate(form)
        return (
            snapshot,
            result.to_dict(),
            result.to_json(indent=None),
            [attrs.astuple(f) for f in result.findings],
        )
    except ValidationErrors as err:
        located = [(e.file, e.line, e.column, e.indicator_path, str(e)) for e in err.errors]
        return "error", str(err), located
    except PerfscoreError as err:
        return "error", str(err), (err.file, err.line, err.column)


def _both(load: Any) -> tuple[Any, Any]:
    fast = _outcome(load)
    with pytest.MonkeyPatch.context() as mp:
        _general(mp)
        slow = _outcome(load)
    return fast, slow


# ------------------------------------------------------------------ varying a valid form


def _entries(data: Any, here: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Paths of the leaf entries (mappings with a leaf field) and the groups under indicators."""
    found = []
    if isinstance(data, dict):
        if here:
            found.append(here)
        for key, value in data.items():
            found += _entries(value, (*here, key))
    elif isinstance(data, list):
        for i, value in enumerate(data):
            found += _entries(value, (*here, i))
    return found


_VALUES = st.sampled_from(["5", "0", "2.5", "100%", "≥10次", "达成", "未发生", "", "-1", "1e5"])
_CHANGES = st.sampled_from(
    [
        "alias",
        "weight",
        "target",
        "reported",
        "note",
        "note_none",
        "reported_none",
        "delete",
        "extra",
        "null",
        "empty",
        "rename",
    ]
)


def _vary(data: dict[str, Any], template: perfscore.Template, draw: Any) -> dict[str, Any]:
    data = copy.deepcopy(data)
    aliases = {t.name: t.aliases for t in template.walk() if t.aliases}
    for _ in range(draw(st.integers(1, 4))):
        paths = _entries(data.get("indicators"))
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        parent: Any = data["indicators"]
        for key in path[:-1]:
            parent = parent[key]
        last = path[-1]
        entry = parent[last]
        change = draw(_CHANGES)
        if change == "alias" and isinstance(last, str) and aliases.get(last):
            parent[draw(st.sampled_from(aliases[last]))] = parent.pop(last)
        elif change == "rename" and isinstance(last, str):
            parent[last + "x"] = parent.pop(last)
        elif change == "delete":
            del parent[last]
        elif change == "null":
            parent[last] = None
        elif change == "empty":
            parent[last] = {}
        elif isinstance(entry, dict):
            if change in ("weight", "target", "reported", "note"):
                entry[change] = draw(_VALUES)
            elif change == "note_none":
                entry["note"] = None
            elif change == "reported_none":
                entry["reported"] = None
            elif change == "extra":
                entry[draw(st.sampled_from(["tier", "score", "applicable", "progress", "x"]))] = (
                    draw(st.sampled_from(["达成", "5", True, None]))
                )
    return data


@st.composite
def _forms(draw: Any, key: str) -> dict[str, Any]:
    template = _template(key)
    if key == "synthetic" and draw(st.booleans()):
        form = synthetic.form(random.Random(draw(st.integers(0, 99))), 0)
    else:
        form = draw(ps.forms(template))
    choice = draw(st.sampled_from(["as is", "varied", "mutated"]))
    if choice == "varied":
        form = _vary(form, template, draw)
    elif choice == "mutated":
        form = _mutate(form, draw)
    return form


@pytest.mark.parametrize("key", KEYS)
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_plain_binder_binds_what_the_general_one_binds(key: str, data: st.DataObject) -> None:
    template = _template(key)
    form = data.draw(_forms(key))
    fast, slow = _both(lambda: perfscore.load_form(form, template=template))
    assert fast == slow


# ------------------------------------------------------------------ from YAML: positions


def _scalar(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict | list) and not value:
        return "{}" if isinstance(value, dict) else "[]"
    return json.dumps(str(value), ensure_ascii=False)


def _yaml(data: Any, pad: str = "") -> list[str]:
    lines: list[str] = []
    if isinstance(data, dict):
        for key, value in data.items():
            if isinstance(value, dict | list) and value:
                lines.append(f"{pad}{_scalar(key)}:")
                lines += _yaml(value, pad + "  ")
            else:
                lines.append(f"{pad}{_scalar(key)}: {_scalar(value)}")
    else:
        for item in data:
            if isinstance(item, dict | list) and item:
                inner = _yaml(item, pad + "  ")
                lines.append(f"{pad}- {inner[0].lstrip()}")
                lines += inner[1:]
            else:
                lines.append(f"{pad}- {_scalar(item)}")
    return lines


@pytest.mark.parametrize("key", KEYS)
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_plain_binder_from_yaml_places_what_the_general_one_places(
    key: str, data: st.DataObject
) -> None:
    template = _template(key)
    form = data.draw(_forms(key))
    text = "\n".join(_yaml(form)) + "\n"
    fast, slow = _both(lambda: perfscore.loads_form(text, template=template, file="f.yaml"))
    assert fast == slow


@pytest.mark.parametrize("key", KEYS)
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_plain_binder_from_a_json_line_places_what_the_general_one_places(
    key: str, data: st.DataObject
) -> None:
    template = _template(key)
    form = data.draw(_forms(key))
    line = json.dumps(form, ensure_ascii=False)
    resolve = perfscore._search_library(None).resolve

    def load() -> Form:
        return build_form(document_from_json(line, "f.jsonl", line=7), resolve, template=template)

    fast, slow = _both(load)
    assert fast == slow


# ------------------------------------------------------------------ the lazy tree


def test_a_plain_form_is_bound_plainly_and_its_tree_made_when_read() -> None:
    template = _template("synthetic")
    data = next(synthetic.forms(1))
    form = perfscore.load_form(data, template=template)
    assert isinstance(_NODES_SLOT.__get__(form, Form), BoundTree)  # scored without the attrs tree
    result = perfscore.evaluate(form)
    nodes = form.nodes
    assert form.nodes is nodes  # made once
    assert all(isinstance(n, Group | Leaf) for n in nodes)
    assert [leaf.path for leaf in form.leaves()] == [leaf.path for leaf in form.plan.leaves]
    assert perfscore.evaluate(form) == result
    with pytest.MonkeyPatch.context() as mp:
        _general(mp)
        general = perfscore.load_form(data, template=template)
    assert isinstance(_NODES_SLOT.__get__(general, Form), tuple)
    assert general.nodes == nodes
    assert repr(general) == repr(form)
    # the field is the attrs field it was: fields, asdict and evolve name it ``nodes``
    assert "nodes" in attrs.fields_dict(Form)
    again = perfscore.load_form(data, template=template)
    assert attrs.asdict(again, recurse=False)["nodes"] == nodes
    assert attrs.evolve(perfscore.load_form(data, template=template)).nodes == nodes
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        form.nodes = ()  # type: ignore[misc]
    assert repr(form).startswith("Form(template=") and ", nodes=(Leaf(name=" in repr(form)


def test_a_plainly_bound_form_pickles_and_evolves() -> None:
    template = _template("synthetic")
    form = perfscore.load_form(next(synthetic.forms(1)), template=template)
    result = perfscore.evaluate(form)
    back = pickle.loads(pickle.dumps(form))
    assert perfscore.evaluate(back) == result
    assert back.nodes == form.nodes
    changed = attrs.evolve(form, unit="另一单位")
    assert changed.unit == "另一单位" and changed.plan.unit == "另一单位"
    assert changed.nodes == form.nodes
    assert perfscore.evaluate(changed).total == result.total
    made = attrs.evolve(form, nodes=form.nodes)  # a tree given as nodes, as before
    assert isinstance(_NODES_SLOT.__get__(made, Form), tuple)
    assert perfscore.evaluate(made) == result


# ------------------------------------------------------------------ what the binder implies


@pytest.mark.parametrize("key", KEYS)
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_what_binds_plainly_is_plainly_valid(key: str, data: st.DataObject) -> None:
    """build_form skips the quick check of ``indicators`` when the plain binder reads them."""
    template = _template(key)
    form = data.draw(_forms(key))
    doc = document_from_data(form)
    reader = Reader(doc)
    bound = bind_plain(template, doc.data.get("indicators"), reader)
    if bound is not None:
        assert plainly_valid_indicators(doc.data["indicators"])
        if plainly_valid_form(doc.data):
            assert _schema.validate(doc, "form") == []
    assert reader.errors == []  # the plain binder never reports: the general one does
    assert plainly_valid_form(doc.data) == (
        plainly_valid_form(doc.data, indicators=False)
        and plainly_valid_indicators(doc.data["indicators"])
    )


@settings(max_examples=200, deadline=None)
@given(
    st.recursive(
        st.none()
        | st.booleans()
        | st.integers()
        | st.text(max_size=5)
        | st.decimals(allow_nan=False, allow_infinity=False),
        lambda inner: (
            st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner, max_size=3)
        ),
        max_leaves=12,
    )
)
def test_the_digest_is_json_dumps(value: Any) -> None:
    data = {"x": value}
    expected = json.dumps(data, sort_keys=True, ensure_ascii=False, default=str)
    assert _canonical(data) == expected
    assert _canonical(value) == json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)


@pytest.mark.parametrize(
    "indicators", [{"产出指标": 5}, {"产出指标": {"数量指标": {"x": {"weight": "-1"}}}}, {}]
)
def test_schema_errors_come_before_an_unknown_template(indicators: dict[str, Any]) -> None:
    """The quick check of ``indicators`` moved after the template is found; what is reported
    first did not: a form the schema refuses says so, whatever its template."""
    data = {"kind": "form", "template": "no/such-template", "indicators": indicators}
    doc = document_from_data(data)
    expected = [str(e) for e in _schema.validate(doc, "form")]
    with pytest.raises(PerfscoreError) as caught:
        perfscore.load_form(data)
    if expected:
        assert isinstance(caught.value, ValidationErrors)
        assert [str(e) for e in caught.value.errors] == expected
    else:
        assert "no/such-template" in str(caught.value)


def test_a_child_named_like_a_leaf_field_goes_the_general_way() -> None:
    """The schema reads a mapping holding a leaf field as a leaf: the plain binder, which
    implies the quick check, never binds a group whose child is called (or aliased) so."""
    text = synthetic.template_text().replace(
        "{name: 制度建设, weight: 5}", "{name: 制度建设, aliases: [note], weight: 5}"
    )
    template = perfscore.loads_template(text)
    assert _plain._spec(template) is None
    form = next(synthetic.forms(1))
    group = form["indicators"]["效益指标"]["可持续影响指标"]
    group["note"] = group.pop("制度建设")
    fast, slow = _both(lambda: perfscore.load_form(form, template=template))
    assert fast == slow


@settings(max_examples=300, deadline=None)
@given(
    st.one_of(
        st.from_regex(r"[0-9]{1,17}(\.[0-9]{0,17})?", fullmatch=True),
        st.sampled_from(
            ["0", "007.50", "1,234.5", "１２", " 5", "5 ", "-1", "1e5", "100%", "3万元"]
        ),
    ),
    st.sampled_from([None, "元", "万元", "亿元"]),
    st.sampled_from(["全年预算数", "执行率"]),
)
def test_plain_budget_amounts_read_as_the_grammar_reads_them(
    text: str, unit: str | None, key: str
) -> None:
    from perfscore.build import form as _form
    from perfscore.text.numbers import local_context

    raw: dict[str, Any] = {key: text, "子项": {key: text}}
    if unit is not None:
        raw["unit"] = unit

    def read() -> Any:
        reader = Reader(document_from_data({"budget": raw}))
        with local_context():
            figures, money = _form._budget(raw, reader)
        return [(k, q, q.value.as_tuple()) for k, q in figures.items()], money, reader.errors

    fast = read()
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(_form, "_PLAIN_AMOUNT", lambda text: None)
        slow = read()
    assert repr(fast) == repr(slow)
