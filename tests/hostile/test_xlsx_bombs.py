"""XLSX bombs and workbooks that hide what they contain (issue 19, items 1, 18, 22).

Every bomb is built here, in a few kilobytes, from raw SpreadsheetML parts; each is read in a
subprocess with a 1.5 GiB address-space limit and a time limit, so a regression is a failure
and never takes the machine down.
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from perfscore.errors import LoadError
from perfscore.read.table import read_table

from ._support import expect

pytestmark = pytest.mark.timeout(60)

_CT = """<?xml version="1.0" encoding="UTF-8"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>
{sheets}
</Types>"""
_RELS = """<?xml version="1.0" encoding="UTF-8"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>
</Relationships>"""
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"

#: A tiny indicator table: header and one leaf, as inline strings.
HEADER = ("一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分")
LEAF = ("产出指标", "数量指标", "场次", "≥10次", "18次", "100", "100")


def _cell(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


def table_rows(start: int = 1) -> str:
    rows = []
    for offset, values in enumerate((HEADER, LEAF)):
        r = start + offset
        cells = "".join(_cell(f"{chr(65 + i)}{r}", v) for i, v in enumerate(values))
        rows.append(f'<row r="{r}">{cells}</row>')
    return "".join(rows)


def sheet_xml(rows: str = "", merges: str = "", extra_rows: str = "") -> str:
    merge = f"<mergeCells>{merges}</mergeCells>" if merges else ""
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{_MAIN}">'
        f"<sheetData>{rows or table_rows()}{extra_rows}</sheetData>{merge}</worksheet>"
    )


def workbook(
    sheets: list[tuple[str, str, str]] | None = None,
    active: int = 0,
    extra: dict[str, bytes] | None = None,
    compression: int = zipfile.ZIP_DEFLATED,
) -> bytes:
    """An .xlsx from (name, state, sheet XML) triples."""
    sheets = sheets or [("表", "visible", sheet_xml())]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        overrides = "".join(
            f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            for i in range(1, len(sheets) + 1)
        )
        archive.writestr("[Content_Types].xml", _CT.format(sheets=overrides))
        archive.writestr("_rels/.rels", _RELS)
        entries = "".join(
            f'<sheet name="{name}" sheetId="{i}" state="{state}" r:id="rId{i}"/>'
            for i, (name, state, _x) in enumerate(sheets, 1)
        )
        archive.writestr(
            "xl/workbook.xml",
            f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{_MAIN}" xmlns:r="{_R}">'
            f'<bookViews><workbookView activeTab="{active}"/></bookViews>'
            f"<sheets>{entries}</sheets></workbook>",
        )
        rels = "".join(
            f'<Relationship Id="rId{i}" Type="http://schemas.openxmlformats.org/officeDocument/'
            f'2006/relationships/worksheet" Target="worksheets/sheet{i}.xml"/>'
            for i in range(1, len(sheets) + 1)
        )
        archive.writestr(
            "xl/_rels/workbook.xml.rels",
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
            f'openxmlformats.org/package/2006/relationships">{rels}</Relationships>',
        )
        for i, (_n, _s, xml) in enumerate(sheets, 1):
            archive.writestr(f"xl/worksheets/sheet{i}.xml", xml)
        for name, data in (extra or {}).items():
            archive.writestr(name, data)
    return buffer.getvalue()


_CHILD = """
import json, resource, sys
resource.setrlimit(resource.RLIMIT_AS, (1536 * 2**20, 1536 * 2**20))
from perfscore.read.table import read_table
from perfscore.errors import LoadError
try:
    read = read_table(sys.argv[1])
except LoadError as err:
    print(json.dumps({"error": err.message, "line": err.line, "column": err.column,
                      "file": err.file, "value": str(err.value)}, ensure_ascii=False))
else:
    print(json.dumps({"rows": len(read.rows), "sheet": read.sheet,
                      "codes": [p.code for p in read.problems]}, ensure_ascii=False))
"""


def read_bounded(path: Path, seconds: int = 40) -> dict[str, object]:
    """read_table in a child process limited in memory (1.5 GiB) and time."""
    done = subprocess.run(
        [sys.executable, "-c", _CHILD, str(path)],
        capture_output=True,
        text=True,
        timeout=seconds,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    result: dict[str, object] = json.loads(done.stdout)
    return result


def test_plain_workbook_reads(tmp_path: Path) -> None:
    path = tmp_path / "ok.xlsx"
    path.write_bytes(workbook())
    read = read_table(path)
    assert read.sheet == "表"
    assert read.document.data["indicators"]["产出指标"]["数量指标"][0]["name"] == "场次"


def test_merge_over_the_whole_sheet_is_clipped(tmp_path: Path) -> None:
    """<mergeCell ref="H1:XFD1048576"/> once took 90 s and 3 GB; clipped to the used area it
    costs nothing (H1 is outside the used area: nothing is filled)."""
    path = tmp_path / "merge.xlsx"
    rows = table_rows().replace('<row r="1">', '<row r="1">' + _cell("H1", "备注"), 1)
    path.write_bytes(
        workbook([("表", "visible", sheet_xml(rows, '<mergeCell ref="H1:XFD1048576"/>'))])
    )
    assert len(path.read_bytes()) < 10_000
    result = read_bounded(path)
    assert result.get("rows") == 2, result


def test_merge_above_the_budget_is_a_located_error(tmp_path: Path) -> None:
    path = tmp_path / "merge-budget.xlsx"
    far = f'<row r="20000">{_cell("GR20000", "x")}</row>'
    merges = '<mergeCell ref="A1:GR20000"/>'
    path.write_bytes(workbook([("表", "visible", sheet_xml(merges=merges, extra_rows=far))]))
    result = read_bounded(path)
    assert "合并单元格覆盖的范围过大" in str(result.get("error")), result
    assert result["line"] == 1 and result["column"] == 1
    assert str(result["file"]).endswith("merge-budget.xlsx[表]")


def test_overlapping_merges_are_budgeted(tmp_path: Path) -> None:
    path = tmp_path / "overlap.xlsx"
    far = f'<row r="400">{_cell("GR400", "x")}</row>'
    merges = '<mergeCell ref="A1:GR400"/>' * 5000
    path.write_bytes(workbook([("表", "visible", sheet_xml(merges=merges, extra_rows=far))]))
    result = read_bounded(path)
    assert "合并单元格覆盖的范围过大" in str(result.get("error")), result


def test_ten_million_rows_stop_at_the_limit(tmp_path: Path) -> None:
    path = tmp_path / "rows.xlsx"
    # empty rows compress to almost nothing: refused from the ratio before reading
    path.write_bytes(workbook([("表", "visible", sheet_xml(extra_rows="<row/>" * 10_000_000))]))
    assert "压缩比" in str(read_bounded(path).get("error"))
    # numbered rows compress less (no telling ratio): the streaming scan stops at the limit
    extra = "".join(f'<row r="{r}"/>' for r in range(3, 300_003))
    path.write_bytes(workbook([("表", "visible", sheet_xml(extra_rows=extra))]))
    result = read_bounded(path)
    assert "行超过" in str(result.get("error")), result
    assert result["line"] is not None


def test_repeated_empty_cells_stop_at_the_cell_limit(tmp_path: Path) -> None:
    path = tmp_path / "cells.xlsx"
    extra = "".join(
        f'<row r="{r}">' + "".join(f'<c r="{_col(c)}{r}" s="0"/>' for c in range(1, 201)) + "</row>"
        for r in range(3, 6_003)  # 1.2 million cells, none with content
    )
    path.write_bytes(workbook([("表", "visible", sheet_xml(extra_rows=extra))]))
    result = read_bounded(path)
    assert "单元格超过" in str(result.get("error")), result


def _col(number: int) -> str:
    out = ""
    while number:
        number, rest = divmod(number - 1, 26)
        out = chr(65 + rest) + out
    return out


def test_one_row_of_a_million_cells_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "wide.xlsx"
    extra = '<row r="3">' + "<c/>" * 1_000_000 + "</row>"
    path.write_bytes(workbook([("表", "visible", sheet_xml(extra_rows=extra))]))
    result = read_bounded(path)
    assert "16384" in str(result.get("error")) or "单元格超过" in str(result.get("error")), result


def test_content_beyond_the_column_limit_is_located(tmp_path: Path) -> None:
    path = tmp_path / "far.xlsx"
    far = f'<row r="5">{_cell("ZZ5", "x")}</row>'
    path.write_bytes(workbook([("表", "visible", sheet_xml(extra_rows=far))]))
    with pytest.raises(LoadError) as info:
        read_table(path)
    expect(info.value, LoadError, file="far.xlsx[表]", line=5, message="列的上限")


def test_zip_bomb_member_is_refused_from_its_declared_size(tmp_path: Path) -> None:
    path = tmp_path / "bomb.xlsx"
    path.write_bytes(workbook(extra={"xl/media/zeros.bin": b"\0" * 60_000_000}))
    assert len(path.read_bytes()) < 200_000
    result = read_bounded(path)
    assert "压缩比" in str(result.get("error")), result
    assert result["value"] == "xl/media/zeros.bin"


def test_hidden_sheet_is_not_read_instead_of_the_visible_one(tmp_path: Path) -> None:
    hidden_rows = table_rows().replace("场次", "旧的场次")
    path = tmp_path / "hidden.xlsx"
    path.write_bytes(
        workbook(
            [
                ("旧版", "hidden", sheet_xml(hidden_rows)),
                ("说明", "visible", sheet_xml('<row r="1">' + _cell("A1", "填表说明") + "</row>")),
                ("自评表", "visible", sheet_xml()),
            ],
            active=2,
        )
    )
    read = read_table(path)
    assert read.sheet == "自评表"
    assert read.document.data["indicators"]["产出指标"]["数量指标"][0]["name"] == "场次"
    notes = [p for p in read.problems if p.code == "sheet_read"]
    assert len(notes) == 1 and "“旧版”（隐藏）" in notes[0].message
    assert "自评表" in notes[0].message


def test_first_visible_sheet_when_the_active_one_is_hidden(tmp_path: Path) -> None:
    path = tmp_path / "active-hidden.xlsx"
    path.write_bytes(
        workbook(
            [("甲", "visible", sheet_xml()), ("乙", "hidden", sheet_xml())],
            active=1,
        )
    )
    assert read_table(path).sheet == "甲"


def test_encrypted_xlsx_is_not_called_an_old_xls(tmp_path: Path) -> None:
    path = tmp_path / "secret.xlsx"
    # an OLE compound file holding the EncryptedPackage stream (what Excel writes)
    path.write_bytes(
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504 + "EncryptedPackage".encode("utf-16-le")
    )
    with pytest.raises(LoadError) as info:
        read_table(path)
    expect(info.value, LoadError, file="secret.xlsx", message="已加密")
    old = tmp_path / "old.xls"
    old.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504)
    with pytest.raises(LoadError) as info:
        read_table(old)
    expect(info.value, LoadError, file="old.xls", message="Excel 97–2003")
