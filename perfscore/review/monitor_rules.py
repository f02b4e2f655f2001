"""Monitoring rules (绩效运行监控, 财预〔2019〕136号): the template's ``monitoring:`` section.

Everything the lights depend on is read from the template (see ``docs/monitoring.md`` and the
``monitoring:`` sections of the shipped templates); this module holds the reading of that
section and the pure functions that turn one ratio into one light, so that property tests can
drive them directly:

* :func:`band_light` — the light of a ratio in an ordered band list (``below``: strictly
  below the bound; ``upto``: at or below it; the last band has no bound);
* :func:`project_light` — the project's light from its lights: the worst (by ``order``), or,
  with ``project: budget_decides_red``, red only through the budget light (an indicator's red
  counts as ``indicator_cap``).

Ratios are exact :class:`fractions.Fraction` values built from Decimals (never floats), so a
boundary such as 60% is met exactly.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from fractions import Fraction
from typing import Any, Final

import attrs

from ..build.model import Template
from ..core.findings import FindingSpec, _spec
from ..errors import BuildError
from .stage_common import Checks, parse_share

__all__ = [
    "MONITOR_CATALOGUE",
    "Band",
    "MonitorConfig",
    "band_light",
    "band_text",
    "project_light",
]

#: Monitoring finding codes (defaults; a template's ``monitoring.checks`` overrides them).
MONITOR_CATALOGUE: Final[Mapping[str, FindingSpec]] = {
    s.code: s
    for s in (
        _spec("cause_missing", "红灯或黄灯指标未写偏差原因", "warning"),
        _spec("measures_missing", "红灯或黄灯指标未写纠偏措施", "warning"),
        _spec("cause_unknown", "偏差原因不在模板规定的类别内", "warning"),
        _spec("likelihood_unknown", "完成目标可能性不是模板规定的写法", "warning"),
        _spec("likelihood_impossible", "单位判断完全不可能完成全年目标", "info"),
        _spec("expected_short", "全年预计完成值达不到年度指标值", "warning"),
        _spec("expected_unreadable", "全年预计完成值无法与指标值比较", "warning"),
        _spec("progress_missing", "缺少截至监控月的完成值", "warning"),
        _spec("progress_unreadable", "截至监控月的完成值无法识别", "error"),
        _spec("target_missing", "缺少年度指标值，无法监控", "error"),
        _spec("unit_mismatch", "完成值与指标值的单位不能比较", "error"),
        _spec("schedule_unknown", "非线性进度计划无法识别", "error"),
        _spec("budget_missing", "缺少全年预算数或截至监控月的执行数", "warning"),
        _spec("value_unreadable", "填写的内容不符合表单格式，已忽略", "error"),
        _spec("row_unreadable", "表格中无法读取的行", "error"),
        _spec("indicator_unknown", "模板中没有这个指标", "error"),
        _spec("form_unreadable", "整个文件无法读取", "error"),
    )
}

PROJECT_MODES: Final = ("worst", "budget_decides_red")


@attrs.frozen
class Band:
    """One band of a light table: ``light`` for ratios below ``below`` (strict) or up to
    ``upto`` (inclusive); the last band of a table has neither."""

    light: str
    below: Fraction | None = None
    upto: Fraction | None = None

    @property
    def bound(self) -> Fraction | None:
        return self.below if self.below is not None else self.upto

    def holds(self, ratio: Fraction) -> bool:
        if self.below is not None:
            return ratio < self.below
        if self.upto is not None:
            return ratio <= self.upto
        return True


def band_light(bands: Sequence[Band], ratio: Fraction) -> tuple[int, Band]:
    """The first band that holds ``ratio`` (the last band always does)."""
    for i, band in enumerate(bands):
        if band.holds(ratio):
            return i, band
    return len(bands) - 1, bands[-1]


def _pct(value: Fraction) -> str:
    from ..text.display import fmt

    return fmt(Decimal(value.numerator) / Decimal(value.denominator) * 100) + "%"


def band_text(bands: Sequence[Band], index: int) -> str:
    """The band in words: ``低于 60%``, ``60%（含）至 80%``, ``不低于 120%``, ``超过 100%`` …"""
    band = bands[index]
    prev = bands[index - 1] if index > 0 else None
    low = ""
    if prev is not None and prev.bound is not None:
        low = _pct(prev.bound) + ("（含）" if prev.below is not None else "（不含）")
    if band.below is not None:
        high = f"低于 {_pct(band.below)}"
    elif band.upto is not None:
        high = f"不超过 {_pct(band.upto)}"
    else:
        high = ""
    if low and high:
        return f"{low}至 {high.replace('低于 ', '').replace('不超过 ', '')}" + (
            "（不含）" if band.below is not None else "（含）"
        )
    if high:
        return high
    if prev is not None and prev.bound is not None:
        return ("不低于 " if prev.below is not None else "超过 ") + _pct(prev.bound)
    return "任意"


@attrs.frozen
class MonitorConfig:
    """The template's ``monitoring:`` section, read and checked."""

    order: tuple[str, ...]  # worst first
    names: Mapping[str, str]
    annual: str
    executed: str
    budget_title: str
    budget_bands: tuple[Band, ...]
    budget_schedule: tuple[tuple[int, Fraction], ...] | None
    positive: tuple[Band, ...]
    reverse: tuple[Band, ...]
    zero_met: str
    zero_missed: str
    qualitative: Mapping[str, str]
    not_due: str
    ratio_targets: str  # "annual" (a rate is compared with the annual target) or "prorated"
    project: str
    indicator_cap: str | None
    explain: tuple[str, ...]
    causes: tuple[str, ...]
    likelihood: tuple[str, ...]
    impossible: tuple[str, ...]
    schedules: Mapping[str, tuple[tuple[int, Fraction], ...]]
    checks: Checks

    def rank(self, light: str) -> int:
        """0 for the worst light."""
        return self.order.index(light)

    def name(self, light: str) -> str:
        return self.names.get(light, light)

    @classmethod
    def build(
        cls,
        template: Template,
        *,
        disable: Iterable[str] = (),
        severities: Mapping[str, str] | None = None,
    ) -> MonitorConfig:
        from .stage_common import section

        raw = section(template, "monitoring", "监控")
        file = template.file
        order = tuple(str(x) for x in _need(raw, "order", file))
        names = {str(k): str(v) for k, v in (_need(raw, "names", file) or {}).items()}

        def light(value: Any, where: str) -> str:
            text = str(value)
            if text not in order:
                raise BuildError(
                    f"monitoring.{where} 中的灯“{text}”不在 order 中",
                    file=file,
                    value=text,
                    expected="、".join(order),
                )
            return text

        def bands(value: Any, where: str) -> tuple[Band, ...]:
            if not isinstance(value, list | tuple) or not value:
                raise BuildError(f"monitoring.{where} 应为非空的分档列表", file=file)
            out: list[Band] = []
            last: Fraction | None = None
            for i, item in enumerate(value):
                below = item.get("below")
                upto = item.get("upto")
                b = Band(
                    light(item.get("light"), where),
                    None if below is None else _frac(parse_share(below, where, file)),
                    None if upto is None else _frac(parse_share(upto, where, file)),
                )
                final = i == len(value) - 1
                if (b.bound is None) != final or (below is not None and upto is not None):
                    raise BuildError(
                        f"monitoring.{where}：除最后一档外每档写 below 或 upto 之一，最后一档不写",
                        file=file,
                    )
                if b.bound is not None and last is not None and b.bound <= last:
                    raise BuildError(f"monitoring.{where}：分档界限应从小到大", file=file)
                last = b.bound if b.bound is not None else last
                out.append(b)
            return tuple(out)

        budget = _need(raw, "budget", file)
        zero = _need(raw, "zero", file)
        mode = str(_need(raw, "project", file))
        if mode not in PROJECT_MODES:
            raise BuildError(
                f"monitoring.project“{mode}”无法识别", file=file, expected="、".join(PROJECT_MODES)
            )
        cap = raw.get("indicator_cap")
        if mode == "budget_decides_red" and cap is None:
            raise BuildError(
                "monitoring.project 为 budget_decides_red 时须写 indicator_cap（指标红灯按哪种灯计）",
                file=file,
            )
        ratio_targets = str(_need(raw, "ratio_targets", file))
        if ratio_targets not in ("annual", "prorated"):
            raise BuildError(
                f"monitoring.ratio_targets“{ratio_targets}”无法识别",
                file=file,
                expected="annual、prorated",
            )
        schedules = {
            str(k): schedule_points(v, f"monitoring.schedules.{k}", file)
            for k, v in (raw.get("schedules") or {}).items()
        }
        bsched = budget.get("schedule")
        return cls(
            order=order,
            names=names,
            annual=str(_need(budget, "annual", file)),
            executed=str(_need(budget, "executed", file)),
            budget_title=str(budget.get("title") or "预算执行"),
            budget_bands=bands(_need(budget, "lights", file), "budget.lights"),
            budget_schedule=None
            if bsched is None
            else schedule_points(bsched, "monitoring.budget.schedule", file),
            positive=bands(_need(raw, "positive", file), "positive"),
            reverse=bands(_need(raw, "reverse", file), "reverse"),
            zero_met=light(_need(zero, "met", file), "zero.met"),
            zero_missed=light(_need(zero, "missed", file), "zero.missed"),
            qualitative={
                str(k): light(v, "qualitative")
                for k, v in (_need(raw, "qualitative", file) or {}).items()
            },
            not_due=light(_need(raw, "not_due", file), "not_due"),
            ratio_targets=ratio_targets,
            project=mode,
            indicator_cap=None if cap is None else light(cap, "indicator_cap"),
            explain=tuple(light(x, "explain") for x in _need(raw, "explain", file)),
            causes=tuple(str(x) for x in _need(raw, "causes", file)),
            likelihood=tuple(str(x) for x in _need(raw, "likelihood", file)),
            impossible=tuple(str(x) for x in raw.get("impossible") or ()),
            schedules=schedules,
            checks=Checks.build(
                MONITOR_CATALOGUE,
                raw.get("checks"),
                file=file,
                disable=disable,
                severities=severities,
            ),
        )


def _need(raw: Mapping[str, Any], key: str, file: str | None) -> Any:
    if not isinstance(raw, Mapping) or raw.get(key) is None:
        raise BuildError(f"模板的 monitoring 部分缺少 {key}", file=file, expected=key)
    return raw[key]


def _frac(value: Decimal) -> Fraction:
    return Fraction(value)


def schedule_points(raw: Any, what: str, file: str | None) -> tuple[tuple[int, Fraction], ...]:
    """``{6: 0%, 10: 100%}`` → ((6, 0), (10, 1)); months 1–12, shares not decreasing."""
    if not isinstance(raw, Mapping) or not raw:
        raise BuildError(f"{what} 应为 {{月份: 比例}} 映射", file=file, value=raw)
    points: list[tuple[int, Fraction]] = []
    for key, value in raw.items():
        text = str(key).strip()
        if not text.isdigit() or not 1 <= int(text) <= 12:
            raise BuildError(f"{what} 的月份“{key}”应为 1–12", file=file, value=key)
        points.append((int(text), _frac(parse_share(value, what, file))))
    points.sort()
    for (_, a), (m, b) in itertools.pairwise(points):
        if b < a:
            raise BuildError(f"{what}：{m} 月的累计比例小于之前的月份", file=file)
    return tuple(points)


def expected_share(points: Sequence[tuple[int, Fraction]] | None, month: int) -> Fraction:
    """The share of the annual target due by ``month``: month ÷ 12 without a schedule; with
    one, the share of the latest listed month not after ``month`` (0 before the first)."""
    if points is None:
        return Fraction(month, 12)
    share = Fraction(0)
    for m, value in points:
        if m <= month:
            share = value
    return share


def project_light(
    config: MonitorConfig, budget: str | None, indicators: Sequence[str]
) -> str | None:
    """The project's light (None when there is no light at all)."""
    lights = [x for x in (budget, *indicators) if x is not None]
    if not lights:
        return None
    if config.project == "budget_decides_red" and config.indicator_cap is not None:
        red = config.order[0]
        cap = config.indicator_cap
        capped = [cap if x == red else x for x in indicators]
        lights = [x for x in (budget, *capped) if x is not None]
    return min(lights, key=config.rank)
