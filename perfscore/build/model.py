"""The built indicator system: a template, and a form bound to its template.

Everything here is produced by :func:`perfscore.load_template` / :func:`perfscore.load_form`
after validation; all numbers are ``Decimal``, all targets parsed, all formulas compiled.
Instances are frozen (no attribute can be reassigned), picklable and safe to share between
threads. The mappings they hold (``inputs``, ``budget``, ``review``, ``data`` …) are read-only
(:class:`perfscore.text.frozen.FrozenMap`, equal to a dict of the same items; lists become
tuples): a built template hands out nothing that can be changed.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import attrs

from ..core.result import Finding
from ..engine.plan import FormPlan, GroupSpan, TemplatePlan, compile_form, compile_template
from ..rules.formula import Formula
from ..text.frozen import freeze, freeze_map
from ..text.quantity import Actual, Quantity
from ..text.target import Target
from ..text.units import Unit

if TYPE_CHECKING:
    from ..core.result import Evaluation

__all__ = [
    "BoundLeaf",
    "BoundTree",
    "Computed",
    "Form",
    "Grade",
    "Group",
    "InputSpec",
    "Leaf",
    "Node",
    "OverAchievement",
    "Position",
    "Rounding",
    "Rule",
    "Template",
    "TemplateNode",
]


@attrs.frozen
class Position:
    """Where something was written: file and 1-based line/column (any may be unknown)."""

    file: str | None = None
    line: int | None = None
    column: int | None = None

    def __str__(self) -> str:
        parts = [p for p in (self.file, self.line, self.column) if p is not None]
        return ":".join(str(p) for p in parts)


@attrs.frozen
class Grade:
    """A grade band: totals at or above ``min`` (and below the next band) get ``name``."""

    name: str
    min: Decimal


@attrs.frozen
class Rounding:
    """``places`` for every item score (四舍五入); how the total is formed."""

    places: int = 2
    total: str = "sum_of_rounded"  # or "round_of_sum"


@attrs.frozen
class OverAchievement:
    """Flag when actual ÷ target reaches ``flag_at``; optionally deduct per step beyond it."""

    flag_at: Decimal | None = Decimal("1.2")
    deduct_step: Decimal | None = None
    deduct_points: Decimal | None = None


@attrs.frozen
class Rule:
    """A scoring rule: its kind, its parsed parameters and the name it has in the template."""

    kind: str
    params: Any
    name: str | None = None
    position: Position = Position()

    @property
    def label(self) -> str:
        return self.name or self.kind


@attrs.frozen
class InputSpec:
    """A declared input (a 基础数据表 field): its unit and title."""

    name: str
    unit: Unit | None = None
    title: str | None = None


@attrs.frozen
class Computed:
    """A named formula over inputs and other computed values."""

    name: str
    formula: Formula
    unit: Unit | None = None
    position: Position = Position()


@attrs.frozen
class TemplateNode:
    """A node of the template's tree: a group (children or ``open``) or a fixed leaf."""

    name: str
    path: tuple[str, ...]
    weight: Decimal | None = None
    children: tuple[TemplateNode, ...] = ()
    open: bool = False
    aliases: tuple[str, ...] = ()
    rule: Rule | None = None
    target: Target | None = None
    actual_from: str | None = None
    description: str | None = None
    position: Position = Position()

    @property
    def is_leaf(self) -> bool:
        return not self.children and not self.open


@attrs.frozen(eq=False)
class Template:
    """A built template (the finance bureau's part). Build once, bind many forms."""

    id: str
    name: str
    version: str | None
    total: Decimal
    rounding: Rounding
    grades: tuple[Grade, ...]
    over_achievement: OverAchievement
    missing: str
    rescale_not_applicable: bool
    # Mappings are read-only (FrozenMap, nested data too): a shared built template cannot be
    # changed through what it hands out.
    inputs: Mapping[str, InputSpec] = attrs.field(converter=freeze_map)
    computed: Mapping[str, Computed] = attrs.field(converter=freeze_map)
    rules: Mapping[str, Rule] = attrs.field(converter=freeze_map)
    defaults: Mapping[str, str] = attrs.field(converter=freeze_map)
    nodes: tuple[TemplateNode, ...] = attrs.field()
    review: Mapping[str, Any] = attrs.field(factory=dict, converter=freeze_map)
    examples: tuple[Mapping[str, Any], ...] = attrs.field(default=(), converter=freeze)
    description: str | None = None
    file: str | None = None
    digest: str = ""
    data: Mapping[str, Any] = attrs.field(factory=dict, repr=False, converter=freeze_map)
    _plan: TemplatePlan | None = attrs.field(default=None, init=False, repr=False)

    @property
    def plan(self) -> TemplatePlan:
        """What this template fixes, compiled once for the engine (``perfscore.engine.plan``)."""
        plan = self._plan
        if plan is None:
            plan = compile_template(self)
            object.__setattr__(self, "_plan", plan)
        return plan

    def grade_for(self, total: Decimal) -> str:
        """The grade name for ``total`` (grades are ordered highest first)."""
        for grade in self.grades:
            if total >= grade.min:
                return grade.name
        return self.grades[-1].name

    def walk(self) -> Iterator[TemplateNode]:
        """Every template node, depth first, in display order."""
        stack = list(reversed(self.nodes))
        while stack:
            node = stack.pop()
            yield node
            stack.extend(reversed(node.children))


@attrs.frozen
class Leaf:
    """A third-level indicator as scored: template and form merged."""

    name: str
    path: tuple[str, ...]
    weight: Decimal
    rule: Rule
    target: Target | None = None
    target_text: str | None = None
    actual: Actual | None = None
    actual_text: str | None = None
    actual_items: tuple[str, ...] | None = None
    actual_from: str | None = None
    reported: Decimal | None = None
    given_score: Decimal | None = None
    tier: str | None = None
    note: str | None = None
    applicable: bool = True
    position: Position = Position()
    #: Lenient reading only (review): why this entry could not be read. The evaluator scores
    #: such a leaf 0 with status 缺失; the finding that says why was made when building.
    unreadable: str | None = None
    #: The entry's mid-year monitoring fields (``progress``, ``expected``, ``causes``,
    #: ``likelihood``, ``measures``, ``schedule``) as written; scoring never reads them.
    stage: Mapping[str, Any] = attrs.field(factory=dict, eq=False, repr=False)


@attrs.frozen
class Group:
    """An inner node (一级/二级 indicator): its weight is the sum of its children's."""

    name: str
    path: tuple[str, ...]
    weight: Decimal
    children: tuple[Node, ...]
    reported: Decimal | None = None
    position: Position = Position()


Node = Leaf | Group


class BoundLeaf:
    """A leaf bound by the plain path (:mod:`perfscore.build.plain`): what the engine reads
    (``LeafData``), without an attrs ``Leaf``; ``Form.nodes`` makes the ``Leaf`` when read.
    The fields the plain path never sets are class constants."""

    __slots__ = (
        "actual",
        "actual_from",
        "actual_items",
        "actual_text",
        "applicable",
        "given_score",
        "name",
        "note",
        "path",
        "position",
        "reported",
        "rule",
        "target",
        "target_text",
        "tier",
        "weight",
    )
    unreadable: str | None = None  # a lenient reading's; the plain path is strict

    def __init__(
        self,
        name: str,
        path: tuple[str, ...],
        weight: Decimal,
        rule: Rule,
        target: Target | None,
        target_text: str | None,
        actual: Actual | None,
        actual_text: str | None,
        actual_items: tuple[str, ...] | None,
        actual_from: str | None,
        reported: Decimal | None,
        given_score: Decimal | None,
        tier: str | None,
        note: str | None,
        applicable: bool,
        position: Position,
    ) -> None:
        self.name = name
        self.path = path
        self.weight = weight
        self.rule = rule
        self.target = target
        self.target_text = target_text
        self.actual = actual
        self.actual_text = actual_text
        self.actual_items = actual_items
        self.actual_from = actual_from
        self.reported = reported
        self.given_score = given_score
        self.tier = tier
        self.note = note
        self.applicable = applicable
        self.position = position

    def leaf(self) -> Leaf:
        return Leaf(
            name=self.name,
            path=self.path,
            weight=self.weight,
            rule=self.rule,
            target=self.target,
            target_text=self.target_text,
            actual=self.actual,
            actual_text=self.actual_text,
            actual_items=self.actual_items,
            actual_from=self.actual_from,
            reported=self.reported,
            given_score=self.given_score,
            tier=self.tier,
            note=self.note,
            applicable=self.applicable,
            position=self.position,
            stage={},  # the plain path reads no monitoring field
        )


class BoundTree:
    """A form's indicator tree as the plain path binds it: the leaves in tree order, the groups
    as spans over them (the form's plan as is) and each group's position, in pre-order (one
    position stands for all when the document has none). ``Form.nodes`` is built from it when
    first read: scoring never needs the attrs tree."""

    __slots__ = ("leaves", "positions", "shape")

    def __init__(
        self,
        leaves: tuple[BoundLeaf, ...],
        shape: tuple[GroupSpan | int, ...],
        positions: Position | tuple[Position, ...],
    ) -> None:
        self.leaves = leaves
        self.shape = shape
        self.positions = positions

    def nodes(self) -> tuple[Node, ...]:
        spots = self.positions
        where = iter(spots) if isinstance(spots, tuple) else None
        return _tree(self.shape, self.leaves, spots, where)


def _tree(
    shape: tuple[GroupSpan | int, ...],
    leaves: tuple[BoundLeaf, ...],
    spot: Position | tuple[Position, ...],
    where: Iterator[Position] | None,
) -> tuple[Node, ...]:
    out: list[Node] = []
    for node in shape:
        if isinstance(node, int):
            out.append(leaves[node].leaf())
            continue
        position = next(where) if where is not None else spot
        assert isinstance(position, Position)
        children = _tree(node.children, leaves, spot, where)
        out.append(
            Group(
                name=node.name,
                path=node.path,
                weight=node.weight,
                children=children,
                position=position,
            )
        )
    return tuple(out)


@attrs.frozen(eq=False)
class Form:
    """A form bound to its template, ready to evaluate (see :func:`perfscore.evaluate`)."""

    template: Template
    #: The indicator tree. The plain path binds a :class:`BoundTree` (the plan's records);
    #: the tree of Group and Leaf is made from it when first read (_read_nodes, below).
    nodes: tuple[Node, ...]
    unit: str | None = None
    year: str | None = None
    budget: Mapping[str, Quantity] = attrs.field(factory=dict, converter=freeze_map)
    budget_unit: Unit | None = None
    inputs: Mapping[str, Quantity] = attrs.field(factory=dict, converter=freeze_map)
    reported_total: Decimal | None = None
    file: str | None = None
    #: The content hash of ``data`` with the template's. Binding leaves it as a Text that
    #: hashes when first read (most batch forms are scored and never asked): ``data`` is
    #: the form's own normalized copy and is not to be changed.
    digest: str = ""
    data: Mapping[str, Any] = attrs.field(factory=dict, repr=False)
    #: Lenient reading only (review): the problems found while building, as findings.
    findings: tuple[Finding, ...] = ()
    #: The form compiled for the engine when bound: leaves in tree order, groups as ranges.
    plan: FormPlan = attrs.field(init=False, repr=False)

    def __attrs_post_init__(self) -> None:
        bound = _NODES_SLOT.__get__(self, Form)  # as given: reading self.nodes makes the tree
        digest = _DIGEST_SLOT.__get__(self, Form)  # as given: reading self.digest hashes
        if isinstance(bound, BoundTree):
            plan = compile_form(
                self, self.template.plan, bound=(bound.leaves, bound.shape), digest=digest
            )
        else:
            plan = compile_form(self, self.template.plan, digest=digest)
        object.__setattr__(self, "plan", plan)

    def leaves(self) -> Iterator[Leaf]:
        """Every leaf, depth first, in display order."""
        stack: list[Node] = list(reversed(self.nodes))
        while stack:
            node = stack.pop()
            if isinstance(node, Leaf):
                yield node
            else:
                stack.extend(reversed(node.children))

    def evaluate(self) -> Evaluation:
        """Shorthand for :func:`perfscore.evaluate`."""
        from ..engine.evaluate import evaluate

        return evaluate(self)


# ``Form.nodes`` stays the attrs field it was (fields, evolve, asdict, repr and pickling name
# it, and read it through getattr); its slot may hold a BoundTree, which the property below
# turns into the tree on first read and keeps. attrs' __init__ and __setstate__ set fields
# with object.__setattr__, which goes through the property's setter to the slot.
_NODES_SLOT: Any = Form.__dict__["nodes"]


def _read_nodes(form: Form) -> tuple[Node, ...]:
    nodes = _NODES_SLOT.__get__(form, Form)
    if isinstance(nodes, BoundTree):
        nodes = nodes.nodes()
        _NODES_SLOT.__set__(form, nodes)  # equal each time it is made; made once
    return nodes  # type: ignore[no-any-return]


setattr(  # noqa: B010 - assigning Form.nodes directly is the declared field to mypy
    Form,
    "nodes",
    property(_read_nodes, _NODES_SLOT.__set__, doc="The indicator tree: groups and leaves."),
)

# ``Form.digest`` likewise: its slot may hold a Text (binding's deferred hash), which the
# property renders on first read and keeps as the str.
_DIGEST_SLOT: Any = Form.__dict__["digest"]


def _read_digest(form: Form) -> str:
    value = _DIGEST_SLOT.__get__(form, Form)
    if type(value) is str:
        return value
    text = str(value)
    _DIGEST_SLOT.__set__(form, text)
    return text


setattr(  # noqa: B010 - as for Form.nodes
    Form,
    "digest",
    property(
        _read_digest, _DIGEST_SLOT.__set__, doc="The content hash of the form with its template."
    ),
)
