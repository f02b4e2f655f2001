"""Hypothesis strategies for whole forms of a template (:func:`forms`); those for words and numbers
are in testing.strategies_text. Public as :mod:`perfscore.strategies`.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from ..build.model import Rule, Template, TemplateNode
from ..errors import PerfscoreError
from ..rules.tiers import _bounds
from ..text import units as _units
from ..text.actual import parse_actual
from ..text.numbers import in_local_context, local_context, quantize
from ..text.quantity import Quantity
from ..text.target import Target, parse_target
from .strategies_text import (
    _QUALITATIVE_POOL,
    _TARGET_OPS,
    QUALITATIVE_WORDS,
    ZERO,
    _actual_text,
    _number,
    _pick,
    _pick_family,
    _plain,
    _target_text,
    _word_pool,
)

if TYPE_CHECKING:
    from .strategies_text import Draw

try:
    from hypothesis import assume
    from hypothesis import strategies as st
    from hypothesis.errors import InvalidArgument
except ImportError as exc:  # pragma: no cover - depends on the installation
    raise ImportError(
        "perfscore.strategies 需要 hypothesis，请安装：pip install 'perfscore[properties]'"
    ) from exc

__all__ = ["forms"]

# ------------------------------------------------------------------ forms


def _leaf_cap(rule: Rule) -> Decimal | None:
    """The most points ``rule`` can give whatever the weight, or ``None`` when it scales."""
    p = rule.params
    if rule.kind == "checklist" and p.mode == "add":
        return Decimal(len(p.items)) * Decimal(p.points)
    ends: list[Quantity | None] = []
    if rule.kind == "bands":
        if any(b.score.unit is not None for b in p.bands):
            return None
        return max(Decimal(b.score.value) for b in p.bands)
    if rule.kind == "tiers":
        ends = [t.range.high for t in p.tiers]
    elif rule.kind == "manual" and p.range is not None:
        ends = [p.range.high]
    if not ends or any(e is None or e.unit is not None for e in ends):
        return None
    return max(e.value for e in ends if e is not None)


def _op_for(rule: Rule) -> Sequence[str]:
    """Target ops that make sense with ``rule`` when the form chooses the target."""
    if rule.kind == "ratio":
        return {
            "positive": (">=", ">", "range"),
            "reverse": ("<=", "<"),
            "equal": ("=",),
        }.get(rule.params.direction, (">=", ">", "<=", "<", "=", "range"))
    if rule.kind in ("threshold",):
        return (">=", "<=", ">", "<", "=", "qualitative")
    if rule.kind == "tiers":
        return ("qualitative",)
    if rule.kind == "formula":
        return (">=", "<=", "=")
    return ()


def _minimum(node: TemplateNode) -> Decimal:
    if node.weight is not None:
        return node.weight
    return sum((_minimum(c) for c in node.children), ZERO)


def _flexible(node: TemplateNode) -> bool:
    if node.weight is not None:
        return False
    if node.open or node.is_leaf:
        return True
    return any(_flexible(c) for c in node.children)


def _split(draw: Draw, amount: Decimal, parts: int, places: int) -> list[Decimal]:
    """``parts`` non-negative amounts summing exactly to ``amount``."""
    if parts == 1:
        return [amount]
    exponent = amount.normalize().as_tuple().exponent
    assert isinstance(exponent, int)
    grain_places = max(0, -exponent)
    if draw(st.booleans()):
        grain_places = max(grain_places, min(places, 2))
    grain = Decimal(1).scaleb(-grain_places)
    units_total = int(amount / grain)
    if draw(st.integers(0, 3)) == 0:  # the even split forms usually have
        each = units_total // parts
        cuts = [each * i for i in range(1, parts)]
    else:
        cuts = sorted(draw(st.integers(0, units_total)) for _ in range(parts - 1))
    bounds = [0, *cuts, units_total]
    return [Decimal(b - a) * grain for a, b in itertools.pairwise(bounds)]


def _allocate(
    draw: Draw, nodes: Sequence[TemplateNode], amount: Decimal, places: int
) -> list[Decimal]:
    """The weight each sibling gets so that they sum to ``amount``."""
    flexible = [i for i, n in enumerate(nodes) if _flexible(n)]
    fixed = sum((_minimum(n) for i, n in enumerate(nodes) if i not in flexible), ZERO)
    floor = sum((_minimum(nodes[i]) for i in flexible), ZERO)
    spare = amount - fixed - floor
    names = "、".join(n.name for n in nodes)
    if spare < 0 or (not flexible and spare != 0):
        raise InvalidArgument(
            f"模板中“{names}”的分值无法凑足 {_plain(amount)}（固定分值合计 {_plain(fixed + floor)}）"
        )
    shares = _split(draw, spare, len(flexible), places) if flexible else []
    out = [_minimum(n) for n in nodes]
    for i, share in zip(flexible, shares, strict=True):
        out[i] += share
    return out


def _score_within(draw: Draw, low: Decimal, high: Decimal, places: int) -> Decimal | None:
    if low > high:
        return None
    grain = Decimal(1).scaleb(-places)
    span = int((high - low) / grain)
    with local_context():
        start = quantize(low, places)
        if start < low:
            start += grain
    value = start + grain * draw(st.integers(0, max(0, span)))
    if value > high:
        value = start
    return value if low <= value <= high else None


def _words_for(draw: Draw, rule: Rule, target: Target | None) -> dict[str, Any]:
    """Actual / tier for a tiers rule: a tier word, the target's own word, or a stated tier."""
    p = rule.params
    options: list[str] = [w for tier in p.tiers for w in tier.words if w.strip()]
    mode = _pick(draw, ("word", "word", "same", "tier"))
    if mode == "same" and target is not None and target.op == "qualitative" and p.same_word:
        return {"actual": str(target)}
    if mode == "word" and options:
        word = _pick(draw, options)
        try:
            parse_actual(word, target)
        except PerfscoreError:
            word = ""
        # 已 only before words matched inside answers (优 中 差 … match whole answers only)
        inside = len(word) > p.whole_answer_length and not word.startswith(("已", "未"))
        if word and draw(st.integers(0, 3)) == 0 and inside:
            word = f"已{word}"
        if word:
            return {"actual": word}
    return {"tier": _pick(draw, [t.name for t in p.tiers])}


class _Builder:
    def __init__(self, draw: Draw, template: Template, max_leaves: int, reported: bool, na: bool):
        self.draw = draw
        self.t = template
        self.max_leaves = max_leaves
        self.reported = reported
        self.na = na
        self.places = template.rounding.places
        self.pending: list[tuple[dict[str, Any], Rule, Decimal]] = []
        self.na_weight = ZERO

    # -- routes: which rule an open leaf uses, and the target op that selects it

    def routes(self, weight: Decimal) -> list[tuple[Rule, str | None, str | None]]:
        out: list[tuple[Rule, str | None, str | None]] = []
        order = {op: i for i, op in enumerate(_TARGET_OPS)}
        for op, name in sorted(self.t.defaults.items(), key=lambda kv: order.get(kv[0], 99)):
            rule = self.t.rules.get(name)
            if rule is not None:
                out.append((rule, op, None))
        for name, rule in self.t.rules.items():
            out.append((rule, None, name))
        fitting = [r for r in out if (cap := _leaf_cap(r[0])) is None or weight <= cap]
        return fitting or out

    def nodes(self, nodes: Sequence[TemplateNode], amount: Decimal) -> dict[str, Any]:
        weights = _allocate(self.draw, nodes, amount, self.places)
        out: dict[str, Any] = {}
        for node, weight in zip(nodes, weights, strict=True):
            key = node.name
            if node.aliases and self.draw(st.integers(0, 4)) == 0:
                key = _pick(self.draw, node.aliases)
            if node.is_leaf:
                out[key] = self.fixed_leaf(node, weight)
            elif node.open:
                out[key] = self.open_leaves(node, weight)
            else:
                out[key] = self.nodes(node.children, weight)
        return out

    def open_leaves(self, node: TemplateNode, amount: Decimal) -> list[dict[str, Any]]:
        if amount == 0:
            return []
        count = self.draw(st.integers(1, self.max_leaves))
        weights = _split(self.draw, amount, count, self.places)
        leaves = []
        for i, weight in enumerate(weights, 1):
            route = _pick(self.draw, self.routes(weight))
            entry: dict[str, Any] = {"name": f"{node.name}{i}"}
            self.content(entry, route[0], route[1], None, weight)
            if route[2] is not None:
                entry["rule"] = route[2]
            entry["weight"] = _plain(weight)
            self.extras(entry, weight)
            leaves.append(entry)
        return leaves

    def fixed_leaf(self, node: TemplateNode, weight: Decimal) -> dict[str, Any]:
        entry: dict[str, Any] = {}
        rule = node.rule
        if rule is None and node.target is not None:
            key = node.target.op
            rule = self.t.rules.get(self.t.defaults.get(key, ""))
        if rule is None:  # the form chooses the rule (and maybe the target)
            route = _pick(self.draw, self.routes(weight))
            self.content(entry, route[0], route[1], node.target, weight)
            if route[2] is not None:
                entry["rule"] = route[2]
        elif node.actual_from is None:
            self.content(entry, rule, None, node.target, weight)
        if node.weight is None:
            entry["weight"] = _plain(weight)
        self.extras(entry, weight, can_skip=node.actual_from is None)
        return entry

    def extras(self, entry: dict[str, Any], weight: Decimal, *, can_skip: bool = True) -> None:
        if self.reported and self.draw(st.booleans()):
            entry["reported"] = _plain(_number(self.draw, ZERO, weight, 2))
        if self.na and can_skip and self.draw(st.integers(0, 5)) == 0:
            self.na_weight += weight
            if self.draw(st.booleans()):
                entry["applicable"] = False
            else:
                entry["actual"] = _pick(self.draw, ("不适用", "不涉及", "/"))
            entry.pop("score", None)

    # -- a leaf's target / actual / score for a rule

    def target_for(self, rule: Rule, op: str | None, family: str | None = None) -> Target:
        ops = [op] if op is not None else list(_op_for(rule)) or [">="]
        kind = _pick(self.draw, ops)
        if kind == "qualitative" and rule.kind == "tiers":
            words = [w for t in rule.params.tiers for w in t.words] + list(QUALITATIVE_WORDS)
            text = _target_text(self.draw, "qualitative", None, ZERO, ZERO, 2, _word_pool(words))
        elif kind == "qualitative":
            text = _target_text(self.draw, "qualitative", None, ZERO, ZERO, 2, _QUALITATIVE_POOL)
        else:
            fam = family or _pick_family(self.draw)
            low = 1 if rule.kind == "formula" else 0
            text = _target_text(self.draw, kind, fam, Decimal(low), Decimal(1000), 2, ())
        return parse_target(text)

    def content(
        self,
        entry: dict[str, Any],
        rule: Rule,
        op: str | None,
        fixed: Target | None,
        weight: Decimal,
    ) -> None:
        """Fill ``entry`` (the form's leaf mapping) with what ``rule`` needs."""
        d, p = self.draw, rule.params
        target = fixed
        kind = rule.kind
        if kind in ("ratio", "threshold", "formula"):
            if target is None:
                target = self.target_for(rule, op)
                entry["target"] = _target_spelling(d, target)
            if target.op == "qualitative":
                entry["actual"] = _pick(d, [*target.words, "未完成", "部分完成"])
            else:
                entry["actual"] = _actual_text(d, target, (), False)
        elif kind == "tiers":
            if target is None:
                target = self.target_for(rule, op if op == "qualitative" else None)
                entry["target"] = _target_spelling(d, target)
            entry.update(_words_for(d, rule, target))
            if d(st.integers(0, 2)) == 0:
                self.pending.append((entry, rule, weight))
        elif kind in ("bands", "deduction"):
            ref = _reference(rule)
            family = ref.unit.family if ref is not None and ref.unit is not None else "number"
            if target is None and op is not None and op != "qualitative":
                target = self.target_for(rule, op, family if family != "number" else "ratio")
                entry["target"] = _target_spelling(d, target)
            if kind == "deduction" or p.of == "actual":
                q = _domain_values(d, rule)
                entry["actual"] = _plain(q.value) + ("" if q.unit is None else q.unit.symbol)
            else:
                entry["actual"] = "见基础数据"
        elif kind == "checklist":
            items = [i for i in p.items if d(st.booleans())]
            items = [items[j] for j in d(st.permutations(range(len(items))))] if items else []
            entry["actual"] = items
        elif kind == "manual":
            if op is not None:
                target = target or self.target_for(rule, op)
                entry["target"] = _target_spelling(d, target)
            self.pending.append((entry, rule, weight))
        # execution_rate: the budget block carries the figures

    def fill_scores(self) -> None:
        for entry, rule, weight in self.pending:
            if entry.get("applicable") is False or "不" in str(entry.get("actual", "")):
                continue
            with local_context():
                # a stated score is in points of the form's own weight (the engine rescales it)
                effective = weight
                if rule.kind == "manual":
                    low, high = (
                        (ZERO, effective)
                        if rule.params.range is None
                        else _bounds(rule.params.range, effective, self.places)
                    )
                else:
                    tiers = {t.name: t for t in rule.params.tiers}
                    tier = tiers.get(entry.get("tier", ""))
                    if tier is None:
                        continue
                    low, high = _bounds(tier.range, effective, self.places)
            score = _score_within(self.draw, low, high, self.places)
            if score is not None:
                entry["score"] = _plain(score)
            elif rule.kind == "manual":
                raise InvalidArgument(f"人工评分规则在分值 {_plain(weight)} 下没有可选的得分")


def _target_spelling(draw: Draw, target: Target) -> str:
    """The target as text: its source spelling or its canonical form."""
    return target.source if target.source is not None and draw(st.booleans()) else str(target)


def _reference(rule: Rule) -> Quantity | None:
    p = rule.params
    if rule.kind == "deduction":
        return p.limit  # type: ignore[no-any-return]
    for band in p.bands:
        for end in (band.range.low, band.range.high):
            if end is not None and end.unit is not None:
                return end  # type: ignore[no-any-return]
    for band in p.bands:
        for end in (band.range.low, band.range.high):
            if end is not None:
                return end  # type: ignore[no-any-return]
    return None


def _domain_values(draw: Draw, rule: Rule) -> Quantity:
    """Values a bands/deduction rule sees: from 0 to twice its largest finite end, and every end."""
    p = rule.params
    unit: _units.Unit | None = None
    ends: list[Quantity] = []
    if rule.kind == "deduction":
        ends = [p.limit, Quantity(p.limit.value + p.step.value * 3, p.limit.unit)]
        unit = p.limit.unit
    else:
        for band in p.bands:
            ends.extend(e for e in (band.range.low, band.range.high) if e is not None)
        unit = next((e.unit for e in ends if e.unit is not None), None)
    ends = [
        Quantity(_units.convert(e.value, e.unit, unit) if e.unit else e.value, unit) for e in ends
    ]
    values = sorted({e.value for e in ends} | {ZERO})
    top = max(values[-1] * 2, Decimal(1))
    choice = draw(st.integers(0, 3))
    if choice == 0:
        value = _pick(draw, values)
    elif choice == 1:
        value = _pick(draw, values) + draw(st.sampled_from((Decimal("-0.01"), Decimal("0.01"))))
    else:
        value = _number(draw, ZERO, top, 2)
    return Quantity(max(value, ZERO) + 0, unit)


def _budget_keys(template: Template) -> list[tuple[str, str]]:
    rules = list(template.rules.values()) + [n.rule for n in template.walk() if n.rule is not None]
    return sorted(
        {(r.params.executed, r.params.budget) for r in rules if r.kind == "execution_rate"}
    )


def _put(mapping: dict[str, Any], dotted: str, value: str) -> None:
    *parents, last = dotted.split(".")
    for part in parents:
        mapping = mapping.setdefault(part, {})
    mapping[last] = value


def _budget(draw: Draw, template: Template) -> dict[str, Any] | None:
    keys = _budget_keys(template)
    if not keys:
        return None
    budget: dict[str, Any] = {"unit": "万元"}
    for executed, planned in keys:
        plan = _number(draw, Decimal(1), Decimal(100000), 2)
        rate = draw(st.one_of(st.just(100), st.integers(0, 150)))
        with local_context():
            done = quantize(plan * rate / 100, 2)
        if planned not in budget:
            _put(budget, planned, _plain(plan))
        _put(budget, executed, _plain(done))
    return budget


def _inputs(draw: Draw, template: Template) -> dict[str, str]:
    if not template.inputs:
        return {}
    base = draw(st.integers(1, 5000))
    values: dict[str, Decimal] = {}
    out: dict[str, str] = {}
    for name, spec in template.inputs.items():
        share = draw(st.one_of(st.just(100), st.integers(1, 200)))
        integral = spec.unit is not None and spec.unit.family.startswith("count:")
        with local_context():
            value = quantize(Decimal(base) * share / 100, 0 if integral else 2)
        value = max(value, Decimal(1) if integral else Decimal("0.01"))
        values[name] = value
        with_unit = spec.unit is not None and draw(st.booleans())
        out[name] = _plain(value) + (spec.unit.symbol if with_unit and spec.unit else "")
    for name, computed in template.computed.items():
        try:
            values[name] = computed.formula.evaluate(values)
        except PerfscoreError:
            assume(False)  # e.g. a denominator that happens to be 0
    return out


def forms(
    template: Template,
    *,
    max_leaves: int = 3,
    reported: bool = True,
    not_applicable: bool = False,
) -> st.SearchStrategy[dict[str, Any]]:
    """Valid form mappings for ``template`` (pass to ``perfscore.load_form(m, template=...)``).

    Weights sum exactly to every fixed parent and to the total (open nodes get 1 to
    ``max_leaves`` generated leaves filling their parent's weight); targets have compatible
    units and actuals are consistent with them; qualitative words come from the template's
    tiers rules, checklist items from the rule, stated and manual scores lie in their range;
    inputs are positive (computed values that would divide by zero are skipped) and the budget
    has the figures every ``execution_rate`` rule needs. ``reported`` adds self-given scores;
    ``not_applicable`` marks some leaves 不适用.

    Raises :class:`hypothesis.errors.InvalidArgument` when the template's fixed weights leave
    no valid form (e.g. fixed children heavier than their parent).
    """
    if not isinstance(template, Template):
        raise InvalidArgument(f"forms() 需要 perfscore.Template，实际为 {type(template).__name__}")

    return _forms(template, max_leaves, reported, not_applicable)


@st.composite
@in_local_context  # draws do Decimal arithmetic: never in the caller's context
def _forms(
    draw: Draw, template: Template, max_leaves: int, reported: bool, not_applicable: bool
) -> dict[str, Any]:
    builder = _Builder(draw, template, max_leaves, reported, not_applicable)
    indicators = builder.nodes(template.nodes, template.total)
    builder.fill_scores()
    data: dict[str, Any] = {
        "kind": "form",
        "template": template.id,
        "unit": "测试单位",
        "year": "2023",
    }
    budget = _budget(draw, template)
    if budget is not None:
        data["budget"] = budget
    inputs = _inputs(draw, template)
    if inputs:
        data["inputs"] = inputs
    data["indicators"] = indicators
    return data
