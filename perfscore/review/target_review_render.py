"""Target review reports: text, Markdown, JSON and an XLSX workbook; one form or a batch.

A batch lists the forms most serious first (most errors, then warnings); the summary counts
the conclusions (``target_review.grades``) and the findings by severity and by code.
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
from .target_review import TargetReport
from .target_review_rules import TARGET_CATALOGUE

__all__ = ["FORMATS", "render_targets", "summary", "targets_workbook"]

FORMATS = ("text", "markdown", "json")
FILLS = {"error": "FFC7CE", "warning": "FFEB9C", "info": "DDEBF7"}


def summary(reports: Sequence[TargetReport]) -> dict[str, Any]:
    grades = Counter(r.grade or "无法审核" for r in reports)
    severities: Counter[str] = Counter()
    codes: Counter[str] = Counter()
    for r in reports:
        for f in r.findings:
            severities[f.severity] += 1
            codes[f.code] += 1
    return {
        "forms": len(reports),
        "grades": dict(sorted(grades.items(), key=lambda kv: (-kv[1], kv[0]))),
        "findings": {k: severities.get(k, 0) for k in ("error", "warning", "info")},
        "codes": dict(sorted(codes.items(), key=lambda kv: (-kv[1], kv[0]))),
    }


def render_targets(reports: Sequence[TargetReport], fmt_name: str = "text") -> str:
    ordered = sorted(reports, key=TargetReport.seriousness)
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


def _head(r: TargetReport) -> str:
    who = " ".join(x for x in (r.unit, f"{r.year}年度" if r.year else None) if x)
    where = r.file if r.line is None else f"{r.file}:{r.line}"
    c = r.counts()
    grade = r.grade or "无法审核"
    return (
        f"{where}"
        + (f" · {who}" if who else "")
        + (f" · {r.template}" if r.template else "")
        + f"\n审核结论：{grade}（错误 {c['error']}，警告 {c['warning']}，提示 {c['info']}）"
    )


def _text(reports: Sequence[TargetReport]) -> str:
    out: list[str] = []
    for r in reports:
        out.append("绩效目标审核 " + _head(r))
        if r.quantitative_share is not None:
            out.append(f"定量指标占比 {_pct(r.quantitative_share)}")
        if not r.findings:
            out.append("  未发现问题。")
        for f in r.findings:
            where = _where(f)
            path = format_path(f.path) if f.path else ""
            loc = "，".join(x for x in (where, path) if x)
            out.append(
                f"  [{SEVERITY_NAMES[f.severity]}] {f.code}"
                + (f"（{loc}）" if loc else "")
                + f"：{f.message}"
            )
        out.append("")
    if len(reports) != 1:
        out.extend(_summary_lines(reports))
    return "\n".join(out).rstrip("\n") + "\n"


def _summary_lines(reports: Sequence[TargetReport]) -> list[str]:
    s = summary(reports)
    f = s["findings"]
    lines = [
        f"汇总：共 {s['forms']} 份表单；结论 "
        + "，".join(f"{g} {n}" for g, n in s["grades"].items()),
        f"发现：错误 {f['error']}，警告 {f['warning']}，提示 {f['info']}",
    ]
    if s["codes"]:
        lines.append(
            "按检查项："
            + "；".join(
                f"{code}（{TARGET_CATALOGUE[code].title if code in TARGET_CATALOGUE else code}）{n}"
                for code, n in s["codes"].items()
            )
        )
    return lines


def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _markdown(reports: Sequence[TargetReport]) -> str:
    out: list[str] = ["# 绩效目标审核", ""]
    if len(reports) != 1:
        s = summary(reports)
        out += ["| 文件 | 单位 | 结论 | 错误 | 警告 | 提示 |", "|---|---|---|---:|---:|---:|"]
        for r in reports:
            c = r.counts()
            out.append(
                f"| {_md(r.file)} | {_md(r.unit or '')} | {r.grade or '无法审核'} | {c['error']} | {c['warning']} | {c['info']} |"
            )
        out += [
            "",
            "共 "
            + str(s["forms"])
            + " 份；"
            + "，".join(f"{g} {n}" for g, n in s["grades"].items()),
            "",
        ]
    for r in reports:
        out.append(f"## {_md(r.unit or r.file)}")
        out.append("")
        out.append(_md(_head(r).replace("\n", "；")))
        out.append("")
        if r.items:
            out += ["| 指标 | 年度指标值 | 分值 | 类型 | 问题 |", "|---|---|---:|---|---|"]
            for i in r.items:
                weight = "" if i.weight is None else str(i.weight)
                out.append(
                    f"| {_md(format_path(i.path))} | {_md(i.target or '')} | {weight} | {i.kind} | {'、'.join(i.codes)} |"
                )
            out.append("")
        if r.findings:
            out += ["| 严重程度 | 代码 | 位置 | 说明 |", "|---|---|---|---|"]
            for f in r.findings:
                loc = "，".join(x for x in (_where(f), format_path(f.path) if f.path else "") if x)
                out.append(
                    f"| {SEVERITY_NAMES[f.severity]} | {f.code} | {_md(loc)} | {_md(f.message)} |"
                )
        else:
            out.append("未发现问题。")
        out.append("")
    return "\n".join(out).rstrip("\n") + "\n"


def _pct(value: Any) -> str:
    from decimal import Decimal

    from ..text.display import fmt

    return fmt((Decimal(value) * 100).quantize(Decimal("0.01"))) + "%"


def targets_workbook(reports: Sequence[TargetReport]) -> bytes:
    """A workbook: 汇总 (one row per form), then one sheet per form with its findings."""
    from openpyxl import Workbook  # type: ignore[import-untyped, unused-ignore]
    from openpyxl.styles import Font, PatternFill  # type: ignore[import-untyped, unused-ignore]

    fills = {k: PatternFill("solid", start_color=v, end_color=v) for k, v in FILLS.items()}
    bold = Font(bold=True)
    ordered = sorted(reports, key=TargetReport.seriousness)
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "汇总"
    ws.append(["序号", "文件", "单位", "年度", "审核结论", "错误", "警告", "提示"])
    for cell in ws[1]:
        cell.font = bold
    for n, r in enumerate(ordered, 1):
        c = r.counts()
        ws.append(
            [n, r.file, r.unit, r.year, r.grade or "无法审核", c["error"], c["warning"], c["info"]]
        )
        level = next((k for k in ("error", "warning", "info") if c[k]), None)
        if level is not None:
            ws.cell(row=n + 1, column=5).fill = fills[level]
    for n, r in enumerate(ordered, 1):
        sheet = wb.create_sheet(f"{n}")
        sheet.append(["指标", "年度指标值", "分值", "类型", "问题"])
        for cell in sheet[1]:
            cell.font = bold
        for i in r.items:
            sheet.append([format_path(i.path), i.target, i.weight, i.kind, "、".join(i.codes)])
        sheet.append([])
        sheet.append(["严重程度", "代码", "位置", "指标", "说明"])
        for cell in sheet[sheet.max_row]:
            cell.font = bold
        for f in r.findings:
            sheet.append(
                [SEVERITY_NAMES[f.severity], f.code, _where(f), format_path(f.path), f.message]
            )
            sheet.cell(row=sheet.max_row, column=1).fill = fills[f.severity]
        for col, width in zip("ABCDE", (36, 24, 8, 10, 70), strict=True):
            sheet.column_dimensions[col].width = width
    for col, width in zip("ABCDEFGH", (6, 40, 24, 8, 12, 8, 8, 8), strict=True):
        ws.column_dimensions[col].width = width
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
