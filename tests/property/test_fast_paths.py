"""The fast paths give exactly what the general ones give, or step aside.

* ``plainly_valid_form`` (skips jsonschema) says True only for forms the validator accepts;
* ``bind_plain`` (binds against the template's compiled spec) and ``_Binder.plain_leaf``
  (skips the general leaf reading) build the tree the general path builds, so forms bound
  either way evaluate to equal results (``test_plain_bind.py`` compares more);
* the one-line JSON writer gives the bytes ``json.dumps`` gives.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import perfscore
from perfscore import strategies as ps
from perfscore.build import bind as _build
from perfscore.core.result import _dumps
from perfscore.errors import PerfscoreError
from perfscore.read import schema as _schema
from perfscore.read.normalize import document_from_data
from perfscore.read.quickcheck import plainly_valid_form
from perfscore.read.yaml import load_yaml

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = sorted((ROOT / "indicators").rglob("*.yaml"))
FORMS = [
    p
    for p in sorted((ROOT / "examples").rglob("*.yaml"))
    if "kind: form" in p.read_text(encoding="utf-8")
]

# Values a hand, a spreadsheet export or a program might put anywhere in a form.
ODD = st.one_of(
    st.sampled_from(
        ["", " ", "5", "-5", "1e5", "5.", "１２", "95%", "不适用", "≥10次", "abc", "2023年", "元"]
    ),
    st.booleans(),
    st.none(),
    st.just([]),
    st.just({}),
    st.just(["a", 1]),
    st.just({"target": "≥1次"}),
    st.just({"unit": "美元"}),
).map(copy.deepcopy)  # a fresh container each time: a shared one could end up inside itself


def _paths(data: Any, here: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [here]
    if isinstance(data, dict):
        for key, value in data.items():
            found += _paths(value, (*here, key))
    elif isinstance(data, list):
        for i, value in enumerate(data):
            found += _paths(value, (*here, i))
    return found


def _mutate(data: dict[str, Any], draw: Any) -> dict[str, Any]:
    data = copy.deepcopy(data)
    for _ in range(draw(st.integers(1, 3))):
        paths = [p for p in _paths(data) if p]
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        parent: Any = data
        for key in path[:-1]:
            parent = parent[key]
        action = draw(st.sampled_from(["replace", "delete", "add"]))
        if action == "replace":
            parent[path[-1]] = draw(ODD)
        elif action == "delete" and isinstance(parent, dict):
            del parent[path[-1]]
        elif isinstance(parent, dict):
            parent[draw(st.sampled_from(["weight", "tier", "rule", "score", "x", "actual"]))] = (
                draw(ODD)
            )
    return data


@pytest.mark.parametrize("path", FORMS, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_quick_check_on_the_examples(path: Path) -> None:
    doc = load_yaml(path)
    if plainly_valid_form(doc.data):
        assert _schema.validate(doc, "form") == []


@st.composite
def mutated_forms(draw: Any) -> dict[str, Any]:
    path = draw(st.sampled_from(FORMS))
    data = load_yaml(path).data
    return _mutate(data, draw) if draw(st.booleans()) else data


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated_forms())
def test_quick_check_never_accepts_what_the_schema_refuses(data: dict[str, Any]) -> None:
    doc = document_from_data(data)
    if plainly_valid_form(doc.data):
        assert _schema.validate(doc, "form") == [], json.dumps(doc.data, ensure_ascii=False)


def _general(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_build, "bind_plain", lambda *a, **k: None)  # the plain binder too
    monkeypatch.setattr(_build._Binder, "plain_leaf", lambda *a, **k: None)


def _outcome(data: dict[str, Any], template: perfscore.Template) -> Any:
    try:
        form = perfscore.load_form(data, template=template)
        result = perfscore.evaluate(form)
        line = result.to_json(indent=None)  # the direct one-line writer …
        assert line == _dumps(result.to_dict(), indent=None) + "\n"  # … is json.dumps
        return form.nodes, result.to_json()
    except PerfscoreError as err:
        return "error", str(err)


TEMPLATES = {p.stem: p for p in SHIPPED}


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.relative_to(ROOT).as_posix())
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_plain_leaf_builds_what_the_general_path_builds(path: Path, data: st.DataObject) -> None:
    template = perfscore.load_template(path)
    form = data.draw(ps.forms(template))
    if data.draw(st.booleans()):
        form = _mutate(form, data.draw)
    doc = document_from_data(form)
    if plainly_valid_form(doc.data):
        assert _schema.validate(doc, "form") == []
    fast = _outcome(form, template)
    with pytest.MonkeyPatch.context() as mp:
        _general(mp)
        slow = _outcome(form, template)
    assert fast == slow


@pytest.mark.parametrize("path", FORMS, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_one_line_json_is_json_dumps(path: Path) -> None:
    try:
        result = perfscore.score(path)
    except PerfscoreError:
        pytest.skip("this example is meant to fail")
    assert result.to_json(indent=None) == _dumps(result.to_dict(), indent=None) + "\n"
    assert json.loads(result.to_json(indent=None)) == json.loads(result.to_json())
