"""The head of a published table: unit, template and budget lines above the indicator header."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Final

import attrs

from .table_cells import (
    _ALL_SPACE,
    _AMOUNT_UNIT,
    _BREAKDOWN,
    _BUD_EXACT,
    _BUD_LONG,
    _YEAR,
    _clean,
    _is_placeholder,
    _norm_header,
    _row_fields,
    _value,
)
from .yaml_document import JsonPath

if TYPE_CHECKING:
    from .table_cells import RowRecord, _Grid, _Out

__all__ = []

# --------------------------------------------------------------------------- the head


_UNIT_LABELS: Final = (
    ("预算单位名称", 0),
    ("单位名称", 0),
    ("部门(单位)名称", 0),
    ("部门名称", 1),
    ("实施单位", 2),
    ("项目支出名称", 3),
    ("项目名称", 3),
)
_TEMPLATE_LABELS: Final = frozenset({"模板", "模板编号", "评价模板", "template", "Template"})
_PAIR: Final = re.compile(
    r"^(?:其中\s*[:：]?\s*)?(?P<label>[^:：\d][^:：]*?)\s*[:：]\s*(?P<value>[^:：]*)$"
)
_AMOUNT: Final = re.compile(r"[+-]?[0-9][0-9,]*(?:\.[0-9]+)?\s*(?:万元|千元|亿元|元|万|亿)?")
_SECTION: Final = re.compile(r"^按(收入|支出)(?:性质|类别|功能)?分")
_SPENDING_WORDS: Final = ("支出", "经费")
_MAIN_ROW: Final = re.compile(r"总额|合计|总计")
_BUDGET_VALUE: Final = re.compile(
    r"[+-]?[0-9][0-9,]*(?:\.[0-9]+)?\s*(?:%|‰|万元|千元|亿元|元|万|亿|分)?"
)
_FUND_LABEL: Final = re.compile(r"其中|财政拨款|结转|结余|资金|拨款|收入|基金|预算|支出|经费")


def _label_value(grid: _Grid, r: int, labels: Mapping[str, int]) -> tuple[str, int, int] | None:
    """(value, column, rank) for the best ``label | value`` or ``label：value`` in row r."""
    own = grid.own(r)
    best: tuple[str, int, int] | None = None
    for i, (c, text) in enumerate(own):
        norm = _norm_header(text)
        rank = labels.get(norm)
        value: str | None = None
        col = c
        if rank is not None:
            for c2, text2 in own[i + 1 :]:
                if _norm_header(text2) in labels or _norm_header(text2) == norm:
                    break
                if not _is_placeholder(text2):
                    value, col = text2, c2
                    break
        else:
            for label, label_rank in labels.items():
                m = re.fullmatch(re.escape(label) + r"\s*[:：]\s*(.+)", norm)
                if m is not None:
                    rank = label_rank
                    rest = text.split("：", 1)[-1] if "：" in text else text.split(":", 1)[-1]
                    value = _value(_clean(rest))
                    break
        if rank is not None and value is not None and (best is None or rank < best[2]):
            best = (value, col, rank)
    return best


@attrs.define
class _Head:
    """Reads the rows above the indicator header."""

    grid: _Grid
    out: _Out
    unit: tuple[str, int, int, int] | None = None  # value, row, col, rank
    year: tuple[str, int, int] | None = None
    template: tuple[str, int, int] | None = None
    budget: dict[str, Any] = attrs.field(factory=dict)
    budget_columns: dict[str, int] = attrs.field(factory=dict)
    budget_label: str | None = None
    sections: list[tuple[int, str]] = attrs.field(factory=list)
    in_budget: bool = False
    main_done: bool = False
    pending_unit: tuple[str, int, int] | None = None  # 单位：万元 outside the budget block

    def read(self, end: int) -> None:
        units = {_norm_header(label): rank for label, rank in _UNIT_LABELS}
        templates = {label: 0 for label in _TEMPLATE_LABELS}
        for r in range(end):
            own = self.grid.own(r)
            if all(v is None for v in self.grid.cells[r]):
                self.out.record(r, "blank")
                continue
            if self.in_budget and self.budget_row(r):
                continue
            budget_fields = _row_fields(self.grid, r, _BUD_EXACT, _BUD_LONG)
            if sum(f in budget_fields for f in ("年初预算数", "全年预算数", "全年执行数")) >= 2:
                self.budget_header(r, budget_fields)
                continue
            self.in_budget = False
            paths: list[JsonPath] = []
            found = _label_value(self.grid, r, units)
            if found is not None and (self.unit is None or found[2] < self.unit[3]):
                self.unit = (found[0], r, found[1], found[2])
                paths.append(("unit",))
            found_t = _label_value(self.grid, r, templates)
            if found_t is not None and self.template is None:
                self.template = (found_t[0], r, found_t[1])
                paths.append(("template",))
            if self.year is None:
                for c, text in own:
                    m = _YEAR.search(text)
                    if m is not None and ("表" in text or "绩效" in text or "年度" in text):
                        self.year = (m.group(1), r, c)
                        paths.append(("year",))
                        break
            if self.pending_unit is None:
                for c, text in own:
                    m = _AMOUNT_UNIT.search(unicodedata.normalize("NFKC", text))
                    if m is not None:
                        self.pending_unit = (m.group(1), r, c)
                        break
            labelled = any(
                (norm := _norm_header(t)) in units
                or norm in templates
                or ("绩效" in norm and norm.endswith("表"))
                for _c, t in own
            )
            if paths or labelled:
                self.out.record(r, "header", paths)
            elif not own or all(_is_placeholder(t) for _c, t in own):
                self.out.record(r, "blank")
            else:
                self.out.record(r, "note")

    def finish(self) -> None:
        # A better-ranked unit label found further down (实施单位 over 项目支出名称) wins.
        if self.unit is not None:
            for r, record in list(self.out.records.items()):
                if ("unit",) in record.paths and r != self.unit[1]:
                    kept = tuple(p for p in record.paths if p != ("unit",))
                    self.out.records[r] = attrs.evolve(record, paths=kept)
        if self.budget and "unit" not in self.budget and self.pending_unit is not None:
            self.budget["unit"] = self.pending_unit[0]
            self.out.at(("budget", "unit"), self.pending_unit[1], self.pending_unit[2])

    def budget_header(self, r: int, fields: dict[str, int]) -> None:
        self.in_budget = True
        self.budget_columns = fields
        first = min(fields.values())
        left = [t for c, t in enumerate(self.grid.cells[r][:first]) if t is not None]
        self.budget_label = left[-1] if left else None
        self.out.at(("budget",), r, first)
        self.out.record(r, "header", [("budget",)])
        for c, text in enumerate(self.grid.cells[r]):
            if text is not None:
                self.find_unit(text, r, c)

    def find_unit(self, text: str, r: int, c: int) -> None:
        if "unit" in self.budget:
            return
        m = _AMOUNT_UNIT.search(unicodedata.normalize("NFKC", text))
        if m is not None:
            self.budget["unit"] = m.group(1)
            self.out.at(("budget", "unit"), r, c)

    def budget_row(self, r: int) -> bool:
        """Read row r as part of the budget block; False when the block has ended."""
        grid = self.grid
        first = min(self.budget_columns.values())
        for c, text in enumerate(grid.cells[r]):
            if text is not None:
                self.find_unit(text, r, c)
        written = {
            f: (v, c)
            for f, c in self.budget_columns.items()
            if (v := _value(grid.field(r, c))) is not None
        }
        values = {
            f: (v, c)
            for f, (v, c) in written.items()
            if _BUDGET_VALUE.fullmatch(unicodedata.normalize("NFKC", v).replace(" ", ""))
        }
        left = [(c, t) for c, t in enumerate(grid.cells[r][:first]) if t is not None]
        label_cell = left[-1] if left else None
        if label_cell is not None and label_cell[1] == self.budget_label:
            label_cell = None  # the merged block title (年度预算申请（万元）) copied down
        label = _ALL_SPACE.sub("", label_cell[1]) if label_cell is not None else ""
        if values:
            if not self.main_done and (_MAIN_ROW.search(label) or not label):
                self.main_done = True
                paths: list[JsonPath] = [("budget",)]
                for f, (v, c) in values.items():
                    self.budget[f] = v
                    self.out.at(("budget", f), r, c)
                self.out.record(r, "budget", paths)
                return True
            name = re.sub(r"^其中\s*[:：]?", "", label) or f"第{r + 1}行"
            sources = self.budget.setdefault("资金来源", {})
            entry: dict[str, str] = sources.setdefault(name, {})
            base: JsonPath = ("budget", "资金来源", name)
            self.out.at(("budget", "资金来源"), r, label_cell[0] if label_cell else first)
            self.out.at(base, r, label_cell[0] if label_cell else first)
            for f, (v, c) in values.items():
                entry[f] = v
                self.out.at((*base, f), r, c)
            self.out.record(r, "budget", [base])
            return True
        # label：value cells (附件2) and their 按收入/支出性质分 headings
        own = grid.own(r)
        texts = [(c, t) for c, t in own if t != self.budget_label]
        if not texts:
            self.out.record(r, "blank")
            return True
        paths = []
        recognised = False
        for c, text in texts:
            squeezed = _ALL_SPACE.sub("", text)
            section = _SECTION.match(squeezed)
            if section is not None:
                recognised = True
                self.sections.append((c, section.group(1)))
                continue
            pair = _PAIR.match(squeezed)
            if pair is None:
                if _BREAKDOWN.match(squeezed) or squeezed in {"其中", "其中:", "其中："}:
                    recognised = True
                continue
            value = pair.group("value")
            if value and _AMOUNT.fullmatch(unicodedata.normalize("NFKC", value)) is None:
                continue
            recognised = True
            if not value:
                continue
            key = pair.group("label")
            group = self.section_of(c, key)
            bucket = self.budget.setdefault(group, {})
            if key in bucket:
                key = f"{key}（第{r + 1}行）"
            bucket[key] = value
            self.out.at(("budget", group), r, c)
            self.out.at(("budget", group, key), r, c)
            paths.append(("budget", group, key))
        if recognised:
            self.out.record(r, "budget", paths)
            return True
        if label and not written and _FUND_LABEL.search(label):
            # a labelled budget row with nothing filled in (附件3 template rows)
            self.out.record(r, "budget", [], "资金行没有填写金额")
            return True
        return False

    def section_of(self, c: int, label: str) -> str:
        chosen: str | None = None
        for start, name in sorted(self.sections):
            if start <= c:
                chosen = name
        if chosen is None:
            chosen = "支出" if any(w in label for w in _SPENDING_WORDS) else "收入"
        return chosen


# --------------------------------------------------------------------------- indicators

_COMPARATOR: Final = re.compile(
    r"^(?:[≥≤=﹦＝><≧≦＞＜]+|>=|<=|大于等于|小于等于|不低于|不高于|不少于|不超过|不多于|大于|小于|"
    r"等于|高于|低于|超过|不满|以上|以下|以内)$"
)


def _combine_target(
    nature: str | None, value: str | None, measure: str | None
) -> tuple[str | None, str | None]:
    """(target text, reason) from split 指标性质 | 指标值 | 度量单位 columns."""
    if value is None:
        return None, None
    squeezed = None if nature is None else _ALL_SPACE.sub("", nature)
    if squeezed and _COMPARATOR.match(squeezed):
        # the comparator repeated in the value cell (性质 ≥ | 指标值 ≥95 | %): read it once
        value = _LEADING_COMPARATOR.sub("", value, count=1) or value
    numeric = re.match(r"[+\-]?[0-9.]", unicodedata.normalize("NFKC", value)) is not None
    text = value
    if measure is not None and numeric and not value.endswith(measure):
        text = value + measure
    if squeezed is None:
        return text, None
    if "定性" in squeezed:
        return value, None
    if _COMPARATOR.match(squeezed):
        if not numeric:
            return text, None
        if squeezed in _SUFFIX_NATURES:  # 以上 / 以下 / 以内 follow the number
            return text + squeezed, None
        return squeezed + text, None
    if squeezed in _DIRECTION_NATURES:  # 正向 95% reads as ≥95%, 反向 as ≤
        return (_DIRECTION_NATURES[squeezed] + text if numeric else text), None
    if squeezed == "定量":
        return text, None
    return text, f"指标性质“{nature}”无法识别，已忽略"


_SUFFIX_NATURES: Final = frozenset({"以上", "以下", "以内"})
_DIRECTION_NATURES: Final = {"正向": "≥", "正向指标": "≥", "反向": "≤", "反向指标": "≤"}
_LEADING_COMPARATOR: Final = re.compile(r"^\s*(?:[≥≤=﹦＝><≧≦＞＜]+|>=|<=)\s*")


@attrs.define
class _Entry:
    """One indicator-area row after the first pass."""

    row: int
    kind: str  # leaf | breakdown | unnamed | ...
    l1: str | None
    l2: str | None
    name: str | None = None
    fields: dict[str, tuple[str, int]] = attrs.field(factory=dict)
    l1_col: int = 0
    l2_col: int = 0
    name_col: int = 0
    explicit_l1: bool = False
    explicit_l2: bool = False
    continued: bool = False
    reason: str | None = None


_BUDGET_ORDER: Final = ("unit", "年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分")


def _ordered_budget(budget: Mapping[str, Any]) -> dict[str, Any]:
    ordered = {k: budget[k] for k in _BUDGET_ORDER if k in budget}
    ordered.update((k, v) for k, v in budget.items() if k not in ordered and v != {})
    return ordered


def _existing(record: RowRecord, data: Any) -> RowRecord:
    """The record without paths that did not make it into the data (an empty budget block)."""
    kept = tuple(p for p in record.paths if _exists(data, p))
    return record if kept == record.paths else attrs.evolve(record, paths=kept)


def _exists(data: Any, path: JsonPath) -> bool:
    node = data
    for key in path:
        if isinstance(key, str):
            if not isinstance(node, dict) or key not in node:
                return False
        elif not isinstance(node, list) or not 0 <= key < len(node):
            return False
        node = node[key]
    return True
