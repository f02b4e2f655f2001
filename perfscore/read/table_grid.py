"""The indicator table of a published form, cell grid → form data: the rows under the header
(一级/二级/三级指标 …), the budget block and the head, each value placed with its (row, column).

Split from :mod:`perfscore.read.table` so that the readers of other file kinds
(:mod:`perfscore.read.table_formats`) can turn their sheets into forms without importing it.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import attrs

from .table_cells import (
    _ALL_SPACE,
    _BREAKDOWN,
    _NOTE_START,
    _POINTS,
    _SUBTOTAL_WORDS,
    _TOTAL_WORDS,
    _VALUE_FIELDS,
    RowRecord,
    TableRead,
    _decimal,
    _find_header,
    _group_name,
    _is_placeholder,
    _no_header_error,
    _Out,
    _value,
)
from .table_head import _combine_target, _Entry, _existing, _exists, _Head, _ordered_budget
from .yaml_document import Document, JsonPath

if TYPE_CHECKING:
    from .table_cells import _Grid, _Header

__all__ = ["_read_grid"]


@attrs.define
class _Table:
    """Reads the indicator table below the header."""

    grid: _Grid
    header: _Header
    out: _Out
    entries: list[_Entry] = attrs.field(factory=list)
    total: tuple[int, str | None, int] | None = None  # row, reported, column
    grouped: set[str] = attrs.field(factory=set)  # 一级 names with third-level indicators
    points: dict[str, tuple[str, int, int]] = attrs.field(factory=dict)  # see TableRead

    def column(self, field: str) -> int | None:
        return self.header.columns.get(field)

    def read(self) -> None:
        grid, cols = self.grid, self.header.columns
        l1: str | None = None
        l2: str | None = None
        last_leaf: _Entry | None = None
        mapped = set(cols.values())
        for r in range(self.header.last + 1, len(grid.cells)):
            prev_leaf, last_leaf = last_leaf, None
            own = grid.own(r)
            if self.total is not None:
                self.out.record(r, "note" if own else "blank")
                continue
            raw = [t for t in grid.cells[r] if t is not None]
            if not raw:
                self.out.record(r, "blank")
                continue
            squeezed = [_ALL_SPACE.sub("", t) for _c, t in own]
            if any(s in _TOTAL_WORDS for s in squeezed) or any(
                (v := grid.field(r, cols.get(f))) is not None
                and _ALL_SPACE.sub("", v) in _TOTAL_WORDS
                for f in ("level1", "level2", "level3")
            ):
                reported = _value(grid.field(r, cols.get("reported")))
                self.total = (r, reported, cols.get("reported", 0))
                continue
            if squeezed and _NOTE_START.match(squeezed[0]):
                self.out.record(r, "note")
                continue
            get = {f: _value(grid.field(r, c)) for f, c in cols.items()}
            if get.get("level1") is not None:
                new1 = _group_name(get["level1"] or "")
                printed = _POINTS.search(_ALL_SPACE.sub("", get["level1"] or ""))
                if printed is not None and new1 not in self.points:
                    c1 = cols.get("level1", 0)
                    self.points[new1] = (printed.group(0), r + 1, c1 + 1)
                if new1 != l1 and get.get("level2") is None:
                    l2 = None
                l1 = new1
            if get.get("level2") is not None:
                l2 = _group_name(get["level2"] or "")
            values: dict[str, tuple[str, int]] = {}
            reason: str | None = None
            target, reason = _combine_target(
                get.get("nature"), get.get("target"), get.get("measure")
            )
            if target is not None:
                tcol = cols.get("target")
                values["target"] = (target, tcol if tcol is not None else 0)
            for f in ("actual", "weight", "reported", "note"):
                v = get.get(f)
                c = cols.get(f)
                if v is not None and c is not None:
                    values[f] = (v, c)
            name = get.get("level3")
            if any(s in _SUBTOTAL_WORDS for s in squeezed):
                self.out.record(r, "parent_sum", (), "小计行，不计入指标")
                continue
            entry = _Entry(
                row=r,
                kind="leaf",
                l1=l1,
                l2=l2,
                name=name,
                fields=values,
                l1_col=cols.get("level1", cols["level3"]),
                l2_col=cols.get("level2", cols["level3"]),
                name_col=cols["level3"],
                explicit_l1=get.get("level1") is not None
                and (r, cols.get("level1")) not in grid.copied,
                explicit_l2=get.get("level2") is not None
                and (r, cols.get("level2")) not in grid.copied,
                reason=reason,
            )
            if name is not None:
                if _BREAKDOWN.match(_ALL_SPACE.sub("", name)):
                    entry.kind = "breakdown"
                self.entries.append(entry)
                if entry.kind == "leaf":
                    last_leaf = entry
                continue
            if not values:
                only_unmapped = [t for c, t in own if c not in mapped and not _is_placeholder(t)]
                self.out.record(r, "note" if only_unmapped else "blank")
                continue
            carried = get.get("level1") is None or (r, cols.get("level1")) in grid.copied
            carried = carried and (
                get.get("level2") is None or (r, cols.get("level2")) in grid.copied
            )
            if (
                prev_leaf is not None
                and carried
                and "target" in values
                and (prev_leaf.l1, prev_leaf.l2) == (l1, l2)
            ):
                entry.name = prev_leaf.name
                entry.continued = True
                entry.reason = (
                    f"三级指标名称为空，沿用上一行的“{prev_leaf.name}”（原表应为合并单元格）"
                )
                self.entries.append(entry)
                last_leaf = entry
                continue
            entry.kind = "unnamed"
            self.entries.append(entry)

    # ------------------------------------------------------------------ second pass

    def finish(self, budget_weight: Decimal | None) -> dict[str, Any]:
        out = self.out
        leaves = [e for e in self.entries if e.kind == "leaf"]
        placed: list[_Entry] = []
        for e in leaves:
            if e.l1 is None:
                out.unreadable(self.grid, e.row, "缺少一级指标（本行和上方各行都没有填写一级指标）")
            elif e.l2 is None:
                out.unreadable(
                    self.grid, e.row, f"缺少二级指标（一级指标“{e.l1}”下本行没有填写二级指标）"
                )
            else:
                placed.append(e)
        self.rename_duplicates(placed)
        weights: dict[tuple[str, ...], Decimal] = {}
        reported: dict[tuple[str, ...], Decimal] = {}
        for e in placed:
            assert e.l1 is not None and e.l2 is not None
            for key in ((e.l1, e.l2), (e.l1,), ()):
                for table, field in ((weights, "weight"), (reported, "reported")):
                    number = _decimal(e.fields.get(field, (None, 0))[0])
                    if number is not None:
                        table[key] = table.get(key, Decimal(0)) + number
        last_leaf_row = max((e.row for e in placed), default=-1)
        placed_ids = {id(e) for e in placed}
        self.grouped = {e.l1 for e in placed if e.l1 is not None}
        indicators: dict[str, Any] = {}
        for e in self.entries:
            if e.kind == "breakdown":
                out.record(e.row, "breakdown", (), "“其中”分项，是上一项指标的明细，不计入指标")
            elif e.kind == "unnamed":
                self.unnamed(e, weights, reported, budget_weight, last_leaf_row, indicators)
            elif id(e) in placed_ids:
                self.place(e, indicators)
        if self.total is not None:
            r, value, c = self.total
            self.out.record(r, "total", [("reported_total",)] if value is not None else [])
            if value is not None:
                out.at(("reported_total",), r, c)
        return indicators

    def rename_duplicates(self, placed: list[_Entry]) -> None:
        groups: dict[tuple[str | None, str | None, str | None], list[_Entry]] = {}
        for e in placed:
            groups.setdefault((e.l1, e.l2, e.name), []).append(e)
        taken = {(e.l1, e.l2, e.name) for e in placed}
        for (l1, l2, name), same in groups.items():
            if len(same) < 2:
                continue
            for e in same:
                target = e.fields.get("target", (None, 0))[0]
                new = f"{name}（{target}）" if target else None
                if new is None or (l1, l2, new) in taken:
                    new = f"{name}（第{e.row + 1}行）"
                taken.add((l1, l2, new))
                e.name = new
                note = f"同一二级指标下有多个“{name}”，改名为“{new}”"
                e.reason = f"{e.reason}；{note}" if e.reason else note

    def place(self, e: _Entry, indicators: dict[str, Any]) -> None:
        assert e.l1 is not None and e.l2 is not None and e.name is not None
        out = self.out
        group = indicators.setdefault(e.l1, {})
        out.at(("indicators", e.l1), e.row, e.l1_col)
        if not isinstance(group, dict):  # pragma: no cover - groups are always mappings here
            return
        items = group.setdefault(e.l2, [])
        out.at(("indicators", e.l1, e.l2), e.row, e.l2_col)
        path: JsonPath = ("indicators", e.l1, e.l2, len(items))
        leaf: dict[str, str] = {"name": e.name}
        out.at(path, e.row, e.name_col)
        out.at((*path, "name"), e.row, e.name_col)
        for f in _VALUE_FIELDS:
            if f in e.fields:
                value, c = e.fields[f]
                leaf[f] = value
                out.at((*path, f), e.row, c)
        items.append(leaf)
        out.record(e.row, "indicator", [path], e.reason)

    def unnamed(
        self,
        e: _Entry,
        weights: Mapping[tuple[str, ...], Decimal],
        reported: Mapping[tuple[str, ...], Decimal],
        budget_weight: Decimal | None,
        last_leaf_row: int,
        indicators: dict[str, Any],
    ) -> None:
        weight = _decimal(e.fields.get("weight", (None, 0))[0])
        score = _decimal(e.fields.get("reported", (None, 0))[0])
        numbers_only = not ({"target", "actual"} & e.fields.keys()) and (
            weight is not None or score is not None
        )
        if numbers_only and weight is not None and e.row > last_leaf_row:
            totals = {Decimal(100), weights.get((), Decimal(0))}
            if budget_weight is not None:
                totals.add(weights.get((), Decimal(0)) + budget_weight)
            if weight in totals and self.total is None:
                self.total = (
                    e.row,
                    e.fields.get("reported", (None, 0))[0],
                    self.column("reported") or 0,
                )
                return
        if numbers_only and e.l1 is not None:
            keys: list[tuple[str, ...]] = []
            if e.l2 is not None:
                keys.append((e.l1, e.l2))
            if not e.explicit_l2:
                keys.append((e.l1,))
            for key in keys:
                if key not in weights and key not in reported:
                    continue
                if (weight is not None and weights.get(key) == weight) or (
                    weight is None and score is not None and reported.get(key) == score
                ):
                    level = "二级" if len(key) == 2 else "一级"
                    self.out.record(
                        e.row,
                        "parent_sum",
                        (),
                        f"{level}指标“{key[-1]}”的小计行（等于下级各项之和）",
                    )
                    return
        if not e.fields.keys() - {"note"}:
            self.out.record(e.row, "note", (), "只有说明文字，没有指标名称和数值")
            return
        if (
            e.l1 is not None
            and e.explicit_l1
            and e.l2 is None
            and e.l1 not in indicators
            and e.l1 not in self.grouped
        ):
            # A first-level row with its own values (预算执行率 | | | 100% | 98% | 10 | 9.8):
            # a fixed template leaf, written as a mapping.
            path: JsonPath = ("indicators", e.l1)
            self.out.at(path, e.row, e.l1_col)
            fixed: dict[str, str] = {}
            for f in _VALUE_FIELDS:
                if f in e.fields:
                    value, c = e.fields[f]
                    fixed[f] = value
                    self.out.at((*path, f), e.row, c)
            indicators[e.l1] = fixed
            self.out.record(
                e.row, "indicator", [path], f"一级指标“{e.l1}”本身填有数值，按固定指标读取"
            )
            return
        self.out.unreadable(
            self.grid,
            e.row,
            "三级指标名称为空，但该行填有"
            + "、".join(
                {
                    "target": "年度指标值",
                    "actual": "实际完成值",
                    "weight": "分值",
                    "reported": "得分",
                    "note": "说明",
                }[f]
                for f in _VALUE_FIELDS
                if f in e.fields
            )
            + "；它既不是小计行也不是总分行，无法判断属于哪个指标",
        )


# --------------------------------------------------------------------------- one grid


def _read_grid(grid: _Grid, template: str | None, encoding: str | None) -> TableRead:
    header = _find_header(grid)
    if header is None:
        raise _no_header_error(grid)
    out = _Out(name=grid.name)
    head = _Head(grid, out)
    head.read(header.row)
    head.finish()
    for r in range(header.row, header.last + 1):
        out.record(r, "header")
    table = _Table(grid, header, out)
    table.read()
    budget_weight = _decimal(head.budget.get("分值"))
    indicators_found = table.finish(budget_weight)

    data: dict[str, Any] = {"kind": "form"}
    out.positions[()] = (1, 1)
    if template is not None:
        data["template"] = template
    elif head.template is not None:
        data["template"] = head.template[0]
        out.at(("template",), head.template[1], head.template[2])
    else:
        data["template"] = None
    if head.unit is not None:
        data["unit"] = head.unit[0]
        out.at(("unit",), head.unit[1], head.unit[2])
    if head.year is not None:
        data["year"] = head.year[0]
        out.at(("year",), head.year[1], head.year[2])
    if head.budget:
        data["budget"] = _ordered_budget(head.budget)
    indicators: dict[str, Any] = {}
    score = head.budget.get("得分")
    if score is not None and "预算执行率" not in indicators_found:
        indicators["预算执行率"] = {"reported": score}
        where = out.positions.get(("budget", "得分"), (1, 1))
        out.positions.setdefault(("indicators", "预算执行率"), where)
        out.positions.setdefault(("indicators", "预算执行率", "reported"), where)
    indicators.update(indicators_found)
    data["indicators"] = indicators
    out.at(("indicators",), header.row, header.columns.get("level1", header.columns["level3"]))
    if table.total is not None and table.total[1] is not None:
        data["reported_total"] = table.total[1]

    # Keep only positions whose path exists (a budget row with nothing usable, say).
    positions = {p: pos for p, pos in out.positions.items() if _exists(data, p)}
    rows = tuple(
        _existing(out.records.get(r, RowRecord(row=r + 1, kind="blank")), data)
        for r in range(len(grid.cells))
    )
    document = Document(
        data=data, file=grid.name, positions=positions, key_positions=dict(positions), text=""
    )
    return TableRead(
        document=document,
        encoding=encoding,
        rows=rows,
        problems=tuple(sorted(out.problems, key=lambda p: p.row or 0)),
        head_text=tuple(t for r in range(header.row) for _c, t in grid.own(r)),
        label_points=dict(table.points),
    )


# --------------------------------------------------------------------------- files
