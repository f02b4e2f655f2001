"""Compact per-form storage of an evaluation, and the result objects built from it when read.

Engine stage. Evaluating a form writes one tuple per leaf (a :data:`Row`): numbers, short
strings and the rule's :class:`~perfscore.rules.base.Outcome`. ``Evaluation.items`` (the tree of
:class:`~perfscore.result.LeafResult` / :class:`~perfscore.result.GroupResult`), explanations
and canonical texts are made from the rows the first time they are read. All arithmetic was
done at scoring time; what is done here (group subtotals) runs in perfscore's own decimal
context, so a reader's context cannot change a number or a sentence.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from ..core.result import GroupResult, LeafResult, NodeResult, _decimal_json
from ..rules.base import Outcome
from ..text.display import fmt, fmt_fixed
from ..text.lazy import Text
from ..text.numbers import local_context

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


# ---------------------------------------------------------------- one JSON line
# The same bytes as ``json.dumps(evaluation.to_dict(), ensure_ascii=False, indent=None)`` and
# as the object-based writer in ``core.result`` (the reference: tests compare the three on
# every example and on generated forms), without building the result objects. What does not
# change from form to form (a leaf's path, name, weight, target, rule) is written once and
# kept (per template plan, bounded); each form fills in its own numbers and texts.


_string = json.encoder.encode_basestring  # the C encoder json.dumps(ensure_ascii=False) uses
_BOUND = 8192
#: id(leaf's fixed parts) → (the objects, their text): the skeleton kept between forms
_PIECES: dict[tuple[int, ...], tuple[tuple[Any, ...], str]] = {}
#: (path, name, weight, effective weight) → the start of that leaf's line
_HEADS: dict[tuple[tuple[str, ...], str, Decimal, Decimal], str] = {}


def _str(value: str | None) -> str:
    return "null" if value is None else _string(value)


def _num(value: Decimal | None) -> str:
    return "null" if value is None else _decimal_json(value)


def _strs(values: tuple[str, ...] | list[str]) -> str:
    return "[" + ", ".join(map(_string, values)) + "]"


def _piece(key_objects: tuple[Any, ...], make: Any) -> str:
    """``make()``, kept for these objects (compared by identity, held so ids stay theirs)."""
    key = tuple(map(id, key_objects))
    hit = _PIECES.get(key)
    if hit is not None and all(a is b for a, b in zip(hit[0], key_objects, strict=True)):
        return hit[1]
    text: str = make()
    if len(_PIECES) < _BOUND:  # bounded; when full keep what is there
        _PIECES[key] = (key_objects, text)
    return text


def evaluation_line(storage: Storage, e: Evaluation) -> str:
    """The whole one-line JSON document (without the final newline)."""
    groups = storage.group_numbers()
    items = ", ".join([_node(storage, node, groups) for node in storage.plan.shape])
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


def _node(
    storage: Storage, node: GroupSpan | int, groups: dict[int, tuple[Decimal, Decimal | None]]
) -> str:
    if isinstance(node, int):
        return _leaf(storage, node)
    children = ", ".join([_node(storage, c, groups) for c in node.children])
    score, reported = groups[id(node)]
    return (
        f'{{"path": {_strs(node.path)}, "name": {_str(node.name)}, '
        f'"weight": {_num(node.weight)}, "score": {_num(score)}, '
        f'"reported": {_num(reported)}, "children": [{children}]}}'
    )


def _leaf(storage: Storage, index: int) -> str:
    plan = storage.plan
    leaf = plan.leaves[index]
    r = storage.rows[index]
    ew = r[EW]
    path, name, weight, target, rule = leaf.path, leaf.name, leaf.weight, leaf.target, leaf.rule
    key = (path, name, weight, ew)  # equal Decimals write the same JSON: keyed by value
    head = _HEADS.get(key)
    if head is None:
        head = (
            f'{{"path": {_strs(path)}, "name": {_str(name)}, '
            f'"weight": {_num(weight)}, "effective_weight": {_num(ew)}, '
        )
        if len(_HEADS) < _BOUND:
            _HEADS[key] = head
    # a target is parsed per form (its numbers differ): written each time, like the actual
    target_part = (
        f'"target": {{"text": {_str(leaf.target_text)}, '
        f'"parsed": {_str(None if target is None else str(target))}}}, '
    )
    step = plan.template.rule(rule)
    rule_part = _piece(
        (rule,),
        lambda: f'"rule": {{"name": {_str(step.label)}, "kind": {_str(step.name)}}}, ',
    )
    actual = r[ACTUAL_Q]
    return (
        f"{head}{target_part}"
        f'"actual": {{"text": {_str(storage.actual_text(index))}, '
        f'"parsed": {_str(None if actual is None else str(actual))}}}, '
        f'{rule_part}"line": {_string(r[LINE])}, "ratio": {_num(r[RATIO])}, '
        f'"raw_score": {_decimal_json(r[RAW])}, "score": {_decimal_json(r[SCORE])}, '
        f'"status": {_string(r[STATUS])}, "tier": {_str(r[TIER])}, '
        f'"flags": {_strs(r[FLAGS])}, "reported": {_num(leaf.reported)}, '
        f'"note": {_str(leaf.note)}, "explanation": {_string(str(storage.explanation(index)))}}}'
    )
