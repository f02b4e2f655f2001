"""More table formats for :func:`perfscore.read.table.read_table`: ``.xls``, ``.ods``, UTF-16 text.

County offices still send Excel 97–2003 workbooks (``.xls``), LibreOffice and WPS users send
OpenDocument spreadsheets (``.ods``), and Excel's “Unicode 文本” export is UTF-16 with a BOM,
tab-separated. Each is turned into the same grid an ``.xlsx`` or CSV file gives, so the
layout recognition in :mod:`perfscore.read.table` reads them without knowing where they came from:

- **.xls** needs the optional extra ``perfscore[xls]`` (the `xlrd` package, which reads only
  ``.xls`` and is small and pure Python). Without it the file is refused with a message naming
  the extra and the “另存为 .xlsx” alternative. ``xlrd`` keeps each cell's number format, so a
  cell shown as ``88%`` is read as ``88%`` (not ``0.88``), exactly as from ``.xlsx``; merged
  ranges are filled as in ``.xlsx``.
- **.ods** is read with the standard library (a zip holding ``content.xml``): a cell's typed
  value (``office:value-type`` float, percentage, currency, date, boolean) is used where it
  has one, else its text; ``table:number-columns-spanned``/``-rows-spanned`` are merged ranges;
  repeated empty rows and columns are skipped without being stored. ``content.xml`` is capped
  (:data:`MAX_ODS_XML_BYTES`) before it is parsed.
- **UTF-16** text with a BOM (either byte order) is decoded and read as CSV (tab, comma or
  semicolon, whichever shows the indicator header); its encoding is reported as ``utf-16``.

The same caps as for ``.xlsx`` apply (rows, columns; the file size is checked before).
"""

from __future__ import annotations

import datetime as _dt
import io
import zipfile
from collections.abc import Iterator, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any, Final
from xml.etree import ElementTree

import attrs

from ..errors import LoadError

__all__ = ["MAX_ODS_XML_BYTES", "OTHER_SUFFIXES", "read_other"]

#: File name endings read here (besides UTF-16 text, found by its BOM whatever its name).
OTHER_SUFFIXES: Final = (".xls", ".et", ".ods")
#: The largest ``content.xml`` of an ``.ods`` file that is parsed (uncompressed bytes).
MAX_ODS_XML_BYTES: Final = 60_000_000

_OLE_MAGIC: Final = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ODS_MIME: Final = b"application/vnd.oasis.opendocument.spreadsheet"
_UTF16_BOMS: Final = (b"\xff\xfe", b"\xfe\xff")

_NS: Final = {
    "table": "urn:oasis:names:tc:opendocument:xmlns:table:1.0",
    "office": "urn:oasis:names:tc:opendocument:xmlns:office:1.0",
    "text": "urn:oasis:names:tc:opendocument:xmlns:text:1.0",
}


def _q(prefix: str, name: str) -> str:
    return f"{{{_NS[prefix]}}}{name}"


# ------------------------------------------------------------- a sheet as _sheet_grid wants it


@attrs.frozen
class _Cell:
    value: Any
    number_format: str = "General"


@attrs.frozen
class _Range:
    min_row: int  # 1-based, inclusive, as openpyxl's CellRange
    min_col: int
    max_row: int
    max_col: int


@attrs.frozen
class _Merged:
    ranges: tuple[_Range, ...]


@attrs.frozen
class _Sheet:
    """The few attributes of an openpyxl worksheet that ``_tabular._sheet_grid`` reads."""

    title: str
    _cells: dict[tuple[int, int], _Cell]
    merged_cells: _Merged


def read_other(raw: bytes, shown: str, template: str | None, sheet: str | None) -> Any | None:
    """A :class:`~perfscore.read.table_cells.TableRead` when ``raw`` is ``.xls``, ``.ods`` or UTF-16
    text; None for everything else (``read_table`` goes on as before)."""
    lower = shown.lower()
    if raw.startswith(_OLE_MAGIC) or lower.endswith((".xls", ".et")):
        return _read_sheets(_xls_sheets(raw, shown), shown, template, sheet)
    if _is_ods(raw) or lower.endswith(".ods"):
        return _read_sheets(_ods_sheets(raw, shown), shown, template, sheet)
    if raw.startswith(_UTF16_BOMS) and not raw.startswith(b"\xff\xfe\x00\x00"):  # not UTF-32
        return _read_utf16(raw, shown, template, sheet)
    return None


def _is_ods(raw: bytes) -> bool:
    # The first member of an OpenDocument zip is an uncompressed "mimetype" (offset 30 + 8).
    return raw.startswith(b"PK\x03\x04") and raw[30:38] == b"mimetype" and _ODS_MIME in raw[:200]


def _read_sheets(
    sheets: Sequence[_Sheet], shown: str, template: str | None, sheet: str | None
) -> Any:
    from .table_cells import _find_header, _no_header_error
    from .table_files import _sheet_grid
    from .table_grid import _read_grid

    chosen = list(sheets)
    if sheet is not None:
        chosen = [ws for ws in sheets if ws.title == sheet]
        if not chosen:
            names = "、".join(f"“{ws.title}”" for ws in sheets) or "（无）"
            raise LoadError(
                f"工作簿里没有名为“{sheet}”的工作表",
                file=shown,
                value=sheet,
                hint=f"现有工作表：{names}",
            )
    if not chosen:
        raise LoadError("工作簿里没有工作表", file=shown)
    first_error: LoadError | None = None
    for ws in chosen:
        grid = _sheet_grid(ws, f"{shown}[{ws.title}]")
        if _find_header(grid) is None:
            first_error = first_error or _no_header_error(grid)
            continue
        return _read_grid(grid, template, None)
    assert first_error is not None
    if len(chosen) > 1:
        first_error.message = "所有工作表中都找不到指标表的表头；" + first_error.message
        first_error.args = (first_error.message,)
    raise first_error


def _read_utf16(raw: bytes, shown: str, template: str | None, sheet: str | None) -> Any:
    from .table_files import _csv_grid
    from .table_grid import _read_grid

    if sheet is not None:
        raise LoadError(
            f"只有 Excel 工作簿（.xlsx）才能选择工作表，文本文件没有工作表“{sheet}”",
            file=shown,
            value=sheet,
        )
    try:
        text = raw.decode("utf-16")  # the BOM gives the byte order and is dropped
    except UnicodeDecodeError as exc:
        raise LoadError(
            f"文件以 UTF-16 的字节顺序标记开头，但第 {exc.start} 个字节起不是有效的 UTF-16 文本",
            file=shown,
            hint="请在 Excel 或 WPS 中另存为“CSV UTF-8（逗号分隔）”或 .xlsx",
        ) from exc
    return _read_grid(_csv_grid(text, shown), template, "utf-16")


# ------------------------------------------------------------------------------- .xls


def _xls_sheets(raw: bytes, shown: str) -> list[_Sheet]:
    from .table_cells import MAX_COLUMNS, MAX_ROWS

    try:
        import xlrd  # type: ignore[import-untyped, unused-ignore]
    except ImportError:
        raise LoadError(
            "读取旧版 Excel 文件（.xls）需要安装可选组件 xlrd",
            file=shown,
            expected="pip install 'perfscore[xls]'",
            hint="或在 Excel、WPS 中打开后“另存为” Excel 工作簿（.xlsx），或导出为 CSV",
        ) from None
    try:
        book = xlrd.open_workbook(file_contents=raw, formatting_info=True, on_demand=True)
    except Exception as exc:  # xlrd raises XLRDError, CompDocError, struct and index errors
        raise LoadError(
            f"无法读取 .xls 文件：文件已损坏或不是 Excel 97–2003 工作簿（{type(exc).__name__}）",
            file=shown,
            hint="请用 Excel 或 WPS 打开确认，再另存为 .xlsx",
        ) from exc
    try:
        sheets: list[_Sheet] = []
        for index in range(book.nsheets):
            ws = book.sheet_by_index(index)
            if ws.nrows > MAX_ROWS or ws.ncols > MAX_COLUMNS:
                raise LoadError(
                    f"工作表超过 {MAX_ROWS} 行或 {MAX_COLUMNS} 列的上限（{ws.nrows} 行 {ws.ncols} 列）",
                    file=f"{shown}[{ws.name}]",
                )
            cells: dict[tuple[int, int], _Cell] = {}
            for r in range(ws.nrows):
                for c in range(ws.ncols):
                    cell = _xls_cell(book, ws.cell(r, c), xlrd)
                    if cell is not None:
                        cells[(r + 1, c + 1)] = cell
            merged = tuple(
                _Range(rlo + 1, clo + 1, rhi, chi) for rlo, rhi, clo, chi in ws.merged_cells
            )
            sheets.append(_Sheet(ws.name, cells, _Merged(merged)))
        return sheets
    except LoadError:
        raise
    except Exception as exc:  # a malformed record deep in the file
        raise LoadError(
            f"无法读取 .xls 文件中的工作表（{type(exc).__name__}：{exc}）", file=shown
        ) from exc
    finally:
        book.release_resources()


def _xls_cell(book: Any, cell: Any, xlrd: Any) -> _Cell | None:
    kind = cell.ctype
    if kind in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK, xlrd.XL_CELL_ERROR):
        return None
    if kind == xlrd.XL_CELL_BOOLEAN:
        return _Cell(bool(cell.value))
    if kind == xlrd.XL_CELL_DATE:
        value = xlrd.xldate.xldate_as_datetime(cell.value, book.datemode)
        return _Cell(value)
    if kind == xlrd.XL_CELL_NUMBER:
        fmt = "General"
        xf = book.xf_list[cell.xf_index] if cell.xf_index is not None else None
        if xf is not None and xf.format_key in book.format_map:
            fmt = book.format_map[xf.format_key].format_str or "General"
        return _Cell(float(cell.value), fmt)
    return _Cell(str(cell.value))


# ------------------------------------------------------------------------------- .ods


def _ods_sheets(raw: bytes, shown: str) -> list[_Sheet]:
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            info = archive.getinfo("content.xml")
            if info.file_size > MAX_ODS_XML_BYTES:
                raise LoadError(
                    f"OpenDocument 表格的内容超过 {MAX_ODS_XML_BYTES // 1_000_000} MB 的上限",
                    file=shown,
                )
            with archive.open(info) as handle:
                content = handle.read(MAX_ODS_XML_BYTES + 1)
        if len(content) > MAX_ODS_XML_BYTES:  # the zip's stated size was wrong
            raise LoadError(
                f"OpenDocument 表格的内容超过 {MAX_ODS_XML_BYTES // 1_000_000} MB 的上限",
                file=shown,
            )
        root = ElementTree.fromstring(content)
    except LoadError:
        raise
    except Exception as exc:  # zipfile, KeyError (no content.xml), XML errors
        raise LoadError(
            f"无法读取 OpenDocument 表格（.ods）：文件已损坏或格式不对（{type(exc).__name__}）",
            file=shown,
            hint="请用 LibreOffice、WPS 或 Excel 打开确认，再另存为 .xlsx",
        ) from exc
    sheets: list[_Sheet] = []
    for table in root.iter(_q("table", "table")):
        name = table.get(_q("table", "name")) or f"Sheet{len(sheets) + 1}"
        cells: dict[tuple[int, int], _Cell] = {}
        merged: list[_Range] = []
        for r, row in _ods_rows(table, f"{shown}[{name}]"):
            c = 0
            for cell in row:
                repeat = _count(cell.get(_q("table", "number-columns-repeated")))
                value = _ods_value(cell) if cell.tag == _q("table", "table-cell") else None
                if value is None:
                    c += repeat
                    continue
                _check_size(r, c + repeat, f"{shown}[{name}]")
                for k in range(repeat):
                    cells[(r + 1, c + k + 1)] = value
                    rows_span = _count(cell.get(_q("table", "number-rows-spanned")))
                    cols_span = _count(cell.get(_q("table", "number-columns-spanned")))
                    if rows_span > 1 or cols_span > 1:
                        merged.append(_Range(r + 1, c + k + 1, r + rows_span, c + k + cols_span))
                c += repeat
        sheets.append(_Sheet(name, cells, _Merged(tuple(merged))))
    return sheets


def _ods_rows(table: ElementTree.Element, name: str) -> Iterator[tuple[int, ElementTree.Element]]:
    """(0-based row number, row element) of every row that has a cell with content."""
    r = 0
    row_tag = _q("table", "table-row")
    for row in table.iter(row_tag):
        repeat = _count(row.get(_q("table", "number-rows-repeated")))
        if any(_ods_value(cell) is not None for cell in row):
            _check_size(r + repeat, 0, name)
            for k in range(repeat):
                yield r + k, row
        r += repeat


def _check_size(rows: int, cols: int, name: str) -> None:
    from .table_cells import MAX_COLUMNS, MAX_ROWS

    if rows > MAX_ROWS or cols > MAX_COLUMNS:
        raise LoadError(
            f"工作表超过 {MAX_ROWS} 行或 {MAX_COLUMNS} 列的上限（第 {rows} 行第 {cols} 列有内容）",
            file=name,
        )


def _count(text: str | None) -> int:
    try:
        return max(1, int(text)) if text else 1
    except ValueError:
        return 1


def _ods_value(cell: ElementTree.Element) -> _Cell | None:
    kind = cell.get(_q("office", "value-type"))
    if kind in ("float", "percentage", "currency"):
        try:
            number = Decimal(cell.get(_q("office", "value")) or "")
        except InvalidOperation:
            number = None
        if number is not None and number.is_finite():
            return _Cell(number, "0%" if kind == "percentage" else "General")
    if kind == "boolean":
        return _Cell(cell.get(_q("office", "boolean-value")) == "true")
    if kind == "date":
        text = cell.get(_q("office", "date-value")) or ""
        try:
            return _Cell(_dt.datetime.fromisoformat(text))
        except ValueError:
            pass
    paragraphs = cell.findall(_q("text", "p"))
    if not paragraphs:
        return None
    text = "\n".join(_paragraph_text(p) for p in paragraphs)
    return _Cell(text) if text.strip() else None


def _paragraph_text(p: ElementTree.Element) -> str:
    """A ``text:p``'s text, with ``text:s`` (spaces), ``text:tab`` and line breaks."""
    parts = [p.text or ""]
    for child in p:
        if child.tag == _q("text", "s"):
            parts.append(" " * _count(child.get(_q("text", "c"))))
        elif child.tag == _q("text", "tab"):
            parts.append("\t")
        elif child.tag == _q("text", "line-break"):
            parts.append("\n")
        else:
            parts.append(_paragraph_text(child))
        parts.append(child.tail or "")
    return "".join(parts)
