"""The ``perfscore`` command.

Exit status: 0 success, 1 invalid input (or findings at the chosen severity), 2 usage errors.
Messages about the user's data are in Chinese; option names are English.

Only the standard library pieces argument parsing needs and :mod:`perfscore.errors` are
imported here: each command imports what it uses, so ``perfscore score FORM`` in a fresh
process loads neither the review, the spreadsheet reader nor hypothesis.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, TextIO

from . import __version__
from ._help import ChineseParser, epilog, translate_error
from .errors import LoadError, PerfscoreError, flatten

if TYPE_CHECKING:
    from ._io import AtomicFile, Stdout

__all__ = ["main"]

EXIT_OK, EXIT_INVALID, EXIT_USAGE = 0, 1, 2


class _Parser(ChineseParser):
    def error(self, message: str) -> Any:  # argparse's default also exits 2; keep it, in Chinese
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}: 用法错误：{translate_error(message)}\n")


def _utf8(stream: TextIO) -> None:
    reconfigure = getattr(stream, "reconfigure", None)
    if reconfigure is not None and (stream.encoding or "").lower().replace("-", "") != "utf8":
        reconfigure(encoding="utf-8", errors="replace")


def _print_errors(err: PerfscoreError, stream: TextIO | None = None) -> None:
    stream = stream or sys.stderr  # looked up at call time: tests and callers swap sys.stderr
    from ._safe_text import visible

    errors = flatten(err)
    for e in errors:
        print(visible(f"{e.kind}：{e}"), file=stream)
    if len(errors) > 1:
        print(f"共 {len(errors)} 个问题。", file=stream)


def _emit(
    text: str, output: str | None, *, encoding: str = "utf-8", fmt: str | None = "text"
) -> None:
    from ._safe_text import for_format

    text = for_format(text, fmt)  # no terminal escape from an input cell; one line per record
    if output is None or output == "-":
        sys.stdout.write(text)
        return
    from ._io import atomic_write

    atomic_write(output, text.encode(encoding))


def _width() -> int:
    import shutil

    return max(60, shutil.get_terminal_size((120, 24)).columns)


def _search(args: argparse.Namespace) -> list[str] | None:
    return list(args.templates) if getattr(args, "templates", None) else None


# ------------------------------------------------------------------ commands


def cmd_validate(args: argparse.Namespace) -> int:
    import json
    from pathlib import Path

    from . import validate
    from ._safe_text import json_safe, visible

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
            from ._load_any import problems_of

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
    from ._fsguard import WalkProblem, walk

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
    from . import evaluate
    from ._load_any import load_form_any

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
        from ._score_table import run_table

        return run_table(args, _search(args))
    if batch:
        return _score_batch(args)
    from .render import render

    fmt = args.format or "text"
    result = _evaluate(args, args.forms[0])
    if fmt == "html":  # a self-contained page (perfscore._html), not one of render()'s formats
        from ._html import render_score_html

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
    from ._batch_io import StreamProgress
    from ._review_cli import batch_jobs, runner_problem
    from .batch import ScoreSummary, _score_rendered, iter_sources

    fmt = args.format or "jsonl"
    if fmt not in BATCH_FORMATS:
        return _usage(
            f"多份表单（文件夹、JSON Lines）的输出格式为 jsonl（默认）、text、markdown，"
            f"或每份一行的 csv、xlsx，不能是 {fmt}（{fmt} 只用于单个表单）"
        )
    summary = ScoreSummary()
    progress = StreamProgress("计分", enabled=not args.no_progress)
    from ._safe_text import for_format

    try:
        with batch_jobs(args) as jobs, _output(args.output) as out:
            rendered = _score_rendered(
                iter_sources(args.forms),
                fmt,
                search_path=_search(args),
                jobs=jobs,
                width=_width(),
            )
            for ok, grade, text in rendered:
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


def _output(output: str | None) -> Stdout | AtomicFile:
    """Where a stream goes (``-o``): see :func:`perfscore._io.output_stream`, shared with
    ``perfscore review``. Imported here, not at the top, so that other commands start faster."""
    from ._io import output_stream

    return output_stream(output)


def _silence_stdout() -> None:
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        pass


def cmd_explain(args: argparse.Namespace) -> int:
    from .render import render_explain

    result = _evaluate(args)
    try:
        text = render_explain(result, args.indicator)
    except KeyError as exc:
        print(f"perfscore explain：{exc.args[0]}", file=sys.stderr)  # find() words it
        return EXIT_USAGE
    _emit(text, args.output)
    return EXIT_OK


def cmd_show(args: argparse.Namespace) -> int:
    from pathlib import Path

    from ._library import TemplateLibrary
    from ._show import show_template

    lib = TemplateLibrary(_search(args) or ())
    path = Path(args.template) if Path(args.template).is_file() else lib.find(args.template)
    _emit(show_template(lib.load(path), args.format), args.output, fmt=args.format)
    return EXIT_OK


def cmd_schema(args: argparse.Namespace) -> int:
    import json

    from ._resources import load_schema, schemas_dir

    if args.path:
        print(schemas_dir() / f"{args.name}.schema.json")
        return EXIT_OK
    _emit(
        json.dumps(load_schema(args.name), ensure_ascii=False, indent=2) + "\n",
        args.output,
        fmt="json",
    )
    return EXIT_OK


def cmd_templates(args: argparse.Namespace) -> int:
    from ._library import TemplateLibrary

    lib = TemplateLibrary(_search(args) or ())
    for ref in lib.shipped_ids():
        try:
            t = lib.load(lib.find(ref))
            print(f"{ref}\t{t.name}")
        except PerfscoreError as err:
            print(f"{ref}\t（无法读取：{err.message}）")
    return EXIT_OK


def cmd_check(args: argparse.Namespace) -> int:
    if args.properties:
        from ._properties import run_properties

        return run_properties(args)
    from ._check import run_examples

    return run_examples(args)


def cmd_review(args: argparse.Namespace) -> int:
    from ._review_cli import run_review

    return run_review(args)


# ------------------------------------------------------------------ parser

Command = Callable[[argparse.Namespace], int]
_EXTRA: list[Callable[[Any], None]] = []


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="perfscore",
        description="预算绩效评价：用 YAML 描述指标体系，校验、计分、解释、复核。",
        epilog=epilog("perfscore"),
    )
    parser.add_argument(
        "--version", action="version", version=f"perfscore {__version__}", help="显示版本号并退出"
    )
    sub = parser.add_subparsers(
        dest="command", metavar="COMMAND", parser_class=_Parser, title="命令"
    )

    def add(name: str, func: Command, help_text: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_text, description=help_text, epilog=epilog(name))
        p.set_defaults(func=func)
        p.add_argument(
            "-T",
            "--templates",
            action="append",
            metavar="DIR",
            help="额外的模板目录（按模板编号查找），可重复",
        )
        return p

    p = add("validate", cmd_validate, "校验模板或表单文件，列出所有问题及位置")
    p.add_argument("files", nargs="+", metavar="FILE", help="YAML 文件或目录")
    p.add_argument("--format", choices=("text", "json"), default="text")

    from ._review_cli import add_jobs_argument, add_review_arguments, parse_jobs

    p = add("score", cmd_score, "计分：逐项得分、小计、总分和等级")
    p.add_argument(
        "forms",
        nargs="+",
        metavar="FORM",
        help="表单文件；多个文件、目录、.jsonl（每行一份表单）或 -（从标准输入读 JSON Lines）时逐份流式计分",
    )
    p.add_argument(
        "--format",
        choices=("text", "json", "markdown", "csv", "jsonl", "xlsx", "html"),
        default=None,
        metavar="FORMAT",
        help="text、json、markdown、csv、jsonl、xlsx 或 html。单个表单默认 text；多份表单默认 jsonl（每份一行结果或错误），也可 text、markdown；"
        "多份表单的 csv、xlsx 每份表单一行（单位、年度、模板、总分、等级、各一级指标得分、错误），"
        "xlsx 须用 -o；html：单个表单的网页报告（含图表，可直接打开和打印）",
    )
    p.add_argument(
        "--bom",
        action="store_true",
        help="CSV 写到标准输出时也加 UTF-8 BOM（写入文件时总是加，Excel 据此识别编码）",
    )
    p.add_argument("-o", "--output", metavar="FILE", help="写入文件（原子写入）")
    add_jobs_argument(p)
    p.add_argument("--no-progress", action="store_true", help="不显示进度（只在终端上显示）")

    p = add("explain", cmd_explain, "逐项列出计分过程（全部或某一指标）")
    p.add_argument("form", metavar="FORM")
    p.add_argument(
        "indicator",
        nargs="?",
        metavar="INDICATOR",
        help="指标名称或路径（如 产出指标/数量指标/场次）",
    )
    p.add_argument("-o", "--output", metavar="FILE")

    p = add("show", cmd_show, "显示模板（含继承合并后的结果）")
    p.add_argument("template", metavar="TEMPLATE", help="模板编号或文件")
    p.add_argument("--format", choices=("text", "yaml", "json"), default="text")
    p.add_argument("-o", "--output", metavar="FILE")

    p = add("schema", cmd_schema, "输出 JSON Schema（供编辑器使用）")
    p.add_argument("name", choices=("template", "form", "result"))
    p.add_argument("--path", action="store_true", help="只打印文件路径")
    p.add_argument("-o", "--output", metavar="FILE")

    add("templates", cmd_templates, "列出可用的模板")

    p = add("check", cmd_check, "运行模板内嵌的测试用例（examples），或用 --properties 做性质检验")
    p.add_argument("paths", nargs="+", metavar="TEMPLATE", help="模板文件、编号或目录")
    p.add_argument("--properties", action="store_true", help="用随机生成的表单检验通用性质")
    p.add_argument(
        "--examples", type=int, default=200, metavar="N", help="每条性质生成的表单数（默认 200）"
    )
    p.add_argument("--seed", type=int, default=0, help="随机种子（默认 0，结果可复现）")
    p.add_argument("--database", metavar="DIR", help="保存 hypothesis 示例库的目录（默认不保存）")
    p.add_argument(
        "--jobs",
        "-j",
        type=parse_jobs,
        default=None,
        metavar="N",
        help="--properties：用 N 个进程同时检验多个模板（默认每个 CPU 一个），输出仍按模板顺序",
    )

    p = add("review", cmd_review, "复核：对比自评得分与规则计分，检查预算勾稽关系和可疑行")
    add_review_arguments(p)

    from . import _cli_init, _cli_monitor, _cli_report, _cli_targets  # one command each

    _cli_targets.add_parser(add)
    _cli_monitor.add_parser(add)
    _cli_report.add_parser(add)
    _cli_init.add_parser(add)  # perfscore init form|template

    for extend in _EXTRA:
        extend(add)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    from ._streams import Terminated, guard_streams, on_signals, stdin_closed, stdout_failed

    guard_streams()  # a closed stdout/stderr (`>&-`) becomes one that reports, not None
    _utf8(sys.stdout)
    _utf8(sys.stderr)
    parser = build_parser()
    from ._cli_init import reorder

    args = parser.parse_args(reorder(list(sys.argv[1:] if argv is None else argv)))
    if not getattr(args, "func", None):
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    missing = [d for d in getattr(args, "templates", None) or () if not os.path.isdir(d)]
    if missing:
        return _usage(f"模板目录不存在：{'、'.join(missing)}（-T/--templates 应为已有的目录）")
    if stdin_closed(args):
        print("perfscore: 用法错误：标准输入已关闭，无法从 - 读取表单", file=sys.stderr)
        return EXIT_USAGE
    try:
        with on_signals():  # SIGTERM/SIGHUP end the run like Ctrl-C: temporary files removed
            code: int = args.func(args)
            sys.stdout.flush()  # a full disk on stdout is reported here, not at exit
    except PerfscoreError as err:
        _print_errors(err)
        return EXIT_INVALID
    except Terminated as stop:
        print(f"已终止（收到 {stop.name}）。", file=sys.stderr)
        _silence_stdout()
        return 128 + stop.signum
    except KeyboardInterrupt:
        print("已中断。", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `perfscore … | head` closed the pipe: stop quietly, any command
        _silence_stdout()
        return EXIT_INVALID
    except OSError as exc:  # writing to standard output failed (/dev/full, closed)
        if not stdout_failed(exc):
            raise
        _silence_stdout()
        return EXIT_INVALID
    return code


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
