"""Speed, measured: ratios against a baseline measured in the same run (not a test).

    python benchmarks/stages.py [--forms 200] [--repeat 5]

The baseline is PyYAML's own SafeLoader reading the seed form: perfscore cannot load a form
faster than the YAML parser it is built on, so each stage is printed as a multiple of that
(machines differ; ratios travel). Stages: strict load, schema validation, binding a form to a
cached template, evaluation, JSON rendering, and a whole batch of forms (score per form).
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from pathlib import Path

import yaml

import perfscore
from perfscore.build.bind import build_form
from perfscore.build.library import TemplateLibrary
from perfscore.read import schema as _schema
from perfscore.read.yaml import load_yaml

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "examples" / "yueyanglou-2023" / "unit-self-evaluation.yaml"


def best(func: Callable[[], object], repeat: int, number: int) -> float:
    """Best-of-``repeat`` seconds per call (the minimum is the least noisy on a shared machine)."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        for _ in range(number):
            func()
        times.append((time.perf_counter() - start) / number)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--forms", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    text = SEED.read_text(encoding="utf-8")
    library = TemplateLibrary()
    doc = load_yaml(text, file=str(SEED))
    form = build_form(doc, library.resolve)
    result = perfscore.evaluate(form)

    number = 50
    baseline = best(lambda: yaml.load(text, Loader=yaml.SafeLoader), args.repeat, number)
    stages = {
        "strict load (perfscore.read.yaml)": lambda: load_yaml(text, file=str(SEED)),
        "schema validation": lambda: _schema.validate(doc, "form"),
        "bind form to cached template": lambda: build_form(doc, library.resolve),
        "evaluate": lambda: perfscore.evaluate(form),
        "render JSON": result.to_json,
        "load + bind + evaluate": lambda: perfscore.evaluate(
            build_form(load_yaml(text, file=str(SEED)), library.resolve)
        ),
    }
    print(f"baseline: yaml.SafeLoader on the seed form = {baseline * 1e3:.3f} ms")
    print(f"{'stage':34} {'ms':>9} {'× baseline':>11}")
    for name, func in stages.items():
        seconds = best(func, args.repeat, number)
        print(f"{name:34} {seconds * 1e3:9.3f} {seconds / baseline:11.2f}")

    per_form = []
    for _ in range(args.repeat):
        start = time.perf_counter()
        for _ in range(args.forms):
            perfscore.evaluate(build_form(load_yaml(text, file=str(SEED)), library.resolve))
        per_form.append((time.perf_counter() - start) / args.forms)
    seconds = min(per_form)
    print(
        f"batch of {args.forms} forms: {seconds * 1e3:.3f} ms/form "
        f"({seconds / baseline:.2f} × baseline; median {statistics.median(per_form) * 1e3:.3f} ms)"
    )


if __name__ == "__main__":
    main()
