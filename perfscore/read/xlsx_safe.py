"""Reading an XLSX workbook within the table limits, before anything is expanded.

A 5 KB workbook can declare a merged range over all 17 billion cells of a sheet, ten million
rows, or a zip member that inflates to gigabytes. openpyxl's normal mode builds every cell of a
merged range; so this module

1. checks the zip archive first: the declared uncompressed size of every member and of all of
   them (:data:`MAX_UNZIPPED`), and the compression ratio of large members
   (:data:`MAX_RATIO`); an encrypted (password-protected) workbook is named as such;
2. scans each sheet it is asked for as a stream of XML events, counting cells and stopping at
   the row/column/cell limits (:data:`MAX_CELLS` counts every ``<c>`` element, empty or not);
   merged ranges are collected, clipped to the area that holds content, and the cells they
   would fill are counted against :data:`MAX_MERGED_CELLS`;
3. reads the values with openpyxl in read-only (streaming) mode, without padding rows.

Every refusal is a :class:`~perfscore.errors.LoadError` naming the file, the sheet and, where
there is one, the row and column.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable, Iterator
from typing import Any, Final
from xml.etree.ElementTree import iterparse

from ..errors import LoadError

__all__ = [
    "MAX_CELLS",
    "MAX_MERGED_CELLS",
    "MAX_RATIO",
    "MAX_ROW_ELEMENTS",
    "MAX_UNZIPPED",
    "SheetCells",
    "encrypted",
    "open_workbook",
    "read_sheet",
    "sheet_order",
]

#: Declared uncompressed size of the whole archive (bytes).
MAX_UNZIPPED: Final = 200_000_000
#: Compression ratio above which a member larger than :data:`_RATIO_FLOOR` is a bomb.
MAX_RATIO: Final = 200
_RATIO_FLOOR: Final = 5_000_000
#: ``<c>`` elements (cells, empty ones included) in one sheet.
MAX_CELLS: Final = 1_000_000
#: Cells that merged ranges may fill in one sheet, after clipping to the used area.
MAX_MERGED_CELLS: Final = 200_000
#: Merged ranges in one sheet.
_MAX_MERGES: Final = 50_000
_EXCEL_COLUMNS: Final = 16_384
#: ``<row>`` elements in one sheet (empty, formatted rows included).
MAX_ROW_ELEMENTS: Final = 100_000

_MAIN: Final = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REF: Final = re.compile(r"([A-Za-z]{1,3})(\d{1,7})")

#: (row, column) → the openpyxl cell (1-based) of one sheet, and its merged ranges clipped.
SheetCells = tuple[dict[tuple[int, int], Any], list[tuple[int, int, int, int]]]


def encrypted(raw: bytes) -> bool:
    """Whether an OLE compound file is an encrypted (password-protected) OOXML workbook."""
    return raw.startswith(b"\xd0\xcf\x11\xe0") and (
        "EncryptedPackage".encode("utf-16-le") in raw[:1_000_000]
        or "EncryptionInfo".encode("utf-16-le") in raw[:1_000_000]
    )


def _check_archive(raw: bytes, shown: str) -> None:
    try:
        archive = zipfile.ZipFile(io.BytesIO(raw))
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise LoadError(
            f"无法读取 Excel 文件：文件已损坏或不是 .xlsx 格式（{type(exc).__name__}）",
            file=shown,
            hint="请用 Excel 或 WPS 打开确认，再另存为 .xlsx",
        ) from exc
    total = 0
    with archive:
        for info in archive.infolist():
            total += info.file_size
            if info.flag_bits & 0x1:
                raise LoadError(
                    "Excel 文件中的部件已加密，无法读取", file=shown, value=info.filename
                )
            ratio = info.file_size / max(1, info.compress_size)
            if info.file_size > _RATIO_FLOOR and ratio > MAX_RATIO:
                raise LoadError(
                    f"Excel 文件中的部件解压后过大（压缩比 {ratio:.0f}:1，超过 {MAX_RATIO}:1 的上限），"
                    "疑似压缩炸弹，不读取",
                    file=shown,
                    value=info.filename,
                )
            if total > MAX_UNZIPPED:
                raise LoadError(
                    f"Excel 文件解压后超过 {MAX_UNZIPPED // 1_000_000} MB 的上限，不像是一张自评表",
                    file=shown,
                    value=info.filename,
                )


def open_workbook(raw: bytes, shown: str) -> Any:
    """The workbook in ``raw`` opened in read-only mode, after the archive checks."""
    import openpyxl  # type: ignore[import-untyped]

    _check_archive(raw, shown)
    try:
        return openpyxl.load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises zipfile, KeyError, XML and value errors alike
        raise LoadError(
            f"无法读取 Excel 文件：文件已损坏或不是 .xlsx 格式（{type(exc).__name__}）",
            file=shown,
            hint="请用 Excel 或 WPS 打开确认，再另存为 .xlsx",
        ) from exc


def sheet_order(workbook: Any) -> list[Any]:
    """The sheets a person sees, the one shown on opening first: the active sheet when it is
    visible, then the other visible sheets in their order. Hidden sheets are left out."""
    sheets = list(workbook.worksheets)
    visible = [ws for ws in sheets if getattr(ws, "sheet_state", "visible") == "visible"]
    try:
        active = workbook.active
    except (IndexError, AttributeError):  # pragma: no cover - a workbook view out of range
        active = None
    if active is not None and active in visible:
        visible.remove(active)
        visible.insert(0, active)
    return visible


def _column(letters: str) -> int:
    number = 0
    for ch in letters.upper():
        number = number * 26 + ord(ch) - 64
    return number


def _ref(text: str) -> tuple[int, int] | None:
    match = _REF.fullmatch(text.strip().replace("$", ""))
    if match is None:
        return None
    return int(match.group(2)), _column(match.group(1))


def _scan(ws: Any, name: str, max_rows: int, max_columns: int) -> list[tuple[int, int, int, int]]:
    """Count the sheet's cells as a stream; return its merged ranges (unclipped)."""
    merges: list[tuple[int, int, int, int]] = []
    cells = rows = in_row = 0
    row_tag, cell_tag, merge_tag = f"{_MAIN}row", f"{_MAIN}c", f"{_MAIN}mergeCell"
    value_tags = (f"{_MAIN}v", f"{_MAIN}is")
    row = 0
    with ws.parent._archive.open(ws._worksheet_path) as source:
        for event, element in iterparse(source, events=("start", "end")):
            tag = element.tag
            if event == "start":
                if tag == row_tag:
                    rows += 1
                    in_row = 0
                    try:
                        row = int(element.get("r", row + 1))
                    except ValueError:
                        row += 1
                    if rows > MAX_ROW_ELEMENTS:
                        raise LoadError(
                            f"工作表的行超过 {MAX_ROW_ELEMENTS} 个的上限（含空行），不读取",
                            file=name,
                            line=row,
                        )
                continue
            if tag == cell_tag:
                cells += 1
                in_row += 1
                if in_row > _EXCEL_COLUMNS:
                    raise LoadError(
                        f"工作表第 {row} 行的单元格超过 Excel 的 {_EXCEL_COLUMNS} 列，文件已损坏或被篡改",
                        file=name,
                        line=row or None,
                    )
                if cells > MAX_CELLS:
                    raise LoadError(
                        f"工作表的单元格超过 {MAX_CELLS} 个的上限（含空单元格），不读取",
                        file=name,
                        line=row or None,
                    )
                where = _ref(element.get("r", ""))
                if where is not None and any(
                    child.tag in value_tags and (child.text or len(child)) for child in element
                ):
                    r, c = where
                    if r > max_rows or c > max_columns:
                        raise LoadError(
                            f"工作表超过 {max_rows} 行或 {max_columns} 列的上限"
                            f"（第 {r} 行第 {c} 列有内容）",
                            file=name,
                            line=r,
                            column=c,
                        )
                element.clear()
            elif tag == row_tag:
                element.clear()
            elif tag == merge_tag:
                parts = element.get("ref", "").split(":")
                first, last = _ref(parts[0]), _ref(parts[-1])
                if first is not None and last is not None:
                    merges.append((*first, *last))
                    if len(merges) > _MAX_MERGES:
                        raise LoadError(
                            f"工作表的合并单元格超过 {_MAX_MERGES} 处的上限，不读取", file=name
                        )
                element.clear()
    return merges


def read_sheet(
    ws: Any,
    name: str,
    text_of: Callable[[Any], str | None],
    *,
    max_rows: int,
    max_columns: int,
) -> tuple[dict[tuple[int, int], str], list[tuple[int, int, int, int]]]:
    """The sheet's non-empty cells as text, 1-based (row, column), and its merged ranges
    clipped to the used area (min_row, min_col, max_row, max_col), within every limit."""
    from openpyxl.cell.read_only import ReadOnlyCell  # type: ignore[import-untyped]
    from openpyxl.worksheet._reader import WorkSheetParser  # type: ignore[import-untyped]

    try:
        merges = _scan(ws, name, max_rows, max_columns)
    except LoadError:
        raise
    except Exception as exc:  # a malformed sheet part
        raise LoadError(f"无法读取工作表（{type(exc).__name__}：{exc}）", file=name) from exc
    values: dict[tuple[int, int], str] = {}
    workbook = ws.parent
    with workbook._archive.open(ws._worksheet_path) as source:
        parser = WorkSheetParser(
            source,
            workbook.shared_strings,
            data_only=True,
            epoch=workbook.epoch,
            date_formats=workbook._date_formats,
            timedelta_formats=workbook._timedelta_formats,
        )
        for _index, row in _rows(parser):
            for cell in row:
                if cell.get("value") is None:
                    continue
                text = text_of(ReadOnlyCell(ws, **cell))
                if text is None:
                    continue
                r, c = cell["row"], cell["column"]
                if r > max_rows or c > max_columns:  # a cell without a reference, counted on
                    raise LoadError(
                        f"工作表超过 {max_rows} 行或 {max_columns} 列的上限（第 {r} 行第 {c} 列有内容）",
                        file=name,
                        line=r,
                        column=c,
                    )
                values[(r, c)] = text
    return values, _clip(merges, values, name)


def _rows(parser: Any) -> Iterator[tuple[int, list[dict[str, Any]]]]:
    yield from parser.parse()


def _clip(
    merges: list[tuple[int, int, int, int]], values: dict[tuple[int, int], str], name: str
) -> list[tuple[int, int, int, int]]:
    """Merged ranges whose top-left holds text, clipped to the area with content; the cells
    they fill are budgeted (overlapping ranges count every time)."""
    if not values:
        return []
    height = max(r for r, _c in values)
    width = max(c for _r, c in values)
    out: list[tuple[int, int, int, int]] = []
    filled = 0
    for top, left, last_row, last_col in merges:
        if (top, left) not in values:
            continue
        bottom, right = min(last_row, height), min(last_col, width)
        if bottom < top or right < left:
            continue
        filled += (bottom - top + 1) * (right - left + 1) - 1
        if filled > MAX_MERGED_CELLS:
            raise LoadError(
                f"合并单元格覆盖的范围过大（超过 {MAX_MERGED_CELLS} 个单元格的上限），不读取",
                file=name,
                line=top,
                column=left,
                value=f"{_letters(left)}{top}:{_letters(right)}{bottom}（已截到有内容的区域）",
            )
        out.append((top, left, bottom, right))
    return out


def _letters(column: int) -> str:
    out = ""
    while column:
        column, rest = divmod(column - 1, 26)
        out = chr(65 + rest) + out
    return out


def name_sheet(
    read: Any,
    ws: Any,
    sheets: list[Any],
    shown: str,
    grid_of: Callable[[Any, str], Any],
    header_of: Callable[[Any], Any],
) -> Any:
    """``read`` (a TableRead) with the sheet named, and when other sheets (hidden ones too)
    also have an indicator header, a ``sheet_read`` note naming the sheet read and them."""
    import attrs

    from ..core.findings import severity_of
    from ..core.result import Finding

    others: list[str] = []
    for other in sheets:
        if other is ws:
            continue
        try:
            has_header = header_of(grid_of(other, f"{shown}[{other.title}]")) is not None
        except LoadError:
            has_header = False
        if has_header:
            hidden = "（隐藏）" if getattr(other, "sheet_state", "visible") != "visible" else ""
            others.append(f"“{other.title}”{hidden}")
    if not others:  # no doubt which sheet is the form; every location names it anyway
        return attrs.evolve(read, sheet=ws.title)
    message = (
        f"读取的是工作表“{ws.title}”；工作表 {'、'.join(others)} 也像自评表，"
        "未读取（可用 --sheet 选择）"
    )
    note = Finding(
        code="sheet_read",
        severity=severity_of("sheet_read"),
        message=message,
        values=(("工作表", ws.title),),
        file=shown,
    )
    return attrs.evolve(read, problems=(note, *read.problems), sheet=ws.title)
