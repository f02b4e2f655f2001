"""Target review (绩效目标审核, ``perfscore targets FORM...``): the quality of the targets a
unit submits before the budget is approved (财预〔2015〕88号: 完整性、相关性、适当性、可行性).

::

    from perfscore.review.target_review import review_targets
    report = review_targets("examples/review/targets.yaml")
    print(report.grade, [(f.code, f.message) for f in report.findings])

The form is read as ``perfscore review`` reads it (YAML, CSV/XLSX 申报表 without 实际完成值 and
得分 columns); what belongs to later stages (``progress``, ``actual``, ``reported``) is ignored.
Each check's thresholds and word lists come from the template's ``target_review:`` section
(:mod:`perfscore.review.target_review_rules`); its findings use the stable codes of
:data:`~perfscore.review.target_review_rules.TARGET_CATALOGUE`.
"""

from __future__ import annotations

import os
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any, Final

import attrs

from ..build.model import Form, Leaf
from ..core.result import Finding, _dumps
from ..errors import BuildError
from ..text.display import fmt
from ..text.numbers import local_context
from ..text.quantity import Quantity
from .stage_common import Checks, Loaded, finding_key, load_stage_form, whole_file
from .target_review_rules import TARGET_CATALOGUE, TargetReviewConfig

__all__ = ["TargetItem", "TargetReport", "review_targets", "targets_source"]

#: Builder findings kept at this stage (actual, score and rule problems belong to later ones).
_KEPT: Final = frozenset(
    (
        "weights_sum",
        "weight_missing",
        "target_unreadable",
        "value_unreadable",
        "row_unreadable",
        "indicator_unknown",
    )
)


@attrs.frozen
class TargetItem:
    """One third-level indicator as reviewed: its target, weight, kind and finding codes."""

    path: tuple[str, ...]
    name: str
    target: str | None
    weight: Decimal | None
    kind: str  # 定量 | 定性 | 缺失 | 无法识别
    codes: tuple[str, ...] = ()
    line: int | None = None
    row: int | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "path": list(self.path),
            "name": self.name,
            "target": self.target,
            "weight": None if self.weight is None else fmt(self.weight),
            "kind": self.kind,
            "codes": list(self.codes),
        }
        for key in ("line", "row"):
            if getattr(self, key) is not None:
                out[key] = getattr(self, key)
        return out


@attrs.frozen
class TargetReport:
    """The target review of one form."""

    file: str
    grade: str | None
    findings: tuple[Finding, ...] = ()
    items: tuple[TargetItem, ...] = ()
    unit: str | None = None
    year: str | None = None
    template: str | None = None
    source: str = "yaml"
    line: int | None = None
    quantitative_share: Decimal | None = None

    def counts(self) -> dict[str, int]:
        c = Counter(f.severity for f in self.findings)
        return {k: c.get(k, 0) for k in ("error", "warning", "info")}

    def reaches(self, level: str) -> bool:
        from ..core.findings import SEVERITY_RANK

        if level == "never":
            return False
        need = SEVERITY_RANK[level]
        return any(SEVERITY_RANK.get(f.severity, 0) >= need for f in self.findings)

    def seriousness(self) -> tuple[Any, ...]:
        c = self.counts()
        return (-c["error"], -c["warning"], -c["info"], self.file, self.line or 0)

    def to_dict(self) -> dict[str, Any]:
        return {
            "file": self.file,
            **({"line": self.line} if self.line is not None else {}),
            "unit": self.unit,
            "year": self.year,
            "template": self.template,
            "grade": self.grade,
            "quantitative_share": None
            if self.quantitative_share is None
            else fmt(self.quantitative_share),
            "counts": self.counts(),
            "findings": [f.to_dict() for f in self.findings],
            "items": [i.to_dict() for i in self.items],
        }

    def to_json(self, *, indent: int | None = 2) -> str:
        return _dumps(self.to_dict(), indent=indent)


def review_targets(
    source: str | os.PathLike[str] | Mapping[str, Any] | Form,
    *,
    template: Any = None,
    search_path: Iterable[str | os.PathLike[str]] | None = None,
    sheet: str | None = None,
    disable: Iterable[str] = (),
    severities: Mapping[str, str] | None = None,
    file: str | None = None,
) -> TargetReport:
    """Review the targets of one form. Never raises for bad input (``form_unreadable``);
    raises BuildError when the template has no usable ``target_review:`` or an override
    names an unknown code."""
    disable = tuple(disable)
    Checks.build(TARGET_CATALOGUE, None, disable=disable, severities=severities)
    loaded = load_stage_form(
        source, template=template, search_path=search_path, sheet=sheet, file=file
    )
    if loaded.form is None:
        from ..errors import PerfscoreError

        err = loaded.problem or PerfscoreError("无法读取", file=loaded.file)
        head = loaded.head
        return TargetReport(
            file=loaded.file,
            grade=None,
            findings=(whole_file("form_unreadable", err, loaded.file, "审核"),),
            unit=None if head.get("unit") is None else str(head["unit"]),
            year=None if head.get("year") is None else str(head["year"]),
            source=loaded.source,
        )
    try:
        config = TargetReviewConfig.build(
            loaded.form.template, disable=disable, severities=severities
        )
    except BuildError as err:  # the template cannot 审核: say so on this form
        return _no_config(loaded, err)
    with local_context():
        return _Targets(loaded, config).run()


def _no_config(loaded: Loaded, err: BuildError) -> TargetReport:
    form = loaded.form
    assert form is not None
    return TargetReport(
        file=loaded.file,
        grade=None,
        findings=(whole_file("form_unreadable", err, loaded.file, "审核"),),
        unit=form.unit,
        year=form.year,
        template=form.template.id,
        source=loaded.source,
    )


def targets_source(source: Any, **options: Any) -> TargetReport:
    """Review the targets of one source of :func:`perfscore.read.sources.iter_sources` (a file, or a
    JSON Lines record). Never raises for bad input; a defect met on one form becomes that
    form's ``form_unreadable`` finding, so a batch goes on (as ``perfscore review`` does)."""
    from ..errors import BuildError, internal_error

    try:
        return _targets_source(source, **options)
    except BuildError:
        raise  # a bad override: the caller's mistake, not the file's
    except Exception as exc:
        err = internal_error(exc, doing="审核", file=source.file, line=source.line)
        return TargetReport(
            file=source.file,
            grade=None,
            line=source.line,
            findings=(whole_file("form_unreadable", err, source.file, "审核"),),
        )


def _targets_source(source: Any, **options: Any) -> TargetReport:
    """Review one source of :func:`perfscore.read.sources.iter_sources` (a file, or a record)."""
    from ..errors import PerfscoreError
    from ..read.sources import parse_record

    if source.problem is not None:
        return TargetReport(
            file=source.file,
            grade=None,
            findings=(whole_file("form_unreadable", source.problem, source.file, "审核"),),
        )
    if source.text is None:
        return review_targets(source.file, **options)
    try:
        data = parse_record(source.text, file=source.file, line=source.line)
    except PerfscoreError as bad:
        return TargetReport(
            file=source.file,
            grade=None,
            line=source.line,
            findings=(whole_file("form_unreadable", bad, source.file, "审核"),),
        )
    return attrs.evolve(review_targets(data, file=source.file, **options), line=source.line)


def _squeeze(text: Any) -> str:
    return "".join(unicodedata.normalize("NFKC", str(text or "")).split())


_DIGIT: Final = re.compile(r"[0-9]")


class _Targets:
    def __init__(self, loaded: Loaded, config: TargetReviewConfig) -> None:
        assert loaded.form is not None
        self.loaded = loaded
        self.form: Form = loaded.form
        self.config = config
        self.tabular = loaded.table is not None
        self.file = self.form.file or loaded.file
        self.findings: list[Finding] = []
        self.fixed = {n.path for n in self.form.template.walk() if n.is_leaf}

    def add(self, code: str, message: str, leaf: Leaf | None = None, **values: Any) -> None:
        line = leaf.position.line if leaf is not None else None
        self.findings.append(
            Finding(
                code=code,
                severity=TARGET_CATALOGUE[code].severity,
                message=message,
                path=leaf.path if leaf is not None else (),
                values=tuple(sorted((k, str(v)) for k, v in values.items())),
                file=self.file,
                line=None if self.tabular else line,
                row=line if self.tabular else None,
            )
        )

    # ---------------------------------------------------------------- run

    def run(self) -> TargetReport:
        c = self.config
        for f in self.loaded.reading_findings():
            if f.code in _KEPT and not (
                c.weights == "none" and f.code in ("weights_sum", "weight_missing")
            ):
                self.findings.append(f)
        leaves = [leaf for leaf in self.form.leaves() if self.reviewed(leaf)]
        for leaf in leaves:
            self.leaf(leaf)
        self.groups(leaves)
        share = self.share(leaves)
        self.budget()
        kept = [f for f in (c.checks.apply(f) for f in self.findings) if f is not None]
        findings = tuple(sorted(_unique(kept), key=finding_key))
        counts = Counter(f.severity for f in findings)
        form = self.form
        return TargetReport(
            file=self.loaded.file if self.loaded.source != "form" else (form.file or "<form>"),
            grade=c.grade(counts.get("error", 0), counts.get("warning", 0)),
            findings=findings,
            items=tuple(self.item(leaf, findings) for leaf in leaves),
            unit=form.unit,
            year=form.year,
            template=form.template.id,
            source=self.loaded.source,
            quantitative_share=share,
        )

    @staticmethod
    def reviewed(leaf: Leaf) -> bool:
        """A leaf the unit sets a target for (not 预算执行率 nor a computed indicator)."""
        return leaf.actual_from is None and leaf.rule.kind != "execution_rate"

    def item(self, leaf: Leaf, findings: tuple[Finding, ...]) -> TargetItem:
        line = leaf.position.line
        codes = tuple(
            dict.fromkeys(
                f.code for f in findings if f.path == leaf.path and (f.row or f.line) == line
            )
        )
        t = leaf.target
        kind = (
            "缺失"
            if t is None and not leaf.target_text
            else "无法识别"
            if t is None
            else "定量"
            if t.is_quantitative
            else "定性"
        )
        return TargetItem(
            path=leaf.path,
            name=leaf.name,
            target=leaf.target_text or (None if t is None else str(t)),
            weight=leaf.weight,
            kind=kind,
            codes=codes,
            line=None if self.tabular else line,
            row=line if self.tabular else None,
        )

    # ---------------------------------------------------------------- per indicator

    def within(self, leaf: Leaf, groups: tuple[str, ...]) -> bool:
        return any(name in groups for name in leaf.path[:-1])

    def leaf(self, leaf: Leaf) -> None:
        c, t, name = self.config, leaf.target, leaf.name
        text = leaf.target_text or ("" if t is None else str(t))
        raw = _squeeze(text)
        for where, value in (("指标名称", name), ("年度指标值", text)):
            hit = next((p for p in c.placeholders if p and p in str(value)), None)
            if hit is not None:
                self.add(
                    "target_placeholder",
                    f"“{name}”的{where}“{value}”中留有占位符“{hit}”，应填写实际内容",
                    leaf,
                    占位符=hit,
                )
        if c.weights == "none":
            if leaf.weight and leaf.weight > 0 and self.open_leaf(leaf):
                self.add(
                    "weight_unexpected",
                    f"“{name}”写了分值 {fmt(leaf.weight)}，本申报表不设分值",
                    leaf,
                    分值=fmt(leaf.weight),
                )
        elif c.max_weight is not None and leaf.weight > c.max_weight and self.open_leaf(leaf):
            self.add(
                "weight_too_high",
                f"“{name}”的分值 {fmt(leaf.weight)} 超过模板规定的单项上限 {fmt(c.max_weight)}",
                leaf,
                分值=fmt(leaf.weight),
                上限=fmt(c.max_weight),
            )
        if t is None:
            if not leaf.target_text:
                self.add("target_missing", f"“{name}”没有填写年度指标值", leaf)
            return  # an unreadable target is already a target_unreadable finding
        if raw and raw == _squeeze(name):
            self.add(
                "target_copies_name",
                f"“{name}”的年度指标值只是照抄了指标名称，应写明要达到的数量或标准",
                leaf,
            )
        if not t.is_quantitative:
            self.qualitative(leaf, raw)
            return
        if "implicit_equal" in t.flags:
            self.add(
                "target_no_comparator",
                f"“{name}”的指标值“{text}”没有比较符号，按“={text}”理解；建议写明 ≥、≤ 或 =",
                leaf,
            )
        if t.unit is None and self.within(leaf, c.unit_required):
            self.add(
                "target_no_unit",
                f"“{name}”的指标值“{text}”是纯数字，缺少计量单位（如 次、个、万元）",
                leaf,
            )
        q = t.quantity
        if self.within(leaf, c.cost_groups) and t.op in (">=", ">"):
            self.add(
                "cost_as_minimum",
                f"成本指标“{name}”写成了下限“{text}”，成本应写上限（≤）",
                leaf,
                指标值=text,
            )
        floor = c.satisfaction_floor
        if (
            floor is not None
            and q is not None
            and self.within(leaf, c.satisfaction_groups)
            and q.family == "ratio"
            and q.base < floor
        ):
            self.add(
                "satisfaction_low",
                f"满意度指标“{name}”的指标值 {q} 低于模板规定的下限 {fmt(floor * 100)}%",
                leaf,
                指标值=str(q),
                下限=f"{fmt(floor * 100)}%",
            )
        self.time(leaf, text)

    def qualitative(self, leaf: Leaf, raw: str) -> None:
        c, name, text = self.config, leaf.name, leaf.target_text or ""
        if self.within(leaf, c.quantitative):
            group = next(n for n in leaf.path[:-1] if n in c.quantitative)
            self.add(
                "target_not_quantified",
                f"{group}“{name}”的指标值“{text}”没有数值，应细化量化（如 ≥10次、≤50万元）",
                leaf,
                指标值=text,
            )
        vague = [w for w in c.vague_words if w and w in raw]
        if vague and not _DIGIT.search(raw):
            self.add(
                "target_vague",
                f"“{name}”的指标值“{text}”只有“{'、'.join(vague)}”这类模糊用语，无法衡量是否完成",
                leaf,
                用语="、".join(vague),
            )
        self.time(leaf, text)

    def time(self, leaf: Leaf, text: str) -> None:
        c = self.config
        if not self.within(leaf, c.time_groups) or not c.time_words:
            return
        alone = _squeeze(text) in {_squeeze(w) for w in c.time_words}  # e.g. just “年”
        if alone or not any(w in text for w in c.time_words):
            self.add(
                "time_not_date",
                f"时效指标“{leaf.name}”的指标值“{text}”不是日期或时限（如 11月底前、30个工作日内、及时率≥95%）",
                leaf,
                指标值=text,
            )

    def open_leaf(self, leaf: Leaf) -> bool:
        """A leaf the unit wrote itself (not a fixed leaf of the template)."""
        return leaf.path not in self.fixed

    # ---------------------------------------------------------------- per form

    def groups(self, leaves: list[Leaf]) -> None:
        c = self.config
        counts: Counter[str] = Counter()
        for leaf in leaves:
            for name in leaf.path[:-1]:
                counts[name] += 1
        known = {n.name: n for n in self.form.template.walk()}
        for name in c.required:
            if name in known and counts[name] == 0:
                self.add(
                    "group_empty",
                    f"必填的二级指标“{name}”下没有三级指标",
                    None,
                    二级指标=name,
                )
                self.findings[-1] = attrs.evolve(self.findings[-1], path=known[name].path)
        for group in c.required_any:
            present = [n for n in group if n in known]
            if present and not any(counts[n] for n in present):
                self.add(
                    "group_empty",
                    f"“{'、'.join(present)}”中至少要有一个二级指标设置三级指标，现在都没有",
                    None,
                    二级指标="、".join(present),
                )

    def share(self, leaves: list[Leaf]) -> Decimal | None:
        targets = [leaf.target for leaf in leaves if leaf.target is not None]
        if not targets:
            return None
        quantitative = sum(1 for t in targets if t.is_quantitative)
        share = Decimal(quantitative) / Decimal(len(targets))
        floor = self.config.quantitative_share
        if floor is not None and share < floor:
            self.add(
                "quantitative_share_low",
                f"定量指标 {quantitative} 个，占全部 {len(targets)} 个指标的 "
                f"{fmt((share * 100).quantize(Decimal('0.01')))}%，低于模板要求的 {fmt(floor * 100)}%",
                None,
                定量=quantitative,
                全部=len(targets),
            )
        return share

    def budget(self) -> None:
        figures = self.form.budget
        for rule in self.config.budget:
            total = figures.get(rule.total)
            if total is None:
                continue
            parts: list[tuple[str, Quantity]] = []
            for pattern in rule.parts:
                rx = re.compile(
                    "^"
                    + r"\.".join("[^.]+" if p == "*" else re.escape(p) for p in pattern.split("."))
                    + "$"
                )
                parts.extend((k, v) for k, v in figures.items() if rx.match(k))
            if not parts:
                continue
            unit = total.unit
            try:
                summed = sum((q.to(unit).value for _, q in parts), Decimal(0))
            except Exception:  # a part in another unit family: not comparable
                continue
            diff = summed - total.value
            if abs(diff) > rule.tolerance:
                shown = " + ".join(f"{k} {fmt(q.to(unit).value)}" for k, q in parts)
                u = "" if unit is None else unit.symbol
                self.add(
                    "budget_sources_sum",
                    f"{rule.name}不成立：{shown} = {fmt(summed)}{u}，{rule.total}为 {fmt(total.value)}{u}，相差 {fmt(abs(diff))}{u}",
                    None,
                    合计=f"{fmt(total.value)}{u}",
                    各项之和=f"{fmt(summed)}{u}",
                )
                self.findings[-1] = attrs.evolve(self.findings[-1], path=("资金情况",))


def _unique(findings: Iterable[Finding]) -> list[Finding]:
    seen: set[tuple[Any, ...]] = set()
    out: list[Finding] = []
    for f in findings:
        key = (f.code, f.path, f.line, f.row, f.message)
        if key not in seen:
            seen.add(key)
            out.append(f)
    return out
