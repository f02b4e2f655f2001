"""Properties of the monitoring lights (issue 14), over the shipped templates' rules.

* a light never gets better when progress gets worse (less done on a positive indicator, more
  spent on a reverse one, less budget executed), for every month and target;
* the project light is the worst of its lights (``project: worst``), and with
  ``budget_decides_red`` it is red exactly when the budget light is red;
* the same holds end to end through :func:`perfscore.review.monitor.monitor_form`.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from perfscore.build.library import default_library
from perfscore.review.monitor import monitor_form
from perfscore.review.monitor_rules import MonitorConfig, band_light, project_light

_LIB = default_library()
WORST = MonitorConfig.build(_LIB.load(_LIB.find("mof/project-self-evaluation")))
BUDGET_RED = MonitorConfig.build(_LIB.load(_LIB.find("variants/monitoring-budget-red")))

ratios = st.fractions(min_value=0, max_value=3, max_denominator=10_000)
months = st.integers(min_value=1, max_value=12)
amounts = st.decimals(
    min_value=0, max_value=10_000, places=2, allow_nan=False, allow_infinity=False
)
lights = st.sampled_from(WORST.order)


def rank(config: MonitorConfig, light: str | None) -> int:
    assert light is not None
    return config.rank(light)  # 0 is the worst


@given(ratios, ratios)
def test_positive_light_is_monotone(a: Fraction, b: Fraction) -> None:
    low, high = sorted((a, b))
    assert rank(WORST, band_light(WORST.positive, low)[1].light) <= rank(
        WORST, band_light(WORST.positive, high)[1].light
    )


@given(ratios, ratios)
def test_budget_light_is_monotone(a: Fraction, b: Fraction) -> None:
    low, high = sorted((a, b))
    assert rank(WORST, band_light(WORST.budget_bands, low)[1].light) <= rank(
        WORST, band_light(WORST.budget_bands, high)[1].light
    )


@given(ratios, ratios)
def test_reverse_light_gets_worse_with_more_spent(a: Fraction, b: Fraction) -> None:
    low, high = sorted((a, b))
    assert rank(WORST, band_light(WORST.reverse, high)[1].light) <= rank(
        WORST, band_light(WORST.reverse, low)[1].light
    )


@given(st.none() | lights, st.lists(lights, max_size=8))
def test_project_light_is_the_worst_of_its_lights(
    budget: str | None, indicators: list[str]
) -> None:
    every = [x for x in (budget, *indicators) if x is not None]
    got = project_light(WORST, budget, indicators)
    if not every:
        assert got is None
    else:
        assert got in every and all(rank(WORST, got) <= rank(WORST, x) for x in every)


@given(lights, st.lists(lights, max_size=8))
def test_only_the_budget_makes_a_project_red(budget: str, indicators: list[str]) -> None:
    got = project_light(BUDGET_RED, budget, indicators)
    red = BUDGET_RED.order[0]
    assert (got == red) == (budget == red)
    # never better than the budget light, nor than any indicator light capped at yellow
    assert rank(BUDGET_RED, got) <= rank(BUDGET_RED, budget)


def _form(target: str, progress: str, executed: Decimal) -> dict[str, Any]:
    return {
        "kind": "form",
        "template": "mof/project-self-evaluation",
        "budget": {"unit": "万元", "全年预算数": "1000", "截至监控月执行数": str(executed)},
        "indicators": {
            "产出指标": {
                "数量指标": [{"name": "a", "target": target, "weight": "50", "progress": progress}]
            },
            "效益指标": {"社会效益指标": [{"name": "b", "target": "明显改善", "weight": "30"}]},
            "满意度指标": {"服务对象满意度指标": [{"name": "c", "target": "≥90%", "weight": "10"}]},
        },
    }


def _lights(target: str, progress: Decimal, executed: Decimal, month: int) -> tuple[int, int, int]:
    report = monitor_form(_form(target, f"{progress}次", executed), month=month)
    (leaf,) = report.lights
    assert report.budget is not None and report.project_light is not None
    return (
        rank(WORST, leaf.light),
        rank(WORST, report.budget.light),
        rank(WORST, report.project_light),
    )


@given(amounts, amounts, amounts, amounts, months, st.sampled_from(["≥", "≤"]))
def test_end_to_end_worse_progress_never_a_better_light(
    p1: Decimal, p2: Decimal, e1: Decimal, e2: Decimal, month: int, op: str
) -> None:
    target = f"{op}500次"
    (pl, ph), (el, eh) = sorted((p1, p2)), sorted((e1, e2))
    if op == "≤":  # reverse: more done is worse
        pl, ph = ph, pl
    worse = _lights(target, pl, el, month)
    better = _lights(target, ph, eh, month)
    assert worse[0] <= better[0] and worse[1] <= better[1] and worse[2] <= better[2]
    assert worse[2] == min(worse[0], worse[1])  # the project light is the worst of its lights


# ------------------------------------------------------------------ fuzz: nothing escapes

VALUE = st.one_of(
    st.none(),
    st.text(max_size=12),
    st.sampled_from(["≥10次", "≤5万元", "=0起", "100%", "达成", "部分达成", "XX", "**", "年"]),
    st.lists(st.text(max_size=6), max_size=3),
    st.dictionaries(st.sampled_from(["6", "12", "13", "x"]), st.text(max_size=5), max_size=3),
)
LEAF = st.dictionaries(
    st.sampled_from(
        [
            "name",
            "target",
            "weight",
            "progress",
            "expected",
            "causes",
            "likelihood",
            "measures",
            "schedule",
            "actual",
        ]
    ),
    VALUE,
    max_size=10,
)


@given(
    st.lists(LEAF, max_size=4),
    st.dictionaries(
        st.sampled_from(["全年预算数", "截至监控月执行数", "unit", "资金来源"]), VALUE, max_size=4
    ),
    months,
)
def test_monitor_and_target_review_raise_nothing_for_bad_forms(
    leaves: list[dict[str, Any]], budget: dict[str, Any], month: int
) -> None:
    from perfscore.review.target_review import review_targets

    data = {
        "kind": "form",
        "template": "mof/project-self-evaluation",
        "budget": budget,
        "indicators": {"产出指标": {"数量指标": leaves}},
    }
    report = monitor_form(data, month=month)  # never raises: every problem is a finding
    assert report.month == month
    targets = review_targets(data)
    assert targets.grade is not None or targets.findings
