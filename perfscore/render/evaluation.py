"""Rendering an :class:`~perfscore.result.Evaluation`: text table, Markdown, CSV, JSON, explain.

The text table aligns Chinese characters (two columns each) and fits the terminal's width by
shortening the free-text columns; CSV is UTF-8 with a BOM so Excel opens it correctly.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from ..core.findings import SEVERITY_NAMES
from ..core.result import Evaluation, GroupResult, LeafResult, NodeResult
from ..text.display import fmt, fmt_fixed
from ..text.numbers import in_local_context
from ..text.width import display_width, pad, wrap
from .names import flag_name, kind_name, line_name
from .safe_cells import csv_row, markdown_text, terminal_text

__all__ = ["FORMATS", "render", "render_explain"]

FORMATS = ("text", "json", "markdown", "csv")


@in_local_context
def render(result: Evaluation, fmt_name: str = "text", *, width: int = 120) -> str:
    """``result`` in one of :data:`FORMATS` (CSV as text; encode it as ``utf-8-sig``)."""
    _check_arguments(result, fmt_name)
    if fmt_name == "json":
        return result.to_json()
    if fmt_name == "markdown":
        return _markdown(result)
    if fmt_name == "csv":
        return _csv(result)
    return terminal_text(_text(result, width))


def _check_arguments(result: object, fmt_name: object) -> None:
    from ..errors import InputTypeError

    if not isinstance(result, Evaluation):
        raise InputTypeError(
            f"render 需要计分结果（Evaluation），而不是 {type(result).__name__}",
            value=repr(result)[:80],
            expected="perfscore.evaluate(...) 的结果",
        )
    if fmt_name not in FORMATS:
        raise InputTypeError(
            f"未知的输出格式“{fmt_name}”",
            value=fmt_name,
            expected="、".join(FORMATS) + " 之一",
        )


def _score(value: Decimal | None, places: int) -> str:
    return "" if value is None else fmt_fixed(value, places)


def _weight(value: Decimal) -> str:
    return fmt(value)


def _diff(node: NodeResult, places: int) -> str:
    if node.reported is None:
        return ""
    delta = node.reported - node.score
    if delta == 0:
        return ""
    return ("+" if delta > 0 else "") + fmt_fixed(delta, places)


def _rows(result: Evaluation) -> Iterator[tuple[int, NodeResult]]:
    def walk(node: NodeResult, depth: int) -> Iterator[tuple[int, NodeResult]]:
        yield depth, node
        if isinstance(node, GroupResult):
            for child in node.children:
                yield from walk(child, depth + 1)

    for item in result.items:
        yield from walk(item, 0)


def _cells(node: NodeResult, name: str, places: int) -> list[str]:
    """One table row: 指标, 指标值, 完成值, 分值, 得分, 自评, 差异, 状态 (groups leave some blank)."""
    leaf = node if isinstance(node, LeafResult) else None
    return [
        name,
        (leaf.target_text or "") if leaf else "",
        (leaf.actual_text or "") if leaf else "",
        _weight(node.weight),
        _score(node.score, places),
        _score(node.reported, places),
        _diff(node, places),
        leaf.status if leaf else "",
    ]


def _header(result: Evaluation) -> list[str]:
    lines = [
        f"{result.template_name}（{result.template_id}"
        + (f" {result.template_version}" if result.template_version else "")
        + "）"
    ]
    who = " ".join(x for x in (result.unit, f"{result.year}年度" if result.year else None) if x)
    if who:
        lines.append(who)
    return lines


def _summary(result: Evaluation) -> list[str]:
    p = result.places
    line = f"总分 {_score(result.total, p)} / {_weight(result.total_weight)}　等级 {result.grade}"
    if result.reported_total is not None:
        line += f"　（单位自评总分 {fmt(result.reported_total)}，差 {fmt(result.reported_total - result.total)}）"
    lines = [line]
    if result.not_applicable_weight:
        lines.append(f"不适用指标共 {fmt(result.not_applicable_weight)} 分，其余指标已按总分折算")
    return lines


def _wrap_cell(text: str, width: int) -> list[str]:
    """A cell in lines of ``width`` columns; an indented name keeps its indent on every line."""
    if display_width(text) <= width:
        return [text]
    body = text.lstrip(" ")
    indent = text[: len(text) - len(body)]
    return [indent + line for line in wrap(body, max(2, width - len(indent)))] or [""]


#: The narrowest the free-text columns (指标, 指标值, 完成值, 状态) get before the table
#: overflows.
_MIN_WIDTHS = {0: 10, 1: 6, 2: 6, 7: 4}


def _text(result: Evaluation, width: int) -> str:
    p = result.places
    headers = ["指标", "指标值", "完成值", "分值", "得分", "自评", "差异", "状态"]
    rows = [_cells(node, "  " * depth + node.name, p) for depth, node in _rows(result)]
    widths = [max(display_width(r[i]) for r in [headers, *rows]) for i in range(len(headers))]
    # Shrink the free-text columns (name, target, actual, status), widest first (beyond its
    # minimum), until the table fits;
    # a text wider than its column wraps onto more lines (it is never cut).
    gap = 2
    overflow = sum(widths) + gap * (len(widths) - 1) - width
    while overflow > 0:
        col = max(_MIN_WIDTHS, key=lambda i: widths[i] - _MIN_WIDTHS[i])
        if widths[col] <= _MIN_WIDTHS[col]:
            break
        widths[col] -= 1
        overflow -= 1
    right = {3, 4, 5, 6}
    lines = _header(result)
    lines.append("")

    def fmt_row(row: list[str]) -> str:
        cells = [_wrap_cell(c, widths[i]) for i, c in enumerate(row)]
        out = []
        for k in range(max(len(c) for c in cells)):
            parts = [
                pad(c[k] if k < len(c) else "", widths[i], align="right" if i in right else "left")
                for i, c in enumerate(cells)
            ]
            out.append((" " * gap).join(parts).rstrip())
        return "\n".join(out)

    lines.append(fmt_row(headers))
    lines.append("-" * min(width, sum(widths) + gap * (len(widths) - 1)))
    lines.extend(fmt_row(r) for r in rows)
    lines.append("-" * min(width, sum(widths) + gap * (len(widths) - 1)))
    lines.extend(_summary(result))
    if result.findings:
        lines.append("")
        lines.append("提示：")
        lines.extend(
            f"  [{SEVERITY_NAMES.get(f.severity, f.severity)}] {' › '.join(f.path)}：{f.message}"
            for f in result.findings
        )
    return "\n".join(lines) + "\n"


def _md_cell(text: str) -> str:
    return markdown_text(text)


def _markdown(result: Evaluation) -> str:
    p = result.places
    lines = [f"# {_md_cell(_header(result)[0])}", ""]
    lines.extend(f"{_md_cell(line)}  " for line in _header(result)[1:])
    lines += [
        "",
        "| 指标 | 指标值 | 完成值 | 分值 | 得分 | 自评 | 差异 | 状态 |",
        "|---|---|---|---:|---:|---:|---:|---|",
    ]
    for depth, node in _rows(result):
        cells = [_md_cell(c) for c in _cells(node, node.name, p)]
        cells[0] = "　" * depth + (cells[0] if isinstance(node, LeafResult) else f"**{cells[0]}**")
        if isinstance(node, GroupResult):
            cells[4] = f"**{cells[4]}**"
        lines.append("| " + " | ".join(cells) + " |")
    lines += ["", *(f"**{_md_cell(line)}**" for line in _summary(result)), "", "## 计分说明", ""]
    for leaf in result.leaves():
        lines.append(f"- **{_md_cell(' › '.join(leaf.path))}**：{_md_cell(leaf.explanation)}")
    if result.findings:
        lines += ["", "## 提示", ""]
        lines.extend(
            f"- `{f.code}` {_md_cell(' › '.join(f.path))}：{_md_cell(f.message)}"
            for f in result.findings
        )
    return "\n".join(lines) + "\n"


def _csv(result: Evaluation) -> str:
    import csv  # only for this format
    import io

    p = result.places
    buf = io.StringIO()
    csv_writer = csv.writer(buf, lineterminator="\r\n")

    def writerow(values: list[str]) -> None:
        # Every field through csv_row: a text from input never becomes a formula.
        csv_writer.writerow(csv_row(values))

    depth = max((len(leaf.path) for leaf in result.leaves()), default=3)
    names = "一二三四五六七八九"
    levels = [f"{names[i] if i < len(names) else i + 1}级指标" for i in range(max(depth, 1))]
    writerow(
        [
            *levels,
            "年度指标值",
            "实际完成值",
            "分值",
            "得分",
            "自评得分",
            "状态",
            "计分规则",
            "计分说明",
        ]
    )
    for leaf in result.leaves():
        path = list(leaf.path) + [""] * (len(levels) - len(leaf.path))
        writerow(
            [
                *path,
                leaf.target_text or "",
                leaf.actual_text or "",
                _weight(leaf.weight),
                _score(leaf.score, p),
                _score(leaf.reported, p),
                leaf.status,
                leaf.rule_name,
                leaf.explanation,
            ]
        )
    writerow(
        [
            "总分",
            *[""] * (len(levels) + 1),
            _weight(result.total_weight),
            _score(result.total, p),
            "" if result.reported_total is None else fmt(result.reported_total),
            result.grade,
            "",
            "",
        ]
    )
    return buf.getvalue()


@in_local_context
def render_explain(result: Evaluation, indicator: str | None = None) -> str:
    """The whole arithmetic trail, or one indicator's (by name or ``a/b/c`` path)."""
    _check_arguments(result, "text")
    p = result.places
    if indicator is not None:
        key: str | tuple[str, ...] = indicator
        if isinstance(indicator, str) and ("/" in indicator or "›" in indicator):
            key = tuple(s.strip() for s in indicator.replace("›", "/").split("/") if s.strip())
        node = result.find(key)
        nodes: list[NodeResult] = [node]
    else:
        nodes = list(result.items)
    lines = [*_header(result), ""]

    def leaf_lines(leaf: LeafResult) -> list[str]:
        out = [f"{' › '.join(leaf.path)}"]
        out.append(
            f"  规则：{leaf.rule_name}（{kind_name(leaf.rule_kind)}），命中：{line_name(leaf.line)}"
        )
        if leaf.target_text is not None:
            out.append(
                f"  指标值：{leaf.target_text}"
                + (
                    f"（解析为 {leaf.target_canonical}）"
                    if leaf.target_canonical and leaf.target_canonical != leaf.target_text
                    else ""
                )
            )
        if leaf.actual_text is not None:
            out.append(
                f"  完成值：{leaf.actual_text}"
                + (
                    f"（解析为 {leaf.actual_canonical}）"
                    if leaf.actual_canonical and leaf.actual_canonical != leaf.actual_text
                    else ""
                )
            )
        weight = _weight(leaf.weight)
        if leaf.effective_weight != leaf.weight:
            weight += f"（折算后 {fmt(leaf.effective_weight)}）"
        out.append(f"  分值：{weight}")
        out.append(f"  计算：{leaf.explanation}")
        out.append(
            f"  得分：{_score(leaf.score, p)}　状态：{leaf.status}"
            + (f"　自评：{_score(leaf.reported, p)}" if leaf.reported is not None else "")
        )
        if leaf.flags:
            out.append(f"  标记：{'；'.join(flag_name(f) for f in leaf.flags)}")
        return out

    def walk(node: NodeResult) -> None:
        if isinstance(node, LeafResult):
            lines.extend(leaf_lines(node))
            lines.append("")
            return
        for child in node.children:
            walk(child)
        parts = " + ".join(_score(c.score, p) for c in node.children) or "0"
        lines.append(
            f"{' › '.join(node.path)} 小计：{parts} = {_score(node.score, p)}（分值 {_weight(node.weight)}）"
        )
        lines.append("")

    for n in nodes:
        walk(n)
    if indicator is None:
        parts = " + ".join(_score(i.score, p) for i in result.items)
        lines.append(f"总分：{parts} = {_score(result.total, p)}，等级 {result.grade}")
        lines.extend(_summary(result)[1:])
    return "\n".join(lines).rstrip() + "\n"
