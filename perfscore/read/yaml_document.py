"""What strict YAML loading gives: a Document (plain data with the position of every value and
key), the size limits, and the words YAML must not guess.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any, Final, Protocol

import attrs

from ..errors import InputTypeError

__all__ = ["DEFAULT_LIMITS", "Document", "JsonPath", "Limits", "Position"]

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
