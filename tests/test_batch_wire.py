"""What crosses process boundaries in a batch (issue 20): UTF-8 bytes for ``perfscore score``,
chunks bounded by count and by size, sources that pickle cheaply.

Speed is never asserted here (benchmarks/run.py measures it); only that every path gives
exactly what the plain one gives.
"""

from __future__ import annotations

import copy
import io
import json
import pickle
import sys
from pathlib import Path
from typing import Any

import pytest

from perfscore.batch import FormSource, score_jsonl
from perfscore.batch.streams import _line_sources, _score_rendered
from perfscore.cli import main
from perfscore.engine import pool
from perfscore.errors import PerfscoreError
from perfscore.read.yaml import load_yaml
from perfscore.render.io import AtomicFile, Stdout
from perfscore.render.safe_text import for_format

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


@pytest.mark.parametrize("fmt", ["jsonl", "text", "markdown"])
@pytest.mark.parametrize("jobs", [1, 2])
def test_encoded_output_is_the_text_made_safe_in_utf8(fmt: str, jobs: int) -> None:
    def sources() -> list[FormSource]:
        return list(_line_sources(LINES, NOT_UTF8))

    plain = list(_score_rendered(sources(), fmt))
    encoded = list(_score_rendered(sources(), fmt, jobs=jobs, encoded=True))
    assert [(ok, grade) for ok, grade, _ in encoded] == [(ok, grade) for ok, grade, _ in plain]
    assert [data for _, _, data in encoded] == [
        for_format(text, fmt).encode("utf-8") for _, _, text in plain
    ]
    if jobs > 1:  # the str path across processes too
        assert list(_score_rendered(sources(), fmt, jobs=jobs)) == plain


@pytest.mark.parametrize("fmt", ["jsonl", "text", "markdown"])
def test_cli_writes_the_same_bytes_to_a_binary_stdout(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fmt: str
) -> None:
    path = tmp_path / "in.jsonl"
    path.write_text("".join(LINES), encoding="utf-8")
    argv = ["score", str(path), "--format", fmt, "--no-progress"]
    monkeypatch.setattr(sys, "stderr", io.StringIO())

    text_out = io.StringIO()  # no binary buffer: the text path
    monkeypatch.setattr(sys, "stdout", text_out)
    assert main([*argv, "--jobs", "1"]) == 1
    expected = text_out.getvalue().encode("utf-8")
    assert "\x1b" not in text_out.getvalue() and "\ud800" not in text_out.getvalue()

    for jobs in ("1", "2"):
        raw = io.BytesIO()
        stdout = io.TextIOWrapper(raw, encoding="utf-8", newline="")
        monkeypatch.setattr(sys, "stdout", stdout)
        assert main([*argv, "--jobs", jobs]) == 1
        stdout.flush()
        assert raw.getvalue() == expected

        out = tmp_path / f"out.{jobs}.{fmt}"
        assert main([*argv, "--jobs", jobs, "-o", str(out)]) == 1
        assert out.read_bytes() == expected


class _Trickle(io.RawIOBase):
    """An unbuffered stream that takes at most 5 bytes a write (``python -u``, a slow pipe)."""

    def __init__(self) -> None:
        self.data = bytearray()
        self.trickle = False  # the text layer above expects whole writes: bytes only

    def writable(self) -> bool:
        return True

    def write(self, b: Any) -> int:
        chunk = bytes(b[:5] if self.trickle else b)
        self.data += chunk
        return len(chunk)


def test_stdout_bytes_are_written_whole_and_after_the_text(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    raw = _Trickle()
    stdout = io.TextIOWrapper(raw, encoding="utf-8", newline="", write_through=True)  # type: ignore[type-var]
    monkeypatch.setattr(sys, "stdout", stdout)
    out = Stdout()
    out.write("先写的文本\n")
    assert out.binary()
    raw.trickle = True
    out.write_bytes("然后是字节\n".encode())
    assert raw.data.decode("utf-8") == "先写的文本\n然后是字节\n"


@pytest.mark.parametrize(
    "stream",
    [io.StringIO(), io.TextIOWrapper(io.BytesIO(), encoding="gbk")],
    ids=["no buffer", "not utf-8"],
)
def test_stdout_without_a_utf8_buffer_stays_text(
    monkeypatch: pytest.MonkeyPatch, stream: io.TextIOBase
) -> None:
    monkeypatch.setattr(sys, "stdout", stream)
    assert not Stdout().binary()


def test_atomic_file_takes_bytes_after_text(tmp_path: Path) -> None:
    target = tmp_path / "out.txt"
    with AtomicFile(target) as out:
        out.write("文本\n")
        assert out.binary()
        out.write_bytes("字节\n".encode())
    assert target.read_text(encoding="utf-8") == "文本\n字节\n"
    with AtomicFile(tmp_path / "gbk.txt", encoding="gbk") as other:
        assert not other.binary()


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
