"""The result of evaluating a form: an immutable tree mirroring the indicator tree.

Every leaf says which rule and which line of it fired, the numbers, the score before and after
rounding, a status, flags and one Chinese sentence with the arithmetic. ``to_dict()`` gives the
JSON shape documented by ``schemas/result.schema.json``; ``to_json()`` is byte-identical for
identical input.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from decimal import Decimal
from typing import Any, Protocol

import attrs

from ..text.lazy import Text, text

__all__ = [
    "STATUSES",
    "Evaluation",
    "Finding",
    "GroupResult",
    "LeafResult",
    "NodeResult",
]

#: Leaf statuses, in the words published forms use.
STATUSES = ("达成", "部分达成", "未达成", "不适用", "缺失")


@attrs.frozen
class Finding:
    """Something a reviewer should look at: stable ``code``, ``severity``, Chinese ``message``."""

    code: str
    severity: str  # "error" | "warning" | "info"
    message: str
    path: tuple[str, ...] = ()
    values: tuple[tuple[str, str], ...] = ()
    file: str | None = None
    line: int | None = None
    row: int | None = None

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "code": self.code,
            "severity": self.severity,
            "message": self.message,
            "path": list(self.path),
        }
        if self.values:
            data["values"] = dict(self.values)
        for key in ("file", "line", "row"):
            value = getattr(self, key)
            if value is not None:
                data[key] = value
        return data


@attrs.frozen
class LeafResult:
    """One scored third-level indicator."""

    path: tuple[str, ...]
    name: str
    weight: Decimal
    effective_weight: Decimal
    rule_name: str
    rule_kind: str
    line: str
    raw_score: Decimal
    score: Decimal
    status: str
    # The sentence and the canonical texts may be given as lazy Text (rendered when first
    # read, see perfscore.text.lazy); the properties below always return plain strings.
    _explanation: str | Text = attrs.field(alias="explanation")
    target_text: str | None = None
    _target_canonical: str | Text | None = attrs.field(default=None, alias="target_canonical")
    actual_text: str | None = None
    _actual_canonical: str | Text | None = attrs.field(default=None, alias="actual_canonical")
    ratio: Decimal | None = None
    tier: str | None = None
    flags: tuple[str, ...] = ()
    reported: Decimal | None = None
    note: str | None = None

    @property
    def explanation(self) -> str:
        """One Chinese sentence: which rule line fired, the arithmetic and the rounding."""
        return str(self._explanation)

    @property
    def target_canonical(self) -> str | None:
        """The target as perfscore understood it (canonical spelling), or None."""
        return text(self._target_canonical)

    @property
    def actual_canonical(self) -> str | None:
        """The actual as perfscore understood it, in the target's unit, or None."""
        return text(self._actual_canonical)

    @property
    def is_leaf(self) -> bool:
        return True

    def leaves(self) -> Iterator[LeafResult]:
        yield self


@attrs.frozen
class GroupResult:
    """A first- or second-level indicator: its subtotal is the sum of its children."""

    path: tuple[str, ...]
    name: str
    weight: Decimal
    score: Decimal
    children: tuple[NodeResult, ...]
    reported: Decimal | None = None

    @property
    def is_leaf(self) -> bool:
        return False

    def leaves(self) -> Iterator[LeafResult]:
        for child in self.children:
            yield from child.leaves()


NodeResult = LeafResult | GroupResult


class ResultSource(Protocol):
    """Where an :class:`Evaluation` made by the engine takes its items from when first read."""

    def items(self) -> tuple[NodeResult, ...]: ...

    def json_line(self, evaluation: Evaluation) -> str: ...


_FIELDS = (
    "template_id",
    "template_name",
    "template_version",
    "total_weight",
    "total",
    "raw_total",
    "grade",
    "places",
    "items",
    "findings",
    "unit",
    "year",
    "file",
    "reported_total",
    "digest",
    "not_applicable_weight",
)


class Evaluation:
    """The whole result: items, total, grade, and what it was computed from.

    Frozen (no attribute can be reassigned), compared, hashed and pickled by these fields. An
    evaluation made by :func:`perfscore.evaluate` holds the engine's compact per-form storage;
    its ``items`` (the :class:`LeafResult` / :class:`GroupResult` tree) are built when first
    read, then kept. ``to_json(indent=None)`` writes from that storage directly.
    """

    __slots__ = (*(f"_{name}" for name in _FIELDS), "_source", "__weakref__")
    _template_id: str
    _template_name: str
    _template_version: str | None
    _total_weight: Decimal
    _total: Decimal
    _raw_total: Decimal
    _grade: str
    _places: int
    _items: tuple[NodeResult, ...] | None
    _findings: tuple[Finding, ...]
    _unit: str | None
    _year: str | None
    _file: str | None
    _reported_total: Decimal | None
    _digest: str | Text
    _not_applicable_weight: Decimal
    _source: ResultSource | None

    def __init__(
        self,
        template_id: str,
        template_name: str,
        template_version: str | None,
        total_weight: Decimal,
        total: Decimal,
        raw_total: Decimal,
        grade: str,
        places: int,
        items: tuple[NodeResult, ...] | None = None,
        findings: tuple[Finding, ...] = (),
        unit: str | None = None,
        year: str | None = None,
        file: str | None = None,
        reported_total: Decimal | None = None,
        digest: str | Text = "",
        not_applicable_weight: Decimal = Decimal(0),
        *,
        source: ResultSource | None = None,
    ) -> None:
        if items is None and source is None:
            items = ()
        init = object.__setattr__
        init(self, "_template_id", template_id)
        init(self, "_template_name", template_name)
        init(self, "_template_version", template_version)
        init(self, "_total_weight", total_weight)
        init(self, "_total", total)
        init(self, "_raw_total", raw_total)
        init(self, "_grade", grade)
        init(self, "_places", places)
        init(self, "_items", items)
        init(self, "_findings", findings)
        init(self, "_unit", unit)
        init(self, "_year", year)
        init(self, "_file", file)
        init(self, "_reported_total", reported_total)
        init(self, "_digest", digest)
        init(self, "_not_applicable_weight", not_applicable_weight)
        init(self, "_source", source)

    @property
    def template_id(self) -> str:
        return self._template_id

    @property
    def template_name(self) -> str:
        return self._template_name

    @property
    def template_version(self) -> str | None:
        return self._template_version

    @property
    def total_weight(self) -> Decimal:
        return self._total_weight

    @property
    def total(self) -> Decimal:
        return self._total

    @property
    def raw_total(self) -> Decimal:
        return self._raw_total

    @property
    def grade(self) -> str:
        return self._grade

    @property
    def places(self) -> int:
        return self._places

    @property
    def findings(self) -> tuple[Finding, ...]:
        return self._findings

    @property
    def unit(self) -> str | None:
        return self._unit

    @property
    def year(self) -> str | None:
        return self._year

    @property
    def file(self) -> str | None:
        return self._file

    @property
    def reported_total(self) -> Decimal | None:
        return self._reported_total

    @property
    def digest(self) -> str:
        value = self._digest
        if type(value) is not str:  # the form's deferred hash (a Text): worked out now
            value = str(value)
            object.__setattr__(self, "_digest", value)
        return value

    @property
    def not_applicable_weight(self) -> Decimal:
        return self._not_applicable_weight

    @property
    def items(self) -> tuple[NodeResult, ...]:
        """The top-level results (一级指标), each with its subtree."""
        items = self._items
        if items is None:
            assert self._source is not None
            items = self._source.items()
            object.__setattr__(self, "_items", items)
        return items

    def __setattr__(self, name: str, value: Any) -> None:
        raise attrs.exceptions.FrozenInstanceError()

    def __delattr__(self, name: str) -> None:
        raise attrs.exceptions.FrozenInstanceError()

    def _fields(self) -> tuple[Any, ...]:
        return tuple(getattr(self, name) for name in _FIELDS)

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        assert isinstance(other, Evaluation)
        return self._fields() == other._fields()

    def __hash__(self) -> int:
        return hash(self._fields())

    def __repr__(self) -> str:
        inner = ", ".join(f"{name}={getattr(self, name)!r}" for name in _FIELDS)
        return f"Evaluation({inner})"

    def __reduce__(self) -> tuple[Any, ...]:
        return (Evaluation, self._fields())  # pickled with its items built

    def leaves(self) -> Iterator[LeafResult]:
        """Every leaf result, in display order."""
        for item in self.items:
            yield from item.leaves()

    def groups(self) -> Iterator[GroupResult]:
        """Every group result, depth first."""
        stack = list(reversed(self.items))
        while stack:
            node = stack.pop()
            if isinstance(node, GroupResult):
                yield node
                stack.extend(reversed(node.children))

    def find(self, name_or_path: str | tuple[str, ...]) -> NodeResult:
        """The node with this name (or full path); KeyError with a close match otherwise.

        Like a mapping, an unknown name raises ``KeyError``; a name that is neither a ``str``
        nor a tuple of ``str`` raises :class:`~perfscore.errors.InputTypeError`.
        """
        if not isinstance(name_or_path, str) and not (
            isinstance(name_or_path, tuple) and all(isinstance(p, str) for p in name_or_path)
        ):
            from ..errors import InputTypeError

            raise InputTypeError(
                f"find 需要指标名称（str）或路径（str 的元组），而不是 {type(name_or_path).__name__}",
                value=repr(name_or_path)[:80],
                expected='如 "群众满意度" 或 ("满意度指标", "服务对象满意度指标", "群众满意度")',
            )
        nodes: list[NodeResult] = [*self.groups(), *self.leaves()]
        if isinstance(name_or_path, tuple):
            for node in nodes:
                if node.path == name_or_path:
                    return node
            from ..errors import format_path

            raise KeyError(f"没有路径为“{format_path(name_or_path)}”的指标")
        hits = [n for n in nodes if n.name == name_or_path]
        if len(hits) == 1:
            return hits[0]
        if hits:
            raise KeyError(f"“{name_or_path}”有 {len(hits)} 个同名指标，请给出完整路径")
        import difflib

        close = difflib.get_close_matches(name_or_path, [n.name for n in nodes], n=1)
        hint = f"，您是不是要找“{close[0]}”？" if close else ""
        raise KeyError(f"没有名为“{name_or_path}”的指标{hint}")

    # ------------------------------------------------------------ serialisation

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape of ``schemas/result.schema.json`` (numbers as ``Decimal``)."""
        return {
            "template": {
                "id": self.template_id,
                "name": self.template_name,
                "version": self.template_version,
            },
            "form": {"unit": self.unit, "year": self.year, "file": self.file},
            "digest": self.digest,
            "weight": self.total_weight,
            "total": self.total,
            "raw_total": self.raw_total,
            "grade": self.grade,
            "reported_total": self.reported_total,
            "not_applicable_weight": self.not_applicable_weight,
            "places": self.places,
            "items": [_node_dict(n, self.places) for n in self.items],
            "findings": [f.to_dict() for f in self.findings],
        }

    def to_json(self, *, indent: int | None = 2) -> str:
        """Stable JSON: fixed key order, Decimals written exactly, no float ever involved.

        ``indent=None`` gives one line (JSON Lines), written directly: the same bytes
        ``json.dumps(..., indent=None)`` would give, several times faster (batches write
        thousands of them).
        """
        if indent is None:
            source = self._source
            if source is not None and self._items is None:
                return source.json_line(self) + "\n"  # from the compact storage
            return _evaluation_line(self) + "\n"
        return _dumps(self.to_dict(), indent=indent) + "\n"


def _node_dict(node: NodeResult, places: int) -> dict[str, Any]:
    if isinstance(node, GroupResult):
        return {
            "path": list(node.path),
            "name": node.name,
            "weight": node.weight,
            "score": node.score,
            "reported": node.reported,
            "children": [_node_dict(c, places) for c in node.children],
        }
    return {
        "path": list(node.path),
        "name": node.name,
        "weight": node.weight,
        "effective_weight": node.effective_weight,
        "target": {"text": node.target_text, "parsed": node.target_canonical},
        "actual": {"text": node.actual_text, "parsed": node.actual_canonical},
        "rule": {"name": node.rule_name, "kind": node.rule_kind},
        "line": node.line,
        "ratio": node.ratio,
        "raw_score": node.raw_score,
        "score": node.score,
        "status": node.status,
        "tier": node.tier,
        "flags": list(node.flags),
        "reported": node.reported,
        "note": node.note,
        "explanation": node.explanation,
    }


class _DecimalText(str):
    """A marker for Decimal text that must be written as a bare JSON number."""


def _prepare(obj: Any) -> Any:
    if isinstance(obj, Decimal):
        return _DecimalText(_decimal_json(obj))
    if isinstance(obj, dict):
        return {k: _prepare(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_prepare(v) for v in obj]
    return obj


def _decimal_json(value: Decimal) -> str:
    # str() is format "f"'s text unless it shows an exponent (or is not a number), and it is
    # the exact value: short ones (scores, weights) recur and are kept by it
    text = str(value)
    short = len(text) <= 8
    if short:
        found = _JSON_NUMBERS.get(text)
        if found is not None:
            return found
    exponent = "E" in text or "e" in text or not value.is_finite()
    found = f"{value:f}" if exponent else text
    if "." in found:
        found = found.rstrip("0").rstrip(".")
    if found in ("-0", ""):
        found = "0"
    if short and len(_JSON_NUMBERS) < 4096:  # bounded; long values rarely recur
        _JSON_NUMBERS[text] = found
    return found


_JSON_NUMBERS: dict[str, str] = {}


def _dumps(obj: Any, *, indent: int | None) -> str:
    # json cannot write Decimal as a number; encode markers as strings, then unquote them.
    marker = "\u0000D:"

    def encode(o: Any) -> Any:
        if isinstance(o, _DecimalText):
            return marker + str(o)
        if isinstance(o, dict):
            return {k: encode(v) for k, v in o.items()}
        if isinstance(o, list):
            return [encode(v) for v in o]
        return o

    return _unquote(json.dumps(encode(_prepare(obj)), ensure_ascii=False, indent=indent))


def _unquote(text: str) -> str:
    import re

    return re.sub(r'"\\u0000D:(-?[0-9.]+)"', r"\1", text)


# ------------------------------------------------------------------ one-line JSON, directly
# The shape of to_dict(), written without building it: tests compare the two byte for byte.

_string = json.encoder.encode_basestring  # the C encoder json.dumps(ensure_ascii=False) uses


def _str(value: str | None) -> str:
    return "null" if value is None else _string(value)


def _num(value: Decimal | None) -> str:
    return "null" if value is None else _decimal_json(value)


def _strs(values: tuple[str, ...] | list[str]) -> str:
    return "[" + ", ".join(map(_string, values)) + "]"


def _evaluation_line(e: Evaluation) -> str:
    items = ", ".join(_node_line(n) for n in e.items)
    findings = ", ".join(json.dumps(f.to_dict(), ensure_ascii=False) for f in e.findings)
    return (
        f'{{"template": {{"id": {_str(e.template_id)}, "name": {_str(e.template_name)}, '
        f'"version": {_str(e.template_version)}}}, '
        f'"form": {{"unit": {_str(e.unit)}, "year": {_str(e.year)}, "file": {_str(e.file)}}}, '
        f'"digest": {_str(e.digest)}, "weight": {_num(e.total_weight)}, '
        f'"total": {_num(e.total)}, "raw_total": {_num(e.raw_total)}, '
        f'"grade": {_str(e.grade)}, "reported_total": {_num(e.reported_total)}, '
        f'"not_applicable_weight": {_num(e.not_applicable_weight)}, "places": {e.places}, '
        f'"items": [{items}], "findings": [{findings}]}}'
    )


_HEADS: dict[tuple[tuple[str, ...], str, Decimal, Decimal], str] = {}


def _leaf_head(path: tuple[str, ...], name: str, weight: Decimal, effective: Decimal) -> str:
    """The start of a leaf's line, the same for that indicator in every form of a batch."""
    key = (path, name, weight, effective)
    head = _HEADS.get(key)
    if head is None:
        head = (
            f'{{"path": {_strs(path)}, "name": {_str(name)}, '
            f'"weight": {_num(weight)}, "effective_weight": {_num(effective)}, '
        )
        if len(_HEADS) < 8192:  # bounded; when full keep what is there
            _HEADS[key] = head
    return head


def _node_line(node: NodeResult) -> str:
    if isinstance(node, GroupResult):
        children = ", ".join(_node_line(c) for c in node.children)
        return (
            f'{{"path": {_strs(node.path)}, "name": {_str(node.name)}, '
            f'"weight": {_num(node.weight)}, "score": {_num(node.score)}, '
            f'"reported": {_num(node.reported)}, "children": [{children}]}}'
        )
    return (
        f"{_leaf_head(node.path, node.name, node.weight, node.effective_weight)}"
        f'"target": {{"text": {_str(node.target_text)}, "parsed": {_str(node.target_canonical)}}}, '
        f'"actual": {{"text": {_str(node.actual_text)}, "parsed": {_str(node.actual_canonical)}}}, '
        f'"rule": {{"name": {_str(node.rule_name)}, "kind": {_str(node.rule_kind)}}}, '
        f'"line": {_str(node.line)}, "ratio": {_num(node.ratio)}, '
        f'"raw_score": {_num(node.raw_score)}, "score": {_num(node.score)}, '
        f'"status": {_str(node.status)}, "tier": {_str(node.tier)}, '
        f'"flags": {_strs(node.flags)}, "reported": {_num(node.reported)}, '
        f'"note": {_str(node.note)}, "explanation": {_str(node.explanation)}}}'
    )
