"""Determinism: the same input gives byte-identical output, whatever the process state.

Across runs, across PYTHONHASHSEED values (separate processes through the CLI), under any
global decimal context (precision, rounding, traps), across threads, and whatever the order of
the keys in the YAML mappings of the form and of the template.
"""

from __future__ import annotations

import decimal
import json
import os
import random
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest
import yaml

import perfscore
from perfscore.read.yaml import load_yaml
from perfscore.render import FORMATS, render

from ._support import SIMPLE_TEMPLATE, form_text

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "examples" / "yueyanglou-2023" / "unit-self-evaluation.yaml"

# Weights and values chosen to round: thirds, half-way cases, a computed value.
TRICKY = form_text(
    "{name: 场次, target: ≥3次, actual: 2次, weight: 33.333}",
    "{name: 比率, target: ≥90%, actual: 89.995%, weight: 33.333}",
    "{name: 反向, target: ≤7天, actual: 9天, weight: 33.334}",
    tail="inputs: {编制数: 3, 实际在职人数: 2}\n",
)


@pytest.fixture
def tricky(tmp_path: Path) -> Path:
    (tmp_path / "template.yaml").write_text(SIMPLE_TEMPLATE, encoding="utf-8")
    path = tmp_path / "form.yaml"
    path.write_text(TRICKY, encoding="utf-8")
    return path


def outputs(path: Path) -> dict[str, str]:
    result = perfscore.score(path)
    return {fmt: render(result, fmt) for fmt in FORMATS}


def test_same_input_same_bytes(tricky: Path) -> None:
    for path in (SEED, tricky):
        assert outputs(path) == outputs(path)


def _cli_json(path: Path, seed: str) -> bytes:
    env = {**os.environ, "PYTHONHASHSEED": seed, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-m", "perfscore.cli", "score", str(path), "--format", "json"],
        capture_output=True,
        env=env,
        cwd=ROOT,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr.decode()
    return done.stdout


def test_hash_seed_does_not_change_output(tricky: Path) -> None:
    for path in (SEED, tricky):
        runs = {_cli_json(path, seed) for seed in ("0", "1", "4242")}
        assert len(runs) == 1


def _contexts() -> list[decimal.Context]:
    odd = [
        decimal.Context(prec=3),
        decimal.Context(prec=50, rounding=decimal.ROUND_DOWN),
        decimal.Context(rounding=decimal.ROUND_HALF_EVEN),
        decimal.Context(Emax=10, Emin=-10),
    ]
    for trap in (decimal.Inexact, decimal.Rounded, decimal.Subnormal):
        ctx = decimal.Context()
        ctx.traps[trap] = True
        odd.append(ctx)
    loose = decimal.Context()
    loose.traps = dict.fromkeys(loose.traps, False)
    odd.append(loose)
    return odd


def test_global_decimal_context_does_not_change_output(tricky: Path) -> None:
    expected = {path: outputs(path) for path in (SEED, tricky)}
    saved = decimal.getcontext()
    try:
        for ctx in _contexts():
            decimal.setcontext(ctx)
            for path, want in expected.items():
                assert outputs(path) == want, ctx
    finally:
        decimal.setcontext(saved)


def test_threads_with_their_own_contexts_agree(tricky: Path) -> None:
    form = perfscore.load_form(tricky)
    want = perfscore.evaluate(form).to_json()
    got: list[str] = []
    errors: list[BaseException] = []

    def work(ctx: decimal.Context) -> None:
        decimal.setcontext(ctx)
        try:
            for _ in range(5):
                got.append(perfscore.evaluate(form).to_json())
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(c,)) for c in _contexts()]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors
    assert set(got) == {want}


def _shuffled(data: Any, rng: random.Random) -> Any:
    """The same data with every mapping's keys in a random order (lists keep theirs)."""
    if isinstance(data, dict):
        keys = list(data)
        rng.shuffle(keys)
        return {k: _shuffled(data[k], rng) for k in keys}
    if isinstance(data, list):
        return [_shuffled(x, rng) for x in data]
    return data


def _dump(data: Any) -> str:
    # Strings that would read as something else are quoted; the text of every value is kept.
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


def _read(text: str) -> Any:
    return load_yaml(text).data  # str and bool only, exactly as perfscore reads them


def _comparable(out: dict[str, str]) -> dict[str, Any]:
    """Every rendering as is, except the source lines of findings in the JSON: moving a key
    moves the lines below it, and the JSON reports where each finding was written."""
    data = json.loads(out["json"])
    for finding in data["findings"]:
        finding.pop("line", None)
    return {**out, "json": data}


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_reordered_yaml_keys_give_the_same_output(tmp_path: Path, seed: int) -> None:
    rng = random.Random(seed)
    template, form = _read(SIMPLE_TEMPLATE), _read(TRICKY)
    (tmp_path / "template.yaml").write_text(_dump(template), encoding="utf-8")
    path = tmp_path / "form.yaml"
    path.write_text(_dump(form), encoding="utf-8")
    want = outputs(path)
    (tmp_path / "template.yaml").write_text(_dump(_shuffled(template, rng)), encoding="utf-8")
    path.write_text(_dump(_shuffled(form, rng)), encoding="utf-8")
    got = outputs(path)
    assert got["text"] == want["text"]
    assert _comparable(got) == _comparable(want)


def test_reordered_seed_form(tmp_path: Path) -> None:
    data = _read(SEED.read_text(encoding="utf-8"))
    path = tmp_path / "form.yaml"
    path.write_text(_dump(data), encoding="utf-8")
    want = outputs(path)
    path.write_text(_dump(_shuffled(data, random.Random(9))), encoding="utf-8")
    assert _comparable(outputs(path)) == _comparable(want)


def test_pickled_template_scores_the_same(tricky: Path) -> None:
    import pickle

    form = perfscore.load_form(tricky)
    again = pickle.loads(pickle.dumps(form))
    assert perfscore.evaluate(again).to_json() == perfscore.evaluate(form).to_json()
