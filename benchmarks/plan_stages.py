"""Where a form's time goes, stage by stage, against the floor in the same process.

    python benchmarks/plan_stages.py

CPU time (``time.process_time``), so that a busy shared machine disturbs it less than wall
time; 500 synthetic forms, median of 5 rounds, stages taking turns within every round. Uses
perfscore's internals (the plan, the evaluator, the compact storage): a benchmark, not an API.
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import floor
import synthetic

import perfscore
from perfscore.build.bind import build_form
from perfscore.engine.evaluate import _Evaluator, compute_values
from perfscore.read.normalize import document_from_data, document_from_json
from perfscore.text.numbers import local_context


def main() -> None:
    template = perfscore.loads_template(synthetic.template_text())
    forms = list(synthetic.forms(500))
    lines = [json.dumps(f, ensure_ascii=False) for f in forms]
    library = perfscore._search_library(None)
    docs = [document_from_data(d, file="<data>") for d in forms]
    bound = [perfscore.load_form(d, template=template) for d in forms]
    shape = floor.structure()

    def floor_score() -> None:
        for d in forms:
            floor.score(d, shape)

    def json_loads() -> None:
        for line in lines:
            json.loads(line)

    def json_to_document() -> None:
        for line in lines:
            document_from_json(line, "f.jsonl", line=1)

    def bind() -> None:
        for doc in docs:
            build_form(doc, library.resolve, template=template)

    def evaluate() -> None:
        for form in bound:
            perfscore.evaluate(form)

    def rules_only() -> None:
        with local_context():
            for form in bound:
                ev = _Evaluator(form.plan, False)
                ev.values, _ = compute_values(form.plan)
                for leaf in form.plan.leaves:
                    x = ev.score_input(leaf, leaf.weight)
                    step = ev.tp.rule(leaf.rule)
                    step.score(step.params, x)

    def evaluate_then_items() -> None:
        for form in bound:
            perfscore.evaluate(form).items  # noqa: B018 - building them is the point

    # The four below are timed on forms bound and scored afresh for each round (outside the
    # timing): a form hashes its digest once, a result renders its sentences once; both keep.
    fresh: list[Any] = []

    def digests() -> None:
        for result in fresh:
            result.digest  # noqa: B018 - hashing it is the point

    def explanations() -> None:
        for result in fresh:
            storage: Any = result._source
            for i in range(len(storage.rows)):
                str(storage.explanation(i))

    def json_write() -> None:
        for result in fresh:
            storage: Any = result._source
            storage.json_line(result)

    def json_write_all() -> None:
        for result in fresh:
            storage: Any = result._source
            storage.json_line(result)

    cases: dict[str, Callable[[], None]] = {
        "floor": floor_score,
        "json.loads 一行": json_loads,
        "JSON 行 → Document": json_to_document,
        "绑定 build_form": bind,
        "evaluate()": evaluate,
        "一般路径的 ScoreInput + 规则": rules_only,
        "evaluate() 后建出 items": evaluate_then_items,
        "内容摘要 digest（首次读取）": digests,
        "只渲染计分说明（首次）": explanations,
        "写出结果 JSON（摘要、说明已有）": json_write,
        "写出结果 JSON（全新结果）": json_write_all,
    }
    # what each case needs made fresh first: digests, then sentences, then the JSON's rest
    needs_fresh = {
        "内容摘要 digest（首次读取）",
        "只渲染计分说明（首次）",
        "写出结果 JSON（全新结果）",
    }
    primed = {"写出结果 JSON（摘要、说明已有）"}
    times: dict[str, list[float]] = {name: [] for name in cases}
    for _ in range(5):
        for name, func in cases.items():
            if name in needs_fresh or name in primed:
                fresh[:] = [
                    perfscore.evaluate(perfscore.load_form(d, template=template)) for d in forms
                ]
                if name in primed:
                    digests()
                    explanations()
            start = time.process_time()
            func()
            times[name].append((time.process_time() - start) / len(forms) * 1e6)
    base = statistics.median(times["floor"])
    for name, values in times.items():
        median = statistics.median(values)
        print(f"  {name:24s} {median:9.1f} µs/份 {median / base:8.2f}×")


if __name__ == "__main__":
    main()
