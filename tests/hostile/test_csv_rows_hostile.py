"""No row lost (issue 19, item 13): an unmatched ``"`` in a CSV row once swallowed every
following row into one cell, and the record was then classed as blank. Every physical line
must become a row (read, or named in a finding), with its line number."""

from __future__ import annotations

from pathlib import Path

import pytest

from perfscore.read.table import read_table
from perfscore.review import review_form

pytestmark = pytest.mark.timeout(60)

HEADER = "一级指标,二级指标,三级指标,年度指标值,实际完成值,分值,得分\n"
ROWS = [
    "产出指标,数量指标,场次,≥10次,18次,30,30\n",
    "产出指标,数量指标,人数,≥10人,18人,30,30\n",
    "产出指标,质量指标,合格率,≥90%,95%,40,40\n",
]


@pytest.mark.parametrize(
    ("broken", "position"),
    [
        (0, "start"),  # "产出指标,…: the quote opens the first cell
        (0, "middle"),  # …,"场次,…
        (1, "start"),
    ],
)
def test_unmatched_quote_loses_no_row(tmp_path: Path, broken: int, position: str) -> None:
    rows = list(ROWS)
    if position == "start":
        rows[broken] = '"' + rows[broken]
    else:
        rows[broken] = rows[broken].replace("场次", '"场次').replace("人数", '"人数')
    path = tmp_path / "q.csv"
    path.write_text(HEADER + "".join(rows), encoding="utf-8")
    read = read_table(path)
    assert len(read.rows) == 1 + len(ROWS)  # every physical line is a row
    kinds = [r.kind for r in read.rows]
    assert "blank" not in kinds
    quote = [p for p in read.problems if "引号" in p.message]
    assert len(quote) == 1
    line = broken + 2
    assert quote[0].row == line and f"第 {line} 行" in quote[0].message
    assert f"第 {line}–{1 + len(ROWS)} 行" in quote[0].message
    review = review_form(path)
    assert any(f.code == "row_unreadable" and f.severity == "error" for f in review.findings)
    names = {item.name for item in review.items}
    assert {"合格率"} <= names


def test_legitimate_line_breaks_in_quoted_cells_stay_one_row(tmp_path: Path) -> None:
    path = tmp_path / "ok.csv"
    header = '一级指标,二级指标,三级指标,"年度\n指标值","实际\n完成值",分值,得分\n'
    path.write_text(header + "".join(ROWS), encoding="utf-8")
    read = read_table(path)
    assert len(read.rows) == 1 + len(ROWS)
    assert read.rows[0].kind == "header"
    assert not [p for p in read.problems if "引号" in p.message]
