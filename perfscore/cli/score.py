"""``perfscore validate``, ``score`` and ``explain``."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from typing import Any

from ..errors import LoadError, PerfscoreError
from .common import EXIT_INVALID, EXIT_OK, EXIT_USAGE, _emit, _output, _search, _width

__all__ = []

# ------------------------------------------------------------------ commands


def cmd_validate(args: argparse.Namespace) -> int:
    import json
    from pathlib import Path

    from .. import validate
    from ..render.safe_text import json_safe, visible

    files = _expand(args.files)
    bad = 0
    report: list[dict[str, Any]] = []
    for listed, problem in files:
        path = listed if problem is None else problem.file or listed
        if problem is not None:  # a folder not read, a device or FIFO: never followed
            problems: list[PerfscoreError] = [problem]
        elif os.path.isdir(path):  # only a directory without any YAML file is listed itself
            problems = [
                LoadError("目录中没有 .yaml/.yml 文件，没有可校验的内容", file=path, value=path)
            ]
        elif Path(path).suffix.lower() in _ONE_LOADER:
            from ..build.load_any import problems_of

            problems = problems_of(path, search_path=_search(args))
        else:
            problems = validate(Path(path), search_path=_search(args))
        report.append({"file": path, "errors": [p.to_dict() for p in problems]})
        if problems:
            bad += 1
            if args.format == "text":
                print(visible(f"✗ {path}：{len(problems)} 个问题"), file=sys.stderr)
                for p in problems:
                    print(visible(f"  {p.kind}：{p}"), file=sys.stderr)
        elif args.format == "text":
            print(visible(f"✓ {path}"))
    if args.format == "json":
        print(json_safe(json.dumps(report, ensure_ascii=False, indent=2)))
    elif len(files) > 1:
        print(f"共 {len(files)} 个文件，{bad} 个有问题。")
    return EXIT_INVALID if bad else EXIT_OK


#: Suffixes ``validate`` reads through the one loader (tables and JSON Lines; YAML as before).
_ONE_LOADER = (".csv", ".tsv", ".xlsx", ".xlsm", ".xls", ".et", ".ods", ".jsonl")


def _expand(paths: Sequence[str]) -> list[tuple[str, LoadError | None]]:
    from ..read.fsguard import WalkProblem, walk

    out: list[tuple[str, LoadError | None]] = []
    for p in paths:
        if os.path.isdir(p):
            found: list[tuple[str, LoadError | None]] = []
            for entry in walk(p):
                if isinstance(entry, WalkProblem):
                    if entry.folder or entry.path.lower().endswith((".yaml", ".yml")):
                        found.append((entry.path, entry.error))
                elif entry.lower().endswith((".yaml", ".yml")):
                    found.append((entry, None))
            out.extend(found or [(p, None)])
        else:
            out.append((p, None))
    return out


def _evaluate(args: argparse.Namespace, form: str | None = None) -> Any:
    from .. import evaluate
    from ..build.load_any import load_form_any

    return evaluate(load_form_any(form or args.form, search_path=_search(args)))


#: Output formats of a batch (several forms, a folder, JSON Lines): one entry per form.
BATCH_FORMATS = ("jsonl", "text", "markdown")


def _is_batch(args: argparse.Namespace) -> bool:
    forms: list[str] = args.forms
    return (
        len(forms) > 1
        or args.format == "jsonl"
        or any(f == "-" or f.lower().endswith(".jsonl") or os.path.isdir(f) for f in forms)
    )


def cmd_score(args: argparse.Namespace) -> int:
    batch = _is_batch(args)
    if args.format == "xlsx" or (batch and args.format == "csv"):  # one row per form
        from ..report.score_table import run_table

        return run_table(args, _search(args))
    if batch:
        return _score_batch(args)
    from ..render.evaluation import render

    fmt = args.format or "text"
    result = _evaluate(args, args.forms[0])
    if (
        fmt == "html"
    ):  # a self-contained page (perfscore.report.html), not one of render()'s formats
        from ..report.html import render_score_html

        _emit(render_score_html(result), args.output)
        return EXIT_OK
    text = render(result, fmt, width=_width())
    if fmt == "csv" and args.bom and (args.output is None or args.output == "-"):
        text = "\ufeff" + text
    _emit(text, args.output, encoding="utf-8-sig" if fmt == "csv" else "utf-8", fmt=fmt)
    return EXIT_OK


def _usage(message: str) -> int:
    print(f"perfscore: 用法错误：{message}", file=sys.stderr)
    return EXIT_USAGE


def _score_batch(args: argparse.Namespace) -> int:
    """Score a stream of forms: one result (or error record) per form, in input order."""
    from ..batch.progress import StreamProgress
    from ..batch.streams import ScoreSummary, _score_rendered
    from ..read.sources import iter_sources
    from .review import batch_jobs, runner_problem

    fmt = args.format or "jsonl"
    if fmt not in BATCH_FORMATS:
        return _usage(
            f"多份表单（文件夹、JSON Lines）的输出格式为 jsonl（默认）、text、markdown，"
            f"或每份一行的 csv、xlsx，不能是 {fmt}（{fmt} 只用于单个表单）"
        )
    summary = ScoreSummary()
    progress = StreamProgress("计分", enabled=not args.no_progress)
    from ..render.safe_text import for_format

    try:
        with batch_jobs(args) as jobs, _output(args.output) as out:
            # Where the output takes UTF-8 bytes, each form arrives made safe (for_format) and
            # encoded by the process that scored it: this one only writes, never decodes.
            encoded = out.binary()
            rendered = _score_rendered(
                iter_sources(args.forms),
                fmt,
                search_path=_search(args),
                jobs=jobs,
                width=_width(),
                encoded=encoded,
            )
            for ok, grade, text in rendered:
                if encoded:
                    if fmt != "jsonl" and summary.forms:
                        out.write_bytes(b"\n")
                    out.write_bytes(text)
                else:
                    if fmt != "jsonl" and summary.forms:
                        out.write("\n")
                    out.write(for_format(text, fmt))
                summary.record(ok, grade)
                progress.step("")
    except PerfscoreError as exc:
        if not runner_problem(exc):
            raise
        print(f"perfscore score: {exc}", file=sys.stderr)  # no Dask, or no scheduler there
        return EXIT_USAGE
    finally:
        progress.done()
    print(summary.text(), file=sys.stderr)
    return EXIT_INVALID if summary.failed else EXIT_OK


def cmd_explain(args: argparse.Namespace) -> int:
    from ..render.evaluation import render_explain

    result = _evaluate(args)
    try:
        text = render_explain(result, args.indicator)
    except KeyError as exc:
        print(f"perfscore explain：{exc.args[0]}", file=sys.stderr)  # find() words it
        return EXIT_USAGE
    _emit(text, args.output)
    return EXIT_OK
