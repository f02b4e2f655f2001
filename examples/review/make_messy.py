"""Write the messy example tables for ``perfscore review``: messy-gbk.csv and messy-merged.xlsx.

Usage::

    python examples/review/make_messy.py [output-folder]

Both are deliberately wrong in the ways published self-evaluation tables are wrong, so that
together with the YAML examples beside them they trigger every review finding code
(tests/test_review.py asserts exactly which codes each file gives):

* ``messy-gbk.csv`` — saved in GBK (GB18030) as Excel on a Chinese Windows does; 附件2
  layout; a 其中 breakdown row and a subtotal row (recognised, not counted); a row that
  cannot be placed (``row_unreadable``); a weight written ``五分`` (``weight_missing``); a
  score written ``九分`` (``value_unreadable``); a second-level name not in the template
  (``indicator_unknown``); weights that then do not add up (``weights_sum``); a missed target
  scored in full (``unmet_full``, ``reported_differs``); a reported total unlike the computed
  one (``total_differs``).
* ``messy-merged.xlsx`` — merged 一级/二级 cells; header synonyms (权重, 自评得分, 完成值)
  and the split target columns 指标性质 / 指标值 / 度量单位; a budget block whose 资金来源
  rows do not add up to 年度资金总额 (``budget_identity``) and whose 得分 is above its 分值
  (``score_above_weight``); a printed execution rate that is not 执行数 ÷ 全年预算数
  (``execution_rate_miscomputed``).
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

WIDTH = 9


def _row(*cells: str) -> list[str]:
    return [*cells, *([""] * (WIDTH - len(cells)))]


def csv_rows() -> list[list[str]]:
    """附件2 layout (columns A..I), blank parent cells as a CSV export leaves them."""
    return [
        _row("2023年度预算单位整体支出绩效自评表"),
        _row("预算单位名称", "示例单位丁（复核示例：CSV）"),
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
        _row("", "年度资金总额", "500", "600", "600", "10", "100%", "10"),
        _row("", "按收入性质分：", "", "", "按支出性质分："),
        _row("", "其中：一般公共预算：400", "", "", "其中：基本支出：250"),
        _row("", "其他资金：200", "", "", "项目支出：350"),
        _row("年度总体目标", "预期目标", "", "", "实际完成情况"),
        _row("", "目标1：完成年度培训任务", "", "", "1：已完成"),
        _row(
            "绩效指标",
            "一级指标",
            "二级指标",
            "三级指标",
            "年度指标值",
            "实际完成值",
            "分值",
            "得分",
            "偏差原因分析及改进措施",
        ),
        _row("", "产出指标（50分）", "数量指标", "培训场次", "≥10次", "11次", "20", "20"),
        _row("", "", "", "其中：线上培训", "≥4次", "5次", "", ""),
        _row("", "", "", "培训人数", "≥200人", "210人", "10", "10"),
        _row("", "", "数量指标", "", "", "", "30", "30"),
        _row("", "", "质量指标", "培训合格率", "≥90%", "80%", "10", "10"),
        _row("", "", "", "培训课时", "≥40小时", "40小时", "五分", "5"),
        _row("", "", "", "", "", "", "", "5"),
        _row("", "", "服务指标", "咨询受理件数", "≥50件", "60件", "10", "10"),
        _row("", "效益指标（30分）", "社会效益指标", "群众知晓率", "≥80%", "85%", "30", "九分"),
        _row(
            "", "满意度指标（10分）", "服务对象满意度指标", "学员满意度", "≥90%", "95%", "10", "10"
        ),
        _row("总分", "", "", "", "", "", "100", "98"),
        _row("填表人：（略）", "", "联系电话：（略）"),
    ]


# The XLSX: one header row with synonyms, then the split target columns under 指标值.
XLSX_HEAD = [
    ["2023年度项目支出绩效自评表"],
    ["预算单位名称", "示例单位戊（复核示例：XLSX）"],
    [
        "项目资金（万元）",
        "",
        "年初预算数",
        "全年预算数",
        "全年执行数",
        "分值",
        "执行率",
        "自评得分",
    ],
    ["", "年度资金总额", "800", "1000", "900", "10", "88%", "12"],
    ["", "其中：当年财政拨款", "700", "850", "780", "", "", ""],
    ["", "上年结转资金", "100", "100", "100", "", "", ""],
]
XLSX_HEADER = [
    "一级指标",
    "二级指标",
    "三级指标",
    "指标性质",
    "指标值",
    "度量单位",
    "完成值",
    "权重",
    "自评得分",
    "偏差原因分析及改进措施",
]
XLSX_LEAVES = [
    ["产出指标", "数量指标", "新建设施数量", "≥", "20", "个", "20", "25", "25", ""],
    ["", "", "维修设施数量", "≥", "10", "个", "10", "15", "15", ""],
    ["", "质量指标", "验收合格率", "=", "100", "%", "100%", "10", "10", ""],
    ["效益指标", "社会效益指标", "受益人口", "≥", "5000", "人", "5200", "30", "30", ""],
    ["满意度指标", "服务对象满意度指标", "受益群众满意度", "≥", "90", "%", "93%", "10", "10", ""],
]


def write_csv(path: Path) -> None:
    with path.open("w", encoding="gb18030", newline="") as handle:
        csv.writer(handle).writerows(csv_rows())


def write_xlsx(path: Path) -> None:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "项目支出绩效自评表"
    for row in XLSX_HEAD:
        ws.append(row)
    ws.merge_cells("A1:J1")
    ws.merge_cells("B2:J2")
    ws.merge_cells("A3:A6")
    ws.append(XLSX_HEADER)
    header_row = ws.max_row
    first = header_row + 1
    for leaf in XLSX_LEAVES:
        ws.append([_number(c) for c in leaf])
    # 一级/二级 cells merged down over their rows, as Excel users do.
    ws.merge_cells(f"A{first}:A{first + 2}")
    ws.merge_cells(f"B{first}:B{first + 1}")
    ws.append(["总分", "", "", "", "", "", "", 100, 102, ""])
    total = ws.max_row
    ws.merge_cells(f"A{total}:G{total}")
    for cell in ws[header_row]:
        cell.font = Font(bold=True)
    for row in ws.iter_rows():
        for cell in row:
            cell.alignment = Alignment(vertical="center", wrap_text=True)
    ws["G4"].number_format = "0%"
    ws["G4"].value = 0.88
    wb.save(path)


def _number(text: str) -> object:
    # Weights and scores typed as numbers, the way Excel stores them.
    return int(text) if text.isdigit() else text


def main(argv: list[str]) -> None:
    out = Path(argv[1]) if len(argv) > 1 else Path(__file__).resolve().parent
    out.mkdir(parents=True, exist_ok=True)
    write_csv(out / "messy-gbk.csv")
    write_xlsx(out / "messy-merged.xlsx")


if __name__ == "__main__":
    main(sys.argv)
