"""Layouts of published tables that the row reader alone reads wrongly, fixed on its result.

Three layouts, each turned into what the form means and said in a finding:

* **Parent rows** (g5). ``一、示范建设 ≥300亩 … 30`` above ``1、甲类示范 … 15`` and
  ``2、乙类示范 … 15``: a row numbered with a Chinese numeral (``一、``) followed by rows
  numbered with digits (``1、``, ``（1）``) whose 分值 add up to its own is their parent, even
  with a target and an actual of its own. It is taken out of the indicators (its row becomes
  ``parent_sum``) so it is not counted twice; ``parent_row`` says which rows it sums.
  :func:`parent_points` gives the parents' points, so review can say when a reported total
  counts them on top of their children.
* **Formula cells without a value** (g10, XLSX). The reader keeps their text (``=8个``). As a
  target that reads as one, the text is kept (``formula_as_text``); anywhere else the value is
  dropped and ``formula_uncached`` asks for a recalculation in Excel.
* **A 年度资金总额 row of zeros** while the 其中 rows (``budget.资金来源``) hold the amounts:
  the totals are taken as the sum of those rows (``budget_total_from_parts``).

Stage: read.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any, Final

import attrs

from ..core.findings import severity_of
from ..core.result import Finding
from ..errors import PerfscoreError
from ..text.display import fmt
from ..text.target import parse_target
from .table_cells import RowRecord, TableRead
from .yaml_document import JsonPath

__all__ = ["fix_layout", "parent_points"]

_CHINESE_NUMBERED: Final = re.compile(r"^[一二三四五六七八九十]+[、.．]")
_DIGIT_NUMBERED: Final = re.compile(r"^(?:[0-9]+[、.．)）]|[(（][0-9]+[)）])")
_AMOUNTS: Final = ("年初预算数", "全年预算数", "全年执行数")


def _number(text: Any) -> Decimal | None:
    if text is None:
        return None
    norm = unicodedata.normalize("NFKC", str(text)).strip().replace(",", "").removesuffix("分")
    try:
        value = Decimal(norm)
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def _finding(code: str, message: str, file: str, row: int | None, **values: str) -> Finding:
    return Finding(
        code=code,
        severity=severity_of(code),
        message=message,
        values=tuple(sorted(values.items())),
        file=file,
        row=row,
    )


@attrs.define
class _Fixer:
    table: TableRead
    data: dict[str, Any]
    positions: dict[JsonPath, tuple[int, int]]
    records: dict[int, RowRecord]
    findings: list[Finding] = attrs.field(factory=list)
    parents: list[tuple[Decimal, Decimal | None]] = attrs.field(factory=list)

    @property
    def file(self) -> str:
        return self.table.document.file or ""

    def row_of(self, path: JsonPath) -> int | None:
        pos = self.positions.get(path)
        return None if pos is None else pos[0]

    # ---------------------------------------------------------------- parents

    def parents_in(self, l1: str, l2: str, items: list[Any]) -> None:
        i = 0
        while i < len(items):
            entry = items[i]
            name = str(entry.get("name", "")) if isinstance(entry, Mapping) else ""
            weight = _number(entry.get("weight")) if isinstance(entry, Mapping) else None
            if not _CHINESE_NUMBERED.match(name) or weight is None:
                i += 1
                continue
            j = i + 1
            while j < len(items) and isinstance(items[j], Mapping):
                if not _DIGIT_NUMBERED.match(str(items[j].get("name", ""))):
                    break
                j += 1
            children = items[i + 1 : j]
            weights = [_number(c.get("weight")) for c in children]
            if not children or any(w is None for w in weights):
                i += 1
                continue
            got = sum((w for w in weights if w is not None), Decimal(0))
            if got != weight:
                i += 1
                continue
            self.remove(l1, l2, i, entry, children, got)
            items.pop(i)

    def remove(
        self, l1: str, l2: str, i: int, entry: Mapping[str, Any], children: list[Any], got: Decimal
    ) -> None:
        base: JsonPath = ("indicators", l1, l2)
        row = self.row_of((*base, i))
        names = "、".join(str(c.get("name")) for c in children)
        parts = " + ".join(fmt(_number(c.get("weight")) or Decimal(0)) for c in children)
        reported = _number(entry.get("reported"))
        self.parents.append((got, reported))
        self.findings.append(
            _finding(
                "parent_row",
                f"“{entry.get('name')}”是其下 {len(children)} 项（{names}）的上级行："
                f"分值 {fmt(got)} = {parts}，不再单独计分",
                self.file,
                row,
                上级分值=fmt(got),
                下级各项=names,
            )
        )
        if row is not None:
            self.records[row] = RowRecord(
                row, "parent_sum", (), f"上级行，分值等于其下 {len(children)} 项之和，不计入指标"
            )
        moved: dict[JsonPath, tuple[int, int]] = {}
        for path, pos in self.positions.items():
            if len(path) > 3 and path[:3] == base and isinstance(path[3], int):
                k = path[3]
                if k == i:
                    continue
                moved[(*base, k - 1, *path[4:]) if k > i else path] = pos
                continue
            moved[path] = pos
        self.positions = moved
        for r, rec in list(self.records.items()):
            new = []
            for p in rec.paths:
                shift = len(p) > 3 and p[:3] == base and isinstance(p[3], int) and p[3] > i
                new.append((*base, int(p[3]) - 1, *p[4:]) if shift else p)
            if r != row:
                self.records[r] = attrs.evolve(rec, paths=tuple(new))

    # ---------------------------------------------------------------- formulas

    def formulas(self) -> None:
        if not self.table.formulas:
            return
        at = {pos: path for path, pos in self.positions.items()}
        for (row, col), text in sorted(self.table.formulas.items()):
            path = at.get((row, col))
            if path is None or not path or not isinstance(path[-1], str):
                continue
            field = path[-1]
            if field == "target" and _reads_as_target(text):
                self.findings.append(
                    _finding(
                        "formula_as_text",
                        f"单元格保存为公式“{text}”但没有计算结果：按其文字“{text}”读作年度指标值",
                        self.file,
                        row,
                        单元格内容=text,
                    )
                )
                continue
            self.drop(path)
            self.findings.append(
                _finding(
                    "formula_uncached",
                    f"单元格是公式“{text}”，公式没有计算结果，请在 Excel 中重新计算后保存",
                    self.file,
                    row,
                    单元格内容=text,
                )
            )

    def drop(self, path: JsonPath) -> None:
        node: Any = self.data
        for key in path[:-1]:
            node = node[key]
        if isinstance(node, dict):
            node.pop(path[-1], None)
        self.positions.pop(path, None)

    # ---------------------------------------------------------------- budget

    def budget_total(self) -> None:
        budget = self.data.get("budget")
        if not isinstance(budget, dict) or not isinstance(budget.get("资金来源"), Mapping):
            return
        main = [_number(budget.get(k)) for k in _AMOUNTS]
        if any(v not in (None, Decimal(0)) for v in main):
            return
        sums: dict[str, Decimal] = {}
        for entry in budget["资金来源"].values():
            if not isinstance(entry, Mapping):
                continue
            for k in _AMOUNTS:
                v = _number(entry.get(k))
                if v is not None:
                    sums[k] = sums.get(k, Decimal(0)) + v
        if not any(sums.values()):
            return
        for k, v in sums.items():
            budget[k] = format(v.normalize(), "f") if v else "0"
        row = self.row_of(("budget",))
        shown = "，".join(f"{k} {fmt(v)}" for k, v in sums.items())
        self.findings.append(
            _finding(
                "budget_total_from_parts",
                f"“年度资金总额”一行的金额为 0 或空，而“其中”各行填有金额：按各行之和复核（{shown}）",
                self.file,
                row,
                各行之和=shown,
            )
        )


def _reads_as_target(text: str) -> bool:
    try:
        parse_target(text)
    except PerfscoreError:
        return False
    return True


def _copy(data: Any) -> Any:
    if isinstance(data, Mapping):
        return {k: _copy(v) for k, v in data.items()}
    if isinstance(data, list):
        return [_copy(v) for v in data]
    return data


def fix_layout(table: TableRead) -> tuple[TableRead, list[Finding], list[tuple[Decimal, Any]]]:
    """The table with the layouts above read as meant; the findings; the parents' points.

    Each parent is (its 分值, its reported 得分 or None).
    """
    doc = table.document
    data = _copy(doc.data)
    if not isinstance(data, dict):
        return table, [], []
    fixer = _Fixer(
        table,
        data,
        dict(doc.positions),
        {rec.row: rec for rec in table.rows},
    )
    indicators = data.get("indicators")
    if isinstance(indicators, dict):
        for l1, block in indicators.items():
            if isinstance(block, dict):
                for l2, items in block.items():
                    if isinstance(items, list):
                        fixer.parents_in(l1, l2, items)
    fixer.formulas()
    fixer.budget_total()
    if not fixer.findings:
        return table, [], []
    new_doc = attrs.evolve(
        doc, data=data, positions=fixer.positions, key_positions=dict(fixer.positions)
    )
    rows = tuple(fixer.records[rec.row] for rec in table.rows)
    return attrs.evolve(table, document=new_doc, rows=rows), fixer.findings, fixer.parents


def parent_points(parents: list[tuple[Decimal, Any]]) -> tuple[Decimal, Decimal]:
    """The parents' total 分值 and total reported 得分."""
    weight = sum((w for w, _r in parents), Decimal(0))
    reported = sum((r for _w, r in parents if isinstance(r, Decimal)), Decimal(0))
    return weight, reported
