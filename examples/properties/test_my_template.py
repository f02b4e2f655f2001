"""How a finance bureau writes property tests for its own template (run with pytest).

Suppose the bureau has changed the rules of ``hunan/unit-self-evaluation`` in YAML (for example
the words of the qualitative tiers, or the reverse rule). These tests generate hundreds of
forms for the template with :mod:`perfscore.strategies` and check what the bureau relies on::

    pip install "perfscore[properties]" pytest
    pytest examples/properties/test_my_template.py

To test your own template, change ``TEMPLATE`` to its path (``templates/my.yaml``) or id.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

import perfscore
from perfscore import strategies as ps

HERE = Path(__file__).resolve().parent
TEMPLATE = perfscore.load_template(HERE.parents[1] / "indicators/hunan/unit-self-evaluation.yaml")
#: Few examples so the guide runs in seconds; raise it for a real check (or use a profile).
QUICK = settings(max_examples=30, deadline=None, derandomize=True, database=None)


def score(form: dict) -> perfscore.Evaluation:  # type: ignore[type-arg]
    return perfscore.evaluate(perfscore.load_form(form, template=TEMPLATE))


@QUICK
@given(ps.forms(TEMPLATE))
def test_every_score_within_its_weight(form: dict) -> None:  # type: ignore[type-arg]
    """No indicator ever scores above its weight, and the total is the sum of the items."""
    result = score(form)
    for item in result.leaves():
        assert 0 <= item.score <= item.weight, item.explanation
    assert result.total == sum(item.score for item in result.leaves())
    assert 0 <= result.total <= TEMPLATE.total


@QUICK
@given(ps.targets(">=", "ratio").flatmap(lambda t: st.tuples(st.just(t), ps.actuals(t))))
def test_satisfaction_scores_proportionally(case: tuple[str, str]) -> None:
    """群众满意度-style indicators: met → full weight; below → never more than the weight."""
    target, actual = case
    form = {
        "kind": "form",
        "template": TEMPLATE.id,
        "budget": {"全年预算数": "100", "全年执行数": "100"},
        "indicators": {
            "产出指标": {
                "数量指标": [{"name": "场次", "target": "≥1次", "actual": "1次", "weight": "50"}]
            },
            "效益指标": {
                "社会效益指标": [
                    {"name": "效益", "target": "达成", "actual": "达成", "weight": "30"}
                ]
            },
            "满意度指标": {
                "服务对象满意度指标": [
                    {"name": "群众满意度", "target": target, "actual": actual, "weight": "10"}
                ]
            },
        },
    }
    item = score(form).find("群众满意度")
    parsed_target = perfscore.parse_target(target)
    parsed_actual = perfscore.parse_actual(actual, parsed_target)
    assert item.score <= Decimal(10)
    if parsed_target.is_met(parsed_actual):
        assert item.score == Decimal(10)


@QUICK
@given(st.sampled_from([t.name for t in TEMPLATE.rules["三档"].params.tiers]))
def test_every_tier_word_list_is_reachable(tier: str) -> None:
    """Each qualitative tier can be chosen by a word written in the form."""
    words = {t.name: t.words for t in TEMPLATE.rules["三档"].params.tiers}[tier]
    assert words, f"档次“{tier}”没有词语，表单只能写 tier 才能选中它"
