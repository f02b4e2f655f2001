"""The libyaml fast path of strict YAML loading, used when its result is certain to be the pure-
Python one.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Final

from yaml.events import (
    DocumentEndEvent,
    DocumentStartEvent,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
    StreamEndEvent,
    StreamStartEvent,
)
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from ..errors import LoadError
from .yaml_build import _Builder
from .yaml_document import _STR_TAG, Document

if TYPE_CHECKING:
    from .yaml_build import _StrictLoader
    from .yaml_document import JsonPath, Limits, Position

try:  # libyaml's parser, when PyYAML was built with it (the wheels are)
    from yaml._yaml import CParser as _CParser
except ImportError:  # pragma: no cover - a PyYAML without libyaml: the pure-Python path only
    _CParser = None  # type: ignore[misc, assignment]

__all__ = []

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
