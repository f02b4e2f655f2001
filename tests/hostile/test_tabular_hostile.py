"""Hostile tables (CSV/XLSX read by perfscore.read.table): each is a LoadError naming the file,
or, for a readable table with a bad value, an error located at its spreadsheet row.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

import perfscore
from perfscore.errors import LoadError, PerfscoreError, SchemaError
from perfscore.read.table import read_table
from perfscore.read.table_cells import MAX_COLUMNS, MAX_ROWS

from ._support import expect

HEADER = "一级指标,二级指标,三级指标,年度指标值,实际完成值,分值,得分\n"


def _zip(**members: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in members.items():
            archive.writestr(name, text)
    return buffer.getvalue()


TABLES: list[tuple[str, str, bytes, str]] = [
    ("empty", "t.csv", b"", "空文件"),
    ("nul-bytes", "t.csv", b"a,b\x00c\n", "不是文本文件"),
    ("utf16-truncated", "t.csv", HEADER.encode("utf-16")[:-1], "UTF-16"),
    ("undecodable", "t.csv", b"\x80\x80,\xff\n", "无法识别 CSV 文件的编码"),
    ("old-xls", "t.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(200), ".xls"),
    ("corrupt-xlsx", "t.xlsx", b"PK\x03\x04" + bytes(200), "已损坏"),
    ("zip-not-xlsx", "t.xlsx", _zip(**{"hello.txt": "hi"}), "已损坏"),
    ("no-header", "t.csv", "甲,乙,丙\n1,2,3\n".encode(), "找不到指标表的表头"),
    ("too-many-rows", "t.csv", (HEADER + "x\n" * (MAX_ROWS + 1)).encode(), "行的上限"),
    (
        "too-many-columns",
        "t.csv",
        (HEADER.rstrip() + "," * MAX_COLUMNS + "\n").encode(),
        "列的上限",
    ),
    (
        "cell-over-csv-limit",
        "t.csv",
        (HEADER + "产出指标,数量指标," + "长" * 200_000 + ",≥10次,18次,5,5\n").encode(),
        "131072",
    ),
]


@pytest.mark.parametrize(
    ("name", "raw", "message"),
    [(f"{n}/{f}", raw, m) for n, f, raw, m in TABLES],
    ids=[t[0] for t in TABLES],
)
def test_hostile_table(name: str, raw: bytes, message: str, tmp_path: Path) -> None:
    path = tmp_path / name
    path.parent.mkdir(parents=True)
    path.write_bytes(raw)
    with pytest.raises(PerfscoreError) as info:
        read_table(path)
    expect(info.value, LoadError, file=str(path), no_line=True, message=message)


@pytest.mark.parametrize(
    ("weight", "message"),
    [("NaN", "不是有效的数值"), ("1e999999999", "不是有效的数值"), ("五分", "不是有效的数值")],
)
def test_bad_value_in_a_table_is_located_at_its_row(
    weight: str, message: str, tmp_path: Path
) -> None:
    path = tmp_path / "自评 表.csv"
    path.write_text(HEADER + f"产出指标,数量指标,场次,≥10次,18次,{weight},5\n", "utf-8")
    table = read_table(path, template="hunan/unit-self-evaluation")
    with pytest.raises(PerfscoreError) as info:
        perfscore.load_form(table.document)
    expect(
        info.value,
        SchemaError,
        file=str(path),
        line=2,
        path=("产出指标", "数量指标", "场次"),
        message=message,
    )
