"""The review workbook: a summary sheet, then one sheet per form (computed beside reported).

Rows and findings are filled by severity (错误 red, 警告 yellow, 提示 blue) so a reviewer can
scan a sheet. Numbers are written as numbers (Decimal), never through float text.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from typing import Any

from ._findings import CATALOGUE, SEVERITY_NAMES, SEVERITY_RANK
from ._safe_text import cell_safe
from .errors import format_path
from .review import UNSCORED, BatchReview, FormReview

__all__ = ["FILLS", "workbook_bytes"]

#: Background colours by severity.
FILLS = {"error": "FFC7CE", "warning": "FFEB9C", "info": "DDEBF7"}
_BAD_TITLE = re.compile(r"[\[\]:*?/\\]")


def workbook_bytes(batch: BatchReview) -> bytes:
    """The workbook as bytes (write it with :func:`perfscore._io.atomic_write`)."""
    from openpyxl import Workbook  # type: ignore[import-untyped, unused-ignore]
    from openpyxl.styles import (  # type: ignore[import-untyped, unused-ignore]
        Alignment,
        Font,
        PatternFill,
    )

    fills = {k: PatternFill("solid", start_color=v, end_color=v) for k, v in FILLS.items()}
    bold = Font(bold=True)
    wrap = Alignment(wrap_text=True, vertical="top")

    wb = Workbook()
    ws = _CleanSheet(wb.active)  # control characters from input cells never fail the workbook
    ws.title = "汇总"
    s = batch.summary()
    ws.append(["复核汇总"])
    ws["A1"].font = Font(bold=True, size=14)
    ws.append(["表单数", s["forms"]])
    ws.append(["等级", "，".join(f"{g} {n}" for g, n in s["grades"].items())])
    found = s["findings"]
    ws.append(["发现", f"错误 {found['error']}，警告 {found['warning']}，提示 {found['info']}"])
    ws.append(["涉及分值合计", s["points_at_stake"]])
    ws.append([])
    header = [
        "序号",
        "文件",
        "工作表",
        "单位",
        "等级",
        "计算总分",
        "自评总分",
        "错误",
        "警告",
        "提示",
        "涉及分值",
        "问题代码",
    ]
    ws.append(header)
    for cell in ws[ws.max_row]:
        cell.font = bold
    titles = _titles(batch.reviews)
    for i, (review, title) in enumerate(zip(batch.reviews, titles, strict=True), 1):
        c = review.counts
        ws.append(
            [
                i,
                review.file,
                title,
                review.unit,
                review.grade or UNSCORED,
                None if review.evaluation is None else review.evaluation.total,
                review.reported_total,
                c["error"],
                c["warning"],
                c["info"],
                review.points_at_stake,
                "、".join(review.codes()),
            ]
        )
        if review.max_severity:
            for cell in ws[ws.max_row]:
                cell.fill = fills[review.max_severity]
        ws.cell(ws.max_row, 3).hyperlink = "#'{}'!A1".format(title.replace("'", "''"))
    _widths(ws, [6, 40, 16, 28, 8, 10, 10, 6, 6, 6, 10, 50])

    for review, title in zip(batch.reviews, titles, strict=True):
        _form_sheet(_CleanSheet(wb.create_sheet(title)), review, fills, bold, wrap)

    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _form_sheet(ws: Any, review: FormReview, fills: Any, bold: Any, wrap: Any) -> None:
    ws.append([review.file])
    ws["A1"].font = bold
    ev = review.evaluation
    ws.append(
        [
            "单位",
            review.unit,
            "计算总分",
            None if ev is None else ev.total,
            "自评总分",
            review.reported_total,
            "等级",
            review.grade or UNSCORED,
        ]
    )
    if review.encoding:
        ws.append(["文件编码", review.encoding])
    ws.append([])
    ws.append(
        [
            "指标",
            "年度指标值",
            "实际完成值",
            "分值",
            "自评得分",
            "计算得分",
            "差异",
            "状态",
            "位置",
            "发现",
        ]
    )
    for cell in ws[ws.max_row]:
        cell.font = bold
    by_place: dict[tuple[Any, ...], list[Any]] = {}
    for f in review.findings:
        by_place.setdefault((f.path, f.row or f.line), []).append(f)
    for item in review.items:
        place = item.row if item.row is not None else item.line
        found = by_place.get((item.path, place), [])
        ws.append(
            [
                format_path(item.path),
                item.target,
                item.actual,
                item.weight,
                item.reported,
                item.score,
                item.difference,
                item.status,
                _place(item.row, item.line),
                "\n".join(f"[{SEVERITY_NAMES[f.severity]}] {f.message}" for f in found),
            ]
        )
        worst = max((f.severity for f in found), key=lambda x: SEVERITY_RANK[x], default=None)
        if worst is not None:
            for cell in ws[ws.max_row]:
                cell.fill = fills[worst]
        ws.cell(ws.max_row, 10).alignment = wrap
    ws.append([])
    ws.append(["严重程度", "代码", "说明", "位置", "指标", "内容", "数值"])
    for cell in ws[ws.max_row]:
        cell.font = bold
    for f in review.findings:
        ws.append(
            [
                SEVERITY_NAMES.get(f.severity, f.severity),
                f.code,
                CATALOGUE[f.code].title if f.code in CATALOGUE else "",
                _place(f.row, f.line),
                format_path(f.path),
                f.message,
                "；".join(f"{k} {v}" for k, v in f.values),
            ]
        )
        ws.cell(ws.max_row, 1).fill = fills.get(f.severity, fills["info"])
        ws.cell(ws.max_row, 6).alignment = wrap
    _widths(ws, [44, 22, 22, 8, 10, 10, 8, 10, 10, 60])


def _place(row: int | None, line: int | None) -> str:
    if row is not None:
        return f"第 {row} 行"
    return "" if line is None else f"行 {line}"


def _titles(reviews: Sequence[FormReview]) -> list[str]:
    """Sheet titles: the file's stem, cleaned, at most 31 characters, unique as Excel compares
    them (ignoring case), never the reserved ``History``; a ``'`` inside is kept (links double
    it)."""
    seen: set[str] = {"汇总", "history"}
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


class _CleanSheet:
    """A worksheet whose appended rows lose the characters a workbook cannot hold."""

    def __init__(self, ws: Any) -> None:
        object.__setattr__(self, "_ws", ws)
        object.__setattr__(self, "_width", 0)

    def append(self, row: Sequence[Any]) -> None:
        self._ws.append([cell_safe(v) for v in row])
        object.__setattr__(self, "_width", max(self._width, len(row)))

    @property
    def max_row(self) -> int:
        # openpyxl's max_row scans every cell: asked once a row, the workbook was quadratic
        # (21,000 leaves: 204 s). Rows are only appended here, so the last appended is it.
        return int(self._ws._current_row) or int(self._ws.max_row)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._ws, name)

    def __getitem__(self, key: Any) -> Any:
        if isinstance(key, int) and self._width:  # a row: as wide as the widest appended
            return tuple(self._ws.cell(key, c) for c in range(1, self._width + 1))
        return self._ws[key]

    def __setattr__(self, name: str, value: Any) -> None:
        setattr(self._ws, name, value)


def _widths(ws: Any, widths: Sequence[int]) -> None:
    from openpyxl.utils import get_column_letter  # type: ignore[import-untyped, unused-ignore]

    for i, width in enumerate(widths, 1):
        ws.column_dimensions[get_column_letter(i)].width = width
