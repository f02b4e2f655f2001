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
from typing import Any

from .. import __version__
from ..errors import PerfscoreError
from .common import EXIT_INVALID, EXIT_USAGE, _Parser, _print_errors, _silence_stdout, _utf8
from .help import epilog
from .score import _usage, cmd_explain, cmd_score, cmd_validate
from .templates import cmd_check, cmd_review, cmd_schema, cmd_show, cmd_templates

__all__ = ["main"]

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

    from .review import add_jobs_argument, add_review_arguments, parse_jobs

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

    from . import init as _cli_init
    from . import monitor as _cli_monitor
    from . import report as _cli_report
    from . import targets as _cli_targets  # one command each

    _cli_targets.add_parser(add)
    _cli_monitor.add_parser(add)
    _cli_report.add_parser(add)
    _cli_init.add_parser(add)  # perfscore init form|template

    for extend in _EXTRA:
        extend(add)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    from ..render.streams import Terminated, guard_streams, on_signals, stdin_closed, stdout_failed

    guard_streams()  # a closed stdout/stderr (`>&-`) becomes one that reports, not None
    _utf8(sys.stdout)
    _utf8(sys.stderr)
    parser = build_parser()
    from .init import reorder

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
