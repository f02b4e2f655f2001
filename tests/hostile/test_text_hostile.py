"""Text that is not what it seems (issue 19, items 10-12, 21, 22): lone surrogates, control
characters, file names that are not UTF-8, sheet names and links of the review workbook,
line separators in JSON Lines, UTF-32 and doubled BOMs in CSV."""

from __future__ import annotations

import io
import json
import os
from pathlib import Path

import pytest

import perfscore
from perfscore import cli
from perfscore.errors import LoadError
from perfscore.read.table import read_table
from perfscore.render.safe_text import cell_safe, json_safe, visible
from perfscore.review import review_batch

from ._support import FORM_HEAD, SIMPLE_TEMPLATE, expect, form_text, leaf_line

pytestmark = pytest.mark.timeout(60)

GOOD = "{name: 场次, target: ≥10次, actual: 18次, weight: 100}"


def _pair(directory: Path, form: str, name: str = "form.yaml") -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "template.yaml").write_text(SIMPLE_TEMPLATE, encoding="utf-8")
    path = directory / name
    path.write_text(form, encoding="utf-8", errors="surrogatepass")
    return path


# ------------------------------------------------------------------ 10: lone surrogates


@pytest.mark.parametrize(
    ("leaf", "where"),
    [
        ('{name: "\\ud800单位", target: ≥10次, actual: 18次, weight: 100}', "leaf"),
        ('{name: 场次, target: ≥10次, actual: "\\udfff", weight: 100}', "leaf"),
        ('{"\\ud800": 1, name: 场次, target: ≥10次, actual: 18次, weight: 100}', "leaf"),
    ],
)
def test_lone_surrogate_in_yaml_is_a_located_load_error(
    tmp_path: Path, leaf: str, where: str
) -> None:
    path = _pair(tmp_path, form_text(leaf))
    with pytest.raises(LoadError) as info:
        perfscore.evaluate(perfscore.load_form(path))
    expect(info.value, LoadError, file="form.yaml", line=leaf_line(0), message="代理字符")


def test_lone_surrogate_in_the_unit_line(tmp_path: Path) -> None:
    head = FORM_HEAD.replace("unit: 测试单位", 'unit: "\\ud800单位"')
    path = _pair(tmp_path, form_text(GOOD, head=head))
    with pytest.raises(LoadError) as info:
        perfscore.load_form(path)
    expect(info.value, LoadError, file="form.yaml", line=3, message="代理字符")


def test_surrogate_pair_escape_in_yaml_is_refused_too(tmp_path: Path) -> None:
    """YAML has \\U0001F600 for that; "\\ud83d\\ude00" is two lone surrogates, not one char."""
    leaf = '{name: "\\ud83d\\ude00", target: ≥10次, actual: 18次, weight: 100}'
    with pytest.raises(LoadError):
        perfscore.load_form(_pair(tmp_path, form_text(leaf)))


def test_lone_surrogate_in_json_lines_is_a_located_record(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "template.yaml").write_text(SIMPLE_TEMPLATE, encoding="utf-8")
    record = (
        '{"kind": "form", "template": "template.yaml", "unit": "\\ud800单位", "year": 2023,'
        ' "indicators": {"指标": [{"name": "场次", "target": "≥10次", "actual": "18次",'
        ' "weight": 100}]}}'
    )
    pair = record.replace("\\ud800", "\\ud83d\\ude00")  # a real pair is one character: fine
    (tmp_path / "f.jsonl").write_text(f"{record}\n{pair}\n", encoding="utf-8")
    code = cli.main(["score", str(tmp_path / "f.jsonl")])
    out = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert code == 1
    first = out[0]["errors"][0]
    assert first["line"] == 1 and "代理字符" in first["message"]
    assert first["column"] == record.index("\\ud800") + 1
    assert out[1]["form"]["unit"] == "\U0001f600单位"


# ------------------------------------------------------------------ 11: control characters


def test_helpers() -> None:
    assert visible("a\x1b[31mb\x01c\td\n") == "a\\x1b[31mb\\x01c\td\n"
    assert visible("\x9b\u2028") == "\\x9b\\u2028"
    assert json.loads(json_safe('"a\u2028b\x85c"')) == "a\u2028b\x85c"
    assert "\u2028" not in json_safe('"a\u2028b"') and "\x85" not in json_safe('"\x85"')
    assert cell_safe("a\x01b\x1bc") == "abc"
    assert cell_safe(3) == 3


CONTROL_LEAF = '{name: "场次\\x1b[31m红\\x01", target: ≥10次, actual: 18次, weight: 100}'


@pytest.mark.parametrize("fmt", ["text", "markdown"])
def test_control_characters_are_visible_escapes_in_text(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], fmt: str
) -> None:
    path = _pair(tmp_path, form_text(CONTROL_LEAF))
    assert cli.main(["score", str(path), "--format", fmt]) == 0
    out = capsys.readouterr().out
    assert "\x1b" not in out and "\x01" not in out
    # visible as an escape; Markdown also escapes the bracket (perfscore.render.safe_cells)
    assert ("\\x1b[31m" if fmt == "text" else "\\x1b\\[31m") in out
    cli.main(["review", str(path), "--format", fmt])
    out = capsys.readouterr().out
    assert "\x1b" not in out and "\x01" not in out


def test_control_characters_never_fail_the_review_workbook(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import openpyxl  # type: ignore[import-untyped]

    path = _pair(tmp_path, form_text(CONTROL_LEAF))
    _pair(tmp_path, form_text(GOOD), name="other.yaml")
    out = tmp_path / "review.xlsx"
    cli.main(["review", str(tmp_path), "--xlsx", str(out), "--format", "json"])
    capsys.readouterr()
    workbook = openpyxl.load_workbook(out)
    texts = [
        str(c.value) for ws in workbook.worksheets for row in ws.iter_rows() for c in row if c.value
    ]
    assert any("场次[31m红" in t for t in texts)
    assert not any("\x1b" in t or "\x01" in t for t in texts)
    assert path.exists()


def test_line_separators_are_escaped_in_json_lines(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    leaf = '{name: "场\\u2028次\\x85", target: ≥10次, actual: 18次, weight: 100}'
    path = _pair(tmp_path, form_text(leaf))
    for argv in (
        ["score", str(path), "--format", "jsonl"],
        ["review", str(path), "--format", "jsonl"],
    ):
        cli.main(argv)
        out = capsys.readouterr().out
        assert "\u2028" not in out and "\x85" not in out
        lines = out.splitlines()
        assert all(json.loads(line) is not None for line in lines)
        assert "场\u2028次\x85" in out.encode().decode("unicode_escape", "ignore") or any(
            "场\u2028次\x85" in json.dumps(json.loads(line), ensure_ascii=False) for line in lines
        )


# ------------------------------------------------------------------ 12: non-UTF-8 file names


@pytest.mark.skipif(os.name != "posix", reason="byte file names")
def test_file_name_in_gbk_bytes_is_reviewed_and_shown_safely(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "d"
    _pair(folder, form_text(GOOD))
    gbk = os.fsencode(folder) + b"/" + "测试表".encode("gbk") + b".yaml"
    os.rename(os.fsencode(folder / "form.yaml"), gbk)
    for fmt in ("text", "markdown", "json"):
        code = cli.main(["review", str(folder), "--format", fmt])
        out = capsys.readouterr().out
        assert code == 0, out
        out.encode("utf-8")  # no lone surrogate reaches the output
        assert "\\xb2" in out or "\\udcb2" in out
    cli.main(["score", str(folder)])
    record = json.loads(capsys.readouterr().out.splitlines()[0])
    assert record["total"] == 100
    assert os.fsencode(record["form"]["file"]) == gbk  # the JSON names the very file
    out = tmp_path / "r.xlsx"
    assert cli.main(["review", str(folder), "--xlsx", str(out)]) == 0
    capsys.readouterr()
    assert out.stat().st_size > 0


# ------------------------------------------------------------------ 21: sheet names and links


def test_workbook_sheet_names_are_unique_and_links_work(tmp_path: Path) -> None:
    import openpyxl

    from perfscore.review.workbook import workbook_bytes

    folder = tmp_path / "d"
    for name in ("Form.yaml", "form.yaml", "O'Brien.yaml", "History.yaml", "'quoted'.yaml"):
        _pair(folder, form_text(GOOD), name=name)
    batch = review_batch([folder])
    workbook = openpyxl.load_workbook(io.BytesIO(workbook_bytes(batch)))
    titles = [ws.title for ws in workbook.worksheets]
    folded = [t.casefold() for t in titles]
    assert len(set(folded)) == len(folded)
    assert "history" not in folded
    assert all(not t.startswith("'") and not t.endswith("'") for t in titles)
    summary = workbook.worksheets[0]
    links = [
        c.hyperlink.location or c.hyperlink.target
        for row in summary.iter_rows()
        for c in row
        if c.hyperlink
    ]
    assert len(links) == 5
    for link in links:
        assert link.startswith("#'") and link.endswith("'!A1")
        name = link[2:-4].replace("''", "'")
        assert name in titles


# ------------------------------------------------------------------ 22: small misreadings

CSV = "一级指标,二级指标,三级指标,年度指标值,实际完成值,分值,得分\n产出指标,数量指标,场次,≥10次,18次,100,100\n"


def test_utf32_csv_is_called_utf32(tmp_path: Path) -> None:
    for codec, bom in (("utf-32-le", b"\xff\xfe\x00\x00"), ("utf-32-be", b"\x00\x00\xfe\xff")):
        path = tmp_path / "t.csv"
        path.write_bytes(bom + CSV.encode(codec))
        with pytest.raises(LoadError) as info:
            read_table(path)
        expect(info.value, LoadError, file="t.csv", message="UTF-32")
    # UTF-16 with a BOM is Excel's "Unicode 文本" export, which is read (issue 18)
    path.write_bytes(b"\xff\xfe" + CSV.encode("utf-16-le"))
    assert read_table(path).encoding == "utf-16"


def test_doubled_bom_keeps_the_first_cell(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_bytes(b"\xef\xbb\xbf\xef\xbb\xbf" + CSV.encode("utf-8"))
    read = read_table(path)
    assert read.rows[0].kind == "header"
    assert read.document.data["indicators"]["产出指标"]["数量指标"][0]["name"] == "场次"
