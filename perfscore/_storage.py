"""Compact per-form storage of an evaluation, and the result objects built from it when read.

Engine stage. Evaluating a form writes one tuple per leaf (a :data:`Row`): numbers, short
strings and the rule's :class:`~perfscore._rules.Outcome`. ``Evaluation.items`` (the tree of
:class:`~perfscore.result.LeafResult` / :class:`~perfscore.result.GroupResult`), explanations
and canonical texts are made from the rows the first time they are read. All arithmetic was
done at scoring time; what is done here (group subtotals) runs in perfscore's own decimal
context, so a reader's context cannot change a number or a sentence.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from ._lazy import Text
from ._numbers import local_context
from ._rules import Outcome
from ._text import fmt, fmt_fixed
from .result import GroupResult, LeafResult, NodeResult

if TYPE_CHECKING:
    from ._plan import FormPlan, GroupSpan, LeafData
    from .result import Evaluation

__all__ = ["FROM_FORM", "Row", "Storage", "explain"]

ZERO = Decimal(0)

#: One leaf's result: (effective weight, line, raw score, score, status, flags, text or None,
#: outcome or None, actual text (FROM_FORM: the form's own), actual quantity, ratio, tier,
#: score before any give-back, given back).
Row = tuple[Any, ...]
EW, LINE, RAW, SCORE, STATUS, FLAGS, TEXT, OUTCOME, ACTUAL_TEXT, ACTUAL_Q = range(10)
RATIO, TIER, SCORE0, CUT = range(10, 14)

#: In a row's actual-text slot: the actual as the form wrote it.
FROM_FORM = False


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
            text = Text(
                lambda: (
                    f"{base}；折算后各项合计超出总分，本项舍去 {fmt(step)} 分，"
                    f"得 {fmt_fixed(score, places)}"
                )
            )
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

    # ------------------------------------------------------------------ groups

    def group_numbers(self) -> dict[int, tuple[Decimal, Decimal | None]]:
        """Every group's subtotal and reported score (stated, or the sum of its children's
        when every child with a leaf states one), by ``id`` of its span: one pass."""
        found: dict[int, tuple[Decimal, Decimal | None]] = {}
        with local_context():
            for node in self.plan.shape:
                if not isinstance(node, int):
                    self._group_numbers(node, found)
        return found

    def _group_numbers(
        self, span: GroupSpan, found: dict[int, tuple[Decimal, Decimal | None]]
    ) -> tuple[Decimal, Decimal | None]:
        rows, leaves = self.rows, self.plan.leaves
        scores: list[Decimal] = []
        reported: list[tuple[Decimal | None, bool]] = []  # (reported, has a leaf)
        for child in span.children:
            if isinstance(child, int):
                scores.append(rows[child][SCORE])
                reported.append((leaves[child].reported, True))
            else:
                score, rep = self._group_numbers(child, found)
                scores.append(score)
                reported.append((rep, child.end > child.start))
        total = sum(scores, ZERO)
        stated = span.reported
        if stated is None and any(rep is not None for rep, _ in reported):
            # children without any leaf (an empty 经济效益指标) report nothing and count 0
            parts = [rep for rep, has_leaf in reported if has_leaf]
            if parts and all(p is not None for p in parts):
                stated = sum((p for p in parts if p is not None), ZERO)
        found[id(span)] = (total, stated)
        return total, stated

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
        from ._plan_json import evaluation_line

        return evaluation_line(self, evaluation)


def _has_leaf(node: NodeResult) -> bool:
    return isinstance(node, LeafResult) or any(_has_leaf(c) for c in node.children)


def explain(outcome: Outcome, raw: Decimal, score: Decimal, places: int, weight: Decimal) -> Text:
    """The rule's sentence, the value of its expression, how it was limited (to the weight,
    to 0, or by an over-achievement deduction) and the rounding, rendered when first read."""
    why = outcome.explanation
    value = outcome.raw if outcome.value is None else outcome.value
    arithmetic = outcome.arithmetic

    def render() -> str:
        text = str(why)
        if arithmetic:
            text = f"{text} = {fmt(value)}"
        if value != raw:
            if raw == weight and value > weight:
                text += f"，超过分值，以 {fmt(weight)} 分为限"
            elif raw == 0 and value < 0:
                text += "，低于 0 分，按 0 分计"
            else:  # an over-achievement deduction (its finding says how much and why)
                text += f"，按模板规定扣减后为 {fmt(raw)}"
        if arithmetic:
            return f"{text} → {fmt_fixed(score, places)}"
        if raw != score:
            return f"{text}，{fmt(raw)} 四舍五入为 {fmt_fixed(score, places)}"
        return text

    return Text(render)
