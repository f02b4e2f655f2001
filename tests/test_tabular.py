"""Reading published self-evaluation tables (perfscore.read.table): CSV and XLSX in, form data out.

The fixtures are built here, from the seed form's 附件2 (the YAML equivalent is
examples/yueyanglou-2023/unit-self-evaluation.yaml), as CSV in three encodings and as XLSX
with merged cells, and compared with that YAML.
"""

from __future__ import annotations

import copy
import csv
import io
import re
import tempfile
import zipfile
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from perfscore.errors import LoadError, PerfscoreError
from perfscore.read.table import read_table
from perfscore.read.table_cells import ROW_KINDS, TableRead
from perfscore.read.yaml import load_yaml
from perfscore.read.yaml_document import JsonPath

REPO = Path(__file__).resolve().parent.parent
EXAMPLE = REPO / "examples" / "yueyanglou-2023" / "unit-self-evaluation.yaml"
BLANK_DIR = REPO / "examples" / "review"

Grid = list[list[Any]]
W = 9  # columns A..I of 附件2

# --------------------------------------------------------------------------- 附件2


def _row(*cells: Any) -> list[Any]:
    return [*cells, *([""] * (W - len(cells)))]


LEAVES: list[tuple[str, ...]] = [
    ("产出指标\n(50分)", "数量指标", "财政收入总量", "≥4073.53万元", "4073.53万元", "5", "5"),
    ("", "", "法制宣传活动场次", "≥10次", "18次", "5", "5"),
    ("", "", "全年开展作风纪律督察、重点工作落实情况督察", "≥15次", "24次", "5", "5"),
    ("", "", "旧改项目推进个数", "≥20个", "47个", "5", "5"),
    ("", "质量指标", "公共财政支出进度", "≧100%", "≧100%", "5", "5"),
    ("", "", "无群体性事件，无极端恶劣事件发生", "未发生", "未发生", "5", "5"),
    ("", "时效指标", "行政效能", "年", "2023年完成全部既定目标", "5", "5"),
    ("", "", "工资发放及时率", "每月15日前足额发放", "定时", "5", "5"),
    ("", "成本指标", "行政成本控制", "“三公”经费同比下降", "下降100%", "5", "5"),
    ("", "", "支出预算控制", "≤4073.53万", "4073.53万", "5", "5"),
    (
        "效益指标\n(30分)",
        "生态效\n益指标",
        "环境质量提升",
        "辖区应清理的垃圾全面清理完毕",
        "100%",
        "5",
        "5",
    ),
    # The seed's name cell is merged over two rows: the second row's name is blank here.
    ("", "", "", "辖区水面清理整治完毕", "100%", "5", "5"),
    ("", "可持续影响指标", "《街道班子成员党风廉政建设责任分解表》", "出台", "出台", "10", "10"),
    ("", "社会效益", "民生改善程度", "较大改善", "较大改善", "10", "10"),
    ("满意度\n指标\n(10分)", "服务对象\n满意度指\n标", "群众满意度", "≧98%", "≧95%", "10", "9"),
]
HEADER_ROW = 12  # 1-based row of the indicator header
FIRST_LEAF_ROW = 13
TOTAL_ROW = FIRST_LEAF_ROW + len(LEAVES)


def seed_grid(total_label: str = "") -> Grid:
    """附件2 as a grid: merged cells are written only in their top-left cell."""
    grid = [
        _row("2023年度预算单位整体支出绩效自评表"),
        _row("预算单位 名称", "岳阳楼区岳阳楼街道办事处"),
        _row(
            "年度预算申请\n(万元)",
            "",
            "年初预算数",
            "全年预算数",
            "全年执行数",
            "分值",
            "执行率",
            "得分",
        ),
        _row("", "年度资金总额", "1592.87", "4073.53", "4073.53", "10", "255.76%", "10"),
        _row("", "按收入性质分：", "", "", "按支出性质分："),
        _row("", "其中：  一般公共预算：2490.44", "", "", "其中：基本支出：1365.61"),
        _row("", "政府性基金拨款：", "", "", "项目支出：2707.92"),
        _row("", "纳入专户管理的非税收入拨款：", "", "", ""),
        _row("", "其他资金：1583.09"),
        _row("年度总体 目 标", "预期目标", "", "", "实际完成情况"),
        _row(
            "",
            "目标1：抓党建，坚持政治引领，筑牢忠诚之魂",
            "",
            "",
            "1：深入开展了相关主题教育工作。",
        ),
        _row(
            "\n绩效指标",
            "一级指标",
            "二级指标",
            "三级指标",
            "年度指标值",
            "实际完成值",
            "分值",
            "得分",
            "偏差原因分析\n及改进措施",
        ),
    ]
    assert len(grid) == HEADER_ROW
    grid.extend(_row("", *leaf) for leaf in LEAVES)
    grid.append(_row(total_label, "", "", "", "", "", "100", "99"))
    grid.append(
        _row("填表人： （略）   联系电话：（略）    单位负责人签字：    填报日期： 2024年5月")
    )
    grid.append(_row("— 7 —"))
    return grid


# Merged ranges of the seed as an XLSX would have them.
SEED_MERGES = [
    "A1:I1",
    "B2:I2",
    "A3:A9",
    "B5:D5",
    "E5:H5",
    "B6:D6",
    "E6:H6",
    "B7:D7",
    "E7:H7",
    "B8:D8",
    "B9:D9",
    "A10:A11",
    "B10:D10",
    "E10:I10",
    "B11:D11",
    "E11:I11",
    f"A12:A{TOTAL_ROW - 1}",
    "B13:B22",
    "C13:C16",
    "C17:C18",
    "C19:C20",
    "C21:C22",
    "B23:B26",
    "C23:C24",
    "D23:D24",
    f"A{TOTAL_ROW}:F{TOTAL_ROW}",
    f"A{TOTAL_ROW + 1}:I{TOTAL_ROW + 1}",
]


def write_csv(path: Path, grid: Grid, *, encoding: str = "utf-8", delimiter: str = ",") -> Path:
    buffer = io.StringIO(newline="")
    csv.writer(buffer, delimiter=delimiter).writerows(
        [["" if v is None else str(v) for v in row] for row in grid]
    )
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def _excel_value(value: Any) -> tuple[Any, str | None]:
    """Numbers as numbers (as Excel stores them), percentages as fractions with a % format."""
    if not isinstance(value, str) or value == "":
        return (None if value == "" else value), None
    if re.fullmatch(r"-?\d+", value):
        return int(value), None
    if re.fullmatch(r"-?\d+\.\d+", value):
        return float(value), None
    m = re.fullmatch(r"(\d+(?:\.\d+)?)%", value)
    if m:
        return float(Decimal(m.group(1)) / 100), "0.00%"
    return value, None


def write_xlsx(
    path: Path,
    grid: Grid,
    *,
    merges: Sequence[str] = (),
    title: str = "自评表",
    before: Sequence[str] = (),
    numbers: bool = True,
) -> Path:
    workbook = openpyxl.Workbook()
    first = workbook.active
    assert first is not None
    if before:
        first.title = before[0]
        first["A1"] = "说明：本工作簿第二张表是自评表"
        for name in before[1:]:
            workbook.create_sheet(name)
        sheet = workbook.create_sheet(title)
    else:
        first.title = title
        sheet = first
    for r, row in enumerate(grid, 1):
        for c, raw in enumerate(row, 1):
            value, number_format = _excel_value(raw) if numbers else (raw or None, None)
            if value is None:
                continue
            cell = sheet.cell(row=r, column=c, value=value)
            if number_format:
                cell.number_format = number_format
    for merged in merges:
        sheet.merge_cells(merged)
    workbook.save(path)
    return path


def expected_form() -> dict[str, Any]:
    """The example YAML, with the two 环境质量提升 rows named the way the reader names them."""
    data: dict[str, Any] = copy.deepcopy(load_yaml(EXAMPLE).data)
    eco = data["indicators"]["效益指标"]["生态效益指标"]
    eco[0]["name"] = "环境质量提升（辖区应清理的垃圾全面清理完毕）"
    eco[1]["name"] = "环境质量提升（辖区水面清理整治完毕）"
    # 人员经费/公用经费/项目支出明细 come from 附件1 and 附件4, not from the 附件2 table read here.
    for key in ("人员经费", "公用经费", "项目支出明细"):
        data["budget"]["支出"].pop(key, None)
    return data


def assert_seed(read: TableRead, *, template: str | None = None) -> None:
    data = read.document.data
    expected = expected_form()
    assert data["kind"] == "form"
    assert data["template"] == template
    assert data["unit"] == expected["unit"]
    assert data["year"] == expected["year"]
    assert data["budget"] == expected["budget"]
    assert data["indicators"] == expected["indicators"]
    assert data["reported_total"] == expected["reported_total"]
    assert read.problems == ()
    assert_accounted(read)


def assert_accounted(read: TableRead, rows: int | None = None) -> None:
    """Every row once, in order, with a known kind; every path exists; problems match."""
    numbers = [record.row for record in read.rows]
    assert numbers == list(range(1, len(read.rows) + 1))
    if rows is not None:
        assert len(read.rows) == rows
    data = read.document.data
    for record in read.rows:
        assert record.kind in ROW_KINDS
        for path in record.paths:
            assert exists(data, path), (record, path)
            assert read.document.locate(path)[0] == record.row or path[:1] == ("budget",)
        if record.kind == "indicator":
            assert record.path is not None
            leaf = get(data, record.path)
            assert isinstance(leaf, dict)
            assert "name" in leaf or len(record.path) == 2  # a fixed first-level row
        if record.kind == "unreadable":
            assert record.reason
    unreadable = [r.row for r in read.rows if r.kind == "unreadable"]
    assert [p.row for p in read.problems] == unreadable
    assert all(p.code == "row_unreadable" for p in read.problems)
    leaves = [
        leaf
        for group in data["indicators"].values()
        if isinstance(group, dict)
        for items in group.values()
        if isinstance(items, list)
        for leaf in items
    ]
    fixed = [r for r in read.rows if r.kind == "indicator" and len(r.path or ()) == 2]
    assert len(leaves) + len(fixed) == sum(r.kind == "indicator" for r in read.rows)
    for value in walk(data):
        assert value is None or isinstance(value, str | dict | list), value


def walk(data: Any) -> list[Any]:
    if isinstance(data, dict):
        return [data, *(x for v in data.values() for x in walk(v))]
    if isinstance(data, list):
        return [data, *(x for v in data for x in walk(v))]
    return [data]


def exists(data: Any, path: JsonPath) -> bool:
    try:
        get(data, path)
    except (KeyError, IndexError, TypeError):
        return False
    return True


def get(data: Any, path: JsonPath) -> Any:
    for key in path:
        data = data[key]
    return data


def kinds(read: TableRead) -> dict[int, str]:
    return {record.row: record.kind for record in read.rows}


# --------------------------------------------------------------------------- the seed


@pytest.mark.parametrize(
    ("encoding", "detected"),
    [("utf-8", "utf-8"), ("utf-8-sig", "utf-8-sig"), ("gbk", "gb18030"), ("gb18030", "gb18030")],
)
def test_seed_csv_in_each_encoding(tmp_path: Path, encoding: str, detected: str) -> None:
    path = write_csv(tmp_path / "附件2.csv", seed_grid(), encoding=encoding)
    read = read_table(path)
    assert read.encoding == detected
    assert_seed(read)
    assert read.document.file == str(path)


def test_seed_xlsx_with_merged_cells(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "附件2.xlsx", seed_grid(total_label="总分"), merges=SEED_MERGES)
    read = read_table(path, template="hunan/unit-self-evaluation")
    assert read.encoding is None
    assert_seed(read, template="hunan/unit-self-evaluation")
    assert read.document.file == f"{path}[自评表]"


def test_seed_xlsx_text_cells_and_image_total(tmp_path: Path) -> None:
    # Numbers typed as text, the total row's label missing (an image in the seed).
    path = write_xlsx(tmp_path / "t.xlsx", seed_grid(), merges=SEED_MERGES, numbers=False)
    assert_seed(read_table(path))


def test_seed_rows_are_all_accounted_for(tmp_path: Path) -> None:
    read = read_table(write_csv(tmp_path / "f.csv", seed_grid()))
    got = kinds(read)
    assert [got[r] for r in (1, 2, 3)] == ["header", "header", "header"]
    assert [got[r] for r in range(4, 10)] == ["budget"] * 6
    assert got[10] == got[11] == "note"  # the goals
    assert got[HEADER_ROW] == "header"
    assert all(got[r] == "indicator" for r in range(FIRST_LEAF_ROW, TOTAL_ROW))
    assert got[TOTAL_ROW] == "total"
    assert got[TOTAL_ROW + 1] == got[TOTAL_ROW + 2] == "note"
    records = {r.row: r for r in read.rows}
    assert records[1].path == ("year",)
    assert records[2].path == ("unit",)
    assert records[6].paths == (("budget", "收入", "一般公共预算"), ("budget", "支出", "基本支出"))
    assert records[TOTAL_ROW].path == ("reported_total",)
    second = records[FIRST_LEAF_ROW + 11]
    assert second.path == ("indicators", "效益指标", "生态效益指标", 1)
    assert second.reason is not None
    assert "环境质量提升（辖区水面清理整治完毕）" in second.reason
    assert "沿用上一行" in second.reason


def test_positions_point_at_spreadsheet_cells(tmp_path: Path) -> None:
    read = read_table(write_xlsx(tmp_path / "f.xlsx", seed_grid(), merges=SEED_MERGES))
    doc = read.document
    leaf = ("indicators", "产出指标", "数量指标", 1)  # 法制宣传活动场次, row 14
    assert doc.data["indicators"]["产出指标"]["数量指标"][1]["name"] == "法制宣传活动场次"
    assert doc.locate(leaf) == (14, 4)
    assert doc.locate((*leaf, "target")) == (14, 5)
    assert doc.locate((*leaf, "actual")) == (14, 6)
    assert doc.locate((*leaf, "weight")) == (14, 7)
    assert doc.locate((*leaf, "reported")) == (14, 8)
    assert doc.locate((*leaf, "note")) == (14, 4)  # missing: the leaf's own position
    assert doc.locate(("indicators", "满意度指标", "服务对象满意度指标", 0, "reported")) == (27, 8)
    assert doc.locate(("budget", "全年预算数")) == (4, 4)
    assert doc.locate(("budget", "unit")) == (3, 1)
    assert doc.locate(("budget", "支出", "项目支出")) == (7, 5)
    assert doc.locate(("unit",)) == (2, 2)
    assert doc.locate(("year",)) == (1, 1)
    assert doc.locate(("reported_total",)) == (TOTAL_ROW, 8)
    assert doc.key_locate((*leaf, "weight")) == (14, 7)


def test_xlsx_numbers_become_exact_text(tmp_path: Path) -> None:
    grid = [
        ["三级指标", "年度指标值", "实际完成值", "分值", "得分", "一级指标", "二级指标"],
        ["甲", 4073.53, 0.1 + 0.2, 5.0, 4.5, "产出指标", "数量指标"],
        ["乙", 1e-7, 12345678901234567890, 10, Decimal("2.50"), "产出指标", "数量指标"],
    ]
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    for row in grid:
        sheet.append(row)
    sheet["C3"].number_format = "0%"
    sheet["C3"] = 0.985
    path = tmp_path / "n.xlsx"
    workbook.save(path)
    items = read_table(path).document.data["indicators"]["产出指标"]["数量指标"]
    assert items[0] == {
        "name": "甲",
        "target": "4073.53",
        "actual": "0.3",
        "weight": "5",
        "reported": "4.5",
    }
    assert items[1]["target"] == "0.0000001"
    assert items[1]["actual"] == "98.5%"
    assert items[1]["weight"] == "10"
    assert items[1]["reported"] == "2.5"


# --------------------------------------------------------------------------- header names


def simple_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> Grid:
    return [list(header), *(list(r) for r in rows)]


BASE_HEADER = [
    "一级指标",
    "二级指标",
    "三级指标",
    "年度指标值",
    "实际完成值",
    "分值",
    "得分",
    "备注",
]
BASE_ROW = ["产出指标", "数量指标", "场次", "≥10次", "18次", "5", "5", "无"]
BASE_LEAF = {
    "name": "场次",
    "target": "≥10次",
    "actual": "18次",
    "weight": "5",
    "reported": "5",
    "note": "无",
}


@pytest.mark.parametrize(
    ("column", "synonym"),
    [
        (5, "权重"),
        (5, "分值（分）"),
        (5, "分 值"),
        (6, "自评得分"),
        (6, "评分"),
        (6, "得分\n（分）"),
        (4, "完成值"),
        (4, "全年实际值"),
        (4, "实际值"),
        (4, "实际\n完成值"),
        (3, "指标值"),
        (3, "年初目标值"),
        (3, "年度目标值"),
        (3, "年度\n指标值"),
        (7, "偏差原因分析及改进措施"),
        (7, "偏差原因分析"),
        (7, "偏差原因"),
        (2, "三级指标（名称）"),
        (0, "一级指标 "),
    ],
)
def test_header_synonyms(tmp_path: Path, column: int, synonym: str) -> None:
    header = list(BASE_HEADER)
    header[column] = synonym
    read = read_table(write_csv(tmp_path / "s.csv", simple_table(header, [BASE_ROW])))
    assert read.document.data["indicators"] == {"产出指标": {"数量指标": [BASE_LEAF]}}


def test_columns_are_found_by_name_not_position(tmp_path: Path) -> None:
    order = [6, 3, 0, 7, 2, 5, 1, 4]
    header = [BASE_HEADER[i] for i in order]
    row = [BASE_ROW[i] for i in order]
    read = read_table(write_csv(tmp_path / "s.csv", simple_table(header, [row])))
    assert read.document.data["indicators"] == {"产出指标": {"数量指标": [BASE_LEAF]}}


def test_header_may_be_far_down(tmp_path: Path) -> None:
    grid = [_row(f"说明第{i}行") for i in range(1, 25)] + simple_table(BASE_HEADER, [BASE_ROW])
    read = read_table(write_csv(tmp_path / "s.csv", grid))
    assert read.document.data["indicators"]["产出指标"]["数量指标"] == [BASE_LEAF]
    assert kinds(read)[25] == "header"
    assert read.document.locate(("indicators", "产出指标", "数量指标", 0)) == (26, 3)


def test_no_header_is_a_clear_load_error(tmp_path: Path) -> None:
    grid = [
        ["一级指标", "二级指标", "名目", "目标", "实际完成值"],
        ["产出指标", "数量指标", "a", "1", "1"],
    ]
    with pytest.raises(LoadError) as info:
        read_table(write_csv(tmp_path / "x.csv", grid))
    err = info.value
    assert "找不到指标表的表头" in err.message
    assert err.hint is not None
    assert "第 1 行" in err.hint and "实际完成值" in err.hint and "三级指标" in err.hint
    assert err.line == 1


@pytest.mark.parametrize(
    ("nature", "value", "unit", "target"),
    [
        ("≥", "50", "个", "≥50个"),
        ("≤", "90", "万元", "≤90万元"),
        ("﹦", "100", "%", "﹦100%"),
        ("=", "100%", "%", "=100%"),
        ("定性", "达成", "", "达成"),
        ("定性", "出台", "项", "出台"),
        ("", "50", "个", "50个"),
        ("≥", "", "个", None),
    ],
)
def test_split_target_columns(
    tmp_path: Path, nature: str, value: str, unit: str, target: str | None
) -> None:
    header = [
        "一级指标",
        "二级指标",
        "三级指标",
        "指标性质",
        "指标值",
        "度量单位",
        "完成值",
        "权重",
    ]
    row = ["产出指标", "数量指标", "户数", nature, value, unit, "60个", "10"]
    read = read_table(write_csv(tmp_path / "s.csv", simple_table(header, [row])))
    leaf = read.document.data["indicators"]["产出指标"]["数量指标"][0]
    assert leaf.get("target") == target
    if target is not None:
        assert read.document.locate(("indicators", "产出指标", "数量指标", 0, "target")) == (2, 5)


def test_unknown_nature_is_recorded(tmp_path: Path) -> None:
    header = [
        "一级指标",
        "二级指标",
        "三级指标",
        "指标性质",
        "指标值",
        "度量单位",
        "完成值",
        "权重",
    ]
    row = ["产出指标", "数量指标", "户数", "约", "50", "个", "60个", "10"]
    read = read_table(write_csv(tmp_path / "s.csv", simple_table(header, [row])))
    record = read.rows[1]
    assert record.kind == "indicator"
    assert record.reason is not None and "指标性质“约”" in record.reason


def test_two_row_header_with_merged_target(tmp_path: Path) -> None:
    grid = [
        ["一级指标", "二级指标", "三级指标", "年度指标值", "", "", "实际完成值", "分值", "得分"],
        ["", "", "", "指标性质", "指标值", "度量单位", "", "", ""],
        ["产出指标", "数量指标", "培训人次", "≥", "1000", "人次", "1330人次", "5", "5"],
        ["", "", "开展活动", "≥", "20", "次", "21", "5", "5"],
    ]
    merges = ["A1:A2", "B1:B2", "C1:C2", "D1:F1", "G1:G2", "H1:H2", "I1:I2"]
    read = read_table(write_xlsx(tmp_path / "h.xlsx", grid, merges=merges))
    items = read.document.data["indicators"]["产出指标"]["数量指标"]
    assert [i["target"] for i in items] == ["≥1000人次", "≥20次"]
    assert [i["actual"] for i in items] == ["1330人次", "21"]
    assert kinds(read) == {1: "header", 2: "header", 3: "indicator", 4: "indicator"}


# --------------------------------------------------------------------------- rows


def read_rows(tmp_path: Path, rows: Sequence[Sequence[str]], **kwargs: Any) -> TableRead:
    return read_table(write_csv(tmp_path / "r.csv", simple_table(BASE_HEADER, rows)), **kwargs)


def test_bad_weight_is_kept_as_text(tmp_path: Path) -> None:
    read = read_rows(
        tmp_path, [["产出指标", "数量指标", "场次", "≥10次", "18次", "五分", "5分", ""]]
    )
    leaf = read.document.data["indicators"]["产出指标"]["数量指标"][0]
    assert leaf["weight"] == "五分"
    assert leaf["reported"] == "5分"
    assert read.problems == ()
    assert kinds(read)[2] == "indicator"


def test_row_without_name_is_unreadable(tmp_path: Path) -> None:
    read = read_rows(
        tmp_path,
        [
            ["产出指标", "数量指标", "场次", "≥10次", "18次", "5", "5", ""],
            ["产出指标", "质量指标", "", "≥90%", "95%", "5", "5", ""],
        ],
    )
    record = read.rows[2]
    assert record.kind == "unreadable"
    assert record.path is None
    assert record.reason is not None and "三级指标名称为空" in record.reason
    (problem,) = read.problems
    assert problem.code == "row_unreadable"
    assert problem.row == 3 and problem.line == 3
    assert problem.file == str(tmp_path / "r.csv")
    assert "第 3 行" in problem.message
    assert re.search(r"[\u4e00-\u9fff]", problem.message)
    without_note = {k: v for k, v in BASE_LEAF.items() if k != "note"}
    assert read.document.data["indicators"] == {"产出指标": {"数量指标": [without_note]}}


def test_rows_without_a_first_or_second_level_are_unreadable(tmp_path: Path) -> None:
    read = read_rows(
        tmp_path,
        [
            ["", "", "场次", "≥10次", "18次", "5", "5", ""],
            ["效益指标", "", "收益", "≥10万元", "12万元", "5", "5", ""],
        ],
    )
    assert [r.kind for r in read.rows[1:]] == ["unreadable", "unreadable"]
    assert "一级指标" in (read.rows[1].reason or "")
    assert "二级指标" in (read.rows[2].reason or "")
    assert len(read.problems) == 2
    assert read.document.data["indicators"] == {}


def test_blank_parents_are_carried_down(tmp_path: Path) -> None:
    read = read_rows(
        tmp_path,
        [
            ["产出指标(50分)", "数量指标", "a", "1", "1", "5", "5", ""],
            ["", "", "b", "2", "2", "5", "5", ""],
            ["", "质量指标", "c", "3", "3", "5", "5", ""],
            ["效益指标（30分）", "社会效益\n指标", "d", "4", "4", "5", "5", ""],
            ["", "", "e", "5", "5", "5", "5", ""],
        ],
    )
    tree = {
        l1: {l2: [leaf["name"] for leaf in items] for l2, items in group.items()}
        for l1, group in read.document.data["indicators"].items()
    }
    assert tree == {
        "产出指标": {"数量指标": ["a", "b"], "质量指标": ["c"]},
        "效益指标": {"社会效益指标": ["d", "e"]},
    }


def test_breakdown_rows_are_recorded_not_counted(tmp_path: Path) -> None:
    read = read_rows(
        tmp_path,
        [
            ["产出指标", "数量指标", "培训人次", "≥1000人次", "1330人次", "5", "5", ""],
            ["", "", "其中：电商直播培训", "≥500人次", "600人次", "", "", ""],
            ["", "", "其中 就业技能培训", "≥500人次", "730人次", "", "", ""],
            ["", "", "招聘会场次", "≥5场", "7场", "5", "5", ""],
        ],
    )
    assert [r.kind for r in read.rows] == [
        "header",
        "indicator",
        "breakdown",
        "breakdown",
        "indicator",
    ]
    assert all(r.path is None for r in read.rows[2:4])
    names = [i["name"] for i in read.document.data["indicators"]["产出指标"]["数量指标"]]
    assert names == ["培训人次", "招聘会场次"]
    assert read.problems == ()


def test_subtotal_rows_are_parent_sums(tmp_path: Path) -> None:
    read = read_rows(
        tmp_path,
        [
            ["产出指标", "", "", "", "", "10", "9", ""],
            ["产出指标", "数量指标", "", "", "", "6", "5", ""],
            ["", "", "a", "1", "1", "3", "3", ""],
            ["", "", "b", "1", "1", "3", "2", ""],
            ["", "质量指标", "c", "1", "1", "4", "4", ""],
            ["", "", "", "", "", "4", "4", ""],
            ["", "", "小计", "", "", "4", "4", ""],
            ["合计", "", "", "", "", "10", "9", ""],
        ],
    )
    assert [r.kind for r in read.rows] == [
        "header",
        "parent_sum",
        "parent_sum",
        "indicator",
        "indicator",
        "indicator",
        "parent_sum",
        "parent_sum",
        "total",
    ]
    assert "小计" in (read.rows[7].reason or "")
    assert read.document.data["reported_total"] == "9"
    assert read.problems == ()


def test_total_row_variants(tmp_path: Path) -> None:
    leaf = ["产出指标", "数量指标", "a", "1", "1", "100", "98", ""]
    labelled = read_rows(tmp_path, [leaf, ["总 分", "", "", "", "", "100", "98", ""], ["备注：略"]])
    assert [r.kind for r in labelled.rows] == ["header", "indicator", "total", "note"]
    assert labelled.document.data["reported_total"] == "98"
    unlabelled = read_rows(tmp_path, [leaf, ["", "", "", "", "", "100", "98", ""]])
    assert [r.kind for r in unlabelled.rows] == ["header", "indicator", "total"]
    without_score = read_rows(tmp_path, [leaf, ["合计", "", "", "", "", "100", "/", ""]])
    assert kinds(without_score)[3] == "total"
    assert "reported_total" not in without_score.document.data
    assert without_score.rows[2].path is None


def test_duplicate_names_get_their_target(tmp_path: Path) -> None:
    read = read_rows(
        tmp_path,
        [
            ["产出指标", "数量指标", "宣传", "≥10次", "12次", "5", "5", ""],
            ["", "", "宣传", "≥2场", "3场", "5", "5", ""],
            ["", "", "宣传", "≥2场", "2场", "5", "5", ""],
            ["", "", "核查", "", "完成", "5", "5", ""],
            ["", "", "核查", "", "完成", "5", "5", ""],
            ["", "质量指标", "宣传", "≥90%", "95%", "5", "5", ""],
        ],
    )
    ind = read.document.data["indicators"]["产出指标"]
    assert [i["name"] for i in ind["数量指标"]] == [
        "宣传（≥10次）",
        "宣传（≥2场）",
        "宣传（第4行）",
        "核查（第5行）",
        "核查（第6行）",
    ]
    assert [i["name"] for i in ind["质量指标"]] == ["宣传"]  # unique within its group
    assert "改名为“宣传（≥10次）”" in (read.rows[1].reason or "")


def test_placeholder_and_blank_rows(tmp_path: Path) -> None:
    read = read_rows(
        tmp_path,
        [
            ["产出指标", "数量指标", "a", "1", "1", "5", "5", "/"],
            ["", "", "……", "", "", "", "", ""],
            ["", "", "", "", "", "", "", ""],
            ["", "质量指标", "", "", "", "", "", ""],  # an empty template row
            ["", "", "b", "/", "—", "5", "5", ""],
        ],
    )
    assert [r.kind for r in read.rows] == [
        "header",
        "indicator",
        "blank",
        "blank",
        "blank",
        "indicator",
    ]
    items = read.document.data["indicators"]["产出指标"]
    assert "note" not in items["数量指标"][0]
    assert items["质量指标"] == [{"name": "b", "weight": "5", "reported": "5"}]


def test_first_level_row_with_values_is_a_fixed_leaf(tmp_path: Path) -> None:
    read = read_rows(
        tmp_path,
        [
            ["预算执行率", "", "", "100%", "98%", "10", "9.8", ""],
            ["产出指标", "数量指标", "a", "1", "1", "90", "90", ""],
            ["合计", "", "", "", "", "100", "99.8", ""],
        ],
    )
    assert read.document.data["indicators"] == {
        "预算执行率": {"target": "100%", "actual": "98%", "weight": "10", "reported": "9.8"},
        "产出指标": {
            "数量指标": [
                {"name": "a", "target": "1", "actual": "1", "weight": "90", "reported": "90"}
            ]
        },
    }
    assert read.rows[1].kind == "indicator"
    assert read.rows[1].path == ("indicators", "预算执行率")
    assert read.document.locate(("indicators", "预算执行率", "reported")) == (2, 7)
    assert read.problems == ()


def test_template_option_and_template_cell(tmp_path: Path) -> None:
    rows = [["产出指标", "数量指标", "a", "1", "1", "5", "5", ""]]
    assert read_rows(tmp_path, rows).document.data["template"] is None
    assert read_rows(tmp_path, rows, template="my.yaml").document.data["template"] == "my.yaml"
    grid = [["模板：", "hunan/unit-self-evaluation"], BASE_HEADER, *rows]
    read = read_table(write_csv(tmp_path / "t.csv", grid))
    assert read.document.data["template"] == "hunan/unit-self-evaluation"
    assert read.rows[0].path == ("template",)
    assert read.document.locate(("template",)) == (1, 2)
    chosen = read_table(write_csv(tmp_path / "t.csv", grid), template="other")
    assert chosen.document.data["template"] == "other"


# --------------------------------------------------------------------------- budget (附件3)


def test_project_form_budget_sources(tmp_path: Path) -> None:
    grid = [
        ["2023 年度项目支出绩效自评表"],
        ["项目支出名称", "社区服务", "", "", "", "", "", "", ""],
        ["主管部门", "区民政局", "", "", "实施单位", "某街道", "", "", ""],
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
        ["", "年度资金总额", "100", "120", "114", "10", "95%", "9.5"],
        ["", "其中：当年财政拨款", "80", "100", "96", "/", "/", "/"],
        ["", "上年结转资金", "20", "20", "18", "", "", ""],
        ["", "其他资金", "", "", "", "", "", ""],
        ["年度总体目标", "预期目标", "", "", "", "实际完成情况"],
        ["", "完成社区服务", "", "", "", "已完成"],
        [
            "绩 效 指 标",
            "一级指标",
            "二级指标",
            "三级指标",
            "年度\n指标值",
            "实际\n完成值",
            "分值",
            "自评得分",
            "偏差原因分析及改进措施",
        ],
        ["", "产出指标", "数量指标", "服务人次", "≥1000人次", "1200人次", "50", "50", ""],
        ["", "效益指标", "社会效益指标", "居民获得感", "提升", "提升", "30", "30", ""],
        ["", "满意度指标", "服务对象满意度指标", "满意度", "≥90%", "92%", "10", "10", ""],
        ["总分", "", "", "", "", "", "100", "99.5", ""],
    ]
    read = read_table(write_csv(tmp_path / "p.csv", grid))
    data = read.document.data
    assert data["year"] == "2023"
    assert data["unit"] == "某街道"  # 实施单位 before 项目支出名称
    assert data["budget"] == {
        "unit": "万元",
        "年初预算数": "100",
        "全年预算数": "120",
        "全年执行数": "114",
        "分值": "10",
        "执行率": "95%",
        "得分": "9.5",
        "资金来源": {
            "当年财政拨款": {"年初预算数": "80", "全年预算数": "100", "全年执行数": "96"},
            "上年结转资金": {"年初预算数": "20", "全年预算数": "20", "全年执行数": "18"},
        },
    }
    assert data["indicators"]["预算执行率"] == {"reported": "9.5"}
    assert data["reported_total"] == "99.5"
    got = kinds(read)
    assert [got[r] for r in range(1, 9)] == ["header"] * 4 + ["budget"] * 4
    assert got[9] == got[10] == "note"
    record = read.rows[5]
    assert record.path == ("budget", "资金来源", "当年财政拨款")
    assert read.rows[7].path is None and read.rows[7].kind == "budget"
    assert read.document.locate(("budget", "资金来源", "上年结转资金", "全年执行数")) == (7, 5)
    assert_accounted(read)


def test_budget_without_section_headings(tmp_path: Path) -> None:
    grid = [
        ["单位：万元"],
        ["", "年初预算数", "全年预算数", "全年执行数"],
        ["合计", "1,000", "1200", "1100"],
        ["一般公共预算：900", "基本支出：600"],
        ["其他资金：300", "项目支出：600"],
        BASE_HEADER,
        BASE_ROW,
    ]
    data = read_table(write_csv(tmp_path / "b.csv", grid)).document.data
    assert data["budget"] == {
        "unit": "万元",
        "年初预算数": "1,000",
        "全年预算数": "1200",
        "全年执行数": "1100",
        "收入": {"一般公共预算": "900", "其他资金": "300"},
        "支出": {"基本支出": "600", "项目支出": "600"},
    }
    assert "预算执行率" not in data["indicators"]


# --------------------------------------------------------------------------- CSV details


@pytest.mark.parametrize("delimiter", [",", "\t", ";"])
def test_delimiters_are_sniffed(tmp_path: Path, delimiter: str) -> None:
    grid = seed_grid()
    read = read_table(write_csv(tmp_path / "d.csv", grid, delimiter=delimiter))
    assert_seed(read)


def test_quoted_cells_with_line_breaks_count_as_one_row(tmp_path: Path) -> None:
    read = read_table(write_csv(tmp_path / "q.csv", seed_grid()))
    # The header row's cells contain line breaks: records, not lines, are numbered.
    assert read.rows[HEADER_ROW - 1].kind == "header"
    assert len(read.rows) == len(seed_grid())


@pytest.mark.parametrize(
    ("raw", "words"),
    [
        (b"\xff\xfe1\x002\x00", "找不到指标表的表头"),  # UTF-16 is read (issue 18.2)
        (b"\xff\xfe1\x002", "UTF-16"),  # ... unless it is not valid UTF-16
        ("一级指标,二级指标".encode("utf-16-le"), "NUL"),
        (b"\x81\x30\xff\xff,abc\n", "编码"),
        (b"", "空文件"),
    ],
)
def test_unreadable_csv_bytes(tmp_path: Path, raw: bytes, words: str) -> None:
    path = tmp_path / "bad.csv"
    path.write_bytes(raw)
    with pytest.raises(LoadError) as info:
        read_table(path)
    assert words in info.value.message
    assert info.value.file == str(path)


# --------------------------------------------------------------------------- XLSX details


def test_xlsx_sheet_selection(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "s.xlsx",
        seed_grid(),
        merges=SEED_MERGES,
        title="附件2",
        before=["说明", "附件1"],
    )
    auto = read_table(path)
    assert auto.document.file == f"{path}[附件2]"
    assert_seed(auto)
    assert_seed(read_table(path, sheet="附件2"))
    with pytest.raises(LoadError) as info:
        read_table(path, sheet="附件9")
    assert info.value.hint is not None and "附件2" in info.value.hint
    with pytest.raises(LoadError) as info:
        read_table(path, sheet="说明")
    assert "找不到指标表的表头" in info.value.message


def test_xlsx_without_any_table(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "e.xlsx", [["说明"]], before=["a"])
    with pytest.raises(LoadError) as info:
        read_table(path)
    assert "所有工作表" in info.value.message


def test_sheet_option_refused_for_csv(tmp_path: Path) -> None:
    with pytest.raises(LoadError):
        read_table(write_csv(tmp_path / "c.csv", seed_grid()), sheet="Sheet1")


@pytest.mark.parametrize(
    ("name", "raw", "words"),
    [
        ("old.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, ".xlsx"),
        ("renamed.xls", b"a,b\n", ".xlsx"),
        ("broken.xlsx", b"PK\x03\x04garbage", "损坏"),
        ("text.xlsx", b"just text", "损坏"),
    ],
)
def test_unreadable_workbooks(tmp_path: Path, name: str, raw: bytes, words: str) -> None:
    path = tmp_path / name
    path.write_bytes(raw)
    with pytest.raises(LoadError) as info:
        read_table(path)
    assert words in str(info.value)


def test_zip_without_workbook_parts(tmp_path: Path) -> None:
    path = tmp_path / "z.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("hello.txt", "hi")
    with pytest.raises(LoadError):
        read_table(path)


def test_missing_file_and_directory(tmp_path: Path) -> None:
    with pytest.raises(LoadError) as info:
        read_table(tmp_path / "nope.csv")
    assert "不存在" in info.value.message
    with pytest.raises(LoadError):
        read_table(tmp_path)
    with pytest.raises(LoadError):
        read_table(123)  # type: ignore[arg-type]


# --------------------------------------------------------------------------- blank template


def test_blank_template_files_read_cleanly() -> None:
    for name in ("blank-form.csv", "blank-form.xlsx"):
        read = read_table(str(BLANK_DIR / name))
        assert read.problems == (), name
        data = read.document.data
        assert {l1: group for l1, group in data["indicators"].items() if group} == {}
        assert "year" not in data and "unit" not in data
        assert data["budget"] == {"unit": "万元", "分值": "10"}
        got = [r.kind for r in read.rows]
        assert "indicator" not in got and "unreadable" not in got
        assert got.count("total") == 1
        assert_accounted(read)


# --------------------------------------------------------------------------- properties

L1 = ["产出指标", "效益指标", "满意度指标"]
L2 = ["数量指标", "质量指标", "社会效益", "服务对象满意度指标"]
WORD = st.text(alphabet="甲乙丙丁戊己庚辛壬癸abc123 ", min_size=1, max_size=6)
VALUE = st.one_of(st.just(""), WORD, st.sampled_from(["≥10次", "5", "五分", "100%", "/", "……"]))


@st.composite
def leaf_rows(draw: st.DrawFn) -> dict[str, Any]:
    return {
        "kind": "leaf",
        "l1": draw(st.sampled_from(L1)),
        "l2": draw(st.sampled_from(L2)),
        "name": draw(st.one_of(WORD, st.sampled_from(["重复", "其中：分项", "……"]))),
        "cells": [draw(VALUE) for _ in range(5)],
    }


ROW = st.one_of(
    leaf_rows(),
    leaf_rows(),
    leaf_rows(),
    leaf_rows(),
    st.fixed_dictionaries({"kind": st.just("blank")}),
    st.fixed_dictionaries(
        {"kind": st.just("junk"), "col": st.integers(0, 7), "text": st.one_of(WORD, VALUE)}
    ),
    st.fixed_dictionaries(
        {"kind": st.just("unnamed"), "cells": st.lists(VALUE, min_size=5, max_size=5)}
    ),
    st.fixed_dictionaries(
        {"kind": st.just("total"), "label": st.sampled_from(["总分", "合计", ""]), "n": VALUE}
    ),
)


@st.composite
def tables(draw: st.DrawFn) -> tuple[Grid, list[str]]:
    """A header (columns shuffled) over random rows; parents blanked or merged at random."""
    order = draw(st.permutations(range(8)))
    above = draw(st.lists(WORD, max_size=4))
    specs = draw(st.lists(ROW, max_size=25))
    blank_parents = draw(st.booleans())
    rows: Grid = [[text, *[""] * 7] for text in above]
    rows.append(list(BASE_HEADER))
    previous: tuple[str, str] | None = None
    for spec in specs:
        kind = spec["kind"]
        if kind == "leaf":
            l1, l2 = spec["l1"], spec["l2"]
            shown1 = "" if blank_parents and previous and previous[0] == l1 else l1
            shown2 = "" if blank_parents and previous == (l1, l2) else l2
            rows.append([shown1, shown2, spec["name"], *spec["cells"]])
            previous = (l1, l2)
        elif kind == "blank":
            rows.append([""] * 8)
        elif kind == "junk":
            row = [""] * 8
            row[spec["col"]] = spec["text"]
            rows.append(row)
        elif kind == "unnamed":
            rows.append(["", "", "", *spec["cells"]])
        else:
            rows.append([spec["label"], "", "", "", "", "100", spec["n"], ""])
    shuffled = [[row[i] for i in order] for row in rows]
    return shuffled, [BASE_HEADER[i] for i in order]


PROPERTY_SETTINGS = settings(
    max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


def check_table(read: TableRead, grid: Grid) -> None:
    assert_accounted(read, rows=len(grid))
    # an indicator row's path exists and its name is the row's own (or derived from it)
    for record in read.rows:
        if record.kind == "indicator":
            assert record.path is not None and record.path[0] == "indicators"
            assert read.document.locate(record.path)[0] == record.row


@PROPERTY_SETTINGS
@given(tables())
def test_property_every_csv_row_is_accounted_for(table: tuple[Grid, list[str]]) -> None:
    grid, _header = table
    with tempfile.TemporaryDirectory() as folder:
        read = read_table(write_csv(Path(folder) / "p.csv", grid))
    check_table(read, grid)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tables(), st.data())
def test_property_every_xlsx_row_is_accounted_for(
    table: tuple[Grid, list[str]], data: st.DataObject
) -> None:
    grid, header = table
    # Merge runs of equal parents vertically (the first row keeps the value).
    merges: list[str] = []
    first_data = next(i for i, row in enumerate(grid) if row == header) + 1
    for name in ("一级指标", "二级指标"):
        col = header.index(name)
        letter = openpyxl.utils.get_column_letter(col + 1)
        r = first_data
        while r < len(grid):
            end = r
            while (
                end + 1 < len(grid)
                and grid[r][col]
                and grid[end + 1][col] == grid[r][col]
                and data.draw(st.booleans())
            ):
                end += 1
            if end > r:
                for k in range(r + 1, end + 1):
                    grid[k][col] = ""
                merges.append(f"{letter}{r + 1}:{letter}{end + 1}")
            r = end + 1
    with tempfile.TemporaryDirectory() as folder:
        path = write_xlsx(Path(folder) / "p.xlsx", grid, merges=merges, numbers=False)
        read = read_table(path)
    # trailing empty rows of a sheet do not exist in the file
    while grid and not any(grid[-1]):
        grid.pop()
    check_table(read, grid)


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=300))
def test_property_only_load_errors_escape(raw: bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        for name in ("x.csv", "x.xlsx"):
            path = Path(folder) / name
            path.write_bytes(raw)
            try:
                read = read_table(path)
            except PerfscoreError as exc:
                assert isinstance(exc, LoadError)
            else:
                assert_accounted(read)


VOCABULARY = [
    *BASE_HEADER,
    "指标性质",
    "指标值",
    "度量单位",
    "权重",
    "自评得分",
    "年初预算数",
    "全年预算数",
    "全年执行数",
    "执行率",
    "年度资金总额",
    "其中：当年财政拨款",
    "按收入性质分：",
    "其中：一般公共预算：12",
    "项目支出：3",
    "预算单位名称",
    "实施单位",
    "模板：x",
    "2023年度绩效自评表",
    "（万元）",
    "总分",
    "合计",
    "其中：a",
    "备注：b",
    "≥",
    "定性",
    "……",
    "/",
    "",
    "",
    "",
    "5",
    "100",
    "10",
    "≥10次",
    "产出指标(50分)",
    "数量指标",
]


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.lists(st.sampled_from(VOCABULARY), min_size=0, max_size=10), min_size=1, max_size=25
    )
)
def test_property_arbitrary_layouts_never_crash(grid: Grid) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = write_csv(Path(folder) / "v.csv", grid)
        try:
            read = read_table(path)
        except LoadError as exc:
            assert "表头" in exc.message
        else:
            assert_accounted(read, rows=len(grid))
