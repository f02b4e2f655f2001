"""Command-line plumbing shared by ``perfscore targets`` and ``perfscore monitor``.

The conventions are review's (:mod:`perfscore.cli.review`): forms are files, folders or JSON
Lines (``-`` for standard input); ``-o FILE`` and ``--xlsx FILE`` are written atomically
(:func:`perfscore.render.io.atomic_write`); a progress line on a terminal
(:class:`perfscore.batch.progress.StreamProgress`); ``--jobs N`` processes, results in input
order; exit status 0 when no finding reaches
``--fail-on`` (default ``error``), 1 otherwise, 2 on usage errors (unknown option or code, no
form found, a template that cannot be used). Building the parser imports only the standard
library.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Mapping, Sequence
from typing import Any

__all__ = ["EXIT_FINDINGS", "EXIT_OK", "EXIT_USAGE", "add_stage_arguments", "run_stage"]

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2
SEVERITIES = ("error", "warning", "info")


def add_stage_arguments(parser: argparse.ArgumentParser, *, example_code: str) -> None:
    parser.add_argument(
        "forms",
        nargs="+",
        metavar="FORM",
        help="表单文件（YAML、CSV、XLSX、每行一份表单的 .jsonl）或目录，可多个；- 从标准输入读 JSON Lines",
    )
    parser.add_argument(
        "--template",
        metavar="ID",
        help="所用模板编号或模板文件（代替表单自带的模板；CSV/XLSX 默认 hunan/unit-self-evaluation）",
    )
    parser.add_argument("--sheet", metavar="NAME", help="XLSX 中要读取的工作表（默认自动查找）")
    parser.add_argument(
        "--format",
        choices=("text", "markdown", "json"),
        default="text",
        help="报告格式（默认 text）",
    )
    parser.add_argument("-o", "--output", metavar="FILE", help="报告写入文件（原子写入）")
    parser.add_argument("--xlsx", metavar="FILE", help="另写一份 Excel 工作簿")
    parser.add_argument(
        "--fail-on",
        choices=(*SEVERITIES, "never"),
        default="error",
        help="有达到该严重程度的发现时退出码为 1（默认 error）",
    )
    parser.add_argument(
        "--disable",
        action="append",
        default=[],
        metavar="CODE",
        help=f"关闭某一检查项（可重复），如 --disable {example_code}",
    )
    parser.add_argument(
        "--severity",
        action="append",
        default=[],
        metavar="CODE=LEVEL",
        help="改某一检查项的严重程度（error、warning、info；可重复）",
    )
    from .review import add_jobs_argument  # standard library only, as this module

    add_jobs_argument(parser)
    parser.add_argument("--no-progress", action="store_true", help="不显示进度（只在终端上显示）")


class _Usage(Exception):
    pass


def _pairs(values: Sequence[str], option: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for value in values:
        code, sep, setting = value.partition("=")
        if not sep or not code.strip() or not setting.strip():
            raise _Usage(f"{option} 应写成 CODE=LEVEL，而不是“{value}”")
        out[code.strip()] = setting.strip()
    return out


class _Job:
    """``one(source, **options)``, picklable for the worker processes of ``--jobs``."""

    def __init__(self, one: Callable[..., Any], options: Mapping[str, Any]) -> None:
        self.one = one
        self.options = dict(options)

    def __call__(self, source: Any) -> Any:
        return self.one(source, **self.options)


def run_stage(
    args: argparse.Namespace,
    *,
    command: str,
    verb: str,
    catalogue: Mapping[str, Any],
    one: Callable[..., Any],
    render: Callable[[Sequence[Any], str], str],
    workbook: Callable[[Sequence[Any]], bytes],
    options: dict[str, Any],
    fails: Callable[[Any], bool] | None = None,
) -> int:
    """Run ``one(source, **options)`` over every form and write the report."""
    from ..batch.progress import StreamProgress
    from ..errors import PerfscoreError
    from ..read.sources import iter_sources
    from ..render.io import atomic_write
    from ..review.batch import FORM_SUFFIXES, expand

    try:
        severities = _pairs(args.severity, "--severity")
        for code in [*args.disable, *severities]:
            if code not in catalogue:
                from ..read.reader import suggest

                hint = suggest(code, catalogue)
                raise _Usage(
                    f"未知的检查项“{code}”"
                    + (f"（{hint}）" if hint else "")
                    + f"；可用：{'、'.join(catalogue)}"
                )
        for level in severities.values():
            if level not in SEVERITIES:
                raise _Usage(f"未知的严重程度“{level}”；可用：error、warning、info")
        files = expand(args.forms)
        if all(f != "-" and os.path.isdir(f) for f in files):
            raise _Usage(f"没有找到表单文件（{'、'.join(FORM_SUFFIXES)}）")
    except _Usage as exc:
        print(f"perfscore {command}: 用法错误：{exc}", file=sys.stderr)
        return EXIT_USAGE
    options = {**options, "disable": list(args.disable), "severities": severities}
    options["sheet"] = args.sheet
    search = getattr(args, "templates", None)
    if search:
        options["search_path"] = list(search)
    if args.template is not None:
        from ..build.args import search_library
        from ..review.batch import load_template_ref

        try:
            options["template"] = load_template_ref(args.template, search_library(search or None))
        except PerfscoreError as exc:
            print(f"perfscore {command}: 模板无法使用：{exc}", file=sys.stderr)
            return EXIT_USAGE
    from ..engine.pool import ordered_map

    progress = StreamProgress(verb, enabled=not args.no_progress)
    reports: list[Any] = []
    job = _Job(one, options)
    try:
        sources = iter_sources(files, suffixes=FORM_SUFFIXES)
        for report in ordered_map(job, sources, jobs=getattr(args, "jobs", 1), chunk_size=4):
            reports.append(report)
            progress.step(report.file if report.line is None else f"{report.file}:{report.line}")
    finally:
        progress.done()
    text = render(reports, args.format)
    if args.output is None or args.output == "-":
        sys.stdout.write(text)
    else:
        atomic_write(args.output, text.encode("utf-8"))
    if args.xlsx:
        atomic_write(args.xlsx, workbook(reports))
    failed = any(r.reaches(args.fail_on) for r in reports)
    if fails is not None:
        failed = failed or any(fails(r) for r in reports)
    return EXIT_FINDINGS if failed else EXIT_OK
