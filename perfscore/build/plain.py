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
from collections.abc import Mapping
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
# Fields a plain entry may have; with none but ``name`` the schema reads the entry as a group
# of indicators, which the general path decides. The monitoring fields (progress …) go there.
_FIELDS: Final = frozenset(
    {
        "name",
        "target",
        "actual",
        "weight",
        "reported",
        "note",
        "rule",
        "tier",
        "score",
        "applicable",
    }
)
_MARKERS: Final = frozenset(LEAF_FIELDS) - {"name"}
_RARE: Final = frozenset({"score", "tier", "applicable"})
_ABSENT: Final[dict[str, Any]] = {}


class _NotPlain(Exception):
    """Raised deep in the walk: the general binder reads this form."""


class _Leaf:
    """What the template fixes about one leaf."""

    __slots__ = ("actual_from", "name", "path", "rule", "target", "target_text", "weight")

    def __init__(self, t: TemplateNode) -> None:
        self.name = t.name
        self.path = t.path
        self.weight = t.weight
        self.rule = t.rule
        self.target = t.target
        self.target_text = None if t.target is None else str(t.target)
        self.actual_from = t.actual_from


class _Level:
    """One level of the tree: its nodes, the names written as is, and every name or alias
    with the node it stands for (as the general binder resolves them)."""

    __slots__ = ("aliases", "names", "nodes")

    def __init__(self, tnodes: tuple[TemplateNode, ...]) -> None:
        self.nodes = tuple(_Leaf(t) if t.is_leaf else _Group(t) for t in tnodes)
        self.aliases = {alias: t.name for t in tnodes for alias in (t.name, *t.aliases)}
        self.names = frozenset(k for k, v in self.aliases.items() if k == v)


class _Group:
    """What the template fixes about one group."""

    __slots__ = ("children", "name", "open", "path", "weight")

    def __init__(self, t: TemplateNode) -> None:
        self.name = t.name
        self.path = t.path
        self.weight = t.weight
        self.open = t.open
        self.children = _Level(t.children)


class _Spec:
    """A template compiled for plain forms."""

    __slots__ = ("defaults", "rules", "top", "total")

    def __init__(self, template: Template) -> None:
        self.total = template.total
        self.top = _Level(template.nodes)
        self.rules: Mapping[str, Rule] = template.rules
        #: target op → the template's default rule for it
        self.defaults: dict[str, Rule] = {}
        for op, name in template.defaults.items():
            rule = template.rules.get(name)
            if rule is not None:
                self.defaults[op] = rule


def _plain_template(template: Template) -> bool:
    # A group child named like a leaf field would make the schema read the group as a leaf.
    return all(not (_MARKERS & {n.name for n in t.children}) for t in template.walk())


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
    if spec is None or type(indicators) is not dict:
        return None
    # Where each value was written matters only when the document has positions (YAML).
    unplaced = _unplaced(r.doc.file) if not r.doc.positions else None
    at = ("indicators",) if unplaced is None else None
    leaves: list[BoundLeaf] = []
    spots: list[Position] = []
    try:
        shape, top = _walk(spec, spec.top, indicators, at, leaves, spots, r, unplaced)
    except _NotPlain:
        return None
    if shape and top != spec.total:
        return None
    return BoundTree(tuple(leaves), shape, unplaced if unplaced is not None else tuple(spots))


def _renamed(raw: dict[str, Any], level: _Level) -> tuple[dict[str, Any], dict[str, str]]:
    """``raw`` by the names its keys stand for, and the key each was written with."""
    out: dict[str, Any] = {}
    keys: dict[str, str] = {}
    for key, value in raw.items():
        name = level.aliases.get(key)
        if name is None or name in out:
            raise _NotPlain  # unknown, or written twice: the general path says so
        out[name] = value
        keys[name] = key
    return out, keys


def _walk(
    spec: _Spec,
    level: _Level,
    raw: dict[str, Any],
    at: JsonPath | None,
    leaves: list[BoundLeaf],
    spots: list[Position],
    r: Reader,
    unplaced: Position | None,
) -> tuple[tuple[GroupSpan | int, ...], Decimal]:
    keys: dict[str, str] | None = None
    if not raw.keys() <= level.names:
        raw, keys = _renamed(raw, level)
    shape: list[GroupSpan | int] = []
    total = ZERO
    for node in level.nodes:
        value = raw.get(node.name)
        if value is None and node.name in raw:
            raise _NotPlain  # a null where the schema wants a mapping (or a list)
        here = None
        if at is not None:
            here = (*at, node.name if keys is None else keys.get(node.name, node.name))
        if isinstance(node, _Leaf):
            leaf = _entry(spec, _ABSENT if value is None else value, node, here, r, unplaced)
            shape.append(len(leaves))
            leaves.append(leaf)
            total += leaf.weight
            continue
        start = len(leaves)
        if here is not None:
            spots.append(_pos(r, here))  # pre-order, as BoundTree.nodes reads them
        if node.open:
            children, got = _open(spec, node, value, here, leaves, r, unplaced)
        elif value is None:
            children, got = _walk(spec, node.children, _ABSENT, here, leaves, spots, r, unplaced)
        elif type(value) is dict:
            children, got = _walk(spec, node.children, value, here, leaves, spots, r, unplaced)
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
    at: JsonPath | None,
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
        if type(name) is not str or name in seen:
            raise _NotPlain
        seen.add(name)
        here = None if at is None else (*at, i)
        leaf = _entry(spec, entry, None, here, r, unplaced, name, (*node.path, name))
        shape.append(len(leaves))
        leaves.append(leaf)
        total += leaf.weight
    return tuple(shape), total


def _entry(
    spec: _Spec,
    e: Any,
    node: _Leaf | None,
    at: JsonPath | None,
    r: Reader,
    unplaced: Position | None,
    name: str = "",
    path: tuple[str, ...] = (),
) -> BoundLeaf:
    """One leaf entry (``node`` when the template fixes the leaf, else an open group's)."""
    if type(e) is not dict:
        raise _NotPlain
    if e:
        keys = e.keys()
        if not keys <= _FIELDS or _MARKERS.isdisjoint(keys):
            raise _NotPlain
        if "name" in e:
            written = e["name"]
            if type(written) is not str or not written:
                raise _NotPlain
    if node is not None:
        name, path = node.name, node.path
    raw_weight = e.get("weight")
    if node is not None and node.weight is not None:
        if raw_weight is not None or "weight" in e:
            raise _NotPlain  # the general path compares a stated weight with the template's
        weight = node.weight
    else:
        weight = _number(raw_weight, _WEIGHTS, "number")
    raw_rule = e.get("rule")
    rule: Rule | None
    if raw_rule is None:
        if "rule" in e:
            raise _NotPlain
        rule = node.rule if node is not None else None
    elif type(raw_rule) is str and raw_rule:
        rule = spec.rules.get(raw_rule)
        if rule is None:
            raise _NotPlain  # not a rule of the template: the general path says so
    else:
        raise _NotPlain
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
    elif raw_target is None and "target" not in e and rule is not None:
        target = target_text = None  # a rule that needs no target (执行率)
    else:
        raise _NotPlain
    raw_actual = e.get("actual")
    actual: Actual | None = None
    items: tuple[str, ...] | None = None
    if type(raw_actual) is list:  # checklist items as ticked
        if not all(type(x) is str for x in raw_actual):
            raise _NotPlain
        items = tuple(raw_actual)
        raw_actual = None
    elif type(raw_actual) is str:
        try:
            actual = _parse_actual(raw_actual, target)
        except PerfscoreError:
            raise _NotPlain from None
        if target is not None and "unreadable" in actual.flags and target.is_quantitative:
            raise _NotPlain  # the general path says where the number goes wrong
    elif raw_actual is not None:
        raise _NotPlain
    if rule is None:
        rule = spec.defaults.get(target.op) if target is not None else None
        if rule is None:
            raise _NotPlain
    raw_reported = e.get("reported")
    reported = None if raw_reported is None else _number(raw_reported, _REPORTED, "reported")
    note = e.get("note")
    if note is not None and type(note) is not str:
        raise _NotPlain
    given = tier = None
    applicable = True
    if not _RARE.isdisjoint(e):
        raw_score = e.get("score")
        if raw_score is not None or "score" in e:
            given = _number(raw_score, _WEIGHTS, "number")
        tier = e.get("tier")
        if (tier is not None or "tier" in e) and (type(tier) is not str or not tier):
            raise _NotPlain
        flag = e.get("applicable", True)
        if type(flag) is not bool:
            raise _NotPlain
        applicable = flag
    return BoundLeaf(
        name,
        path,
        weight,
        rule,
        target,
        target_text,
        actual,
        raw_actual,
        items,
        node.actual_from if node is not None else None,
        reported,
        given,
        tier,
        note,
        applicable,
        unplaced if unplaced is not None else _pos(r, at or ()),
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
