"""The compiled plan and the compact storage give what the object results give.

* the engine modules never import ``perfscore.model`` (the model compiles itself into a plan);
* the one-line JSON written from the storage is byte for byte the object-based writer's
  (kept in ``perfscore.result`` as the reference) and ``json.dumps``'s, on every example and
  on generated forms of every shipped template, strict and lenient;
* results built when read are the same however and whenever they are read.
"""

from __future__ import annotations

import ast
import contextlib
import decimal
import pickle
import subprocess
import sys
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import perfscore
from perfscore import strategies as ps
from perfscore.core.result import _dumps, _evaluation_line
from perfscore.engine.evaluate import evaluate
from perfscore.errors import PerfscoreError
from perfscore.result import Evaluation

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = sorted((ROOT / "indicators").rglob("*.yaml"))
FORMS = [
    p
    for p in sorted((ROOT / "examples").rglob("*.yaml"))
    if "kind: form" in p.read_text(encoding="utf-8")
]
#: The modules of the engine and what it runs (the plan, the rules, results): none imports the
#: built model (perfscore.build.model), which holds the plan and calls the engine.
ENGINE = [
    "engine/evaluate",
    "engine/storage",
    "engine/plan",
    "core/result",
    "text/lazy",
    *sorted(f"rules/{p.stem}" for p in (ROOT / "perfscore" / "rules").glob("*.py")),
]


def _imports(module: str) -> set[str]:
    tree = ast.parse((ROOT / "perfscore" / f"{module}.py").read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            base = "." * node.level + (node.module or "")
            found.add(base)
            found.update(f"{base}.{a.name}" if base == "." else base for a in node.names)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
    return found


@pytest.mark.parametrize("module", ENGINE)
def test_the_engine_does_not_import_the_model(module: str) -> None:
    names = _imports(module)
    assert (ROOT / "perfscore" / f"{module}.py").is_file(), module
    model = {".model", "..model", "..build.model", "...build.model", "perfscore.model"}
    assert not {n for n in names if n in model or n.endswith("build.model")}, names


def test_importing_the_engine_does_not_load_the_model() -> None:
    code = (
        "import sys, perfscore.engine.evaluate, perfscore.engine.storage; "
        "print('perfscore.model' in sys.modules)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert done.stdout.strip() == "False", done.stdout + done.stderr


def _check_lines(result: Evaluation) -> None:
    fresh = not attrs.has(type(result)) and result._items is None
    line = result.to_json(indent=None)  # from the storage while the items are unbuilt
    assert fresh, "the evaluation should not have built its items yet"
    assert line == _evaluation_line(result) + "\n"  # the object-based writer (reference)
    assert line == _dumps(result.to_dict(), indent=None) + "\n"
    assert result.to_json(indent=None) == line  # the built items now write the same


@pytest.mark.parametrize("path", FORMS, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_storage_json_is_the_reference_writers_on_every_example(path: Path) -> None:
    try:
        form = perfscore.load_form(path)
    except PerfscoreError:
        pytest.skip("this example is meant to fail")
    with contextlib.suppress(PerfscoreError):  # strict: may refuse a form lenient scores
        _check_lines(evaluate(form))
    _check_lines(evaluate(form, lenient=True))


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_storage_json_is_the_reference_writers_on_embedded_examples(path: Path) -> None:
    template = perfscore.load_template(path)
    for example in template.examples:
        try:
            form = perfscore.load_form(example["form"], template=template)
        except PerfscoreError:
            continue
        _check_lines(evaluate(form, lenient=True))


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.relative_to(ROOT).as_posix())
@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_storage_json_is_the_reference_writers_on_generated_forms(
    path: Path, data: st.DataObject
) -> None:
    template = perfscore.load_template(path)
    form = perfscore.load_form(data.draw(ps.forms(template)), template=template)
    lenient = data.draw(st.booleans())
    try:
        result = evaluate(form, lenient=lenient)
    except PerfscoreError:
        return
    _check_lines(result)
    # results built when read: the same under a hostile reader context, and after pickling
    again = evaluate(form, lenient=lenient)
    with decimal.localcontext() as ctx:
        ctx.prec, ctx.rounding = 3, decimal.ROUND_FLOOR
        explained = [
            (x.explanation, x.target_canonical, x.actual_canonical) for x in again.leaves()
        ]
        groups = [(g.path, g.score, g.reported) for g in again.groups()]
    assert explained == [
        (x.explanation, x.target_canonical, x.actual_canonical) for x in result.leaves()
    ]
    assert groups == [(g.path, g.score, g.reported) for g in result.groups()]
    assert again == result and hash(again) == hash(result)
    assert pickle.loads(pickle.dumps(evaluate(form, lenient=lenient))) == result


def test_an_evaluation_is_frozen_and_reads_like_before() -> None:
    result = perfscore.score(ROOT / "examples" / "yueyanglou-2023" / "unit-self-evaluation.yaml")
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        result.total = decimal.Decimal(0)  # type: ignore[misc]
    assert result.items is result.items  # built once, then kept
    assert result.find("群众满意度") is result.find("群众满意度")
    assert repr(result).startswith("Evaluation(template_id=")
    first: Any = result.items[0]
    assert first.leaves is not None and result.total == sum(
        (x.score for x in result.leaves()), decimal.Decimal(0)
    )


def test_evaluate_refuses_a_template_and_names_it() -> None:
    template = perfscore.load_template(SHIPPED[0])
    with pytest.raises(perfscore.errors.InputTypeError, match="模板（Template）"):
        perfscore.evaluate(template)  # type: ignore[arg-type]
    with pytest.raises(perfscore.errors.InputTypeError, match="dict"):
        perfscore.evaluate({})  # type: ignore[arg-type]
