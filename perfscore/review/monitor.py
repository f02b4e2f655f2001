"""Mid-year monitoring (绩效运行监控, ``perfscore monitor FORM --month 7``).

::

    from perfscore.review.monitor import monitor_form
    report = monitor_form("examples/hunan-project/operation-maintenance-2023.yaml", month=7)
    print(report.project_light, [(x.name, x.light) for x in report.lights])

The form is the same file the unit fills in all year: ``target`` per indicator (target
review), ``progress`` (this stage: the value to date, and the 136号 table's ``expected``,
``causes``, ``likelihood``, ``measures``), and later ``actual``/``reported`` (scoring and
review), which this stage ignores. The budget light compares the executed budget to date
(``budget.<monitoring.budget.executed>``) with the annual budget. Every threshold comes from
the template's ``monitoring:`` section (:mod:`perfscore.review.monitor_rules`).
"""

from __future__ import annotations

import os
import unicodedata
from collections.abc import Iterable, Mapping
from decimal import Decimal
from fractions import Fraction
from typing import Any

import attrs

from ..build.model import Form, Leaf
from ..core.result import Finding
from ..errors import BuildError, PerfscoreError, UnitError
from ..text.actual import parse_actual
from ..text.display import fmt
from ..text.numbers import local_context, quantize
from .monitor_result import Light, MonitorReport
from .monitor_rules import (
    MONITOR_CATALOGUE,
    MonitorConfig,
    band_light,
    band_text,
    expected_share,
    project_light,
    schedule_points,
)
from .stage_common import Checks, Loaded, finding_key, load_stage_form, whole_file

__all__ = ["Light", "MonitorReport", "monitor_form", "monitor_source"]


def monitor_form(
    source: str | os.PathLike[str] | Mapping[str, Any] | Form,
    *,
    month: int,
    template: Any = None,
    search_path: Iterable[str | os.PathLike[str]] | None = None,
    sheet: str | None = None,
    disable: Iterable[str] = (),
    severities: Mapping[str, str] | None = None,
    file: str | None = None,
) -> MonitorReport:
    """Monitor one form at the end of ``month`` (1–12).

    Never raises for bad input (a file that cannot be read is a ``form_unreadable`` finding);
    raises BuildError when the template has no usable ``monitoring:`` section or an override
    names an unknown code (the caller's or the template author's mistake).
    """
    if not isinstance(month, int) or isinstance(month, bool) or not 1 <= month <= 12:
        from ..errors import InputTypeError

        raise InputTypeError(f"监控月份应为 1–12 的整数，而不是 {month!r}", value=month)
    disable = tuple(disable)
    Checks.build(MONITOR_CATALOGUE, None, disable=disable, severities=severities)
    loaded = load_stage_form(
        source, template=template, search_path=search_path, sheet=sheet, file=file
    )
    if loaded.form is None:
        err = loaded.problem or PerfscoreError("无法读取", file=loaded.file)
        return MonitorReport(
            file=loaded.file,
            month=month,
            unit=_opt(loaded.head.get("unit")),
            year=_opt(loaded.head.get("year")),
            findings=(whole_file("form_unreadable", err, loaded.file, "监控"),),
        )
    try:
        config = MonitorConfig.build(loaded.form.template, disable=disable, severities=severities)
    except BuildError as err:  # the template cannot 监控: say so on this form
        return _no_config(loaded, err, month)
    with local_context():
        return _Monitor(loaded, config, month).run()


def _no_config(loaded: Loaded, err: BuildError, month: int) -> MonitorReport:
    form = loaded.form
    assert form is not None
    return MonitorReport(
        file=loaded.file,
        month=month,
        unit=form.unit,
        year=form.year,
        template=form.template.id,
        findings=(whole_file("form_unreadable", err, loaded.file, "监控"),),
    )


def monitor_source(source: Any, **options: Any) -> MonitorReport:
    """Monitor one source of :func:`perfscore.read.sources.iter_sources` (a file, or a
    JSON Lines record). Never raises for bad input; a defect met on one form becomes that
    form's ``form_unreadable`` finding, so a batch goes on (as ``perfscore review`` does)."""
    from ..errors import BuildError, internal_error

    try:
        return _monitor_source(source, **options)
    except BuildError:
        raise  # a bad override: the caller's mistake, not the file's
    except Exception as exc:
        err = internal_error(exc, doing="监控", file=source.file, line=source.line)
        return MonitorReport(
            file=source.file,
            month=options["month"],
            line=source.line,
            findings=(whole_file("form_unreadable", err, source.file, "监控"),),
        )


def _monitor_source(source: Any, **options: Any) -> MonitorReport:
    """Monitor one source of :func:`perfscore.read.sources.iter_sources` (a file, or a record)."""
    from ..read.sources import parse_record

    if source.problem is not None:
        return MonitorReport(
            file=source.file,
            month=options["month"],
            findings=(whole_file("form_unreadable", source.problem, source.file, "监控"),),
        )
    if source.text is None:
        return monitor_form(source.file, **options)
    try:
        data = parse_record(source.text, file=source.file, line=source.line)
    except PerfscoreError as bad:
        return MonitorReport(
            file=source.file,
            month=options["month"],
            line=source.line,
            findings=(whole_file("form_unreadable", bad, source.file, "监控"),),
        )
    return attrs.evolve(monitor_form(data, file=source.file, **options), line=source.line)


def _opt(value: Any) -> str | None:
    return None if value is None else str(value)


def _squeeze(text: Any) -> str:
    return "".join(unicodedata.normalize("NFKC", str(text)).split())


def _dec(value: Fraction) -> Decimal:
    return Decimal(value.numerator) / Decimal(value.denominator)


def _pct(value: Fraction) -> str:
    return fmt(quantize(_dec(value) * 100, 2)) + "%"


def _num(value: Fraction) -> str:
    return fmt(quantize(_dec(value), 2))


class _Monitor:
    def __init__(self, loaded: Loaded, config: MonitorConfig, month: int) -> None:
        assert loaded.form is not None
        self.loaded = loaded
        self.form: Form = loaded.form
        self.config = config
        self.month = month
        self.findings: list[Finding] = []
        self.file = self.form.file or loaded.file

    def add(self, code: str, message: str, leaf: Leaf | None = None, **values: Any) -> None:
        self.findings.append(
            Finding(
                code=code,
                severity=MONITOR_CATALOGUE[code].severity,
                message=message,
                path=leaf.path if leaf is not None else (),
                values=tuple(sorted((k, str(v)) for k, v in values.items())),
                file=self.file,
                line=leaf.position.line if leaf is not None else None,
            )
        )

    def run(self) -> MonitorReport:
        c = self.config
        for f in self.loaded.reading_findings():
            if f.code in MONITOR_CATALOGUE:
                self.findings.append(f)
        budget = self.budget()
        lights = tuple(x for x in (self.leaf(leaf) for leaf in self.form.leaves()) if x)
        project = project_light(
            c, None if budget is None else budget.light, [x.light for x in lights if x.light]
        )
        kept = [f for f in (c.checks.apply(f) for f in self.findings) if f is not None]
        form = self.form
        return MonitorReport(
            file=self.loaded.file if self.loaded.source != "form" else (form.file or "<form>"),
            month=self.month,
            unit=form.unit,
            year=form.year,
            template=form.template.id,
            budget=budget,
            lights=lights,
            project_light=project,
            project_light_name="—" if project is None else c.name(project),
            project_sentence=self.project_sentence(budget, lights, project),
            findings=tuple(sorted(kept, key=finding_key)),
            order=c.order,
        )

    # ---------------------------------------------------------------- budget

    def budget(self) -> Light | None:
        c, figures = self.config, self.form.budget
        annual, executed = figures.get(c.annual), figures.get(c.executed)
        title = c.budget_title
        if annual is None or executed is None or annual.value == 0:
            missing = (
                "、".join(n for n, q in ((c.annual, annual), (c.executed, executed)) if q is None)
                or f"{c.annual}（为 0）"
            )
            self.add(
                "budget_missing",
                f"资金情况缺少 {missing}，无法判断{title}进度（截至 {self.month} 月的执行数写在 budget.{c.executed}）",
                缺少=missing,
            )
            return None
        try:
            rate = Fraction(executed.exact) / Fraction(annual.exact)
        except (UnitError, TypeError):  # pragma: no cover - both are money
            return None
        share = expected_share(c.budget_schedule, self.month)
        month = self.month
        if share == 0:
            light = c.not_due
            sentence = (
                f"截至 {month} 月执行 {executed}，占{c.annual} {annual} 的 {_pct(rate)}；"
                f"按计划本月应执行 0%，尚未到计划节点：{c.name(light)}。"
            )
            return Light(title, (), light, c.name(light), sentence, progress=str(executed))
        ratio = rate / share
        i, band = band_light(c.budget_bands, ratio)
        due = f"{month} ÷ 12" if c.budget_schedule is None else "按资金计划"
        sentence = (
            f"截至 {month} 月执行 {executed}，占{c.annual} {annual} 的 {_pct(rate)}；"
            f"时序进度 {_pct(share)}（{due}），执行进度 {_pct(rate)} ÷ {_pct(share)} = {_pct(ratio)}，"
            f"{band_text(c.budget_bands, i)}：{c.name(band.light)}。"
        )
        return Light(
            title,
            (),
            band.light,
            c.name(band.light),
            sentence,
            ratio=quantize(_dec(ratio), 4),
            progress=str(executed),
            target=str(annual),
        )

    # ---------------------------------------------------------------- indicators

    def leaf(self, leaf: Leaf) -> Light | None:
        stage = leaf.stage
        if not leaf.applicable:
            return None
        if leaf.target is None:
            if leaf.actual_from is not None or leaf.rule.kind == "execution_rate":
                return None  # a computed or execution-rate leaf: the budget light covers it
            self.add(
                "target_missing",
                f"“{leaf.name}”缺少年度指标值，无法判断监控进度",
                leaf,
            )
            return None
        raw = stage.get("progress")
        if raw is None:
            self.add(
                "progress_missing",
                f"“{leaf.name}”没有填写截至 {self.month} 月的完成值（progress），未亮灯",
                leaf,
                指标值=leaf.target_text or str(leaf.target),
            )
            return None
        light, sentence, ratio = self.light_of(leaf, str(raw).strip())
        if light is None:
            return None
        c = self.config
        causes = _list(stage.get("causes"))
        self.table_checks(leaf, light, causes)
        return Light(
            leaf.name,
            leaf.path,
            light,
            c.name(light),
            sentence,
            ratio=None if ratio is None else quantize(_dec(ratio), 4),
            progress=str(raw),
            target=leaf.target_text or str(leaf.target),
            expected=_opt(stage.get("expected")),
            causes=causes,
            likelihood=_opt(stage.get("likelihood")),
            measures=_opt(stage.get("measures")),
            line=leaf.position.line,
        )

    def light_of(self, leaf: Leaf, raw: str) -> tuple[str | None, str, Fraction | None]:
        c, month, target = self.config, self.month, leaf.target
        assert target is not None
        shown = leaf.target_text or str(target)
        if target.op == "qualitative":
            key = _squeeze(raw)
            for tier, light in c.qualitative.items():
                if _squeeze(tier) == key:
                    return light, f"定性指标，单位所选档次“{tier}”：{c.name(light)}。", None
            named = _tier_of_word(leaf, key)  # a word of the rule's tiers, e.g. 基本完成
            if named is not None and named in c.qualitative:
                light = c.qualitative[named]
                return (
                    light,
                    f"定性指标，完成情况“{raw}”属于计分规则的“{named}”档：{c.name(light)}。",
                    None,
                )
            self.add(
                "progress_unreadable",
                f"“{leaf.name}”是定性指标，完成情况应写所处档次，而不是“{raw}”",
                leaf,
                填写=raw,
                应为="、".join(c.qualitative),
            )
            return None, "", None
        try:
            actual = parse_actual(raw, target)
        except UnitError as err:
            self.add("unit_mismatch", f"“{leaf.name}”的完成值“{raw}”：{err.message}", leaf)
            return None, "", None
        except PerfscoreError as err:
            self.add("progress_unreadable", f"“{leaf.name}”的完成值“{raw}”：{err.message}", leaf)
            return None, "", None
        q, ref = actual.quantity, target.quantity
        if q is None or ref is None:
            self.add(
                "progress_unreadable",
                f"“{leaf.name}”的完成值“{raw}”不是数量，无法与指标值 {shown} 比较",
                leaf,
                填写=raw,
            )
            return None, "", None
        try:
            done = Fraction(q.to(ref.unit).value)
        except UnitError as err:
            self.add("unit_mismatch", f"“{leaf.name}”的完成值“{raw}”：{err.message}", leaf)
            return None, "", None
        aim = Fraction(ref.value)
        unit = "" if ref.unit is None else ref.unit.symbol
        if aim == 0:
            light = c.zero_met if done == 0 else c.zero_missed
            verdict = "等于 0" if done == 0 else "不等于 0"
            return (
                light,
                f"指标值为 0（{shown}），截至 {month} 月为 {_num(done)}{unit}，{verdict}：{c.name(light)}。",
                None,
            )
        if target.direction == "reverse":
            ratio = done / aim
            i, band = band_light(c.reverse, ratio)
            return (
                band.light,
                f"反向指标，全年上限 {shown}；截至 {month} 月累计 {_num(done)}{unit}，"
                f"占上限的 {_pct(ratio)}，{band_text(c.reverse, i)}：{c.name(band.light)}。",
                ratio,
            )
        points, plan = self.schedule(leaf)
        rate = ref.family == "ratio" and c.ratio_targets == "annual" and points is None
        share = Fraction(1) if rate else expected_share(points, month)
        if share == 0:
            light = c.not_due
            return (
                light,
                f"按{plan}截至 {month} 月应完成全年的 0%，尚未到计划节点"
                f"（已完成 {_num(done)}{unit}）：{c.name(light)}。",
                None,
            )
        due = aim * share
        ratio = done / due
        i, band = band_light(c.positive, ratio)
        if rate:
            how = f"比率类指标与全年指标值 {shown} 直接比较"
        elif points is None:
            how = f"全年指标值 {shown}，按时序进度应完成 {_num(due)}{unit}（{_num(aim)} × {month} ÷ 12）"
        else:
            how = f"全年指标值 {shown}，按{plan}截至 {month} 月应完成全年的 {_pct(share)}，即 {_num(due)}{unit}"
        return (
            band.light,
            f"截至 {month} 月完成 {_num(done)}{unit}；{how}，完成进度 {_pct(ratio)}，"
            f"{band_text(c.positive, i)}：{c.name(band.light)}。",
            ratio,
        )

    def schedule(self, leaf: Leaf) -> tuple[Any, str]:
        raw = leaf.stage.get("schedule")
        if raw is None:
            return None, "时序进度"
        if isinstance(raw, Mapping):
            try:
                return schedule_points(raw, "schedule", self.file), "本指标的进度计划"
            except PerfscoreError as err:
                self.add("schedule_unknown", f"“{leaf.name}”的进度计划：{err.message}", leaf)
                return None, "时序进度"
        name = str(raw)
        points = self.config.schedules.get(name)
        if points is None:
            from ..read.reader import suggest

            hint = suggest(name, self.config.schedules)
            self.add(
                "schedule_unknown",
                f"“{leaf.name}”的进度计划“{name}”未在模板 monitoring.schedules 中定义，按时序进度计"
                + (f"。{hint}" if hint else ""),
                leaf,
                应为="、".join(self.config.schedules) or "（模板未定义计划）",
            )
            return None, "时序进度"
        return points, f"进度计划“{name}”"

    def table_checks(self, leaf: Leaf, light: str, causes: tuple[str, ...]) -> None:
        c, stage = self.config, leaf.stage
        name = c.name(light)
        if light in c.explain:
            if not causes:
                self.add(
                    "cause_missing",
                    f"“{leaf.name}”为{name}，但未写偏差原因（{'、'.join(c.causes)}）",
                    leaf,
                )
            if not _opt(stage.get("measures")):
                self.add("measures_missing", f"“{leaf.name}”为{name}，但未写纠偏措施", leaf)
        for cause in causes:
            if cause not in c.causes:
                from ..read.reader import suggest

                hint = suggest(cause, c.causes)
                self.add(
                    "cause_unknown",
                    f"“{leaf.name}”的偏差原因“{cause}”不在规定的类别内"
                    + (f"。{hint}" if hint else ""),
                    leaf,
                    应为="、".join(c.causes),
                )
        self.expected_check(leaf)
        likely = _opt(stage.get("likelihood"))
        if likely is not None:
            if likely not in c.likelihood:
                self.add(
                    "likelihood_unknown",
                    f"“{leaf.name}”的完成目标可能性“{likely}”不是规定的写法",
                    leaf,
                    应为="、".join(c.likelihood),
                )
            elif likely in c.impossible:
                self.add(
                    "likelihood_impossible",
                    f"“{leaf.name}”：单位判断“{likely}”完成全年目标，请核实并考虑调整目标或预算",
                    leaf,
                )

    def expected_check(self, leaf: Leaf) -> None:
        """全年预计完成值 that would miss the annual target is a finding (136号: 完成目标可能性)."""
        raw, target = leaf.stage.get("expected"), leaf.target
        if raw is None or target is None or not target.is_quantitative:
            return
        try:
            expected = parse_actual(str(raw), target)
            if expected.quantity is None:
                raise PerfscoreError("不是数量")
            met = target.is_met(expected)
        except PerfscoreError as err:
            self.add(
                "expected_unreadable",
                f"“{leaf.name}”的全年预计完成值“{raw}”无法与指标值比较：{err.message}",
                leaf,
            )
            return
        if not met:
            shown = leaf.target_text or str(target)
            self.add(
                "expected_short",
                f"“{leaf.name}”全年预计完成 {expected.quantity}，达不到年度指标值 {shown}",
                leaf,
                预计=str(expected.quantity),
                指标值=shown,
            )

    def project_sentence(
        self, budget: Light | None, lights: tuple[Light, ...], project: str | None
    ) -> str:
        c = self.config
        if project is None:
            return "没有可判断的灯（缺少预算执行数和各指标的完成值）。"
        counts: dict[str, int] = {}
        for x in lights:
            if x.light is not None:
                counts[x.light] = counts.get(x.light, 0) + 1
        parts = [f"{c.name(k)} {counts[k]}" for k in c.order if counts.get(k)]
        head = f"{c.budget_title}{c.name(budget.light) if budget and budget.light else '未亮灯'}"
        body = f"{len(lights)} 项指标" + (f"（{'、'.join(parts)}）" if parts else "")
        if c.project == "budget_decides_red" and c.indicator_cap is not None:
            rule = (
                f"按本模板规定只有{c.budget_title}可定{c.name(c.order[0])}，"
                f"指标的{c.name(c.order[0])}按{c.name(c.indicator_cap)}计，取最差"
            )
        else:
            rule = f"取最差（{' > '.join(c.name(x) for x in c.order)}）"
        return f"项目{c.name(project)}：{head}，{body}；{rule}。"


def _tier_of_word(leaf: Leaf, key: str) -> str | None:
    """The tier of the leaf's tiers rule whose words hold ``key`` exactly (None otherwise)."""
    from ..rules.tiers import TiersParams

    params = leaf.rule.params
    if not isinstance(params, TiersParams):
        return None
    for tier in params.tiers:
        if any(_squeeze(w) == key for w in tier.words):
            return tier.name
    return None


def _list(raw: Any) -> tuple[str, ...]:
    if raw is None:
        return ()
    items = (
        raw
        if isinstance(raw, list | tuple)
        else str(raw).replace("，", "、").replace(",", "、").split("、")
    )
    return tuple(s for s in (str(x).strip() for x in items) if s)
