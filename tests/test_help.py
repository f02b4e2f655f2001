"""Help that fits, in Chinese, with examples; no internal English names in Chinese output
(issue 18.7)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import perfscore
from perfscore import cli
from perfscore.cli.help import EXAMPLES, translate_error
from perfscore.render import render, render_explain
from perfscore.text.width import display_width, wrap

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "examples" / "yueyanglou-2023" / "unit-self-evaluation.yaml"
COMMANDS = ["validate", "score", "explain", "show", "schema", "templates", "check", "review"]


def _help(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    with pytest.raises(SystemExit) as info:
        cli.main([*argv, "--help"])
    assert info.value.code == 0
    return capsys.readouterr().out


@pytest.mark.parametrize("columns", [60, 80])
@pytest.mark.parametrize("command", [None, *COMMANDS])
def test_help_fits_and_is_chinese(
    command: str | None,
    columns: int,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("COLUMNS", str(columns))
    text = _help(capsys, *([command] if command else []))
    long = [line for line in text.splitlines() if display_width(line) > columns]
    # argparse keeps an option's own spelling (e.g. its choices) whole; nothing else overflows.
    assert all(line.lstrip().startswith(("--", "[--")) for line in long), long
    assert text.startswith("用法：")
    assert "选项" in text and "示例：" in text
    for english in ("usage:", "options:", "positional arguments", "show this help"):
        assert english not in text
    for example in EXAMPLES[command or "perfscore"]:
        if not example.startswith("#"):
            assert example.split()[1] in text


def test_usage_errors_are_in_chinese(capsys: pytest.CaptureFixture[str]) -> None:
    for argv, words in (
        (["score"], "缺少参数：FORM"),
        (["score", str(SEED), "--bogus"], "无法识别的参数：--bogus"),
        (["score", str(SEED), "--format", "pdf"], "无效的选项“pdf”"),
        (["check", "x", "--examples", "many"], "不是有效的 int 值"),
    ):
        with pytest.raises(SystemExit) as info:
            cli.main(argv)
        assert info.value.code == 2
        assert words in capsys.readouterr().err
    assert translate_error("something new") == "something new"


@given(st.text(alphabet="指标值完成，。（）“”abc de_f ", max_size=80), st.integers(2, 40))
def test_wrap_fits_and_keeps_every_character(text: str, width: int) -> None:
    lines = wrap(text, width)
    assert all(display_width(line) <= width for line in lines)
    assert "".join("".join(lines).split()) == "".join(text.split())


def test_wrap_does_not_start_a_line_with_closing_punctuation() -> None:
    lines = wrap("表单文件；多个文件、目录、.jsonl（每行一份表单）或目录", 12)
    assert not any(line[0] in "，。、；）" for line in lines)
    assert not any(line[-1] == "（" for line in lines)


def _all_examples() -> list[Path]:
    return sorted(p for p in (ROOT / "examples").rglob("*.yaml") if "properties" not in p.parts)


def test_explain_has_no_internal_english_names() -> None:
    found = 0
    for path in _all_examples():
        try:
            result = perfscore.evaluate(perfscore.load_form(path))
        except perfscore.PerfscoreError:
            continue
        for line in render_explain(result).splitlines():
            if line.lstrip().startswith(("规则：", "标记：")):
                found += 1
                assert not re.search(r"[a-z_]{3,}", line), (path.name, line)
    assert found > 30


def test_narrow_table_wraps_names_instead_of_cutting() -> None:
    result = perfscore.evaluate(perfscore.load_form(SEED))
    text = render(result, "text", width=60)
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("指标"))
    table = lines[
        start + 2 : next(i for i in range(start + 2, len(lines)) if lines[i].startswith("---"))
    ]
    assert all(display_width(line) <= 60 for line in table)
    assert "…" not in "\n".join(table)
    # The name column: what each table line shows left of where 指标值 starts.
    name_width = display_width(lines[start][: lines[start].index("指标值")]) - 2
    column = ""
    for line in table:
        shown = ""
        for ch in line:
            if display_width(shown + ch) > name_width:
                break
            shown += ch
        column += shown.strip()
    for leaf in result.leaves():
        assert "".join(leaf.name.split()) in column, leaf.name
