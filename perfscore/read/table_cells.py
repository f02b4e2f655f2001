"""Cells of a published table: cleaning text, recognising placeholders, numbers and the header
row's column names.
"""

from __future__ import annotations

import datetime as _dt
import math
import re
import unicodedata
from collections.abc import Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any, Final

import attrs

from ..core.findings import severity_of
from ..core.result import Finding
from ..errors import LoadError
from .yaml_document import Document, JsonPath, Position

__all__ = ["MAX_BYTES", "MAX_COLUMNS", "MAX_ROWS", "ROW_KINDS", "RowRecord", "TableRead"]

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
