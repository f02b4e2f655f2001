"""What the command modules share: exit codes, printing errors, writing output."""

from __future__ import annotations

import argparse
import os
import sys
from typing import TYPE_CHECKING, Any, TextIO

from ..errors import PerfscoreError, flatten
from .help import ChineseParser, translate_error

if TYPE_CHECKING:
    from ..render.io import AtomicFile, Stdout

__all__ = []

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
    from ..render.safe_text import visible

    errors = flatten(err)
    for e in errors:
        print(visible(f"{e.kind}：{e}"), file=stream)
    if len(errors) > 1:
        print(f"共 {len(errors)} 个问题。", file=stream)


def _emit(
    text: str, output: str | None, *, encoding: str = "utf-8", fmt: str | None = "text"
) -> None:
    from ..render.safe_text import for_format

    text = for_format(text, fmt)  # no terminal escape from an input cell; one line per record
    if output is None or output == "-":
        sys.stdout.write(text)
        return
    from ..render.io import atomic_write

    atomic_write(output, text.encode(encoding))


def _width() -> int:
    import shutil

    return max(60, shutil.get_terminal_size((120, 24)).columns)


def _search(args: argparse.Namespace) -> list[str] | None:
    return list(args.templates) if getattr(args, "templates", None) else None


def _output(output: str | None) -> Stdout | AtomicFile:
    """Where a stream goes (``-o``): see :func:`perfscore.render.io.output_stream`, shared with
    ``perfscore review``. Imported here, not at the top, so that other commands start faster."""
    from ..render.io import output_stream

    return output_stream(output)


def _silence_stdout() -> None:
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        pass
