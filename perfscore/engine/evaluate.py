"""Evaluation: a bound form's plan in, an explained :class:`~perfscore.result.Evaluation` out.

Engine stage: this module runs a :class:`~perfscore.engine.plan.FormPlan` (the model compiles a form
into one, ``Form.plan``) and never imports ``perfscore.model``. Each leaf's step writes one
compact row of numbers (``perfscore.engine.storage``); the result objects, explanations and canonical
texts are made from the rows when read.

The common leaves (ratio, tiers by word, checklist items, execution rate) are scored by the
kernels of ``perfscore.engine.kernels``; any other leaf, or one a kernel declines, by ``_leaf``,
the general path, which the kernels are tested against.

Everything runs inside a local decimal context (ROUND_HALF_UP, FloatOperation trapped), so a
caller's global context cannot change a result. Items are rounded to the template's places;
the total is the sum of the rounded items unless the template says ``round_of_sum``.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import attrs

from ..core.result import Evaluation, Finding
from ..errors import EvaluationError, InputTypeError, PerfscoreError, ValidationErrors
from ..rules.base import Outcome, ScoreInput
from ..text.display import fmt, fmt_q
from ..text.lazy import Text
from ..text.numbers import DECIMAL_CONTEXT, local_context, quantize
from ..text.quantity import Quantity
from .kernels import Kernel, kernel_for
from .leaf_result import ZERO, _above_one, _actual_text, _exact_sum, _give_back, _in_unit_of
from .plan import _CACHE_BOUND, FormPlan, LeafData, RuleData, RuleStep, TemplatePlan
from .storage import FROM_FORM, Row, Storage

__all__ = ["compute_values", "evaluate", "run"]

_PREC = DECIMAL_CONTEXT.prec
#: Private switch: False scores every leaf by the general path (the reference the kernels of
#: ``engine.kernels`` are tested against).
_KERNELS = True


def evaluate(form: Any, *, lenient: bool = False) -> Evaluation:
    """Score ``form`` (a :class:`perfscore.Form`) against its template.

    Raises :class:`ValidationErrors` listing every leaf that cannot be scored. With
    ``lenient=True`` (used by review) such a leaf scores 0, gets status 缺失 and a finding.
    The engine runs the plan the form was compiled into when bound (``form.plan``); it is
    told from a template's plan without importing the model.
    """
    plan = getattr(form, "plan", None)
    if not isinstance(plan, FormPlan):
        what = "模板（Template）" if isinstance(plan, TemplatePlan) else type(form).__name__
        raise InputTypeError(
            f"evaluate 需要已读取的表单（Form），而不是 {what}",
            value=repr(form)[:80],
            expected="perfscore.load_form(...) 的结果",
            hint="请先用 perfscore.load_form(路径或映射) 读取表单，再计分",
        )
    return run(plan, lenient=lenient)


def run(plan: FormPlan, *, lenient: bool = False) -> Evaluation:
    """Score a bound form's plan (:func:`evaluate` checks its argument, then calls this)."""
    with local_context():
        return _Evaluator(plan, lenient).run()


def compute_values(form: Any) -> tuple[dict[str, Decimal], list[PerfscoreError]]:
    """Inputs (in their declared units), computed values and budget figures, by name
    (of a bound form, or of its plan)."""
    plan: FormPlan = form if isinstance(form, FormPlan) else form.plan
    tp = plan.template
    values: dict[str, Decimal] = {}
    errors: list[PerfscoreError] = []
    for name, q in plan.budget.items():
        values[name] = q.value
    units = tp.input_units
    for name, q in plan.inputs.items():
        unit = units.get(name)
        values[name] = q.to(unit).value if unit else q.value
    for name, formula, file, line, column in tp.computed:  # already in dependency order
        if not formula.names <= values.keys():
            continue  # a missing input: the leaf that needs this value reports it
        try:
            values[name] = formula.evaluate(values)
        except PerfscoreError as err:
            errors.append(err.located(file=file, line=line, column=column, indicator_path=(name,)))
    return values, errors


def _fast_quantize(value: Decimal, step: Decimal, places: int) -> Decimal:
    if value.adjusted() + places + 3 <= _PREC:
        return value.quantize(step, rounding=ROUND_HALF_UP, context=DECIMAL_CONTEXT)
    return quantize(value, places)


class _Evaluator:
    """One run of a plan (also used by the property checker to try other actuals)."""

    __slots__ = (
        "errors",
        "factor",
        "findings",
        "lenient",
        "na_weight",
        "plan",
        "tp",
        "unscaled",
        "values",
    )

    def __init__(self, plan: FormPlan, lenient: bool) -> None:
        self.plan = plan
        self.tp: TemplatePlan = plan.template
        self.lenient = lenient
        self.errors: list[PerfscoreError] = []
        self.findings: list[Finding] = []
        self.values: dict[str, Decimal] = {}
        self.factor = Decimal(1)
        self.na_weight = ZERO  # the 不适用 weight the factor leaves out
        self.unscaled = True

    def run(self) -> Evaluation:
        plan, tp = self.plan, self.tp
        self.values, errors = compute_values(plan)
        self.errors.extend(errors)
        leaves = plan.leaves
        fast = self._fast_rows(leaves) if _KERNELS else None
        if fast is not None:
            rows, na_weight = fast
        else:
            # Whether a leaf is 不适用 is decided once: the rescaling factor needs them all first.
            na = [self._not_applicable(leaf) for leaf in leaves]
            na_weight = sum((leaf.weight for leaf, n in zip(leaves, na, strict=True) if n), ZERO)
            if na_weight and tp.rescale and na_weight < tp.total:
                self.factor = tp.total / (tp.total - na_weight)
                self.na_weight = na_weight
                self.unscaled = self.factor == 1
            if _KERNELS:
                rows = self._rescaled_rows(leaves, na)
            else:
                rows = [self._leaf(leaf, n) for leaf, n in zip(leaves, na, strict=True)]
        if self.errors and not self.lenient:
            raise ValidationErrors(self.errors, file=plan.file)
        places = tp.places
        summed = sum([r[3] for r in rows], ZERO)
        excess = summed - tp.total
        if excess > 0 and not tp.round_of_sum:
            # Rescaled (不适用) items rounded one by one can add up to 100.01: give the excess
            # back so that the total stays both capped and the sum of the items.
            _give_back(leaves, rows, excess, tp.step)
            summed = sum([r[3] for r in rows], ZERO)
        raw_total = _exact_sum([r[2] for r in rows])
        total = quantize(raw_total, places) if tp.round_of_sum else summed
        total = min(total, tp.total)
        return Evaluation(
            template_id=tp.id,
            template_name=tp.name,
            template_version=tp.version,
            total_weight=tp.total,
            total=quantize(total, places),
            raw_total=raw_total,
            grade=tp.grade_for(total),
            places=places,
            findings=tuple(self.findings),
            unit=plan.unit,
            year=plan.year,
            file=plan.file,
            reported_total=plan.reported_total,
            digest=plan.digest,
            not_applicable_weight=na_weight,
            source=Storage(plan, rows),
        )

    # ---------------------------------------------------------------- leaves

    def _fast_rows(self, leaves: tuple[LeafData, ...]) -> tuple[list[Row], Decimal] | None:
        """The rows, each leaf by its rule's kernel where it has one that applies, else by
        ``_leaf``; None (nothing kept) as soon as a 不适用 leaf may rescale the weights: every
        weight may then change, so the rows are made again once the factor is known."""
        tp = self.tp
        kernels = tp._kernels
        errors, findings = len(self.errors), len(self.findings)
        rows: list[Row] = []
        na_weight = ZERO
        for leaf in leaves:
            rule = leaf.rule
            entry = kernels.get(id(rule))
            kernel = entry[1] if entry is not None and entry[0] is rule else self._kernel(rule)
            row = kernel(self, leaf) if kernel is not None else None
            if row is None:
                if self._not_applicable(leaf):
                    if tp.rescale:
                        del self.errors[errors:], self.findings[findings:]
                        return None
                    na_weight += leaf.weight
                    row = self._leaf(leaf, True)
                else:
                    row = self._leaf(leaf, False)
            rows.append(row)
        return rows, na_weight

    def _rescaled_rows(self, leaves: tuple[LeafData, ...], na: list[bool]) -> list[Row]:
        """The rows once the 不适用 leaves (``na``) and the factor are known."""
        kernels = self.tp._kernels
        rows: list[Row] = []
        for leaf, n in zip(leaves, na, strict=True):
            row = None
            if not n:
                rule = leaf.rule
                entry = kernels.get(id(rule))
                kernel = entry[1] if entry is not None and entry[0] is rule else self._kernel(rule)
                row = kernel(self, leaf) if kernel is not None else None
            rows.append(self._leaf(leaf, n) if row is None else row)
        return rows

    def _kernel(self, rule: RuleData) -> Kernel | None:
        tp = self.tp
        kernel = kernel_for(tp, tp.rule(rule))
        if len(tp._kernels) < _CACHE_BOUND:
            tp._kernels[id(rule)] = (rule, kernel)  # the rule held: its id stays its own
        return kernel

    def _not_applicable(self, leaf: LeafData) -> bool:
        if leaf.unreadable is not None:
            return False
        actual = leaf.actual
        if not leaf.applicable or (actual is not None and actual.is_not_applicable):
            return True
        return self.tp.missing == "not_applicable" and self._missing(leaf)

    def _missing(self, leaf: LeafData, step: RuleStep | None = None) -> bool:
        if leaf.actual_from is not None:
            return leaf.actual_from not in self.values
        if step is None:
            step = self.tp.rule(leaf.rule)
        if step.reads is not None:
            return step.reads not in self.values
        if leaf.actual_items is not None or not step.needs_actual:
            return False
        if step.name == "tiers" and leaf.tier is not None:
            return False
        return leaf.actual is None or leaf.actual.is_missing

    def _leaf(self, leaf: LeafData, not_applicable: bool) -> Row:
        tp = self.tp
        factor = self.factor
        weight = leaf.weight if self.unscaled else leaf.weight * factor  # ×1 would change nothing
        if leaf.unreadable is not None:
            # lenient reading: the builder already made the finding that says why
            text = f"无法读取，计 0 分：{leaf.unreadable}"
            return _unscored(weight, "unreadable", text, ("unreadable",))
        if not_applicable:
            stated = not leaf.applicable or (
                leaf.actual is not None and leaf.actual.is_not_applicable
            )
            text = "不适用" if stated else "缺少实际完成值，按模板规定视为不适用"
            if factor != 1:
                text += f"，其分值 {fmt(leaf.weight)} 不计入，其余指标按 {fmt(tp.total)} 分折算"
            self._finding("not_applicable", "info", text, leaf)
            return (ZERO, "not_applicable", ZERO, ZERO, "不适用", (), text, None, FROM_FORM,
                    None, None, None, ZERO, False)  # fmt: skip
        step = tp.rule(leaf.rule)
        if self._missing(leaf, step):
            return self._missing_leaf(leaf, weight)
        try:
            if factor != 1 and _scores_in_points(step):
                # per-step deductions, checklist points, band/tier points: score against the
                # form's own weight, then rescale the score (as a reviewer does by hand)
                x = self.score_input(leaf, leaf.weight, rescale_given=False)
                outcome = self._rescaled(step.score(step.params, x), leaf.weight)
            else:
                x = self.score_input(leaf, weight)
                outcome = step.score(step.params, x)
        except PerfscoreError as err:
            err.located(
                file=leaf.position.file,
                line=leaf.position.line,
                column=leaf.position.column,
                indicator_path=leaf.path,
            )
            self.errors.append(err)
            self._finding("unscorable", "error", f"无法计分：{err.detail()}", leaf)
            return _unscored(weight, "error", f"无法计分：{err.detail()}", ("unscorable",))
        raw = outcome.raw
        raw = max(raw, ZERO)
        raw = min(raw, weight)
        actual = x.actual
        flags = list(outcome.flags)
        if tp.flag_at is not None and outcome.ratio is not None:
            raw = self._over_achievement(leaf, outcome, raw, flags)
        places = tp.places
        score = _fast_quantize(raw, tp.step, places)
        if tp.bounded_rate(leaf.name):
            self._over_hundred(leaf, actual, flags)
        leaf_actual = leaf.actual
        if leaf_actual is not None and leaf_actual.flags:
            flags.extend(leaf_actual.flags)
            if "repeated_comparator" in leaf_actual.flags:
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
        elif outcome.met or (weight > 0 and score >= _fast_quantize(weight, tp.step, places)):
            status = "达成"
        else:
            status = "部分达成" if score > 0 else "未达成"
        actual_text: str | bool | None = FROM_FORM
        if leaf.actual_from is not None and actual is not None and _actual_text(leaf) is None:
            actual_text = fmt_q(actual)  # a value computed from the basic data: show it
        return (weight, outcome.line, raw, score, status,
                tuple(dict.fromkeys(flags)) if flags else (), None, outcome, actual_text,
                actual, outcome.ratio, outcome.tier, score, False)  # fmt: skip

    def _missing_leaf(self, leaf: LeafData, weight: Decimal) -> Row:
        policy = self.tp.missing
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
            return _unscored(weight, "error", text, ("unscorable",))
        text = f"{what}，按模板规定计 0 分"
        self._finding("missing_actual", "warning", text, leaf)
        return _unscored(weight, "missing", text, ("missing",))

    def _failure(self, name: str) -> str | None:
        """Why the computed value ``name`` (or one it uses) could not be computed."""
        for err in self.errors:
            if err.indicator_path and err.indicator_path[0] == name:
                return err.message
        formulas = self.tp.formula_names
        names = formulas.get(name)
        for used in sorted(names) if names is not None else ():
            if used in formulas and used not in self.values:
                return f"它用到的“{used}”无法计算：{self._failure(used) or ''}".rstrip("：")
        return None

    def _missing_inputs(self, name: str) -> list[str]:
        """The inputs, direct or through other computed values, that ``name`` lacks."""
        names = self.tp.formula_names.get(name)
        if names is None:
            return [] if name in self.values else [name]
        missing: dict[str, None] = {}
        for used in sorted(names):
            if used not in self.values:
                missing.update(dict.fromkeys(self._missing_inputs(used)))
        return list(missing)

    def _rescaled(self, outcome: Outcome, weight: Decimal) -> Outcome:
        """``outcome`` (scored against ``weight``) times the 不适用 factor."""
        total = self.tp.total
        limited = min(max(outcome.raw, ZERO), weight)
        raw = limited * self.factor if limited else ZERO  # 0 × factor would print 0E-27
        why = outcome.explanation
        value = outcome.raw if outcome.value is None else outcome.value
        na_weight = self.na_weight
        rest = total - na_weight

        def render() -> str:
            text = str(why)
            if outcome.arithmetic:
                text = f"{text} = {fmt(value)}"
            if limited != value:
                text += f"，限定在 0～{fmt(weight)} 分之间为 {fmt(limited)}"
            return (
                f"{text}；不适用指标分值 {fmt(na_weight)} 不计，按 {fmt(total)} 分折算："
                f"{fmt(limited)} × {fmt(total)} ÷ {fmt(rest)}"
            )

        return attrs.evolve(outcome, raw=raw, explanation=Text(render), arithmetic=True, value=None)

    def score_input(
        self, leaf: LeafData, weight: Decimal, *, rescale_given: bool = True
    ) -> ScoreInput:
        """What the leaf's rule sees (also used by the property checker to try other actuals)."""
        actual: Quantity | None = None
        word: str | None = None
        if leaf.actual_from is not None:
            if leaf.actual_from in self.values:  # always, once _missing has been asked
                actual = self._value_quantity(leaf.actual_from)
        elif leaf.actual is not None:
            actual = leaf.actual.quantity
            word = leaf.actual.word if leaf.actual.word is not None else leaf.actual.text
        target = leaf.target
        if actual is not None and target is not None and target.quantity is not None:
            actual = _in_unit_of(actual, target.quantity)
        given = leaf.given_score
        return ScoreInput(
            weight=weight,
            target=target,
            actual=actual,
            word=word,
            items=leaf.actual_items,
            # A stated score is in points of the form's own weight: rescale it with the weight.
            given=None if given is None else given * (self.factor if rescale_given else 1),
            tier=leaf.tier,
            values=self.values,
            named=self._named,
            budget=self.plan.budget,
            places=self.tp.places,
        )

    def _named(self, name: str) -> Quantity | None:
        budget = self.plan.budget
        if name in budget:
            return budget[name]
        return self._value_quantity(name) if name in self.values else None

    def _value_quantity(self, name: str) -> Quantity:
        value = self.values[name]
        unit = self.tp.value_units.get(name)
        if unit is not None and unit.family == "ratio":
            # a formula gives a fraction (0.97); show it in the declared unit (97%)
            return Quantity(value / unit.factor, unit)
        return Quantity(value, unit)

    def _over_achievement(
        self, leaf: LeafData, outcome: Outcome, raw: Decimal, flags: list[str]
    ) -> Decimal:
        return self._over_ratio(leaf, outcome.ratio, raw, flags)

    def _over_ratio(
        self, leaf: LeafData, ratio: Decimal | None, raw: Decimal, flags: list[str]
    ) -> Decimal:
        """The over-achievement check of a rule's completion ratio (kernels call it directly)."""
        tp = self.tp
        flag_at = tp.flag_at
        target = leaf.target
        if (
            flag_at is None
            or ratio is None
            or target is None
            or target.direction not in ("positive", "equal")
            or ratio < flag_at
        ):
            return raw
        flags.append("over_achievement")
        message = (
            f"完成值为指标值的 {fmt(ratio * 100, 2)}%，超过 {fmt(flag_at * 100)}%，"
            "请核实指标值是否设置过低并说明原因"
        )
        if tp.deduct_step and tp.deduct_points:
            steps = (ratio - flag_at) / tp.deduct_step
            raw = max(ZERO, raw - steps * tp.deduct_points)
            message += f"；按模板规定扣 {fmt(steps * tp.deduct_points)} 分"
        self._finding("over_achievement", "warning", message, leaf, ratio=fmt(ratio, 4))
        return raw

    def _over_hundred(self, leaf: LeafData, actual: Quantity | None, flags: list[str]) -> None:
        """Warn when a rate that cannot pass 100% (满意度, 合格率 …) is written above it."""
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

    def _finding(
        self, code: str, severity: str, message: str, leaf: LeafData, **values: str
    ) -> None:
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


def _unscored(weight: Decimal, line: str, text: str, flags: tuple[str, ...]) -> Row:
    """The row of a leaf scored 0 without its rule (missing, unreadable, unscorable)."""
    return (weight, line, ZERO, ZERO, "缺失", flags, text, None, FROM_FORM, None, None, None,
            ZERO, False)  # fmt: skip


def _scores_in_points(step: RuleStep) -> bool:
    """Whether the step's rule gives points that do not scale with the weight (a per-step
    deduction, checklist points, a formula, bands or tiers written in points): under 不适用
    rescaling such a score is computed on the form's weight and then multiplied."""
    kind, params = step.name, step.params
    if kind in ("deduction", "checklist", "formula"):
        return True
    if kind == "bands":
        return any(b.score.unit is None for b in params.bands)
    if kind == "tiers":
        ends = [q for t in params.tiers for q in (t.range.low, t.range.high) if q is not None]
        return any(q.unit is None for q in ends)
    return False
