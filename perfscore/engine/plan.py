"""The compiled plan the engine runs: what a template fixes, compiled once; a bound form's steps.

Engine stage. This module and the evaluator (``_evaluate``) never import ``perfscore.model``:
the model compiles itself into these objects (``Template.plan``, ``Form.plan``) and calls the
engine on them. They read the model's records through the small protocols below.

* :class:`TemplatePlan` — built once per template: totals, places and their rounding step,
  grades, the over-achievement policy, the missing policy, the computed values in dependency
  order, the unit of every named value, and one :class:`RuleStep` per rule (its kind's
  ``score`` function bound to its parsed parameters, its label, what it reads).
* :class:`FormPlan` — built when a form is bound: the leaves as a flat sequence in tree order
  (each a step: the rule's compiled entry, the parsed target and actual, the weight, the flags
  to test) and the group structure as index ranges over that sequence.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any, Protocol

from ..rules.base import RuleKind
from ..rules.formula import Formula
from ..rules.registry import KINDS
from ..text.lazy import Text
from ..text.quantity import Actual, Quantity
from ..text.target import Target
from ..text.units import Unit

__all__ = [
    "BOUNDED_RATES",
    "FormPlan",
    "GroupSpan",
    "LeafData",
    "RuleStep",
    "TemplatePlan",
    "compile_form",
    "compile_template",
]

#: Words naming rates that by definition lie in 0～100% (a target or actual above 100% is a
#: slip); 执行率, 增长率 and 完成率 are not here: they may pass 100%.
BOUNDED_RATES = (
    "满意度",
    "满意率",
    "合格率",
    "达标率",
    "覆盖率",
    "知晓率",
    "及时率",
    "准确率",
    "正确率",
    "完好率",
    "参保率",
    "入学率",
    "到位率",
    "出勤率",
    "通过率",
)

_BOUNDED_RATE = re.compile("|".join(map(re.escape, BOUNDED_RATES)))
_CACHE_BOUND = 4096  # per-template caches of rule entries and names; full: compute, keep none


class RuleData(Protocol):
    @property
    def kind(self) -> str: ...
    @property
    def params(self) -> Any: ...
    @property
    def label(self) -> str: ...


class PositionData(Protocol):
    @property
    def file(self) -> str | None: ...
    @property
    def line(self) -> int | None: ...
    @property
    def column(self) -> int | None: ...


class LeafData(Protocol):
    """A bound leaf as the engine reads it (``perfscore.model.Leaf`` is one)."""

    @property
    def name(self) -> str: ...
    @property
    def path(self) -> tuple[str, ...]: ...
    @property
    def weight(self) -> Decimal: ...
    @property
    def rule(self) -> RuleData: ...
    @property
    def target(self) -> Target | None: ...
    @property
    def target_text(self) -> str | None: ...
    @property
    def actual(self) -> Actual | None: ...
    @property
    def actual_text(self) -> str | None: ...
    @property
    def actual_items(self) -> tuple[str, ...] | None: ...
    @property
    def actual_from(self) -> str | None: ...
    @property
    def reported(self) -> Decimal | None: ...
    @property
    def given_score(self) -> Decimal | None: ...
    @property
    def tier(self) -> str | None: ...
    @property
    def note(self) -> str | None: ...
    @property
    def applicable(self) -> bool: ...
    @property
    def position(self) -> PositionData: ...
    @property
    def unreadable(self) -> str | None: ...


class RuleStep:
    """A rule compiled for the engine: its kind bound to its parameters."""

    __slots__ = ("kind", "label", "name", "needs_actual", "params", "reads", "rule", "score")

    def __init__(self, rule: RuleData) -> None:
        kind: RuleKind = KINDS[rule.kind]
        self.rule = rule  # kept: the cache is keyed by its id
        self.name = rule.kind
        self.kind = kind
        self.params = rule.params
        self.label = rule.label
        self.score = kind.score
        self.needs_actual = kind.needs_actual
        self.reads = kind.reads(rule.params) if kind.reads is not None else None


class TemplatePlan:
    """Everything a template fixes, compiled once (see the module docstring)."""

    __slots__ = (
        "_bounded",
        "_kernels",
        "_rules",
        "computed",
        "computed_units",
        "deduct_points",
        "deduct_step",
        "flag_at",
        "formula_names",
        "grades",
        "id",
        "input_units",
        "missing",
        "name",
        "places",
        "rescale",
        "round_of_sum",
        "step",
        "total",
        "value_units",
        "version",
    )

    def __init__(self, template: Any) -> None:
        self.id: str = template.id
        self.name: str = template.name
        self.version: str | None = template.version
        self.total: Decimal = template.total
        self.places: int = template.rounding.places
        self.step = Decimal(1).scaleb(-self.places)
        self.round_of_sum: bool = template.rounding.total == "round_of_sum"
        self.grades: tuple[tuple[Decimal, str], ...] = tuple(
            (g.min, g.name) for g in template.grades
        )
        over = template.over_achievement
        self.flag_at: Decimal | None = over.flag_at
        self.deduct_step: Decimal | None = over.deduct_step
        self.deduct_points: Decimal | None = over.deduct_points
        self.missing: str = template.missing
        self.rescale: bool = template.rescale_not_applicable
        self.input_units: dict[str, Unit | None] = {
            name: spec.unit for name, spec in template.inputs.items()
        }
        #: (name, formula, file, line, column), already in dependency order
        self.computed: tuple[tuple[str, Formula, str | None, int | None, int | None], ...] = tuple(
            (name, c.formula, c.position.file, c.position.line, c.position.column)
            for name, c in template.computed.items()
        )
        self.formula_names: dict[str, frozenset[str]] = {
            name: frozenset(c.formula.names) for name, c in template.computed.items()
        }
        units: dict[str, Unit | None] = {name: spec.unit for name, spec in template.inputs.items()}
        units.update((name, c.unit) for name, c in template.computed.items())
        #: the declared unit of every named value (a computed value's wins over an input's)
        self.value_units = units
        self.computed_units = {name: c.unit for name, c in template.computed.items()}
        self._rules: dict[int, RuleStep] = {}
        self._bounded: dict[str, bool] = {}
        #: id(rule) → (rule, its kernel or None): filled by the evaluator (engine.kernels)
        self._kernels: dict[int, tuple[Any, Any]] = {}

    def grade_for(self, total: Decimal) -> str:
        for low, name in self.grades:
            if total >= low:
                return name
        return self.grades[-1][1]

    def rule(self, rule: RuleData) -> RuleStep:
        """The compiled entry of ``rule`` (made once per rule object, then reused)."""
        step = self._rules.get(id(rule))
        if step is None or step.rule is not rule:
            step = RuleStep(rule)
            if len(self._rules) < _CACHE_BOUND:
                self._rules[id(rule)] = step
        return step

    def bounded_rate(self, name: str) -> bool:
        """Whether ``name`` names a rate that cannot pass 100% (满意度, 合格率 …)."""
        hit = self._bounded.get(name)
        if hit is None:
            hit = _BOUNDED_RATE.search(name) is not None
            if len(self._bounded) < _CACHE_BOUND:
                self._bounded[name] = hit
        return hit

    def __getstate__(self) -> dict[str, Any]:
        # the caches are keyed by object ids, which mean nothing in another process
        state = {k: getattr(self, k) for k in self.__slots__ if not k.startswith("_")}
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        for key, value in state.items():
            object.__setattr__(self, key, value)
        self._rules = {}
        self._bounded = {}
        self._kernels = {}


class GroupSpan:
    """A group of the tree: its leaves are ``leaves[start:end]``; ``children`` in order, each a
    :class:`GroupSpan` or the index of a leaf."""

    __slots__ = ("children", "end", "name", "path", "reported", "start", "weight")

    def __init__(
        self,
        name: str,
        path: tuple[str, ...],
        weight: Decimal,
        reported: Decimal | None,
        start: int,
        end: int,
        children: tuple[GroupSpan | int, ...],
    ) -> None:
        self.name = name
        self.path = path
        self.weight = weight
        self.reported = reported
        self.start = start
        self.end = end
        self.children = children

    def __getstate__(self) -> tuple[Any, ...]:
        return tuple(getattr(self, k) for k in self.__slots__)

    def __setstate__(self, state: tuple[Any, ...]) -> None:
        for key, value in zip(self.__slots__, state, strict=True):
            object.__setattr__(self, key, value)


class FormPlan:
    """A bound form as the engine runs it: its template's plan, the leaves in tree order, the
    group structure as index ranges, and what the form states besides its leaves."""

    __slots__ = (
        "budget",
        "digest",
        "file",
        "inputs",
        "leaves",
        "reported_total",
        "shape",
        "template",
        "unit",
        "year",
    )

    def __init__(
        self,
        template: TemplatePlan,
        leaves: tuple[LeafData, ...],
        shape: tuple[GroupSpan | int, ...],
        *,
        budget: Mapping[str, Quantity],
        inputs: Mapping[str, Quantity],
        reported_total: Decimal | None,
        unit: str | None,
        year: str | None,
        file: str | None,
        digest: str | Text,
    ) -> None:
        self.template = template
        self.leaves = leaves
        self.shape = shape
        self.budget = budget
        self.inputs = inputs
        self.reported_total = reported_total
        self.unit = unit
        self.year = year
        self.file = file
        self.digest = digest

    def __getstate__(self) -> tuple[Any, ...]:
        return tuple(getattr(self, k) for k in self.__slots__)

    def __setstate__(self, state: tuple[Any, ...]) -> None:
        for key, value in zip(self.__slots__, state, strict=True):
            object.__setattr__(self, key, value)


def compile_template(template: Any) -> TemplatePlan:
    """The plan of a built template (``perfscore.model.Template``, read by attribute)."""
    return TemplatePlan(template)


def compile_form(
    form: Any,
    template: TemplatePlan,
    *,
    bound: tuple[Sequence[LeafData], tuple[GroupSpan | int, ...]] | None = None,
    digest: str | Text | None = None,
) -> FormPlan:
    """The plan of a bound form (``perfscore.model.Form``, read by attribute): leaves are told
    from groups by having a ``rule``. ``bound`` is (leaves, shape) when the binder made them
    already (the plain path), so ``form.nodes`` is not read; ``digest`` is the form's as it
    holds it (a Text not yet hashed), so ``form.digest`` is not read either."""
    if bound is None:
        found: list[LeafData] = []
        shape = _shape(form.nodes, found)  # a module function: no per-form reference cycle
        leaves = tuple(found)
    else:
        leaves, shape = tuple(bound[0]), bound[1]
    return FormPlan(
        template,
        leaves,
        shape,
        budget=form.budget,
        inputs=form.inputs,
        reported_total=form.reported_total,
        unit=form.unit,
        year=form.year,
        file=form.file,
        digest=form.digest if digest is None else digest,
    )


def _shape(nodes: Sequence[Any], leaves: list[LeafData]) -> tuple[GroupSpan | int, ...]:
    out: list[GroupSpan | int] = []
    for node in nodes:
        if hasattr(node, "rule"):
            out.append(len(leaves))
            leaves.append(node)
        else:
            start = len(leaves)
            children = _shape(node.children, leaves)
            span = GroupSpan(
                node.name, node.path, node.weight, node.reported, start, len(leaves), children
            )
            out.append(span)
    return tuple(out)
