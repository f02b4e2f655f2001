"""A batch resolves each template it names once (issue 20): the forms of one batch are scored
with the template as it was when first used, a relative path is read against its own form's
folder, and a reference that fails is tried again by the next form."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

from perfscore.batch import iter_sources, score_jsonl, score_stream

from .helpers import benchmark_modules


@pytest.fixture
def synthetic() -> Iterator[ModuleType]:
    with benchmark_modules("synthetic") as (module,):
        yield module


def _lines(synthetic: ModuleType, count: int) -> list[str]:
    forms = synthetic.forms(count, seed=5)
    return [json.dumps(f, ensure_ascii=False) + "\n" for f in forms]


def _template(synthetic: ModuleType, name: str) -> str:
    text: str = synthetic.template_text()
    return text.replace("name: 基准测试用合成指标体系（20 个三级指标）", f"name: {name}", 1)


def _names(out: list[str]) -> list[str | None]:
    return [json.loads(line).get("template", {}).get("name") for line in out]


def test_one_batch_scores_every_form_with_the_template_as_first_used(
    tmp_path: Path, synthetic: ModuleType
) -> None:
    path = tmp_path / "bench" / "synthetic.yaml"
    path.parent.mkdir()
    path.write_text(_template(synthetic, "第一版"), encoding="utf-8")
    lines = _lines(synthetic, 6)

    def edited_midway() -> Iterator[str]:
        for i, line in enumerate(lines):
            if i == 3:  # another size and time: the library alone would build it again
                path.write_text(_template(synthetic, "改过的第二版"), encoding="utf-8")
            yield line

    out = list(score_jsonl(edited_midway(), search_path=[tmp_path]))
    assert _names(out) == ["第一版"] * 6
    # the next batch reads the file as it is now
    assert _names(list(score_jsonl(lines[:1], search_path=[tmp_path]))) == ["改过的第二版"]


def test_a_missing_template_is_looked_for_again_by_the_next_form(
    tmp_path: Path, synthetic: ModuleType
) -> None:
    lines = _lines(synthetic, 3)
    path = tmp_path / "bench" / "synthetic.yaml"

    def appearing() -> Iterator[str]:
        yield lines[0]
        path.parent.mkdir()
        path.write_text(_template(synthetic, "后来才有"), encoding="utf-8")
        yield from lines[1:]

    out = [json.loads(line) for line in score_jsonl(appearing(), search_path=[tmp_path])]
    assert "errors" in out[0] and "template" not in out[0]  # an error record: not found
    assert [o.get("template", {}).get("name") for o in out[1:]] == ["后来才有"] * 2


def test_a_relative_template_path_is_read_against_each_forms_folder(
    tmp_path: Path, synthetic: ModuleType
) -> None:
    data = json.loads(_lines(synthetic, 1)[0])
    data["template"] = "tpl.yaml"
    files = []
    for folder in ("a", "b"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "tpl.yaml").write_text(
            _template(synthetic, f"{folder} 的模板"), encoding="utf-8"
        )
        form = tmp_path / folder / "forms.jsonl"
        form.write_text(json.dumps(data, ensure_ascii=False) + "\n", encoding="utf-8")
        files.append(str(form))
    outcomes = list(score_stream(iter_sources(files)))
    names = [o.evaluation.template_name for o in outcomes if o.evaluation is not None]
    assert names == ["a 的模板", "b 的模板"]
