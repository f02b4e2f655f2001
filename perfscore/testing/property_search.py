"""Searching a rule's input space for the property checker: gaps between tiers and bands, candidate
quantities, the best reachable score.
"""

from __future__ import annotations

import copy
import json
import random
from collections.abc import Iterator, Mapping, Sequence
from decimal import Decimal
from fractions import Fraction
from typing import Any

import attrs

from ..build.model import Form, Leaf, Rule, Template
from ..core.result import Evaluation, LeafResult
from ..engine.evaluate import _Evaluator
from ..errors import PerfscoreError
from ..rules.base import ScoreInput
from ..rules.registry import KINDS
from ..rules.tiers import _bounds
from ..text.display import fmt
from ..text.numbers import local_context, quantize
from ..text.quantity import Quantity, _adopt

__all__ = []

ZERO = Decimal(0)


# ====================================================================== helpers


def _plain(value: Decimal) -> str:
    text = format(value, "f")
    return "0" if text in ("-0", "") else text


def _describe(change: Mapping[str, Any] | None) -> str:
    if not change:
        return ""
    parts = []
    for key, value in change.items():
        shown = "、".join(value) if isinstance(value, list) else str(value)
        parts.append(f"{key}: {shown}")
    return "（最高分时 " + "，".join(parts) + "）"


def _navigate(template: Template, data: dict[str, Any], path: tuple[str, ...]) -> dict[str, Any]:
    """The form entry for ``path`` (created for fixed leaves the form leaves out)."""
    nodes = template.nodes
    mapping: Any = data.setdefault("indicators", {})
    for i, name in enumerate(path):
        node = next((n for n in nodes if n.name == name), None)
        if node is None:  # an open node's generated leaf
            assert isinstance(mapping, list)
            entry: dict[str, Any] = next(e for e in mapping if e.get("name") == name)
            return entry
        key = next((k for k in (node.name, *node.aliases) if k in mapping), node.name)
        if i == len(path) - 1:
            found: dict[str, Any] = mapping.setdefault(key, {})
            return found
        mapping = mapping.setdefault(key, [] if node.open else {})
        nodes = node.children
    raise KeyError(path)  # pragma: no cover


def _with_entry(
    template: Template, data: Mapping[str, Any], path: tuple[str, ...], change: Mapping[str, Any]
) -> dict[str, Any]:
    copied = copy.deepcopy(dict(data))
    entry = _navigate(template, copied, path)
    for key in ("actual", "tier", "score"):
        if key in change:
            entry.pop(key, None)
    entry.update(change)
    return copied


def _rules_in_use(template: Template) -> Iterator[tuple[Rule, list[Decimal]]]:
    """Every rule of the template with the fixed weights of the leaves that use it."""
    seen: dict[int, tuple[Rule, list[Decimal]]] = {}
    for rule in template.rules.values():
        seen.setdefault(id(rule), (rule, []))
    for node in template.walk():
        if node.rule is not None:
            entry = seen.setdefault(id(node.rule), (node.rule, []))
            if node.weight is not None and node.is_leaf:
                entry[1].append(node.weight)
    yield from seen.values()


# -- coverage


_End = tuple[Fraction | None, bool]  # value (None = infinite) and whether it is included


def _gap(
    intervals: Sequence[tuple[_End, _End]], low: Fraction, high: Fraction | None, grain: Fraction
) -> Fraction | None:
    """The first value of [low, high] (high None: +∞) no interval contains, or None."""
    pos, covered = low, False

    def start_key(item: tuple[_End, _End]) -> tuple[int, Fraction, int]:
        (v, closed), _ = item
        return (0, Fraction(0), 0) if v is None else (1, v, 0 if closed else 1)

    for (lo, lo_closed), (hi, hi_closed) in sorted(intervals, key=start_key):
        if hi is not None and (hi < pos or (hi == pos and (covered or not hi_closed))):
            continue  # wholly before what is still to cover
        if lo is not None and (lo > pos or (lo == pos and not lo_closed and not covered)):
            if high is not None and pos > high:
                return None
            return pos if not covered else (pos + lo) / 2 if lo > pos else pos
        if hi is None:
            return None
        pos, covered = hi, hi_closed
    if high is None:
        return pos + grain if covered else pos
    if pos < high or (pos == high and not covered):
        return pos if not covered else high
    return None


def _share_end(q: Quantity | None, weight: Decimal | None) -> Fraction | None:
    if q is None:
        return None
    if q.unit is not None and q.unit.family == "ratio":
        return q.exact
    if weight is None or weight == 0:
        return Fraction(q.value)
    return Fraction(q.value) / Fraction(weight)


def _tiers_gap(rule: Rule, weights: list[Decimal]) -> tuple[str, Any] | None:
    tiers = rule.params.tiers
    points = any(
        e is not None and (e.unit is None or e.unit.family != "ratio")
        for t in tiers
        for e in (t.range.low, t.range.high)
    )
    checks: list[Decimal | None] = list(dict.fromkeys(weights)) if points else [None]
    if points and not checks:
        checks = [None]
    for weight in checks:
        intervals = [
            (
                (_share_end(t.range.low, weight), t.range.low_closed),
                (_share_end(t.range.high, weight), t.range.high_closed),
            )
            for t in tiers
        ]
        top = Fraction(1) if (weight is not None or not points) else None
        if points and weight is None:
            top = max((h for (_, (h, _)) in intervals if h is not None), default=None)
        gap = _gap(intervals, Fraction(0), top, Fraction(1, 10000))
        if gap is None:
            continue
        w = weight if weight is not None else Decimal(100)
        score = Decimal(gap.numerator) / Decimal(gap.denominator) * w
        with local_context():
            score = quantize(score, 4).normalize()
        below = _nearest_tier(tiers, gap, weight)
        share = fmt(Decimal(gap.numerator) / Decimal(gap.denominator) * 100, 2)
        where = f"（分值 {fmt(w)} 时为 {fmt(score)} 分）" if weight is not None else ""
        return (
            f"的档次未覆盖 0～100% 的得分：占分值 {share}%{where}不属于任何档次",
            (below, score),
        )
    return None


def _nearest_tier(tiers: Sequence[Any], share: Fraction, weight: Decimal | None) -> str:
    best = tiers[0]
    for tier in tiers:
        high = _share_end(tier.range.high, weight)
        current = _share_end(best.range.high, weight)
        if high is not None and high <= share and (current is None or high >= current):
            best = tier
    return str(best.name)


def _bands_gap(rule: Rule) -> tuple[str, Any] | None:
    bands = rule.params.bands
    ref = next(
        (e for b in bands for e in (b.range.low, b.range.high) if e is not None and e.unit),
        next((e for b in bands for e in (b.range.low, b.range.high) if e is not None), None),
    )
    if ref is None:
        return None
    unit = ref.unit

    def end(q: Quantity | None) -> Fraction | None:
        if q is None:
            return None
        adopted = _adopt(q, ref)
        return Fraction(adopted.to(unit).value) if unit is not None else Fraction(adopted.value)

    intervals = [
        ((end(b.range.low), b.range.low_closed), (end(b.range.high), b.range.high_closed))
        for b in bands
    ]
    gap = _gap(intervals, Fraction(0), None, Fraction(1, 100))
    if gap is None:
        return None
    value = Quantity(Decimal(gap.numerator) / Decimal(gap.denominator), unit)
    ranges = "、".join(str(b.range) for b in bands)
    return (
        f"的区间（{ranges}）未覆盖 [0, +∞)：数值 {value} 不在任何区间内，计分时会出错",
        value,
    )


# -- full marks


def _score_input(
    form: Form, leaf: Leaf, weight: Decimal, values: Mapping[str, Decimal]
) -> ScoreInput:
    evaluator = _Evaluator(form.plan, True)
    evaluator.values = dict(values)
    return evaluator.score_input(leaf, weight)


def _reference_unit(leaf: Leaf, x: ScoreInput) -> Any:
    if leaf.target is not None and leaf.target.quantity is not None:
        return leaf.target.quantity.unit
    if x.actual is not None:
        return x.actual.unit
    p = leaf.rule.params
    if leaf.rule.kind == "deduction":
        return p.limit.unit
    if leaf.rule.kind == "bands":
        return next(
            (e.unit for b in p.bands for e in (b.range.low, b.range.high) if e and e.unit), None
        )
    return None


def _quantity_candidates(leaf: Leaf, x: ScoreInput) -> list[Quantity]:
    unit = _reference_unit(leaf, x)
    refs: list[Decimal] = [ZERO]
    p = leaf.rule.params

    def add(q: Quantity | None) -> None:
        if q is None:
            return
        try:
            adopted = _adopt(q, Quantity(Decimal(1), unit)) if unit is not None else q
            refs.append(adopted.to(unit).value if unit is not None else adopted.value)
        except PerfscoreError:
            pass

    if leaf.target is not None:
        add(leaf.target.value)
        add(leaf.target.low)
        add(leaf.target.high)
    if x.actual is not None:
        add(x.actual)
    if leaf.rule.kind == "deduction":
        add(p.limit)
    if leaf.rule.kind == "bands":
        for band in p.bands:
            add(band.range.low)
            add(band.range.high)
    values: set[Decimal] = set()
    for r in refs:
        for v in (r, r * 2, r / 2, r * 10, r + Decimal("0.01"), r - Decimal("0.01"), r + 1, r - 1):
            values.add(v)
    with local_context():
        if leaf.rule.kind == "formula":
            top = max(refs) if refs else Decimal(1)
            values.update(top * i / 8 for i in range(0, 33))
        return [Quantity(v + 0, unit) for v in sorted(values)]


def _best_score(
    form: Form, leaf: Leaf, res: LeafResult, values: Mapping[str, Decimal]
) -> tuple[Decimal | None, dict[str, Any] | None]:
    """The highest score any tried actual gives ``leaf``, and the form change that gives it."""
    kind = KINDS[leaf.rule.kind]
    places = form.template.rounding.places
    weight = res.effective_weight
    base = _score_input(form, leaf, weight, values)
    evaluator = _Evaluator(form.plan, True)
    evaluator.values = dict(values)
    direct = leaf.actual_from is None
    trials: list[tuple[ScoreInput, dict[str, Any] | None]] = []
    p = leaf.rule.params
    name = leaf.rule.kind
    if name in ("ratio", "threshold", "bands", "deduction", "formula"):
        for q in _quantity_candidates(leaf, base):
            change = {"actual": str(q)} if direct else None
            trials.append((attrs.evolve(base, actual=q, word=None), change))
        if name == "threshold" and leaf.target is not None and leaf.target.op == "qualitative":
            word = str(leaf.target)
            trials.append((attrs.evolve(base, actual=None, word=word), {"actual": word}))
    elif name == "tiers":
        for tier in p.tiers:
            low, high = _bounds(tier.range, weight, places)
            if low <= high:
                change = {"tier": tier.name, "score": _plain(high)}
                trials.append((attrs.evolve(base, tier=tier.name, given=high), change))
            trials.append((attrs.evolve(base, tier=tier.name, given=None), {"tier": tier.name}))
    elif name == "checklist":
        items = list(p.items)
        trials.append((attrs.evolve(base, items=tuple(items)), {"actual": items}))
    elif name == "manual":
        low, high = (ZERO, weight) if p.range is None else _bounds(p.range, weight, places)
        trials.append((attrs.evolve(base, given=high), {"score": _plain(high)}))
    elif name == "execution_rate":
        budget = dict(base.budget)
        plan = budget.get(p.budget)
        if plan is not None:
            factor = max(Decimal(1), p.cap)
            budget[p.executed] = Quantity(plan.value * factor, plan.unit)
            trials.append((attrs.evolve(base, budget=budget), None))
    else:  # pragma: no cover - every kind is listed above
        return None, None
    best: Decimal | None = None
    best_change: dict[str, Any] | None = None
    with local_context():
        for x, change in trials:
            try:
                outcome = kind.score(p, x)
            except PerfscoreError:
                continue
            raw = min(max(outcome.raw, ZERO), weight)
            raw = evaluator._over_achievement(leaf, outcome, raw, [])
            score = quantize(raw, places)
            if best is None or score > best:
                best, best_change = score, change
    return best, best_change


# -- monotone


def _direction(leaf: Leaf) -> str | None:
    """``positive`` / ``reverse`` when the leaf's score should move with its actual."""
    rule, target = leaf.rule, leaf.target
    if rule.kind == "deduction":
        return "reverse" if rule.params.side == "above" else "positive"
    if rule.kind not in ("ratio", "threshold", "bands", "formula"):
        return None
    if target is None or target.op in ("range", "qualitative"):
        return None
    direction = target.direction
    if rule.kind == "ratio" and rule.params.direction != "auto":
        direction = rule.params.direction
    return direction if direction in ("positive", "reverse") else None


def _actual_of(form: Form, leaf: Leaf) -> Quantity | None:
    if leaf.actual_from is not None:
        spec = form.template.inputs.get(leaf.actual_from)
        q = form.inputs.get(leaf.actual_from)
        if spec is None or q is None:
            return None  # a computed value: not varied directly
        return q
    if not leaf.applicable or leaf.actual is None or leaf.actual.quantity is None:
        return None
    return leaf.actual.quantity


def _set_actual(
    template: Template, data: Mapping[str, Any], leaf: Leaf, q: Quantity
) -> dict[str, Any] | None:
    if leaf.actual_from is not None:
        copied = copy.deepcopy(dict(data))
        copied.setdefault("inputs", {})[leaf.actual_from] = str(q)
        return copied
    return _with_entry(template, data, leaf.path, {"actual": str(q)})


# -- permutation


def _shuffle(obj: Any, rnd: random.Random) -> Any:
    if isinstance(obj, Mapping):
        keys = list(obj)
        rnd.shuffle(keys)
        return {k: _shuffle(obj[k], rnd) if k != "actual" else obj[k] for k in keys}
    if isinstance(obj, list):
        items = [_shuffle(v, rnd) for v in obj]
        if all(isinstance(v, Mapping) and "name" in v for v in items):
            rnd.shuffle(items)  # leaves of an open node; checklist lists keep their order
        return items
    return obj


def _canonical(result: Evaluation) -> str:
    data = result.to_dict()

    def sort(node: Any) -> Any:
        if isinstance(node, dict):
            return {k: sort(v) for k, v in node.items()}
        if isinstance(node, list):
            items = [sort(v) for v in node]
            if all(isinstance(v, dict) and "path" in v for v in items):
                items.sort(key=lambda v: json.dumps(v, sort_keys=True, default=str))
            return items
        return node

    data = sort(data)
    data["digest"] = ""  # computed from key order-free data already; kept out of the diff
    return json.dumps(data, sort_keys=True, ensure_ascii=False, default=str)


def _first_difference(a: str, b: str) -> str:
    i = next((k for k, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), min(len(a), len(b)))
    return f"…{a[max(0, i - 60) : i + 60]}… 与 …{b[max(0, i - 60) : i + 60]}…"
