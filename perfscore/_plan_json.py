"""One-line JSON of an evaluation, written from the engine's compact storage.

Render stage. The same bytes as ``json.dumps(evaluation.to_dict(), ensure_ascii=False,
indent=None)`` and as the object-based writer in ``perfscore.result`` (the reference: tests
compare the three on every example and on generated forms), without building the result
objects. What does not change from form to form — a leaf's path, name and weight, its target,
its rule — is written once and kept (per template plan, bounded); each form fills in its own
numbers, texts and explanations.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from ._storage import (
    ACTUAL_Q,
    EW,
    FLAGS,
    LINE,
    RATIO,
    RAW,
    SCORE,
    STATUS,
    TIER,
    Storage,
)
from .result import _decimal_json

if TYPE_CHECKING:
    from ._plan import GroupSpan
    from .result import Evaluation

__all__ = ["evaluation_line"]

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
