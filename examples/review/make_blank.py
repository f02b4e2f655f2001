"""Write the blank self-evaluation table (附件2 layout) as blank-form.csv and blank-form.xlsx.

Usage::

    python examples/review/make_blank.py [output-folder]

The header rows, the budget block and the fixed first/second-level rows of
部门（单位）整体支出绩效自评表 (template hunan/unit-self-evaluation) are filled in; the unit fills
in the third-level rows (三级指标, 年度指标值, 实际完成值, 分值, 得分, 偏差原因分析及改进措施) and
may add or delete rows under each 二级指标. ``perfscore`` reads the filled-in file back with
``perfscore.read.table.read_table``. The CSV is UTF-8 with a BOM, which Excel and WPS open
correctly.
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

WIDTH = 9  # columns A..I
ROWS_PER_GROUP = 3

#: First level (with its points) → second levels, as in the template and 附件2/附件3.
GROUPS: list[tuple[str, list[str]]] = [
    ("产出指标（50分）", ["数量指标", "质量指标", "时效指标", "成本指标"]),
    ("效益指标（30分）", ["经济效益指标", "社会效益指标", "生态效益指标", "可持续影响指标"]),
    ("满意度指标（10分）", ["服务对象满意度指标"]),
]

HEADER = [
    "绩效指标",
    "一级指标",
    "二级指标",
    "三级指标",
    "年度指标值",
    "实际完成值",
    "分值",
    "得分",
    "偏差原因分析及改进措施",
]


def _row(*cells: str) -> list[str]:
    return [*cells, *([""] * (WIDTH - len(cells)))]


def blank_rows() -> tuple[list[list[str]], dict[str, int]]:
    """The grid, and the 1-based row numbers of its landmarks (for styling)."""
    rows = [
        _row("    年度预算单位整体支出绩效自评表"),
        _row("预算单位名称"),
        _row(
            "年度预算申请（万元）",
            "",
            "年初预算数",
            "全年预算数",
            "全年执行数",
            "分值",
            "执行率",
            "得分",
        ),
        _row("", "年度资金总额", "", "", "", "10"),
        _row("", "按收入性质分：", "", "", "按支出性质分："),
        _row("", "其中：一般公共预算：", "", "", "其中：基本支出："),
        _row("", "政府性基金拨款：", "", "", "项目支出："),
        _row("", "纳入专户管理的非税收入拨款："),
        _row("", "其他资金："),
        _row("年度总体目标", "预期目标", "", "", "实际完成情况"),
        _row("", "目标1：", "", "", "1："),
        HEADER,
    ]
    marks = {"budget_header": 3, "goals": 10, "header": len(rows)}
    for first, seconds in GROUPS:
        for second in seconds:
            rows.extend(_row("", first, second) for _ in range(ROWS_PER_GROUP))
    marks["last_indicator"] = len(rows)
    rows.append(_row("总分", "", "", "", "", "", "100"))
    marks["total"] = len(rows)
    rows.append(
        _row(
            "说明：一级、二级指标已按模板填好；请在每个二级指标下填写三级指标，可增删行。"
            "金额单位为万元；分值、得分只填数字。"
        )
    )
    rows.append(_row("填表人：", "", "联系电话：", "", "单位负责人签字：", "", "填报日期："))
    return rows, marks


def write_csv(path: Path) -> None:
    rows, _marks = blank_rows()
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        csv.writer(handle).writerows(rows)


def write_xlsx(path: Path) -> None:
    rows, marks = blank_rows()
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "自评表"
    for row in rows:
        sheet.append([cell or None for cell in row])

    thin = Side(style="thin", color="808080")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    bold = Font(bold=True)
    shade = PatternFill("solid", fgColor="DDEBF7")
    wrap = Alignment(wrap_text=True, vertical="center")
    for r in range(2, marks["total"] + 1):
        for c in range(1, WIDTH + 1):
            cell = sheet.cell(row=r, column=c)
            cell.border = border
            cell.alignment = wrap
    for r in (marks["budget_header"], marks["header"]):
        for c in range(1, WIDTH + 1):
            sheet.cell(row=r, column=c).font = bold
            sheet.cell(row=r, column=c).fill = shade
    sheet.cell(row=marks["total"], column=1).font = bold
    sheet["A1"].font = Font(bold=True, size=14)
    sheet["A1"].alignment = Alignment(horizontal="center")

    # Merges that carry labels only; the indicator rows stay unmerged so rows can be added.
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=WIDTH)
    sheet.merge_cells(start_row=2, start_column=2, end_row=2, end_column=WIDTH)
    sheet.merge_cells(start_row=3, start_column=1, end_row=marks["goals"] - 1, end_column=1)
    for r in range(5, marks["goals"]):
        sheet.merge_cells(start_row=r, start_column=2, end_row=r, end_column=4)
        sheet.merge_cells(start_row=r, start_column=5, end_row=r, end_column=8)
    for r in (marks["goals"], marks["goals"] + 1):
        sheet.merge_cells(start_row=r, start_column=2, end_row=r, end_column=4)
        sheet.merge_cells(start_row=r, start_column=5, end_row=r, end_column=WIDTH)
    sheet.merge_cells(
        start_row=marks["goals"], start_column=1, end_row=marks["goals"] + 1, end_column=1
    )
    sheet.merge_cells(
        start_row=marks["header"], start_column=1, end_row=marks["last_indicator"], end_column=1
    )
    sheet.merge_cells(
        start_row=marks["total"], start_column=1, end_row=marks["total"], end_column=6
    )
    note = marks["total"] + 1
    sheet.merge_cells(start_row=note, start_column=1, end_row=note, end_column=WIDTH)

    widths = {"A": 10, "B": 16, "C": 18, "D": 30, "E": 18, "F": 18, "G": 8, "H": 8, "I": 28}
    for letter, width in widths.items():
        sheet.column_dimensions[letter].width = width
    sheet.freeze_panes = f"A{marks['header'] + 1}"
    workbook.save(path)


def main(argv: list[str]) -> int:
    folder = Path(argv[1]) if len(argv) > 1 else Path(__file__).resolve().parent
    folder.mkdir(parents=True, exist_ok=True)
    write_csv(folder / "blank-form.csv")
    write_xlsx(folder / "blank-form.xlsx")
    print(f"已生成 {folder / 'blank-form.csv'} 和 {folder / 'blank-form.xlsx'}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
