"""Reading published self-evaluation tables (CSV or XLSX) into the form data shape.

Finance staff keep 预算绩效自评表 in Excel, laid out like 附件2/附件3 of the published forms: a
head (title with the year, the unit's name), a budget block (年初预算数 / 全年预算数 / 全年执行数 /
分值 / 执行率 / 得分, then "其中" rows), the goals, and the indicator table (一级指标 / 二级指标 /
三级指标 / 年度指标值 / 实际完成值 / 分值 / 得分 / 偏差原因分析及改进措施) ending in a 总分 row.
:func:`read_table` turns such a sheet into the same plain data a form YAML file gives
(``kind: form``; see spec FORMAT.md), wrapped in a :class:`~perfscore._yaml.Document` whose
positions are spreadsheet (row, column) pairs, so every later error points at a row.

It is lenient about layout and strict about accounting:

* Columns are found by their header text (with synonyms: 分值/权重, 得分/自评得分/评分,
  实际完成值/完成值/全年实际值/实际值, 年度指标值/指标值/年初目标值/年度目标值, …), never by
  position. Header text is normalised (NFKC, whitespace and line breaks removed, trailing
  annotations such as ``（分）`` or ``（万元）`` dropped). The header row may be anywhere in the
  first 30 rows, and may be followed by a second header row (``指标性质 | 指标值 | 度量单位``
  under a merged ``年度指标值``). Split target columns are joined: ``≥`` + ``50`` + ``个`` →
  ``≥50个``; ``定性`` + ``达成`` → ``达成``.
* Merged cells are filled with their top-left value, but a value copied sideways from another
  column never counts as a field of this column (a merged ``总分`` over the name columns is a
  label, not an indicator name). 一级/二级 cells left blank are carried down from the row above.
* Every input row is accounted for in :attr:`TableRead.rows` with one of :data:`ROW_KINDS`:

  ``header``      the form's head (title → ``year``, unit name → ``unit``, 模板 → ``template``)
                  and the column-header rows of the budget block and the indicator table;
  ``budget``      rows of the budget block (see below);
  ``indicator``   a third-level indicator → ``indicators.<一级>.<二级>[i]``;
  ``breakdown``   a row whose 三级指标 starts with 其中 (a detail of the row above; never counted);
  ``parent_sum``  a row without a 三级指标 whose 分值 (or 得分) equals the sum of the indicators
                  of its 二级 (or 一级) group: a subtotal, not an indicator;
  ``total``       the 总分/合计 row (also when its label is missing, as in the seed, where it is
                  an image: then its 分值 must be 100 or the sum of all 分值) → ``reported_total``;
  ``blank``       empty rows, placeholder rows (``……``, ``/``) and rows that only repeat the
                  一级/二级 names of an empty template row;
  ``note``        free text: goals (年度总体目标), 填表人, 备注, 说明, page numbers, anything after
                  the total row;
  ``unreadable``  a row with values that cannot be placed (no 三级指标 name and not a subtotal
                  or total; no 一级/二级 to place it under). Each also yields a ``row_unreadable``
                  :class:`~perfscore.result.Finding` in :attr:`TableRead.problems`.

* Values are kept as text exactly as written (weights such as ``五分`` too: checking them is the
  schema's job). Numbers from XLSX become exact text: ints as is, floats through 15 significant
  digits (Excel's precision; ``4073.53`` stays ``"4073.53"``), percent-formatted cells as
  ``"255.76%"``. Empty cells and placeholders are omitted.

Decisions (documented for the callers):

* Budget block. The 年度资金总额 (or 合计/总额, or the first unlabelled) data row gives
  ``budget.{年初预算数, 全年预算数, 全年执行数, 分值, 执行率, 得分}`` (得分 also from 自评得分).
  Other data rows (附件3: ``其中：当年财政拨款``, ``上年结转资金``, ``其他资金``) go to
  ``budget.资金来源.<名称>.{年初预算数, …}``, so their sums can be checked against the totals.
  ``label：value`` cells (附件2: ``其中：一般公共预算：2490.44``) go to ``budget.收入`` or
  ``budget.支出`` by the ``按收入性质分`` / ``按支出性质分`` column they sit under (by the
  words 支出/经费 when there is no such heading). The amount unit comes from ``（万元）`` in
  the block's labels, or ``单位：万元``.
* The budget row's 得分 is the reported score of the fixed ``预算执行率`` indicator, so it is
  also written as ``indicators.预算执行率: {reported: …}`` (as in the YAML examples) unless the
  table itself has a 预算执行率 group.
* Duplicate names. Two indicators with one name under one 二级 are both renamed
  ``名称（年度指标值）``, e.g. ``环境质量提升（辖区应清理的垃圾全面清理完毕）``; when that is still
  not unique (or there is no target) ``名称（第N行）``. The row's record says so.
* A row with no 三级指标 name right under an indicator of the same group, with its 一级/二级
  blank and a 年度指标值 of its own, is read as the lower half of a vertically merged name cell
  (what a CSV export of a merged cell looks like): it takes the name of the row above and the
  duplicate rule applies. Anything else without a name is ``unreadable``.
* Rows are numbered as a spreadsheet shows them: 1-based sheet rows for XLSX, 1-based records
  for CSV (a quoted cell with line breaks is one record). Trailing empty XLSX rows are ignored.
* A row with a 一级指标 of its own, no 二级/三级 and values (some local forms list
  ``预算执行率 | | | 100% | 98% | 10 | 9.8`` in the table), under which no third-level
  indicator appears, is the fixed template leaf ``indicators.<一级>: {target, actual, weight,
  reported}`` (kind ``indicator``).
* ``template`` is always present: the caller's, else a 模板 cell's, else None (the schema then
  asks for one).
* No ``goals``: the 年度总体目标 rows are recorded as notes.
"""

from __future__ import annotations

import csv
import datetime as _dt
import io
import math
import os
import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any, Final

import attrs

from ._findings import severity_of
from ._yaml import Document, JsonPath, Position, open_error
from .errors import LoadError
from .result import Finding

__all__ = [
    "MAX_BYTES",
    "MAX_COLUMNS",
    "MAX_ROWS",
    "ROW_KINDS",
    "RowRecord",
    "TableRead",
    "read_table",
]

#: Every kind a row can be given, in the order the module docstring explains them.
ROW_KINDS: Final = (
    "header",
    "budget",
    "indicator",
    "breakdown",
    "parent_sum",
    "total",
    "blank",
    "note",
    "unreadable",
)

#: Resource caps: file size, and rows/columns of the sheet that is read.
MAX_BYTES: Final = 20_000_000
MAX_ROWS: Final = 20_000
MAX_COLUMNS: Final = 200

_HEADER_SCAN_ROWS: Final = 30


@attrs.frozen
class RowRecord:
    """What became of one input row.

    ``row`` is 1-based; ``kind`` one of :data:`ROW_KINDS`; ``paths`` the JSON paths (into
    ``document.data``) the row produced, the main one first (a row of two ``label：value``
    cells produces two); ``reason`` a Chinese sentence for unreadable rows, and for rows read
    in a special way (a renamed duplicate, a carried-down name, an ignored 指标性质).
    """

    row: int
    kind: str
    paths: tuple[JsonPath, ...] = ()
    reason: str | None = None

    @property
    def path(self) -> JsonPath | None:
        """The main JSON path the row became, or None."""
        return self.paths[0] if self.paths else None


@attrs.frozen
class TableRead:
    """The result of :func:`read_table`.

    ``document`` holds the form data (positions are (row, column), 1-based); ``encoding`` the
    detected encoding of a CSV file (``utf-8``, ``utf-8-sig``, ``gb18030`` or ``utf-16``; None for
    a workbook);
    ``rows`` one :class:`RowRecord` per input row, in order; ``problems`` one
    ``row_unreadable`` finding per unreadable row (and, for a workbook of several sheets, a
    ``sheet_read`` note naming the sheet read and the other sheets that look like forms).
    """

    document: Document
    encoding: str | None
    rows: tuple[RowRecord, ...]
    problems: tuple[Finding, ...] = ()
    #: The texts written above the indicator header (title, 项目名称, 主管部门 …), in order.
    head_text: tuple[str, ...] = ()
    #: Points printed in a 一级 label (``产出指标(70分)``): name → (points, row, column), 1-based.
    label_points: Mapping[str, tuple[str, int, int]] = attrs.field(factory=dict)
    #: XLSX formula cells without a cached value, read as their text: (row, column) → ``=…``.
    formulas: Mapping[tuple[int, int], str] = attrs.field(factory=dict)
    #: The XLSX sheet that was read (None for CSV).
    sheet: str | None = None


# --------------------------------------------------------------------------- the grid


@attrs.frozen
class _Grid:
    """A sheet as text: ``cells[r][c]`` (0-based) after merged ranges were filled.

    ``copied`` holds the (r, c) filled from a merged range whose top-left is another cell;
    ``sideways`` those whose top-left is in another column.
    """

    name: str
    cells: tuple[tuple[str | None, ...], ...]
    copied: frozenset[tuple[int, int]] = frozenset()
    sideways: frozenset[tuple[int, int]] = frozenset()
    #: CSV: (first row index, physical lines) of records an unmatched quote had swallowed,
    #: read again line by line (see :func:`_csv_records`).
    split: tuple[tuple[int, int, int], ...] = ()

    def own(self, r: int) -> list[tuple[int, str]]:
        """(column, text) of the cells written in row ``r`` itself (no merge copies)."""
        return [
            (c, v)
            for c, v in enumerate(self.cells[r])
            if v is not None and (r, c) not in self.copied
        ]

    def field(self, r: int, c: int | None) -> str | None:
        """The text of cell (r, c) as a value of column c: no sideways merge copies."""
        if c is None or c >= len(self.cells[r]) or (r, c) in self.sideways:
            return None
        return self.cells[r][c]


# --------------------------------------------------------------------------- text helpers

_SPACES: Final = re.compile(r"[ \t\u3000\xa0\u2002\u2003\u2009]+")
_PLACEHOLDER: Final = re.compile(r"[/／\\\-—–_…．.。·、]+")
_ALL_SPACE: Final = re.compile(r"\s+")
_POINTS: Final = re.compile(r"[(（]\s*[0-9０-９.．]+\s*分\s*[)）]\s*$")
_ANNOTATION: Final = re.compile(r"\([^()]*\)$")
_AMOUNT_UNIT: Final = re.compile(r"(?:[(（]\s*|单位\s*[:：]\s*)(亿元|千元|万元|元)")
_YEAR: Final = re.compile(r"((?:19|20)[0-9]{2})\s*年")
_NUMBER: Final = re.compile(r"[+-]?[0-9][0-9,]*(?:\.[0-9]+)?")
_NOTE_START: Final = re.compile(
    r"^(备注|说明|注[:：]|注\d|填表人|填报人|联系电话|单位负责人|负责人|填报日期|审核人|制表人|"
    r"财务负责人|[—\-]\s*\d+\s*[—\-]$)"
)
_TOTAL_WORDS: Final = frozenset(
    {"总分", "合计", "总计", "得分合计", "综合得分", "总得分", "合计得分"}
)
_SUBTOTAL_WORDS: Final = frozenset({"小计", "分项小计", "小计得分"})
_BREAKDOWN: Final = re.compile(r"^其中")
_CJK_OR_WIDE: Final = re.compile(r"[^\x00-\x7f]")


def _clean(text: str) -> str | None:
    """Trim a cell; join its lines (without a space next to Chinese text); None if empty."""
    lines = [_SPACES.sub(" ", line).strip() for line in re.split(r"\r\n|[\r\n\v\f]", text)]
    out = ""
    for line in lines:
        if not line:
            continue
        if out and not (_CJK_OR_WIDE.match(out[-1]) or _CJK_OR_WIDE.match(line[0])):
            out += " "
        out += line
    return out or None


def _is_placeholder(text: str | None) -> bool:
    return text is not None and _PLACEHOLDER.fullmatch(text.replace(" ", "")) is not None


def _value(text: str | None) -> str | None:
    """A field value: placeholders (``/``, ``……``, ``—``) count as empty."""
    return None if text is None or _is_placeholder(text) else text


def _norm_header(text: str) -> str:
    """Header text for matching: NFKC, no whitespace, no trailing ``(分)``/``(万元)``/``：``."""
    norm = _ALL_SPACE.sub("", unicodedata.normalize("NFKC", text))
    while True:
        stripped = _ANNOTATION.sub("", norm).rstrip(":*")
        if stripped == norm:
            return norm
        norm = stripped


def _group_name(text: str) -> str:
    """一级/二级 name: no whitespace or line breaks, no ``（50分）`` annotation."""
    name = _ALL_SPACE.sub("", text)
    while True:
        stripped = _POINTS.sub("", name)
        if stripped == name:
            return name
        name = stripped


def _decimal(text: str | None) -> Decimal | None:
    """A plain number in a weight/score cell (``5``, ``5分``, ``１０``), else None."""
    if text is None:
        return None
    norm = unicodedata.normalize("NFKC", text).replace(" ", "").replace(",", "")
    norm = norm.removesuffix("分")
    if _NUMBER.fullmatch(norm) is None:
        return None
    try:
        return Decimal(norm)
    except InvalidOperation:  # pragma: no cover - the regex admits only valid numbers
        return None


def _plain(number: Decimal) -> str:
    """Decimal as fixed-point text without exponent or trailing zeros (``1E+2`` → ``100``)."""
    text = format(number.normalize(), "f")
    return "0" if text in {"-0", "+0"} else text


def _excel_text(value: Any, number_format: str = "General") -> str | None:
    """An openpyxl cell value as text; never a float's artefacts (see module docstring)."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int | float | Decimal):
        if isinstance(value, float):
            if not math.isfinite(value):
                return None
            number = Decimal(format(value, ".15g"))
        else:
            number = Decimal(value)
        if "%" in number_format:
            return _plain(number * 100) + "%"
        return _plain(number)
    if isinstance(value, _dt.datetime):
        if value.time() == _dt.time(0, 0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, _dt.date | _dt.time):
        return value.isoformat()
    if isinstance(value, _dt.timedelta):
        return str(value)
    return _clean(str(value))


# --------------------------------------------------------------------------- headers

_INDICATOR_FIELDS: Final[dict[str, tuple[str, ...]]] = {
    "level1": ("一级指标",),
    "level2": ("二级指标",),
    "level3": ("三级指标", "三级指标名称", "指标名称", "绩效指标名称"),
    "target": (
        "年度指标值",
        "指标值",
        "年初目标值",
        "年度目标值",
        "目标值",
        "预期指标值",
        "计划指标值",
    ),
    "actual": ("实际完成值", "完成值", "全年实际值", "实际值", "全年完成值", "实际完成指标值"),
    "weight": ("分值", "权重", "指标分值", "标准分值"),
    "reported": ("得分", "自评得分", "评分", "自评分", "实际得分"),
    "note": (
        "偏差原因分析及改进措施",
        "偏差原因分析及整改措施",
        "偏差原因分析",
        "偏差原因",
        "备注",
        "原因分析",
        "未完成原因分析",
    ),
    "nature": ("指标性质", "指标属性", "性质", "比较符号"),
    "measure": ("度量单位", "计量单位", "单位"),
}

_BUDGET_FIELDS: Final[dict[str, tuple[str, ...]]] = {
    "年初预算数": ("年初预算数", "年初预算", "年初预算金额"),
    "全年预算数": ("全年预算数", "全年预算", "调整后预算数", "调整预算数"),
    "全年执行数": ("全年执行数", "全年执行", "实际执行数", "执行数"),
    "分值": ("分值", "权重"),
    "执行率": ("执行率", "预算执行率"),
    "得分": ("得分", "自评得分", "评分"),
}

_VALUE_FIELDS: Final = ("target", "actual", "weight", "reported", "note")
_EXPECTED_HEADERS: Final = "三级指标、年度指标值、实际完成值、分值、得分（至少三级指标和其中两项）"


def _synonyms(table: Mapping[str, tuple[str, ...]]) -> tuple[dict[str, str], list[tuple[str, str]]]:
    exact = {syn: field for field, syns in table.items() for syn in syns}
    # Substring matches only for long words: "分值" must not match inside "预算分值说明".
    long = sorted(((s, f) for s, f in exact.items() if len(s) >= 4), key=lambda p: -len(p[0]))
    return exact, long


_IND_EXACT, _IND_LONG = _synonyms(_INDICATOR_FIELDS)
_BUD_EXACT, _BUD_LONG = _synonyms(_BUDGET_FIELDS)


def _match(text: str, exact: Mapping[str, str], long: Sequence[tuple[str, str]]) -> str | None:
    norm = _norm_header(text)
    if norm in exact:
        return exact[norm]
    for syn, field in long:
        if syn in norm:
            return field
    return None


def _row_fields(
    grid: _Grid, r: int, exact: Mapping[str, str], long: Sequence[tuple[str, str]]
) -> dict[str, int]:
    """Field → first column whose header text in row r names it."""
    found: dict[str, int] = {}
    for c, text in enumerate(grid.cells[r]):
        if text is None:
            continue
        field = _match(text, exact, long)
        if field is not None and field not in found:
            found[field] = c
    return found


@attrs.frozen
class _Header:
    row: int  # 0-based row of the (first) header row
    last: int  # 0-based row of the last header row (row + 1 with a second header row)
    columns: dict[str, int]


def _is_indicator_header(fields: Mapping[str, int]) -> bool:
    others = sum(1 for f in ("target", "actual", "weight", "reported") if f in fields)
    return "level3" in fields and others >= 2


def _find_header(grid: _Grid) -> _Header | None:
    for r in range(min(len(grid.cells), _HEADER_SCAN_ROWS)):
        fields = _row_fields(grid, r, _IND_EXACT, _IND_LONG)
        if not _is_indicator_header(fields):
            continue
        last = r
        if r + 1 < len(grid.cells):
            own = grid.own(r + 1)
            sub = {c: _IND_EXACT.get(_norm_header(text)) for c, text in own}
            if own and all(f is not None for f in sub.values()):
                last = r + 1
                for c, f in sub.items():
                    assert f is not None
                    fields[f] = c
        return _Header(row=r, last=last, columns=fields)
    return None


def _no_header_error(grid: _Grid) -> LoadError:
    best_row, best = -1, dict[str, int]()
    for r in range(min(len(grid.cells), _HEADER_SCAN_ROWS)):
        fields = _row_fields(grid, r, _IND_EXACT, _IND_LONG)
        if len(fields) > len(best):
            best_row, best = r, fields
    names = {
        "level1": "一级指标",
        "level2": "二级指标",
        "level3": "三级指标",
        "target": "年度指标值",
        "actual": "实际完成值",
        "weight": "分值",
        "reported": "得分",
        "note": "偏差原因分析及改进措施",
        "nature": "指标性质",
        "measure": "度量单位",
    }
    if best_row < 0:
        hint = f"前 {_HEADER_SCAN_ROWS} 行里没有任何一个单元格像指标表的表头"
        line = None
    else:
        found = "、".join(f"{names[f]}（第 {c + 1} 列）" for f, c in best.items())
        missing = "、".join(
            names[f] for f in ("level3", "target", "actual", "weight", "reported") if f not in best
        )
        hint = f"最接近的是第 {best_row + 1} 行：找到 {found}；缺少 {missing}"
        line = best_row + 1
    return LoadError(
        f"找不到指标表的表头：应有一行写着{_EXPECTED_HEADERS}",
        file=grid.name,
        line=line,
        expected=_EXPECTED_HEADERS,
        hint=hint + "。表头按名称识别，可用同义词：分值/权重、得分/自评得分、实际完成值/完成值、"
        "年度指标值/指标值",
    )


# --------------------------------------------------------------------------- reading state


@attrs.define
class _Out:
    """What the rows produce: data, positions, records, problems."""

    name: str
    positions: dict[JsonPath, Position] = attrs.field(factory=dict)
    records: dict[int, RowRecord] = attrs.field(factory=dict)
    problems: list[Finding] = attrs.field(factory=list)

    def record(
        self, r: int, kind: str, paths: Sequence[JsonPath] = (), reason: str | None = None
    ) -> None:
        self.records[r] = RowRecord(row=r + 1, kind=kind, paths=tuple(paths), reason=reason)

    def unreadable(self, grid: _Grid, r: int, reason: str) -> None:
        self.record(r, "unreadable", (), reason)
        content = " | ".join(text for _c, text in grid.own(r))
        if len(content) > 80:
            content = content[:79] + "…"
        self.problems.append(
            Finding(
                code="row_unreadable",
                severity=severity_of("row_unreadable"),
                message=f"第 {r + 1} 行无法读取：{reason}",
                values=(("行内容", content),) if content else (),
                file=self.name,
                line=r + 1,
                row=r + 1,
            )
        )

    def at(self, path: JsonPath, r: int, c: int) -> None:
        self.positions.setdefault(path, (r + 1, c + 1))


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


# --------------------------------------------------------------------------- files


def read_table(
    source: str | os.PathLike[str], *, template: str | None = None, sheet: str | None = None
) -> TableRead:
    """Read a self-evaluation table (``.csv``/``.tsv``/``.txt``, ``.xlsx``/``.xlsm``, and through
    :mod:`perfscore._tabular_formats` ``.xls`` (extra ``perfscore[xls]``), ``.ods`` and UTF-16 text).

    ``template`` is written into the form as its ``template`` (else one named in the sheet
    by a 模板 cell is used, else None). ``sheet`` picks an XLSX sheet by name; by default the
    first sheet with an indicator header is read. Raises
    :class:`~perfscore.errors.LoadError` for a file that cannot be read at all (missing,
    too large, ``.xls`` without the extra, corrupt, an unknown encoding, no indicator header); rows that cannot
    be read are reported in :attr:`TableRead.problems` instead.
    """
    if not isinstance(source, str | os.PathLike):
        raise LoadError(
            f"read_table 需要文件路径（str 或 os.PathLike），而不是 {type(source).__name__}",
            value=source,
            expected="文件路径",
        )
    path = os.fspath(source)
    shown = path if isinstance(path, str) else os.fsdecode(path)
    raw = _read_bytes(path, shown)
    lower = shown.lower()
    from ._xlsx_safe import encrypted

    if encrypted(raw):  # an OLE file too, but a password-protected .xlsx, not an old .xls
        raise LoadError(
            "Excel 文件已加密（设置了打开密码），无法读取",
            file=shown,
            hint="请在 Excel 或 WPS 中取消密码（文件 › 信息 › 保护工作簿）后另存为 .xlsx",
        )
    from ._tabular_formats import read_other  # .xls, .ods, UTF-16 text

    other: TableRead | None = read_other(raw, shown, template, sheet)
    if other is not None:
        return other
    if raw.startswith(b"PK\x03\x04") or lower.endswith((".xlsx", ".xlsm")):
        return _read_xlsx(raw, shown, template, sheet)
    if sheet is not None:
        raise LoadError(
            f"只有 Excel 工作簿（.xlsx）才能选择工作表，CSV 文件没有工作表“{sheet}”",
            file=shown,
            value=sheet,
        )
    text, encoding = _decode_csv(raw, shown)
    grid = _csv_grid(text, shown)
    read = _read_grid(grid, template, encoding)
    if grid.split:  # rows an unmatched quote had swallowed: read, and said
        problems = sorted((*_quote_findings(grid), *read.problems), key=lambda p: p.row or 0)
        read = attrs.evolve(read, problems=tuple(problems))
    return read


def _read_bytes(path: str | bytes, shown: str) -> bytes:
    from ._fsguard import open_regular

    try:
        handle, size = open_regular(path, shown)  # never a device or FIFO; size before reading
        with handle:
            raw = handle.read(MAX_BYTES + 1) if size <= MAX_BYTES else b""
    except LoadError:  # not a regular file
        raise
    except (OSError, ValueError) as exc:
        raise open_error(shown, exc) from exc
    if size > MAX_BYTES or len(raw) > MAX_BYTES:
        raise LoadError(
            f"文件太大（超过 {MAX_BYTES // 1_000_000} MB 的上限），不像是一张自评表",
            file=shown,
        )
    if not raw:
        raise LoadError("空文件：文件里没有任何内容", file=shown)
    return raw


def _decode_csv(raw: bytes, shown: str) -> tuple[str, str]:
    utf32 = raw.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff"))  # before UTF-16
    if utf32 or raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise LoadError(
            f"CSV 文件是 {'UTF-32' if utf32 else 'UTF-16'} 编码，无法读取",
            file=shown,
            hint="请另存为“CSV UTF-8（逗号分隔）”",
        )
    if b"\x00" in raw:
        raise LoadError(
            "不是文本文件（含有 NUL 字节），无法当作 CSV 读取",
            file=shown,
            hint="如果这是 Excel 文件，请把扩展名改为 .xlsx 或另存为 .xlsx",
        )
    attempts = (("utf-8-sig", raw.startswith(b"\xef\xbb\xbf")), ("utf-8", True), ("gb18030", True))
    for encoding, applies in attempts:
        if not applies:
            continue
        try:
            # a BOM written twice (a file saved again by a tool adding its own) is not a cell
            return raw.decode(encoding).lstrip("\ufeff"), encoding
        except UnicodeDecodeError:
            continue
    raise LoadError(
        "无法识别 CSV 文件的编码：既不是 UTF-8，也不是 GBK/GB18030",
        file=shown,
        expected="UTF-8、带 BOM 的 UTF-8 或 GBK/GB18030 编码",
        hint="请在 Excel 或 WPS 中另存为“CSV UTF-8（逗号分隔）”",
    )


def _csv_records(
    text: str, delimiter: str
) -> tuple[list[list[str]], tuple[tuple[int, int, int], ...]]:
    """The records of a CSV text; a record an unmatched ``"`` made swallow the following rows
    (a cell holding line breaks and separators) is read again, one record per physical line
    (quotes as written), so no row vanishes. Returns the rows and, for each such record, its
    (first row index, first line, last line), lines 1-based."""
    lines = io.StringIO(text, newline="").readlines()
    reader = csv.reader(iter(lines), delimiter=delimiter, strict=False)
    rows: list[list[str]] = []
    split: list[tuple[int, int, int]] = []
    last = 0
    for record in reader:
        first, last = last + 1, reader.line_num
        if last > first and any(("\n" in f or "\r" in f) and delimiter in f for f in record):
            split.append((len(rows), first, last))
            for physical in lines[first - 1 : last]:
                rows.extend(
                    csv.reader(
                        [physical.rstrip("\r\n")], delimiter=delimiter, quoting=csv.QUOTE_NONE
                    )
                )
            continue
        rows.append(record)
    return rows, tuple(split)


def _quote_findings(grid: _Grid) -> tuple[Finding, ...]:
    return tuple(
        Finding(
            code="row_unreadable",
            severity=severity_of("row_unreadable"),
            message=(
                f'第 {first} 行的引号（"）不成对，第 {first}–{end} 行曾被读成同一个单元格；'
                "已按行分开读取，请核对这几行并修正引号"
            ),
            values=(("行", f"{first}–{end}"),),
            file=grid.name,
            line=row + 1,
            row=row + 1,
        )
        for row, first, end in grid.split
    )


def _csv_grid(text: str, shown: str) -> _Grid:
    # The delimiter whose reading shows the best indicator header wins; then the one that
    # splits most rows, then the narrower table.
    best: tuple[tuple[int, int, int], _Grid] | None = None
    failure: csv.Error | None = None
    for delimiter in (",", "\t", ";"):
        try:
            rows, split = _csv_records(text, delimiter)
        except csv.Error as exc:  # e.g. a cell over csv's field size limit
            failure = exc
            continue
        if len(rows) > MAX_ROWS:
            raise LoadError(f"表格超过 {MAX_ROWS} 行的上限", file=shown)
        width = max((len(row) for row in rows), default=0)
        if width > MAX_COLUMNS:
            raise LoadError(f"表格超过 {MAX_COLUMNS} 列的上限", file=shown)
        padded = tuple(
            tuple(_clean(cell) for cell in row) + (None,) * (width - len(row)) for row in rows
        )
        probe = _Grid(name=shown, cells=padded, split=split)
        header_score = max(
            (
                len(_row_fields(probe, r, _IND_EXACT, _IND_LONG))
                for r in range(min(len(padded), _HEADER_SCAN_ROWS))
            ),
            default=0,
        )
        multi = sum(1 for row in rows if len(row) > 1)
        score = (header_score, multi, -width)
        if best is None or score > best[0]:
            best = (score, probe)
    if best is None:  # every delimiter failed: csv refuses a cell over its size limit
        too_long = "field larger than field limit" in str(failure)
        raise LoadError(
            f"无法按 CSV 格式读取：{'有单元格超过 131072 个字符' if too_long else failure}",
            file=shown,
        )
    return best[1]


def _read_xlsx(raw: bytes, shown: str, template: str | None, sheet: str | None) -> TableRead:
    from . import _xlsx_safe  # zip checks, streaming, merged-cell budget: before expanding

    workbook = _xlsx_safe.open_workbook(raw, shown)
    try:
        sheets = list(workbook.worksheets)
        if sheet is not None:
            chosen = [ws for ws in sheets if ws.title == sheet]
            if not chosen:
                names = "、".join(f"“{ws.title}”" for ws in sheets) or "（无）"
                raise LoadError(
                    f"工作簿里没有名为“{sheet}”的工作表",
                    file=shown,
                    value=sheet,
                    hint=f"现有工作表：{names}",
                )
            candidates = chosen
        else:
            candidates = _xlsx_safe.sheet_order(workbook)  # what a person sees, active first
        if not sheets:
            raise LoadError("工作簿里没有工作表", file=shown)
        if not candidates:
            raise LoadError(
                "工作簿里没有可见的工作表（都已隐藏）", file=shown, hint="可用 sheet 参数指定"
            )
        first_error: LoadError | None = None
        for ws in candidates:
            from ._xlsx_formulas import uncached_formulas

            formulas = uncached_formulas(raw, ws.title)
            grid = _sheet_grid(ws, f"{shown}[{ws.title}]", formulas)
            if _find_header(grid) is None:
                first_error = first_error or _no_header_error(grid)
                continue
            read = attrs.evolve(_read_grid(grid, template, None), formulas=formulas)
            if len(sheets) == 1 or sheet is not None:
                return attrs.evolve(read, sheet=ws.title)
            named: TableRead = _xlsx_safe.name_sheet(
                read, ws, sheets, shown, _sheet_grid, _find_header
            )
            return named
        assert first_error is not None
        if len(candidates) > 1:
            first_error.message = "所有工作表中都找不到指标表的表头；" + first_error.message
            first_error.args = (first_error.message,)
        raise first_error
    except LoadError:
        raise
    except Exception as exc:  # pragma: no cover - defensive: a malformed sheet part
        raise LoadError(
            f"无法读取 Excel 文件中的工作表（{type(exc).__name__}：{exc}）", file=shown
        ) from exc
    finally:
        workbook.close()


def _plain_sheet(
    ws: Any, name: str, text_of: Callable[[Any], str | None]
) -> tuple[dict[tuple[int, int], str], list[tuple[int, int, int, int]]]:
    """The cells (1-based) and merged ranges of an in-memory sheet, within the table limits."""
    found: dict[tuple[int, int], str] = {}
    for (row, col), cell in ws._cells.items():
        text = text_of(cell)
        if text is None:
            continue
        if row > MAX_ROWS or col > MAX_COLUMNS:
            raise LoadError(
                f"工作表超过 {MAX_ROWS} 行或 {MAX_COLUMNS} 列的上限（第 {row} 行第 {col} 列有内容）",
                file=name,
                line=row,
                column=col,
            )
        found[(row, col)] = text
    merges = [
        (m.min_row, m.min_col, min(m.max_row, MAX_ROWS), min(m.max_col, MAX_COLUMNS))
        for m in ws.merged_cells.ranges
        if (m.min_row, m.min_col) in found
    ]
    return found, merges


def _sheet_grid(ws: Any, name: str, formulas: Mapping[tuple[int, int], str] | None = None) -> _Grid:
    from . import _xlsx_safe

    def text_of(cell: Any) -> str | None:
        return _excel_text(cell.value, getattr(cell, "number_format", "General") or "General")

    if hasattr(ws, "parent"):  # an openpyxl worksheet: its XML read in streaming mode
        found, merges = _xlsx_safe.read_sheet(
            ws, name, text_of, max_rows=MAX_ROWS, max_columns=MAX_COLUMNS
        )
    else:  # a sheet converted from .xls/.ods (perfscore._tabular_formats), already in memory
        found, merges = _plain_sheet(ws, name, text_of)
    for (row, col), text in (formulas or {}).items():
        # a formula without a cached value has no value to read: its text stands in (issue 17)
        if row <= MAX_ROWS and col <= MAX_COLUMNS:
            found.setdefault((row, col), text)
    values = {(row - 1, col - 1): text for (row, col), text in found.items()}
    copied: set[tuple[int, int]] = set()
    sideways: set[tuple[int, int]] = set()
    for min_row, min_col, max_row, max_col in merges:  # clipped and budgeted already
        top, left = min_row - 1, min_col - 1
        text = values[(top, left)]
        for r in range(top, max_row):
            for c in range(left, max_col):
                if (r, c) == (top, left):
                    continue
                values[(r, c)] = text
                copied.add((r, c))
                if c != left:
                    sideways.add((r, c))
    height = max((r for r, _c in values), default=-1) + 1
    width = max((c for _r, c in values), default=-1) + 1
    cells = tuple(tuple(values.get((r, c)) for c in range(width)) for r in range(height))
    return _Grid(name=name, cells=cells, copied=frozenset(copied), sideways=frozenset(sideways))
