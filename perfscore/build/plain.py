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
from ..read.schema import LEAF_FIELDS, SCORING_FIELDS
from ..read.yaml_document import JsonPath
from ..text.numbers import local_context
from ..text.quantity import Actual
from ..text.target import Target
from .form import _plain_number
from .model import BoundLeaf, BoundTree, Position, Rule, Template, TemplateNode
from .template import _ACTUALS, _CACHE_SIZE, _parse_actual, _parse_target, _pos, _unplaced

__all__ = ["bind_plain"]

ZERO: Final = Decimal(0)
# Fields a plain entry may have; with none but ``name`` the schema reads the entry as a group
# of indicators, which the general path decides. The monitoring fields (progress …) go there.
_FIELDS: Final = frozenset(SCORING_FIELDS)
_MARKERS: Final = frozenset(LEAF_FIELDS) - {"name"}
_RARE: Final = frozenset({"score", "tier", "applicable"})
_ABSENT: Final[dict[str, Any]] = {}


class _NotPlain(Exception):
    """Raised deep in the walk: the general binder reads this form."""


class _Leaf:
    """What the template fixes about one leaf."""

    __slots__ = (
        "actual_from",
        "name",
        "path",
        "rule",
        "symbol",
        "target",
        "target_text",
        "weight",
    )

    def __init__(self, t: TemplateNode) -> None:
        self.name = t.name
        self.path = t.path
        self.weight = t.weight
        self.rule = t.rule
        self.target = t.target
        self.target_text = None if t.target is None else str(t.target)
        self.symbol = _symbol(t.target)
        self.actual_from = t.actual_from


class _Level:
    """One level of the tree: its nodes, the names written as is, and every name or alias
    with the node it stands for (as the general binder resolves them)."""

    __slots__ = ("aliases", "fixed", "names", "nodes")

    def __init__(self, tnodes: tuple[TemplateNode, ...]) -> None:
        self.nodes = tuple(_Leaf(t) if t.is_leaf else _Group(t) for t in tnodes)
        self.aliases = {alias: t.name for t in tnodes for alias in (t.name, *t.aliases)}
        self.names = frozenset(k for k, v in self.aliases.items() if k == v)
        #: the level's weight when the template fixes every node's (no per-form sum needed)
        self.fixed: Decimal | None = None
        weights = [n.weight if isinstance(n, _Leaf) else n.fixed for n in self.nodes]
        if all(w is not None for w in weights):
            with local_context():  # as binding adds them
                self.fixed = sum((w for w in weights if w is not None), ZERO)


class _Group:
    """What the template fixes about one group."""

    __slots__ = ("children", "fixed", "name", "open", "path", "weight")

    def __init__(self, t: TemplateNode) -> None:
        self.name = t.name
        self.path = t.path
        self.weight = t.weight
        self.open = t.open
        self.children = _Level(t.children)
        #: the group's weight when no form can change it
        self.fixed = t.weight if t.weight is not None else (None if t.open else self.children.fixed)


class _Spec:
    """A template compiled for plain forms."""

    __slots__ = ("defaults", "rules", "shape", "targets", "top", "total")

    def __init__(self, template: Template) -> None:
        self.total = template.total
        self.top = _Level(template.nodes)
        #: the plan's shape when the template fixes the whole tree and it adds up (shared by
        #: every form: spans are read, never changed)
        self.shape = _static(self.top, [0])
        if self.shape and self.top.fixed != self.total:
            self.shape = None  # no form adds up: _walk steps aside for each
        self.rules: Mapping[str, Rule] = template.rules
        #: target text → what binding needs of it (bounded; failures are not kept)
        self.targets: dict[str, _TargetInfo] = {}
        #: target op → the template's default rule for it
        self.defaults: dict[str, Rule] = {}
        for op, name in template.defaults.items():
            rule = template.rules.get(name)
            if rule is not None:
                self.defaults[op] = rule


def _static(level: _Level, count: list[int]) -> tuple[GroupSpan | int, ...] | None:
    out: list[GroupSpan | int] = []
    for node in level.nodes:
        if isinstance(node, _Leaf):
            if node.weight is None:
                return None
            out.append(count[0])
            count[0] += 1
            continue
        start = count[0]
        children = None if node.open else _static(node.children, count)
        if children is None or node.fixed is None:
            return None
        if node.weight is not None and node.children.fixed != node.weight:
            return None
        out.append(GroupSpan(node.name, node.path, node.fixed, None, start, count[0], children))
    return tuple(out)


def _plain_template(template: Template) -> bool:
    # A group child named (or aliased) like a leaf field would make the schema read the group
    # as a leaf: such a template's forms go the general way.
    return all(
        _MARKERS.isdisjoint({a for n in t.children for a in (n.name, *n.aliases)})
        for t in template.walk()
    )


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
    # Where each value was written matters only when the document has positions (YAML); a
    # JSON line has one, its line, for everything in it.
    positions = r.doc.positions
    unplaced: Position | None = None
    if not positions:
        unplaced = _unplaced(r.doc.file)
    elif len(positions) == 1 and () in positions:
        unplaced = Position(r.doc.file, *positions[()])
    at = ("indicators",) if unplaced is None else None
    leaves: list[BoundLeaf] = []
    spots: list[Position] = []
    try:
        if spec.shape is not None:  # the template fixes the tree: only leaves to read
            _fill(spec, spec.top, indicators, at, leaves, spots, r, unplaced)
            shape = spec.shape
        else:
            shape, top = _walk(spec, spec.top, indicators, at, leaves, spots, r, unplaced)
            if shape and top != spec.total:
                return None
    except _NotPlain:
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


def _fill(
    spec: _Spec,
    level: _Level,
    raw: dict[str, Any],
    at: JsonPath | None,
    leaves: list[BoundLeaf],
    spots: list[Position],
    r: Reader,
    unplaced: Position | None,
) -> None:
    """:func:`_walk` for a template whose tree and weights are fixed (``_Spec.shape``)."""
    keys: dict[str, str] | None = None
    if not raw.keys() <= level.names:
        raw, keys = _renamed(raw, level)
    for node in level.nodes:
        value = raw.get(node.name)
        if value is None and node.name in raw:
            raise _NotPlain  # a null where the schema wants a mapping
        here = None
        if at is not None:
            here = (*at, node.name if keys is None else keys.get(node.name, node.name))
        if isinstance(node, _Leaf):
            leaves.append(
                _entry(spec, _ABSENT if value is None else value, node, here, r, unplaced)
            )
            continue
        if here is not None:
            spots.append(_pos(r, here))  # pre-order, as BoundTree.nodes reads them
        if value is None:
            value = _ABSENT
        elif type(value) is not dict:
            raise _NotPlain
        _fill(spec, node.children, value, here, leaves, spots, r, unplaced)


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
    fixed = level.fixed
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
            if fixed is None:
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
        if fixed is None:
            total += got
    return tuple(shape), total if fixed is None else fixed


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


class _Keys:
    """What an entry's keys (in the order written) hold, worked out once per key order."""

    __slots__ = ("actual", "name", "note", "plain", "rare", "reported", "rule", "target", "weight")

    def __init__(self, keys: tuple[str, ...]) -> None:
        given = set(keys)
        self.plain = given <= _FIELDS and (not given or not _MARKERS.isdisjoint(given))
        self.name = "name" in given
        self.weight = "weight" in given
        self.rule = "rule" in given
        self.target = "target" in given
        self.actual = "actual" in given
        self.reported = "reported" in given
        self.note = "note" in given
        self.rare = not _RARE.isdisjoint(given)


_KEYS: dict[tuple[str, ...], _Keys] = {}
#: a target as parsed, the unit symbol its actuals are read with (_parse_actual's cache key),
#: the template's default rule for its kind, whether it is quantitative
_TargetInfo = tuple[Target, str | None, Rule | None, bool]


def _keys(e: dict[str, Any]) -> _Keys:
    order = tuple(e)
    found = _KEYS.get(order)
    if found is None:
        found = _Keys(order)
        if not found.plain:
            raise _NotPlain
        if len(_KEYS) < _CACHE_SIZE:  # orders of the plain fields only: a few in practice
            _KEYS[order] = found
    return found


def _target_info(spec: _Spec, text: str) -> _TargetInfo:
    found = spec.targets.get(text)
    if found is None:
        try:
            target = _parse_target(text)
        except PerfscoreError:
            raise _NotPlain from None
        found = (target, _symbol(target), spec.defaults.get(target.op), target.is_quantitative)
        if len(spec.targets) < _CACHE_SIZE:
            spec.targets[text] = found
    return found


def _symbol(target: Target | None) -> str | None:
    # what _parse_actual keys its cache with: the unit of the target's reference quantity
    reference = target.quantity if target is not None else None
    unit = reference.unit if reference is not None else None
    return None if unit is None else unit.symbol


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
    f = _KEYS.get(tuple(e)) or _keys(e)  # the lookup inline: this runs for every leaf
    if f.name:
        written = e["name"]
        if type(written) is not str or not written:
            raise _NotPlain
    if node is not None:
        name, path = node.name, node.path
    if node is not None and node.weight is not None:
        if f.weight:
            raise _NotPlain  # the general path compares a stated weight with the template's
        weight = node.weight
    elif f.weight:
        weight = _number(e["weight"], _WEIGHTS, "number")
    else:
        raise _NotPlain  # no weight: the general path says so
    rule: Rule | None
    if f.rule:
        raw_rule = e["rule"]
        if type(raw_rule) is not str:
            raise _NotPlain
        rule = spec.rules.get(raw_rule)
        if rule is None:
            raise _NotPlain  # not a rule of the template: the general path says so
    else:
        rule = node.rule if node is not None else None
    target: Target | None
    if node is not None and node.target is not None:
        if f.target:
            raise _NotPlain  # the template fixes it: the general path says so
        target, target_text, symbol = node.target, node.target_text, node.symbol
        default, quantitative = spec.defaults.get(target.op), target.is_quantitative
    elif f.target:
        target_text = e["target"]
        if type(target_text) is not str:
            raise _NotPlain
        target, symbol, default, quantitative = spec.targets.get(target_text) or _target_info(
            spec, target_text
        )
    elif rule is not None:
        target = target_text = symbol = default = None  # a rule that needs no target (执行率)
        quantitative = False
    else:
        raise _NotPlain
    actual: Actual | None = None
    actual_text: str | None = None
    items: tuple[str, ...] | None = None
    if f.actual:
        raw_actual = e["actual"]
        if type(raw_actual) is str:
            actual_text = raw_actual
            actual = _ACTUALS.get((raw_actual, symbol))
            if actual is None:
                try:
                    actual = _parse_actual(raw_actual, target)
                except PerfscoreError:
                    raise _NotPlain from None
            if quantitative and "unreadable" in actual.flags:
                raise _NotPlain  # the general path says where the number goes wrong
        elif type(raw_actual) is list:  # checklist items as ticked
            if not all(type(x) is str for x in raw_actual):
                raise _NotPlain
            items = tuple(raw_actual)
        elif raw_actual is not None:
            raise _NotPlain
    if rule is None:
        rule = default  # the template's default for this kind of target
        if rule is None:
            raise _NotPlain
    reported = None
    if f.reported:
        raw_reported = e["reported"]
        if raw_reported is not None:
            reported = _number(raw_reported, _REPORTED, "reported")
    note = None
    if f.note:
        note = e["note"]
        if note is not None and type(note) is not str:
            raise _NotPlain
    given = tier = None
    applicable = True
    if f.rare:
        if "score" in e:
            given = _number(e["score"], _WEIGHTS, "number")
        if "tier" in e:
            tier = e["tier"]
            if type(tier) is not str or not tier:
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
        actual_text,
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
