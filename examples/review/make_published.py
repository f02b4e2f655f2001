"""Write self-evaluation tables in the layouts governments publish, with planted problems.

Usage::

    python examples/review/make_published.py [output-folder]

Written for issue 13 (what a reviewer flags by eye). The layouts follow published forms: the
附件2 table of a unit's whole spending as a GBK CSV (as Excel saves it on a Chinese Windows),
and the 项目支出绩效自评表 with split 指标性质 | 指标值 | 度量单位 columns as XLSX (the Yunnan
layout, 性质 written ``﹦`` or ``≥``). Units, numbers and wording are invented.

* ``published-clean-unit.csv`` / ``published-clean-project.xlsx`` — correct forms, written the
  way careful units write them (negations that are right, deadlines, targets with the name
  inside, split columns): review must find **nothing**.
* ``published-planted-unit.csv`` — planted: a negated answer scored in full (未按时足额发放),
  a partial answer scored in full (完成80%), short words inside an answer (优化中: neither 优 nor 中),
  a placeholder target (``≥**平方米``) and name (``XX宣传活动``), ``(%)`` on an amount,
  a bare ``无`` as 偏差原因 on a missed target, a 满意度 without %, and the execution rate
  printed as ``1`` (a fraction).
* ``published-planted-budget.csv`` — planted: the budget cut from 800 to 500 while every
  output scores full; the execution rate printed ``100`` without %; 资金执行率 repeated as an
  output indicator.
* ``published-planted-project.xlsx`` — planted: the qualitative indicators answered
  ``达成预期指标`` whatever their target; every met indicator docked to 90%; a deadline missed
  (``7月底前`` / ``8月15日完成``) but scored in full.
* ``published-noscores.csv`` — no self-score anywhere (one finding, not silence).
* ``published-noactuals.csv`` — no actual anywhere (one finding instead of one per row).

``tests/test_published_examples.py`` asserts exactly which planted problem each file gives.
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


HEAD = [
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


def _unit(
    name: str, budget: list[str], leaves: list[list[str]], total: str, *, rate: str = "100%"
) -> list[list[str]]:
    """附件2 (部门整体支出绩效自评表) rows: budget block, goals, indicator rows, total."""
    opening, adjusted, executed = budget
    return [
        _row("2023年度部门整体支出绩效自评表"),
        _row("预算单位名称", name),
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
        _row("", "年度资金总额", opening, adjusted, executed, "10", rate, "10"),
        _row("年度总体目标", "预期目标", "", "", "实际完成情况"),
        _row("", "目标1：完成年度重点工作", "", "", "1：已完成"),
        _row(*HEAD),
        *leaves,
        _row("总分", "", "", "", "", "", "100", total),
        _row("填表人：（略）", "", "联系电话：（略）"),
    ]


CLEAN_UNIT = _unit(
    "示例街道办事处（复核示例：公开表式，无问题）",
    ["1200", "1500", "1500"],
    [
        _row("", "产出指标（50分）", "数量指标", "法制宣传活动场次", "≥10次", "11次", "10", "10"),
        _row("", "", "", "道路硬化里程", "道路硬化≥0.565km", "0.6公里", "10", "10"),
        _row("", "", "质量指标", "抚恤金发放准确率", "=100%", "100%", "10", "10"),
        _row(
            "",
            "",
            "时效指标",
            "抚恤金发放及时性",
            "每月15日前足额发放",
            "每月10日前足额发放",
            "10",
            "10",
        ),
        _row("", "", "成本指标", "人均培训成本", "≤600元", "580元", "10", "10"),
        _row(
            "",
            "效益指标（30分）",
            "社会效益指标",
            "安全生产事故",
            "未发生",
            "未发生安全事故",
            "15",
            "15",
        ),
        _row("", "", "", "管理制度建设", "建立健全", "已建立", "15", "15"),
        _row(
            "",
            "满意度指标（10分）",
            "服务对象满意度指标",
            "受益群众满意度",
            "受益人口满意度≥96%",
            "97%",
            "10",
            "10",
        ),
    ],
    "100",
)

PLANTED_UNIT = _unit(
    "示例社区服务中心（复核示例：公开表式，预置问题）",
    ["1000", "1000", "1000"],
    [
        _row("", "产出指标（50分）", "数量指标", "XX宣传活动场次", "≥10次", "11次", "10", "10"),
        _row("", "", "", "新建活动场地面积", "≥**平方米", "800平方米", "5", "5"),
        _row("", "", "", "培训经费(%)", "≤3000", "2950", "5", "5"),
        _row("", "", "质量指标", "优抚金发放", "按时足额发放", "未按时足额发放", "10", "10"),
        _row("", "", "时效指标", "项目完成进度", "全部完成", "完成80%", "10", "10"),
        _row("", "", "成本指标", "活动成本", "≤50万元", "60万元", "10", "8.33", "无"),
        _row("", "效益指标（30分）", "社会效益指标", "服务质量评价", "合格", "优化中", "30", "30"),
        _row("", "满意度指标（10分）", "服务对象满意度指标", "居民满意度", "≥90", "92", "10", "10"),
    ],
    "98.33",
    rate="1",
)

PLANTED_BUDGET = _unit(
    "示例养老服务中心（复核示例：预算调减、执行率重复计分）",
    ["800", "500", "500"],
    [
        _row("", "产出指标（50分）", "数量指标", "服务人次", "≥500人次", "520人次", "20", "20"),
        _row("", "", "", "资金执行率", "=100%", "100%", "10", "10"),
        _row("", "", "质量指标", "服务合格率", "=100%", "100%", "20", "20"),
        _row("", "效益指标（30分）", "社会效益指标", "服务覆盖率", "≥90%", "92%", "30", "30"),
        _row(
            "", "满意度指标（10分）", "服务对象满意度指标", "老人满意度", "≥90%", "93%", "10", "10"
        ),
    ],
    "100",
    rate="100",
)

NO_SCORES = _unit(
    "示例文化站（复核示例：未填自评得分）",
    ["300", "300", "300"],
    [
        _row("", "产出指标（50分）", "数量指标", "文艺演出场次", "≥20场次", "22场次", "30", ""),
        _row("", "", "质量指标", "演出合格率", "=100%", "100%", "20", ""),
        _row(
            "", "效益指标（30分）", "社会效益指标", "群众文化生活", "明显改善", "明显改善", "30", ""
        ),
        _row("", "满意度指标（10分）", "服务对象满意度指标", "观众满意度", "≥90%", "95%", "10", ""),
    ],
    "",
)

NO_ACTUALS = _unit(
    "示例农技站（复核示例：未填实际完成值）",
    ["200", "200", "200"],
    [
        _row("", "产出指标（50分）", "数量指标", "技术培训场次", "≥10场次", "", "30", "30"),
        _row("", "", "质量指标", "培训合格率", "≥90%", "", "20", "20"),
        _row("", "效益指标（30分）", "经济效益指标", "农户增收", "≥5%", "", "30", "30"),
        _row("", "满意度指标（10分）", "服务对象满意度指标", "农户满意度", "≥90%", "", "10", "10"),
    ],
    "100",
)

# ---------------------------------------------------------------- the project form (XLSX)

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

CLEAN_PROJECT = [
    ["产出指标", "数量指标", "卫片执法补助经费", "﹦", "72890", "元", "72890", "20", "20", ""],
    ["", "质量指标", "项目验收合格率", "≥", "95", "%", "96", "10", "10", ""],
    ["", "时效指标", "项目完成时间", "定性", "9月前", "", "7月", "10", "10", ""],
    ["", "成本指标", "差错率", "反向", "5", "%", "4", "10", "10", ""],
    ["效益指标", "社会效益指标", "违法行为责停率", "≥", "95", "%", "97", "15", "15", ""],
    ["", "可持续影响指标", "长效管理机制", "定性", "建立健全", "", "已建立", "15", "15", ""],
    ["满意度指标", "服务对象满意度指标", "群众满意度", "≥", "95", "%", "96", "10", "10", ""],
]

PLANTED_PROJECT = [
    ["产出指标", "数量指标", "培训人次", "≥", "1000", "人次", "1100", "20", "18", ""],
    ["", "质量指标", "培训合格率", "≥", "90", "%", "95", "10", "9", ""],
    ["", "时效指标", "培训完成时间", "定性", "7月底前", "", "8月15日完成", "10", "10", ""],
    [
        "",
        "成本指标",
        "培训制度执行",
        "定性",
        "严格执行相关制度规定",
        "",
        "达成预期指标",
        "10",
        "9",
        "",
    ],
    [
        "效益指标",
        "社会效益指标",
        "对就业的影响程度",
        "定性",
        "效果明显",
        "",
        "达成预期指标",
        "15",
        "13.5",
        "",
    ],
    [
        "",
        "可持续影响指标",
        "对技能提升的持续影响",
        "定性",
        "持续提升",
        "",
        "达成预期指标",
        "15",
        "13.5",
        "",
    ],
    ["满意度指标", "服务对象满意度指标", "学员满意度", "≥", "90", "%", "95", "10", "9", ""],
]


def _project_xlsx(
    path: Path, unit: str, budget: list[object], leaves: list[list[str]], total: float
) -> None:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "项目支出绩效自评表"
    ws.append(["2023年度项目支出绩效自评表"])
    ws.append(["预算单位名称", unit])
    ws.append(
        [
            "项目资金（万元）",
            "",
            "年初预算数",
            "全年预算数",
            "全年执行数",
            "分值",
            "执行率",
            "自评得分",
        ]
    )
    ws.append(["", "年度资金总额", *budget])
    ws.merge_cells("A1:J1")
    ws.merge_cells("B2:J2")
    ws.append(XLSX_HEADER)
    header_row = ws.max_row
    for leaf in leaves:
        ws.append([_number(c) for c in leaf])
    ws.append(["总分", "", "", "", "", "", "", 100, total, ""])
    for cell in ws[header_row]:
        cell.font = Font(bold=True)
    for row in ws.iter_rows():
        for cell in row:
            cell.alignment = Alignment(vertical="center", wrap_text=True)
    ws["G4"].number_format = "0%"
    wb.save(path)


def _number(text: str) -> object:
    """Weights, scores and plain numbers typed as numbers, the way Excel stores them."""
    try:
        return int(text)
    except ValueError:
        pass
    try:
        return float(text) if text.replace(".", "", 1).isdigit() else text
    except ValueError:
        return text


def write_csv(path: Path, rows: list[list[str]]) -> None:
    with path.open("w", encoding="gb18030", newline="") as handle:
        csv.writer(handle).writerows(rows)


def main(argv: list[str]) -> None:
    out = Path(argv[1]) if len(argv) > 1 else Path(__file__).resolve().parent
    out.mkdir(parents=True, exist_ok=True)
    write_csv(out / "published-clean-unit.csv", CLEAN_UNIT)
    write_csv(out / "published-planted-unit.csv", PLANTED_UNIT)
    write_csv(out / "published-noscores.csv", NO_SCORES)
    write_csv(out / "published-planted-budget.csv", PLANTED_BUDGET)
    write_csv(out / "published-noactuals.csv", NO_ACTUALS)
    _project_xlsx(
        out / "published-clean-project.xlsx",
        "示例自然资源局（复核示例：分列表式，无问题）",
        [7.29, 7.29, 7.29, 10, 1, 10],
        CLEAN_PROJECT,
        100,
    )
    _project_xlsx(
        out / "published-planted-project.xlsx",
        "示例人社局（复核示例：分列表式，预置问题）",
        [800, 500, 500, 10, 1, 10],
        PLANTED_PROJECT,
        92,
    )


if __name__ == "__main__":
    main(sys.argv)
