"""Per-leaf kernels: the common rules scored without the general leaf's machinery.

Engine stage. Most leaves of real forms are a ``ratio`` against ``≥ ≤ =`` with the actual in
the target's unit, a ``tiers`` answer in words, a ``checklist`` of items, or the one
``execution_rate`` leaf. For those the general path (``_Evaluator._leaf``) builds a
:class:`~perfscore.rules.base.ScoreInput`, an attrs :class:`~perfscore.rules.base.Outcome` and
closures that nobody may ever read. The ratio and execution kernels do the same arithmetic in
the same order, in the evaluation's decimal context, and write the same row; their outcome is a
small slotted object with Outcome's attributes, from which ``storage.explain`` renders the same
sentence. A tiers or checklist row depends only on the answer and the weight: the general path
makes it once per rule, later forms share it.

A kernel is chosen once per rule object (cached on the template plan) and returns ``None``
whenever a condition of its shortcut does not hold (another unit, flags on the actual, a
computed actual, a stated tier or score, a non-positive target, …): the evaluator then runs the
general path, which stays the reference (``tests/property/test_kernels.py`` compares the two).
Under 不适用 rescaling the ratio and execution kernels score the rescaled weight, as the
general path does for rules whose score scales with the weight.
"""

from __future__ import annotations

import decimal
from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal
from math import gcd
from typing import Any, Protocol

from ..text.display import fmt, fmt_q
from ..text.lazy import Text
from ..text.numbers import DECIMAL_CONTEXT, quantize
from ..text.quantity import Quantity
from ..text.target import Target
from .plan import FormPlan, LeafData, RuleStep, TemplatePlan
from .storage import FROM_FORM, Row

__all__ = ["Host", "Kernel", "kernel_for"]

ZERO = Decimal(0)
ONE = Decimal(1)
_PREC = DECIMAL_CONTEXT.prec
_MEMO_BOUND = 4096  # per rule: rows kept (tiers, checklist); full: compute, keep none


class Host(Protocol):
    """What a kernel needs of the evaluator (``_Evaluator``)."""

    findings: list[Any]
    errors: list[Any]
    plan: FormPlan
    factor: Decimal  # the 不适用 rescaling factor (1: none)
    unscaled: bool  # factor == 1

    def _leaf(self, leaf: LeafData, not_applicable: bool) -> Row: ...
    def _over_ratio(
        self, leaf: LeafData, ratio: Decimal, raw: Decimal, flags: list[str]
    ) -> Decimal: ...
    def _over_hundred(self, leaf: LeafData, actual: Quantity | None, flags: list[str]) -> None: ...


Kernel = Callable[[Host, LeafData], "Row | None"]


def kernel_for(tp: TemplatePlan, step: RuleStep) -> Kernel | None:
    """The kernel of ``step``'s rule in this template, or None (general path only)."""
    if step.name == "ratio":
        return _ratio_kernel(tp, step)
    if step.name == "tiers":
        return _tiers_kernel(tp, step)
    if step.name == "execution_rate":
        return _execution_kernel(tp, step)
    if step.name == "checklist":
        return _checklist_kernel(tp, step)
    return None


# ---------------------------------------------------------------- outcomes
# Outcome-compatible: the attributes of rules.base.Outcome; the sentence is rendered when read.


class _LazyOutcome:
    """What the kernels' outcomes share: Outcome's defaults, and the sentence made on first
    read and kept (as an Outcome keeps its Text); the slot stays unset until then, which costs
    nothing at scoring (unpickled, it is the plain str)."""

    __slots__ = ("_text",)
    _text: str | Text
    met = False
    arithmetic = True
    value: Decimal | None = None
    flags = ()
    tier = None
    status = None

    @property
    def explanation(self) -> str | Text:
        text: str | Text | None = getattr(self, "_text", None)
        if text is None:
            text = self._text = Text(self._render)
        return text

    def said(self) -> str:
        """``str(self.explanation)``, rendered straight into the slot when not read yet (the
        JSON writer: no Text made only to be rendered at once)."""
        text: str | Text | None = getattr(self, "_text", None)
        if text is None:
            said = self._text = self._render()
            return said
        return str(text)

    def _render(self) -> str:
        raise NotImplementedError


class _Met(_LazyOutcome):
    """``ratio``: the target is met (Outcome line "met")."""

    __slots__ = ("_b", "_target", "ratio", "raw")
    line = "met"
    met = True
    arithmetic = False

    def __init__(self, raw: Decimal, ratio: Decimal | None, b: Quantity, target: Target) -> None:
        self.raw = raw
        self.ratio = ratio
        self._b = b
        self._target = target

    def _render(self) -> str:
        return f"完成值 {fmt_q(self._b)} 达到指标值 {self._target}，得满分 {fmt(self.raw)}"


class _Ratio(_LazyOutcome):
    """``ratio``: a positive or equal target missed, scored in proportion (line "ratio")."""

    __slots__ = ("_b", "_target", "_weight", "ratio", "raw", "value")
    line = "ratio"

    def __init__(
        self,
        raw: Decimal,
        ratio: Decimal,
        value: Decimal,
        b: Quantity,
        target: Target,
        weight: Decimal,
    ) -> None:
        self.raw = raw
        self.ratio = ratio
        self.value = value
        self._b = b
        self._target = target
        self._weight = weight

    def _render(self) -> str:
        b, target = self._b, self._target
        relation = "超出" if self.ratio > 1 else "未达"
        av = target.value.value if target.value is not None else ZERO
        return (
            f"完成值 {fmt_q(b)} {relation}指标值 {target}，按完成比例计分："
            f"{fmt(b.value)} ÷ {fmt(av)} × {fmt(self._weight)}"
        )


class _Reverse(_LazyOutcome):
    """``ratio``: a reverse target exceeded, scored target ÷ actual (line "reverse_ratio")."""

    __slots__ = ("_b", "_target", "_weight", "ratio", "raw")
    line = "reverse_ratio"

    def __init__(
        self, raw: Decimal, ratio: Decimal, b: Quantity, target: Target, weight: Decimal
    ) -> None:
        self.raw = raw
        self.ratio = ratio
        self._b = b
        self._target = target
        self._weight = weight

    def _render(self) -> str:
        b, target = self._b, self._target
        av = target.value.value if target.value is not None else ZERO
        return (
            f"完成值 {fmt_q(b)} 超出指标值 {target}（反向指标），按 指标值 ÷ 完成值 计分："
            f"{fmt(av)} ÷ {fmt(b.value)} × {fmt(self._weight)}"
        )


# ---------------------------------------------------------------- ratio

_NATURAL = {">=": "positive", ">": "positive", "<=": "reverse", "<": "reverse", "=": "equal"}


def _ratio_kernel(tp: TemplatePlan, step: RuleStep) -> Kernel | None:
    params = step.params
    if params.reverse != "target_over_actual":
        return None  # reverse_linear: rare, the general path
    fixed = params.direction  # "auto", or a direction that must match the target's
    flag_at = tp.flag_at
    places, qstep = tp.places, tp.step
    bounded, known = tp.bounded_rate, tp._bounded  # known: bounded_rate's own cache
    over_at = _PREC - places - 3  # _fast_quantize's test, as an adjusted() bound

    def kernel(ev: Host, leaf: LeafData) -> Row | None:
        actual, target = leaf.actual, leaf.target
        if (
            actual is None
            or target is None
            or actual.kind != "quantity"
            or actual.flags
            or leaf.unreadable is not None
            or not leaf.applicable
            or leaf.actual_from is not None
            or leaf.actual_items is not None
        ):
            return None
        a, b = target.value, actual.quantity
        if a is None or b is None or b.unit is not a.unit:
            return None  # a range, another unit (converted by the general path)
        op = target.op
        direction = _NATURAL[op]
        if fixed not in ("auto", direction):
            return None
        av, bv = a.value, b.value
        if op == ">=":
            met = bv >= av
        elif op == "<=":
            met = bv <= av
        elif op == "=":
            met = bv == av
        elif op == ">":
            met = bv > av
        else:
            met = bv < av
        weight = leaf.weight if ev.unscaled else leaf.weight * ev.factor  # as _leaf
        outcome: Any
        if met:
            ratio = bv / av if av > 0 else None
            raw = weight
            outcome = _Met(weight, ratio, b, target)
        elif av <= 0:
            return None  # zero or negative target: its own lines
        elif direction == "reverse":
            ratio = bv / av
            raw = min(ONE, av / bv) * weight
            outcome = _Reverse(raw, ratio, b, target, weight)
        else:
            ratio = bv / av
            raw = min(ONE, max(ZERO, ratio)) * weight
            outcome = _Ratio(raw, ratio, ratio * weight, b, target, weight)
        raw = min(max(raw, ZERO), weight)  # the evaluator's clamp
        flags: list[str] = []
        if flag_at is not None and ratio is not None and ratio >= flag_at:
            raw = ev._over_ratio(leaf, ratio, raw, flags)
        if raw.adjusted() <= over_at:
            score = raw.quantize(qstep, ROUND_HALF_UP, DECIMAL_CONTEXT)
        else:
            score = quantize(raw, places)
        name = leaf.name
        rate = known.get(name)
        if rate is None:
            rate = bounded(name)
        if rate:
            ev._over_hundred(leaf, b, flags)
        if met or (weight > 0 and score >= _quantized(weight, qstep, places)):
            status = "达成"
        else:
            status = "部分达成" if score > 0 else "未达成"
        return (weight, outcome.line, raw, score, status,
                tuple(dict.fromkeys(flags)) if flags else (), None, outcome, FROM_FORM,
                b, ratio, None, score, False)  # fmt: skip

    return kernel


def _quantized(value: Decimal, step: Decimal, places: int) -> Decimal:
    if value.adjusted() + places + 3 <= _PREC:
        return value.quantize(step, rounding=ROUND_HALF_UP, context=DECIMAL_CONTEXT)
    return quantize(value, places)


# ---------------------------------------------------------------- tiers


def _tiers_kernel(tp: TemplatePlan, step: RuleStep) -> Kernel:
    # A tiers leaf answered in words, with no stated tier or score, gives a row that depends
    # only on (the target's words, the answer, the weight): the general path makes it once,
    # later forms share it (rows and outcomes are never changed once made).
    memo: dict[Any, tuple[Decimal, Row]] = {}

    def kernel(ev: Host, leaf: LeafData) -> Row | None:
        actual, target = leaf.actual, leaf.target
        if (
            actual is None
            or actual.kind != "word"
            or actual.flags
            or actual.quantity is not None
            or leaf.tier is not None
            or leaf.given_score is not None
            or leaf.unreadable is not None
            or not leaf.applicable
            or leaf.actual_from is not None
            or leaf.actual_items is not None
        ):
            return None
        if target is None:
            words = None
        elif target.op == "qualitative":
            words = target.words
        else:
            return None
        word = actual.word if actual.word is not None else actual.text
        if word is None:
            return None
        return _memoised(ev, leaf, memo, (words, word))

    return kernel


def _memoised(ev: Host, leaf: LeafData, memo: dict[Any, tuple[Decimal, Row]], key: Any) -> Row:
    """The row kept for ``key`` and the leaf's weight, else the general path's (kept when it
    made no error and no finding: those belong to one form). Rescaled weights are new numbers
    on every form: nothing to share, the general path."""
    if not ev.unscaled:
        return ev._leaf(leaf, False)
    weight = leaf.weight
    key = (key, id(weight))  # by identity: 5 and 5.0 are equal but write apart
    hit = memo.get(key)
    if hit is not None and hit[0] is weight:
        return hit[1]
    errors, findings = len(ev.errors), len(ev.findings)
    row = ev._leaf(leaf, False)
    if len(ev.errors) == errors and len(ev.findings) == findings and len(memo) < _MEMO_BOUND:
        memo[key] = (weight, row)  # weight held: its id stays its own
    return row


# ---------------------------------------------------------------- checklist


def _checklist_kernel(tp: TemplatePlan, step: RuleStep) -> Kernel:
    # A checklist given as its items, with no actual, stated score or quantitative target,
    # gives a row that depends only on (the items, the weight): kept as for tiers.
    memo: dict[Any, tuple[Decimal, Row]] = {}

    def kernel(ev: Host, leaf: LeafData) -> Row | None:
        items, target = leaf.actual_items, leaf.target
        if (
            items is None
            or leaf.actual is not None
            or (target is not None and target.op != "qualitative")
            or leaf.given_score is not None
            or leaf.tier is not None
            or leaf.unreadable is not None
            or not leaf.applicable
            or leaf.actual_from is not None
        ):
            return None
        return _memoised(ev, leaf, memo, items)

    return kernel


# ---------------------------------------------------------------- execution rate


class _Execution(_LazyOutcome):
    """``execution_rate`` (lines "cap" and "rate")."""

    __slots__ = (
        "_budget",
        "_cap",
        "_executed",
        "_p",
        "_percent",
        "_weight",
        "line",
        "met",
        "ratio",
        "raw",
    )

    def __init__(
        self,
        raw: Decimal,
        line: str,
        rate: Decimal,
        percent: Decimal,
        cap: Decimal,
        p: Any,
        executed: Quantity,
        budget: Quantity,
        weight: Decimal,
    ) -> None:
        self.raw = raw
        self.line = line
        self.met = line == "cap"
        self.ratio = rate
        self._percent = percent
        self._cap = cap
        self._p = p
        self._executed = executed
        self._budget = budget
        self._weight = weight

    def _render(self) -> str:
        p, percent = self._p, self._percent
        shown = (
            f"执行率 {p.executed} ÷ {p.budget} = {fmt(self._executed.value)} ÷ "
            f"{fmt(self._budget.value)} = {fmt(percent, 2)}%"
        )
        if self.met:
            cap = self._cap
            return f"{shown}，达到上限 {fmt(cap)}%，得 {fmt(cap)}% × {fmt(self._weight)}"
        return f"{shown}，按执行率计分：{fmt(percent, 4)}% × {fmt(self._weight)}"


def _execution_kernel(tp: TemplatePlan, step: RuleStep) -> Kernel:
    p = step.params
    cap = p.cap
    cap_percent = cap * 100  # exact; made inside the evaluation's context like the rest
    flag_at = tp.flag_at
    places, qstep = tp.places, tp.step
    bounded = tp.bounded_rate

    def kernel(ev: Host, leaf: LeafData) -> Row | None:
        if (
            leaf.actual is not None
            or leaf.unreadable is not None
            or not leaf.applicable
            or leaf.actual_from is not None
            or leaf.actual_items is not None
        ):
            return None
        budgets = ev.plan.budget
        executed = budgets.get(p.executed)
        budget = budgets.get(p.budget)
        if executed is None or budget is None:
            return None  # the general path says which is missing
        base = _base(budget)
        if base <= 0:
            return None
        rate = _base(executed) / base
        weight = leaf.weight if ev.unscaled else leaf.weight * ev.factor  # as _leaf
        percent = rate * 100
        met = rate >= cap
        if met:
            raw = min(cap * weight, weight)
            line = "cap"
        else:
            raw = max(ZERO, rate) * weight
            line = "rate"
        outcome = _Execution(raw, line, rate, percent, cap_percent, p, executed, budget, weight)
        raw = min(max(raw, ZERO), weight)
        flags: list[str] = []
        if flag_at is not None and rate >= flag_at:
            raw = ev._over_ratio(leaf, rate, raw, flags)
        score = _quantized(raw, qstep, places)
        if bounded(leaf.name):
            ev._over_hundred(leaf, None, flags)
        if met or (weight > 0 and score >= _quantized(weight, qstep, places)):
            status = "达成"
        else:
            status = "部分达成" if score > 0 else "未达成"
        return (weight, line, raw, score, status,
                tuple(dict.fromkeys(flags)) if flags else (), None, outcome, FROM_FORM,
                None, rate, None, score, False)  # fmt: skip

    return kernel


#: Wide enough for every exact quotient _base divides (it checks the digits first).
_WIDE = decimal.Context(prec=400, rounding=ROUND_HALF_UP)


def _base(q: Quantity) -> Decimal:
    """``q.base`` (the same Decimal, exponent included) without Fractions: the reduced
    numerator and denominator ``exact_decimal`` divides, divided exactly."""
    unit = q.unit
    if unit is None:
        return q.value
    n, d = q.value.as_integer_ratio()  # already in lowest terms, as Fraction(value)
    ratio = unit.ratio
    n *= ratio.numerator
    d *= ratio.denominator
    g = gcd(n, d)
    n //= g
    d //= g
    rest = d
    while rest % 2 == 0:
        rest //= 2
    while rest % 5 == 0:
        rest //= 5
    if rest != 1 or n.bit_length() > 1000 or d.bit_length() > 1000:
        return q.base  # no finite decimal (rounded to 28 digits there), or very long
    return _WIDE.divide(Decimal(n), Decimal(d))
