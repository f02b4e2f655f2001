"""Strict YAML loading: text, bytes or a file in; plain data and source positions out.

PyYAML speaks YAML 1.1, which turns ``no`` into False, ``012345`` into an octal number,
``1:20`` into 80 and ``4073.53`` into a float, lets duplicate keys overwrite each other
silently, and expands anchors/aliases (a few hundred bytes can become billions of nodes).
None of that is wanted in a budget form, so this module uses PyYAML only for scanning,
parsing and composing (through :class:`_StrictLoader`, a ``yaml.SafeLoader`` subclass) and
builds the Python data itself from the node tree. (A clean document is parsed by libyaml when
PyYAML has it, which is many times faster, and composed under the same rules; anything the
two parsers might read differently goes the pure-Python way. See "fast path" below.)

* Every scalar stays text exactly as written, except a *plain* (unquoted) ``null``, ``Null``,
  ``NULL``, ``~`` or empty value, which becomes ``None``, and a plain ``true``/``True``/``TRUE``/
  ``false``/``False``/``FALSE``, which becomes a bool. ``yes``/``no``/``on``/``off``, numbers,
  times and dates stay strings; numbers are converted to ``Decimal`` downstream.
* Mapping keys are scalars and become strings; a null or bool key, a collection key, the merge
  key ``<<`` and duplicate keys (the message names both lines) are errors.
* Anchors (``&a``) and aliases (``*a``) are refused where they appear, before the composer
  resolves them, which also defeats "billion laughs" and recursive aliases.
* Explicit tags are refused, with one exception: ``!!str`` on a scalar is accepted (it only
  says "this is text", which every scalar already is; on a plain ``!!str true`` it keeps the
  word as text). Everything else (``!!python/object/apply:...``, ``!!int``, ``!foo``, ``!``)
  is an error.
* Exactly one document per file; an empty file (or one with only comments) is an error.

Encodings. UTF-8 with or without a BOM is read as is. UTF-16 and UTF-32 are decoded only when
they start with a BOM (then they are unambiguous). A file with NUL bytes or many control bytes
is "not a text file". Other bytes that are not UTF-8 are refused: if they decode as GB18030 and
contain Chinese, the message says the file looks GBK/GB18030-encoded (the default of Chinese
Windows) and how to re-save it as UTF-8; otherwise it names the first bad byte's offset and
line. Guessing an encoding silently could mis-read amounts, so nothing is guessed.

Limits (:class:`Limits`): by default at most 2 MB (2_000_000 bytes), 50 levels of nesting
and 200_000 nodes. Pass another ``Limits`` to change them. Lines and columns are 1-based and
count characters (code points), as PyYAML does; ``\\r\\n`` is one line break.
"""

from __future__ import annotations

import codecs
import os
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Final, Protocol

import attrs
import yaml
from yaml.events import (
    AliasEvent,
    CollectionStartEvent,
    DocumentEndEvent,
    DocumentStartEvent,
    MappingEndEvent,
    MappingStartEvent,
    NodeEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
    StreamEndEvent,
    StreamStartEvent,
)
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from .errors import InputTypeError, LoadError

try:  # libyaml's parser, when PyYAML was built with it (the wheels are)
    from yaml._yaml import CParser as _CParser
except ImportError:  # pragma: no cover - a PyYAML without libyaml: the pure-Python path only
    _CParser = None  # type: ignore[misc, assignment]

__all__ = [
    "DEFAULT_LIMITS",
    "Document",
    "JsonPath",
    "Limits",
    "Position",
    "load_yaml",
    "open_error",
]

#: A path into the data: mapping keys (str) and list indexes (int), from the root.
JsonPath = tuple[str | int, ...]
#: A 1-based (line, column).
Position = tuple[int, int]


class _Mark(Protocol):
    """What is used of PyYAML's marks (pure-Python and libyaml ones): 0-based line/column."""

    @property
    def line(self) -> int: ...
    @property
    def column(self) -> int: ...


_STR_TAG: Final = "tag:yaml.org,2002:str"
_NULL_WORDS: Final = frozenset({"", "~", "null", "Null", "NULL"})
_TRUE_WORDS: Final = frozenset({"true", "True", "TRUE"})
_FALSE_WORDS: Final = frozenset({"false", "False", "FALSE"})
_TAB_HINT: Final = "YAML 不允许用 Tab 缩进，请把行首的 Tab 换成空格"
# The characters PyYAML's reader refuses (same class as yaml.reader.Reader.NON_PRINTABLE).
_NON_PRINTABLE: Final = re.compile(
    "[^\x09\x0a\x0d\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]"
)
# Only needed to report an error: patterns compiled (and cached by ``re``) on first use.
_LINE_BREAK: Final = "\r\n|[\r\n\x85\u2028\u2029]"
_CONTROL_BYTES: Final = bytes(b for b in [*range(32), 0x7F] if b not in b"\t\n\r\x0c")
_BINARY_MIN_CONTROLS: Final = 8
_CJK: Final = "[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]"


def _positive(_inst: object, attribute: attrs.Attribute[int], value: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise InputTypeError(
            f"Limits.{attribute.name} 必须是正整数", value=value, expected="正整数"
        )


#: The deepest nesting a Limits may allow: reading, building and checking a document recurse
#: a few frames per level, so a depth near the interpreter's limit would be a RecursionError.
MAX_DEPTH_CAP: Final = 200


def _below_recursion(_inst: object, attribute: attrs.Attribute[int], value: int) -> None:
    if value > MAX_DEPTH_CAP:
        raise InputTypeError(
            f"Limits.{attribute.name} 不能超过 {MAX_DEPTH_CAP}（更深的嵌套会超出解释器的递归上限）",
            value=value,
            expected=f"1 到 {MAX_DEPTH_CAP}",
        )


@attrs.frozen
class Limits:
    """Resource caps for :func:`load_yaml`.

    ``max_bytes`` (default 2_000_000, i.e. 2 MB) caps the file size in bytes (of the UTF-8
    encoding for text passed in directly); ``max_depth`` (default 50, at most
    :data:`MAX_DEPTH_CAP`) caps the nesting of
    mappings and lists; ``max_nodes`` (default 200_000) caps the number of values (scalars,
    mappings and lists, keys included). Pass ``load_yaml(..., limits=Limits(max_bytes=...))``
    to change them.
    """

    max_bytes: int = attrs.field(default=2_000_000, validator=_positive)
    max_depth: int = attrs.field(default=50, validator=[_positive, _below_recursion])
    max_nodes: int = attrs.field(default=200_000, validator=_positive)


DEFAULT_LIMITS: Final = Limits()


@attrs.frozen
class Document:
    """A loaded YAML document: plain data plus where each value was written.

    ``data`` is made only of dict (str keys, insertion-ordered), list, str, bool and None; do
    not mutate it. ``positions[path]`` is the 1-based (line, column) of the value at ``path``
    (a tuple of str keys and int indexes; ``()`` is the root); ``key_positions[path]`` is the
    position of the key whose value is at ``path``. ``text`` is the decoded source text
    (empty for documents made from Python data, which have no positions).
    """

    data: Any = attrs.field(hash=False)
    file: str
    positions: Mapping[JsonPath, Position] = attrs.field(factory=dict, hash=False, repr=False)
    key_positions: Mapping[JsonPath, Position] = attrs.field(factory=dict, hash=False, repr=False)
    text: str = attrs.field(default="", repr=False)

    def locate(self, path: Sequence[str | int]) -> tuple[int | None, int | None]:
        """Position of the value at ``path``, or of its nearest known ancestor.

        For a key that is missing from a mapping this is the mapping's own position;
        ``(None, None)`` when nothing is known (documents built from Python data).
        """
        key = tuple(path)
        while True:
            found = self.positions.get(key)
            if found is not None:
                return found
            if not key:
                return (None, None)
            key = key[:-1]

    def key_locate(self, path: Sequence[str | int]) -> tuple[int | None, int | None]:
        """Position of the key whose value is at ``path``; else as :meth:`locate`."""
        found = self.key_positions.get(tuple(path))
        return found if found is not None else self.locate(path)


def load_yaml(
    source: str | bytes | os.PathLike[str],
    *,
    file: str | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> Document:
    """Load one strict YAML document.

    ``source`` is YAML text (``str``; the file name defaults to ``"<string>"``), the raw
    content of a file (``bytes``; default name ``"<bytes>"``), or a path to read (the name is
    the path as given). ``file`` overrides the name shown in errors and kept in the Document.
    Raises :class:`~perfscore.errors.LoadError` for anything that is not a strict, single,
    well-formed YAML document within ``limits``; :class:`~perfscore.errors.InputTypeError`
    for a ``source`` of another type.
    """
    if not isinstance(limits, Limits):
        raise InputTypeError(
            f"limits 必须是 Limits，而不是 {type(limits).__name__}",
            value=limits,
            expected="perfscore._yaml.Limits",
        )
    if isinstance(source, str):
        name = "<string>" if file is None else file
        try:
            size = len(source.encode("utf-8", "surrogatepass"))
        except UnicodeError:  # pragma: no cover - surrogatepass encodes every str
            size = len(source) * 4
        _check_size(size, limits, name)
        text = source[1:] if source.startswith("\ufeff") else source
    elif isinstance(source, bytes | bytearray | memoryview):
        name = "<bytes>" if file is None else file
        raw = bytes(source)
        _check_size(len(raw), limits, name)
        text = _decode(raw, name)
    elif isinstance(source, os.PathLike):
        path = os.fspath(source)
        shown = path if isinstance(path, str) else os.fsdecode(path)
        name = shown if file is None else file
        raw = _read(path, name, limits)
        text = _decode(raw, name)
    else:
        raise InputTypeError(
            "load_yaml 需要 YAML 文本（str）、文件内容（bytes）或路径，"
            f"而不是 {type(source).__name__}",
            file=file,
            value=source,
            expected="str、bytes 或 os.PathLike",
        )
    return _parse(text, name, limits)


# --------------------------------------------------------------------------- reading


def _check_size(size: int, limits: Limits, name: str, *, exact: bool = True) -> None:
    if size > limits.max_bytes:
        raise LoadError(
            f"文件太大（超过 {limits.max_bytes} 字节的上限）",
            file=name,
            value=f"{size} 字节" if exact else f"超过 {limits.max_bytes} 字节",
            hint="如确需读取更大的文件，请传入 limits=Limits(max_bytes=...)",
        )


def open_error(name: str, exc: OSError | ValueError) -> LoadError:
    """Why the file ``name`` could not be opened or read, for people (ValueError: a NUL in
    the path). Every reader of files (YAML, JSON Lines, CSV/XLSX) says it the same way."""
    if isinstance(exc, FileNotFoundError):
        message = "找不到文件：文件不存在或路径有误"
    elif isinstance(exc, IsADirectoryError):
        message = "这是一个目录，不是文件"
    elif isinstance(exc, PermissionError):
        message = "没有读取这个文件的权限"
    else:
        detail = exc.strerror if isinstance(exc, OSError) and exc.strerror else exc
        message = f"无法读取文件（{detail}）"
    return LoadError(message, file=name, value=name)


def _read(path: str | bytes, name: str, limits: Limits) -> bytes:
    from ._fsguard import open_regular

    try:
        # Only a regular file is read (a device or FIFO could never end), its size checked
        # before reading; one byte more than allowed tells "too big" if it grew meanwhile.
        handle, size = open_regular(path, name)
        with handle:
            _check_size(size, limits, name)
            raw = handle.read(limits.max_bytes + 1)
    except LoadError:  # not a regular file, or too large: already said
        raise
    except (OSError, ValueError) as exc:  # ValueError: embedded NUL in the path
        raise open_error(name, exc) from exc
    # Only max_bytes + 1 bytes were read, so the real size is unknown.
    _check_size(len(raw), limits, name, exact=False)
    return raw


#: A UTF-16 surrogate code point: never valid alone in text (it cannot be encoded).
_SURROGATE: Final = re.compile("[\ud800-\udfff]")

_BOMS: Final = (
    # UTF-32 first: its little-endian BOM begins with UTF-16's.
    (codecs.BOM_UTF32_LE, "utf-32-le", "UTF-32"),
    (codecs.BOM_UTF32_BE, "utf-32-be", "UTF-32"),
    (codecs.BOM_UTF8, "utf-8", "UTF-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le", "UTF-16"),
    (codecs.BOM_UTF16_BE, "utf-16-be", "UTF-16"),
)


def _decode(raw: bytes, name: str) -> str:
    for bom, codec, label in _BOMS:
        if raw.startswith(bom):
            body = raw[len(bom) :]
            try:
                return body.decode(codec)
            except UnicodeDecodeError as exc:
                offset = exc.start + len(bom)
                raise LoadError(
                    f"文件以 {label} 的 BOM 开头，但第 {offset} 字节处的内容不是有效的 {label}",
                    file=name,
                    value=raw[offset : offset + 4].hex(" ").upper(),
                    hint="文件可能已损坏或被截断；请用文本编辑器另存为 UTF-8 后重试",
                ) from exc
    if _looks_binary(raw):
        raise LoadError(
            "不是文本文件（含有 NUL 等二进制字节）",
            file=name,
            expected="UTF-8 编码的 YAML 文本",
            hint="请确认选对了文件；Excel（.xlsx）等文件需要先转换。"
            "如果这是没有 BOM 的 UTF-16 文本，请另存为 UTF-8",
        )
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        bad = exc.start
    prefix = raw[:bad].decode("utf-8")  # valid up to the first bad byte by definition
    line, column = _line_col(prefix, len(prefix))
    try:
        as_gb = raw.decode("gb18030")
    except UnicodeDecodeError:
        as_gb = ""
    if re.search(_CJK, as_gb):
        raise LoadError(
            "文件不是 UTF-8 编码，看起来是 GBK/GB18030 编码（中文 Windows 常见），"
            "请用“另存为 UTF-8”保存后重试",
            file=name,
            line=line,
            column=column,
            value=raw[bad : bad + 2].hex(" ").upper(),
            expected="UTF-8 编码",
            hint="记事本：文件 › 另存为 › 编码选 UTF-8；WPS/VS Code 在右下角切换编码后保存",
        )
    raise LoadError(
        f"文件不是 UTF-8 编码：第 {bad} 字节（第 {line} 行）0x{raw[bad]:02X} 不是有效的 UTF-8",
        file=name,
        line=line,
        column=column,
        value=raw[bad : bad + 4].hex(" ").upper(),
        expected="UTF-8 编码",
        hint="请用文本编辑器把文件另存为 UTF-8 后重试",
    )


def _looks_binary(raw: bytes) -> bool:
    if b"\x00" in raw:
        return True
    controls = len(raw) - len(raw.translate(None, _CONTROL_BYTES))
    if controls == 0:
        return False
    # A stray control character in a text file gets a located error from the parser instead
    # (the count floor keeps one stray character in a short file from looking binary).
    if controls >= _BINARY_MIN_CONTROLS and controls * 100 > len(raw):
        return True
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return True
    return False


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


def _parse(text: str, name: str, limits: Limits) -> Document:
    bad = _NON_PRINTABLE.search(text)
    if bad is not None:
        line, column = _line_col(text, bad.start())
        char = bad.group()
        if char == "\x00":
            raise LoadError("不是文本文件（含有 NUL 字符）", file=name, line=line, column=column)
        raise LoadError(
            f"文件里有不允许的字符 U+{ord(char):04X}（控制字符或无效字符）",
            file=name,
            line=line,
            column=column,
            value=repr(char),
            hint="请删除这个字符；如果整个文件都是乱码，它可能不是文本文件",
        )
    fast = _parse_fast(text, name, limits)
    return fast if fast is not None else _parse_pure(text, name, limits)


def _parse_pure(text: str, name: str, limits: Limits) -> Document:
    """Read ``text`` (already checked for non-printable characters) with :class:`_StrictLoader`.

    This path defines what a file means and how every error is worded; :func:`_parse_fast`
    only takes a shortcut to the same Document.
    """
    try:
        loader = _StrictLoader(text, file=name, limits=limits)
        try:
            root = _compose_single(loader, name)
            positions: dict[JsonPath, Position] = {}
            key_positions: dict[JsonPath, Position] = {}
            data = _Builder(name, loader.explicit_str, positions, key_positions).build(root)
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as exc:
        raise _syntax_error(exc, name, text) from exc
    except yaml.YAMLError as exc:
        raise LoadError(f"YAML 读取失败（{exc}）", file=name) from exc
    except RecursionError as exc:
        raise LoadError("嵌套太深，无法读取", file=name) from exc
    except MemoryError as exc:
        raise LoadError("文件太大，内存不足，无法读取", file=name) from exc
    return Document(
        data=data, file=name, positions=positions, key_positions=key_positions, text=text
    )


# --------------------------------------------------------------------------- fast path
#
# PyYAML's pure-Python scanner and parser are most of the time it takes to load a file (about
# 20 ms for the shipped template, against 1 ms for libyaml's). libyaml's parser reads the same
# YAML into the same events, so a clean document is read with it and composed here, under the
# same rules as _StrictLoader. Anything else (a syntax error, an anchor, a tag, a limit, a
# duplicate key, an empty file, ...) leaves the decision to the pure-Python path above, which
# is what defines the result and words the error: the fast path only ever returns a Document
# the pure-Python path would have returned too, identical down to the positions.
#
# Where the two parsers are known to (or might) read the same text differently, the text does
# not take the fast path (_SLOW_ONLY): tabs (libyaml also skips them as separators where
# PyYAML refuses them), byte-order marks after the start (PyYAML reads them as text), line
# breaks other than \n and \r\n (NEL, LS, PS, a lone \r), directives (``%`` at the start of
# a line), ``|#`` and ``>#`` (libyaml takes a comment right after a block scalar's indicator)
# and ``?`` (libyaml takes it inside plain scalars in flow collections, and places the missing
# value of an explicit ``? key`` elsewhere). An empty value in a flow collection (``{a: }``)
# is placed differently too, so it defers. Nesting deeper than _FAST_MAX_DEPTH takes the
# pure-Python path, so its recursion limit keeps deciding about very deep documents. A
# differential test (about a million generated and mutated documents through both parsers)
# found no other difference; tests/test_coldstart.py runs a small one.

_SLOW_ONLY: Final = re.compile(
    "[\t\ufeff\x85\u2028\u2029?]|\r(?!\n)|^%|[|>][-+0-9]*#", re.MULTILINE
)
_FAST_MAX_DEPTH: Final = 50


class _Defer(Exception):
    """The fast path leaves this text to the pure-Python path."""


def _parse_fast(text: str, name: str, limits: Limits) -> Document | None:
    """What :func:`_parse` returns for ``text``, read with libyaml; None to read it without."""
    if _CParser is None or _SLOW_ONLY.search(text) is not None:
        return None
    positions: dict[JsonPath, Position] = {}
    key_positions: dict[JsonPath, Position] = {}
    try:
        composer = _FastComposer(text, limits)
        root = composer.document()
        data = _Builder(name, composer.explicit_str, positions, key_positions).build(root)
    except Exception:  # any problem at all is for the pure-Python path to find and word
        return None
    return Document(
        data=data, file=name, positions=positions, key_positions=key_positions, text=text
    )


class _FastComposer:
    """The node tree of a clean document, from libyaml's events (see _StrictLoader).

    Raises _Defer wherever _StrictLoader would refuse the document or the two could differ.
    The nodes' tags are not set (the builder reads values, styles and marks only); libyaml's
    marks have the same 0-based line and column as PyYAML's.
    """

    def __init__(self, text: str, limits: Limits) -> None:
        assert _CParser is not None
        # Events are typed Any: libyaml's carry its own Mark class, which the stubs keep apart.
        self.next_event: Callable[[], Any] = _CParser(text).get_event
        self.max_depth = min(limits.max_depth, _FAST_MAX_DEPTH)
        self.max_nodes = limits.max_nodes
        self.node_count = 0
        self.explicit_str: set[int] = set()

    def document(self) -> Node:
        next_event = self.next_event
        if type(next_event()) is not StreamStartEvent:
            raise _Defer
        if type(next_event()) is not DocumentStartEvent:
            raise _Defer  # an empty stream
        root = self.node(next_event(), 0, flow=False)
        if type(next_event()) is not DocumentEndEvent or type(next_event()) is not StreamEndEvent:
            raise _Defer  # a second document
        if (
            isinstance(root, ScalarNode)
            and root.style is None
            and root.value == ""
            and id(root) not in self.explicit_str
        ):
            raise _Defer  # an empty document
        return root

    def node(self, event: Any, depth: int, *, flow: bool) -> Node:
        self.node_count += 1
        if self.node_count > self.max_nodes:
            raise _Defer
        kind = type(event)
        if kind is ScalarEvent:
            if event.anchor is not None:
                raise _Defer
            if flow and not event.value and not event.style:
                raise _Defer  # libyaml places an empty value in a flow collection elsewhere
            # libyaml's style for a plain scalar is "", PyYAML's None.
            node = ScalarNode("", event.value, event.start_mark, style=event.style or None)
            if event.tag is not None:
                if event.tag != _STR_TAG:
                    raise _Defer
                self.explicit_str.add(id(node))
            return node
        if kind is not MappingStartEvent and kind is not SequenceStartEvent:
            raise _Defer  # an alias, or no node at all
        if event.anchor is not None or event.tag is not None or depth >= self.max_depth:
            raise _Defer
        depth += 1
        inner = bool(event.flow_style)
        next_event = self.next_event
        child = next_event()
        if kind is SequenceStartEvent:
            items: list[Node] = []
            while type(child) is not SequenceEndEvent:
                items.append(self.node(child, depth, flow=inner))
                child = next_event()
            return SequenceNode("", items, event.start_mark)
        pairs: list[tuple[Node, Node]] = []
        while type(child) is not MappingEndEvent:
            key = self.node(child, depth, flow=inner)
            pairs.append((key, self.node(next_event(), depth, flow=inner)))
            child = next_event()
        return MappingNode("", pairs, event.start_mark)


def _compose_single(loader: _StrictLoader, name: str) -> Node:
    loader.get_event()  # type: ignore[no-untyped-call]  # StreamStartEvent
    if loader.check_event(StreamEndEvent):
        raise LoadError(
            "空文件：文件里没有任何内容（或只有注释）",
            file=name,
        )
    root = loader.compose_document()
    if not loader.check_event(StreamEndEvent):
        event = loader.peek_event()  # type: ignore[no-untyped-call]
        mark = event.start_mark
        where = "“---”" if isinstance(event, DocumentStartEvent) else "这里"
        raise LoadError(
            f"一个文件只能有一个 YAML 文档，但第 {mark.line + 1} 行的{where}开始了第二个文档",
            file=name,
            line=mark.line + 1,
            column=mark.column + 1,
            hint="请删除多余的“---”，或把各个文档分成不同的文件",
        )
    if root is None or (
        isinstance(root, ScalarNode)
        and root.style is None
        and root.value == ""
        and id(root) not in loader.explicit_str
    ):
        mark = root.start_mark if root is not None else None
        raise LoadError(
            "空文件：文档里没有任何内容",
            file=name,
            line=None if mark is None else mark.line + 1,
            column=None if mark is None else mark.column + 1,
        )
    return root


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
