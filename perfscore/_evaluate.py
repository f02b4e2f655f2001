"""Evaluation: a bound form in, an explained :class:`~perfscore.result.Evaluation` out.

Everything runs inside a local decimal context (ROUND_HALF_UP, FloatOperation trapped), so a
caller's global context cannot change a result. Items are rounded to the template's places;
the total is the sum of the rounded items unless the template says ``round_of_sum``.
"""

from __future__ import annotations

import decimal
import re
from collections.abc import Iterable
from decimal import Decimal
from typing import Literal

import attrs

from ._lazy import Text
from ._numbers import local_context, quantize
from ._rules import KINDS, Outcome, ScoreInput
from ._text import fmt, fmt_fixed, fmt_q
from .errors import EvaluationError, InputTypeError, PerfscoreError, ValidationErrors
from .model import Form, Group, Leaf, Node, Template
from .result import Evaluation, Finding, GroupResult, LeafResult, NodeResult
from .targets import Quantity

__all__ = ["compute_values", "evaluate"]

ZERO = Decimal(0)
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


def evaluate(form: Form, *, lenient: bool = False) -> Evaluation:
    """Score ``form`` against its template.

    Raises :class:`ValidationErrors` listing every leaf that cannot be scored. With
    ``lenient=True`` (used by review) such a leaf scores 0, gets status 缺失 and a finding.
    """
    if not isinstance(form, Form):
        what = "模板（Template）" if isinstance(form, Template) else type(form).__name__
        raise InputTypeError(
            f"evaluate 需要已读取的表单（Form），而不是 {what}",
            value=repr(form)[:80],
            expected="perfscore.load_form(...) 的结果",
            hint="请先用 perfscore.load_form(路径或映射) 读取表单，再计分",
        )
    with local_context():
        return _Evaluator(form, lenient).run()


def compute_values(form: Form) -> tuple[dict[str, Decimal], list[PerfscoreError]]:
    """Inputs (in their declared units), computed values and budget figures, by name."""
    template = form.template
    values: dict[str, Decimal] = {}
    errors: list[PerfscoreError] = []
    for name, q in form.budget.items():
        values[name] = q.value
    for name, q in form.inputs.items():
        spec = template.inputs.get(name)
        values[name] = q.to(spec.unit).value if spec is not None and spec.unit else q.value
    for name, computed in template.computed.items():  # already in dependency order
        if not computed.formula.names <= values.keys():
            continue  # a missing input: the leaf that needs this value reports it
        try:
            values[name] = computed.formula.evaluate(values)
        except PerfscoreError as err:
            errors.append(
                err.located(
                    file=computed.position.file,
                    line=computed.position.line,
                    column=computed.position.column,
                    indicator_path=(name,),
                )
            )
    return values, errors


@attrs.define
class _Evaluator:
    form: Form
    lenient: bool
    errors: list[PerfscoreError] = attrs.field(factory=list)
    findings: list[Finding] = attrs.field(factory=list)
    values: dict[str, Decimal] = attrs.field(factory=dict)
    factor: Decimal = Decimal(1)
    not_applicable: set[int] = attrs.field(factory=set)  # ids of the 不适用 leaves

    @property
    def template(self) -> Template:
        return self.form.template

    def run(self) -> Evaluation:
        template = self.template
        self.values, errors = compute_values(self.form)
        self.errors.extend(errors)
        # Whether a leaf is 不适用 is decided once: the rescaling factor needs them all first.
        self.not_applicable = {
            id(leaf) for leaf in self.form.leaves() if self._not_applicable(leaf)
        }
        na_weight = sum(
            (leaf.weight for leaf in self.form.leaves() if id(leaf) in self.not_applicable), ZERO
        )
        if na_weight and template.rescale_not_applicable and na_weight < template.total:
            self.factor = template.total / (template.total - na_weight)
        items = tuple(self._node(node) for node in self.form.nodes)
        if self.errors and not self.lenient:
            raise ValidationErrors(self.errors, file=self.form.file)
        places = template.rounding.places
        leaves = [leaf for item in items for leaf in item.leaves()]
        excess = sum((leaf.score for leaf in leaves), ZERO) - template.total
        if excess > 0 and template.rounding.total != "round_of_sum":
            # Rescaled (不适用) items rounded one by one can add up to 100.01: give the excess
            # back so that the total stays both capped and the sum of the items.
            items = _give_back(items, excess, places)
            leaves = [leaf for item in items for leaf in item.leaves()]
        raw_total = _exact_sum(leaf.raw_score for leaf in leaves)
        if template.rounding.total == "round_of_sum":
            total = quantize(raw_total, places)
        else:
            total = sum((leaf.score for leaf in leaves), ZERO)
        total = min(total, template.total)
        return Evaluation(
            template_id=template.id,
            template_name=template.name,
            template_version=template.version,
            total_weight=template.total,
            total=quantize(total, places),
            raw_total=raw_total,
            grade=template.grade_for(total),
            places=places,
            items=items,
            findings=tuple(self.findings),
            unit=self.form.unit,
            year=self.form.year,
            file=self.form.file,
            reported_total=self.form.reported_total,
            digest=self.form.digest,
            not_applicable_weight=na_weight,
        )

    # ---------------------------------------------------------------- nodes

    def _node(self, node: Node) -> NodeResult:
        if isinstance(node, Leaf):
            return self._leaf(node)
        return self._group(node)

    def _group(self, group: Group) -> GroupResult:
        children = tuple([self._node(c) for c in group.children])
        score = sum([c.score for c in children], ZERO)
        reported = group.reported
        if reported is None and any(c.reported is not None for c in children):
            # children without any leaf (an empty 经济效益指标) report nothing and count 0
            parts = [c.reported for c in children if _has_leaf(c)]
            if parts and all(p is not None for p in parts):
                reported = sum((p for p in parts if p is not None), ZERO)
        return GroupResult(
            path=group.path,
            name=group.name,
            weight=group.weight,
            score=score,
            children=children,
            reported=reported,
        )

    def _not_applicable(self, leaf: Leaf) -> bool:
        if leaf.unreadable is not None:
            return False
        if not leaf.applicable or (leaf.actual is not None and leaf.actual.is_not_applicable):
            return True
        return self.template.missing == "not_applicable" and self._missing(leaf)

    def _missing(self, leaf: Leaf) -> bool:
        kind = KINDS[leaf.rule.kind]
        if leaf.actual_from is not None:
            return leaf.actual_from not in self.values
        source = kind.reads(leaf.rule.params) if kind.reads is not None else None
        if source is not None:
            return source not in self.values
        if leaf.actual_items is not None or not kind.needs_actual:
            return False
        if leaf.rule.kind == "tiers" and leaf.tier is not None:
            return False
        return leaf.actual is None or leaf.actual.is_missing

    def _leaf(self, leaf: Leaf) -> LeafResult:
        template = self.form.template
        places = template.rounding.places
        factor = self.factor
        weight = leaf.weight if factor == 1 else leaf.weight * factor  # ×1 would change nothing
        if leaf.unreadable is not None:
            # lenient reading: the builder already made the finding that says why
            text = f"无法读取，计 0 分：{leaf.unreadable}"
            return _result(leaf, weight, "unreadable", text, flags=("unreadable",))
        if id(leaf) in self.not_applicable:
            stated = not leaf.applicable or (
                leaf.actual is not None and leaf.actual.is_not_applicable
            )
            why = "不适用" if stated else "缺少实际完成值，按模板规定视为不适用"
            text = why
            if factor != 1:
                text += (
                    f"，其分值 {fmt(leaf.weight)} 不计入，其余指标按 {fmt(template.total)} 分折算"
                )
            self._finding("not_applicable", "info", text, leaf)
            return _result(leaf, ZERO, "not_applicable", text, status="不适用")
        if self._missing(leaf):
            return self._missing_leaf(leaf, weight)
        try:
            outcome, actual = self._score(leaf, weight)
        except PerfscoreError as err:
            err.located(
                file=leaf.position.file,
                line=leaf.position.line,
                column=leaf.position.column,
                indicator_path=leaf.path,
            )
            self.errors.append(err)
            self._finding("unscorable", "error", f"无法计分：{err.detail()}", leaf)
            text = f"无法计分：{err.detail()}"
            return _result(leaf, weight, "error", text, flags=("unscorable",))
        raw = min(max(outcome.raw, ZERO), weight)
        flags = list(outcome.flags)
        raw = self._over_achievement(leaf, outcome, raw, flags)
        score = quantize(raw, places)
        self._over_hundred(leaf, actual, flags)
        if leaf.actual is not None and leaf.actual.flags:
            flags.extend(leaf.actual.flags)
            if "repeated_comparator" in leaf.actual.flags:
                self._finding(
                    "actual_has_comparator",
                    "warning",
                    f"实际完成值“{leaf.actual_text}”带有比较符号，已按其中的数值计分",
                    leaf,
                )
        if "score_outside_tier" in outcome.flags:
            self._finding(
                "score_outside_tier",
                "warning",
                f"表中评分 {fmt(leaf.given_score or ZERO)} 不在所属档次范围内",
                leaf,
            )
        if outcome.status is not None:
            status = outcome.status
        elif outcome.met or (weight > 0 and score >= quantize(weight, places)):
            status = "达成"
        else:
            status = "部分达成" if score > 0 else "未达成"
        actual_text = _actual_text(leaf)
        if actual_text is None and leaf.actual_from is not None and actual is not None:
            actual_text = fmt_q(actual)  # a value computed from the basic data: show it
        return _result(
            leaf,
            weight,
            outcome.line,
            _explain(outcome, raw, score, places, weight),
            status=status,
            flags=tuple(dict.fromkeys(flags)) if flags else (),
            raw=raw,
            score=score,
            actual_text=actual_text,
            actual_canonical=None if actual is None else Text(actual.__str__),
            ratio=outcome.ratio,
            tier=outcome.tier,
        )

    def _missing_leaf(self, leaf: Leaf, weight: Decimal) -> LeafResult:
        policy = self.template.missing
        what, expected = "缺少实际完成值", "填写 actual（实际完成值）"
        failed = False
        if leaf.actual_from is not None:
            # A value taken from the basic data: name the inputs that are missing, not `actual`.
            names = self._missing_inputs(leaf.actual_from)
            if names:
                what = f"缺少基础数据“{'”“'.join(names)}”，无法得出“{leaf.actual_from}”"
                expected = "在表单 inputs 中填写"
            else:  # every input is there but the formula failed: that error is already listed
                what, failed = f"“{leaf.actual_from}”无法计算", True
        if policy == "error" and not failed:
            err = EvaluationError(
                what,
                file=leaf.position.file,
                line=leaf.position.line,
                column=leaf.position.column,
                indicator_path=leaf.path,
                expected=expected,
            )
            self.errors.append(err)
        if failed and leaf.actual_from is not None:  # an error of its own, never "missing"
            reason = self._failure(leaf.actual_from)
            text = f"计算错误：{what}{f'（{reason}）' if reason else ''}，计 0 分"
            self._finding("unscorable", "error", text, leaf)
            return _result(leaf, weight, "error", text, flags=("unscorable",))
        text = f"{what}，按模板规定计 0 分"
        self._finding("missing_actual", "warning", text, leaf)
        return _result(leaf, weight, "missing", text, flags=("missing",))

    def _failure(self, name: str) -> str | None:
        """Why the computed value ``name`` (or one it uses) could not be computed."""
        for err in self.errors:
            if err.indicator_path and err.indicator_path[0] == name:
                return err.message
        computed = self.template.computed.get(name)
        for used in sorted(computed.formula.names) if computed is not None else ():
            if used in self.template.computed and used not in self.values:
                return f"它用到的“{used}”无法计算：{self._failure(used) or ''}".rstrip("：")
        return None

    def _missing_inputs(self, name: str) -> list[str]:
        """The inputs, direct or through other computed values, that ``name`` lacks."""
        computed = self.template.computed.get(name)
        if computed is None:
            return [] if name in self.values else [name]
        missing: dict[str, None] = {}
        for used in sorted(computed.formula.names):
            if used not in self.values:
                missing.update(dict.fromkeys(self._missing_inputs(used)))
        return list(missing)

    def _score(self, leaf: Leaf, weight: Decimal) -> tuple[Outcome, Quantity | None]:
        x = self.score_input(leaf, weight)
        kind = KINDS[leaf.rule.kind]
        return kind.score(leaf.rule.params, x), x.actual

    def score_input(self, leaf: Leaf, weight: Decimal) -> ScoreInput:
        """What the leaf's rule sees (also used by the property checker to try other actuals)."""
        actual: Quantity | None = None
        word: str | None = None
        if leaf.actual_from is not None:
            if leaf.actual_from in self.values:  # always, once _missing has been asked
                actual = self._value_quantity(leaf.actual_from)
        elif leaf.actual is not None:
            actual = leaf.actual.quantity
            word = leaf.actual.word if leaf.actual.word is not None else leaf.actual.text
        if actual is not None and leaf.target is not None and leaf.target.quantity is not None:
            actual = _in_unit_of(actual, leaf.target.quantity)
        return ScoreInput(
            weight=weight,
            target=leaf.target,
            actual=actual,
            word=word,
            items=leaf.actual_items,
            # A stated score is in points of the form's own weight: rescale it with the weight.
            given=None if leaf.given_score is None else leaf.given_score * self.factor,
            tier=leaf.tier,
            values=self.values,
            named=self._named,
            budget=self.form.budget,
            places=self.template.rounding.places,
        )

    def _named(self, name: str) -> Quantity | None:
        if name in self.form.budget:
            return self.form.budget[name]
        return self._value_quantity(name) if name in self.values else None

    def _value_quantity(self, name: str) -> Quantity:
        value = self.values[name]
        computed = self.template.computed.get(name)
        spec = self.template.inputs.get(name)
        unit = computed.unit if computed is not None else (spec.unit if spec else None)
        if unit is not None and unit.family == "ratio":
            # a formula gives a fraction (0.97); show it in the declared unit (97%)
            return Quantity(value / unit.factor, unit)
        return Quantity(value, unit)

    def _over_achievement(
        self, leaf: Leaf, outcome: Outcome, raw: Decimal, flags: list[str]
    ) -> Decimal:
        over = self.template.over_achievement
        target = leaf.target
        if (
            over.flag_at is None
            or outcome.ratio is None
            or target is None
            or target.direction not in ("positive", "equal")
            or outcome.ratio < over.flag_at
        ):
            return raw
        flags.append("over_achievement")
        message = (
            f"完成值为指标值的 {fmt(outcome.ratio * 100, 2)}%，超过 {fmt(over.flag_at * 100)}%，"
            "请核实指标值是否设置过低并说明原因"
        )
        if over.deduct_step and over.deduct_points:
            steps = (outcome.ratio - over.flag_at) / over.deduct_step
            raw = max(ZERO, raw - steps * over.deduct_points)
            message += f"；按模板规定扣 {fmt(steps * over.deduct_points)} 分"
        self._finding("over_achievement", "warning", message, leaf, ratio=fmt(outcome.ratio, 4))
        return raw

    def _over_hundred(self, leaf: Leaf, actual: Quantity | None, flags: list[str]) -> None:
        """Warn when a rate that cannot pass 100% (满意度, 合格率 …) is written above it."""
        if _BOUNDED_RATE.search(leaf.name) is None:
            return
        target = leaf.target
        sides: list[tuple[str, Quantity | None]] = [("完成值", actual)]
        if target is not None:
            sides[:0] = [("指标值", q) for q in (target.quantity, target.low, target.high)]
        for what, q in sides:
            if q is not None and q.unit is not None and q.unit.family == "ratio" and _above_one(q):
                flags.append("percent_over_100")
                self._finding(
                    "percent_over_100",
                    "warning",
                    f"{what} {q} 超过 100%：“{leaf.name}”这类比率不会超过 100%，请核实是否笔误",
                    leaf,
                    value=str(q),
                )
                return

    def _finding(self, code: str, severity: str, message: str, leaf: Leaf, **values: str) -> None:
        self.findings.append(
            Finding(
                code=code,
                severity=severity,
                message=message,
                path=leaf.path,
                values=tuple(sorted(values.items())),
                file=leaf.position.file,
                line=leaf.position.line,
            )
        )


def _exact_sum(values: Iterable[Decimal]) -> Decimal:
    """The sum of ``values`` rounded once to the context precision.

    Rescaled raw scores carry 28 digits; adding them at 28 digits rounds after every step, so
    the last digit of the total depended on the order of the indicators.
    """
    with decimal.localcontext() as ctx:
        ctx.prec = 1000
        total = sum(values, ZERO)
    return +total


def _give_back(
    items: tuple[NodeResult, ...], excess: Decimal, places: int
) -> tuple[NodeResult, ...]:
    """Take ``excess`` off the items that rounding raised most, one step each; fix subtotals."""
    step = Decimal(1).scaleb(-places)
    leaves = [leaf for item in items for leaf in item.leaves()]
    order = sorted(range(len(leaves)), key=lambda i: (leaves[i].raw_score - leaves[i].score, i))
    cut = {
        leaves[i].path for i in order[: int(excess / step)] if leaves[i].score > leaves[i].raw_score
    }

    def rebuild(node: NodeResult) -> NodeResult:
        if isinstance(node, LeafResult):
            if node.path not in cut:
                return node
            score = node.score - step
            text = f"{node.explanation}；折算后各项合计超出总分，本项舍去 {fmt(step)} 分，得 {fmt_fixed(score, places)}"
            return attrs.evolve(node, score=score, explanation=text)
        children = tuple(rebuild(c) for c in node.children)
        return attrs.evolve(node, children=children, score=sum((c.score for c in children), ZERO))

    return tuple(rebuild(item) for item in items)


def _has_leaf(node: NodeResult) -> bool:
    return isinstance(node, LeafResult) or any(_has_leaf(c) for c in node.children)


_ONE_IN: dict[str, Decimal | None] = {}  # unit symbol → the value that makes one whole (100 for %)


def _above_one(q: Quantity) -> bool:
    """``q.base > 1`` for a share (98% → 0.98), compared in the quantity's own unit."""
    unit = q.unit
    assert unit is not None
    if unit.symbol not in _ONE_IN:
        whole = 1 / unit.ratio
        _ONE_IN[unit.symbol] = Decimal(whole.numerator) if whole.denominator == 1 else None
    whole_value = _ONE_IN[unit.symbol]
    return q.value > whole_value if whole_value is not None else q.base > 1


def _in_unit_of(actual: Quantity, target: Quantity) -> Quantity:
    """The actual expressed in the target's unit (so the arithmetic shows like-for-like)."""
    if (
        actual.unit is target.unit
        or actual.unit is None
        or target.unit is None
        or actual.unit == target.unit
    ):
        return actual
    return actual.to(target.unit)


def _actual_text(leaf: Leaf) -> str | None:
    return leaf.actual_text if leaf.actual_items is None else "、".join(leaf.actual_items)


def _result(
    leaf: Leaf,
    weight: Decimal,
    line: str,
    text: str | Text,
    *,
    status: str = "缺失",
    flags: tuple[str, ...] = (),
    raw: Decimal = ZERO,
    score: Decimal = ZERO,
    actual_text: str | Literal[False] | None = False,
    actual_canonical: Text | None = None,
    ratio: Decimal | None = None,
    tier: str | None = None,
) -> LeafResult:
    """A leaf's result; by default one scored 0 without its rule (不适用, missing, unreadable,
    unscorable). ``actual_text=False``: the actual as the form wrote it."""
    return LeafResult(
        path=leaf.path,
        name=leaf.name,
        weight=leaf.weight,
        effective_weight=weight,
        rule_name=leaf.rule.label,
        rule_kind=leaf.rule.kind,
        line=line,
        raw_score=raw,
        score=score,
        status=status,
        explanation=text,
        target_text=leaf.target_text,
        target_canonical=None if leaf.target is None else Text(leaf.target.__str__),
        actual_text=_actual_text(leaf) if actual_text is False else actual_text,
        actual_canonical=actual_canonical,
        ratio=ratio,
        tier=tier,
        flags=flags,
        reported=leaf.reported,
        note=leaf.note,
    )


def _explain(outcome: Outcome, raw: Decimal, score: Decimal, places: int, weight: Decimal) -> Text:
    """The rule's sentence, the value of its expression, how it was limited (to the weight,
    to 0, or by an over-achievement deduction) and the rounding, rendered when first read."""
    why = outcome.explanation
    value = outcome.raw if outcome.value is None else outcome.value

    def render() -> str:
        text = str(why)
        if outcome.arithmetic:
            text = f"{text} = {fmt(value)}"
        if value != raw:
            if raw == weight and value > weight:
                text += f"，超过分值，以 {fmt(weight)} 分为限"
            elif raw == 0 and value < 0:
                text += "，低于 0 分，按 0 分计"
            else:  # an over-achievement deduction (its finding says how much and why)
                text += f"，按模板规定扣减后为 {fmt(raw)}"
        if outcome.arithmetic:
            return f"{text} → {fmt_fixed(score, places)}"
        if raw != score:
            return f"{text}，{fmt(raw)} 四舍五入为 {fmt_fixed(score, places)}"
        return text

    return Text(render)
