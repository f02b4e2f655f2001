"""One evaluation as one JSON line, written from the compact storage.

Engine stage. The same bytes as ``json.dumps(evaluation.to_dict(), ensure_ascii=False)`` and
as the object-based writer in ``core.result`` (the reference: tests compare the three on every
example and on generated forms), without building the result objects.

What a template's forms share is compiled once into a skeleton (per template plan, by position
in the form): a leaf's start (path, name, weight), its rule's part, a group's start. A form's
leaf uses that text when its rule is the very object the skeleton was made from and its path,
name and weight are equal (equal values write the same text; binding hands every form the
template's own objects, so these checks are mostly identity), and makes and keeps its own
otherwise (a form of another shape, a leaf the form names itself). Each form then fills in
its numbers and texts only. Everything kept is bounded: a few templates, one entry per position,
small tables of short texts; memory stays flat however many forms are written.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Protocol

from ..core.result import _decimal_json
from ..rules.base import Outcome
from ..text.display import fmt, fmt_fixed
from ..text.numbers import DECIMAL_CONTEXT

if TYPE_CHECKING:
    from ..core.result import Evaluation
    from .plan import FormPlan, GroupSpan, LeafData, TemplatePlan

__all__ = ["FROM_FORM", "cut_sentence", "evaluation_line", "said", "sentence"]

ZERO = Decimal(0)
#: In a row's actual-text slot: the actual as the form wrote it (storage re-exports it).
FROM_FORM = False

_string = json.encoder.encode_basestring  # the C encoder json.dumps(ensure_ascii=False) uses
_findings = json.JSONEncoder(ensure_ascii=False).encode  # json.dumps(…, ensure_ascii=False)

#: Group subtotals add in perfscore's context, not the caller's (a private copy: the flags an
#: addition sets stay here); ``a + b`` in that context, without entering it for every line.
_add = DECIMAL_CONTEXT.copy().add

_TEMPLATES = 64  # skeletons kept (one per template plan); more: start again
_POSITIONS = 4096  # leaf positions a skeleton keeps; a larger form writes the rest directly
_TEXTS = 4096  # entries of each table of short texts; full: compute, keep none


class _Rows(Protocol):
    """What the writer reads of a :class:`~perfscore.engine.storage.Storage` (which imports
    this module): the plan and one row per leaf."""

    @property
    def plan(self) -> FormPlan: ...
    @property
    def rows(self) -> list[tuple[Any, ...]]: ...


# ---------------------------------------------------------------- the sentences


def sentence(outcome: Outcome, raw: Decimal, score: Decimal, places: int, weight: Decimal) -> str:
    """The rule's sentence, the value of its expression, how it was limited (to the weight,
    to 0, or by an over-achievement deduction) and the rounding."""
    text = said(outcome)
    value = outcome.raw if outcome.value is None else outcome.value
    arithmetic = outcome.arithmetic
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


def said(outcome: Outcome) -> str:
    """``str(outcome.explanation)``; a kernel's outcome (engine.kernels) renders it through its
    own ``said``, without the Text that reading ``explanation`` first would make."""
    own = getattr(outcome, "said", None)
    return str(outcome.explanation) if own is None else str(own())


def cut_sentence(base: object, step: Decimal, score: Decimal, places: int) -> str:
    """A leaf's sentence after the give-back took one step off it."""
    return f"{base}；折算后各项合计超出总分，本项舍去 {fmt(step)} 分，得 {fmt_fixed(score, places)}"


# ---------------------------------------------------------------- the skeleton


class _Skeleton:
    """One template plan's compiled parts (see the module docstring)."""

    __slots__ = ("groups", "head", "leaves", "tp")

    def __init__(self, tp: TemplatePlan) -> None:
        self.tp = tp  # held: the table is keyed by its id
        #: the line's start: (id, name, version) objects it was made from, and the text
        self.head: tuple[Any, Any, Any, str] | None = None
        #: by leaf position: (path, name, weight, rule, start, rule part, weight's text, the
        #: rule part with each line)
        self.leaves: list[tuple[Any, ...] | None] = []
        #: by id of the group's path: (path, name, weight, start)
        self.groups: dict[int, tuple[Any, Any, Any, str]] = {}


_SKELETONS: dict[int, _Skeleton] = {}
#: (status, tier, flags) → their part of a leaf's line
_TAILS: dict[tuple[str, str | None, tuple[str, ...]], str] = {}


def _skeleton(tp: TemplatePlan) -> _Skeleton:
    found = _SKELETONS.get(id(tp))
    if found is None or found.tp is not tp:
        if len(_SKELETONS) >= _TEMPLATES:
            _SKELETONS.clear()  # bounded: a process that loads ever more templates starts again
        found = _SKELETONS[id(tp)] = _Skeleton(tp)
    return found


def _leaf_part(tp: TemplatePlan, leaf: LeafData) -> tuple[Any, ...]:
    path, name, weight, rule = leaf.path, leaf.name, leaf.weight, leaf.rule
    step = tp.rule(rule)
    start = (
        f'{{"path": [{", ".join(map(_string, path))}], "name": {_string(name)}, '
        f'"weight": {_decimal_json(weight)}, "effective_weight": '
    )
    rule_part = f'"rule": {{"name": {_string(step.label)}, "kind": {_string(step.name)}}}, "line": '
    # the rule's part with the line after it, by line (a rule gives a few): filled as met
    lines: dict[str, str] = {}
    return (path, name, weight, rule, start, rule_part, _decimal_json(weight), lines)


def _tail(status: str, tier: str | None, flags: tuple[str, ...]) -> str:
    key = (status, tier, flags if type(flags) is tuple else tuple(flags))
    found = _TAILS.get(key)
    if found is None:
        found = (
            f'"status": {_string(status)}, "tier": {"null" if tier is None else _string(tier)}, '
            f'"flags": [{", ".join(map(_string, flags))}], '
        )
        if len(_TAILS) < _TEXTS:
            _TAILS[key] = found
    return found


_Part = tuple[object, str]
#: a target's text as written → (the target read from it, its part of the line)
_TARGET_PARTS: dict[str | None, _Part] = {}
#: an actual's text as written → (the quantity scored, its part of the line)
_ACTUAL_PARTS: dict[str | None, _Part] = {}
_SHORT = 64  # longer texts are written each time, not kept


def _keep(table: dict[str | None, _Part], text: str | None, read: object, key: str) -> _Part:
    part = (
        read,
        f'"{key}": {{"text": {"null" if text is None else _string(text)}, '
        f'"parsed": {"null" if read is None else _string(str(read))}}}, ',
    )
    if (text is None or len(text) <= _SHORT) and (text in table or len(table) < _TEXTS):
        table[text] = part
    return part


# ---------------------------------------------------------------- the line


def evaluation_line(storage: _Rows, e: Evaluation) -> str:
    """The whole one-line JSON document (without the final newline)."""
    plan = storage.plan
    tp = plan.template
    sk = _skeleton(tp)
    head = sk.head
    tid, tname, tversion = e.template_id, e.template_name, e.template_version
    if head is None or head[0] is not tid or head[1] is not tname or head[2] is not tversion:
        text = (
            f'{{"template": {{"id": {_str(tid)}, "name": {_str(tname)}, '
            f'"version": {_str(tversion)}}}, "form": {{"unit": '
        )
        head = sk.head = (tid, tname, tversion, text)
    # One list of pieces for the whole line, joined once: a group's start (it holds the
    # subtotal, known only after its children) is put in the place kept for it.
    out = [
        f'{head[3]}{_str(e.unit)}, "year": {_str(e.year)}, "file": {_str(e.file)}}}, '
        f'"digest": {_str(e.digest)}, "weight": {_num(e.total_weight)}, '
        f'"total": {_num(e.total)}, "raw_total": {_num(e.raw_total)}, '
        f'"grade": {_str(e.grade)}, "reported_total": {_num(e.reported_total)}, '
        f'"not_applicable_weight": {_num(e.not_applicable_weight)}, "places": {e.places}, '
        '"items": ['
    ]
    writer = _Writer(storage, sk, out)
    for i, node in enumerate(plan.shape):
        if i:
            out.append(", ")
        if isinstance(node, int):
            writer.leaf(node)
        else:
            writer.group(node)
    out.append('], "findings": [')
    out.append(", ".join([_finding(f.to_dict()) for f in e.findings]))
    out.append("]}")
    return "".join(out)


class _Writer:
    """One form's walk over its tree (the skeleton's parts, the form's numbers)."""

    __slots__ = ("known", "leaves", "out", "places", "rows", "sk", "step", "tp")

    def __init__(self, storage: _Rows, sk: _Skeleton, out: list[str]) -> None:
        plan = storage.plan
        self.sk = sk
        self.tp = plan.template
        self.leaves = plan.leaves
        self.rows = storage.rows
        self.places = plan.template.places
        self.step = plan.template.step
        self.known = sk.leaves
        self.out = out

    def group(self, span: GroupSpan) -> tuple[Decimal, Decimal | None]:
        """Write a group; its (score, reported)."""
        out = self.out
        here = len(out)
        out.append("")  # the group's start, once its subtotal is known
        reports: list[Decimal | None] = []
        score = ZERO
        any_reported = False
        for i, child in enumerate(span.children):
            if i:
                out.append(", ")
            child_score, child_reported = (
                self.leaf(child) if isinstance(child, int) else self.group(child)
            )
            score = _add(score, child_score)  # sum() of the scores, in perfscore's context
            reports.append(child_reported)
            if child_reported is not None:
                any_reported = True
        reported = span.reported
        if reported is None and any_reported:
            # children without any leaf (an empty 经济效益指标) report nothing and count 0
            stated = [
                r
                for r, c in zip(reports, span.children, strict=True)
                if isinstance(c, int) or c.end > c.start
            ]
            if stated and all(r is not None for r in stated):
                reported = ZERO
                for r in stated:
                    assert r is not None
                    reported = _add(reported, r)
        path, name, weight = span.path, span.name, span.weight
        groups = self.sk.groups
        known = groups.get(id(path))
        # by value: a group's weight is often its children's sum, made anew for every form
        if (
            known is None
            or (known[2] is not weight and known[2] != weight)
            or (known[0] is not path and known[0] != path)
            or (known[1] is not name and known[1] != name)
        ):
            start = (
                f'{{"path": [{", ".join(map(_string, path))}], "name": {_string(name)}, '
                f'"weight": {_decimal_json(weight)}, "score": '
            )
            known = (path, name, weight, start)
            if id(path) in groups or len(groups) < _POSITIONS:
                groups[id(path)] = known
        out[here] = (
            f"{known[3]}{_decimal_json(score)}, "
            f'"reported": {"null" if reported is None else _decimal_json(reported)}, '
            '"children": ['
        )
        out.append("]}")
        return score, reported

    def leaf(self, index: int) -> tuple[Decimal, Decimal | None]:
        """Write a leaf; its (score, reported)."""
        leaf = self.leaves[index]
        (ew, line, raw, score, status, flags, text, outcome, actual_text, actual, ratio, tier,
         score0, cut) = self.rows[index]  # fmt: skip
        weight = leaf.weight
        known_leaves = self.known
        known = known_leaves[index] if index < len(known_leaves) else None
        if (
            known is None
            or known[3] is not leaf.rule
            or (known[2] is not weight and known[2] != weight)  # equal: the same text
            or (known[0] is not (path := leaf.path) and known[0] != path)
            or (known[1] is not (name := leaf.name) and known[1] != name)
        ):
            known = _leaf_part(self.tp, leaf)
            if index < len(known_leaves):
                known_leaves[index] = known
            elif index < _POSITIONS:
                known_leaves.extend([None] * (index - len(known_leaves)))
                known_leaves.append(known)
        places = self.places
        if outcome is not None:
            if not outcome.arithmetic and outcome.value is None and outcome.raw == raw == score0:
                why = said(outcome)  # what sentence() gives then: the rule's own
            else:
                why = sentence(outcome, raw, score0, places, ew)
        else:
            why = text if type(text) is str else str(text)
        if cut:
            why = cut_sentence(why, self.step, score, places)
        if actual_text is FROM_FORM:
            items = leaf.actual_items
            actual_text = leaf.actual_text if items is None else "、".join(items)
        # a target and an actual as the form wrote them and as read: the parsers hand out one
        # object per text (bind's caches), so the part is kept by text, checked by identity
        target = leaf.target
        target_text = leaf.target_text
        target_part = _TARGET_PARTS.get(target_text)
        if target_part is None or target_part[0] is not target:
            target_part = _keep(_TARGET_PARTS, target_text, target, "target")
        actual_part = _ACTUAL_PARTS.get(actual_text)
        if actual_part is None or actual_part[0] is not actual:
            actual_part = _keep(_ACTUAL_PARTS, actual_text, actual, "actual")
        rule_line = known[7].get(line)
        if rule_line is None:
            rule_line = f'{known[5]}{_string(line)}, "ratio": '
            if len(known[7]) < 64:
                known[7][line] = rule_line
        try:
            tail = _TAILS[status, tier, flags]
        except (KeyError, TypeError):  # not kept yet (or flags not a tuple)
            tail = _tail(status, tier, flags)
        reported = leaf.reported
        note = leaf.note
        self.out.append(
            f"{known[4]}{known[6] if ew is weight else _decimal_json(ew)}, "
            f"{target_part[1]}{actual_part[1]}{rule_line}"
            f"{'null' if ratio is None else _decimal_json(ratio)}, "
            f'"raw_score": {known[6] if raw is weight else _decimal_json(raw)}, '
            f'"score": {_decimal_json(score)}, {tail}'
            f'"reported": {"null" if reported is None else _decimal_json(reported)}, '
            f'"note": {"null" if note is None else _string(note)}, '
            f'"explanation": {_string(why)}}}'
        )
        return score, reported


def _finding(data: dict[str, Any]) -> str:
    """``json.dumps(data, ensure_ascii=False)`` for a finding's mapping: written directly when
    it holds only strings, ints, lists of strings and mappings of strings to strings (what
    findings hold), by json.dumps otherwise (an encoder is built on every call: slow)."""
    parts = []
    for key, value in data.items():
        kind = type(value)
        if kind is str:
            text = _string(value)
        elif kind is int:
            text = int.__repr__(value)
        elif kind is list and all(type(v) is str for v in value):
            text = f"[{', '.join(map(_string, value))}]"
        elif kind is dict and all(type(k) is str and type(v) is str for k, v in value.items()):
            text = "{" + ", ".join([f"{_string(k)}: {_string(v)}" for k, v in value.items()]) + "}"
        else:
            return _findings(data)
        if type(key) is not str:
            return _findings(data)
        parts.append(f"{_string(key)}: {text}")
    return "{" + ", ".join(parts) + "}"


def _str(value: str | None) -> str:
    return "null" if value is None else _string(value)


def _num(value: Decimal | None) -> str:
    return "null" if value is None else _decimal_json(value)
