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
from .errors import LoadError, PerfscoreError, flatten

if TYPE_CHECKING:
    from ._io import AtomicFile, Stdout

__all__ = ["main"]

EXIT_OK, EXIT_INVALID, EXIT_USAGE = 0, 1, 2


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> Any:  # argparse's default also exits 2; keep it, in Chinese
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}: 用法错误：{message}\n")


def _utf8(stream: TextIO) -> None:
    reconfigure = getattr(stream, "reconfigure", None)
    if reconfigure is not None and (stream.encoding or "").lower().replace("-", "") != "utf8":
        reconfigure(encoding="utf-8", errors="replace")


def _print_errors(err: PerfscoreError, stream: TextIO | None = None) -> None:
    stream = stream or sys.stderr  # looked up at call time: tests and callers swap sys.stderr
    errors = flatten(err)
    for e in errors:
        print(f"{e.kind}：{e}", file=stream)
    if len(errors) > 1:
        print(f"共 {len(errors)} 个问题。", file=stream)


def _emit(text: str, output: str | None, *, encoding: str = "utf-8") -> None:
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

    files = _expand(args.files)
    bad = 0
    report: list[dict[str, Any]] = []
    for path in files:
        if os.path.isdir(path):  # only a directory without any YAML file is listed itself
            problems: list[PerfscoreError] = [
                LoadError("目录中没有 .yaml/.yml 文件，没有可校验的内容", file=path, value=path)
            ]
        else:
            problems = validate(Path(path), search_path=_search(args))
        report.append({"file": path, "errors": [p.to_dict() for p in problems]})
        if problems:
            bad += 1
            if args.format == "text":
                print(f"✗ {path}：{len(problems)} 个问题", file=sys.stderr)
                for p in problems:
                    print(f"  {p.kind}：{p}", file=sys.stderr)
        elif args.format == "text":
            print(f"✓ {path}")
    if args.format == "json":
        print(json.dumps(report, ensure_ascii=False, indent=2))
    elif len(files) > 1:
        print(f"共 {len(files)} 个文件，{bad} 个有问题。")
    return EXIT_INVALID if bad else EXIT_OK


def _expand(paths: Sequence[str]) -> list[str]:
    from pathlib import Path

    out: list[str] = []
    for p in paths:
        if os.path.isdir(p):
            found = [
                str(x)
                for x in sorted(Path(p).rglob("*"))
                if x.suffix.lower() in (".yaml", ".yml") and x.is_file()
            ]
            out.extend(found or [p])
        else:
            out.append(p)
    return out


def _evaluate(args: argparse.Namespace, form: str | None = None) -> Any:
    from pathlib import Path

    from . import evaluate, load_form

    return evaluate(load_form(Path(form or args.form), search_path=_search(args)))


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
    if _is_batch(args):
        return _score_batch(args)
    from .render import render

    fmt = args.format or "text"
    result = _evaluate(args, args.forms[0])
    text = render(result, fmt, width=_width())
    _emit(text, args.output, encoding="utf-8-sig" if fmt == "csv" else "utf-8")
    return EXIT_OK


def _usage(message: str) -> int:
    print(f"perfscore: 用法错误：{message}", file=sys.stderr)
    return EXIT_USAGE


def _score_batch(args: argparse.Namespace) -> int:
    """Score a stream of forms: one result (or error record) per form, in input order."""
    from ._batch_io import StreamProgress
    from .batch import ScoreSummary, _score_rendered, iter_sources

    fmt = args.format or "jsonl"
    if fmt not in BATCH_FORMATS:
        return _usage(
            f"多份表单（文件夹、JSON Lines）的输出格式为 jsonl（默认）、text 或 markdown，"
            f"不能是 {fmt}（{fmt} 只用于单个表单）"
        )
    summary = ScoreSummary()
    progress = StreamProgress("计分", enabled=not args.no_progress)
    rendered = _score_rendered(
        iter_sources(args.forms),
        fmt,
        search_path=_search(args),
        jobs=args.jobs,
        width=_width(),
    )
    try:
        with _output(args.output) as out:
            for ok, grade, text in rendered:
                if fmt != "jsonl" and summary.forms:
                    out.write("\n")
                out.write(text)
                summary.record(ok, grade)
                progress.step("")
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
    _emit(show_template(lib.load(path), args.format), args.output)
    return EXIT_OK


def cmd_schema(args: argparse.Namespace) -> int:
    import json

    from ._resources import load_schema, schemas_dir

    if args.path:
        print(schemas_dir() / f"{args.name}.schema.json")
        return EXIT_OK
    _emit(json.dumps(load_schema(args.name), ensure_ascii=False, indent=2) + "\n", args.output)
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
    )
    parser.add_argument("--version", action="version", version=f"perfscore {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    def add(name: str, func: Command, help_text: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_text, description=help_text)
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

    from ._review_cli import add_jobs_argument, add_review_arguments

    p = add("score", cmd_score, "计分：逐项得分、小计、总分和等级")
    p.add_argument(
        "forms",
        nargs="+",
        metavar="FORM",
        help="表单文件；多个文件、目录、.jsonl（每行一份表单）或 -（从标准输入读 JSON Lines）时逐份流式计分",
    )
    p.add_argument(
        "--format",
        choices=("text", "json", "markdown", "csv", "jsonl"),
        default=None,
        help="单个表单默认 text；多份表单默认 jsonl（每份一行结果或错误），也可 text、markdown",
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

    p = add("review", cmd_review, "复核：对比自评得分与规则计分，检查预算勾稽关系和可疑行")
    add_review_arguments(p)

    for extend in _EXTRA:
        extend(add)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    _utf8(sys.stdout)
    _utf8(sys.stderr)
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    try:
        code: int = args.func(args)
    except PerfscoreError as err:
        _print_errors(err)
        return EXIT_INVALID
    except KeyboardInterrupt:
        print("已中断。", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `perfscore … | head` closed the pipe: stop quietly, any command
        _silence_stdout()
        return EXIT_INVALID
    return code


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
