"""Monitoring reports: text, Markdown, JSON and an XLSX workbook with coloured lights.

Per project: its light with the sentence that says why, then the budget light and every
indicator's light, each with its sentence, then the findings (a red or yellow light without
偏差原因 or 纠偏措施 …). A batch closes with a summary: how many projects of each light, the
red ones first.
"""

from __future__ import annotations

import io
import json
from collections import Counter
from collections.abc import Sequence
from typing import Any

from ..core.findings import SEVERITY_NAMES
from ..core.result import Finding
from ..errors import format_path
from .monitor import Light, MonitorReport

__all__ = ["FORMATS", "LIGHT_FILLS", "monitor_workbook", "render_monitor", "summary"]

FORMATS = ("text", "markdown", "json")
#: Cell colours of the lights in the workbook (by light code; unknown lights stay white).
LIGHT_FILLS = {"red": "FF9999", "yellow": "FFEB84", "green": "A9D08E", "blue": "9BC2E6"}
_SEVERITY_FILLS = {"error": "FFC7CE", "warning": "FFEB9C", "info": "DDEBF7"}


def _ordered(reports: Sequence[MonitorReport]) -> list[MonitorReport]:
    return sorted(reports, key=MonitorReport.seriousness)


def summary(reports: Sequence[MonitorReport]) -> dict[str, Any]:
    """Projects by light (in the template's order, worst first), findings by severity."""
    order: list[str] = []
    for r in reports:
        order.extend(x for x in r.order if x not in order)
    lights = Counter(r.project_light or "none" for r in reports)
    severities = Counter(f.severity for r in reports for f in r.findings)
    names: dict[str, str] = {}
    for r in reports:
        if r.project_light:
            names[r.project_light] = r.project_light_name
    return {
        "forms": len(reports),
        "projects": {k: lights.get(k, 0) for k in [*order, "none"] if lights.get(k) or k in order},
        "names": names,
        "findings": {k: severities.get(k, 0) for k in ("error", "warning", "info")},
        "red_first": [r.file for r in _ordered(reports)],
    }


def render_monitor(reports: Sequence[MonitorReport], fmt_name: str = "text") -> str:
    ordered = _ordered(reports)
    if fmt_name == "json":
        data: Any = (
            ordered[0].to_dict()
            if len(ordered) == 1
            else {"summary": summary(ordered), "forms": [r.to_dict() for r in ordered]}
        )
        return json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    if fmt_name == "markdown":
        return _markdown(ordered)
    return _text(ordered)


def _where(f: Finding) -> str:
    if f.row is not None:
        return f"第 {f.row} 行"
    if f.line is not None:
        return f"行 {f.line}"
    return ""


def _title(r: MonitorReport) -> str:
    who = " ".join(x for x in (r.unit, f"{r.year}年度" if r.year else None) if x)
    where = r.file if r.line is None else f"{r.file}:{r.line}"
    return " · ".join(x for x in (where, who, r.template, f"截至 {r.month} 月") if x)


def _all_lights(r: MonitorReport) -> list[Light]:
    return [x for x in (r.budget, *r.lights) if x is not None]


def _text(reports: Sequence[MonitorReport]) -> str:
    out: list[str] = []
    for r in reports:
        out.append(f"绩效运行监控 {_title(r)}")
        out.append(f"【{r.project_light_name}】{r.project_sentence}")
        for x in _all_lights(r):
            label = x.name if not x.path else format_path(x.path)
            out.append(f"  {x.light_name}  {label}：{x.sentence}")
        for f in r.findings:
            loc = "，".join(y for y in (_where(f), format_path(f.path) if f.path else "") if y)
            out.append(
                f"  [{SEVERITY_NAMES[f.severity]}] {f.code}"
                + (f"（{loc}）" if loc else "")
                + f"：{f.message}"
            )
        out.append("")
    if len(reports) != 1:
        out.extend(_summary_lines(reports))
    return "\n".join(out).rstrip("\n") + "\n"


def _summary_lines(reports: Sequence[MonitorReport]) -> list[str]:
    s = summary(reports)
    names = s["names"]
    counts = "，".join(
        f"{names.get(k, '未亮灯' if k == 'none' else k)} {n}" for k, n in s["projects"].items()
    )
    f = s["findings"]
    lines = [
        f"汇总：共 {s['forms']} 个项目；{counts}",
        f"发现：错误 {f['error']}，警告 {f['warning']}，提示 {f['info']}",
    ]
    red = [r for r in _ordered(reports) if r.order and r.project_light == r.order[0]]
    if red:
        lines.append(
            f"{red[0].project_light_name}项目：" + "；".join(r.unit or r.file for r in red)
        )
    return lines


def _md(text: Any) -> str:
    return str(text or "").replace("|", "\\|").replace("\n", " ")


def _markdown(reports: Sequence[MonitorReport]) -> str:
    out = ["# 绩效运行监控", ""]
    if len(reports) != 1:
        out += ["| 项目 | 文件 | 项目灯 | 各灯 |", "|---|---|---|---|"]
        for r in reports:
            c = r.counts()
            shown = "，".join(f"{k} {n}" for k, n in c.items() if n)
            out.append(f"| {_md(r.unit)} | {_md(r.file)} | {r.project_light_name} | {_md(shown)} |")
        out += ["", *(_md(x) for x in _summary_lines(reports)), ""]
    for r in reports:
        out += [f"## {_md(r.unit or r.file)}", "", _md(_title(r)), ""]
        out += [f"**{r.project_light_name}**：{_md(r.project_sentence)}", ""]
        lights = _all_lights(r)
        if lights:
            out += [
                "| 指标 | 灯 | 说明 | 全年预计完成值 | 偏差原因 | 完成目标可能性 | 纠偏措施 |",
                "|---|---|---|---|---|---|---|",
            ]
            for x in lights:
                label = x.name if not x.path else format_path(x.path)
                out.append(
                    f"| {_md(label)} | {x.light_name} | {_md(x.sentence)} | {_md(x.expected)} "
                    f"| {_md('、'.join(x.causes))} | {_md(x.likelihood)} | {_md(x.measures)} |"
                )
            out.append("")
        if r.findings:
            out += ["| 严重程度 | 代码 | 位置 | 说明 |", "|---|---|---|---|"]
            for f in r.findings:
                loc = "，".join(y for y in (_where(f), format_path(f.path) if f.path else "") if y)
                out.append(
                    f"| {SEVERITY_NAMES[f.severity]} | {f.code} | {_md(loc)} | {_md(f.message)} |"
                )
            out.append("")
    return "\n".join(out).rstrip("\n") + "\n"


def monitor_workbook(reports: Sequence[MonitorReport]) -> bytes:
    """汇总 (one row per project, its light coloured), then one sheet per project laid out
    like the 136号 监控表 (指标、灯、说明、全年预计完成值、偏差原因、完成目标可能性、纠偏措施)."""
    from openpyxl import Workbook  # type: ignore[import-untyped, unused-ignore]
    from openpyxl.styles import (  # type: ignore[import-untyped, unused-ignore]
        Alignment,
        Font,
        PatternFill,
    )

    def fill(colour: str) -> Any:
        return PatternFill("solid", start_color=colour, end_color=colour)

    lights = {k: fill(v) for k, v in LIGHT_FILLS.items()}
    severities = {k: fill(v) for k, v in _SEVERITY_FILLS.items()}
    bold, wrap = Font(bold=True), Alignment(wrap_text=True, vertical="top")
    ordered = _ordered(reports)
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "汇总"
    ws.append(["序号", "文件", "项目（单位）", "年度", "监控月份", "项目灯", "说明", "发现"])
    for cell in ws[1]:
        cell.font = bold
    for n, r in enumerate(ordered, 1):
        ws.append(
            [
                n,
                r.file,
                r.unit,
                r.year,
                r.month,
                r.project_light_name,
                r.project_sentence,
                len(r.findings),
            ]
        )
        if r.project_light in lights:
            ws.cell(row=n + 1, column=6).fill = lights[r.project_light]
        ws.cell(row=n + 1, column=7).alignment = wrap
    for col, width in zip("ABCDEFGH", (6, 36, 24, 8, 8, 10, 70, 8), strict=True):
        ws.column_dimensions[col].width = width
    for n, r in enumerate(ordered, 1):
        sheet = wb.create_sheet(str(n))
        sheet.append([_title(r)])
        sheet.append(["项目灯", r.project_light_name, r.project_sentence])
        if r.project_light in lights:
            sheet.cell(row=2, column=2).fill = lights[r.project_light]
        sheet.append([])
        head = ["指标", "灯", "说明", "截至监控月完成值", "年度指标值", "全年预计完成值"]
        sheet.append([*head, "偏差原因", "完成目标可能性", "纠偏措施"])
        for cell in sheet[sheet.max_row]:
            cell.font = bold
        for x in _all_lights(r):
            sheet.append(
                [
                    x.name if not x.path else format_path(x.path),
                    x.light_name,
                    x.sentence,
                    x.progress,
                    x.target,
                    x.expected,
                    "、".join(x.causes),
                    x.likelihood,
                    x.measures,
                ]
            )
            row = sheet.max_row
            if x.light in lights:
                sheet.cell(row=row, column=2).fill = lights[x.light]
            sheet.cell(row=row, column=3).alignment = wrap
        if r.findings:
            sheet.append([])
            sheet.append(["严重程度", "代码", "说明", "位置"])
            for cell in sheet[sheet.max_row]:
                cell.font = bold
            for f in r.findings:
                sheet.append([SEVERITY_NAMES[f.severity], f.code, f.message, _where(f)])
                sheet.cell(row=sheet.max_row, column=1).fill = severities[f.severity]
        for col, width in zip("ABCDEFGHI", (34, 8, 70, 14, 14, 14, 16, 12, 30), strict=True):
            sheet.column_dimensions[col].width = width
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
