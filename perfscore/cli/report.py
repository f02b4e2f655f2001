"""``perfscore report FORM [--basic-data FORM] [-o 报告.docx|.md|.html]``: draft the 自评报告."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

__all__ = ["add_parser", "run"]

FORMATS = ("markdown", "html", "docx")
_SUFFIX = {
    ".md": "markdown",
    ".markdown": "markdown",
    ".html": "html",
    ".htm": "html",
    ".docx": "docx",
}


def add_parser(add: Any) -> None:
    p = add(
        "report", run, "起草绩效自评报告（附件4）：资金和绩效段落由表单计算，问题和措施留给单位填写"
    )
    p.add_argument("form", metavar="FORM", help="自评表表单（YAML）")
    p.add_argument(
        "--basic-data", metavar="FORM", help="基础数据表表单（如 hunan/unit-evaluation-basic-data）"
    )
    p.add_argument(
        "--format",
        choices=FORMATS,
        default=None,
        help="输出格式（默认按 -o 的扩展名：.md、.html、.docx；写到标准输出时为 markdown）",
    )
    p.add_argument("-o", "--output", metavar="FILE", help="写入文件（原子写入）")


def run(args: argparse.Namespace) -> int:
    from .. import evaluate, load_form
    from ..render.io import atomic_write
    from ..report.report import build_report, render_markdown

    fmt = args.format
    if fmt is None:
        fmt = (
            _SUFFIX.get(Path(args.output).suffix.lower(), "markdown") if args.output else "markdown"
        )
    if fmt == "docx" and (args.output is None or args.output == "-"):
        print("perfscore report: 用法错误：Word 格式请用 -o 指定 .docx 文件", file=sys.stderr)
        return 2
    search = list(args.templates) if getattr(args, "templates", None) else None
    form = load_form(Path(args.form), search_path=search)
    basic = load_form(Path(args.basic_data), search_path=search) if args.basic_data else None
    report = build_report(evaluate(form), form, basic)
    if fmt == "docx":
        from ..report.docx import report_docx_bytes

        data = report_docx_bytes(report)
    elif fmt == "html":
        from ..report.html import render_report_html

        data = render_report_html(report).encode("utf-8")
    else:
        data = render_markdown(report).encode("utf-8")
    if args.output is None or args.output == "-":
        sys.stdout.write(data.decode("utf-8"))
    else:
        atomic_write(args.output, data)
    return 0
