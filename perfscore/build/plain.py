"""Binding a plain form's ``indicators`` against what its template fixes, compiled once.

Most forms name every indicator as the template does and write, per leaf, text targets and
actuals (and, where the template leaves them open, weights, reported scores and notes). For
those, the template already decides everything but the values: each leaf's path, rule, weight,
fixed target, position in the tree. :func:`bind_plain` compiles that once per template
(:class:`_Spec`) and then reads only what the form supplies, making the light records of
:class:`~perfscore.build.model.BoundTree` (the form's plan as is; the attrs tree is made when
``Form.nodes`` is read).

It answers ``None`` for anything else: an alias or an unknown name, another field, a value
that does not read, a weight that does not add up. The general binder then reads the form and
reports what is wrong. A non-None answer is what the general binder builds, and it also
implies what :func:`~perfscore.read.quickcheck.plainly_valid_form` checks for ``indicators``
(the caller may skip that part of the check). ``tests/property/test_fast_paths.py`` compares
both paths.
"""

from __future__ import annotations

import weakref
from decimal import Decimal
from typing import Any, Final

from ..engine.plan import GroupSpan
from ..errors import PerfscoreError
from ..read.quickcheck import plain_pattern
from ..read.reader import Reader
from ..read.schema import LEAF_FIELDS
from ..read.yaml_document import JsonPath
from ..text.quantity import Actual
from ..text.target import Target
from .form import _plain_number
from .model import BoundLeaf, BoundTree, Position, Rule, Template, TemplateNode
from .template import _CACHE_SIZE, _parse_actual, _parse_target, _pos, _unplaced

__all__ = ["bind_plain"]

ZERO: Final = Decimal(0)
# Fields a plain entry may have (as _Binder.plain_leaf); with none but ``name`` the schema reads
# the entry as a group of indicators, which the general path decides.
_FIELDS: Final = frozenset({"name", "target", "actual", "weight", "reported", "note"})
_MARKERS: Final = frozenset(LEAF_FIELDS) - {"name"}
_ABSENT: Final[dict[str, Any]] = {}


class _NotPlain(Exception):
    """Raised deep in the walk: the general binder reads this form."""


class _Leaf:
    """What the template fixes about one leaf."""

    __slots__ = ("actual_from", "at", "name", "path", "rule", "target", "target_text", "weight")

    def __init__(self, t: TemplateNode, at: JsonPath) -> None:
        self.name = t.name
        self.path = t.path
        self.at = at
        self.weight = t.weight
        self.rule = t.rule
        self.target = t.target
        self.target_text = None if t.target is None else str(t.target)
        self.actual_from = t.actual_from


class _Group:
    """What the template fixes about one group: its children and their canonical names."""

    __slots__ = ("at", "children", "name", "names", "open", "path", "weight")

    def __init__(self, t: TemplateNode, at: JsonPath, children: tuple[_Leaf | _Group, ...]):
        self.name = t.name
        self.path = t.path
        self.at = at
        self.weight = t.weight
        self.open = t.open
        self.children = children
        self.names = frozenset(c.name for c in children)


class _Spec:
    """A template compiled for plain forms."""

    __slots__ = ("defaults", "names", "nodes", "total")

    def __init__(self, template: Template) -> None:
        self.total = template.total
        self.nodes = _compile(template.nodes, ("indicators",))
        self.names = frozenset(n.name for n in self.nodes)
        #: target op → the template's default rule for it
        self.defaults: dict[str, Rule] = {}
        for op, name in template.defaults.items():
            rule = template.rules.get(name)
            if rule is not None:
                self.defaults[op] = rule


def _compile(nodes: tuple[TemplateNode, ...], at: JsonPath) -> tuple[_Leaf | _Group, ...]:
    out: list[_Leaf | _Group] = []
    for t in nodes:
        here = (*at, t.name)
        if t.is_leaf:
            out.append(_Leaf(t, here))
        else:
            out.append(_Group(t, here, _compile(t.children, here)))
    return tuple(out)


def _plain_template(template: Template) -> bool:
    # A group child named like a leaf field would make the schema read the group as a leaf.
    return all(not (_MARKERS & set(n.name for n in t.children)) for t in template.walk())


_SPECS: weakref.WeakKeyDictionary[Template, _Spec | None] = weakref.WeakKeyDictionary()


def _spec(template: Template) -> _Spec | None:
    try:
        return _SPECS[template]
    except KeyError:
        spec = _Spec(template) if _plain_template(template) else None
        _SPECS[template] = spec
        return spec


def bind_plain(template: Template, indicators: Any, r: Reader) -> BoundTree | None:
    """The plain form's tree, or ``None`` when the general binder must read it."""
    spec = _spec(template)
    if spec is None or type(indicators) is not dict or not indicators.keys() <= spec.names:
        return None
    unplaced = _unplaced(r.doc.file) if not r.doc.positions else None
    leaves: list[BoundLeaf] = []
    spots: list[Position] = []
    try:
        shape, top = _walk(spec, spec.nodes, indicators, leaves, spots, r, unplaced)
    except _NotPlain:
        return None
    if shape and top != spec.total:
        return None
    return BoundTree(tuple(leaves), shape, unplaced if unplaced is not None else tuple(spots))


def _walk(
    spec: _Spec,
    nodes: tuple[_Leaf | _Group, ...],
    raw: dict[str, Any],
    leaves: list[BoundLeaf],
    spots: list[Position],
    r: Reader,
    unplaced: Position | None,
) -> tuple[tuple[GroupSpan | int, ...], Decimal]:
    shape: list[GroupSpan | int] = []
    total = ZERO
    for node in nodes:
        value = raw.get(node.name)
        if value is None and node.name in raw:
            raise _NotPlain  # a null where the schema wants a mapping (or a list)
        if isinstance(node, _Leaf):
            leaf = _leaf(spec, node, _ABSENT if value is None else value, r, unplaced)
            shape.append(len(leaves))
            leaves.append(leaf)
            total += leaf.weight
            continue
        start = len(leaves)
        if unplaced is None:
            spots.append(_pos(r, node.at))  # pre-order, as BoundTree.nodes reads them
        if node.open:
            children, got = _open(spec, node, value, leaves, r, unplaced)
        elif value is None:
            children, got = _walk(spec, node.children, _ABSENT, leaves, spots, r, unplaced)
        elif type(value) is dict and value.keys() <= node.names:
            children, got = _walk(spec, node.children, value, leaves, spots, r, unplaced)
        else:
            raise _NotPlain
        if node.weight is not None:
            if got != node.weight:
                raise _NotPlain  # the general path says which sum is off
            got = node.weight
        shape.append(GroupSpan(node.name, node.path, got, None, start, len(leaves), children))
        total += got
    return tuple(shape), total


def _open(
    spec: _Spec,
    node: _Group,
    value: Any,
    leaves: list[BoundLeaf],
    r: Reader,
    unplaced: Position | None,
) -> tuple[tuple[GroupSpan | int, ...], Decimal]:
    if value is None:
        return (), ZERO
    if type(value) is not list:
        raise _NotPlain
    shape: list[GroupSpan | int] = []
    seen: set[str] = set()
    total = ZERO
    for i, entry in enumerate(value):
        if type(entry) is not dict:
            raise _NotPlain
        name = entry.get("name")
        if type(name) is not str or not name or name in seen:
            raise _NotPlain
        seen.add(name)
        leaf = _entry(spec, entry, name, (*node.path, name), None, (*node.at, i), r, unplaced)
        shape.append(len(leaves))
        leaves.append(leaf)
        total += leaf.weight
    return tuple(shape), total


def _leaf(spec: _Spec, node: _Leaf, entry: Any, r: Reader, unplaced: Position | None) -> BoundLeaf:
    if type(entry) is not dict:
        raise _NotPlain
    if entry:
        name = entry.get("name")
        if name is not None and (type(name) is not str or not name):
            raise _NotPlain
    return _entry(spec, entry, node.name, node.path, node, node.at, r, unplaced)


def _entry(
    spec: _Spec,
    e: dict[str, Any],
    name: str,
    path: tuple[str, ...],
    node: _Leaf | None,
    at: JsonPath,
    r: Reader,
    unplaced: Position | None,
) -> BoundLeaf:
    if e:
        keys = e.keys()
        if not keys <= _FIELDS or _MARKERS.isdisjoint(keys):
            raise _NotPlain
    raw_weight = e.get("weight")
    if node is not None and node.weight is not None:
        if raw_weight is not None or "weight" in e:
            raise _NotPlain  # the general path compares a stated weight with the template's
        weight = node.weight
    else:
        weight = _number(raw_weight, _WEIGHTS, "number")
    raw_target = e.get("target")
    target: Target | None
    if node is not None and node.target is not None:
        if raw_target is not None or "target" in e:
            raise _NotPlain  # the template fixes it: the general path says so
        target, target_text = node.target, node.target_text
    elif type(raw_target) is str:
        try:
            target = _parse_target(raw_target)
        except PerfscoreError:
            raise _NotPlain from None
        target_text = raw_target
    elif raw_target is None and "target" not in e and node is not None and node.rule is not None:
        target = target_text = None  # a template rule that needs no target (执行率)
    else:
        raise _NotPlain
    raw_actual = e.get("actual")
    actual: Actual | None = None
    if type(raw_actual) is str:
        try:
            actual = _parse_actual(raw_actual, target)
        except PerfscoreError:
            raise _NotPlain from None
        if target is not None and "unreadable" in actual.flags and target.is_quantitative:
            raise _NotPlain  # the general path says where the number goes wrong
    elif raw_actual is not None:
        raise _NotPlain
    rule = node.rule if node is not None else None
    if rule is None:
        rule = spec.defaults.get(target.op) if target is not None else None
        if rule is None:
            raise _NotPlain
    raw_reported = e.get("reported")
    reported = None if raw_reported is None else _number(raw_reported, _REPORTED, "reported")
    note = e.get("note")
    if note is not None and type(note) is not str:
        raise _NotPlain
    return BoundLeaf(
        name,
        path,
        weight,
        rule,
        target,
        target_text,
        actual,
        raw_actual,
        node.actual_from if node is not None else None,
        reported,
        note,
        unplaced if unplaced is not None else _pos(r, at),
    )


# Weights and reported scores as written (their schema pattern passed, read as a nonnegative
# Decimal), shared like parsed targets: bounded, and failures are not kept.
_WEIGHTS: dict[str, Decimal] = {}
_REPORTED: dict[str, Decimal] = {}


def _number(raw: Any, cache: dict[str, Decimal], pattern: str) -> Decimal:
    if type(raw) is not str:
        raise _NotPlain
    found = cache.get(raw)
    if found is None:
        if plain_pattern(pattern)(raw) is None:
            raise _NotPlain
        found = _plain_number(raw)
        if found is None:
            raise _NotPlain
        if len(cache) < _CACHE_SIZE:
            cache[raw] = found
    return found
