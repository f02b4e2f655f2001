"""Formula injection: every text from input is written as text in every output (issue 18.1).

A hostile unit and indicator names go through every output that another program opens (score
CSV and Markdown, review Markdown and workbook), and the files are reopened with csv/openpyxl to
check cell types: no formula cell, hostile texts as strings, numbers still numbers.
"""

from __future__ import annotations

import csv
import io
import re
from decimal import Decimal
from pathlib import Path

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from perfscore import cli
from perfscore.read.yaml import load_yaml
from perfscore.render.safe_cells import (
    FORMULA_LEADS,
    append_row,
    csv_text,
    html_text,
    is_plain_number,
    looks_like_formula,
    markdown_text,
    set_cell,
    terminal_text,
)

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "examples" / "yueyanglou-2023" / "unit-self-evaluation.yaml"

HOSTILE_UNIT = '=HYPERLINK("http://example.invalid","点此")'
HOSTILE_NAME = "@SUM(1+1)*cmd|' /C calc'!A0"
HOSTILE_LINK = "+[点此](http://example.invalid) <img src=x> **粗**"
HOSTILE_TAB = "\t-2+3+cmd|' /C calc'!A0"
# A link, an image or HTML that a Markdown renderer would make live (not backslash-escaped).
_RAW_MARKUP = re.compile(r"(?<!\\)\[点此(?<!\\)\]\(|(?<!\\)<img|(?<!\\)\*\*粗")
HOSTILES = (HOSTILE_UNIT, HOSTILE_NAME, HOSTILE_LINK, HOSTILE_TAB)


# ------------------------------------------------------------------ the helpers themselves


@pytest.mark.parametrize("lead", FORMULA_LEADS)
def test_csv_text_neutralises_every_formula_lead(lead: str) -> None:
    assert csv_text(lead + "A1") == "'" + lead + "A1"


@pytest.mark.parametrize("number", ["-5", "+3.5", "-12.5%", "-.5", "1e3", "-0.00", "5."])
def test_plain_numbers_stay_numbers(number: str) -> None:
    assert is_plain_number(number)
    assert csv_text(number) == number


@pytest.mark.parametrize(
    "text", ["-5次", "-1+2", "- 5", "-5 ", "=1", "+A1", "@A1", "-", "+", "-5e", "--5", "-5%%"]
)
def test_texts_that_start_like_formulas_are_prefixed(text: str) -> None:
    assert not is_plain_number(text)
    assert csv_text(text) == "'" + text


def test_csv_text_of_none_and_ordinary_text() -> None:
    assert csv_text(None) == ""
    assert csv_text("≥10次") == "≥10次"
    assert csv_text(Decimal("-0.50")) == "-0.50"
    assert csv_text(" =1") == " =1"  # a leading space is not a formula in any spreadsheet


@given(st.text())
def test_csv_text_never_leaves_a_formula_lead(text: str) -> None:
    out = csv_text(text)
    assert not looks_like_formula(out)
    assert out == text or (out == "'" + text and text.startswith(FORMULA_LEADS))


@given(st.text())
def test_markdown_text_has_no_unescaped_markup(text: str) -> None:
    out = markdown_text(text)
    assert "\n" not in out and "\r" not in out
    i = 0
    while i < len(out):
        if out[i] == "\\":
            assert i + 1 < len(out), out  # every backslash escapes the next character
            i += 2
            continue
        assert out[i] not in "`*_[]<>|~&\\", out
        i += 1


def test_markdown_text_keeps_numbers_and_chinese() -> None:
    assert markdown_text("5.00") == "5.00"
    assert markdown_text("-0.5 分（≥90%）") == "-0.5 分（≥90%）"
    assert markdown_text("[点此](http://x)") == "\\[点此\\](http://x)"
    assert markdown_text("a|b\nc") == "a\\|b c"


def test_html_and_terminal_text() -> None:
    assert html_text('<a href="x">&') == "&lt;a href=&quot;x&quot;&gt;&amp;"
    assert terminal_text("单位\x1b]0;pwned\x07名") == "单位\\x1b]0;pwned\\x07名"
    assert terminal_text("甲\t乙\n") == "甲\t乙\n"


def test_set_cell_types() -> None:
    from openpyxl import Workbook, load_workbook

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    append_row(ws, [HOSTILE_UNIT, Decimal("-1.25"), 3, None, "控制\x01字符", "普通"])
    set_cell(ws.cell(2, 1), "-5次")
    buf = io.BytesIO()
    wb.save(buf)
    back = load_workbook(io.BytesIO(buf.getvalue())).active
    assert back is not None
    a, b, c, d, e, f = (back.cell(1, i) for i in range(1, 7))
    assert (a.value, a.data_type, a.quotePrefix) == (HOSTILE_UNIT, "s", True)
    assert (b.value, b.data_type) == (-1.25, "n")
    assert (c.value, c.data_type) == (3, "n")
    assert d.value is None
    assert (e.value, e.data_type) == ("控制字符", "s")
    assert (f.value, f.quotePrefix) == ("普通", False)
    assert (back.cell(2, 1).value, back.cell(2, 1).data_type) == ("-5次", "s")


# ------------------------------------------------------------------ every output, hostile input


@pytest.fixture(scope="module")
def hostile_form(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data = load_yaml(SEED).data
    data["unit"] = HOSTILE_UNIT
    leaves = data["indicators"]["产出指标"]["数量指标"]
    for leaf, name in zip(leaves, (HOSTILE_NAME, HOSTILE_LINK, HOSTILE_TAB), strict=False):
        leaf["name"] = name
    path = tmp_path_factory.mktemp("hostile") / "=cmd.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    code = cli.main(list(argv))
    assert code in (0, 1), capsys.readouterr().err
    return capsys.readouterr().out


def _assert_csv_safe(text: str) -> list[list[str]]:
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    for row in rows:
        for field in row:
            assert not looks_like_formula(field), field
    return rows


def test_score_csv_neutralises_hostile_names(
    hostile_form: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = _assert_csv_safe(_run(capsys, "score", str(hostile_form), "--format", "csv"))
    fields = {f for row in rows for f in row}
    for name in (HOSTILE_NAME, HOSTILE_LINK, HOSTILE_TAB):
        assert "'" + name in fields
    header = rows[0]
    scores = [row[header.index("得分")] for row in rows[1:]]
    assert all(Decimal(s) >= 0 for s in scores)  # numbers are still plain numbers


def test_score_markdown_escapes_hostile_names(
    hostile_form: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = _run(capsys, "score", str(hostile_form), "--format", "markdown")
    assert not _RAW_MARKUP.search(text)
    assert "\\[点此\\](http://example.invalid) \\<img src=x\\> \\*\\*粗\\*\\*" in text
    for line in text.splitlines():
        if line.startswith("| "):  # every table row keeps its 8 columns
            assert line.replace("\\|", "").count("|") == 9, line


def test_review_markdown_escapes_hostile_names(
    hostile_form: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = _run(capsys, "review", str(hostile_form), "--format", "markdown", "--fail-on", "never")
    assert not _RAW_MARKUP.search(text)
    assert '=HYPERLINK("http://example.invalid","点此")' in text  # shown, not interpreted


def test_review_workbook_writes_hostile_names_as_text(
    hostile_form: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from openpyxl import load_workbook

    out = tmp_path / "复核.xlsx"
    _run(capsys, "review", str(hostile_form), "--xlsx", str(out), "--fail-on", "never")
    wb = load_workbook(out)
    seen: dict[str, str] = {}
    numbers = 0
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (ws.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str):
                    for hostile in HOSTILES:
                        if hostile in cell.value:
                            assert cell.data_type == "s"
                            seen[hostile] = cell.value
                            if cell.value == hostile:
                                assert cell.quotePrefix, (cell.coordinate, hostile)
                elif isinstance(cell.value, (int, float)):
                    numbers += 1
    assert set(seen) == set(HOSTILES)
    assert numbers > 20  # scores, weights and counts are still numeric cells


def test_review_of_a_hostile_csv_form(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from openpyxl import load_workbook

    form = tmp_path / "表.csv"
    form.write_text(
        "项目支出绩效自评表\n"
        f'单位名称,"{HOSTILE_UNIT.replace(chr(34), chr(34) * 2)}"\n\n'
        "项目资金（万元）,年初预算数,全年预算数,全年执行数,分值,执行率,得分\n"
        "年度资金总额,100,100,100,10,100%,10\n\n"
        "一级指标,二级指标,三级指标,年度指标值,实际完成值,分值,得分,偏差原因分析及改进措施\n"
        "产出指标,数量指标,=1+1,≥10次,12次,50,50,\n"
        f'效益指标,社会效益指标,"{HOSTILE_NAME}",≥100人,100人,30,30,\n'
        "满意度指标,服务对象满意度指标,满意度,≥90%,95%,10,10,\n",
        encoding="utf-8",
    )
    out = tmp_path / "复核.xlsx"
    md = _run(capsys, "review", str(form), "--format", "markdown", "--xlsx", str(out))
    assert not _RAW_MARKUP.search(md)
    wb = load_workbook(out)
    texts = set()
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (ws.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str):
                    texts.add(cell.value)
    assert any(HOSTILE_NAME in t for t in texts)


def test_text_outputs_show_control_characters(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = load_yaml(SEED).data
    data["unit"] = "单位\x1b]0;pwned\x07\x1b[2J"
    path = tmp_path / "ctl.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    for argv in (["score", str(path)], ["review", str(path), "--fail-on", "never"]):
        text = _run(capsys, *argv)
        assert "\x1b" not in text and "\x07" not in text
        assert "单位\\x1b]0;pwned\\x07\\x1b[2J" in text
