"""Compact per-form storage of an evaluation, and the result objects built from it when read.

Engine stage. Evaluating a form writes one tuple per leaf (a :data:`Row`): numbers, short
strings and the rule's :class:`~perfscore.rules.base.Outcome`. ``Evaluation.items`` (the tree of
:class:`~perfscore.result.LeafResult` / :class:`~perfscore.result.GroupResult`), explanations
and canonical texts are made from the rows the first time they are read. All arithmetic was
done at scoring time; what is done here (group subtotals) runs in perfscore's own decimal
context, so a reader's context cannot change a number or a sentence. The one-line JSON is
written from the rows directly (:mod:`perfscore.engine.json_line`).
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from ..core.result import GroupResult, LeafResult, NodeResult
from ..rules.base import Outcome
from ..text.lazy import Text
from ..text.numbers import local_context
from .json_line import FROM_FORM, cut_sentence, evaluation_line, sentence

if TYPE_CHECKING:
    from ..core.result import Evaluation
    from .plan import FormPlan, GroupSpan, LeafData

__all__ = ["FROM_FORM", "Row", "Storage", "evaluation_line", "explain"]

ZERO = Decimal(0)

#: One leaf's result: (effective weight, line, raw score, score, status, flags, text or None,
#: outcome or None, actual text (FROM_FORM: the form's own), actual quantity, ratio, tier,
#: score before any give-back, given back).
Row = tuple[Any, ...]
EW, LINE, RAW, SCORE, STATUS, FLAGS, TEXT, OUTCOME, ACTUAL_TEXT, ACTUAL_Q = range(10)
RATIO, TIER, SCORE0, CUT = range(10, 14)


class Storage:
    """An evaluated form: its plan and one row per leaf (see the module docstring)."""

    __slots__ = ("plan", "rows")

    def __init__(self, plan: FormPlan, rows: list[Row]) -> None:
        self.plan = plan
        self.rows = rows

    # ------------------------------------------------------------------ per leaf

    def explanation(self, index: int) -> str | Text:
        """The leaf's sentence, rendered when read (its numbers were fixed at scoring)."""
        r = self.rows[index]
        places = self.plan.template.places
        text: str | Text
        outcome = r[OUTCOME]
        if outcome is not None:
            text = explain(outcome, r[RAW], r[SCORE0], places, r[EW])
        else:
            text = r[TEXT]
        if r[CUT]:
            base, score, step = text, r[SCORE], self.plan.template.step
            text = Text(lambda: cut_sentence(base, step, score, places))
        return text

    def actual_text(self, index: int) -> str | None:
        value = self.rows[index][ACTUAL_TEXT]
        if value is FROM_FORM:
            leaf = self.plan.leaves[index]
            items = leaf.actual_items
            return leaf.actual_text if items is None else "、".join(items)
        result: str | None = value
        return result

    def leaf_result(self, index: int) -> LeafResult:
        leaf: LeafData = self.plan.leaves[index]
        r = self.rows[index]
        step = self.plan.template.rule(leaf.rule)
        target = leaf.target
        actual = r[ACTUAL_Q]
        return LeafResult(
            path=leaf.path,
            name=leaf.name,
            weight=leaf.weight,
            effective_weight=r[EW],
            rule_name=step.label,
            rule_kind=step.name,
            line=r[LINE],
            raw_score=r[RAW],
            score=r[SCORE],
            status=r[STATUS],
            explanation=self.explanation(index),
            target_text=leaf.target_text,
            target_canonical=None if target is None else Text(target.__str__),
            actual_text=self.actual_text(index),
            actual_canonical=None if actual is None else Text(actual.__str__),
            ratio=r[RATIO],
            tier=r[TIER],
            flags=r[FLAGS],
            reported=leaf.reported,
            note=leaf.note,
        )

    # ------------------------------------------------------------------ the tree

    def items(self) -> tuple[NodeResult, ...]:
        with local_context():
            leaves = [self.leaf_result(i) for i in range(len(self.rows))]
            return tuple(self._node(node, leaves) for node in self.plan.shape)

    def _node(self, node: GroupSpan | int, leaves: list[LeafResult]) -> NodeResult:
        if isinstance(node, int):
            return leaves[node]
        children = tuple([self._node(c, leaves) for c in node.children])
        score = sum([c.score for c in children], ZERO)
        reported = node.reported
        if reported is None and any(c.reported is not None for c in children):
            parts = [c.reported for c in children if isinstance(c, LeafResult) or _has_leaf(c)]
            if parts and all(p is not None for p in parts):
                reported = sum((p for p in parts if p is not None), ZERO)
        return GroupResult(
            path=node.path,
            name=node.name,
            weight=node.weight,
            score=score,
            children=children,
            reported=reported,
        )

    def json_line(self, evaluation: Evaluation) -> str:
        return evaluation_line(self, evaluation)


def _has_leaf(node: NodeResult) -> bool:
    return isinstance(node, LeafResult) or any(_has_leaf(c) for c in node.children)


def explain(outcome: Outcome, raw: Decimal, score: Decimal, places: int, weight: Decimal) -> Text:
    """The rule's sentence (see :func:`~perfscore.engine.json_line.sentence`), rendered when
    first read."""
    return Text(lambda: sentence(outcome, raw, score, places, weight))
