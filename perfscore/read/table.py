"""Reading published self-evaluation tables (CSV or XLSX) into the form data shape.

Finance staff keep 预算绩效自评表 in Excel, laid out like 附件2/附件3 of the published forms: a
head (title with the year, the unit's name), a budget block (年初预算数 / 全年预算数 / 全年执行数 /
分值 / 执行率 / 得分, then "其中" rows), the goals, and the indicator table (一级指标 / 二级指标 /
三级指标 / 年度指标值 / 实际完成值 / 分值 / 得分 / 偏差原因分析及改进措施) ending in a 总分 row.
:func:`read_table` turns such a sheet into the same plain data a form YAML file gives
(``kind: form``; see spec FORMAT.md), wrapped in a :class:`~perfscore.read.yaml_document.Document` whose
positions are spreadsheet (row, column) pairs, so every later error points at a row.

It is lenient about layout and strict about accounting:

* Columns are found by their header text (with synonyms: 分值/权重, 得分/自评得分/评分,
  实际完成值/完成值/全年实际值/实际值, 年度指标值/指标值/年初目标值/年度目标值, …), never by
  position. Header text is normalised (NFKC, whitespace and line breaks removed, trailing
  annotations such as ``（分）`` or ``（万元）`` dropped). The header row may be anywhere in the
  first 30 rows, and may be followed by a second header row (``指标性质 | 指标值 | 度量单位``
  under a merged ``年度指标值``). Split target columns are joined: ``≥`` + ``50`` + ``个`` →
  ``≥50个``; ``定性`` + ``达成`` → ``达成``.
* Merged cells are filled with their top-left value, but a value copied sideways from another
  column never counts as a field of this column (a merged ``总分`` over the name columns is a
  label, not an indicator name). 一级/二级 cells left blank are carried down from the row above.
* Every input row is accounted for in :attr:`TableRead.rows` with one of :data:`ROW_KINDS`:

  ``header``      the form's head (title → ``year``, unit name → ``unit``, 模板 → ``template``)
                  and the column-header rows of the budget block and the indicator table;
  ``budget``      rows of the budget block (see below);
  ``indicator``   a third-level indicator → ``indicators.<一级>.<二级>[i]``;
  ``breakdown``   a row whose 三级指标 starts with 其中 (a detail of the row above; never counted);
  ``parent_sum``  a row without a 三级指标 whose 分值 (or 得分) equals the sum of the indicators
                  of its 二级 (or 一级) group: a subtotal, not an indicator;
  ``total``       the 总分/合计 row (also when its label is missing, as in the seed, where it is
                  an image: then its 分值 must be 100 or the sum of all 分值) → ``reported_total``;
  ``blank``       empty rows, placeholder rows (``……``, ``/``) and rows that only repeat the
                  一级/二级 names of an empty template row;
  ``note``        free text: goals (年度总体目标), 填表人, 备注, 说明, page numbers, anything after
                  the total row;
  ``unreadable``  a row with values that cannot be placed (no 三级指标 name and not a subtotal
                  or total; no 一级/二级 to place it under). Each also yields a ``row_unreadable``
                  :class:`~perfscore.result.Finding` in :attr:`TableRead.problems`.

* Values are kept as text exactly as written (weights such as ``五分`` too: checking them is the
  schema's job). Numbers from XLSX become exact text: ints as is, floats through 15 significant
  digits (Excel's precision; ``4073.53`` stays ``"4073.53"``), percent-formatted cells as
  ``"255.76%"``. Empty cells and placeholders are omitted.

Decisions (documented for the callers):

* Budget block. The 年度资金总额 (or 合计/总额, or the first unlabelled) data row gives
  ``budget.{年初预算数, 全年预算数, 全年执行数, 分值, 执行率, 得分}`` (得分 also from 自评得分).
  Other data rows (附件3: ``其中：当年财政拨款``, ``上年结转资金``, ``其他资金``) go to
  ``budget.资金来源.<名称>.{年初预算数, …}``, so their sums can be checked against the totals.
  ``label：value`` cells (附件2: ``其中：一般公共预算：2490.44``) go to ``budget.收入`` or
  ``budget.支出`` by the ``按收入性质分`` / ``按支出性质分`` column they sit under (by the
  words 支出/经费 when there is no such heading). The amount unit comes from ``（万元）`` in
  the block's labels, or ``单位：万元``.
* The budget row's 得分 is the reported score of the fixed ``预算执行率`` indicator, so it is
  also written as ``indicators.预算执行率: {reported: …}`` (as in the YAML examples) unless the
  table itself has a 预算执行率 group.
* Duplicate names. Two indicators with one name under one 二级 are both renamed
  ``名称（年度指标值）``, e.g. ``环境质量提升（辖区应清理的垃圾全面清理完毕）``; when that is still
  not unique (or there is no target) ``名称（第N行）``. The row's record says so.
* A row with no 三级指标 name right under an indicator of the same group, with its 一级/二级
  blank and a 年度指标值 of its own, is read as the lower half of a vertically merged name cell
  (what a CSV export of a merged cell looks like): it takes the name of the row above and the
  duplicate rule applies. Anything else without a name is ``unreadable``.
* Rows are numbered as a spreadsheet shows them: 1-based sheet rows for XLSX, 1-based records
  for CSV (a quoted cell with line breaks is one record). Trailing empty XLSX rows are ignored.
* A row with a 一级指标 of its own, no 二级/三级 and values (some local forms list
  ``预算执行率 | | | 100% | 98% | 10 | 9.8`` in the table), under which no third-level
  indicator appears, is the fixed template leaf ``indicators.<一级>: {target, actual, weight,
  reported}`` (kind ``indicator``).
* ``template`` is always present: the caller's, else a 模板 cell's, else None (the schema then
  asks for one).
* No ``goals``: the 年度总体目标 rows are recorded as notes.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

import attrs

from ..core.findings import severity_of
from ..core.result import Finding
from ..errors import LoadError
from .table_cells import (
    TableRead,
    _find_header,
    _no_header_error,
)
from .table_files import _csv_grid, _decode_csv, _read_bytes, _sheet_grid

if TYPE_CHECKING:
    from .table_cells import _Grid

from .table_grid import _read_grid

__all__ = ["read_table"]


def read_table(
    source: str | os.PathLike[str], *, template: str | None = None, sheet: str | None = None
) -> TableRead:
    """Read a self-evaluation table (``.csv``/``.tsv``/``.txt``, ``.xlsx``/``.xlsm``, and through
    :mod:`perfscore.read.table_formats` ``.xls`` (extra ``perfscore[xls]``), ``.ods`` and UTF-16 text).

    ``template`` is written into the form as its ``template`` (else one named in the sheet
    by a 模板 cell is used, else None). ``sheet`` picks an XLSX sheet by name; by default the
    first sheet with an indicator header is read. Raises
    :class:`~perfscore.errors.LoadError` for a file that cannot be read at all (missing,
    too large, ``.xls`` without the extra, corrupt, an unknown encoding, no indicator header); rows that cannot
    be read are reported in :attr:`TableRead.problems` instead.
    """
    if not isinstance(source, str | os.PathLike):
        raise LoadError(
            f"read_table 需要文件路径（str 或 os.PathLike），而不是 {type(source).__name__}",
            value=source,
            expected="文件路径",
        )
    path = os.fspath(source)
    shown = path if isinstance(path, str) else os.fsdecode(path)
    raw = _read_bytes(path, shown)
    lower = shown.lower()
    from .xlsx_safe import encrypted

    if encrypted(raw):  # an OLE file too, but a password-protected .xlsx, not an old .xls
        raise LoadError(
            "Excel 文件已加密（设置了打开密码），无法读取",
            file=shown,
            hint="请在 Excel 或 WPS 中取消密码（文件 › 信息 › 保护工作簿）后另存为 .xlsx",
        )
    from .table_formats import read_other  # .xls, .ods, UTF-16 text

    other: TableRead | None = read_other(raw, shown, template, sheet)
    if other is not None:
        return other
    if raw.startswith(b"PK\x03\x04") or lower.endswith((".xlsx", ".xlsm")):
        return _read_xlsx(raw, shown, template, sheet)
    if sheet is not None:
        raise LoadError(
            f"只有 Excel 工作簿（.xlsx）才能选择工作表，CSV 文件没有工作表“{sheet}”",
            file=shown,
            value=sheet,
        )
    text, encoding = _decode_csv(raw, shown)
    grid = _csv_grid(text, shown)
    read = _read_grid(grid, template, encoding)
    if grid.split:  # rows an unmatched quote had swallowed: read, and said
        problems = sorted((*_quote_findings(grid), *read.problems), key=lambda p: p.row or 0)
        read = attrs.evolve(read, problems=tuple(problems))
    return read


def _quote_findings(grid: _Grid) -> tuple[Finding, ...]:
    return tuple(
        Finding(
            code="row_unreadable",
            severity=severity_of("row_unreadable"),
            message=(
                f'第 {first} 行的引号（"）不成对，第 {first}–{end} 行曾被读成同一个单元格；'
                "已按行分开读取，请核对这几行并修正引号"
            ),
            values=(("行", f"{first}–{end}"),),
            file=grid.name,
            line=row + 1,
            row=row + 1,
        )
        for row, first, end in grid.split
    )


def _read_xlsx(raw: bytes, shown: str, template: str | None, sheet: str | None) -> TableRead:
    from . import (
        xlsx_safe as _xlsx_safe,  # zip checks, streaming, merged-cell budget: before expanding
    )

    workbook = _xlsx_safe.open_workbook(raw, shown)
    try:
        sheets = list(workbook.worksheets)
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
            candidates = chosen
        else:
            candidates = _xlsx_safe.sheet_order(workbook)  # what a person sees, active first
        if not sheets:
            raise LoadError("工作簿里没有工作表", file=shown)
        if not candidates:
            raise LoadError(
                "工作簿里没有可见的工作表（都已隐藏）", file=shown, hint="可用 sheet 参数指定"
            )
        first_error: LoadError | None = None
        for ws in candidates:
            from .xlsx_formulas import uncached_formulas

            formulas = uncached_formulas(raw, ws.title)
            grid = _sheet_grid(ws, f"{shown}[{ws.title}]", formulas)
            if _find_header(grid) is None:
                first_error = first_error or _no_header_error(grid)
                continue
            read = attrs.evolve(_read_grid(grid, template, None), formulas=formulas)
            if len(sheets) == 1 or sheet is not None:
                return attrs.evolve(read, sheet=ws.title)
            named: TableRead = _xlsx_safe.name_sheet(
                read, ws, sheets, shown, _sheet_grid, _find_header
            )
            return named
        assert first_error is not None
        if len(candidates) > 1:
            first_error.message = "所有工作表中都找不到指标表的表头；" + first_error.message
            first_error.args = (first_error.message,)
        raise first_error
    except LoadError:
        raise
    except Exception as exc:  # pragma: no cover - defensive: a malformed sheet part
        raise LoadError(
            f"无法读取 Excel 文件中的工作表（{type(exc).__name__}：{exc}）", file=shown
        ) from exc
    finally:
        workbook.close()
