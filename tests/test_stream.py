"""Streaming batches: JSON Lines and folders, one form at a time, in order, in bounded memory."""

from __future__ import annotations

import copy
import errno
import gc
import io
import json
import pickle
import subprocess
import sys
import tracemalloc
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

import perfscore
from perfscore.batch import (
    FormSource,
    Outcome,
    ScoreSummary,
    error_record,
    iter_sources,
    parse_record,
    review_stream,
    score_jsonl,
    score_stream,
)
from perfscore.cli import main
from perfscore.engine.pool import ordered_map
from perfscore.errors import LoadError, PerfscoreError
from perfscore.read.yaml import load_yaml
from perfscore.review import ReviewSummary, review_batch
from tests.helpers import template as helper_template

ROOT = Path(__file__).resolve().parent.parent
SEED = str(ROOT / "examples" / "yueyanglou-2023" / "unit-self-evaluation.yaml")
SEED_DATA: dict[str, Any] = load_yaml(Path(SEED)).data
MESSY = ROOT / "examples" / "review"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def seed_form(unit: str, **changes: Any) -> dict[str, Any]:
    """The seed form as data (every value text, as YAML gives it), with a unit of its own."""
    data = copy.deepcopy(SEED_DATA)
    data["unit"] = unit
    data.update(changes)
    return data


def line(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False) + "\n"


def with_numbers(text: str, *numbers: str) -> str:
    """JSON text in which the given quoted numbers are written as JSON numbers."""
    for number in numbers:
        text = text.replace(f'"{number}"', number)
    return text


def varied(i: int) -> dict[str, Any]:
    """Seed-based forms that differ in unit, satisfaction and the printed execution rate."""
    data = seed_form(f"单位{i:03d}")
    leaf = data["indicators"]["满意度指标"]["服务对象满意度指标"][0]
    leaf["actual"] = f"{80 + i % 20}%"
    return data


@pytest.fixture
def batch_file(tmp_path: Path) -> Path:
    """Five JSON Lines: good, bad JSON, good, not an object, good; with a blank line."""
    path = tmp_path / "forms.jsonl"
    lines = [
        line(varied(0)),
        '{"kind": "form", "unit": 坏\n',
        line(varied(1)),
        "\n",
        "[1, 2, 3]\n",
        with_numbers(line(varied(2)), "4073.53", "1592.87"),
    ]
    path.write_text("".join(lines), encoding="utf-8")
    return path


# ----------------------------------------------------------------- sources


def test_iter_sources_order_and_skips(tmp_path: Path) -> None:
    folder = tmp_path / "报送"
    (folder / "b").mkdir(parents=True)
    (folder / "z.yaml").write_text(Path(SEED).read_text(encoding="utf-8"), encoding="utf-8")
    (folder / "b" / "a.yml").write_text(Path(SEED).read_text(encoding="utf-8"), encoding="utf-8")
    (folder / "template.yaml").write_text("kind: template\nid: x/y\n", encoding="utf-8")
    (folder / ".hidden.yaml").write_text("kind: form\n", encoding="utf-8")
    (folder / "notes.txt").write_text("不是表单", encoding="utf-8")
    (folder / "m.jsonl").write_text(line(varied(1)) + "\n" + line(varied(2)), encoding="utf-8")
    (folder / "one.json").write_text(json.dumps(varied(3), ensure_ascii=False), encoding="utf-8")
    # written results and error records are not forms: skipped in a folder
    result = perfscore.evaluate(perfscore.load_form(SEED)).to_json(indent=None)
    (folder / "results.jsonl").write_text(result, encoding="utf-8")
    (folder / "errors.jsonl").write_text('{"file": "x", "line": 1, "errors": []}\n', "utf-8")
    sources = list(iter_sources([folder, SEED]))
    where = [(Path(s.file).relative_to(tmp_path).as_posix(), s.line) for s in sources[:-1]]
    assert where == [
        ("报送/b/a.yml", None),
        ("报送/m.jsonl", 1),
        ("报送/m.jsonl", 3),  # line 2 is blank: skipped, still counted
        ("报送/one.json", None),
        ("报送/z.yaml", None),
    ]
    assert sources[-1] == FormSource(SEED)
    assert sources[1].text is not None and json.loads(sources[1].text)["unit"] == "单位001"
    assert sources[1].where.endswith("m.jsonl:1")


def test_a_folder_without_forms_is_reported_not_skipped(tmp_path: Path) -> None:
    (only,) = iter_sources([tmp_path])
    assert only.problem is not None and "没有表单文件" in only.problem.message
    (outcome,) = score_stream([only])
    assert not outcome.ok and outcome.errors == (only.problem,)


def test_overlong_and_non_utf8_lines_are_located(tmp_path: Path) -> None:
    path = tmp_path / "odd.jsonl"
    path.write_bytes(
        b'\xef\xbb\xbf{"unit": "a"}\n'  # a BOM on the first line is fine
        + b'{"unit": "'
        + "报送材料".encode("gbk")
        + b'"}\n'
        + b'{"unit": "'
        + b"x" * 400
        + b'"}\n'
        + b'{"unit": "b"}'  # no newline at the end
    )
    sources = list(iter_sources([path], limits=perfscore.Limits(max_bytes=300)))
    assert [s.line for s in sources] == [1, 2, 3, 4]
    first, gbk, long, last = sources
    assert (first.text, first.problem, last.text) == ('{"unit": "a"}\n', None, '{"unit": "b"}')
    assert gbk.problem is not None and gbk.problem.line == 2 and "GBK" in gbk.problem.message
    assert long.problem is not None and long.problem.line == 3 and "太长" in long.problem.message
    outcomes = list(score_stream(sources))
    assert [o.errors[0].line for o in outcomes] == [1, 2, 3, 4]  # every line accounted for
    assert list(iter_sources([path]))[2].problem is None  # within the default 2 MB


# ----------------------------------------------------------------- JSON: no float anywhere


def _floats(obj: Any) -> list[Any]:
    if isinstance(obj, float):
        return [obj]
    if isinstance(obj, dict):
        return [f for v in obj.values() for f in _floats(v)]
    if isinstance(obj, list):
        return [f for v in obj for f in _floats(v)]
    return []


def test_parse_record_keeps_numbers_as_text() -> None:
    data = parse_record('{"a": 4073.53, "b": [10, 0.1, -0, 1.50, 1e2], "c": true, "d": null}')
    assert data == {"a": "4073.53", "b": ["10", "0.1", "-0", "1.50", "1e2"], "c": True, "d": None}
    assert _floats(data) == []


@pytest.mark.parametrize(
    ("text", "words", "column"),
    [
        ('{"unit": 坏}', "不是合法的 JSON", 10),
        ('{"unit": "x",}', "不是合法的 JSON", 14),
        ('{"a": 1} {"b": 2}', "多余", 10),
        ("[1, 2]", "数组", None),
        ('"form"', "字符串", None),
        ('{"a": NaN}', "NaN", None),
        ('{"a": 1, "a": 2}', "重复", None),
        ("[" * 100_000, "嵌套太深", None),
    ],
)
def test_parse_record_errors_are_located(text: str, words: str, column: int | None) -> None:
    with pytest.raises(LoadError) as info:
        parse_record(text, file="f.jsonl", line=7)
    err = info.value
    assert words in err.message
    assert (err.file, err.line, err.column) == ("f.jsonl", 7, column)


def test_json_numbers_score_exactly_as_the_yaml_form() -> None:
    """4073.53 written as a JSON number scores as the same form written as YAML does."""
    text = with_numbers(line(SEED_DATA), "4073.53", "1592.87", "1188.75", "176.16")
    assert '"全年预算数": 4073.53,' in text
    (out,) = score_jsonl([text], file=SEED)
    from_json = json.loads(out, parse_float=Decimal)
    from_yaml = json.loads(perfscore.score(SEED).to_json(), parse_float=Decimal)
    for finding in [*from_json["findings"], *from_yaml["findings"]]:
        finding.pop("line", None)  # a JSON line has no positions inside it
    assert from_json == from_yaml
    assert from_json["total"] == Decimal("99.69")
    (outcome,) = score_stream([FormSource(SEED, 1, text)])
    assert outcome.evaluation is not None
    assert outcome.evaluation.total == Decimal("99.69")
    assert outcome.evaluation.find("预算执行率").score == Decimal(10)


# ----------------------------------------------------------------- score_stream / score_jsonl


def test_bad_line_in_the_middle_is_an_error_record(batch_file: Path) -> None:
    outcomes = list(score_stream(iter_sources([batch_file])))
    assert [(o.line, o.ok) for o in outcomes] == [
        (1, True),
        (2, False),
        (3, True),
        (5, False),
        (6, True),
    ]
    assert [o.evaluation.unit for o in outcomes if o.evaluation] == [
        "单位000",
        "单位001",
        "单位002",
    ]
    bad = outcomes[1].errors[0]
    assert (bad.file, bad.line, bad.column) == (str(batch_file), 2, 26)
    record = json.loads(outcomes[3].to_json_line())
    assert record == error_record(outcomes[3].errors, file=str(batch_file), line=5)
    assert set(record) == {"file", "line", "errors"}
    assert record["errors"][0]["type"] == "LoadError" and "数组" in record["errors"][0]["message"]


def test_score_stream_takes_paths_too(batch_file: Path) -> None:
    from_paths = [o.to_json_line() for o in score_stream([batch_file])]
    assert from_paths == [o.to_json_line() for o in score_stream(iter_sources([batch_file]))]
    with pytest.raises(PerfscoreError):
        list(score_stream([42]))  # type: ignore[list-item]


def test_score_jsonl_lines_in_lines_out() -> None:
    bad_weight = varied(4)
    bad_weight["indicators"]["满意度指标"]["服务对象满意度指标"][0]["weight"] = 10.5
    lines = ["\ufeff" + line(varied(0)), "   \n", line(bad_weight).replace('"10.5"', "10.5"), "{"]
    out = list(score_jsonl(lines, file="in.jsonl"))
    assert len(out) == 3 and all(o.endswith("\n") and o.count("\n") == 1 for o in out)
    first, second, third = (json.loads(o) for o in out)
    assert first["form"]["unit"] == "单位000" and "errors" not in first
    assert second["file"] == "in.jsonl" and second["line"] == 3
    # a weight that does not add up, located at the record's line, with the value's path
    assert all(e["line"] == 3 and e["file"] == "in.jsonl" for e in second["errors"])
    assert second["errors"][0]["indicator_path"] == ["满意度指标"]
    assert third["line"] == 4 and third["errors"][0]["column"] == 2


def test_score_summary_counts(batch_file: Path) -> None:
    summary = ScoreSummary()
    for outcome in score_stream(iter_sources([batch_file])):
        summary.add(outcome)
    assert summary.to_dict() == {"forms": 5, "scored": 3, "failed": 2, "grades": {"优": 3}}
    assert summary.text() == "共 5 份表单：计分 3 份（优 3），出错 2 份。"


def test_score_jsonl_with_a_given_template_and_search_path(tmp_path: Path) -> None:
    template = perfscore.load_template(helper_template())
    data = {
        "kind": "form",
        "template": "test/simple",
        "indicators": {
            "指标": [{"name": "场次", "target": "≥10次", "actual": "9次", "weight": 100}]
        },
    }
    (out,) = score_jsonl([line(data)], template=template)
    assert json.loads(out)["total"] == 90
    (tmp_path / "test").mkdir()
    (tmp_path / "test" / "simple.yaml").write_text(
        json.dumps(helper_template(), ensure_ascii=False), encoding="utf-8"
    )
    outs = list(score_jsonl([line(data)] * 3, search_path=[tmp_path]))
    assert [json.loads(o)["total"] for o in outs] == [90, 90, 90]
    missing = dict(data, template="test/nowhere")
    (err,) = score_jsonl([line(missing)], search_path=[tmp_path])
    assert json.loads(err)["errors"][0]["type"] == "TemplateNotFoundError"
    with pytest.raises(PerfscoreError):
        score_jsonl([], search_path=str(tmp_path))  # type: ignore[arg-type]
    with pytest.raises(PerfscoreError):
        score_stream([], jobs=-1)


def test_jobs_2_gives_the_same_outcomes_in_the_same_order(tmp_path: Path) -> None:
    path = tmp_path / "many.jsonl"
    path.write_text(
        "".join(line(varied(i)) if i % 7 else "{oops\n" for i in range(40)), encoding="utf-8"
    )
    one = list(score_stream(iter_sources([path])))
    two = list(score_stream(iter_sources([path]), jobs=2, chunk_size=3))
    assert [o.to_json_line() for o in one] == [o.to_json_line() for o in two]
    assert [o.evaluation for o in one] == [o.evaluation for o in two]
    assert sum(not o.ok for o in two) == 6
    text = path.read_text(encoding="utf-8").splitlines(keepends=True)
    assert list(score_jsonl(text, file=str(path), jobs=2)) == [o.to_json_line() for o in one]


# ----------------------------------------------------------------- bounded read-ahead, memory


def double(x: int) -> int:
    return 2 * x


def test_read_ahead_is_bounded() -> None:
    pulled = 0

    def numbers() -> Iterator[int]:
        nonlocal pulled
        for i in range(10_000):
            pulled += 1
            yield i

    results = ordered_map(double, numbers(), jobs=2, chunk_size=5, window=3)
    assert next(results) == 0
    assert pulled <= (3 + 1) * 5  # the window, and the chunk refilled before handing out
    rest = list(results)
    assert rest == [2 * i for i in range(1, 10_000)] and pulled == 10_000
    one = ordered_map(double, numbers(), jobs=1)
    pulled = 0
    assert next(one) == 0 and pulled == 1


def _tiny(count: int, template: Any) -> int:
    """Peak traced memory while ``count`` tiny forms stream through score_stream."""

    def sources() -> Iterator[FormSource]:
        for i in range(count):
            data = {
                "kind": "form",
                "template": "test/simple",
                "unit": f"单位{i}",
                "indicators": {
                    "指标": [
                        {"name": "场次", "target": "≥10次", "actual": f"{i % 20}次", "weight": 100}
                    ]
                },
            }
            yield FormSource("<memory>", i + 1, json.dumps(data, ensure_ascii=False))

    gc.collect()
    tracemalloc.reset_peak()
    start = tracemalloc.get_traced_memory()[0]
    scored = 0
    for outcome in score_stream(sources(), template=template):
        scored += outcome.ok
        if scored % 250 == 0:
            # Cyclic garbage may wait in the oldest generation until it is a quarter of the
            # heap: collect it, so that the peak shows what the stream itself holds on to.
            gc.collect()
    assert scored == count
    return tracemalloc.get_traced_memory()[1] - start


def test_memory_does_not_grow_with_the_number_of_forms() -> None:
    """Not timed: the peak while 4,000 forms stream by is that of 400 forms, give or take.

    Keeping even one Decimal per form would add about 100 kB per 1,000 forms; keeping every
    result (≈ 10 kB a form) or reading the input ahead, tens of MB.
    """
    template = perfscore.load_template(helper_template())
    _tiny(300, template)  # templates and caches built before measuring
    tracemalloc.start()
    try:
        small = _tiny(400, template)
        large = _tiny(4_000, template)
    finally:
        tracemalloc.stop()
    assert large < 1.5 * small + 100_000, (small, large)


# ----------------------------------------------------------------- pickling


def test_template_form_evaluation_pickle_to_equal_results() -> None:
    form = perfscore.load_form(SEED)
    evaluation = perfscore.evaluate(form)
    template = form.template
    again = pickle.loads(pickle.dumps(template))
    assert (again.id, again.digest, again.total, again.nodes) == (
        template.id,
        template.digest,
        template.total,
        template.nodes,
    )
    rebound = perfscore.load_form(SEED_DATA, template=again, file=SEED)
    assert perfscore.evaluate(rebound).total == evaluation.total
    form_again = pickle.loads(pickle.dumps(form))
    assert perfscore.evaluate(form_again) == evaluation
    assert perfscore.evaluate(form_again).to_json() == evaluation.to_json()
    assert pickle.loads(pickle.dumps(evaluation)) == evaluation
    outcome = Outcome(SEED, 3, evaluation)
    assert pickle.loads(pickle.dumps(outcome)) == outcome
    failed = next(score_stream([FormSource("x.jsonl", 2, "{")]))
    back = pickle.loads(pickle.dumps(failed))
    assert back.to_json_line() == failed.to_json_line()
    source = FormSource("x.jsonl", 2, "{}")
    assert pickle.loads(pickle.dumps(source)) == source


# ----------------------------------------------------------------- perfscore score


def test_cli_single_form_output_is_unchanged(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "score", SEED)
    assert code == 0 and "总分 99.69 / 100　等级 优" in out and err == ""
    code, out, _ = run(capsys, "score", SEED, "--format", "json")
    assert out == perfscore.score(SEED).to_json()


def test_cli_batch_jsonl_exit_status_and_order(
    batch_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, "score", str(batch_file))
    assert code == 1  # every form processed, two had errors
    records = [json.loads(x) for x in out.splitlines()]
    assert [r.get("line") for r in records] == [None, 2, None, 5, None]
    assert [r["form"]["unit"] for r in records if "form" in r] == ["单位000", "单位001", "单位002"]
    assert "共 5 份表单：计分 3 份（优 3），出错 2 份。" in err and "\r" not in err
    code, out, _ = run(capsys, "score", SEED, SEED)
    assert code == 0 and len(out.splitlines()) == 2
    code, out, _ = run(capsys, "score", SEED, "--format", "jsonl")
    assert code == 0 and out == perfscore.score(SEED).to_json(indent=None)


def test_cli_batch_jobs_2_identical_bytes(
    batch_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    one, two = tmp_path / "one.jsonl", tmp_path / "two.jsonl"
    assert run(capsys, "score", str(batch_file), SEED, "-o", str(one))[0] == 1
    assert run(capsys, "score", str(batch_file), SEED, "-o", str(two), "--jobs", "2")[0] == 1
    assert one.read_bytes() == two.read_bytes()
    assert len(one.read_bytes().splitlines()) == 6
    code, text_out, _ = run(capsys, "score", str(batch_file), "--format", "text", "-j", "0")
    assert code == 1 and text_out.count(f"■ {batch_file}:") == 3
    assert f"✗ {batch_file}:2\n  读取错误：" in text_out


def test_cli_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "a.yaml").write_text(Path(SEED).read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "b.jsonl").write_text(line(varied(5)), encoding="utf-8")
    (tmp_path / "t.yaml").write_text("kind: template\nid: a/b\n", encoding="utf-8")
    code, out, _ = run(capsys, "score", str(tmp_path))
    assert code == 0
    files = [json.loads(x)["form"]["file"] for x in out.splitlines()]
    assert files == [str(tmp_path / "a.yaml"), str(tmp_path / "b.jsonl")]


def test_cli_stdin(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    data = (line(varied(0)) + "not json\n").encode("utf-8")
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data), encoding="utf-8"))
    code, out, _ = run(capsys, "score", "-")
    assert code == 1
    good, bad = (json.loads(x) for x in out.splitlines())
    assert good["form"]["file"] == "<stdin>" and (bad["file"], bad["line"]) == ("<stdin>", 2)
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data), encoding="utf-8"))
    code, out, _ = run(capsys, "review", "-", "--format", "jsonl")
    first, second, summary = (json.loads(x) for x in out.splitlines())
    assert code == 1 and (first["file"], first["line"], second["line"]) == ("<stdin>", 1, 2)
    assert second["findings"][0]["code"] == "form_unreadable"
    assert summary["summary"]["forms"] == 2


def test_cli_stdin_in_a_fresh_process() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "perfscore.cli", "score", "-", "--jobs", "2"],
        input=(line(varied(0)) + line(varied(1))).encode("utf-8"),
        capture_output=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr.decode()
    units = [json.loads(x)["form"]["unit"] for x in proc.stdout.decode().splitlines()]
    assert units == ["单位000", "单位001"]


def test_cli_usage_errors(batch_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # csv of a batch is one row per form since issue 18.5 (tests/test_score_table.py).
    code, _, err = run(capsys, "score", str(batch_file), "--format", "json")
    assert code == 2 and "jsonl" in err
    code, _, _ = run(capsys, "score", SEED, SEED, "--format", "json")
    assert code == 2
    for jobs in ("-1", "many"):
        with pytest.raises(SystemExit) as info:
            main(["score", str(batch_file), "--jobs", jobs])
        assert info.value.code == 2


def test_cli_output_is_atomic(
    batch_file: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    out = tmp_path / "results.jsonl"
    out.write_text("previous", encoding="utf-8")

    def no_space(*_: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    with monkeypatch.context() as m:
        m.setattr("os.replace", no_space)
        code, _, err = run(capsys, "score", str(batch_file), "-o", str(out))
    assert code == 1 and "无法写入输出文件" in err
    assert out.read_text(encoding="utf-8") == "previous"
    assert not [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")]

    # interrupted halfway: the previous file stays, no temporary file is left
    from perfscore.batch import streams

    real = streams._ScoreJob.outcome
    calls = 0

    def interrupted(self: Any, source: FormSource) -> Outcome:
        nonlocal calls
        calls += 1
        if calls == 3:
            raise KeyboardInterrupt
        return real(self, source)

    with monkeypatch.context() as m:
        m.setattr(streams._ScoreJob, "outcome", interrupted)
        assert run(capsys, "score", str(batch_file), "-o", str(out))[0] == 130
    assert out.read_text(encoding="utf-8") == "previous"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["forms.jsonl", "results.jsonl"]

    assert run(capsys, "score", str(batch_file), "-o", str(out))[0] == 1
    assert len(out.read_text(encoding="utf-8").splitlines()) == 5


def test_cold_start_imports_only_what_score_needs() -> None:
    code = (
        "import sys, runpy\n"
        f"sys.argv = ['perfscore', 'score', {SEED!r}]\n"
        "try:\n"
        "    runpy.run_module('perfscore.cli', run_name='__main__')\n"
        "except SystemExit as exc:\n"
        "    assert not exc.code, exc.code\n"
        "sys.stderr.write(repr(sorted(sys.modules)))\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False
    )
    assert proc.returncode == 0, proc.stderr
    assert "总分 99.69" in proc.stdout
    modules = set(eval(proc.stderr))
    for heavy in (
        "openpyxl",
        "hypothesis",
        "perfscore.review",
        "perfscore.read.table",
        "perfscore.strategies",
        "perfscore.batch",
        "concurrent.futures.process",
    ):
        assert heavy not in modules, heavy


def test_building_the_parser_imports_no_command() -> None:
    code = (
        "import sys\n"
        "from perfscore.cli import build_parser\n"
        "build_parser()\n"
        "print(sorted(m for m in sys.modules if m.startswith(('perfscore', 'openpyxl'))))\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True
    )
    loaded = set(eval(proc.stdout))
    # Full module names, so that a move of these modules (restructure.py) rewrites them too.
    for heavy in (
        "perfscore.review",
        "perfscore.read.table",
        "perfscore.strategies",
        "perfscore.batch",
        "perfscore.render",
        "perfscore.core.findings",
        "perfscore.build.bind",
    ):
        assert heavy not in loaded, heavy
    assert "openpyxl" not in loaded


def test_review_cli_severities_match_the_catalogue() -> None:
    from perfscore.cli.review import SEVERITIES as CLI_SEVERITIES
    from perfscore.core.findings import SEVERITIES

    assert CLI_SEVERITIES == SEVERITIES


# ----------------------------------------------------------------- perfscore review, streamed


def review_lines(tmp_path: Path) -> Path:
    path = tmp_path / "review.jsonl"
    forms = [
        varied(0),
        load_yaml(MESSY / "scores.yaml").data,
        load_yaml(MESSY / "budget.yaml").data,
    ]
    forms[1]["unit"], forms[2]["unit"] = "计分问题", "预算问题"
    text = "".join(line(f) for f in forms) + "{broken\n" + line(varied(9))
    path.write_text(text, encoding="utf-8")
    return path


def test_review_jsonl_one_line_per_form_then_the_summary(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = review_lines(tmp_path)
    code, out, _ = run(capsys, "review", str(path), "--format", "jsonl")
    assert code == 1
    *forms, last = (json.loads(x) for x in out.splitlines())
    assert [f["line"] for f in forms] == [1, 2, 3, 4, 5]
    assert [f["unit"] for f in forms] == ["单位000", "计分问题", "预算问题", None, "单位009"]
    assert (
        forms[3]["max_severity"] == "error" and forms[3]["findings"][0]["code"] == "form_unreadable"
    )
    summary = last["summary"]
    assert summary["forms"] == 5 and summary["order_complete"] is True
    assert list(summary["grades"])[-1] == "无法计分"
    assert summary["findings"]["error"] == sum(f["counts"]["error"] for f in forms)
    assert Decimal(str(summary["points_at_stake"])) == sum(
        (Decimal(str(f["points_at_stake"])) for f in forms), Decimal(0)
    )
    # the same forms reviewed as a batch held in memory: same counts, same order
    batch = review_batch([path]).summary()
    assert [(e["file"], e["line"]) for e in batch["order"]] == [
        (e["file"], e["line"]) for e in summary["order"]
    ]
    assert batch["grades"] == summary["grades"] and batch["codes"] == summary["codes"]
    code, two, _ = run(capsys, "review", str(path), "--format", "jsonl", "--jobs", "2")
    assert two == out
    assert run(capsys, "review", str(path), "--fail-on", "never", "--format", "jsonl")[0] == 0


def test_review_stream_text_and_top_k(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = review_lines(tmp_path)
    code, out, _ = run(capsys, "review", str(path))  # JSON Lines in: streamed, in input order
    assert code == 1
    assert out.index(f"■ {path}:1") < out.index(f"■ {path}:2") < out.index("== 汇总 ==")
    assert "共 5 份表单" in out
    reviews = list(review_stream(iter_sources([path])))
    summary = ReviewSummary(top=2)
    for review in reviews:
        summary.add(review)
    most = sorted(reviews, key=lambda r: r.seriousness())[:2]
    assert [(e.file, e.line) for e in summary.most_serious()] == [(r.file, r.line) for r in most]
    data = summary.summary()
    assert data["forms"] == 5 and not data["order_complete"] and len(data["order"]) == 2
    from perfscore.review.render import render_summary

    assert "只列出最严重的 2 份，共 5 份" in render_summary(summary, "text")
    code, md, _ = run(capsys, "review", str(path), "--format", "markdown")
    assert md.startswith("# 复核报告") and "## 汇总" in md


def test_review_stream_usage_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = review_lines(tmp_path)
    code, _, err = run(capsys, "review", str(path), "--xlsx", str(tmp_path / "x.xlsx"))
    assert code == 2 and "--xlsx" in err
    code, _, err = run(capsys, "review", str(path), "--format", "json")
    assert code == 2
    with pytest.raises(PerfscoreError):
        review_stream([], nonsense=1)


def test_review_folder_with_jobs_is_the_same_report(capsys: pytest.CaptureFixture[str]) -> None:
    code, one, _ = run(capsys, "review", str(MESSY))
    code2, two, _ = run(capsys, "review", str(MESSY), "--jobs", "2")
    assert (code, one) == (code2, two)


def test_review_form_names_a_mapping() -> None:
    from perfscore.review import review_form

    review = review_form(varied(0), file="报送.jsonl")
    assert review.file == "报送.jsonl" and review.line is None
    assert "line" not in review.to_dict()


def test_a_json_line_is_measured_in_bytes_not_characters() -> None:
    """900 Chinese characters are 2,700 bytes: over a 1,000-byte limit, wherever it is read."""
    from perfscore.read.normalize import document_from_json

    text = json.dumps({"kind": "form", "unit": "单" * 900}, ensure_ascii=False)
    assert len(text) < 1_000 < len(text.encode("utf-8"))
    limits = perfscore.Limits(max_bytes=1_000)
    with pytest.raises(LoadError) as info:
        document_from_json(text, "f.jsonl", line=4, limits=limits)
    assert "太长" in info.value.message and (info.value.file, info.value.line) == ("f.jsonl", 4)
    (out,) = score_jsonl([text], file="f.jsonl", limits=limits)
    assert "太长" in json.loads(out)["errors"][0]["message"]
    (out,) = score_jsonl([text], file="f.jsonl", limits=limits, jobs=2)
    assert "太长" in json.loads(out)["errors"][0]["message"]


def test_a_defect_on_one_form_is_that_forms_error_and_the_batch_goes_on(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from perfscore.engine import evaluate as _evaluate

    real = _evaluate.evaluate

    def sometimes(form: Any, **kwargs: Any) -> Any:
        if form.unit == "坏":
            raise KeyError("x")
        return real(form, **kwargs)

    monkeypatch.setattr(_evaluate, "evaluate", sometimes)
    good = line(SEED_DATA)
    bad = line({**SEED_DATA, "unit": "坏"})
    outs = [json.loads(o) for o in score_jsonl([good, bad, good], file="f.jsonl")]
    assert [("errors" in o) for o in outs] == [False, True, False]
    (err,) = outs[1]["errors"]
    assert "计分时出现内部错误（KeyError" in err["message"] and (err["file"], err["line"]) == (
        "f.jsonl",
        2,
    )
    assert "程序缺陷" in err["hint"]


def test_a_path_with_a_nul_is_an_error_record_not_an_exception() -> None:
    (outcome,) = list(score_stream(["a\x00.jsonl"]))
    assert not outcome.ok and outcome.errors[0].message.startswith("无法读取文件")


def test_a_scored_form_leaves_no_reference_cycle_behind() -> None:
    """With the collector off, nothing of 200 streamed forms is left for it to find."""
    template = perfscore.load_template(helper_template())
    lines = [
        json.dumps(
            {
                "kind": "form",
                "template": "test/simple",
                "unit": f"单位{i}",
                "indicators": {
                    "指标": [
                        {"name": "场次", "target": "≥10次", "actual": f"{i % 20}次", "weight": 100}
                    ]
                },
            },
            ensure_ascii=False,
        )
        for i in range(200)
    ]
    list(score_jsonl(lines[:5], template=template))  # caches and templates made first
    gc.collect()
    gc.disable()
    try:
        for out in score_jsonl(lines, template=template):
            assert "errors" not in out
        for outcome in score_stream(
            (FormSource("<memory>", i + 1, text) for i, text in enumerate(lines)),
            template=template,
        ):
            outcome.to_json_line()
        assert gc.collect() == 0
    finally:
        gc.enable()
