"""Composing YAML strictly (no tag or word guessed) and turning the node tree into plain data with
positions; the Chinese explanations of syntax errors.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, Final

import yaml
from yaml.events import AliasEvent, CollectionStartEvent, NodeEvent, ScalarEvent
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from ..errors import LoadError
from .yaml_document import _FALSE_WORDS, _LINE_BREAK, _NULL_WORDS, _STR_TAG, _TAB_HINT, _TRUE_WORDS

if TYPE_CHECKING:
    from .yaml_document import JsonPath, Limits, Position, _Mark

__all__ = []

#: A UTF-16 surrogate code point: never valid alone in text (it cannot be encoded).
_SURROGATE: Final = re.compile("[\ud800-\udfff]")


def _line_col(text: str, index: int) -> Position:
    """1-based line and column of ``text[index]``, counting breaks as PyYAML does."""
    line = 1
    start = 0
    for match in re.compile(_LINE_BREAK).finditer(text, 0, index):
        line += 1
        start = match.end()
    return line, index - start + 1


# --------------------------------------------------------------------------- parsing


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader that refuses anchors, aliases and tags and caps nesting and size.

    Only its scanner, parser and composer are used: the node tree is turned into data by
    :func:`_build`, never by the constructor (which would apply YAML 1.1's implicit types).
    """

    def __init__(self, text: str, *, file: str, limits: Limits) -> None:
        super().__init__(text)
        self.file = file
        self.limits = limits
        self.depth = 0
        self.node_count = 0
        # ids of scalar nodes tagged !!str explicitly (a plain `!!str true` stays text).
        self.explicit_str: set[int] = set()

    def refuse(self, message: str, mark: _Mark | None, **kwargs: Any) -> LoadError:
        line, column = (None, None) if mark is None else _pos(mark)
        return LoadError(message, file=self.file, line=line, column=column, **kwargs)

    def compose_node(self, parent: Node | None, index: int) -> Node | None:
        event = self.peek_event()  # type: ignore[no-untyped-call]
        if isinstance(event, AliasEvent):
            raise self.refuse(
                f"不允许使用别名“*{event.anchor}”：本格式不支持 YAML 的锚点（&）和别名（*）",
                event.start_mark,
                value=f"*{event.anchor}",
                hint="请把要重复的内容直接写出来",
            )
        assert isinstance(event, NodeEvent)
        if event.anchor is not None:
            raise self.refuse(
                f"不允许使用锚点“&{event.anchor}”：本格式不支持 YAML 的锚点（&）和别名（*）",
                event.start_mark,
                value=f"&{event.anchor}",
                hint="请删除“&名称”，把要重复的内容直接写出来",
            )
        tag = getattr(event, "tag", None)
        explicit_str = False
        if tag is not None:
            if isinstance(event, ScalarEvent) and tag == _STR_TAG:
                explicit_str = True
            else:
                raise self.refuse(
                    f"不允许使用 YAML 标签“{_short_tag(tag)}”",
                    event.start_mark,
                    value=_short_tag(tag),
                    hint='只允许 !!str；想让值保持为文字，请给它加引号，如 "true"',
                )
        self.node_count += 1
        if self.node_count > self.limits.max_nodes:
            raise self.refuse(
                f"文件里的值太多（超过 {self.limits.max_nodes} 个的上限）",
                event.start_mark,
                hint="如确需读取更大的文件，请传入 limits=Limits(max_nodes=...)",
            )
        nested = isinstance(event, CollectionStartEvent)
        if nested:
            self.depth += 1
            if self.depth > self.limits.max_depth:
                raise self.refuse(
                    f"嵌套太深（超过 {self.limits.max_depth} 层的上限）",
                    event.start_mark,
                )
        try:
            node = super().compose_node(parent, index)
        finally:
            if nested:
                self.depth -= 1
        if explicit_str and node is not None:
            self.explicit_str.add(id(node))
        return node


def _short_tag(tag: str) -> str:
    prefix = "tag:yaml.org,2002:"
    return "!!" + tag[len(prefix) :] if tag.startswith(prefix) else tag


class _Builder:
    """Turns a composed node tree into plain data, recording positions on the way."""

    __slots__ = ("explicit_str", "file", "key_positions", "positions")

    def __init__(
        self,
        file: str,
        explicit_str: set[int],
        positions: dict[JsonPath, Position],
        key_positions: dict[JsonPath, Position],
    ) -> None:
        self.file = file
        self.explicit_str = explicit_str
        self.positions = positions
        self.key_positions = key_positions

    def build(self, node: Node, path: JsonPath = ()) -> Any:
        self.positions[path] = _pos(node.start_mark)
        if isinstance(node, ScalarNode):
            return self.scalar(node)
        if isinstance(node, SequenceNode):
            return [self.build(child, (*path, i)) for i, child in enumerate(node.value)]
        assert isinstance(node, MappingNode)
        result: dict[str, Any] = {}
        seen: dict[str, _Mark] = {}
        for key_node, value_node in node.value:
            key = self.key(key_node)
            if key in seen:
                first = seen[key].line + 1
                again = key_node.start_mark.line + 1
                raise self.error(
                    f"键“{key}”重复：第 {first} 行与第 {again} 行",
                    key_node.start_mark,
                    value=key,
                    hint="同一层里的键不能重复（否则后一个会悄悄覆盖前一个）；请删除或合并其中一个",
                )
            seen[key] = key_node.start_mark
            child = (*path, key)
            self.key_positions[child] = _pos(key_node.start_mark)
            result[key] = self.build(value_node, child)
        return result

    def scalar(self, node: ScalarNode) -> str | bool | None:
        value: str = node.value
        lone = _SURROGATE.search(value)
        if lone is not None:  # "\ud800": no UTF-8 for it; every digest and output would fail
            raise self.error(
                f"含有不成对的代理字符 U+{ord(lone.group()):04X}，不是有效的 Unicode 文字",
                node.start_mark,
                value=value.encode("utf-8", "backslashreplace").decode("ascii", "replace")[:80],
                hint="YAML 里的 \\uD800–\\uDFFF 转义不能单独使用；表情等字符请直接写出，或写成 \\U0001F600",
            )
        if node.style is not None or id(node) in self.explicit_str:
            return value
        if value in _NULL_WORDS:
            return None
        if value in _TRUE_WORDS:
            return True
        if value in _FALSE_WORDS:
            return False
        return value

    def key(self, node: Node) -> str:
        if not isinstance(node, ScalarNode):
            raise self.error(
                "键必须是文字，不能是列表或映射",
                node.start_mark,
                hint="检查这一行是否多写了“?”、方括号或花括号",
            )
        value = self.scalar(node)
        if value is None and node.value == "":
            raise self.error("键不能为空", node.start_mark, hint="请在冒号前写上键名")
        if value is None or isinstance(value, bool):
            shown = node.value
            raise self.error(
                f"键“{shown}”不能是空值或 true/false",
                node.start_mark,
                value=node.value,
                hint=f'如果确实要用这个词作键，请加引号，如 "{node.value}"',
            )
        if value == "<<" and node.style is None:
            raise self.error(
                "不支持 YAML 的合并键“<<”",
                node.start_mark,
                value=value,
                hint="请把要合并的内容直接写出来",
            )
        return value

    def error(self, message: str, mark: _Mark, **kwargs: Any) -> LoadError:
        line, column = _pos(mark)
        return LoadError(message, file=self.file, line=line, column=column, **kwargs)


def _pos(mark: _Mark) -> Position:
    return mark.line + 1, mark.column + 1


# --------------------------------------------------------------------------- errors

# (fragment of PyYAML's English problem text, Chinese explanation), first match wins.
_EXPLAIN: Final = (
    ("cannot start any token", "这里有一个不能出现在此处的字符"),
    ("but found '<stream end>'", "文件意外结束：引号或括号没有闭合，文件可能被截断"),
    ("found unexpected end of stream", "文件意外结束：引号或括号没有闭合，文件可能被截断"),
    (
        "found unknown escape character",
        "双引号里有无法识别的转义符（反斜杠）；含反斜杠的文字请改用单引号",
    ),
    (
        "mapping values are not allowed here",
        "这里不能出现“: ”：值里含有“: ”时请给值加引号，或检查缩进",
    ),
    ("could not find expected ':'", "找不到应有的冒号“:”：请检查缩进，或上一行的引号是否闭合"),
    ("expected <block end>", "缩进不一致：同一层的内容必须对齐"),
    ("expected '<document start>'", "顶层只能有一个值：这里多出了内容（缩进不对或少了“键:”？）"),
    ("expected the node content", "这里缺少内容"),
    ("expected ',' or ']'", "方括号列表没有正确结束：缺少“,”或“]”"),
    ("expected ',' or '}'", "花括号映射没有正确结束：缺少“,”或“}”"),
    ("block sequence entries are not allowed here", "这里不能以“- ”开始列表：请检查缩进"),
    ("found a tab character", "这里有 Tab 字符"),
    ("while scanning a quoted scalar", "引号没有闭合"),
    ("while scanning a block scalar", "多行文字（| 或 >）的写法不对"),
    ("while scanning a directive", "“%”开头的指令写法不对"),
    ("found undefined tag handle", "不认识的 YAML 标签"),
    ("did not find expected key", "找不到应有的键：请检查缩进，或“- ”列表项是否对齐"),
    ("did not find expected node content", "这里缺少内容"),
    ("did not find expected", "语法不完整"),
)


def _syntax_error(exc: yaml.MarkedYAMLError, name: str, text: str) -> LoadError:
    mark = exc.problem_mark or exc.context_mark
    line = None if mark is None else mark.line + 1
    column = None if mark is None else mark.column + 1
    english = "; ".join(part for part in (exc.context, exc.problem) if part)
    explanation = "YAML 语法错误"
    for fragment, chinese in _EXPLAIN:
        if fragment in english:
            explanation = f"YAML 语法错误：{chinese}"
            break
    if "\t" in _indentation(text, line):
        explanation = f"YAML 语法错误：{_TAB_HINT}"
    elif "'\\t'" in english or "tab character" in english:
        explanation = "YAML 语法错误：这个位置不能用 Tab，请换成空格"
    hint = None
    if exc.context_mark is not None and exc.problem_mark is not None:
        ctx = exc.context_mark
        if (ctx.line, ctx.column) != (exc.problem_mark.line, exc.problem_mark.column):
            hint = f"相关位置：第 {ctx.line + 1} 行第 {ctx.column + 1} 列"
    return LoadError(
        f"{explanation}（{english}）",
        file=name,
        line=line,
        column=column,
        hint=hint,
    )


def _indentation(text: str, line: int | None) -> str:
    """The leading whitespace of 1-based ``line`` of ``text``."""
    if line is None:
        return ""
    lines = re.split(_LINE_BREAK, text)
    if not 1 <= line <= len(lines):
        return ""
    content = lines[line - 1]
    return content[: len(content) - len(content.lstrip(" \t"))]
