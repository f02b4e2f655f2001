"""The command line: formats, exit codes, atomic output."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from perfscore.cli import main

ROOT = Path(__file__).resolve().parent.parent
SEED = str(ROOT / "examples" / "yueyanglou-2023" / "unit-self-evaluation.yaml")


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_score_text(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "score", SEED)
    assert code == 0
    assert "群众满意度" in out
    assert "总分 99.69 / 100　等级 优" in out
    assert "单位自评总分 99" in out


@pytest.mark.parametrize("fmt", ["json", "markdown", "csv", "text"])
def test_score_formats(capsys: pytest.CaptureFixture[str], fmt: str) -> None:
    code, out, _ = run(capsys, "score", SEED, "--format", fmt)
    assert code == 0
    if fmt == "json":
        assert json.loads(out)["grade"] == "优"
    if fmt == "markdown":
        assert out.startswith("# ")
        assert "| 指标 |" in out
    if fmt == "csv":
        rows = list(csv.reader(io.StringIO(out)))
        assert rows[0][:3] == ["一级指标", "二级指标", "三级指标"]
        assert rows[-1][0] == "总分"


def test_csv_file_has_a_bom(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "结果 表.csv"
    code, _, _ = run(capsys, "score", SEED, "--format", "csv", "-o", str(out))
    assert code == 0
    assert out.read_bytes().startswith(b"\xef\xbb\xbf")


def test_output_is_atomic(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "result.json"
    out.write_text("previous", encoding="utf-8")

    def boom(*_: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("os.replace", boom)
    code, _, err = run(capsys, "score", SEED, "--format", "json", "-o", str(out))
    assert code == 1
    assert "无法写入输出文件" in err
    assert out.read_text(encoding="utf-8") == "previous"
    assert [p.name for p in tmp_path.iterdir()] == ["result.json"]


def test_explain_one_indicator(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "explain", SEED, "群众满意度")
    assert code == 0
    assert "95 ÷ 98 × 10 = 9.6938… → 9.69" in out


def test_explain_by_path_and_all(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "explain", SEED, "产出指标/数量指标/法制宣传活动场次")
    assert code == 0
    assert "18次" in out
    code, out, _ = run(capsys, "explain", SEED)
    assert code == 0
    assert "总分：" in out
    assert out.count("计算：") == 16


def test_explain_unknown_indicator_suggests(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "explain", SEED, "群众满意")
    assert code == 2
    assert "群众满意度" in err


def test_validate_ok_and_bad(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "validate", SEED)
    assert code == 0
    assert "✓" in out
    bad = tmp_path / "坏 表单.yaml"
    bad.write_text(
        Path(SEED)
        .read_text(encoding="utf-8")
        .replace("weight: 5, reported: 5}", "wieght: 5, reported: 5}", 1),
        encoding="utf-8",
    )
    code, _, err = run(capsys, "validate", str(bad))
    assert code == 1
    assert "wieght" in err
    assert "weight" in err
    assert f"{bad}:" in err


def test_usage_errors_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["score"])
    assert info.value.code == 2
    with pytest.raises(SystemExit) as info:
        main(["score", SEED, "--format", "pdf"])
    assert info.value.code == 2
    assert main([]) == 2


def test_missing_file_exits_1(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "score", "没有这个文件.yaml")
    assert code == 1
    assert "没有这个文件.yaml" in err


def test_show_and_templates(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "show", "hunan/unit-self-evaluation")
    assert code == 0
    assert "预算执行率 10 分" in out
    code, out, _ = run(capsys, "templates")
    assert "hunan/unit-self-evaluation" in out


def test_schema_command(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "schema", "form")
    assert code == 0
    assert json.loads(out)["$schema"].startswith("https://json-schema.org/draft/2020-12")


def test_explain_an_unknown_path_says_it_in_words(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "explain", SEED, "产出指标/不存在")
    assert code == 2
    assert "没有路径为“产出指标 › 不存在”的指标" in err and "(" not in err


def test_a_closed_pipe_stops_any_command_quietly() -> None:
    """`perfscore validate … | head -1`: no traceback when the reader goes away."""
    import subprocess
    import sys

    root = Path(__file__).resolve().parent.parent
    code = "import sys; from perfscore.cli import main; sys.exit(main(sys.argv[1:]))"
    for command in (["validate", "indicators", "examples"], ["review", "examples/review"]):
        proc = subprocess.Popen(
            [sys.executable, "-c", code, *command],
            cwd=root,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        assert proc.stdout is not None and proc.stderr is not None
        proc.stdout.readline()
        proc.stdout.close()  # the reader is gone, as after `| head -1`
        err = proc.stderr.read().decode("utf-8", "replace")
        proc.wait(timeout=60)
        assert "Traceback" not in err and "BrokenPipeError" not in err, err


def test_csv_rows_line_up_with_the_header_in_a_deep_tree() -> None:
    import csv
    import io

    import perfscore
    from perfscore.render import render

    nest = "{name: L6, weight: 10, target: ≥1次}"
    for level in range(5, 0, -1):
        nest = f"{{name: L{level}, weight: 10, children: [{nest}]}}"
    template = perfscore.loads_template(
        "kind: template\nid: deep\nname: 深\ntotal: 10\n"
        "rules:\n  正向: {kind: ratio, direction: positive}\n"
        'defaults: {">=": 正向}\n'
        f"indicators:\n  - {nest}\n"
    )
    form = perfscore.load_form(
        {
            "kind": "form",
            "template": "deep",
            "indicators": {"L1": {"L2": {"L3": {"L4": {"L5": {"L6": {"actual": "1次"}}}}}}},
        },
        template=template,
    )
    rows = list(csv.reader(io.StringIO(render(perfscore.evaluate(form), "csv"))))
    assert rows[0][:6] == [f"{n}级指标" for n in "一二三四五六"]
    assert len({len(row) for row in rows}) == 1, [len(row) for row in rows]
