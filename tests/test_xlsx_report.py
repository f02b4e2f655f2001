"""The review workbook filters and prints (issue 18.4).

Read back with openpyxl: frozen headers, an autofilter over every table, number formats, widths
by display width, wrapped message columns with their own widths, A4 landscape fitted to the
width with repeated title rows, and a colour legend. Then rendered by LibreOffice to PDF (and
the first page to PNG): every page of a sheet repeats its header and no table is split across
pages sideways.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from perfscore.review import review_batch
from perfscore.review.workbook import (
    FILLS,
    FINDINGS_SHEET,
    LEGEND,
    RATE_FORMAT,
    SCORE_FORMAT,
    SUMMARY_SHEET,
    workbook_bytes,
)
from perfscore.text.width import display_width

ROOT = Path(__file__).resolve().parent.parent
FORMS = [
    ROOT / "examples" / "yueyanglou-2023" / "unit-self-evaluation.yaml",
    ROOT / "examples" / "review" / "messy-merged.xlsx",
    ROOT / "examples" / "review" / "targets.yaml",
]


@pytest.fixture(scope="module")
def book_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("book") / "复核.xlsx"
    path.write_bytes(workbook_bytes(review_batch(FORMS)))
    return path


@pytest.fixture(scope="module")
def wb(book_path: Path) -> Any:
    from openpyxl import load_workbook

    return load_workbook(book_path)


def _header_row(ws: Any, first: str) -> int:
    return next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == first)


def test_sheets(wb: Any) -> None:
    names = wb.sheetnames
    assert (names[0], names[-1]) == (SUMMARY_SHEET, FINDINGS_SHEET)
    assert set(names[1:-1]) == {"unit-self-evaluation", "messy-merged", "targets"}


@pytest.mark.parametrize(
    ("sheet", "first"),
    [(SUMMARY_SHEET, "序号"), ("unit-self-evaluation", "指标"), (FINDINGS_SHEET, "序号")],
)
def test_every_table_is_frozen_filtered_and_printable(wb: Any, sheet: str, first: str) -> None:
    ws = wb[sheet]
    header = _header_row(ws, first)
    assert ws.freeze_panes in (f"A{header + 1}", f"B{header + 1}")
    last = ws.cell(header, ws.max_column).column_letter
    assert ws.auto_filter.ref == f"A{header}:{last}{ws.max_row}"
    assert all(ws.cell(header, c).font.bold for c in range(1, ws.max_column + 1))
    assert ws.page_setup.orientation == "landscape"
    assert int(ws.page_setup.paperSize) == int(ws.PAPERSIZE_A4) == 9
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert (ws.page_setup.fitToWidth, ws.page_setup.fitToHeight) == (1, 0)
    assert ws.print_title_rows.replace("$", "") == f"{header}:{header}"
    assert "&P" in ws.oddFooter.center.text


@pytest.mark.parametrize("sheet", [SUMMARY_SHEET, "unit-self-evaluation", FINDINGS_SHEET])
def test_colour_legend(wb: Any, sheet: str) -> None:
    ws = wb[sheet]
    legend = {
        ws.cell(r, 1).value: (ws.cell(r, 1).fill.start_color.rgb, ws.cell(r, 2).value)
        for r in range(1, 12)
        if isinstance(ws.cell(r, 2).value, str) and ws.cell(r, 2).value.startswith("颜色说明")
    }
    assert set(legend) == {"错误", "警告", "提示"}
    for name, severity in (("错误", "error"), ("警告", "warning"), ("提示", "info")):
        assert legend[name][0].endswith(FILLS[severity])
        assert LEGEND[severity] in legend[name][1]


def test_number_formats(wb: Any) -> None:
    ws = wb["unit-self-evaluation"]
    header = _header_row(ws, "指标")
    names = [ws.cell(header, c).value for c in range(1, ws.max_column + 1)]
    score, rate = names.index("计算得分") + 1, names.index("得分率") + 1
    row = next(
        r
        for r in range(header + 1, ws.max_row + 1)
        if str(ws.cell(r, 1).value).endswith("群众满意度")
    )
    assert ws.cell(row, score).number_format == SCORE_FORMAT
    assert Decimal(str(ws.cell(row, score).value)) == Decimal("9.69")
    assert ws.cell(row, rate).number_format == RATE_FORMAT
    assert Decimal(str(ws.cell(row, rate).value)) == Decimal("0.9690")  # 9.69 of 10
    summary = wb[SUMMARY_SHEET]
    h = _header_row(summary, "序号")
    cols = {summary.cell(h, c).value: c for c in range(1, summary.max_column + 1)}
    for r in range(h + 1, summary.max_row + 1):
        assert summary.cell(r, cols["计算总分"]).number_format == SCORE_FORMAT
        assert summary.cell(r, cols["得分率"]).number_format == RATE_FORMAT
        assert isinstance(summary.cell(r, cols["错误"]).value, int)


def test_widths_follow_display_width_and_messages_wrap(wb: Any) -> None:
    ws = wb["unit-self-evaluation"]
    header = _header_row(ws, "指标")
    names = {ws.cell(header, c).value: ws.cell(header, c).column_letter for c in range(1, 12)}
    widths = {name: ws.column_dimensions[letter].width for name, letter in names.items()}
    # 状态 holds two-column characters (达成, 未达成): wider than their count of characters.
    statuses = [str(ws.cell(r, 9).value or "") for r in range(header, ws.max_row + 1)]
    assert widths["状态"] >= max(map(display_width, statuses))
    assert widths["发现"] == 60 and widths["分值"] < 12
    message = next(r for r in range(header + 1, ws.max_row + 1) if ws.cell(r, 11).value)
    assert ws.cell(message, 11).alignment.wrap_text
    findings = wb[FINDINGS_SHEET]
    h = _header_row(findings, "序号")
    cols = {findings.cell(h, c).value: findings.cell(h, c).column_letter for c in range(1, 11)}
    assert findings.column_dimensions[cols["内容"]].width == 60  # its own width, not the form's
    assert findings.cell(h + 1, 9).alignment.wrap_text
    long_rows = [
        r
        for r in range(h + 1, findings.max_row + 1)
        if display_width(str(findings.cell(r, 9).value)) > 120
    ]
    assert long_rows and all(findings.row_dimensions[r].height >= 45 for r in long_rows)


def _soffice() -> str | None:
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if (found is None or shutil.which("pdftotext") is None) and os.environ.get("CI"):
        pytest.fail("CI must install LibreOffice and poppler-utils (see .ci/run)")
    return found


@pytest.mark.timeout(240)
def test_rendered_by_libreoffice(book_path: Path, tmp_path: Path) -> None:
    soffice = _soffice()
    if soffice is None or shutil.which("pdftotext") is None:
        pytest.skip("LibreOffice (soffice) or poppler-utils (pdftotext) is not installed")
    env = {**os.environ, "HOME": str(tmp_path)}  # a profile of its own, not the user's
    subprocess.run(
        [soffice, "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), str(book_path)],
        check=True,
        capture_output=True,
        timeout=200,
        env=env,
    )
    pdf = tmp_path / "复核.pdf"
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True, text=True
    ).stdout
    pages = text.split("\f")
    pages = [p for p in pages if p.strip()]
    assert len(pages) >= 5  # one page at least per sheet
    # Fit to width: each table's whole header is on its pages (no column pushed to a page
    # of its own); repeated title rows: every page of a sheet starts with that header.
    headers = {
        "汇总": ("序号", "计算总分", "得分率", "问题代码"),
        "unit-self-evaluation": ("指标", "年度指标值", "得分率", "发现"),
        "发现": ("序号", "严重程度", "内容", "数值"),
    }
    seen = set()
    for page in pages:
        footer = page.strip().splitlines()[-1]
        sheet = footer.split()[0]
        if sheet in headers:
            seen.add(sheet)
            for word in headers[sheet]:
                assert word in page, (sheet, word, footer)
    assert seen == set(headers)
    if shutil.which("pdftoppm"):  # a picture of the first page, to look at by eye
        subprocess.run(
            ["pdftoppm", "-r", "40", "-f", "1", "-l", "1", "-png", str(pdf), str(tmp_path / "p")],
            check=True,
            timeout=60,
        )
        assert any(tmp_path.glob("p*.png"))
