"""Table files: decoding CSV bytes (encodings, BOMs) and reading XLSX sheets into a grid of cells."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Mapping
from typing import Any

from ..errors import LoadError
from .table_cells import (
    _HEADER_SCAN_ROWS,
    _IND_EXACT,
    _IND_LONG,
    MAX_BYTES,
    MAX_COLUMNS,
    MAX_ROWS,
    _clean,
    _excel_text,
    _Grid,
    _row_fields,
)
from .yaml import open_error

__all__ = []


def _read_bytes(path: str | bytes, shown: str) -> bytes:
    from .fsguard import open_regular

    try:
        handle, size = open_regular(path, shown)  # never a device or FIFO; size before reading
        with handle:
            raw = handle.read(MAX_BYTES + 1) if size <= MAX_BYTES else b""
    except LoadError:  # not a regular file
        raise
    except (OSError, ValueError) as exc:
        raise open_error(shown, exc) from exc
    if size > MAX_BYTES or len(raw) > MAX_BYTES:
        raise LoadError(
            f"文件太大（超过 {MAX_BYTES // 1_000_000} MB 的上限），不像是一张自评表",
            file=shown,
        )
    if not raw:
        raise LoadError("空文件：文件里没有任何内容", file=shown)
    return raw


def _decode_csv(raw: bytes, shown: str) -> tuple[str, str]:
    utf32 = raw.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff"))  # before UTF-16
    if utf32 or raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise LoadError(
            f"CSV 文件是 {'UTF-32' if utf32 else 'UTF-16'} 编码，无法读取",
            file=shown,
            hint="请另存为“CSV UTF-8（逗号分隔）”",
        )
    if b"\x00" in raw:
        raise LoadError(
            "不是文本文件（含有 NUL 字节），无法当作 CSV 读取",
            file=shown,
            hint="如果这是 Excel 文件，请把扩展名改为 .xlsx 或另存为 .xlsx",
        )
    attempts = (("utf-8-sig", raw.startswith(b"\xef\xbb\xbf")), ("utf-8", True), ("gb18030", True))
    for encoding, applies in attempts:
        if not applies:
            continue
        try:
            # a BOM written twice (a file saved again by a tool adding its own) is not a cell
            return raw.decode(encoding).lstrip("\ufeff"), encoding
        except UnicodeDecodeError:
            continue
    raise LoadError(
        "无法识别 CSV 文件的编码：既不是 UTF-8，也不是 GBK/GB18030",
        file=shown,
        expected="UTF-8、带 BOM 的 UTF-8 或 GBK/GB18030 编码",
        hint="请在 Excel 或 WPS 中另存为“CSV UTF-8（逗号分隔）”",
    )


def _csv_records(
    text: str, delimiter: str
) -> tuple[list[list[str]], tuple[tuple[int, int, int], ...]]:
    """The records of a CSV text; a record an unmatched ``"`` made swallow the following rows
    (a cell holding line breaks and separators) is read again, one record per physical line
    (quotes as written), so no row vanishes. Returns the rows and, for each such record, its
    (first row index, first line, last line), lines 1-based."""
    lines = io.StringIO(text, newline="").readlines()
    reader = csv.reader(iter(lines), delimiter=delimiter, strict=False)
    rows: list[list[str]] = []
    split: list[tuple[int, int, int]] = []
    last = 0
    for record in reader:
        first, last = last + 1, reader.line_num
        if last > first and any(("\n" in f or "\r" in f) and delimiter in f for f in record):
            split.append((len(rows), first, last))
            for physical in lines[first - 1 : last]:
                rows.extend(
                    csv.reader(
                        [physical.rstrip("\r\n")], delimiter=delimiter, quoting=csv.QUOTE_NONE
                    )
                )
            continue
        rows.append(record)
    return rows, tuple(split)


def _csv_grid(text: str, shown: str) -> _Grid:
    # The delimiter whose reading shows the best indicator header wins; then the one that
    # splits most rows, then the narrower table.
    best: tuple[tuple[int, int, int], _Grid] | None = None
    failure: csv.Error | None = None
    for delimiter in (",", "\t", ";"):
        try:
            rows, split = _csv_records(text, delimiter)
        except csv.Error as exc:  # e.g. a cell over csv's field size limit
            failure = exc
            continue
        if len(rows) > MAX_ROWS:
            raise LoadError(f"表格超过 {MAX_ROWS} 行的上限", file=shown)
        width = max((len(row) for row in rows), default=0)
        if width > MAX_COLUMNS:
            raise LoadError(f"表格超过 {MAX_COLUMNS} 列的上限", file=shown)
        padded = tuple(
            tuple(_clean(cell) for cell in row) + (None,) * (width - len(row)) for row in rows
        )
        probe = _Grid(name=shown, cells=padded, split=split)
        header_score = max(
            (
                len(_row_fields(probe, r, _IND_EXACT, _IND_LONG))
                for r in range(min(len(padded), _HEADER_SCAN_ROWS))
            ),
            default=0,
        )
        multi = sum(1 for row in rows if len(row) > 1)
        score = (header_score, multi, -width)
        if best is None or score > best[0]:
            best = (score, probe)
    if best is None:  # every delimiter failed: csv refuses a cell over its size limit
        too_long = "field larger than field limit" in str(failure)
        raise LoadError(
            f"无法按 CSV 格式读取：{'有单元格超过 131072 个字符' if too_long else failure}",
            file=shown,
        )
    return best[1]


def _plain_sheet(
    ws: Any, name: str, text_of: Callable[[Any], str | None]
) -> tuple[dict[tuple[int, int], str], list[tuple[int, int, int, int]]]:
    """The cells (1-based) and merged ranges of an in-memory sheet, within the table limits."""
    found: dict[tuple[int, int], str] = {}
    for (row, col), cell in ws._cells.items():
        text = text_of(cell)
        if text is None:
            continue
        if row > MAX_ROWS or col > MAX_COLUMNS:
            raise LoadError(
                f"工作表超过 {MAX_ROWS} 行或 {MAX_COLUMNS} 列的上限（第 {row} 行第 {col} 列有内容）",
                file=name,
                line=row,
                column=col,
            )
        found[(row, col)] = text
    merges = [
        (m.min_row, m.min_col, min(m.max_row, MAX_ROWS), min(m.max_col, MAX_COLUMNS))
        for m in ws.merged_cells.ranges
        if (m.min_row, m.min_col) in found
    ]
    return found, merges


def _sheet_grid(ws: Any, name: str, formulas: Mapping[tuple[int, int], str] | None = None) -> _Grid:
    from . import xlsx_safe as _xlsx_safe

    def text_of(cell: Any) -> str | None:
        return _excel_text(cell.value, getattr(cell, "number_format", "General") or "General")

    if hasattr(ws, "parent"):  # an openpyxl worksheet: its XML read in streaming mode
        found, merges = _xlsx_safe.read_sheet(
            ws, name, text_of, max_rows=MAX_ROWS, max_columns=MAX_COLUMNS
        )
    else:  # a sheet converted from .xls/.ods (perfscore.read.table_formats), already in memory
        found, merges = _plain_sheet(ws, name, text_of)
    for (row, col), text in (formulas or {}).items():
        # a formula without a cached value has no value to read: its text stands in (issue 17)
        if row <= MAX_ROWS and col <= MAX_COLUMNS:
            found.setdefault((row, col), text)
    values = {(row - 1, col - 1): text for (row, col), text in found.items()}
    copied: set[tuple[int, int]] = set()
    sideways: set[tuple[int, int]] = set()
    for min_row, min_col, max_row, max_col in merges:  # clipped and budgeted already
        top, left = min_row - 1, min_col - 1
        text = values[(top, left)]
        for r in range(top, max_row):
            for c in range(left, max_col):
                if (r, c) == (top, left):
                    continue
                values[(r, c)] = text
                copied.add((r, c))
                if c != left:
                    sideways.add((r, c))
    height = max((r for r, _c in values), default=-1) + 1
    width = max((c for _r, c in values), default=-1) + 1
    cells = tuple(tuple(values.get((r, c)) for c in range(width)) for r in range(height))
    return _Grid(name=name, cells=cells, copied=frozenset(copied), sideways=frozenset(sideways))
