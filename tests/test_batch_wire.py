"""What crosses process boundaries in a batch (issue 20): chunks bounded by count and by
size, sources that pickle cheaply.

Speed is never asserted here (benchmarks/run.py measures it); only that every path gives
exactly what the plain one gives.
"""

from __future__ import annotations

import copy
import json
import pickle
import sys
from pathlib import Path
from typing import Any

import pytest

from perfscore.batch import FormSource, score_jsonl
from perfscore.batch.streams import _line_sources
from perfscore.engine import pool
from perfscore.errors import PerfscoreError
from perfscore.read.yaml import load_yaml

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "examples" / "yueyanglou-2023" / "unit-self-evaluation.yaml"
SEED_DATA: dict[str, Any] = load_yaml(SEED).data


def record(i: int) -> str:
    data = copy.deepcopy(SEED_DATA)
    data["unit"] = f"单位{i:03d}"
    return json.dumps(data, ensure_ascii=False) + "\n"


#: Good forms, bad JSON, a blank line, a control character and a line separator in a value,
#: an escaped lone surrogate (refused when read).
LINES = [
    record(0),
    '{"kind": "form", "unit": 坏\n',
    record(1),
    "\n",
    record(2).replace("单位002", "单位\x1b[31m\u2028\x85"),
    '{"kind": "form", "template": "\\ud800"}\n',
    *(record(i) for i in range(3, 12)),
]
#: A file name that is not UTF-8 (its byte kept as a surrogate): error records repeat it as
#: it is in a str, and the bytes written must say it as the text path does (``\xb2``).
NOT_UTF8 = "b\udcb2d.jsonl"


@pytest.mark.parametrize("file", ["in.jsonl", NOT_UTF8])
@pytest.mark.parametrize("jobs", [2, 3])
def test_score_jsonl_in_processes_is_what_one_process_gives(jobs: int, file: str) -> None:
    plain = list(score_jsonl(LINES, file=file))
    assert list(score_jsonl(LINES, jobs=jobs, file=file)) == plain
    assert any("\udcb2" in text for text in plain) == (file == NOT_UTF8)


def test_chunks_are_bounded_by_count_text_and_files(monkeypatch: pytest.MonkeyPatch) -> None:
    records = [FormSource("a.jsonl", i, "x" * 100) for i in range(200)]
    assert [len(c) for c in pool._chunks(records, 64)] == [64, 64, 64, 8]
    monkeypatch.setattr(pool, "CHUNK_TEXT", 1000)
    assert [len(c) for c in pool._chunks(records[:25], 64)] == [10, 10, 5]
    monkeypatch.setattr(pool, "FILE_TEXT", 250)
    files = [FormSource(f"{i}.yaml") for i in range(9)]
    assert [len(c) for c in pool._chunks(files, 64)] == [4, 4, 1]
    assert [len(c) for c in pool._chunks(range(5), 2)] == [2, 2, 1]  # not sources: by count


def test_a_source_pickles_with_its_place_and_problem() -> None:
    problem = PerfscoreError("读不了", file="a.jsonl", line=3)
    source = FormSource("a.jsonl", 3, "{}", problem)
    back = pickle.loads(pickle.dumps(source))
    assert back == source and isinstance(back, FormSource)
    assert back.problem is not None and (back.problem.file, back.problem.line) == ("a.jsonl", 3)
    assert pickle.loads(pickle.dumps(FormSource("b.yaml"))) == FormSource("b.yaml")


def _kills_on_line_7(source: FormSource) -> str:
    """A job whose worker dies (SIGKILL, as from the OOM killer) on line 7."""
    import os
    import signal

    if source.problem is not None:
        return f"lost:{source.line}:{source.problem.message}"
    if source.line == 7:
        os.kill(os.getpid(), signal.SIGKILL)
    return f"ok:{source.line}"


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_a_dead_worker_still_costs_each_form_at_its_line_with_large_chunks() -> None:
    from perfscore.batch.streams import JSONL_CHUNK

    lines = [f'{{"n": {i}}}\n' for i in range(1, 301)]
    sources = _line_sources(lines, "in.jsonl")
    results = list(pool.ordered_map(_kills_on_line_7, sources, jobs=2, chunk_size=JSONL_CHUNK))
    assert [int(r.split(":")[1]) for r in results] == list(range(1, 301))
    lost = [r for r in results if r.startswith("lost:")]
    assert "lost:7:计算进程意外退出" in "\n".join(lost)
    assert all("计算进程意外退出" in r for r in lost)
