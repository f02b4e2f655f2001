"""The benchmark's parts stay true: the synthetic forms are valid and the hand-written floor
scores them exactly as perfscore does (the benchmark's ratios mean nothing otherwise)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from types import ModuleType

import pytest

import perfscore
from perfscore.batch import score_jsonl

from .helpers import benchmark_modules


@pytest.fixture(scope="module")
def parts() -> Iterator[tuple[ModuleType, ...]]:
    with benchmark_modules("synthetic", "floor") as modules:
        yield modules


def test_the_floor_agrees_with_perfscore_to_the_cent(
    parts: tuple[ModuleType, ModuleType],
) -> None:
    synthetic, floor = parts
    template = perfscore.loads_template(synthetic.template_text())
    shape = floor.structure()
    for data in synthetic.forms(300, seed=7):
        expected = floor.score(data, shape)
        result = perfscore.evaluate(perfscore.load_form(data, template=template))
        assert {leaf.name: leaf.score for leaf in result.leaves()} == expected["items"]
        assert (result.total, result.grade) == (expected["total"], expected["grade"])


def test_the_synthetic_forms_are_the_same_for_the_same_seed(
    parts: tuple[ModuleType, ModuleType],
) -> None:
    synthetic, _floor = parts
    assert list(synthetic.jsonl(20, seed=3)) == list(synthetic.jsonl(20, seed=3))
    assert list(synthetic.jsonl(20, seed=3)) != list(synthetic.jsonl(20, seed=4))


def test_batch_lines_are_the_results(parts: tuple[ModuleType, ModuleType]) -> None:
    synthetic, _floor = parts
    template = perfscore.loads_template(synthetic.template_text())
    lines = list(synthetic.jsonl(30, seed=5))
    outs = score_jsonl(lines, template=template, file="forms.jsonl")
    for number, (line, out) in enumerate(zip(lines, outs, strict=True), 1):
        expected = perfscore.evaluate(perfscore.load_form(json.loads(line), template=template))
        got = json.loads(out)
        want = json.loads(expected.to_json())
        # the same result, but located: the form is forms.jsonl, each finding on its line
        assert got["form"]["file"] == "forms.jsonl"
        assert all((f["file"], f["line"]) == ("forms.jsonl", number) for f in got["findings"])
        for finding in (*got["findings"], *want["findings"]):
            finding.pop("file", None)
            finding.pop("line", None)
        got["form"]["file"] = want["form"]["file"]
        assert got == want


def test_a_large_template_builds(parts: tuple[ModuleType, ModuleType]) -> None:
    synthetic, _floor = parts
    template = perfscore.loads_template(synthetic.template_text(500))
    assert sum(1 for node in template.walk() if node.is_leaf) == 501
