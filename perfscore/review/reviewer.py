"""The reviewer: the checks run on one form (reported against computed scores, weights, totals, the
printed execution rate, budget identities, targets and actuals as written). What they produce is
in review.reports; the entry points are in review.batch and, public, :mod:`perfscore.review`.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Final

import attrs

from ..build.model import Form, Leaf
from ..core.findings import CATALOGUE
from ..core.result import Evaluation, Finding, LeafResult
from ..errors import PerfscoreError
from ..text.display import fmt, fmt_fixed
from ..text.numbers import parse_decimal, quantize
from ..text.quantity import Quantity
from . import extra as _review_extra
from .reports import ZERO, FormReview, ReviewedItem, RowAccount, _at_row, _finding_key

if TYPE_CHECKING:
    from .reports import ReviewConfig, _Loaded

__all__ = []

# ====================================================================== the checks

_COMPARATOR_IN_NAME: Final = re.compile(r"[≥≧>＞≤≦<＜=＝]\s*[0-9０-９]|[0-9０-９]\s*[%％‰]")
_LEAF_CODES: Final = {"missing_actual": "actual_missing"}


def _squeeze(text: str | None) -> str:
    return "".join(unicodedata.normalize("NFKC", text or "").split())


class _Reviewer:
    def __init__(
        self, form: Form, evaluation: Evaluation, loaded: _Loaded, config: ReviewConfig
    ) -> None:
        self.form = form
        self.ev = evaluation
        self.loaded = loaded
        self.config = config
        self.findings: list[Finding] = []
        self.tabular = loaded.table is not None
        self.pairs: list[tuple[Leaf, LeafResult]] = list(
            zip(form.leaves(), evaluation.leaves(), strict=True)
        )

    # ---------------------------------------------------------------- helpers

    def add(
        self,
        code: str,
        message: str,
        *,
        leaf: Leaf | None = None,
        at: tuple[str | int, ...] | None = None,
        path: tuple[str, ...] = (),
        **values: Any,
    ) -> None:
        line = None
        if leaf is not None:
            line, path = leaf.position.line, leaf.path
        elif at is not None and self.loaded.doc is not None:
            line = self.loaded.doc.locate(at)[0]
        self.findings.append(
            Finding(
                code=code,
                severity=CATALOGUE[code].severity,
                message=message,
                path=path,
                values=tuple(sorted((k, _show(v)) for k, v in values.items())),
                file=self.form.file or self.loaded.file,
                line=line,
            )
        )

    # ---------------------------------------------------------------- run

    def run(self) -> FormReview:
        self.findings.extend(self.loaded.notes)
        self.findings.extend(self.form.findings)
        if self.loaded.table is not None:
            self.findings.extend(self.loaded.table.problems)
        repeats = self.leaves()
        self.from_evaluation(repeats)
        self.totals()
        self.execution_rate()
        self.execution_low()
        self.identities()
        _review_extra.budget_block(self)
        _review_extra.totals(self)
        from .form_checks import run_form_checks

        run_form_checks(self)
        kept = [
            f
            for f in (self.config.apply(_at_row(f, self.tabular)) for f in self.findings)
            if f is not None
        ]
        findings = tuple(sorted(_unique(kept), key=_finding_key))
        items = self.items(findings)
        rows = self.rows(findings, items)
        form = self.form
        return FormReview(
            file=self.loaded.file if self.loaded.source != "form" else (form.file or "<form>"),
            evaluation=self.ev,
            findings=tuple(_review_extra.collapse(findings)),
            items=items,
            rows=rows,
            encoding=self.loaded.encoding,
            source=self.loaded.source,
            unit=form.unit,
            year=form.year,
            reported_total=form.reported_total,
        )

    def items(self, findings: Sequence[Finding]) -> tuple[ReviewedItem, ...]:
        """One entry per leaf, with the codes of the findings located on it."""
        out: list[ReviewedItem] = []
        # findings by place, once: scanning them all for every leaf was quadratic
        by_place: dict[tuple[tuple[str, ...], int | None], dict[str, None]] = {}
        for f in findings:
            by_place.setdefault((f.path, f.row or f.line), {})[f.code] = None
        for leaf, res in self.pairs:
            line = leaf.position.line
            codes = tuple(by_place.get((leaf.path, line), ()))
            out.append(
                ReviewedItem(
                    path=leaf.path,
                    name=leaf.name,
                    weight=leaf.weight,
                    reported=leaf.reported,
                    score=res.score,
                    status=res.status,
                    explanation=res.explanation,
                    target=res.target_text,
                    actual=res.actual_text,
                    note=leaf.note,
                    line=None if self.tabular else line,
                    row=line if self.tabular else None,
                    codes=codes,
                )
            )
        return tuple(out)

    def rows(
        self, findings: Sequence[Finding], items: Sequence[ReviewedItem]
    ) -> tuple[RowAccount, ...]:
        table = self.loaded.table
        if table is None:
            return ()
        scored = {leaf.position.line for leaf, _r in self.pairs if leaf.unreadable is None}
        by_row: dict[int, list[str]] = {}
        for f in findings:
            if f.row is not None:
                by_row.setdefault(f.row, []).append(f.code)
        accounts: list[RowAccount] = []
        for rec in table.rows:
            codes = tuple(dict.fromkeys(by_row.get(rec.row, ())))
            if rec.kind in ("indicator", "unreadable"):
                if rec.row in scored:
                    outcome = "scored+finding" if codes else "scored"
                elif codes:
                    outcome = "finding"
                else:
                    outcome = "lost"
            else:
                outcome = "recognised"
            accounts.append(RowAccount(rec.row, rec.kind, outcome, codes, rec.reason))
        return tuple(accounts)

    # ---------------------------------------------------------------- leaves

    def leaves(self) -> set[tuple[tuple[str, ...], int | None]]:
        """Per-leaf checks; returns the leaves whose actual only repeats the target."""
        repeats: set[tuple[tuple[str, ...], int | None]] = set()
        c = self.config
        for leaf, res in self.pairs:
            self.text_checks(leaf, repeats)
            reported = leaf.reported
            if leaf.unreadable is not None or reported is None or res.status == "不适用":
                continue
            weight = res.effective_weight if res.effective_weight else leaf.weight
            over = reported - weight
            if over > c.tolerance("score_above_weight"):
                self.add(
                    "score_above_weight",
                    f"自评得分 {fmt(reported)} 超过分值 {fmt(weight)}",
                    leaf=leaf,
                    自评得分=reported,
                    分值=weight,
                )
            diff = reported - res.score
            in_tier = self.within_tier(leaf, res, reported)
            if abs(diff) > c.tolerance("reported_differs") and not in_tier:
                self.add(
                    "reported_differs",
                    f"自评 {fmt(reported)} 分，按规则应得 {fmt(res.score)} 分，"
                    f"{'多' if diff > 0 else '少'}计 {fmt(abs(diff))} 分",
                    leaf=leaf,
                    自评得分=reported,
                    计算得分=res.score,
                    差额=diff,
                )
            if in_tier is False:
                self.add(
                    "score_outside_tier",
                    f"自评得分 {fmt(reported)} 不在“{res.tier}”档的分数范围内",
                    leaf=leaf,
                    自评得分=reported,
                    档次=res.tier or "",
                )
            if (
                res.status == "达成"
                and weight - reported > c.tolerance("met_not_full")
                and not (leaf.note or "").strip()
            ):
                self.add(
                    "met_not_full",
                    f"已达成指标值，自评却只得 {fmt(reported)} 分（满分 {fmt(weight)}），"
                    "且未填写偏差原因",
                    leaf=leaf,
                    自评得分=reported,
                    分值=weight,
                )
            if res.status in ("部分达成", "未达成") and reported >= weight > 0:
                self.add(
                    "unmet_full",
                    f"{res.status}（{res.explanation}），自评却得满分 {fmt(reported)}",
                    leaf=leaf,
                    自评得分=reported,
                    计算得分=res.score,
                )
        return repeats

    def within_tier(self, leaf: Leaf, res: LeafResult, reported: Decimal) -> bool | None:
        """For a tiered (qualitative) leaf: whether ``reported`` lies in its tier's range."""
        if leaf.rule.kind != "tiers" or res.tier is None:
            return None
        from ..rules.tiers import _bounds

        tier = next((t for t in leaf.rule.params.tiers if t.name == res.tier), None)
        if tier is None:
            return None
        low, high = _bounds(tier.range, res.effective_weight, self.ev.places)
        return bool(low <= reported <= high)

    def text_checks(self, leaf: Leaf, repeats: set[tuple[tuple[str, ...], int | None]]) -> None:
        target = leaf.target
        name = _squeeze(leaf.name)
        target_text = _squeeze(leaf.target_text)
        suffix = f"({target_text})"  # NFKC folds （） to ()
        if self.tabular and target_text and name.endswith(suffix):
            # the reader names two same-named rows 名称（年度指标值）; that is not the unit's doing
            name = name[: -len(suffix)]
        if target is None and not target_text and _COMPARATOR_IN_NAME.search(name):
            # one cause, one finding: the empty target cell is this, not a target_missing
            self.findings[:] = [
                f
                for f in self.findings
                if not (
                    f.code == "target_missing"
                    and (f.path, f.line) == (leaf.path, leaf.position.line)
                )
            ]
            self.add(
                "target_in_name",
                f"指标名称“{leaf.name}”里写了指标值，“年度指标值”栏却是空的：请把指标值填在该栏",
                leaf=leaf,
                名称=leaf.name,
            )
        if target is not None and (
            _COMPARATOR_IN_NAME.search(name)
            or (len(target_text) >= 2 and target.is_quantitative and target_text in name)
            or (len(target_text) >= 4 and target_text in name)
        ):
            self.add(
                "target_in_name",
                f"指标名称“{leaf.name}”里写了指标值，指标值应单独填在“年度指标值”栏",
                leaf=leaf,
                名称=leaf.name,
                指标值=leaf.target_text or "",
            )
        actual = leaf.actual
        if (
            actual is not None
            and target is not None
            and target.is_quantitative
            and actual.comparator is not None
            and _squeeze(leaf.actual_text) == target_text
        ):
            repeats.add((leaf.path, leaf.position.line))
            self.add(
                "actual_repeats_target",
                f"实际完成值“{leaf.actual_text}”只是照抄了指标值，没有写出实际完成的数值",
                leaf=leaf,
                指标值=leaf.target_text or "",
                实际完成值=leaf.actual_text or "",
            )

    def from_evaluation(self, repeats: set[tuple[tuple[str, ...], int | None]]) -> None:
        leaves = {(leaf.path, leaf.position.line): leaf for leaf, _r in self.pairs}
        for found in self.ev.findings:
            f = found
            leaf = leaves.get((f.path, f.line))
            code = _LEAF_CODES.get(f.code, f.code)
            if leaf is not None:
                if code == "over_achievement" and not (leaf.note or "").strip():
                    code = "over_achievement_unexplained"
                    f = attrs.evolve(f, message=f.message + "；“偏差原因分析及改进措施”未填写")
                elif code == "actual_has_comparator" and (f.path, f.line) in repeats:
                    continue
                elif code == "unscorable" and _actual_unreadable(leaf):
                    code = "actual_unreadable"
            values = tuple(
                ("完成比例", _ratio_text(v)) if k == "ratio" else (k, v) for k, v in f.values
            )
            self.findings.append(
                attrs.evolve(f, code=code, severity=_severity_default(code), values=values)
            )

    # ---------------------------------------------------------------- form level

    def totals(self) -> None:
        form, c = self.form, self.config
        reported_total = form.reported_total
        if reported_total is None:
            return
        reported = [leaf.reported for leaf, _r in self.pairs]
        if reported and all(r is not None for r in reported):
            total = sum((r for r in reported if r is not None), ZERO)
            if abs(total - reported_total) > c.tolerance("reported_total_sum"):
                self.add(
                    "reported_total_sum",
                    f"自评总分 {fmt(reported_total)} 不等于各项自评得分之和 {fmt(total)}",
                    at=("reported_total",),
                    path=("总分",),
                    自评总分=reported_total,
                    各项之和=total,
                    差额=reported_total - total,
                )
        diff = reported_total - self.ev.total
        if abs(diff) > c.tolerance("total_differs"):
            self.add(
                "total_differs",
                f"自评总分 {fmt(reported_total)}，按规则计算为 {fmt(self.ev.total)}，"
                f"差 {fmt(diff)} 分",
                at=("reported_total",),
                path=("总分",),
                自评总分=reported_total,
                计算总分=self.ev.total,
                差额=diff,
            )

    def execution_rate(self) -> None:
        budget, c = self.form.budget, self.config
        printed = budget.get(c.printed_rate)
        params = _execution_params(self.form)
        if printed is None or params is None:
            return
        executed = budget.get(params.executed)
        adjusted = budget.get(params.budget)
        opening = budget.get(c.opening)
        if executed is None or printed.value == 0:
            return
        at = ("budget", *c.printed_rate.split("."))
        factor = printed.base / printed.value if printed.value else Decimal(1)
        places = _places(printed.value)
        p = printed.base

        def rate(denominator: Quantity | None) -> Decimal | None:
            if denominator is None or denominator.base <= 0:
                return None
            return executed.base / denominator.base

        r_adjusted, r_opening = rate(adjusted), rate(opening)
        near = c.tolerance("execution_rate_denominator")
        used, used_name, used_q = r_adjusted, params.budget, adjusted
        if (
            r_opening is not None
            and abs(p - r_opening) <= near
            and (r_adjusted is None or abs(p - r_adjusted) > near)
        ):
            used, used_name, used_q = r_opening, c.opening, opening
            assert opening is not None
            self.add(
                "execution_rate_denominator",
                f"印出的执行率 {printed} 是 {params.executed} ÷ {c.opening}"
                f"（{fmt(executed.value)} ÷ {fmt(opening.value)}），"
                f"应为 {params.executed} ÷ {params.budget}"
                + (
                    f"（{fmt(executed.value)} ÷ {fmt(adjusted.value)} = {_percent(r_adjusted)}）"
                    if adjusted is not None and r_adjusted is not None
                    else ""
                ),
                at=at,
                path=("预算执行率",),
                印出执行率=str(printed),
                按年初预算=_percent(r_opening),
                按全年预算="" if r_adjusted is None else _percent(r_adjusted),
            )
        if used is None or used_q is None:
            return
        shown = quantize(used / factor, places) * factor
        if abs(shown - p) > c.tolerance("execution_rate_miscomputed"):
            self.add(
                "execution_rate_miscomputed",
                f"印出的执行率 {printed} 算错了：{params.executed} ÷ {used_name} = "
                f"{fmt(executed.value)} ÷ {fmt(used_q.value)} = {_percent(used, places)}",
                at=at,
                path=("预算执行率",),
                印出执行率=str(printed),
                应为=_percent(used, places),
                分母=used_name,
            )

    def execution_low(self) -> None:
        """A low execution rate (against the adjusted budget) needs a stated reason."""
        floor = self.config.tolerance("execution_rate_low_unexplained")
        for leaf, res in self.pairs:
            if leaf.rule.kind != "execution_rate" or res.ratio is None or leaf.note:
                continue
            if res.ratio < floor:
                self.add(
                    "execution_rate_low_unexplained",
                    f"预算执行率 {_percent(res.ratio)} 低于 {_percent(floor)}，"
                    "“偏差原因分析及改进措施”未填写，请说明执行偏低的原因",
                    leaf=leaf,
                    执行率=_percent(res.ratio),
                    要求=_percent(floor),
                )

    def identities(self) -> None:
        budget = self.form.budget
        for ident in self.config.identities:
            total = budget.get(ident.total)
            if total is None:
                continue
            parts: list[tuple[str, Quantity]] = []
            complete = True
            for pattern in ident.parts:
                if "*" in pattern:
                    rx = re.compile(
                        "^" + r"([^.]+)".join(re.escape(x) for x in pattern.split("*")) + "$"
                    )
                    for n, q in budget.items():
                        m = rx.match(n)
                        if m is not None:  # shown by the name the * stands for
                            parts.append(("·".join(m.groups()), q))
                elif pattern in budget:
                    parts.append((pattern, budget[pattern]))
                else:
                    complete = False
            if not parts or not complete:
                continue
            try:
                amounts = [_in_unit(q, total) for _n, q in parts]
            except PerfscoreError:
                continue
            got = sum(amounts, ZERO)
            diff = total.value - got
            tolerance = (
                ident.tolerance
                if ident.tolerance is not None
                else self.config.tolerance("budget_identity")
            )
            if abs(diff) <= tolerance:
                continue
            places = max(_places(a) for a in (total.value, *amounts))

            def money(x: Decimal, places: int = places) -> str:
                return fmt_fixed(x, places)

            names = " + ".join(_last(n) for n, _q in parts)
            sums = " + ".join(money(a) for a in amounts)
            self.add(
                "budget_identity",
                f"{ident.name}：{names} = {sums} = {money(got)}，"
                f"不等于{_last(ident.total)} {money(total.value)}（差 {money(abs(diff))}）",
                at=("budget", *ident.total.split(".")),
                path=("资金情况", ident.name),
                合计=money(total.value),
                各项之和=money(got),
                差额=money(diff),
            )


def _execution_params(form: Form) -> Any:
    for leaf in form.leaves():
        if leaf.rule.kind == "execution_rate":
            return leaf.rule.params
    return None


def _actual_unreadable(leaf: Leaf) -> bool:
    actual = leaf.actual
    if actual is None:
        return False
    if "unreadable" in actual.flags:
        return True
    return actual.kind == "word" and leaf.target is not None and leaf.target.is_quantitative


def _severity_default(code: str) -> str:
    spec = CATALOGUE.get(code)
    return spec.severity if spec is not None else "warning"


def _in_unit(q: Quantity, total: Quantity) -> Decimal:
    if q.unit is None or total.unit is None or q.unit == total.unit:
        return q.value
    return q.to(total.unit).value


def _places(value: Decimal) -> int:
    exponent = value.as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


def _last(name: str) -> str:
    return name.rsplit(".", 1)[-1]


def _percent(value: Decimal | None, places: int = 2) -> str:
    if value is None:
        return ""
    return f"{quantize(value * 100, places):.{places}f}%"


def _ratio_text(text: str) -> str:
    """The evaluator's ratio ("1.8", or cut short as "1.2345…") as a percentage."""
    try:
        value = parse_decimal(text.rstrip("…"))
    except PerfscoreError:
        return text
    return _percent(value) + ("…" if text.endswith("…") else "")


def _show(value: Any) -> str:
    if isinstance(value, Decimal):
        return fmt(value)
    return str(value)


def _unique(findings: Iterable[Finding]) -> list[Finding]:
    seen: set[tuple[Any, ...]] = set()
    out: list[Finding] = []
    for f in findings:
        key = (f.code, f.path, f.line, f.row, f.message)
        if key not in seen:
            seen.add(key)
            out.append(f)
    return out
