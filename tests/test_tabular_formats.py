"""``.xls``, ``.ods`` and UTF-16 text tables read as their ``.xlsx``/CSV originals (issue 18.2).

The fixtures in ``tests/data/tabular/`` were made from ``examples/review/*.xlsx`` with
LibreOffice (``soffice --headless --convert-to xls|ods FILE.xlsx``); each must read into exactly
the same form data and row kinds as the workbook it was converted from.
"""

from __future__ import annotations

import csv
import io
import sys
import time
import zipfile
from pathlib import Path

import pytest

from perfscore import cli
from perfscore.errors import LoadError
from perfscore.read.table import read_table
from perfscore.read.table_cells import MAX_ROWS
from perfscore.review import FORM_SUFFIXES, review_batch, review_form

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data" / "tabular"
EXAMPLES = ROOT / "examples" / "review"
CONVERTED = [
    (EXAMPLES / f"{stem}.xlsx", DATA / f"{stem}.{ext}")
    for stem in ("messy-merged", "blank-form")
    for ext in ("xls", "ods")
]


@pytest.mark.parametrize(("original", "converted"), CONVERTED, ids=lambda p: Path(p).name)
def test_converted_workbook_reads_as_its_original(original: Path, converted: Path) -> None:
    a, b = read_table(original), read_table(converted)
    assert b.document.data == a.document.data
    assert [(r.row, r.kind, r.paths) for r in b.rows] == [(r.row, r.kind, r.paths) for r in a.rows]
    assert b.encoding is None


def test_percent_cells_of_xls_and_ods_keep_their_percent() -> None:
    for ext in ("xls", "ods"):
        budget = read_table(DATA / f"messy-merged.{ext}").document.data["budget"]
        assert budget["执行率"] == "88%", ext  # the cell holds 0.88 shown as 88%


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be"])
def test_excel_unicode_text_export(tmp_path: Path, encoding: str) -> None:
    source = EXAMPLES / "messy-gbk.csv"
    rows = list(csv.reader(io.StringIO(source.read_bytes().decode("gb18030"))))
    buf = io.StringIO()
    csv.writer(buf, delimiter="\t", lineterminator="\r\n").writerows(rows)
    bom = {"utf-16-le": b"\xff\xfe", "utf-16-be": b"\xfe\xff"}.get(encoding, b"")
    path = tmp_path / "Unicode 文本.txt"
    path.write_bytes(bom + buf.getvalue().encode(encoding))
    read = read_table(path)
    assert read.encoding == "utf-16"
    assert read.document.data == read_table(source).document.data
    review = review_form(path)
    assert review.encoding == "utf-16"
    assert review.evaluation is not None


def test_xls_without_the_extra_says_what_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setitem(sys.modules, "xlrd", None)  # import xlrd raises ImportError
    with pytest.raises(LoadError) as info:
        read_table(DATA / "messy-merged.xls")
    assert "xlrd" in info.value.message
    assert "perfscore[xls]" in str(info.value)
    assert "另存为" in str(info.value)
    # A folder does not skip the .xls file: it is reported with the same advice.
    folder = tmp_path / "forms"
    folder.mkdir()
    (folder / "县.xls").write_bytes((DATA / "messy-merged.xls").read_bytes())
    (folder / "区.ods").write_bytes((DATA / "messy-merged.ods").read_bytes())
    batch = review_batch([folder])
    by_name = {Path(r.file).name: r for r in batch.reviews}
    assert set(by_name) == {"区.ods", "县.xls"}
    xls = by_name["县.xls"]
    assert [f.code for f in xls.findings] == ["form_unreadable"]
    assert "perfscore[xls]" in xls.findings[0].message + str(xls.findings[0].values)
    assert by_name["区.ods"].evaluation is not None
    code = cli.main(["review", str(folder / "县.xls")])
    out = capsys.readouterr().out
    assert code == 1 and "xlrd" in out and "YAML" not in out


def test_review_cli_reads_xls_and_ods(capsys: pytest.CaptureFixture[str]) -> None:
    assert ".xls" in FORM_SUFFIXES and ".ods" in FORM_SUFFIXES
    code = cli.main(["review", str(DATA / "messy-merged.xls"), str(DATA / "messy-merged.ods")])
    out = capsys.readouterr().out
    assert code in (0, 1)
    assert "整个文件无法复核" not in out
    assert out.count("示例单位戊") >= 2


def test_sheet_choice_in_xls(tmp_path: Path) -> None:
    read = read_table(DATA / "messy-merged.xls", sheet="项目支出绩效自评表")
    assert read.document.data["indicators"]
    with pytest.raises(LoadError) as info:
        read_table(DATA / "messy-merged.xls", sheet="没有")
    assert "项目支出绩效自评表" in str(info.value)


def _ods(content: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(
            zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet"
        )
        archive.writestr("content.xml", content, compress_type=zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


_ODS_HEAD = (
    '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"><office:body>'
    '<office:spreadsheet><table:table table:name="表1">'
)
_ODS_TAIL = "</table:table></office:spreadsheet></office:body></office:document-content>"
_HEADER_ROW = "".join(
    f"<table:table-cell><text:p>{h}</text:p></table:table-cell>"
    for h in ("一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分")
)


def test_ods_repeated_empty_rows_are_not_stored(tmp_path: Path) -> None:
    content = (
        _ODS_HEAD
        + f"<table:table-row>{_HEADER_ROW}</table:table-row>"
        + '<table:table-row table:number-rows-repeated="1048575">'
        '<table:table-cell table:number-columns-repeated="16384"/></table:table-row>' + _ODS_TAIL
    )
    path = tmp_path / "空行.ods"
    path.write_bytes(_ods(content))
    start = time.perf_counter()
    read = read_table(path)
    assert time.perf_counter() - start < 2
    assert read.rows[0].kind == "header"


def test_ods_content_beyond_the_row_cap_is_refused(tmp_path: Path) -> None:
    content = (
        _ODS_HEAD
        + f"<table:table-row>{_HEADER_ROW}</table:table-row>"
        + f'<table:table-row table:number-rows-repeated="{MAX_ROWS * 50}">'
        "<table:table-cell><text:p>满</text:p></table:table-cell></table:table-row>" + _ODS_TAIL
    )
    path = tmp_path / "大.ods"
    path.write_bytes(_ods(content))
    with pytest.raises(LoadError) as info:
        read_table(path)
    assert "上限" in info.value.message


@pytest.mark.parametrize(
    ("name", "raw", "words"),
    [
        ("坏.ods", b"PK\x03\x04" + bytes(100), "OpenDocument"),
        ("坏.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600), ".xls"),
        ("半.ods", _ods(_ODS_HEAD + "<table:table-row>"), "OpenDocument"),
    ],
)
def test_corrupt_files_are_located_errors(
    tmp_path: Path, name: str, raw: bytes, words: str
) -> None:
    path = tmp_path / name
    path.write_bytes(raw)
    with pytest.raises(LoadError) as info:
        read_table(path)
    assert words in info.value.message
    assert info.value.file == str(path)
