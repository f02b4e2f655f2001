"""``perfscore review FORM...``: review forms (YAML, CSV, XLSX, JSON Lines, folders).

Exit status: 0 when no finding reaches ``--fail-on`` (default ``error``), 1 otherwise, 2 on
usage errors (unknown option, unknown finding code, no form found).

Building the parser imports nothing beyond the standard library: the review machinery is
imported by :func:`run_review`, so other commands do not pay for it.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from collections.abc import Iterator
from typing import Any

__all__ = [
    "add_jobs_argument",
    "add_review_arguments",
    "batch_jobs",
    "parse_jobs",
    "run_review",
]

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2
#: perfscore.core.findings.SEVERITIES, repeated here so that the parser needs no import.
SEVERITIES = ("error", "warning", "info")


def parse_jobs(text: str) -> int:
    """``--jobs N``: a number of processes, ``0`` for one per CPU."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"--jobs 应为整数，而不是“{text}”") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"--jobs 不能为负数（{value}）；0 表示每个 CPU 一个进程")
    from ..engine.pool import max_workers

    if value > max_workers():
        raise argparse.ArgumentTypeError(
            f"--jobs 太大（{text[:20]}）：最多 {max_workers()} 个进程（CPU 数的 4 倍）"
        )
    return value


def add_jobs_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--jobs",
        "-j",
        type=parse_jobs,
        default=1,
        metavar="N",
        help="用 N 个进程处理多份表单（默认 1；0 表示每个 CPU 一个），结果仍按输入顺序",
    )
    where = parser.add_mutually_exclusive_group()
    where.add_argument(
        "--dask",
        metavar="WHERE",
        help="在 Dask 集群上处理多份表单：local 表示在本机启动 LocalCluster（--jobs 个工作进程，"
        "默认 2），或调度器地址 tcp://主机:8786；结果与 --jobs 1 逐字节相同。需要 perfscore[dask]",
    )
    where.add_argument("--scheduler", metavar="ADDR", help="同 --dask ADDR：Dask 调度器地址")


@contextlib.contextmanager
def batch_jobs(args: argparse.Namespace) -> Iterator[Any]:
    """What ``jobs=`` gets: ``--jobs N``, or a Dask runner for ``--dask``/``--scheduler``
    (a local cluster is started here and closed when the batch is done)."""
    where = getattr(args, "dask", None) or getattr(args, "scheduler", None)
    if where is None:
        yield args.jobs
        return
    from ..batch.dask_map import open_runner

    with open_runner(where, workers=args.jobs if args.jobs > 1 else 2) as runner:
        yield runner


def runner_problem(exc: BaseException) -> bool:
    """Whether ``exc`` says that the Dask runner could not start (exit 2, not 1)."""
    from ..batch.dask_map import RunnerUnavailable

    return isinstance(exc, RunnerUnavailable)


def add_review_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "forms",
        nargs="+",
        metavar="FORM",
        help="表单文件（YAML、CSV、XLSX、XLS、ODS、每行一份表单的 .jsonl）或目录，可多个；- 从标准输入读 JSON Lines",
    )
    parser.add_argument(
        "--template",
        metavar="ID",
        help="所用模板编号或模板文件（代替表单自带的模板；CSV/XLSX 默认 hunan/unit-self-evaluation）",
    )
    parser.add_argument(
        "--sheet", metavar="NAME", help="XLSX、XLS、ODS 中要读取的工作表（默认自动查找）"
    )
    parser.add_argument(
        "--format",
        choices=("text", "markdown", "json", "jsonl"),
        default="text",
        help="报告格式（默认 text）；jsonl：每份表单一行，最后一行为汇总（流式，内存不随份数增长）",
    )
    parser.add_argument("-o", "--output", metavar="FILE", help="报告写入文件（原子写入）")
    parser.add_argument("--xlsx", metavar="FILE", help="另写一份 Excel 复核工作簿")
    parser.add_argument(
        "--html", metavar="FILE", help="另写一份网页复核报告（含汇总图表，可直接打开和打印）"
    )
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
        help="关闭某一复核项（可重复），如 --disable over_achievement_unexplained",
    )
    parser.add_argument(
        "--tolerance",
        action="append",
        default=[],
        metavar="CODE=VALUE",
        help="改某一复核项的容差（可重复），如 --tolerance reported_differs=0.5",
    )
    parser.add_argument(
        "--severity",
        action="append",
        default=[],
        metavar="CODE=LEVEL",
        help="改某一复核项的严重程度（error、warning、info；可重复）",
    )
    add_jobs_argument(parser)
    parser.add_argument("--no-progress", action="store_true", help="不显示进度条（只在终端上显示）")


def _pairs(values: list[str], option: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for value in values:
        code, sep, setting = value.partition("=")
        if not sep or not code.strip() or not setting.strip():
            raise _Usage(f"{option} 应写成 CODE=VALUE，而不是“{value}”")
        out[code.strip()] = setting.strip()
    return out


class _Usage(Exception):
    pass


def _streams(args: argparse.Namespace) -> bool:
    """JSON Lines in or out: review form by form without keeping the reviews."""
    return args.format == "jsonl" or any(
        f == "-" or f.lower().endswith(".jsonl") for f in args.forms
    )


def run_review(args: argparse.Namespace) -> int:
    from ..batch.progress import Progress
    from ..core.findings import CATALOGUE
    from ..errors import BuildError, PerfscoreError
    from ..render.io import atomic_write
    from ..render.safe_text import for_format
    from ..review.batch import FORM_SUFFIXES, expand, review_batch
    from ..review.render import render_review

    stream = _streams(args)
    files: list[str] = []
    try:
        tolerances = _pairs(args.tolerance, "--tolerance")
        severities = _pairs(args.severity, "--severity")
        for code in [*args.disable, *tolerances, *severities]:
            if code not in CATALOGUE:
                raise _Usage(f"未知的复核项“{code}”；可用：{'、'.join(CATALOGUE)}")
        for level in severities.values():
            if level not in SEVERITIES:
                raise _Usage(f"未知的严重程度“{level}”；可用：error、warning、info")
        if stream:
            if args.format == "json":
                raise _Usage(
                    "JSON Lines 输入逐份流式复核，报告格式请用 jsonl、text 或 markdown（不能用 json）"
                )
            if args.xlsx:
                raise _Usage("流式复核（JSON Lines）不能同时写 --xlsx 工作簿")
            if args.html:
                raise _Usage("流式复核（JSON Lines）不能同时写 --html 网页报告")
        else:
            files = expand(args.forms)
            if all(os.path.isdir(f) for f in files):  # only folders without a form file
                raise _Usage(f"没有找到表单文件（{'、'.join(FORM_SUFFIXES)}）")
    except _Usage as exc:
        print(f"perfscore review: 用法错误：{exc}", file=sys.stderr)
        return EXIT_USAGE
    options: dict[str, Any] = {
        "template": args.template,
        "sheet": args.sheet,
        "disable": args.disable,
        "tolerances": tolerances,
        "severities": severities,
    }
    search = getattr(args, "templates", None)
    if search:
        options["search_path"] = list(search)
    if args.template is not None:
        from ..build.args import search_library
        from ..review.batch import load_template_ref

        lib = search_library(search or None)
        try:
            options["template"] = load_template_ref(args.template, lib)
        except PerfscoreError as exc:
            print(f"perfscore review: 模板无法使用：{exc}", file=sys.stderr)
            return EXIT_USAGE
    try:
        with batch_jobs(args) as jobs:
            if stream:
                return _run_stream(args, options, jobs)
            batch = review_batch(
                args.forms, progress=Progress("复核", not args.no_progress), jobs=jobs, **options
            )
    except BuildError as exc:  # an override the template cannot take
        print(f"perfscore review: 用法错误：{exc}", file=sys.stderr)
        return EXIT_USAGE
    except PerfscoreError as exc:
        if not runner_problem(exc):
            raise
        print(f"perfscore review: {exc}", file=sys.stderr)  # no Dask, or no scheduler there
        return EXIT_USAGE
    text = for_format(render_review(batch, args.format), args.format)
    if args.output is None or args.output == "-":
        sys.stdout.write(text)
    else:
        atomic_write(args.output, text.encode("utf-8"))
    if args.xlsx:
        from ..review.workbook import workbook_bytes

        atomic_write(args.xlsx, workbook_bytes(batch))
    if args.html:
        from ..report.html import render_review_html

        atomic_write(args.html, render_review_html(batch).encode("utf-8"))
    return EXIT_FINDINGS if batch.reaches(args.fail_on) else EXIT_OK


def _run_stream(args: argparse.Namespace, options: dict[str, Any], jobs: Any) -> int:
    """Review form by form, writing each as it is done; the summary keeps counts and the most
    serious forms only, so memory does not grow with the number of forms."""
    from ..batch.progress import StreamProgress
    from ..batch.streams import _review_rendered
    from ..read.sources import iter_sources
    from ..render.io import output_stream
    from ..render.safe_text import for_format
    from ..review.batch import FORM_SUFFIXES
    from ..review.render import render_summary, stream_header
    from ..review.summary import ReviewSummary

    fmt = args.format
    summary = ReviewSummary()
    progress = StreamProgress("复核", enabled=not args.no_progress)
    rendered = _review_rendered(
        iter_sources(args.forms, suffixes=FORM_SUFFIXES), fmt, jobs=jobs, **options
    )
    try:
        with output_stream(args.output) as out:
            out.write(stream_header(fmt))
            for entry, text in rendered:
                if fmt == "text" and summary.forms:
                    out.write("\n")
                out.write(for_format(text, fmt))
                summary.add(entry)
                progress.step(entry.where)
            if fmt == "jsonl" or summary.forms != 1:
                if fmt == "text":
                    out.write("\n")
                out.write(for_format(render_summary(summary, fmt), fmt))
    finally:
        progress.done()
    return EXIT_FINDINGS if summary.reaches(args.fail_on) else EXIT_OK
