"""``perfscore check --properties``: generic invariants of a template, tested with generated forms.

For every template given, forms are generated with :func:`perfscore.strategies.forms` and the
invariants below are checked. A failing invariant is shrunk by hypothesis to a *minimal*
counterexample, printed as a YAML form (``template:`` set to the template's id or path) that
the user can save and re-run with ``perfscore score``.

=============================  =====================================================
性质 (property)                 what is checked
=============================  =====================================================
每份合法表单都能计分            a valid form scores without an error
每项得分在 0 与分值之间         0 ≤ score ≤ weight (the effective weight, at the rounding places)
总分在 0 与满分之间且等于各项之和  0 ≤ total ≤ template total; = Σ rounded items (sum_of_rounded)
                                or the rounded Σ of raw items (round_of_sum); grade matches
每个指标都能得满分              some actual / stated tier / item list gives the full weight
完成值单调                      raising a positive actual never lowers the score; raising a
                                reverse one never raises it (deduction: side above is reverse)
档次与区间覆盖取值范围          tiers cover [0, 100%] of the weight; bands cover [0, +∞)
等级随总分单调                  the grade is a step function of the total
调换顺序不改变结果              permuting open-node lists and mapping keys changes nothing
=============================  =====================================================

Runs are deterministic (``--seed``, default 0) and write no example database unless
``--database DIR`` is given. Exit 0 when every property holds, 1 on any failure (or a template
that does not build), 2 on usage errors.
"""

from __future__ import annotations

import copy
import random
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from typing import Any

import attrs

from ..build.model import Form, Rule, Template
from ..core.result import Evaluation
from ..engine.evaluate import compute_values, evaluate
from ..errors import PerfscoreError, flatten, format_path
from ..text.display import fmt
from ..text.numbers import in_local_context, local_context, quantize
from ..text.quantity import Quantity
from .property_search import (
    ZERO,
    _actual_of,
    _bands_gap,
    _best_score,
    _canonical,
    _describe,
    _direction,
    _first_difference,
    _plain,
    _rules_in_use,
    _set_actual,
    _shuffle,
    _tiers_gap,
    _with_entry,
)

__all__ = ["PROPERTIES", "Failure", "check_properties"]


@attrs.frozen
class Failure:
    """Why a property does not hold, with the counterexample form(s) that show it."""

    message: str
    forms: tuple[Mapping[str, Any], ...] = ()
    captions: tuple[str, ...] = ()


class _Violation(AssertionError):
    """Raised inside a hypothesis test so that it shrinks the example."""


@attrs.frozen
class Property:
    key: str
    title: str


PROPERTIES = (
    Property("scorable", "每份合法表单都能计分"),
    Property("item_range", "每项得分在 0 与分值之间"),
    Property("total", "总分在 0 与满分之间且等于各项得分之和"),
    Property("full_marks", "每个指标都能得满分"),
    Property("monotone", "正向指标完成值越高得分不降，反向指标完成值越高得分不升"),
    Property("coverage", "档次与区间覆盖取值范围，无空隙、无重叠"),
    Property("grades", "等级随总分单调（阶梯函数）"),
    Property("permutation", "调换指标顺序或键的顺序不改变结果"),
)

#: The properties checked on generated forms (one shared hypothesis run, see
#: ``_Checker.run_form_properties``); the others examine the template itself.
FORM_PROPERTIES = ("scorable", "item_range", "total", "full_marks", "monotone", "permutation")


# ====================================================================== the checks


@in_local_context  # the checks do Decimal arithmetic: never in the caller's context
def check_properties(
    template: Template,
    *,
    examples: int = 200,
    seed: int = 0,
    database: str | None = None,
) -> list[tuple[Property, Failure | None]]:
    """Run every property against ``template``; ``(property, None)`` when it holds."""
    checker = _Checker(template, examples, seed, database)
    on_forms = checker.run_form_properties([p.key for p in PROPERTIES if p.key in FORM_PROPERTIES])
    out: list[tuple[Property, Failure | None]] = []
    for prop in PROPERTIES:
        if prop.key in on_forms:
            out.append((prop, on_forms[prop.key]))
            continue
        try:
            failure = getattr(checker, prop.key)()
        except _Unsupported as why:
            failure = Failure(str(why))
        out.append((prop, failure))
    return out


class _Unsupported(Exception):
    pass


def _load(template: Template, data: Mapping[str, Any]) -> Form:
    from ..build.bind import build_form
    from ..read.normalize import document_from_data

    def resolve(*_: Any) -> Template:  # pragma: no cover - the template is given
        return template

    return build_form(document_from_data(data), resolve, template=template)


def _score(template: Template, data: Mapping[str, Any]) -> tuple[Form, Evaluation]:
    form = _load(template, data)
    return form, evaluate(form)


class _Checker:
    def __init__(self, template: Template, examples: int, seed: int, database: str | None):
        from hypothesis import HealthCheck, Phase, Verbosity, settings
        from hypothesis.database import DirectoryBasedExampleDatabase

        from . import strategies

        self.t = template
        self.seed = seed
        self.places = template.rounding.places
        self.settings = settings(
            max_examples=examples,
            deadline=None,
            database=None if database is None else DirectoryBasedExampleDatabase(database),
            derandomize=False,
            suppress_health_check=[
                HealthCheck.too_slow,
                HealthCheck.filter_too_much,
                HealthCheck.data_too_large,
                HealthCheck.large_base_example,
            ],
            verbosity=Verbosity.quiet,
            report_multiple_bugs=False,
            print_blob=False,
            # no "explain" phase: it re-runs the shrunk example many times to say nothing we print
            phases=(Phase.explicit, Phase.reuse, Phase.generate, Phase.target, Phase.shrink),
        )
        self.forms = strategies.forms(template)
        self._last: tuple[Mapping[str, Any], tuple[Form, Evaluation] | PerfscoreError] | None = None

    # -- the hypothesis driver

    def _run(
        self, check: Callable[..., Failure | None], *extra: Any, forms: Any = None
    ) -> Failure | None:
        from hypothesis import given
        from hypothesis import seed as with_seed
        from hypothesis.errors import HypothesisException

        last: list[Failure] = []

        def fail(failure: Failure | None) -> None:
            if failure is not None:
                last.append(failure)
                raise _Violation(failure.message)

        # @given needs a fixed signature: one test function per number of arguments.
        def test1(data: Mapping[str, Any]) -> None:
            fail(check(data))

        def test2(data: Mapping[str, Any], a: Any) -> None:
            fail(check(data, a))

        def test3(data: Mapping[str, Any], a: Any, b: Any) -> None:
            fail(check(data, a, b))

        def test4(data: Mapping[str, Any], a: Any, b: Any, c: Any) -> None:
            fail(check(data, a, b, c))

        test = (test1, test2, test3, test4)[len(extra)]
        # settings outermost: @seed alone would switch the example database off
        runner = self.settings(with_seed(self.seed)(given(forms or self.forms, *extra)(test)))
        try:
            runner()
        except _Violation:
            return last[-1]
        except HypothesisException as exc:
            return Failure(f"无法为该模板生成表单：{exc}")
        except PerfscoreError as err:
            return Failure(f"生成表单时出错：{err}")
        return None

    def _scored(self, data: Mapping[str, Any]) -> tuple[Form, Evaluation] | None:
        try:
            return self._score_shared(data)
        except PerfscoreError:
            return None

    def _score_shared(self, data: Mapping[str, Any]) -> tuple[Form, Evaluation]:
        """``_score(template, data)``, done once per generated example: every property of the
        example reads the same result (they only read it). Raises what ``_score`` raises."""
        last = self._last
        if last is None or last[0] is not data:
            try:
                outcome: tuple[Form, Evaluation] | PerfscoreError = _score(self.t, data)
            except PerfscoreError as err:
                outcome = err
            last = self._last = (data, outcome)
        if isinstance(last[1], PerfscoreError):
            raise last[1]
        return last[1]

    def run_form_properties(self, keys: Sequence[str]) -> dict[str, Failure | None]:
        """The properties checked on generated forms, all in one hypothesis run: each example
        is generated (and scored) once and every property still checked on every example.
        When one fails, its (shrunk) counterexample is kept and the others run again."""
        found: dict[str, Failure | None] = {}
        active = list(keys)
        while active:
            key, failure = self._run_together(active)
            if failure is None:
                found.update(dict.fromkeys(active))
                break
            if key is None:  # no form could be generated: every property says so
                found.update(dict.fromkeys(active, failure))
                break
            found[key] = failure
            active.remove(key)
        return found

    def _run_together(self, keys: Sequence[str]) -> tuple[str | None, Failure | None]:
        from hypothesis import strategies as st

        checks: list[tuple[str, Callable[..., Failure | None]]] = [
            (key, getattr(self, key)()) for key in keys
        ]
        which: list[str] = []

        def check(
            data: Mapping[str, Any], pick: int, step: int, rnd: random.Random
        ) -> Failure | None:
            for key, one in checks:
                if key == "monotone":
                    failure = one(data, pick, step)
                elif key == "permutation":
                    failure = one(data, rnd)
                else:
                    failure = one(data)
                if failure is not None:
                    which.append(key)
                    return failure
            return None

        failure = self._run(
            check, st.integers(0, 1000), st.integers(1, 300), st.randoms(use_true_random=True)
        )
        if failure is None:
            return None, None
        return (which[-1] if which else None), failure

    # -- 1. every valid form scores

    def scorable(self) -> Callable[..., Failure | None]:
        def check(data: Mapping[str, Any]) -> Failure | None:
            try:
                self._score_shared(data)
            except PerfscoreError as err:
                errors = flatten(err)
                text = "\n".join(f"{e.kind}：{e}" for e in errors)
                return Failure(f"合法表单无法计分：\n{text}", (data,))
            return None

        return check

    # -- 2. item scores within [0, weight]

    def item_range(self) -> Callable[..., Failure | None]:
        def check(data: Mapping[str, Any]) -> Failure | None:
            scored = self._scored(data)
            if scored is None:
                return None
            for leaf in scored[1].leaves():
                cap = quantize(leaf.effective_weight, self.places)
                if not ZERO <= leaf.score <= cap or not ZERO <= leaf.raw_score <= max(
                    leaf.effective_weight, ZERO
                ):
                    return Failure(
                        f"指标“{format_path(leaf.path)}”得分 {fmt(leaf.score)}"
                        f"（未取舍 {fmt(leaf.raw_score)}）不在 0～{fmt(cap)} 分之间\n"
                        f"计分说明：{leaf.explanation}",
                        (data,),
                    )
            return None

        return check

    # -- 3. total

    def total(self) -> Callable[..., Failure | None]:
        t = self.t

        def check(data: Mapping[str, Any]) -> Failure | None:
            scored = self._scored(data)
            if scored is None:
                return None
            result = scored[1]
            leaves = list(result.leaves())
            if t.rounding.total == "round_of_sum":
                expected = quantize(sum((x.raw_score for x in leaves), ZERO), self.places)
                how = "各项未取舍得分之和四舍五入"
            else:
                expected = sum((x.score for x in leaves), ZERO)
                how = "各项得分之和"
            problems = []
            if not ZERO <= result.total <= t.total:
                problems.append(f"总分 {fmt(result.total)} 不在 0～{fmt(t.total)} 之间")
            if result.total != expected:
                problems.append(f"总分 {fmt(result.total)} 不等于{how} {fmt(expected)}")
            if result.grade != t.grade_for(result.total):
                problems.append(f"等级“{result.grade}”与总分 {fmt(result.total)} 不符")
            for group in result.groups():
                got = sum((c.score for c in group.children), ZERO)
                if got != group.score:
                    problems.append(
                        f"“{format_path(group.path)}”小计 {fmt(group.score)} 不等于下级之和 {fmt(got)}"
                    )
            return Failure("\n".join(problems), (data,)) if problems else None

        return check

    # -- 4. full marks reachable

    def full_marks(self) -> Callable[..., Failure | None]:
        def check(data: Mapping[str, Any]) -> Failure | None:
            scored = self._scored(data)
            if scored is None:
                return None
            form, result = scored
            values, _ = compute_values(form.plan)
            by_path = {x.path: x for x in result.leaves()}
            for leaf in form.leaves():
                res = by_path.get(leaf.path)
                if res is None or res.status == "不适用" or res.effective_weight <= 0:
                    continue
                full = quantize(res.effective_weight, self.places)
                best, change = _best_score(form, leaf, res, values)
                if best is None or best >= full:
                    continue
                witness = _with_entry(self.t, data, leaf.path, change) if change else data
                how = _describe(change)
                return Failure(
                    f"指标“{format_path(leaf.path)}”（规则 {leaf.rule.label}，{leaf.rule.kind}）"
                    f"在所有尝试的完成值中最高只得 {fmt(best)} 分，满分为 {fmt(full)} 分{how}",
                    (witness,),
                )
            return None

        return check

    # -- 5. monotone in the actual

    def monotone(self) -> Callable[..., Failure | None]:
        def check(data: Mapping[str, Any], pick: int, step: int) -> Failure | None:
            scored = self._scored(data)
            if scored is None:
                return None
            form, result = scored
            by_path = {x.path: x for x in result.leaves()}
            eligible = [
                (leaf, d)
                for leaf in form.leaves()
                if (d := _direction(leaf)) is not None and _actual_of(form, leaf) is not None
            ]
            if not eligible:
                return None
            leaf, direction = eligible[pick % len(eligible)]
            before = by_path[leaf.path]
            q = _actual_of(form, leaf)
            assert q is not None
            scale = max(abs(q.value), Decimal(1))
            exponent = q.value.as_tuple().exponent
            places = max(0, -exponent if isinstance(exponent, int) else 0) + 2
            with local_context():
                delta = quantize(scale * step / 100, places)
            if delta <= 0:
                return None
            raised = Quantity(q.value + delta, q.unit)
            changed = _set_actual(self.t, data, leaf, raised)
            if changed is None:
                return None
            try:
                after_scored: tuple[Form, Evaluation] | None = _score(self.t, changed)
            except PerfscoreError:  # not kept: the next property reads the example's own
                after_scored = None
            if after_scored is None:
                return None
            after = next(x for x in after_scored[1].leaves() if x.path == leaf.path)
            over = self.t.over_achievement
            if over.deduct_points and (
                "over_achievement" in before.flags or "over_achievement" in after.flags
            ):
                return None  # the template deducts for over-achievement on purpose
            worse = (
                after.raw_score < before.raw_score
                if direction == "positive"
                else (after.raw_score > before.raw_score)
            )
            if not worse:
                return None
            word = "正向" if direction == "positive" else "反向"
            change = "降低" if direction == "positive" else "升高"
            return Failure(
                f"{word}指标“{format_path(leaf.path)}”（规则 {leaf.rule.label}，{leaf.rule.kind}）"
                f"完成值由 {q} 提高到 {raised}，得分反而{change}："
                f"{fmt(before.raw_score)} → {fmt(after.raw_score)}\n"
                f"之前：{before.explanation}\n之后：{after.explanation}",
                (data, changed),
                ("反例一（完成值较低）", "反例二（完成值较高）"),
            )

        return check

    # -- 6. tiers and bands cover their domain

    def coverage(self) -> Failure | None:
        for rule, weights in _rules_in_use(self.t):
            if rule.kind == "tiers":
                problem = _tiers_gap(rule, weights)
                if problem is not None:
                    return self._coverage_failure(rule, problem, tiers=True)
            elif rule.kind == "bands":
                problem = _bands_gap(rule)
                if problem is not None:
                    return self._coverage_failure(rule, problem, tiers=False)
        return None

    def _coverage_failure(self, rule: Rule, problem: tuple[str, Any], *, tiers: bool) -> Failure:
        message, witness = problem
        text = f"规则“{rule.label}”（{rule.kind}）{message}"
        found = self._form_with_rule(rule)
        if found is None:
            return Failure(text + "\n（未能生成使用该规则的表单）")
        data, path = found
        if tiers:
            tier_name, score = witness
            change = {"tier": tier_name, "score": _plain(score)}
            data = _with_entry(self.t, data, path, change)
        else:
            data = _with_entry(self.t, data, path, {"actual": str(witness)})
        try:
            _, result = _score(self.t, data)
            leaf = next(x for x in result.leaves() if x.path == path)
            outcome = f"计分结果：{leaf.explanation}"
        except PerfscoreError as err:
            errors = flatten(err)
            outcome = "计分出错：" + "；".join(e.message for e in errors)
        return Failure(f"{text}\n{outcome}", (data,))

    def _form_with_rule(self, rule: Rule) -> tuple[dict[str, Any], tuple[str, ...]] | None:
        """A minimal generated form with a leaf scored by ``rule`` whose actual is typed in."""
        from hypothesis import find
        from hypothesis.errors import HypothesisException

        def leaf_path(data: Mapping[str, Any]) -> tuple[str, ...] | None:
            try:
                form = _load(self.t, data)
            except PerfscoreError:
                return None
            for leaf in form.leaves():
                if leaf.rule is rule and leaf.actual_from is None and leaf.applicable:
                    return leaf.path
            return None

        try:
            data = find(
                self.forms,
                lambda d: leaf_path(d) is not None,
                settings=self.settings,
                random=random.Random(self.seed),
            )
        except HypothesisException:
            return None
        path = leaf_path(data)
        return (copy.deepcopy(data), path) if path is not None else None

    # -- 7. grades

    def grades(self) -> Failure | None:
        t = self.t
        ranks = {g.name: i for i, g in enumerate(sorted(t.grades, key=lambda g: g.min))}
        grain = Decimal(1).scaleb(-self.places)
        points = sorted({*(g.min for g in t.grades), *(g.min - grain for g in t.grades)})
        steps = int(t.total / grain)
        totals = [p for p in points if ZERO <= p <= t.total]
        if steps <= 20000:
            totals = sorted({*totals, *(grain * i for i in range(steps + 1))})
        previous: tuple[Decimal, str] | None = None
        for total in totals:
            grade = t.grade_for(total)
            if previous is not None and ranks[grade] < ranks[previous[1]]:
                return Failure(
                    f"总分 {fmt(previous[0])} 为“{previous[1]}”，更高的总分 {fmt(total)} "
                    f"反而为“{grade}”"
                )
            previous = (total, grade)
        return None

    # -- 8. permutation

    def permutation(self) -> Callable[..., Failure | None]:
        def check(data: Mapping[str, Any], rnd: random.Random) -> Failure | None:
            shuffled = _shuffle(data, rnd)
            try:
                first = _canonical(self._score_shared(data)[1])
            except PerfscoreError:
                return None
            try:
                second = _canonical(_score(self.t, shuffled)[1])
            except PerfscoreError as err:
                return Failure(f"调换顺序后无法计分：{err}", (data, shuffled))
            if first == second:
                return None
            diff = _first_difference(first, second)
            return Failure(
                f"调换顺序后结果不同：{diff}",
                (data, shuffled),
                ("反例一（原顺序）", "反例二（调换顺序后）"),
            )

        return check
