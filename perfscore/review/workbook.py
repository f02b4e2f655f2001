"""The review workbook: a summary sheet, one sheet per form (computed beside reported), and one
sheet listing every finding.

Made to be filtered and printed, not only looked at:

- every table has a bold header row that stays in view (frozen panes) and an autofilter;
- scores are numbers formatted ``0.00``, rates (得分率) ``0.00%``; numbers are written as
  numbers (Decimal), never through float text;
- column widths follow the text's display width (a Chinese character counts two), within
  limits; message columns have their own width and wrap;
- each sheet prints on A4 landscape, fitted to the page width, with its header rows repeated
  on every page and “第 N 页，共 M 页” in the footer;
- rows and findings are filled by severity (错误 red, 警告 yellow, 提示 blue), and every sheet
  says so in a colour legend above its table.

Every text that came from input is written through :mod:`perfscore.render.safe_cells` (a string
cell, never a formula).
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal, localcontext
from typing import Any

from ..core.findings import CATALOGUE, SEVERITY_NAMES, SEVERITY_RANK
from ..errors import format_path
from ..render.safe_cells import append_row
from ..render.safe_text import cell_safe
from ..text.width import display_width
from .reports import UNSCORED, FormReview
from .summary import BatchReview

__all__ = ["FILLS", "FINDINGS_SHEET", "LEGEND", "SUMMARY_SHEET", "workbook_bytes"]

#: Background colours by severity.
FILLS = {"error": "FFC7CE", "warning": "FFEB9C", "info": "DDEBF7"}
#: What each colour means (the legend written on every sheet).
LEGEND = {
    "error": "计分或数据有误，应更正（整行着色：该行最严重的发现）",
    "warning": "可能有误，请核实",
    "info": "请留意，不一定有误",
}
SUMMARY_SHEET = "汇总"
FINDINGS_SHEET = "发现"
SCORE_FORMAT = "0.00"
RATE_FORMAT = "0.00%"
_BAD_TITLE = re.compile(r"[\[\]:*?/\\]")
_MIN_WIDTH, _MAX_WIDTH = 6, 48
_LINE_HEIGHT = 15  # points per line of 11-point text


class _Style:
    """openpyxl styles, made once per workbook (openpyxl is imported only when writing)."""

    def __init__(self) -> None:
        from openpyxl.styles import (  # type: ignore[import-untyped, unused-ignore]
            Alignment,
            Font,
            PatternFill,
        )

        self.fills = {k: PatternFill("solid", start_color=v, end_color=v) for k, v in FILLS.items()}
        self.bold = Font(bold=True)
        self.title = Font(bold=True, size=14)
        self.wrap = Alignment(wrap_text=True, vertical="top")
        self.top = Alignment(vertical="top")
        self.header = Alignment(wrap_text=True, vertical="center", horizontal="center")


def workbook_bytes(batch: BatchReview) -> bytes:
    """The workbook as bytes (write it with :func:`perfscore.render.io.atomic_write`)."""
    from openpyxl import Workbook  # type: ignore[import-untyped, unused-ignore]

    style = _Style()
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = SUMMARY_SHEET
    titles = _titles(batch.reviews)
    _summary_sheet(ws, batch, titles, style)
    for review, title in zip(batch.reviews, titles, strict=True):
        _form_sheet(wb.create_sheet(title), review, style)
    _findings_sheet(wb.create_sheet(FINDINGS_SHEET), batch, titles, style)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


# ------------------------------------------------------------------------- the sheets


def _summary_sheet(ws: Any, batch: BatchReview, titles: Sequence[str], style: _Style) -> None:
    s = batch.summary()
    append_row(ws, ["复核汇总"])
    ws["A1"].font = style.title
    append_row(ws, ["表单数", s["forms"]])
    append_row(ws, ["等级", "，".join(f"{g} {n}" for g, n in s["grades"].items())])
    found = s["findings"]
    append_row(
        ws, ["发现", f"错误 {found['error']}，警告 {found['warning']}，提示 {found['info']}"]
    )
    row = append_row(ws, ["涉及分值合计", s["points_at_stake"]])
    ws.cell(row, 2).number_format = SCORE_FORMAT
    _legend(ws, style)
    append_row(ws, [None])
    header = [
        "序号",
        "文件",
        "工作表",
        "单位",
        "等级",
        "计算总分",
        "自评总分",
        "得分率",
        "错误",
        "警告",
        "提示",
        "涉及分值",
        "问题代码",
    ]
    first = _header_row(ws, header, style)
    for i, (review, title) in enumerate(zip(batch.reviews, titles, strict=True), 1):
        c = review.counts
        ev = review.evaluation
        row = append_row(
            ws,
            [
                i,
                review.file,
                title,
                review.unit,
                review.grade or UNSCORED,
                None if ev is None else ev.total,
                review.reported_total,
                None if ev is None else _rate(ev.total, ev.total_weight),
                c["error"],
                c["warning"],
                c["info"],
                review.points_at_stake,
                "、".join(review.codes()),
            ],
        )
        _formats(ws, row, scores=(6, 7, 12), rates=(8,))
        if review.max_severity:
            for cell in ws[row]:
                cell.fill = style.fills[review.max_severity]
        ws.cell(row, 3).hyperlink = _link(title)
    _table(ws, first, len(header), wrapped={2: 36, 13: 40}, style=style)


def _form_sheet(ws: Any, review: FormReview, style: _Style) -> None:
    append_row(ws, [review.file])
    ws["A1"].font = style.bold
    ev = review.evaluation
    row = append_row(
        ws,
        [
            "单位",
            review.unit,
            "计算总分",
            None if ev is None else ev.total,
            "自评总分",
            review.reported_total,
            "等级",
            review.grade or UNSCORED,
        ],
    )
    _formats(ws, row, scores=(4, 6))
    if review.encoding:
        append_row(ws, ["文件编码", review.encoding])
    _legend(ws, style)
    append_row(ws, [None])
    header = [
        "指标",
        "年度指标值",
        "实际完成值",
        "分值",
        "自评得分",
        "计算得分",
        "差异",
        "得分率",
        "状态",
        "位置",
        "发现",
    ]
    first = _header_row(ws, header, style)
    by_place: dict[tuple[Any, ...], list[Any]] = {}
    for f in review.findings:
        by_place.setdefault((f.path, f.row or f.line), []).append(f)
    for item in review.items:
        place = item.row if item.row is not None else item.line
        found = by_place.get((item.path, place), [])
        row = append_row(
            ws,
            [
                format_path(item.path),
                item.target,
                item.actual,
                item.weight,
                item.reported,
                item.score,
                item.difference,
                _rate(item.score, item.weight),
                item.status,
                _place(item.row, item.line),
                "\n".join(f"[{SEVERITY_NAMES[f.severity]}] {f.message}" for f in found),
            ],
        )
        _formats(ws, row, scores=(5, 6, 7), rates=(8,))
        worst = max((f.severity for f in found), key=lambda x: SEVERITY_RANK[x], default=None)
        if worst is not None:
            for cell in ws[row]:
                cell.fill = style.fills[worst]
    _table(ws, first, len(header), wrapped={1: 36, 2: 18, 3: 18, 11: 60}, style=style)


def _findings_sheet(ws: Any, batch: BatchReview, titles: Sequence[str], style: _Style) -> None:
    append_row(ws, ["全部发现"])
    ws["A1"].font = style.title
    _legend(ws, style)
    append_row(ws, [None])
    header = ["序号", "工作表", "单位", "严重程度", "代码", "说明", "位置", "指标", "内容", "数值"]
    first = _header_row(ws, header, style)
    n = 0
    for review, title in zip(batch.reviews, titles, strict=True):
        for f in review.findings:
            n += 1
            row = append_row(
                ws,
                [
                    n,
                    title,
                    review.unit,
                    SEVERITY_NAMES.get(f.severity, f.severity),
                    f.code,
                    CATALOGUE[f.code].title if f.code in CATALOGUE else "",
                    _place(f.row, f.line),
                    format_path(f.path),
                    f.message,
                    "；".join(f"{k} {v}" for k, v in f.values),
                ],
            )
            ws.cell(row, 2).hyperlink = _link(title)
            ws.cell(row, 4).fill = style.fills.get(f.severity, style.fills["info"])
    _table(ws, first, len(header), wrapped={6: 24, 8: 30, 9: 60, 10: 30}, style=style)


# ------------------------------------------------------------------------- layout helpers


def _legend(ws: Any, style: _Style) -> None:
    """The colour legend: a row per severity, its name in a filled cell, then its meaning."""
    for severity, meaning in LEGEND.items():
        row = append_row(ws, [SEVERITY_NAMES[severity], f"颜色说明：{meaning}"])
        ws.cell(row, 1).fill = style.fills[severity]


def _header_row(ws: Any, header: Sequence[str], style: _Style) -> int:
    row = append_row(ws, header)
    for cell in ws[row]:
        cell.font = style.bold
        cell.alignment = style.header
    return row


def _formats(ws: Any, row: int, *, scores: Sequence[int] = (), rates: Sequence[int] = ()) -> None:
    for col in scores:
        ws.cell(row, col).number_format = SCORE_FORMAT
    for col in rates:
        ws.cell(row, col).number_format = RATE_FORMAT


def _table(
    ws: Any, header_row: int, columns: int, *, wrapped: dict[int, int], style: _Style
) -> None:
    """Freeze, filter, size and set up printing for the table whose header is ``header_row``.

    ``wrapped`` maps a column (1-based) to its fixed width; its cells wrap. The other columns
    are as wide as their widest text (display width), within limits.
    """
    from openpyxl.utils import get_column_letter  # type: ignore[import-untyped, unused-ignore]

    last_row = max(ws.max_row, header_row)
    last_col = get_column_letter(columns)
    ws.freeze_panes = ws.cell(header_row + 1, 2 if 1 in wrapped else 1)
    ws.auto_filter.ref = f"A{header_row}:{last_col}{last_row}"
    lines: dict[int, int] = {}
    for col in range(1, columns + 1):
        letter = get_column_letter(col)
        if col in wrapped:
            ws.column_dimensions[letter].width = wrapped[col]
            for r in range(header_row + 1, last_row + 1):
                ws.cell(r, col).alignment = style.wrap
                lines[r] = max(lines.get(r, 1), _lines(_shown(ws.cell(r, col)), wrapped[col]))
            continue
        texts = [_shown(ws.cell(r, col)) for r in range(header_row, last_row + 1)]
        widest = max((max(map(display_width, t.split("\n"))) for t in texts if t), default=0)
        ws.column_dimensions[letter].width = min(_MAX_WIDTH, max(_MIN_WIDTH, widest + 2))
        for r in range(header_row + 1, last_row + 1):
            ws.cell(r, col).alignment = style.top
    # Spreadsheet programs do not all grow a row for wrapped text on opening: set the height.
    for r, n in lines.items():
        if n > 1:
            ws.row_dimensions[r].height = _LINE_HEIGHT * n
    setup = ws.page_setup
    setup.orientation = "landscape"
    setup.paperSize = ws.PAPERSIZE_A4
    setup.fitToWidth = 1
    setup.fitToHeight = 0  # as many pages down as needed
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = f"{header_row}:{header_row}"
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = ws.page_margins.bottom = 0.6
    ws.oddFooter.center.text = "&A　第 &P 页，共 &N 页"


def _lines(text: str, width: int) -> int:
    """Lines ``text`` takes wrapped in a column ``width`` characters wide."""
    room = max(1, width - 1)
    return sum(max(1, -(-display_width(part) // room)) for part in text.split("\n")) if text else 1


def _shown(cell: Any) -> str:
    """Roughly what a cell shows: numbers as formatted, text as is."""
    value = cell.value
    if value is None:
        return ""
    if isinstance(value, Decimal | int | float) and not isinstance(value, bool):
        if cell.number_format == RATE_FORMAT:
            return f"{Decimal(str(value)) * 100:.2f}%"
        if cell.number_format == SCORE_FORMAT:
            return f"{Decimal(str(value)):.2f}"
    return str(value)


def _rate(score: Decimal | None, weight: Decimal | None) -> Decimal | None:
    """score ÷ weight to four places (shown as 0.00%), None when there is no weight."""
    if score is None or not weight:
        return None
    with localcontext() as ctx:
        ctx.prec = 28
        return (score / weight).quantize(Decimal("0.0001"), ROUND_HALF_UP)


def _link(title: str) -> str:
    return "#'" + title.replace("'", "''") + "'!A1"


def _place(row: int | None, line: int | None) -> str:
    if row is not None:
        return f"第 {row} 行"
    return "" if line is None else f"行 {line}"


def _titles(reviews: Sequence[FormReview]) -> list[str]:
    """Sheet titles: the file's stem, cleaned, at most 31 characters, unique as Excel compares
    them (ignoring case), never the reserved ``History``; a ``'`` inside is kept (links double
    it)."""
    seen: set[str] = {SUMMARY_SHEET.casefold(), FINDINGS_SHEET.casefold(), "history"}
    titles: list[str] = []
    for i, review in enumerate(reviews, 1):
        stem = review.file.replace("\\", "/").rsplit("/", 1)[-1].rsplit(".", 1)[0]
        base = _BAD_TITLE.sub("_", cell_safe(stem)).strip("' ") or f"表单{i}"
        title = base[:31].rstrip("'")
        n = 2
        while title.casefold() in seen:
            suffix = f"~{n}"
            title = base[: 31 - len(suffix)].rstrip("'") + suffix
            n += 1
        seen.add(title.casefold())
        titles.append(title)
    return titles
