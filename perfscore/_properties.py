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

import argparse
import copy
import json
import os
import random
import sys
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any, TextIO

import attrs

from ._evaluate import _Evaluator, compute_values, evaluate
from ._numbers import in_local_context, local_context, quantize
from ._rules import KINDS, ScoreInput, _bounds
from ._text import fmt
from ._yaml import load_yaml
from .errors import PerfscoreError, flatten, format_path
from .model import Form, Leaf, Rule, Template
from .result import Evaluation, LeafResult
from .targets import Quantity, _adopt

__all__ = ["PROPERTIES", "Failure", "check_properties", "run_properties"]

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
ZERO = Decimal(0)


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


# ====================================================================== running


def run_properties(args: argparse.Namespace, *, out: TextIO | None = None) -> int:
    """``perfscore check --properties TEMPLATE...``: 0 all hold, 1 a failure, 2 usage error."""
    stream = out if out is not None else sys.stdout
    try:
        import hypothesis  # noqa: F401
    except ImportError:
        print(
            "perfscore check --properties 需要 hypothesis：pip install 'perfscore[properties]'",
            file=sys.stderr,
        )
        return EXIT_USAGE
    examples = int(getattr(args, "examples", 200) or 0)
    if examples < 1:
        print("perfscore check：--examples 应为正整数", file=sys.stderr)
        return EXIT_USAGE
    found = _template_files(args)
    if isinstance(found, int):
        return found
    files, _library = found
    # one process per CPU by default (0: the same), never more than there are templates
    jobs = getattr(args, "jobs", None) or os.cpu_count() or 1
    jobs = max(1, min(jobs, len(files)))
    from ._batch_pool import ordered_map

    failed = 0
    job = _TemplateJob(args, examples)
    try:
        for text, count in ordered_map(job, files, jobs=jobs, chunk_size=1, window=jobs):
            stream.write(text)
            stream.flush()
            failed += count
    except PerfscoreError as err:  # a worker process died
        print(f"perfscore check：{err}", file=sys.stderr)
        return EXIT_USAGE
    print(
        f"共 {len(files)} 个模板、{len(PROPERTIES)} 条性质，每条 {examples} 例："
        + ("全部成立" if not failed else f"{failed} 项不成立"),
        file=stream,
    )
    return EXIT_FAILED if failed else EXIT_OK


class _TemplateJob:
    """Check one template's properties and give back (what to print, failures): picklable,
    so that several templates are checked at once in worker processes (``--jobs``)."""

    def __init__(self, args: argparse.Namespace, examples: int) -> None:
        self.args = args
        self.examples = examples
        self.library: Any = None

    def __getstate__(self) -> dict[str, Any]:
        return {"args": self.args, "examples": self.examples}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.args, self.examples, self.library = state["args"], state["examples"], None

    def __call__(self, item: tuple[Path, str]) -> tuple[str, int]:
        import io

        path, ref = item
        if self.library is None:
            found = _template_files(self.args)
            assert not isinstance(found, int), "the templates were found by the parent"
            self.library = found[1]
        stream = io.StringIO()
        failed = 0
        print(f"模板 {ref}（{path}）", file=stream)
        try:
            template = self.library.build(load_yaml(path))
        except PerfscoreError as err:
            print("  ✗ 模板无法构建，性质检验未运行：", file=stream)
            for e in flatten(err):
                print(f"      {e.kind}：{e}", file=stream)
            return stream.getvalue(), 1
        started, cpu = time.perf_counter(), time.process_time()
        results = check_properties(
            template,
            examples=self.examples,
            seed=int(getattr(self.args, "seed", 0) or 0),
            database=getattr(self.args, "database", None),
        )
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
        for prop, failure in results:
            if failure is None:
                print(f"  ✓ {prop.title}", file=stream)
                continue
            failed += 1
            print(f"  ✗ {prop.title}", file=stream)
            _report(failure, ref, stream)
        print(f"  用时 {elapsed:.1f} 秒（CPU {cpu:.1f} 秒）", file=stream)
        return stream.getvalue(), failed


def _template_files(args: argparse.Namespace) -> tuple[list[tuple[Path, str]], Any] | int:
    from ._check import template_files

    found = template_files(args)
    if isinstance(found, int):
        return found
    library, files = found
    return [(f, _reference(f, library)) for f in files], library


def _reference(path: Path, library: Any) -> str:
    """The id when ``perfscore score`` finds the template by it, else the path as given."""
    try:
        data = load_yaml(path).data
        ref = str(data.get("id")) if isinstance(data, Mapping) else ""
        if ref and library.find(ref).resolve() == path.resolve():
            from ._library import default_library

            if default_library().find(ref).resolve() == path.resolve():
                return ref
    except (PerfscoreError, OSError):
        pass
    return str(path)


def _report(failure: Failure, ref: str, stream: TextIO) -> None:
    import yaml

    for line in failure.message.splitlines():
        print(f"      {line}", file=stream)
    for i, form in enumerate(failure.forms):
        data = dict(form)
        data["template"] = ref
        caption = failure.captions[i] if i < len(failure.captions) else "最小反例"
        name = "反例.yaml" if len(failure.forms) == 1 else f"反例{i + 1}.yaml"
        print(
            f"      {caption}（保存为 {name}，在当前目录运行 perfscore score {name}）：",
            file=stream,
        )
        text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=1000)
        for line in text.splitlines():
            print(f"        {line}", file=stream)


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
    from ._build import build_form
    from ._normalize import document_from_data

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
