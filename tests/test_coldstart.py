"""Cold start: what a fresh process imports, and the libyaml fast path of perfscore.read.yaml.

No timing here (benchmarks/coldstart.py measures it): these tests pin down the structure the
speed depends on. ``import perfscore`` imports its public names lazily (PEP 562), so it must not
pull in the optional and command-specific modules; every public name must still import.
YAML files are read with libyaml when the result is certain to be the pure-Python one: a
differential test checks that on the repository's files and on mutated and generated text.
"""

from __future__ import annotations

import json
import random
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

import perfscore
from perfscore.errors import PerfscoreError
from perfscore.read import yaml as _yaml
from perfscore.read import yaml_document as _yaml_document
from perfscore.read import yaml_fast as _yaml_fast
from perfscore.read.yaml_document import DEFAULT_LIMITS, Document

ROOT = Path(__file__).resolve().parent.parent
FORM = ROOT / "examples" / "yueyanglou-2023" / "unit-self-evaluation.yaml"

#: Modules that neither ``import perfscore`` nor ``perfscore score`` may import.
HEAVY = (
    "openpyxl",
    "hypothesis",
    "perfscore.strategies",
    "perfscore.testing.properties",
    "perfscore.review",
    "perfscore.read.table",
    "perfscore.review.workbook",
)


def fresh(code: str) -> Any:
    """Run ``code`` in a new interpreter; it prints one JSON value, returned decoded."""
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=ROOT,
        check=False,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


# --------------------------------------------------------------------------- imports


def test_import_perfscore_imports_nothing_heavy() -> None:
    loaded = fresh("import json, sys, perfscore; print(json.dumps(sorted(sys.modules)))")
    assert [name for name in HEAVY if name in loaded] == []
    # The public names are imported on first use, not by the package itself.
    assert "perfscore.testing.examples" not in loaded
    assert "perfscore.build.bind" not in loaded
    assert "jsonschema" not in loaded


def test_score_command_imports_nothing_heavy() -> None:
    code = f"""
import contextlib, io, json, sys
from perfscore.cli import main
with contextlib.redirect_stdout(io.StringIO()):
    code = main(["score", {str(FORM)!r}])
print(json.dumps([code, sorted(sys.modules)]))
"""
    code, loaded = fresh(code)
    assert code == 0
    assert [name for name in [*HEAVY, "perfscore.testing.examples"] if name in loaded] == []


def test_every_public_name_imports_in_a_fresh_process() -> None:
    code = """
import json, perfscore
names = list(perfscore.__all__)
missing_dir = [n for n in names if n not in dir(perfscore)]
bad = []
for n in names:
    ns = {}
    try:
        exec(f"from perfscore import {n}", ns)
        if ns[n] is not getattr(perfscore, n):
            bad.append(n)
    except Exception as exc:
        bad.append(f"{n}: {exc!r}")
print(json.dumps([names, missing_dir, bad]))
"""
    names, missing_dir, bad = fresh(code)
    assert names == perfscore.__all__
    assert missing_dir == []
    assert bad == []


def test_lazy_names_are_the_defining_modules_objects() -> None:
    from perfscore import model, result, targets
    from perfscore.build import library as _library
    from perfscore.engine import evaluate as _evaluate
    from perfscore.testing import examples as _check

    pass
    pass
    pass

    assert perfscore.Template is model.Template
    assert perfscore.Evaluation is result.Evaluation
    assert perfscore.TemplateLibrary is _library.TemplateLibrary
    assert perfscore.check_template is _check.check_template
    assert perfscore.evaluate is _evaluate.evaluate
    assert perfscore.parse_target is targets.parse_target
    assert set(perfscore.__all__) <= set(dir(perfscore))


def test_unknown_attribute_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no_such_name"):
        perfscore.no_such_name  # noqa: B018
    assert not hasattr(perfscore, "no_such_name")


def test_api_still_works_when_submodule_library_is_imported() -> None:
    # The package's helper must not be shadowed by the submodule perfscore.build.library.
    import perfscore.build.library

    form = perfscore.load_form(FORM)
    assert perfscore.score(FORM).total == perfscore.evaluate(form).total


# --------------------------------------------------------------------------- YAML fast path


def _pure(text: str) -> Document | PerfscoreError:
    try:
        return _yaml._parse_pure(text, "x", DEFAULT_LIMITS)
    except PerfscoreError as err:
        return err


def _typed(value: Any) -> Any:
    if isinstance(value, dict):
        return [(k, _typed(v)) for k, v in value.items()]
    if isinstance(value, list):
        return [_typed(v) for v in value]
    return (type(value).__name__, value)


def _same_as_pure(text: str) -> bool:
    """False when the fast path gives a Document the pure-Python path does not."""
    if _yaml_document._NON_PRINTABLE.search(text):
        return True  # refused before either parser runs
    fast = _yaml_fast._parse_fast(text, "x", DEFAULT_LIMITS)
    if fast is None:
        return True
    pure = _pure(text)
    return (
        isinstance(pure, Document)
        and _typed(pure.data) == _typed(fast.data)
        and dict(pure.positions) == dict(fast.positions)
        and dict(pure.key_positions) == dict(fast.key_positions)
        and pure.text == fast.text
    )


needs_libyaml = pytest.mark.skipif(
    _yaml_fast._parse_fast("a: b", "x", DEFAULT_LIMITS) is None, reason="PyYAML without libyaml"
)
CORPUS = sorted(p for d in ("indicators", "examples") for p in (ROOT / d).rglob("*.y*ml"))


@needs_libyaml
@pytest.mark.parametrize("path", CORPUS, ids=lambda p: str(p.relative_to(ROOT)))
def test_shipped_files_take_the_fast_path_and_read_the_same(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert _yaml_fast._parse_fast(text, "x", DEFAULT_LIMITS) is not None
    assert _same_as_pure(text)
    assert _same_as_pure(text.replace("\n", "\r\n"))


EDGE_CASES = [
    "a:\n  -\n  - \nb:",
    "? a\n: b",
    "? a",
    "a:\n  ? b",
    "- - a\n  - b\n- ",
    "a: |2-\n   x\n  y",
    "a: >\n\n  folded\n  text\n\n  more\n",
    "a: b#c",
    'a: "x\\\n  y"',
    "--- a\n",
    "---\na: 1\n...",
    "a: [b, {c: d}, [e]]",
    "a: {b: [c, d], e: }",
    "a: {b: , c: d}",
    "a: [b, , c]",
    "a: !!str\n",
    "a: !!str ''\n",
    "!!str a",
    "a:    # comment\n  b",
    "a: b c\n  d e\n",
    "'a\n\n  b': c",
    "a: 1\na: 2",
    "a: &x 1\nb: *x",
    "a:\tb",
    "a: b\n\tc: d",
    "\ufeffa: b\n\ufeffc: d",
    "a: [b?c]",
    "a: |#\n  x",
    "%YAML 1.1\n---\na: b",
    "a: b\rc: d",
    "a: b\x85c: d",
    "a: b\u2028c: d",
    "x" * 1030 + ": v",
    "a:\n" + "".join("  " * i + "- \n" for i in range(60)),
    "[" * 60 + "]" * 60,
    "中文: 值\n键: [中文, 值]\n",
]


@needs_libyaml
@pytest.mark.parametrize("text", EDGE_CASES)
def test_edge_cases_read_the_same(text: str) -> None:
    assert _same_as_pure(text)
    assert _same_as_pure(text.replace("\n", "\r\n"))


_NOISE = [
    *" \n:-#'\"[]{},&*!|>%~.\\?\t\r",
    ": ",
    "- ",
    "\n  ",
    "\n- ",
    "---",
    "...",
    "\r\n",
    "|\n",
    ">-\n",
    "!!str ",
    "null",
    "年",
    "，",
]
_WORDS = ["a", "年初预算数", "≥95%", "null", "true", "", " x", "a: b", "#c", "- x", "'q'", "a\nb"]


def _generated(rng: random.Random) -> str:
    def data(depth: int = 0) -> Any:
        roll = rng.random()
        if depth > 3 or roll < 0.4:
            return rng.choice(_WORDS)
        if roll < 0.7:
            return {
                rng.choice(_WORDS[:6]) + str(i): data(depth + 1) for i in range(rng.randint(0, 3))
            }
        return [data(depth + 1) for _ in range(rng.randint(0, 3))]

    return yaml.dump(
        data(),
        allow_unicode=rng.random() < 0.7,
        default_flow_style=rng.choice([None, True, False]),
        default_style=rng.choice([None, None, "'", '"', "|", ">"]),
        width=rng.choice([20, 80]),
        indent=rng.choice([2, 4]),
        sort_keys=False,
    )


@needs_libyaml
def test_fast_path_agrees_with_pure_python_on_mutated_text() -> None:
    rng = random.Random(20231231)
    snippets = [p.read_text(encoding="utf-8") for p in CORPUS]
    disagree: list[str] = []
    for _ in range(1500):
        if rng.random() < 0.5:
            base = rng.choice(snippets)
            start = rng.randrange(len(base))
            base = base[start : start + 400]
        else:
            base = _generated(rng)
        chars = list(base)
        for _ in range(rng.randint(0, 4)):
            i = rng.randint(0, len(chars))
            if rng.random() < 0.6:
                chars.insert(i, rng.choice(_NOISE))
            elif chars:
                del chars[min(i, len(chars) - 1)]
        text = "".join(chars)
        if not _same_as_pure(text):
            disagree.append(text)
    assert disagree == []
