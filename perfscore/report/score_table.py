"""``perfscore score FOLDER --format csv|xlsx``: one row per form, what a bureau pastes into its
own summary.

Columns: 序号, 文件, 行 (the form's line in a JSON Lines file), 单位, 年度, 模板, 模板名称,
总分, 等级, 自评总分, then one column per first-level indicator (the union over the batch, in
the order first met; a form without that indicator leaves it empty), then 错误 (the number of
problems that stopped a form) and 错误说明 (the first of them, located).

CSV is UTF-8 with a BOM in a file (Excel needs it to see UTF-8) and, with ``--bom``, on standard
output too; XLSX needs ``-o``. Every text goes through :mod:`perfscore.render.safe_cells`: a unit
named ``=HYPERLINK(…)`` stays text. Scores are numbers (XLSX: ``0.00``; CSV: fixed places).
Rows are kept until the end (the header lists first-level names from every form), a few hundred
bytes each; nothing else per form is kept.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

import attrs

__all__ = ["TABLE_FORMATS", "TableRow", "run_table", "table_csv", "table_rows", "table_xlsx"]

#: Batch formats that give one row per form.
TABLE_FORMATS = ("csv", "xlsx")
_FIXED = ("序号", "文件", "行", "单位", "年度", "模板", "模板名称", "总分", "等级", "自评总分")
_ERRORS = ("错误", "错误说明")


@attrs.frozen
class TableRow:
    """One form's row: what it is, its scores by first-level name, or its errors."""

    file: str
    line: int | None
    unit: str | None = None
    year: str | None = None
    template_id: str | None = None
    template_name: str | None = None
    total: Decimal | None = None
    grade: str | None = None
    reported_total: Decimal | None = None
    places: int = 2
    scores: tuple[tuple[str, Decimal], ...] = ()
    errors: int = 0
    first_error: str | None = None


def table_rows(outcomes: Iterable[Any]) -> Iterable[TableRow]:
    """A :class:`TableRow` per :class:`~perfscore.batch.Outcome`, in order."""
    from ..errors import flatten

    for outcome in outcomes:
        ev = outcome.evaluation
        if ev is None:
            flat = [e for err in outcome.errors for e in flatten(err)]
            first = f"{flat[0].kind}：{flat[0]}" if flat else None
            yield TableRow(outcome.file, outcome.line, errors=len(flat), first_error=first)
            continue
        yield TableRow(
            outcome.file,
            outcome.line,
            unit=ev.unit,
            year=ev.year,
            template_id=ev.template_id,
            template_name=ev.template_name,
            total=ev.total,
            grade=ev.grade,
            reported_total=ev.reported_total,
            places=ev.places,
            scores=tuple((item.name, item.score) for item in ev.items),
        )


def _columns(rows: Sequence[TableRow]) -> list[str]:
    names: dict[str, None] = {}
    for row in rows:
        for name, _score in row.scores:
            names.setdefault(name, None)
    return list(names)


def _values(i: int, row: TableRow, levels: Sequence[str]) -> list[object]:
    scores = dict(row.scores)
    return [
        i,
        row.file,
        row.line,
        row.unit,
        row.year,
        row.template_id,
        row.template_name,
        row.total,
        row.grade,
        row.reported_total,
        *(scores.get(name) for name in levels),
        row.errors,
        row.first_error,
    ]


def table_csv(rows: Sequence[TableRow]) -> str:
    """The rows as CSV text (CRLF line ends; encode with ``utf-8-sig`` for Excel)."""
    import csv
    import io

    from ..render.safe_cells import csv_row
    from ..text.display import fmt_fixed

    levels = _columns(rows)
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(csv_row([*_FIXED, *levels, *_ERRORS]))
    for i, row in enumerate(rows, 1):
        values = _values(i, row, levels)
        shown = [fmt_fixed(v, row.places) if isinstance(v, Decimal) else v for v in values]
        writer.writerow(csv_row(shown))
    return buf.getvalue()


def table_xlsx(rows: Sequence[TableRow]) -> bytes:
    """The rows as an XLSX workbook (one sheet 计分结果, frozen header, autofilter)."""
    import io

    from openpyxl import Workbook  # type: ignore[import-untyped, unused-ignore]

    from ..render.safe_cells import append_row
    from ..review.workbook import SCORE_FORMAT, _header_row, _Style, _table

    style = _Style()
    levels = _columns(rows)
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "计分结果"
    header = [*_FIXED, *levels, *_ERRORS]
    first = _header_row(ws, header, style)
    score_cols = [8, 10, *range(len(_FIXED) + 1, len(_FIXED) + len(levels) + 1)]
    for i, row in enumerate(rows, 1):
        r = append_row(ws, _values(i, row, levels))
        for col in score_cols:
            ws.cell(r, col).number_format = SCORE_FORMAT
    _table(ws, first, len(header), wrapped={len(header): 60}, style=style)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def run_table(args: argparse.Namespace, search: list[str] | None) -> int:
    """``perfscore score … --format csv|xlsx`` over a batch: the table, then the summary line."""
    from ..batch.progress import StreamProgress
    from ..batch.streams import ScoreSummary, score_stream
    from ..read.sources import iter_sources
    from ..render.io import atomic_write

    fmt = args.format
    to_stdout = args.output is None or args.output == "-"
    if fmt == "xlsx" and to_stdout:
        print(
            "perfscore: 用法错误：--format xlsx 需要用 -o 指定输出文件（如 -o 结果.xlsx）",
            file=sys.stderr,
        )
        return 2
    summary = ScoreSummary()
    progress = StreamProgress("计分", enabled=not args.no_progress)
    rows: list[TableRow] = []
    try:
        outcomes = score_stream(iter_sources(args.forms), search_path=search, jobs=args.jobs)
        for outcome in outcomes:
            summary.add(outcome)
            rows.extend(table_rows([outcome]))
            progress.step(outcome.where)
    finally:
        progress.done()
    if fmt == "xlsx":
        atomic_write(args.output, table_xlsx(rows))
    else:
        text = table_csv(rows)
        if to_stdout:
            sys.stdout.write(("\ufeff" if args.bom else "") + text)
        else:
            atomic_write(args.output, text.encode("utf-8-sig"))
    print(summary.text(), file=sys.stderr)
    return 1 if summary.failed else 0
