"""What the two goals of issue 20 not met would take, measured against the floor in one process.

    python benchmarks/options.py                 # 1,000 forms, 7 rounds

1. JSON Lines: the result line as documented against leaner lines that nobody has decided on
   (scores only; scores and the digest) and against reading, binding and scoring alone.
2. Load → evaluate: perfscore's bounded text caches (as shipped) against every text cached
   beforehand, which says what parsing the distinct target and actual texts costs.

CPU time (``time.process_time``), the cases taking turns within every round; medians, with the
ratio of the fastest rounds in brackets. Uses perfscore's internals: a benchmark, not an API.
"""

from __future__ import annotations

import argparse
import gc
import json
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import floor
import synthetic

import perfscore
import perfscore.build.template as template_caches
from perfscore.batch import score_jsonl
from perfscore.build import plain
from perfscore.build.bind import build_form
from perfscore.read.normalize import document_from_json


def timed(
    cases: dict[str, Callable[[], object]], count: int, rounds: int
) -> dict[str, list[float]]:
    times: dict[str, list[float]] = {name: [] for name in cases}
    for _ in range(rounds):
        for name, func in cases.items():
            gc.collect()
            start = time.process_time()
            func()
            times[name].append((time.process_time() - start) / count)
    return times


def report(times: dict[str, list[float]], base: str) -> None:
    median, fastest = statistics.median(times[base]), min(times[base])
    for name, values in times.items():
        m = statistics.median(values)
        print(f"  {name:40} {m * 1e6:8.1f} µs {m / median:6.2f}×  ({min(values) / fastest:.2f}×)")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--forms", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    template = perfscore.loads_template(synthetic.template_text())
    forms = list(synthetic.forms(args.forms, seed=7))
    lines = [json.dumps(f, ensure_ascii=False) + "\n" for f in forms]
    library = perfscore._search_library(None)
    shape = floor.structure()
    encode = json.JSONEncoder(ensure_ascii=False).encode
    written = [json.loads(out) for out in score_jsonl(lines, template=template)]

    def scored() -> Iterator[Any]:
        for i, line in enumerate(lines):
            doc = document_from_json(line, "<stdin>", line=i + 1)
            yield perfscore.evaluate(build_form(doc, library.resolve, template=template))

    def lean(digest: bool) -> Callable[[], None]:
        def run() -> None:
            for ev in scored():
                storage = ev._source
                leaves = storage.plan.leaves
                items = {
                    "/".join(x.path): str(r[3]) for x, r in zip(leaves, storage.rows, strict=True)
                }
                line = {"template": ev.template_id, "total": str(ev.total), "grade": ev.grade}
                line["items"] = items
                if digest:
                    line["digest"] = ev.digest
                encode(line)

        return run

    print(f"== JSON Lines：写出什么（{args.forms} 份，{args.runs} 轮，相对 floor 读写 JSON） ==")
    report(
        timed(
            {
                "floor, JSON Lines in and out": lambda: [floor.score_line(x, shape) for x in lines],
                "floor, writing perfscore's result line": lambda: [
                    (floor.score(json.loads(x), shape), encode(w))
                    for x, w in zip(lines, written, strict=True)
                ],
                "score_jsonl (the documented line)": lambda: list(
                    score_jsonl(lines, template=template)
                ),
                "read, bind and evaluate only": lambda: [None for _ in scored()],  # none kept
                "scores-only line": lean(False),
                "scores-only line with the digest": lean(True),
            },
            len(lines),
            args.runs,
        ),
        "floor, JSON Lines in and out",
    )

    def load_evaluate() -> None:
        for data in forms:
            perfscore.evaluate(perfscore.load_form(data, template=template))

    bounded = template_caches._CACHE_SIZE, plain._CACHE_SIZE
    times: dict[str, list[float]] = {"floor": [], "as shipped": [], "every text cached": []}
    for _ in range(args.runs):
        template_caches._CACHE_SIZE, plain._CACHE_SIZE = bounded
        template_caches._TARGETS.clear()
        template_caches._ACTUALS.clear()
        for name, func in (
            ("floor", lambda: [floor.score(d, shape) for d in forms]),
            ("as shipped", load_evaluate),
        ):
            gc.collect()
            start = time.process_time()
            func()
            times[name].append((time.process_time() - start) / len(forms))
        template_caches._CACHE_SIZE = plain._CACHE_SIZE = 10**7
        load_evaluate()  # every text now parsed once and kept
        gc.collect()
        start = time.process_time()
        load_evaluate()
        times["every text cached"].append((time.process_time() - start) / len(forms))
    template_caches._CACHE_SIZE, plain._CACHE_SIZE = bounded
    print(f"== 读取 + 绑定 + 计分：文字缓存（{args.forms} 份，{args.runs} 轮，相对 floor） ==")
    report(times, "floor")


if __name__ == "__main__":
    main()
