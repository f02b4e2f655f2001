"""``--help`` that fits: wrapped by display width, in Chinese, with examples at the end.

argparse wraps help with :mod:`textwrap`, which counts characters: a line of Chinese (two
columns a character) comes out twice as wide as the terminal, and is broken only at spaces.
:class:`HelpFormatter` wraps by display width and may break between any two Chinese
characters (not before a closing punctuation mark); descriptions and epilogs keep their line
breaks. :class:`ChineseParser` titles the sections 用法／位置参数／选项, words its own help
option in Chinese and translates argparse's usage errors. :data:`EXAMPLES` are printed at the
end of each command's help.
"""

from __future__ import annotations

import argparse
import re
from collections.abc import Iterable
from typing import Any

from ..text.width import display_width, wrap

__all__ = ["EXAMPLES", "ChineseParser", "HelpFormatter", "epilog", "translate_error"]


class HelpFormatter(argparse.HelpFormatter):
    """Wraps by display width; descriptions and epilogs keep their own line breaks."""

    def _split_lines(self, text: str, width: int) -> list[str]:
        return wrap(text, width)

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        out = []
        for paragraph in text.splitlines():
            if not paragraph.strip():
                out.append("")
                continue
            lead = paragraph[: len(paragraph) - len(paragraph.lstrip())]
            out.extend(
                indent + lead + line
                for line in wrap(paragraph, width - display_width(indent + lead))
            )
        return "\n".join(out)

    def _format_usage(
        self,
        usage: str | None,
        actions: Iterable[argparse.Action],
        groups: Iterable[Any],
        prefix: str | None,
    ) -> str:
        # argparse lays the usage out counting characters; "usage:" is six characters and
        # "用法：" six columns, so the layout made for the one fits the other.
        if prefix is not None:  # e.g. "" when argparse builds a subcommand's prog
            return super()._format_usage(usage, actions, groups, prefix)
        text = super()._format_usage(usage, actions, groups, "usage:")
        return "用法：" + text.removeprefix("usage:")


_ERRORS = [
    (re.compile(r"the following arguments are required: (.*)"), "缺少参数：{0}"),
    (re.compile(r"unrecognized arguments: (.*)"), "无法识别的参数：{0}"),
    (
        re.compile(r"argument (.*?): invalid choice: '?(.*?)'? \(choose from (.*)\)"),
        "参数 {0}：无效的选项“{1}”（可选：{2}）",
    ),
    (re.compile(r"argument (.*?): expected one argument"), "参数 {0} 需要一个值"),
    (
        re.compile(r"argument (.*?): invalid (\w+) value: '(.*)'"),
        "参数 {0}：“{2}”不是有效的 {1} 值",
    ),
    (re.compile(r"argument (.*?): not allowed with argument (.*)"), "参数 {0} 不能与 {1} 同时使用"),
    (re.compile(r"ambiguous option: (.*?) could match (.*)"), "选项 {0} 不明确，可能是：{1}"),
]


def translate_error(message: str) -> str:
    """argparse's English usage error in Chinese (unknown messages are kept)."""
    for pattern, chinese in _ERRORS:
        m = pattern.fullmatch(message)
        if m:
            return chinese.format(*m.groups())
    return message


class ChineseParser(argparse.ArgumentParser):
    """An ArgumentParser whose help is in Chinese and wrapped by display width."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", HelpFormatter)
        add_help = kwargs.pop("add_help", True)
        kwargs["add_help"] = False  # ours, worded in Chinese, is added below
        super().__init__(*args, **kwargs)
        self._positionals.title = "位置参数"
        self._optionals.title = "选项"
        if add_help:
            self.add_argument(
                "-h", "--help", action="help", default=argparse.SUPPRESS, help="显示本帮助并退出"
            )


#: Examples printed at the end of each command's ``--help``.
EXAMPLES: dict[str, tuple[str, ...]] = {
    "perfscore": (
        "perfscore validate 表单.yaml",
        "perfscore score 表单.yaml",
        "perfscore review 表单文件夹/ --xlsx 复核.xlsx",
        "# 某一命令的说明：",
        "perfscore COMMAND --help",
    ),
    "validate": ("perfscore validate 表单.yaml", "perfscore validate indicators/ --format json"),
    "score": (
        "perfscore score 表单.yaml",
        "perfscore score 表单.yaml --format csv -o 得分.csv",
        "# 文件夹里每份表单一行：",
        "perfscore score 文件夹/ --format xlsx -o 结果.xlsx",
        "perfscore score 文件夹/ --format csv --bom > 结果.csv",
    ),
    "explain": (
        "perfscore explain 表单.yaml",
        "perfscore explain 表单.yaml 产出指标/数量指标/法制宣传活动场次",
    ),
    "show": ("perfscore show hunan/unit-self-evaluation", "perfscore show 模板.yaml --format yaml"),
    "schema": ("perfscore schema form -o form.schema.json", "perfscore schema form --path"),
    "templates": ("perfscore templates", "perfscore templates -T 我的模板/"),
    "check": ("perfscore check indicators/", "perfscore check 模板.yaml --properties"),
    "init": (
        "perfscore init form 表单.yaml",
        "perfscore init form --template hunan/project-self-evaluation 项目.yaml",
        "perfscore init template 我的模板.yaml",
    ),
    "review": (
        "perfscore review 自评表.xlsx",
        "perfscore review 文件夹/ --xlsx 复核.xlsx",
        "perfscore review 文件夹/ --format markdown -o 复核.md",
        "perfscore review 自评表.xls --template hunan/project-self-evaluation",
    ),
}


def epilog(command: str) -> str | None:
    """The ``示例：`` block for ``command`` (None when it has none)."""
    lines = EXAMPLES.get(command)
    if not lines:
        return None
    return "示例：\n" + "\n".join(f"  {line}" for line in lines)
