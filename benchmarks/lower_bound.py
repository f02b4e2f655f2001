"""How fast perfscore's result model can be at best: the per-leaf objects alone, no checks.

    python benchmarks/lower_bound.py [--forms 2000] [--runs 5]

For each indicator of each synthetic form it only parses the target and actual (through the
same caches perfscore uses), makes the ``Leaf``, the ``ScoreInput``, runs the rule, rounds
and makes the ``LeafResult`` with a lazy explanation: no validation, no tree, no findings, no
status. Printed against the floor of ``floor.py`` in the same run, it says what share of
perfscore's time the current (immutable, explained) result model costs by itself.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import floor
import synthetic

import perfscore
from perfscore.build import template as _build
from perfscore.engine.evaluate import _explain
from perfscore.model import Leaf
from perfscore.result import LeafResult
from perfscore.rules.base import ScoreInput
from perfscore.rules.registry import KINDS
from perfscore.text.numbers import quantize


def objects_only(template: perfscore.Template, forms: list[dict[str, Any]]) -> None:
    nodes = {n.name: n for n in template.walk() if n.is_leaf}
    for data in forms:
        for top in data["indicators"].values():
            for mid in top.values():
                for name, entry in mid.items():
                    node = nodes[name]
                    assert node.weight is not None
                    target = _build._parse_target(entry["target"])
                    actual = _build._parse_actual(entry["actual"], target)
                    rule = template.rules[template.defaults[target.op]]
                    Leaf(
                        name=name,
                        path=node.path,
                        weight=node.weight,
                        rule=rule,
                        target=target,
                        target_text=entry["target"],
                        actual=actual,
                        actual_text=entry["actual"],
                    )
                    x = ScoreInput(
                        weight=node.weight,
                        target=target,
                        actual=actual.quantity,
                        word=actual.word or actual.text,
                        items=None,
                        given=None,
                        tier=None,
                        values={},
                        named=lambda _name: None,
                        budget={},
                        places=2,
                    )
                    outcome = KINDS[rule.kind].score(rule.params, x)
                    score = quantize(outcome.raw, 2)
                    LeafResult(
                        path=node.path,
                        name=name,
                        weight=node.weight,
                        effective_weight=node.weight,
                        rule_name=rule.label,
                        rule_kind=rule.kind,
                        line=outcome.line,
                        raw_score=outcome.raw,
                        score=score,
                        status="",
                        explanation=_explain(outcome, outcome.raw, score, 2, node.weight),
                        target_text=entry["target"],
                        actual_text=entry["actual"],
                        ratio=outcome.ratio,
                    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--forms", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    template = perfscore.loads_template(synthetic.template_text())
    forms = list(synthetic.forms(args.forms))
    shape = floor.structure()
    times: dict[str, list[float]] = {"floor": [], "objects only": [], "perfscore": []}
    for _ in range(args.runs):
        for name, bucket in times.items():
            start = time.perf_counter()
            if name == "floor":
                for data in forms:
                    floor.score(data, shape)
            elif name == "objects only":
                objects_only(template, forms)
            else:
                for data in forms:
                    perfscore.evaluate(perfscore.load_form(data, template=template))
            bucket.append((time.perf_counter() - start) / len(forms))
    base = statistics.median(times["floor"])
    for name, values in times.items():
        seconds = statistics.median(values)
        print(f"{name:14} {seconds * 1e6:8.1f} µs/份 {seconds / base:6.2f}×")


if __name__ == "__main__":
    main()
